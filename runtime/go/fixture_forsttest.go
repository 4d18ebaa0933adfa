//go:build forsttest

// A hand-written endpoint table standing in for generated code in the template's own tests.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sync"
)

const forstManifestJSON = `{"endpoints":[]}`

const forstOpenAPIJSON = `{"openapi":"3.1.0","info":{"title":"test","version":"1"},"paths":{}}`

var forstEndpoints = []forstEndpoint{
	{Name: "echo", Route: "/echo", Params: []string{"value"}, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		var v any
		if err := forstDecodeArg("echo", "value", args[0], &v); err != nil {
			return nil, err
		}
		return v, nil
	}},
	{Name: "add", Route: "/add", Params: []string{"a", "b"}, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		var a, b int
		if err := forstDecodeArg("add", "a", args[0], &a); err != nil {
			return nil, err
		}
		if err := forstDecodeArg("add", "b", args[1], &b); err != nil {
			return nil, err
		}
		return a + b, nil
	}},
	{Name: "fail", Route: "/fail", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		return nil, &forstReturnedError{Err: errors.New("asked to fail")}
	}},
	{Name: "crash", Route: "/crash", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		return fixtureCrash(), nil
	}},
	{Name: "numbers", Route: "/numbers", Params: []string{"input"}, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		var input map[string]any
		if err := forstDecodeArg("numbers", "input", args[0], &input); err != nil {
			return nil, err
		}
		sum := 0.0
		for _, n := range forstAs[[]float64](input["numbers"], `input["numbers"]`) {
			sum += n
		}
		return sum, nil
	}},
	{Name: "nan", Route: "/nan", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		return math.NaN(), nil
	}},
	{Name: "wait", Route: "/wait", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		<-ctx.Done()
		fixtureCancelled <- struct{}{}
		return nil, ctx.Err()
	}},
	{Name: "big", Route: "/big", Params: []string{"s"}, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		var s string
		if err := forstDecodeArg("big", "s", args[0], &s); err != nil {
			return nil, err
		}
		return len(s), nil
	}},
	// Goroutines as the compiler emits them: forstGoRecover deferred first.
	{Name: "goPanicWaited", Route: "/go-panic-waited", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		return fixtureGoPanic(true), nil
	}},
	{Name: "goPanicBlocked", Route: "/go-panic-blocked", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		return fixtureGoPanic(false), nil
	}},
	{Name: "goPanicLater", Route: "/go-panic-later", Params: nil, Invoke: func(ctx context.Context, args []json.RawMessage) (any, error) {
		go forstGuard("fixture.ft:30", fixtureLatePanic)(fixtureLate)
		return "answered", nil
	}},
}

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
