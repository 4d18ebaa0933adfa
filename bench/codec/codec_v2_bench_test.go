//go:build forstbench && goexperiment.jsonv2

// encoding/json/v2 on the same bodies and values as codec_bench_test.go (only with GOEXPERIMENT=jsonv2, which
// also rebuilds encoding/json v1 on v2's implementation: the v1 and codec figures come from a run without it).

package main

import (
	jsonv2 "encoding/json/v2"
	"testing"
)

func BenchmarkDecodeV2(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name()+"/v2", func(b *testing.B) {
			measure(b, len(c.body), func() error { return jsonv2.Unmarshal(c.body, c.ep.New().Args()[0]) })
		})
	}
}

func BenchmarkEncodeV2(b *testing.B) {
	for _, c := range benchCases(b) {
		call := c.decoded(b)
		for _, what := range []string{"input", "result"} {
			value, _ := encodeTarget(call, what)
			out, err := jsonv2.Marshal(value)
			if err != nil {
				b.Fatal(err)
			}
			if len(out) < 1024 {
				continue
			}
			b.Run(c.name()+"/"+what+"/v2", func(b *testing.B) {
				measure(b, len(out), func() error {
					_, err := jsonv2.Marshal(value)
					return err
				})
			})
		}
	}
}
