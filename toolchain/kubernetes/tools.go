//go:build tools

// Package tools keeps the provider packages required by go.mod.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)
