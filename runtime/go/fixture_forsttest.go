//go:build forsttest

// A hand-written endpoint table standing in for generated code in the template's own tests.

package forst

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
)

func init() {
	Install(Program{
		Endpoints:    fixtureEndpoints,
		ManifestJSON: `{"endpoints":[]}`,
		OpenAPIJSON:  `{"openapi":"3.1.0","info":{"title":"test","version":"1"},"paths":{}}`,
		// The fixtures start goroutines (goPanic*): calls run on goroutines of their own, as in such projects.
		StartsGoroutines: true,
	})
}

var fixtureEndpoints = []Endpoint{
	{Name: "echo", Route: "/echo", Params: []string{"value"}, New: func() Args {
		var v any
		return fixture(func(d *Decoder, i int) { DecodeAny(d, &v) }, func(context.Context) (any, error) { return v, nil }, &v)
	}},
	{Name: "add", Route: "/add", Params: []string{"a", "b"}, New: func() Args {
		var a, b int
		return fixture(func(d *Decoder, i int) {
			if i == 0 {
				DecodeInt(d, &a)
			} else {
				DecodeInt(d, &b)
			}
		}, func(context.Context) (any, error) { return a + b, nil }, &a, &b)
	}},
	{Name: "fail", Route: "/fail", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) {
			return nil, &ReturnedError{Err: errors.New("asked to fail")}
		})
	}},
	{Name: "crash", Route: "/crash", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) { return fixtureCrash(), nil })
	}},
	{Name: "numbers", Route: "/numbers", Params: []string{"input"}, New: func() Args {
		var input map[string]any
		return fixture(func(d *Decoder, i int) { DecodeAnyMap(d, &input) }, func(context.Context) (any, error) {
			sum := 0.0
			for _, n := range As[[]float64](input["numbers"], `input["numbers"]`) {
				sum += n
			}
			return sum, nil
		}, &input)
	}},
	{Name: "nan", Route: "/nan", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) { return math.NaN(), nil })
	}},
	{Name: "wait", Route: "/wait", Params: nil, New: func() Args {
		return fixture(nil, func(ctx context.Context) (any, error) {
			<-ctx.Done()
			fixtureCancelled <- struct{}{}
			return nil, ctx.Err()
		})
	}},
	{Name: "skip", Route: "/skip", Params: []string{"empty"}, New: func() Args {
		var v struct{}
		return fixture(func(d *Decoder, i int) {
			if d.Open('{', &v) == Opened {
				for n := 0; d.Member(n); n++ {
					d.Skip() // a struct without fields: every member is unknown
				}
			}
		}, func(context.Context) (any, error) { return "skipped", nil }, &v)
	}},
	// Goroutines as the compiler emits them: forstGoRecover deferred first.
	{Name: "goPanicWaited", Route: "/go-panic-waited", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) { return fixtureGoPanic(true), nil })
	}},
	{Name: "goPanicBlocked", Route: "/go-panic-blocked", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) { return fixtureGoPanic(false), nil })
	}},
	{Name: "goPanicLater", Route: "/go-panic-later", Params: nil, New: func() Args {
		return fixture(nil, func(context.Context) (any, error) {
			go Guard("fixture.ft:30", fixtureLatePanic)(fixtureLate)
			return "answered", nil
		})
	}},
	{Name: "big", Route: "/big", Params: []string{"s"}, New: func() Args {
		var s string
		return fixture(func(d *Decoder, i int) { DecodeString(d, &s) }, func(context.Context) (any, error) { return len(s), nil }, &s)
	}},
	// n words: a result whose encoding cannot fail, so the server streams it (see writeResult).
	{Name: "words", Route: "/words", Params: []string{"n"}, New: func() Args {
		var n int
		return &fixtureCannotFail{fixture(func(d *Decoder, i int) { DecodeInt(d, &n) }, func(context.Context) (any, error) {
			words := make([]string, n)
			for i := range words {
				words[i] = fmt.Sprintf("word %d é \"quoted\"", i)
			}
			return words, nil
		}, &n).(*fixtureArgs)}
	}},
	// A streaming endpoint: n numbers, then (when fail) a panic.
	{Name: "numbersUpTo", Route: "/numbers-up-to", Params: []string{"n", "fail"}, New: func() Args {
		return &fixtureStream{}
	}},
}

// fixtureArgs adapts a test function to Args (generated code has one type per endpoint instead).
type fixtureArgs struct {
	argv   []any
	decode func(d *Decoder, i int)
	run    func(ctx context.Context) (any, error)
	out    any
}

func fixture(decode func(d *Decoder, i int), run func(ctx context.Context) (any, error), argv ...any) Args {
	return &fixtureArgs{argv: argv, decode: decode, run: run}
}

func (c *fixtureArgs) DecodeArg(d *Decoder, i int) { c.decode(d, i) }
func (c *fixtureArgs) Call(ctx context.Context) error {
	out, err := c.run(ctx)
	c.out = out
	return err
}
func (c *fixtureArgs) EncodeResult(e *Encoder)     { e.Any(c.out) }
func (c *fixtureArgs) Args() []any                 { return c.argv }
func (c *fixtureArgs) EncodeArg(e *Encoder, i int) { e.Any(reflectElem(c.argv[i])) }
func (c *fixtureArgs) Result() any                 { return &c.out }
func (c *fixtureArgs) DecodeResult(d *Decoder)     { DecodeAny(d, &c.out) }
func reflectElem(p any) any                        { return reflect.ValueOf(p).Elem().Interface() }

// fixtureCannotFail is a call type whose result the compiler proved cannot fail to encode.
type fixtureCannotFail struct{ *fixtureArgs }

func (fixtureCannotFail) ResultCannotFail() {}

// fixtureStream is a streaming call type as forst_codecs.go has them: its items are 0 .. n-1, encoded one by one.
type fixtureStream struct {
	fixtureArgs
	n    int
	fail bool
}

func (c *fixtureStream) DecodeArg(d *Decoder, i int) {
	if i == 0 {
		DecodeInt(d, &c.n)
	} else {
		DecodeBool(d, &c.fail)
	}
}
func (c *fixtureStream) Call(ctx context.Context) error { return nil }
func (c *fixtureStream) StreamItems(ctx context.Context, e *Encoder, item func() bool) {
	for i := 0; i < c.n; i++ {
		e.Int(int64(i))
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
	go func(forstG *Goroutine) {
		defer forstG.Done()
		go func(forstG *Goroutine) { // a grandchild: the call is still found
			defer forstG.Done()
			if wait {
				defer wg.Done()
			}
			var m map[string]int
			m["boom"] = 1
		}(GoStart("fixture.ft:25"))
	}(GoStart("fixture.ft:23"))
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
