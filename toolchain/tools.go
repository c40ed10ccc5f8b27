//go:build tools

// Package tools pins the Go programs that scripts/toolchain.sh builds, so that
// `go mod tidy` records them (and all their dependencies) in go.mod/go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
