// Streaming results: an endpoint that returns iter.Seq[T] or a channel of T answers its items as they are produced,
// one JSON value per line (NDJSON), flushed in batches and at least every forstStreamFlushEvery, with backpressure:
// a client that reads slowly slows the producer down (its writes block), and one that goes away stops it (the next
// item is refused, and the context is cancelled).
//
// The format is chosen by the X-Forst-Stream request header:
//   - "ndjson" (the default: curl, fn.handler()): a failure after the first item ends the stream with one last line
//     {"error": {...}}, the usual envelope;
//   - "internal" (the package's own AsyncIterable): the same, but that last line is "!" and the envelope, which no
//     item can look like (a JSON value never starts with "!");
//   - "array" (fn.handler({ stream: "array" })): one JSON array; a failure after the first item aborts the
//     connection, so the client sees an incomplete array rather than a wrong complete one.
//
// A failure before the first item is an ordinary error answer with its status.

package forst

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Streamer is the call type of a streaming endpoint (generated in forst_codecs.go): StreamItems encodes each
// item into e and calls item, until the stream ends or item returns false.
type Streamer interface {
	StreamItems(ctx context.Context, e *Encoder, item func() bool)
}

const (
	// forstStreamBatch: buffered item bytes are sent once there are this many.
	forstStreamBatch = 32 << 10
	// forstStreamFlushEvery: and at least this often, so that a slow producer's items do not wait for a batch.
	forstStreamFlushEvery = 20 * time.Millisecond
)

type forstStreamFormat int

const (
	forstStreamNDJSON forstStreamFormat = iota
	forstStreamInternal
	forstStreamArray
)

func forstStreamFormatOf(r *http.Request) forstStreamFormat {
	switch r.Header.Get("X-Forst-Stream") {
	case "internal":
		return forstStreamInternal
	case "array":
		return forstStreamArray
	}
	return forstStreamNDJSON
}

// forstStreamWriter writes the items; its lock lets a call that failed (a goroutine's panic) stop the producer's
// writes before the handler returns.
type forstStreamWriter struct {
	mu      sync.Mutex
	w       http.ResponseWriter
	rc      *http.ResponseController
	format  forstStreamFormat
	started bool
	closed  bool // the client went away, or the stream ended
	failed  bool // the call failed: the producer's items are refused, only fail() writes
	count   int
	pending int
	done    chan struct{}
}

func newForstStreamWriter(w http.ResponseWriter, r *http.Request) *forstStreamWriter {
	sw := &forstStreamWriter{w: w, rc: http.NewResponseController(w), format: forstStreamFormatOf(r), done: make(chan struct{})}
	go sw.flushEvery(forstStreamFlushEvery)
	return sw
}

// item writes one encoded item; false when no more are wanted (the client went away, or the call failed).
func (sw *forstStreamWriter) item(b []byte) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.closed || sw.failed {
		return false
	}
	sw.begin()
	switch {
	case sw.format != forstStreamArray:
		b = append(b, '\n')
	case sw.count == 0:
		sw.write([]byte{'['})
	default:
		sw.write([]byte{','})
	}
	sw.write(b)
	sw.count++
	if sw.pending >= forstStreamBatch {
		sw.flush()
	}
	return !sw.closed
}

// begin sends the status and headers before the first byte of the answer.
func (sw *forstStreamWriter) begin() {
	if sw.started {
		return
	}
	sw.started = true
	h := sw.w.Header()
	if sw.format == forstStreamArray {
		h.Set("Content-Type", "application/json")
	} else {
		h.Set("Content-Type", "application/x-ndjson")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	sw.w.WriteHeader(http.StatusOK)
}

func (sw *forstStreamWriter) write(b []byte) {
	if _, err := sw.w.Write(b); err != nil {
		sw.closed = true // the client went away
	}
	sw.pending += len(b)
}

func (sw *forstStreamWriter) flush() {
	if sw.pending > 0 && !sw.closed {
		if err := sw.rc.Flush(); err != nil {
			sw.closed = true
		}
	}
	sw.pending = 0
}

func (sw *forstStreamWriter) flushEvery(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-sw.done:
			return
		case <-tick.C:
			sw.mu.Lock()
			sw.flush()
			sw.mu.Unlock()
		}
	}
}

// finish ends a complete stream.
func (sw *forstStreamWriter) finish() {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if !sw.closed {
		sw.begin()
		if sw.format == forstStreamArray {
			if sw.count == 0 {
				sw.write([]byte{'['})
			}
			sw.write([]byte{']'})
		}
		sw.flush()
	}
	sw.stop()
}

// fail ends the stream with a failure: an ordinary error answer when nothing was sent yet, else as the format says.
func (sw *forstStreamWriter) fail(status int, code, message, function, location string) {
	sw.failDetails(status, code, message, function, location, nil)
}

// failDetails is fail with the envelope's details (a nominal error's fields, invalid input's path).
func (sw *forstStreamWriter) failDetails(status int, code, message, function, location string, details any) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	defer sw.stop()
	sw.failed = true
	if !sw.started {
		sw.started = true
		forstFailDetails(sw.w, status, code, message, function, location, details)
		return
	}
	if sw.closed {
		return
	}
	switch sw.format {
	case forstStreamArray:
		// An array cannot say "failed": what was written goes out, then the connection is cut, so the client sees an
		// incomplete answer.
		sw.flush()
		sw.closed = true
		panic(http.ErrAbortHandler)
	case forstStreamInternal:
		sw.write([]byte{'!'})
	}
	sw.write(forstEnvelope(code, message, function, location, details))
	sw.write([]byte{'\n'})
	sw.flush()
}

func (sw *forstStreamWriter) stop() {
	if !sw.closed {
		sw.closed = true
	}
	select {
	case <-sw.done:
	default:
		close(sw.done)
	}
}

// forstStreamEncodeError is an item that has no JSON form (NaN): the stream ends with invalid_result.
type forstStreamEncodeError struct{ err error }

func (e forstStreamEncodeError) Error() string { return e.err.Error() }

// stream runs a streaming endpoint: the call, then its items, on the call's labelled goroutine (goroutines the
// producer starts are the call's), and the answer as the format says.
func (s *forstServer) stream(w http.ResponseWriter, r *http.Request, ep *Endpoint, a Args, st Streamer) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sw := newForstStreamWriter(w, r)
	items := func() error {
		e := forstGetEncoder()
		defer forstPutEncoder(e)
		err := EncodeWith(e, func(e *Encoder) {
			st.StreamItems(ctx, e, func() bool {
				ok := sw.item(e.buf)
				e.buf = e.buf[:0]
				return ok && ctx.Err() == nil
			})
		})
		if err != nil {
			return forstStreamEncodeError{err}
		}
		return nil
	}
	err, panicked := forstRun(ctx, cancel, ep, a, items)
	var encodeErr forstStreamEncodeError
	switch {
	case panicked != nil:
		if panicked.startedAt == "" {
			forstLog.panicked(ep.Name, panicked.location, panicked.value, forstFtStack(panicked.stack))
		}
		// fail() also stops a producer that may still be running: its next item is refused.
		sw.fail(http.StatusInternalServerError, "panic", panicked.message(), ep.Name, panicked.location)
	case errors.As(err, &encodeErr):
		sw.fail(http.StatusInternalServerError, "invalid_result", "an item is not JSON-encodable: "+encodeErr.Error(), ep.Name, "")
	case err != nil:
		status, code, details := forstReturnedFailure(err)
		sw.failDetails(status, code, err.Error(), ep.Name, "", details)
	default:
		sw.finish()
	}
}
