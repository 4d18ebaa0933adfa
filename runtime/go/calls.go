// Calls in flight, and the goroutines they start.
//
// A panic in a goroutine that a route started must fail that route's call, not the process. The compiler rewrites
// every `go` statement (src/compiler/check/goroutines.rs) so that the goroutine gets a *Goroutine, made by
// GoStart in the starting goroutine, and defers its done() first; done() recovers a panic. What is left is
// finding the call. Go has no goroutine-local storage, but it has profiler labels, which every goroutine inherits
// from the one that started it: each call runs on a goroutine of its own whose label set is fresh, and that set's
// address is the call's key. GoStart reads the current label set (runtime_getProfLabel, below) and finds the
// call, however deep the chain of `go` statements; it costs a map lookup per goroutine.
//
// The call also counts its goroutines that are still running. That matters for the commonest pattern, a WaitGroup
// with `defer wg.Done()`: a panicking goroutine runs that deferred Done before the recover, which runs last, so the
// route can return while the panic is still on its way. When a route returns with goroutines still running, its
// answer waits for them up to forstGoroutineGrace: long enough for a panic in progress to arrive, short enough for
// a route that leaves work running in the background.

package forst

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// forstProfLabel returns the current goroutine's profiler label set (nil when it has none). The runtime keeps this
// symbol for packages that read labels this way and promises not to remove or change it: see go.dev/issue/67401
// and the comment on runtime_getProfLabel in the Go runtime's proflabel.go.
//
//go:linkname forstProfLabel runtime/pprof.runtime_getProfLabel
func forstProfLabel() unsafe.Pointer

// forstGoroutineGrace bounds how long an answer waits for the call's goroutines that are still running.
const forstGoroutineGrace = 10 * time.Millisecond

// forstCall is one call in flight.
type forstCall struct {
	name string
	key  unsafe.Pointer
	// failed is closed when a goroutine the call started panicked; panic then holds what happened.
	failed chan struct{}
	once   sync.Once
	panic  *forstPanic
	// live counts the call's goroutines still running; quiet gets a token when it drops to zero.
	live  atomic.Int64
	quiet chan struct{}
}

// Goroutine is a goroutine Forst code started: the call it belongs to (nil when none is in flight) and where.
type Goroutine struct {
	call      *forstCall
	startedAt string
}

// GoStart runs in the starting goroutine, when the `go` statement evaluates its arguments.
func GoStart(startedAt string) *Goroutine {
	g := &Goroutine{startedAt: startedAt}
	if c, ok := forstCallsInFlight.Load(forstProfLabel()); ok {
		g.call = c.(*forstCall)
		g.call.live.Add(1)
	}
	return g
}

// Done is deferred first in the goroutine, so it runs last: it recovers a panic and reports it (see
// forstGoroutinePanicked), and tells the call this goroutine has ended.
func (g *Goroutine) Done() {
	if v := recover(); v != nil {
		forstGoroutinePanicked(g, &forstPanic{value: v, location: forstPanicLocation(), stack: debug.Stack()})
	}
	if c := g.call; c != nil && c.live.Add(-1) == 0 {
		select {
		case c.quiet <- struct{}{}:
		default:
		}
	}
}

// Guard wraps a function value so that the goroutine running it behaves as done() says. The compiler uses it
// for `go f(x)` when it cannot write a typed wrapper (f is a method value, a function from a package or a variable):
// `go Guard(pos, f)(x)` still evaluates f and x in the calling goroutine, as Go specifies for `go`
// statements, and runs f in the new one. It costs a reflective call; `go` statements that call a function literal
// or a function of the project get a direct, typed wrapper instead.
func Guard[F any](startedAt string, f F) F {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || fv.IsNil() {
		return f
	}
	g := GoStart(startedAt)
	ft := fv.Type()
	wrapped := reflect.MakeFunc(ft, func(args []reflect.Value) (results []reflect.Value) {
		// Runs after done(): a recovered call still returns the values its type promises.
		defer func() {
			if results == nil && ft.NumOut() > 0 {
				results = make([]reflect.Value, ft.NumOut())
				for i := range results {
					results[i] = reflect.Zero(ft.Out(i))
				}
			}
		}()
		defer g.Done()
		if ft.IsVariadic() {
			return fv.CallSlice(args)
		}
		return fv.Call(args)
	})
	return wrapped.Interface().(F)
}

var forstCallsInFlight sync.Map // label set address → *forstCall

