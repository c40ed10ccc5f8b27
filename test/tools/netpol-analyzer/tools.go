//go:build tools

// Package tools records the Go programs the test suite builds; see scripts/netpol-analyzer.sh.
package tools

import (
	_ "github.com/np-guard/netpol-analyzer/cmd/netpolicy"
)
