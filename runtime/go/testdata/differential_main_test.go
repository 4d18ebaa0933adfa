//go:build forsttest

// The runtime's differential tests (differential_forsttest.go) over a generated module's own endpoints:
// tests/codec_differential.rs copies this file into the package main of every golden fixture's module, whose init
// installs its program.

package main

import (
	"testing"

	"forstapp/forst"
)

func TestDifferentialEndpoints(t *testing.T)             { forst.DifferentialEndpoints(t) }
func TestDifferentialResults(t *testing.T)               { forst.DifferentialResults(t) }
func FuzzDifferential(f *testing.F)                      { forst.FuzzDifferentialBodies(f) }
func TestPooledDecodersForgetTheirLastBody(t *testing.T) { forst.PooledDecodersForgetTheirLastBody(t) }
