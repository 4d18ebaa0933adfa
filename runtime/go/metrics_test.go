//go:build forsttest

package forst

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestMetricsCountCallsByOutcome(t *testing.T) {
	_, ts := newTestServer(t, "")
	for _, c := range []struct{ path, body string }{{"/add", "[1,2]"}, {"/add", "[3,4]"}, {"/add", `["x",1]`}, {"/crash", ""}, {"/fail", ""}} {
		do(t, ts, "POST", c.path, c.body, nil)
	}
	do(t, ts, "POST", "/add", "[1,2]", map[string]string{"X-Forst-Token": "wrong"}) // unauthenticated: not counted
	if r := do(t, ts, "GET", "/metrics", "", map[string]string{"X-Forst-Token": ""}); r.status != 401 {
		t.Fatalf("metrics without token: %d", r.status)
	}
	r := do(t, ts, "GET", "/metrics", "", nil)
	if r.status != 200 {
		t.Fatalf("metrics: %d %s", r.status, r.body)
	}
	for _, want := range []string{
		`forst_calls_total{function="add",code="ok"} 2`,
		`forst_calls_total{function="add",code="invalid_input"} 1`,
		`forst_calls_total{function="crash",code="panic"} 1`,
		`forst_calls_total{function="fail",code="returned_error"} 1`,
		`forst_call_duration_seconds_count{function="add"} 3`,
		`forst_call_duration_seconds_bucket{function="add",le="+Inf"} 3`,
		`forst_calls_in_flight{function="add"} 0`,
		`forst_request_bytes_total{function="add"} 17`,
		"# TYPE forst_call_duration_seconds histogram",
		"# TYPE go_gc_duration_seconds summary",
		"go_goroutines ",
		"go_memstats_heap_alloc_bytes ",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %q in\n%s", want, r.body)
		}
	}
	// Every line is a comment or `name{labels} value`.
	sample := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfNa]+$`)
	for _, line := range strings.Split(strings.TrimSpace(r.body), "\n") {
		if !strings.HasPrefix(line, "# ") && !sample.MatchString(line) {
			t.Errorf("not an exposition line: %q", line)
		}
	}
}

func TestJSONLogLinePerCall(t *testing.T) {
	var buf bytes.Buffer
	oldOut, oldJSON := forstLog.out, forstLog.json
	forstLog.out, forstLog.json = &buf, true
	t.Cleanup(func() { forstLog.out, forstLog.json = oldOut, oldJSON })
	_, ts := newTestServer(t, "")
	do(t, ts, "POST", "/add", "[1,2]", map[string]string{"X-Request-Id": "req-42"})
	do(t, ts, "POST", "/fail", "", nil)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	for _, want := range []string{`"event":"call"`, `"function":"add"`, `"request_id":"req-42"`, `"status":200`, `"code":"ok"`, `"duration_ms":`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("%s lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], `"code":"returned_error"`) || !strings.Contains(lines[1], `"status":500`) {
		t.Errorf("second line: %s", lines[1])
	}
}
