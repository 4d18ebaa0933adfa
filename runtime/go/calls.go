// Calls in flight, and the goroutines they start.
//
// A panic in a goroutine that a route started must fail that route's call, not the process. The compiler makes every
// such goroutine recover (forstGoRecover in the prelude); what is left is finding the call. Go has no goroutine-local
// storage, but it has profiler labels, which every goroutine inherits from the one that started it: each call runs on
// a goroutine of its own whose label set is fresh, and that set's address is the call's key. A panicking goroutine
// reads its own label set (runtime_getProfLabel, below) and finds the call, however deep the chain of `go`
// statements. Looking the key up costs nothing until a panic happens; setting it costs one small allocation per call.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// forstProfLabel returns the current goroutine's profiler label set (nil when it has none). The runtime keeps this
// symbol for packages that read labels this way and promises not to remove or change it: see go.dev/issue/67401
// and the comment on runtime_getProfLabel in the Go runtime's proflabel.go.
//
//go:linkname forstProfLabel runtime/pprof.runtime_getProfLabel
func forstProfLabel() unsafe.Pointer

// forstCall is one call in flight.
type forstCall struct {
	name string
	key  unsafe.Pointer
	// failed is closed when a goroutine the call started panicked; panic then holds what happened.
	failed chan struct{}
	once   sync.Once
	panic  *forstPanic
}

var forstCallsInFlight sync.Map // label set address → *forstCall

// forstRun runs the endpoint on a goroutine of its own, labelled so that goroutines it starts can find the call.
// It returns when the endpoint returns, or as soon as one of its goroutines panics (the endpoint may then be blocked
// forever, waiting for that goroutine: its context is cancelled and it is left behind, which is the best a process
// can do for code that cannot be stopped from outside).
func forstRun(ctx context.Context, cancel context.CancelFunc, ep *forstEndpoint, args []json.RawMessage) (result any, err error, p *forstPanic) {
	call := &forstCall{name: ep.Name, failed: make(chan struct{})}
	type outcome struct {
		result any
		err    error
		p      *forstPanic
	}
	done := make(chan outcome, 1)
	registered := make(chan struct{})
	go func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("forst_call", ep.Name)))
		call.key = forstProfLabel()
		forstCallsInFlight.Store(call.key, call)
		close(registered)
		r, e, p := forstInvoke(ctx, ep, args)
		done <- outcome{r, e, p}
	}()
	<-registered
	defer forstCallsInFlight.Delete(call.key)
	select {
	case o := <-done:
		select {
		case <-call.failed: // a goroutine panicked, and the endpoint returned anyway (e.g. its WaitGroup was done)
			return nil, nil, call.panic
		default:
			return o.result, o.err, o.p
		}
	case <-call.failed:
		cancel()
		return nil, nil, call.panic
	}
}

func (c *forstCall) fail(p *forstPanic) {
	c.once.Do(func() {
		c.panic = p
		close(c.failed)
	})
}

// forstGoroutinePanicked reports a panic recovered in a goroutine Forst code started.
func forstGoroutinePanicked(p *forstPanic, startedAt string) {
	p.startedAt = startedAt
	if c, ok := forstCallsInFlight.Load(forstProfLabel()); ok {
		fmt.Fprintf(os.Stderr, "forst: a goroutine started by %s at %s panicked at %s: %v\n%s", c.(*forstCall).name, startedAt, p.location, p.value, forstFtStack(p.stack))
		c.(*forstCall).fail(p)
		return
	}
	fmt.Fprintf(os.Stderr, "forst: a goroutine started at %s panicked at %s after its call had answered (the process keeps serving): %v\n%s", startedAt, p.location, p.value, forstFtStack(p.stack))
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

// forstInvoke calls the endpoint, turning a panic into data: its value, the .ft location of the innermost Forst
// frame (generated code carries //line directives), and the stack for the log.
func forstInvoke(ctx context.Context, ep *forstEndpoint, args []json.RawMessage) (result any, err error, p *forstPanic) {
	defer func() {
		if v := recover(); v != nil {
			p = &forstPanic{value: v, location: forstPanicLocation(), stack: debug.Stack()}
			if e, ok := v.(error); ok {
				p.err = e
			}
		}
	}()
	result, err = ep.Invoke(ctx, args)
	return result, err, nil
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
