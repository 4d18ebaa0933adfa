//go:build forsttest

package forst

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T, limit string) (*forstServer, *httptest.Server) {
	t.Helper()
	t.Setenv("FORST_TOKEN", "secret")
	t.Setenv("FORST_NO_AUTH", "")
	t.Setenv("FORST_BODY_LIMIT", limit)
	s, err := newForstServer(program.Endpoints, supervisedOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

type reply struct {
	status int
	body   string
	err    struct {
		Code, Message, Function, Location string
	}
}

func do(t *testing.T, ts *httptest.Server, method, path, body string, headers map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	req.Header.Set("X-Forst-Token", "secret")
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	return send(t, ts, req)
}

// send sends req and reads the reply and its error envelope.
func send(t *testing.T, ts *httptest.Server, req *http.Request) reply {
	t.Helper()
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, body: string(raw)}
	var env struct {
		Error struct{ Code, Message, Function, Location string }
	}
	if json.Unmarshal([]byte(r.body), &env) == nil {
		r.err = env.Error
	}
	return r
}

func TestCallsAndBodyConvention(t *testing.T) {
	_, ts := newTestServer(t, "")
	if r := do(t, ts, "POST", "/echo", `{"a":[1,"x",null]}`, nil); r.status != 200 || r.body != `{"a":[1,"x",null]}` {
		t.Fatalf("echo: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/add", `[2, 40]`, nil); r.body != "42" {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/numbers", `{"numbers":[1,2,2]}`, nil); r.body != "5" {
		t.Fatalf("numbers: %d %s", r.status, r.body)
	}
}

func TestErrorCodes(t *testing.T) {
	_, ts := newTestServer(t, "1000")
	cases := []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
		code, message            string
	}{
		{"wrong type", "POST", "/add", `["x", 1]`, nil, 400, "invalid_input", "at a: expected int, got string"},
		{"arity", "POST", "/add", `[1]`, nil, 400, "invalid_input", "expected 2 arguments [a, b], got 1"},
		{"malformed", "POST", "/echo", `{"a":`, nil, 400, "invalid_input", "malformed JSON"},
		{"missing", "POST", "/echo", ``, nil, 400, "invalid_input", "missing argument value"},
		{"assertion", "POST", "/numbers", `{"numbers":"many"}`, nil, 400, "invalid_input", "expected []float64, got string"},
		{"returned", "POST", "/fail", ``, nil, 500, "returned_error", "asked to fail"},
		{"panic", "POST", "/crash", ``, nil, 500, "panic", "assignment to entry in nil map"},
		{"nan", "POST", "/nan", ``, nil, 500, "invalid_result", "NaN"},
		{"unknown", "POST", "/nope", `{}`, nil, 404, "unknown_function", "/nope"},
		{"method", "GET", "/echo", ``, nil, 405, "method_not_allowed", "POST"},
		{"too large", "POST", "/big", `"` + strings.Repeat("x", 2000) + `"`, nil, 413, "body_too_large", "FORST_BODY_LIMIT"},
		{"no token", "POST", "/echo", `1`, map[string]string{"X-Forst-Token": "wrong"}, 401, "unauthorized", "X-Forst-Token"},
		{"foreign host", "GET", "/healthz", ``, map[string]string{"Host": "evil.example"}, 403, "forbidden_host", "loopback"},
	}
	for _, c := range cases {
		r := do(t, ts, c.method, c.path, c.body, c.headers)
		if r.status != c.status || r.err.Code != c.code || !strings.Contains(r.err.Message, c.message) {
			t.Errorf("%s: got %d %q %q, want %d %q containing %q", c.name, r.status, r.err.Code, r.err.Message, c.status, c.code, c.message)
		}
	}
	if r := do(t, ts, "POST", "/crash", ``, nil); r.err.Location != "fixture.ft:12" {
		t.Errorf("panic location = %q, want fixture.ft:12", r.err.Location)
	}
	if r := do(t, ts, "POST", "/add", `[1, 1]`, nil); r.body != "2" {
		t.Errorf("the server keeps serving after a panic: %d %s", r.status, r.body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s, ts := newTestServer(t, "")
	if r := do(t, ts, "GET", "/healthz", "", map[string]string{"X-Forst-Token": ""}); r.status != 200 {
		t.Fatalf("healthz without token: %d", r.status)
	}
	if r := do(t, ts, "GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("readyz: %d", r.status)
	}
	s.watchParent(strings.NewReader("drain\n")) // stop(): a drain request, then the pipe closes
	select {
	case <-s.shutdown:
	default:
		t.Fatal("a drain line did not start the graceful shutdown")
	}
	select {
	case <-s.abort:
	default:
		t.Fatal("EOF after the drain line did not abort (the parent is gone)")
	}
	if r := do(t, ts, "GET", "/readyz", "", nil); r.status != 503 {
		t.Fatalf("readyz while draining: %d", r.status)
	}
}

func TestFiftyMegabyteBody(t *testing.T) {
	_, ts := newTestServer(t, "")
	body := `"` + strings.Repeat("y", 50<<20) + `"`
	if r := do(t, ts, "POST", "/big", body, nil); r.status != 200 || r.body != "52428800" {
		t.Fatalf("50 MB: %d %.100s", r.status, r.body)
	}
}

func TestCallerGoneCancelsContext(t *testing.T) {
	_, ts := newTestServer(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/wait", nil)
	req.Header.Set("X-Forst-Token", "secret")
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, _ = ts.Client().Do(req)
	select {
	case <-fixtureCancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the endpoint's context was not cancelled when the caller went away")
	}
}

func TestMissingTokenRefusesToStart(t *testing.T) {
	t.Setenv("FORST_TOKEN", "")
	t.Setenv("FORST_NO_AUTH", "")
	if _, err := forstParseOptions([]string{"--supervised"}, os.Getenv); err == nil || !strings.Contains(err.Error(), "FORST_TOKEN") {
		t.Fatalf("err = %v", err)
	}
	if _, err := newForstServer(nil, forstOptions{}); err == nil || !strings.Contains(err.Error(), "FORST_TOKEN") {
		t.Fatalf("err = %v", err)
	}
}

// supervisedOptions resolves the options the way the binary does when @forst/sidecar spawns it.
func supervisedOptions(t *testing.T) forstOptions {
	t.Helper()
	opts, err := forstParseOptions([]string{"--supervised"}, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestUnixSocketIsOwnerOnlyAndReplacesAStaleOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	for i := 0; i < 2; i++ { // the second listen finds the first one's file, as after a kill -9
		ln, err := forstListenUnix(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("socket mode: %v %v", fi, err)
		}
		if i == 0 {
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
		}
		ln.Close()
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket file is removed on close: %v", err)
	}
	if _, err := forstListenUnix(filepath.Join(t.TempDir(), "missing", "s.sock")); err == nil || !strings.Contains(err.Error(), "cannot listen on the unix socket") {
		t.Fatalf("want a clear error, got %v", err)
	}
}

func TestAGoroutinePanicFailsOnlyTheCallThatStartedIt(t *testing.T) {
	_, ts := newTestServer(t, "")
	// The waited form races a panicking goroutine's deferred wg.Done against its recover: many rounds.
	routes := []string{"/go-panic-blocked"}
	for i := 0; i < 200; i++ {
		routes = append(routes, "/go-panic-waited")
	}
	for _, route := range routes {
		start := time.Now()
		r := do(t, ts, "POST", route, "", nil)
		if r.status != 500 || r.err.Code != "panic" || !strings.Contains(r.err.Message, "assignment to entry in nil map (in a goroutine started at fixture.ft:25)") {
			t.Fatalf("%s: %d %s", route, r.status, r.body)
		}
		if r.err.Location != "fixture.ft:31" {
			t.Errorf("%s: location %q, want the panicking line fixture.ft:31", route, r.err.Location)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("%s took %v: a call whose goroutine panicked must answer at once", route, time.Since(start))
		}
	}
	if r := do(t, ts, "POST", "/add", `[1, 1]`, nil); r.body != "2" {
		t.Fatalf("the server keeps serving: %d %s", r.status, r.body)
	}
}

func TestAGoroutinePanicAfterItsCallAnsweredIsOnlyLogged(t *testing.T) {
	_, ts := newTestServer(t, "")
	fixtureLate = make(chan struct{})
	if r := do(t, ts, "POST", "/go-panic-later", "", nil); r.status != 200 || r.body != `"answered"` {
		t.Fatalf("%d %s", r.status, r.body)
	}
	close(fixtureLate) // the goroutine panics now, with no call to fail
	time.Sleep(50 * time.Millisecond)
	if r := do(t, ts, "POST", "/add", `[2, 2]`, nil); r.body != "4" {
		t.Fatalf("the process survived: %d %s", r.status, r.body)
	}
}

func TestGuardedFunctionsKeepTheirResultsAndVariadics(t *testing.T) {
	sum := Guard("x.ft:1", func(xs ...int) (int, error) {
		n := 0
		for _, x := range xs {
			n += x
		}
		return n, nil
	})
	if n, err := sum(1, 2, 3); n != 6 || err != nil {
		t.Fatalf("sum = %d, %v", n, err)
	}
	boom := Guard("x.ft:2", func() int { panic("boom") })
	if n := boom(); n != 0 {
		t.Fatalf("a recovered call returns zero values, got %d", n)
	}
}

func TestRefusedRequestsCloseTheirConnection(t *testing.T) {
	_, ts := newTestServer(t, "")
	for _, c := range []struct {
		name    string
		headers map[string]string
		status  int
		code    string
	}{
		{"no token", map[string]string{"X-Forst-Token": ""}, 401, "unauthorized"},
		{"foreign host", map[string]string{"Host": "evil.example"}, 403, "forbidden_host"},
		{"web page", map[string]string{"Origin": "http://evil.example"}, 403, "forbidden_origin"},
	} {
		req, _ := http.NewRequest("POST", ts.URL+"/echo", strings.NewReader("1"))
		for k, v := range c.headers {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		if req.Header.Get("X-Forst-Token") == "" && c.name != "no token" {
			req.Header.Set("X-Forst-Token", "secret")
		}
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status || !res.Close {
			t.Errorf("%s: status %d, connection closed %v; want %d and closed", c.name, res.StatusCode, res.Close, c.status)
		}
	}
}

func TestWebPagesCannotCallEvenWithoutAuth(t *testing.T) {
	s, ts := newTestServer(t, "")
	s.noAuth = true
	if r := do(t, ts, "POST", "/echo", `1`, map[string]string{"Content-Type": "text/plain"}); r.status != 415 || r.err.Code != "unsupported_media_type" {
		t.Errorf("text/plain: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/echo", `1`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != 415 {
		t.Errorf("form: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/echo", `1`, map[string]string{"Content-Type": "application/json; charset=utf-8", "Host": "LOCALHOST:1"}); r.status != 200 {
		t.Errorf("JSON to LOCALHOST: %d %s", r.status, r.body)
	}
}

func TestABodyThatStopsIsAbandoned(t *testing.T) {
	_, ts := newTestServer(t, "")
	old := forstBodyIdleTimeout
	forstBodyIdleTimeout = 200 * time.Millisecond
	t.Cleanup(func() { forstBodyIdleTimeout = old })
	pr, pw := io.Pipe()
	go func() { _, _ = pw.Write([]byte(`"abc`)) }() // then nothing, never closed
	t.Cleanup(func() { pw.Close() })
	req, _ := http.NewRequest("POST", ts.URL+"/big", pr)
	req.Header.Set("X-Forst-Token", "secret")
	start := time.Now()
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 408 || !strings.Contains(string(raw), "body_timeout") || time.Since(start) > 3*time.Second {
		t.Fatalf("%d %s after %v", res.StatusCode, raw, time.Since(start))
	}
}

func TestConnectionsOverTheCapAreClosedAtOnce(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := forstLimit(inner, 2, nil)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, second := <-accepted, <-accepted
	// The third is closed by the listener (a reset): reading from it ends at once, or the dial already failed.
	if third, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		defer third.Close()
		_ = third.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := third.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("the connection over the cap is still open: %v", err)
		}
	}
	first.Close()
	second.Close()
	if ln.open.Load() != 0 || ln.refused.Load() != 1 {
		t.Fatalf("open %d refused %d", ln.open.Load(), ln.refused.Load())
	}
	c, _ := net.Dial("tcp", ln.Addr().String())
	defer c.Close()
	select {
	case got := <-accepted:
		got.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("a slot that was freed is used again")
	}
}

// chunked sends body without a Content-Length, so that the server finds out its size while decoding.
func chunked(t *testing.T, ts *httptest.Server, path string, body io.Reader) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+path, body)
	req.ContentLength = -1
	req.Header.Set("X-Forst-Token", "secret")
	return send(t, ts, req)
}

// The body is decoded as it arrives; the answers are still those of reading it whole first.
func TestStreamedBodiesKeepTheAnswersOfWholeBodies(t *testing.T) {
	_, ts := newTestServer(t, "1000")
	big := `"` + strings.Repeat("x", 2000) + `"`
	cases := []struct {
		name, body    string
		status        int
		code, message string
	}{
		{"over the limit, found while decoding", big, 413, "body_too_large", "limit of 1000 bytes"},
		{"malformed early and over the limit: 413 wins", `{"a":` + strings.Repeat(" ", 2000) + `x`, 413, "body_too_large", "limit of 1000 bytes"},
		{"malformed within the limit", `{"a": x}`, 400, "invalid_input", "malformed JSON body: invalid character 'x' looking for beginning of value"},
		{"type error within the limit", `["x", 2]`, 400, "invalid_input", "at a: expected int, got string"},
	}
	for _, c := range cases {
		path := "/echo"
		if strings.HasPrefix(c.body, "[") {
			path = "/add"
		}
		r := chunked(t, ts, path, strings.NewReader(c.body))
		if r.status != c.status || r.err.Code != c.code || !strings.Contains(r.err.Message, c.message) {
			t.Errorf("%s: got %d %q %q, want %d %q containing %q", c.name, r.status, r.err.Code, r.err.Message, c.status, c.code, c.message)
		}
	}
}

// failingReader yields some JSON and then an error, as a connection that breaks mid-body.
type failingReader struct{ sent bool }

func (f *failingReader) Read(p []byte) (int, error) {
	if !f.sent {
		f.sent = true
		return copy(p, `{"a": [1, 2,`), nil
	}
	return 0, errors.New("connection reset")
}

func TestReadErrorMidBodyIsInvalidInput(t *testing.T) {
	s, _ := newTestServer(t, "")
	req := httptest.NewRequest("POST", "http://127.0.0.1/echo", &failingReader{})
	req.Header.Set("X-Forst-Token", "secret")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "could not read the request body: connection reset") {
		t.Fatalf("got %d %s", w.Code, w.Body.String())
	}
}

// A result that cannot fail to encode is streamed in chunks when it is large, and answered with its length when it
// fits in one chunk; either way the JSON is encoding/json's.
func TestResultsThatCannotFailAreStreamed(t *testing.T) {
	_, ts := newTestServer(t, "")
	for _, n := range []int{0, 3, 100_000} {
		req, _ := http.NewRequest("POST", ts.URL+"/words", strings.NewReader(strconv.Itoa(n)))
		req.Header.Set("X-Forst-Token", "secret")
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		words := make([]string, n)
		for i := range words {
			words[i] = fmt.Sprintf("word %d é \"quoted\"", i)
		}
		want, _ := json.Marshal(words)
		if res.StatusCode != 200 || !bytes.Equal(raw, want) {
			t.Fatalf("n=%d: %d %.200s", n, res.StatusCode, raw)
		}
		large := len(want) > forstResultChunk
		if chunked := res.ContentLength < 0; chunked != large {
			t.Fatalf("n=%d (%d bytes): Content-Length %d, want it only for answers up to one chunk", n, len(want), res.ContentLength)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("n=%d: Content-Type %q", n, ct)
		}
	}
}
