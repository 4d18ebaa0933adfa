//go:build forsttest

package forst

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func streamCall(t *testing.T, url, body, format string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/numbers-up-to", strings.NewReader(body))
	req.Header.Set("X-Forst-Token", "secret")
	if format != "" {
		req.Header.Set("X-Forst-Stream", format)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

func TestStreamsAnswerInEachFormat(t *testing.T) {
	_, ts := newTestServer(t, "")
	res, body := streamCall(t, ts.URL, `[3, false]`, "")
	if res.Header.Get("Content-Type") != "application/x-ndjson" || body != "0\n1\n2\n" {
		t.Fatalf("ndjson: %q %q", res.Header.Get("Content-Type"), body)
	}
	if _, body := streamCall(t, ts.URL, `[3, false]`, "array"); body != "[0,1,2]" {
		t.Fatalf("array: %q", body)
	}
	if _, body := streamCall(t, ts.URL, `[0, false]`, "array"); body != "[]" {
		t.Fatalf("empty array: %q", body)
	}
	if _, body := streamCall(t, ts.URL, `[0, false]`, ""); body != "" {
		t.Fatalf("empty ndjson: %q", body)
	}
}

func TestAStreamThatFailsAfterItsFirstItems(t *testing.T) {
	_, ts := newTestServer(t, "")
	_, body := streamCall(t, ts.URL, `[2, true]`, "")
	if !strings.HasPrefix(body, "0\n1\n{\"error\":{\"code\":\"panic\"") || !strings.Contains(body, `"location":"fixture.ft:12"`) {
		t.Fatalf("ndjson: %q", body)
	}
	if _, body := streamCall(t, ts.URL, `[2, true]`, "internal"); !strings.HasPrefix(body, "0\n1\n!{\"error\":{\"code\":\"panic\"") {
		t.Fatalf("internal: %q", body)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/numbers-up-to", strings.NewReader(`[2, true]`))
	req.Header.Set("X-Forst-Token", "secret")
	req.Header.Set("X-Forst-Stream", "array")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil || strings.HasSuffix(string(raw), "]") {
		t.Fatalf("an array that failed must not look complete: %q, %v", raw, err)
	}
	// Before the first item, a failure is an ordinary answer with its status.
	if res, body := streamCall(t, ts.URL, `[0, true]`, ""); res.StatusCode != 500 || !strings.Contains(body, `"code":"panic"`) {
		t.Fatalf("failure before any item: %d %q", res.StatusCode, body)
	}
}

func TestAStreamStopsWhenTheClientGoesAway(t *testing.T) {
	_, ts := newTestServer(t, "")
	req, _ := http.NewRequest("POST", ts.URL+"/numbers-up-to", strings.NewReader(`[100000000, false]`))
	req.Header.Set("X-Forst-Token", "secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(res.Body)
	for i := 0; i < 10 && lines.Scan(); i++ {
	}
	res.Body.Close() // the client goes away mid-stream
	select {
	case at := <-fixtureStreamStopped:
		if at >= 100000000-1 {
			t.Fatalf("stopped at the end, not early: %d", at)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the producer was not stopped when the client went away")
	}
}
