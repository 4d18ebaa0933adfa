//go:build forsttest

package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T, limit string) (*forstServer, *httptest.Server) {
	t.Helper()
	t.Setenv("FORST_TOKEN", "secret")
	t.Setenv("FORST_NO_AUTH", "")
	t.Setenv("FORST_BODY_LIMIT", limit)
	s, err := newForstServer(forstEndpoints, supervisedOptions(t))
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
	s.watchParent(strings.NewReader("")) // stdin EOF
	select {
	case <-s.shutdown:
	default:
		t.Fatal("stdin EOF did not start the shutdown")
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
