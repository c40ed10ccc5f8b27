//go:build tools

// Package tools pins kwok, which stands in for nodes and kubelets in the local cluster.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
