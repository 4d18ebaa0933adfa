//go:build forsttest

package forst

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestStandaloneOptions(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		listen string
		token  string
		grace  time.Duration
	}{
		{"defaults", nil, map[string]string{"FORST_TOKEN": "t"}, "127.0.0.1:8080", "t", 5 * time.Second},
		{"environment", nil, map[string]string{"FORST_TOKEN": "t", "FORST_LISTEN": "0.0.0.0:9000", "FORST_SHUTDOWN_GRACE_MS": "1500"}, "0.0.0.0:9000", "t", 1500 * time.Millisecond},
		{"flags win", []string{"--listen", "127.0.0.1:0", "--grace", "30s", "--token-file", tokenFile}, map[string]string{"FORST_TOKEN": "t", "FORST_LISTEN": "0.0.0.0:9000"}, "127.0.0.1:0", "from-file", 30 * time.Second},
		{"token file from the environment", nil, map[string]string{"FORST_TOKEN_FILE": tokenFile}, "127.0.0.1:8080", "from-file", 5 * time.Second},
		// Supervised: FORST_PORT decides the address, and an inherited FORST_TOKEN_FILE never replaces the spawn token.
		{"supervised", []string{"--supervised"}, map[string]string{"FORST_TOKEN": "spawn", "FORST_TOKEN_FILE": tokenFile, "FORST_LISTEN": "0.0.0.0:1"}, "", "spawn", 5 * time.Second},
	}
	for _, c := range cases {
		opts, err := forstParseOptions(c.args, envOf(c.env))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if opts.listen != c.listen || string(opts.token) != c.token || opts.grace != c.grace {
			t.Errorf("%s: listen %q token %q grace %v, want %q %q %v", c.name, opts.listen, opts.token, opts.grace, c.listen, c.token, c.grace)
		}
	}
}

func TestStandaloneOptionErrors(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"no token", nil, nil, []string{"FORST_TOKEN", "--token-file", "--no-auth"}},
		{"empty token file", []string{"--token-file", empty}, nil, []string{"is empty"}},
		{"missing token file", []string{"--token-file", "/nonexistent/token"}, nil, []string{"cannot read the token file"}},
		{"bad listen", []string{"--listen", "8080", "--no-auth"}, nil, []string{"not host:port"}},
		{"bad log", []string{"--no-auth"}, map[string]string{"FORST_LOG": "yaml"}, []string{"FORST_LOG"}},
		{"bad grace", []string{"--no-auth"}, map[string]string{"FORST_SHUTDOWN_GRACE_MS": "soon"}, []string{"FORST_SHUTDOWN_GRACE_MS"}},
		{"bad body limit", []string{"--no-auth"}, map[string]string{"FORST_BODY_LIMIT": "-1"}, []string{"FORST_BODY_LIMIT"}},
		{"unknown flag", []string{"--port", "1"}, nil, []string{"flag provided but not defined: -port"}},
		{"stray argument", []string{"serve"}, nil, []string{`unexpected argument "serve"`}},
	}
	for _, c := range cases {
		_, err := forstParseOptions(c.args, envOf(c.env))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", c.name, err, w)
			}
		}
	}
	// --help, --version and --healthcheck need no token.
	for _, args := range [][]string{{"--help"}, {"--version"}, {"--healthcheck"}} {
		if _, err := forstParseOptions(args, envOf(nil)); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestBearerTokenAndContractHeader(t *testing.T) {
	_, ts := newTestServer(t, "")
	if r := do(t, ts, "POST", "/add", `[1, 2]`, map[string]string{"X-Forst-Token": "", "Authorization": "Bearer secret"}); r.body != "3" {
		t.Fatalf("bearer: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "POST", "/add", `[1, 2]`, map[string]string{"X-Forst-Token": "", "Authorization": "Bearer nope"}); r.status != 401 {
		t.Fatalf("wrong bearer: %d %s", r.status, r.body)
	}
	r := do(t, ts, "POST", "/add", `[1, 2]`, map[string]string{"X-Forst-Contract": "c1-other"})
	if r.status != 409 || r.err.Code != "contract_mismatch" || !strings.Contains(r.err.Message, "c1-other") || !strings.Contains(r.err.Message, forstContract) {
		t.Fatalf("contract: %d %+v", r.status, r.err)
	}
	if r := do(t, ts, "POST", "/add", `[1, 2]`, map[string]string{"X-Forst-Contract": forstContract}); r.body != "3" {
		t.Fatalf("matching contract: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "GET", "/__forst/version", "", nil); r.status != 200 || !strings.Contains(r.body, `"contract":"unknown"`) {
		t.Fatalf("version: %d %s", r.status, r.body)
	}
	if r := do(t, ts, "GET", "/__forst/version", "", map[string]string{"X-Forst-Token": ""}); r.status != 401 {
		t.Fatalf("version without token: %d", r.status)
	}
}
