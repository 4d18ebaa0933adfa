//go:build forsttest

// The differential tests (differential_forsttest.go) over the runtime's fixture endpoints.

package forst

import "testing"

func TestDifferentialEndpoints(t *testing.T)             { DifferentialEndpoints(t) }
func TestDifferentialResults(t *testing.T)               { DifferentialResults(t) }
func FuzzDifferential(f *testing.F)                      { FuzzDifferentialBodies(f) }
func TestPooledDecodersForgetTheirLastBody(t *testing.T) { PooledDecodersForgetTheirLastBody(t) }
