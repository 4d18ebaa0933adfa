//go:build forsttest

// A hand-written endpoint table standing in for generated code in the template's own tests.

package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
)

const forstManifestJSON = `{"endpoints":[]}`

const forstOpenAPIJSON = `{"openapi":"3.1.0","info":{"title":"test","version":"1"},"paths":{}}`

// The fixtures start goroutines (goPanic*): calls run on goroutines of their own, as in such projects.
const forstStartsGoroutines = true

var forstEndpoints = []forstEndpoint{
	{Name: "echo", Route: "/echo", Params: []string{"value"}, New: func() forstArgs {
		var v any
		return fixture(func(d *forstDecoder, i int) { forstDecodeAny(d, &v) }, func(context.Context) (any, error) { return v, nil }, &v)
	}},
	{Name: "add", Route: "/add", Params: []string{"a", "b"}, New: func() forstArgs {
		var a, b int
		return fixture(func(d *forstDecoder, i int) {
			if i == 0 {
				forstDecodeInt(d, &a)
			} else {
				forstDecodeInt(d, &b)
			}
		}, func(context.Context) (any, error) { return a + b, nil }, &a, &b)
	}},
	{Name: "fail", Route: "/fail", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) {
			return nil, &forstReturnedError{Err: errors.New("asked to fail")}
		})
	}},
	{Name: "crash", Route: "/crash", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) { return fixtureCrash(), nil })
	}},
	{Name: "numbers", Route: "/numbers", Params: []string{"input"}, New: func() forstArgs {
		var input map[string]any
		return fixture(func(d *forstDecoder, i int) { forstDecodeAnyMap(d, &input) }, func(context.Context) (any, error) {
			sum := 0.0
			for _, n := range forstAs[[]float64](input["numbers"], `input["numbers"]`) {
				sum += n
			}
			return sum, nil
		}, &input)
	}},
	{Name: "nan", Route: "/nan", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) { return math.NaN(), nil })
	}},
	{Name: "wait", Route: "/wait", Params: nil, New: func() forstArgs {
		return fixture(nil, func(ctx context.Context) (any, error) {
			<-ctx.Done()
			fixtureCancelled <- struct{}{}
			return nil, ctx.Err()
		})
	}},
	{Name: "skip", Route: "/skip", Params: []string{"empty"}, New: func() forstArgs {
		var v struct{}
		return fixture(func(d *forstDecoder, i int) {
			if d.open('{', &v) == forstOpened {
				for n := 0; d.member(n); n++ {
					d.skip() // a struct without fields: every member is unknown
				}
			}
		}, func(context.Context) (any, error) { return "skipped", nil }, &v)
	}},
	// Goroutines as the compiler emits them: forstGoRecover deferred first.
	{Name: "goPanicWaited", Route: "/go-panic-waited", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) { return fixtureGoPanic(true), nil })
	}},
	{Name: "goPanicBlocked", Route: "/go-panic-blocked", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) { return fixtureGoPanic(false), nil })
	}},
	{Name: "goPanicLater", Route: "/go-panic-later", Params: nil, New: func() forstArgs {
		return fixture(nil, func(context.Context) (any, error) {
			go forstGuard("fixture.ft:30", fixtureLatePanic)(fixtureLate)
			return "answered", nil
		})
	}},
	{Name: "big", Route: "/big", Params: []string{"s"}, New: func() forstArgs {
		var s string
		return fixture(func(d *forstDecoder, i int) { forstDecodeString(d, &s) }, func(context.Context) (any, error) { return len(s), nil }, &s)
	}},
	// n words: a result whose encoding cannot fail, so the server streams it (see writeResult).
	{Name: "words", Route: "/words", Params: []string{"n"}, New: func() forstArgs {
		var n int
		return &fixtureCannotFail{fixture(func(d *forstDecoder, i int) { forstDecodeInt(d, &n) }, func(context.Context) (any, error) {
			words := make([]string, n)
			for i := range words {
				words[i] = fmt.Sprintf("word %d é \"quoted\"", i)
			}
			return words, nil
		}, &n).(*fixtureArgs)}
	}},
	// A streaming endpoint: n numbers, then (when fail) a panic.
	{Name: "numbersUpTo", Route: "/numbers-up-to", Params: []string{"n", "fail"}, New: func() forstArgs {
		return &fixtureStream{}
	}},
}

// fixtureArgs adapts a test function to forstArgs (generated code has one type per endpoint instead).
type fixtureArgs struct {
	argv   []any
	decode func(d *forstDecoder, i int)
	run    func(ctx context.Context) (any, error)
	out    any
}

func fixture(decode func(d *forstDecoder, i int), run func(ctx context.Context) (any, error), argv ...any) forstArgs {
	return &fixtureArgs{argv: argv, decode: decode, run: run}
}

func (c *fixtureArgs) decodeArg(d *forstDecoder, i int) { c.decode(d, i) }
func (c *fixtureArgs) call(ctx context.Context) error {
	out, err := c.run(ctx)
	c.out = out
	return err
}
func (c *fixtureArgs) encodeResult(e *forstEncoder)     { e.any(c.out) }
func (c *fixtureArgs) args() []any                      { return c.argv }
func (c *fixtureArgs) encodeArg(e *forstEncoder, i int) { e.any(reflectElem(c.argv[i])) }
func (c *fixtureArgs) result() any                      { return &c.out }
func (c *fixtureArgs) decodeResult(d *forstDecoder)     { forstDecodeAny(d, &c.out) }
func forstEncodeKnown(e *forstEncoder, v any) bool      { return false }
func reflectElem(p any) any                             { return reflect.ValueOf(p).Elem().Interface() }

// fixtureCannotFail is a call type whose result the compiler proved cannot fail to encode.
type fixtureCannotFail struct{ *fixtureArgs }

func (fixtureCannotFail) resultCannotFail() {}

// fixtureStream is a streaming call type as forst_codecs.go has them: its items are 0 .. n-1, encoded one by one.
type fixtureStream struct {
	fixtureArgs
	n    int
	fail bool
}

func (c *fixtureStream) decodeArg(d *forstDecoder, i int) {
	if i == 0 {
		forstDecodeInt(d, &c.n)
	} else {
		forstDecodeBool(d, &c.fail)
	}
}
func (c *fixtureStream) call(ctx context.Context) error { return nil }
func (c *fixtureStream) streamItems(ctx context.Context, e *forstEncoder, item func() bool) {
	for i := 0; i < c.n; i++ {
		e.int(int64(i))
		if !item() {
			fixtureStreamStopped <- i
			return
		}
	}
	if c.fail {
		fixtureCrash()
	}
}

var fixtureStreamStopped = make(chan int, 16)

var fixtureCancelled = make(chan struct{}, 1)

var fixtureLate = make(chan struct{})

//line fixture.ft:20
func fixtureGoPanic(wait bool) int {
	var wg sync.WaitGroup
	wg.Add(1)
	go func(forstG *forstGoroutine) {
		defer forstG.done()
		go func(forstG *forstGoroutine) { // a grandchild: the call is still found
			defer forstG.done()
			if wait {
				defer wg.Done()
			}
			var m map[string]int
			m["boom"] = 1
		}(forstGoStart("fixture.ft:25"))
	}(forstGoStart("fixture.ft:23"))
	wg.Wait()
	return 1
}

//line fixture.ft:40
func fixtureLatePanic(after chan struct{}) int {
	<-after
	panic("too late")
}

//line fixture.ft:10
func fixtureCrash() int {
	var m map[string]int
	m["boom"] = 1
	return 0
}
