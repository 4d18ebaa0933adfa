//go:build forstbench && goexperiment.jsonv2

// encoding/json/v2 on the same bodies and values as codec_bench_test.go (only with GOEXPERIMENT=jsonv2, which
// also rebuilds encoding/json v1 on v2's implementation: the v1 and codec figures come from a run without it).

package main

import (
	jsonv2 "encoding/json/v2"
	"reflect"
	"testing"
)

func BenchmarkDecodeV2(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name()+"/v2", func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				call := c.ep.New()
				if err := jsonv2.Unmarshal(c.body, call.args()[0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeV2(b *testing.B) {
	for _, c := range benchCases(b) {
		call := c.decoded(b)
		values := map[string]any{
			"input":  reflect.ValueOf(call.args()[0]).Elem().Interface(),
			"result": reflect.ValueOf(call.result()).Elem().Interface(),
		}
		for _, what := range []string{"input", "result"} {
			v := values[what]
			out, err := jsonv2.Marshal(v)
			if err != nil {
				b.Fatal(err)
			}
			if len(out) < 1024 {
				continue
			}
			b.Run(c.name()+"/"+what+"/v2", func(b *testing.B) {
				b.SetBytes(int64(len(out)))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := jsonv2.Marshal(v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