// forstRun runs the endpoint on a goroutine of its own, labelled so that goroutines it starts can find the call
// (in a project whose Forst code starts no goroutines, on the caller's: see Program.StartsGoroutines).
// It returns when the endpoint returns, or as soon as one of its goroutines panics (the endpoint may then be blocked
// forever, waiting for that goroutine: its context is cancelled and it is left behind, which is the best a process
// can do for code that cannot be stopped from outside).
//
// then, when not nil, runs after a successful call on the same goroutine (a stream's items: the producer's goroutines
// belong to the call too).
func forstRun(ctx context.Context, cancel context.CancelFunc, ep *Endpoint, a Args, then func() error) (err error, p *forstPanic) {
	run := func() error {
		if err := a.Call(ctx); err != nil || then == nil {
			return err
		}
		return then()
	}
	if !program.StartsGoroutines {
		// No `go` statement in the project's Forst code: no goroutine of this call can panic, so it runs on the
		// request's goroutine, without the labels, the registry and the hand-over (a small call's cost, measurably).
		return forstInvoke(run)
	}
	call := &forstCall{name: ep.Name, failed: make(chan struct{}), quiet: make(chan struct{}, 1)}
	type outcome struct {
		err error
		p   *forstPanic
	}
	done := make(chan outcome, 1)
	registered := make(chan struct{})
	go func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("forst_call", ep.Name)))
		call.key = forstProfLabel()
		forstCallsInFlight.Store(call.key, call)
		close(registered)
		e, p := forstInvoke(run)
		done <- outcome{e, p}
	}()
	<-registered
	defer forstCallsInFlight.Delete(call.key)
	select {
	case o := <-done:
		call.settle()
		select {
		case <-call.failed: // a goroutine panicked, and the endpoint returned anyway (e.g. its WaitGroup was done)
			return nil, call.panic
		default:
			return o.err, o.p
		}
	case <-call.failed:
		cancel()
		return nil, call.panic
	}
}

// settle waits, up to forstGoroutineGrace, for the call's goroutines that are still running to end or panic.
func (c *forstCall) settle() {
	if c.live.Load() == 0 {
		return
	}
	timer := time.NewTimer(forstGoroutineGrace)
	defer timer.Stop()
	for c.live.Load() > 0 {
		select {
		case <-c.quiet: // may be an old token: the loop looks again
		case <-c.failed:
			return
		case <-timer.C:
			return
		}
	}
}

func (c *forstCall) fail(p *forstPanic) {
	c.once.Do(func() {
		c.panic = p
		close(c.failed)
	})
}

// forstGoroutinePanicked reports a panic recovered in a goroutine Forst code started: it fails the goroutine's call
// if that is still in flight, and is logged either way.
func forstGoroutinePanicked(g *Goroutine, p *forstPanic) {
	p.startedAt = g.startedAt
	if c := g.call; c != nil {
		if _, inFlight := forstCallsInFlight.Load(c.key); inFlight {
			fmt.Fprintf(os.Stderr, "forst: a goroutine started by %s at %s panicked at %s: %v\n%s", c.name, g.startedAt, p.location, p.value, forstFtStack(p.stack))
			c.fail(p)
			return
		}
	}
	fmt.Fprintf(os.Stderr, "forst: a goroutine started at %s panicked at %s after its call had answered (the process keeps serving): %v\n%s", g.startedAt, p.location, p.value, forstFtStack(p.stack))
}

type forstPanic struct {
	value    any
	err      error
	location string
	// startedAt is the `go` statement's position when the panic happened in a goroutine the call started.
	startedAt string
	stack     []byte
}

// message is what the caller reads: the panic value, and where the goroutine came from when that matters.
func (p *forstPanic) message() string {
	if p.startedAt != "" {
		return fmt.Sprintf("%v (in a goroutine started at %s)", p.value, p.startedAt)
	}
	return fmt.Sprint(p.value)
}

// forstInvoke runs part of a call (decoding its arguments, running the endpoint), turning a panic into data: its
// value, the .ft location of the innermost Forst frame (generated code carries //line directives), and the stack for
// the log.
func forstInvoke(run func() error) (err error, p *forstPanic) {
	defer func() {
		if v := recover(); v != nil {
			p = &forstPanic{value: v, location: forstPanicLocation(), stack: debug.Stack()}
			if e, ok := v.(error); ok {
				p.err = e
			}
		}
	}()
	return run(), nil
}

// forstPanicLocation is the innermost .ft frame of the panicking goroutine's stack.
func forstPanicLocation() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.File, ".ft") {
			return f.File + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return ""
		}
	}
}

// forstFtStack keeps the lines of a stack trace that name .ft files (with the function line above each): what a
// Forst author can act on, instead of the runtime's and the server's frames.
func forstFtStack(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	var b strings.Builder
	for i := 1; i < len(lines); i++ {
		if strings.Contains(lines[i], ".ft:") {
			b.WriteString("  " + strings.TrimSpace(lines[i-1]) + "\n      " + strings.TrimSpace(lines[i]) + "\n")
		}
	}
	return b.String()
}
