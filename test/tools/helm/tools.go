//go:build tools

// Package tools keeps the Helm CLI's module required by go.mod.
package tools

import (
	_ "helm.sh/helm/v3/pkg/action"
)
