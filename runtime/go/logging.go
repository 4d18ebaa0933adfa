// Logs. The default is quiet (warnings only, as text on stderr); FORST_LOG=silent drops
// those too (the package's own progress lines follow the same variable); FORST_LOG=json makes
// the sidecar write one JSON object per line on stderr for every call (function, status, code, duration, request id,
// bytes) and every lifecycle event (listening, draining, stopped), the shape log collectors (Loki, Cloud Logging,
// Elasticsearch) ingest without a parser.

package forst

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

type forstLogger struct {
	mu     sync.Mutex
	out    io.Writer
	json   bool
	silent bool
}

var forstLog = &forstLogger{out: os.Stderr, json: os.Getenv("FORST_LOG") == "json", silent: os.Getenv("FORST_LOG") == "silent"}

// line writes one record. Field order in the output is fixed by encoding/json (sorted keys), which keeps lines diffable.
func (l *forstLogger) line(level, event, msg string, fields map[string]any) {
	if !l.json {
		if level != "info" {
			l.write([]byte("forst: " + msg + "\n"))
		}
		return
	}
	record := make(map[string]any, len(fields)+4)
	for k, v := range fields {
		record[k] = v
	}
	record["time"] = time.Now().UTC().Format(time.RFC3339Nano)
	record["level"] = level
	record["event"] = event
	if msg != "" {
		record["msg"] = msg
	}
	out, err := json.Marshal(record)
	if err != nil {
		out = []byte(fmt.Sprintf(`{"level":"error","event":"log_failed","msg":%q}`, err.Error()))
	}
	l.write(append(out, '\n'))
}

func (l *forstLogger) write(b []byte) {
	if l.silent {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.out.Write(b)
}

func (l *forstLogger) info(event, msg string, fields map[string]any) {
	l.line("info", event, msg, fields)
}
func (l *forstLogger) warn(event, msg string, fields map[string]any) {
	l.line("warn", event, msg, fields)
}

// call logs a finished call (JSON mode only: the default stays quiet).
func (l *forstLogger) call(function string, status int, code string, d time.Duration, requestID string, in, out int64) {
	if !l.json {
		return
	}
	l.line("info", "call", "", map[string]any{
		"function": function, "status": status, "code": code, "duration_ms": float64(d.Microseconds()) / 1000,
		"request_id": requestID, "bytes_in": in, "bytes_out": out,
	})
}

// panicked logs a recovered panic: the message with its .ft location, and the Go stack (text mode: as it always
// was; JSON mode: one record with the stack as a field, so a log collector keeps it together).
func (l *forstLogger) panicked(function, location string, value any, stack string) {
	if !l.json {
		l.write([]byte(fmt.Sprintf("forst: %s panicked at %s: %v\n%s", function, location, value, stack)))
		return
	}
	l.line("error", "panic", fmt.Sprint(value), map[string]any{"function": function, "location": location, "stack": stack})
}

// forstRequestID is the caller's X-Request-Id when it sent a sane one (so a request can be followed from the app's
// logs into the sidecar's), else a fresh random one.
func forstRequestID(given string) string {
	if n := len(given); n > 0 && n <= 128 {
		ok := true
		for i := 0; i < n && ok; i++ {
			ok = given[i] > ' ' && given[i] < 0x7f && given[i] != '"'
		}
		if ok {
			return given
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
