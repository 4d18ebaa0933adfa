//go:build forstbench

// The codec benchmark (`npm run bench -- --suite codec`, bench/suites/codec.mjs): the generated codecs against
// encoding/json (v1) on the RFC's four routes, decoding their request bodies and encoding their record types, at
// each size the suite wrote to $FORST_BENCH_DATA (<route>.<records>.json). The suite copies this file into the
// example app's generated module and runs `go test -tags forstbench -bench .`; codec_v2_bench_test.go adds
// encoding/json/v2 when run with GOEXPERIMENT=jsonv2.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"forstapp/forst"
)

// benchCase is one request body of one route.
type benchCase struct {
	route   string
	records int
	body    []byte
	ep      *forst.Endpoint
}

func benchCases(b *testing.B) []benchCase {
	dir := os.Getenv("FORST_BENCH_DATA")
	if dir == "" {
		b.Skip("FORST_BENCH_DATA is not set (bench/suites/codec.mjs sets it)")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no request bodies in %s", dir)
	}
	var out []benchCase
	for _, f := range files {
		route, size, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
		n, _ := strconv.Atoi(size)
		body, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var ep *forst.Endpoint
		for i := range forstEndpoints {
			if forstEndpoints[i].Name == route {
				ep = &forstEndpoints[i]
			}
		}
		if ep == nil {
			b.Fatalf("no endpoint %s", route)
		}
		out = append(out, benchCase{route, n, body, ep})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].route != out[j].route {
			return out[i].route < out[j].route
		}
		return out[i].records < out[j].records
	})
	return out
}

func (c benchCase) name() string { return c.route + "/" + strconv.Itoa(c.records) }

// decoded returns a call with the body decoded (by encoding/json, the reference) and run: its arguments and its
// result are the values the encode benchmarks write.
func (c benchCase) decoded(b *testing.B) forst.Args {
	call := c.ep.New()
	if err := json.Unmarshal(c.body, call.Args()[0]); err != nil {
		b.Fatal(err)
	}
	if err := call.Call(context.Background()); err != nil {
		b.Fatal(err)
	}
	return call
}

// measure runs op b.N times, reporting throughput over size bytes and allocations.
func measure(b *testing.B, size int, op func() error) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode: the request body into the endpoint's parameter. codec: from the bytes (a pooled decoder, as small
// calls use); codec-stream: from a reader through the server's 64 KiB buffer (the server's path); v1:
// json.Unmarshal.
func BenchmarkDecode(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name()+"/codec", func(b *testing.B) {
			measure(b, len(c.body), func() error {
				d := forst.GetBytesDecoder(c.body)
				defer forst.PutDecoder(d)
				return forst.DecodeArgs(d, c.ep, c.ep.New())
			})
		})
		b.Run(c.name()+"/codec-stream", func(b *testing.B) {
			measure(b, len(c.body), func() error {
				d := forst.GetDecoder(bytes.NewReader(c.body))
				defer forst.PutDecoder(d)
				return forst.DecodeArgs(d, c.ep, c.ep.New())
			})
		})
		b.Run(c.name()+"/v1", func(b *testing.B) {
			measure(b, len(c.body), func() error { return json.Unmarshal(c.body, c.ep.New().Args()[0]) })
		})
	}
}

// BenchmarkEncode: the parameter's value (the request's records) and the result (when it holds records) as JSON.
// codec: the generated encoder into a reused buffer; v1: json.Marshal.
func BenchmarkEncode(b *testing.B) {
	for _, c := range benchCases(b) {
		call := c.decoded(b)
		for _, what := range []string{"input", "result"} {
			value, encode := encodeTarget(call, what)
			want, err := json.Marshal(value)
			if err != nil {
				b.Fatal(err)
			}
			if len(want) < 1024 {
				continue // a small map (processData's and calculate's results): nothing to measure
			}
			e := forst.NewEncoder(nil)
			if err := forst.EncodeWith(e, encode); err != nil || !bytes.Equal(e.Written(), want) {
				b.Fatalf("%s %s: the codec writes other bytes than json.Marshal (%v)", c.name(), what, err)
			}
			b.Run(c.name()+"/"+what+"/codec", func(b *testing.B) {
				measure(b, len(want), func() error {
					e.Reset()
					return forst.EncodeWith(e, encode)
				})
			})
			b.Run(c.name()+"/"+what+"/v1", func(b *testing.B) {
				measure(b, len(want), func() error {
					_, err := json.Marshal(value)
					return err
				})
			})
		}
	}
}

// encodeTarget is the value an encode benchmark writes (the call's argument or result) and its generated encoder.
func encodeTarget(call forst.Args, what string) (any, func(e *forst.Encoder)) {
	if what == "input" {
		return reflect.ValueOf(call.Args()[0]).Elem().Interface(), func(e *forst.Encoder) { call.EncodeArg(e, 0) }
	}
	return reflect.ValueOf(call.Result()).Elem().Interface(), call.EncodeResult
}
