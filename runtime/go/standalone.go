// The sidecar binary's command line and environment.
//
// The same binary runs two ways:
//   - supervised (--supervised, passed by @forst/sidecar when it spawns the binary): the port comes from FORST_PORT
//     (see server.go's forstListen), the token from FORST_TOKEN, and stdin EOF means the parent is gone.
//   - standalone (a container, a systemd unit, a shell): --listen / FORST_LISTEN, FORST_TOKEN or --token-file, stdin
//     is ignored (it is often /dev/null), and only SIGTERM/SIGINT stop it.
//
// Every flag has an environment variable (the flag wins), so that a container image can be configured with either.

package forst

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Set at build time with -ldflags -X (see src/runtime/build.rs); the values below are what `go test` sees.
var (
	forstVersion   = "dev"
	forstContract  = "unknown"
	forstBuildHash = "unknown"
)

const forstDefaultListen = "127.0.0.1:8080"

// forstOptions is everything the command line and the environment decide, resolved once at start.
type forstOptions struct {
	// listen is host:port for standalone runs; empty when supervised (FORST_PORT decides then).
	listen        string
	metricsListen string
	token         []byte
	noAuth        bool
	supervised    bool
	grace         time.Duration
	bodyLimit     int64
	jsonLogs      bool
	healthcheck   bool
	version       bool
	help          bool
}

const forstUsage = `Usage: %[1]s [options]

Serves the Forst functions built into this binary over HTTP: POST /<route> with the
arguments as JSON, the result as JSON. Built by ` + "`forst build`" + ` (@forst/sidecar).

Options (each also has an environment variable; the flag wins):
  --listen ADDR          where to listen (FORST_LISTEN; default 127.0.0.1:8080). Use
                         0.0.0.0:PORT or [::]:PORT in a container; port 0 picks a free one.
  --token-file PATH      read the token from PATH, e.g. a mounted Kubernetes Secret
                         (FORST_TOKEN_FILE); or put the token in FORST_TOKEN. Required
                         unless --no-auth. Calls carry it as "X-Forst-Token: <token>"
                         or "Authorization: Bearer <token>".
  --no-auth              accept calls without a token (FORST_NO_AUTH=1): anyone who can
                         reach the address can call every function. Local use only.
  --grace DURATION       on SIGTERM, how long in-flight calls may take to finish, e.g. 10s
                         (FORST_SHUTDOWN_GRACE_MS in milliseconds; default 5s).
  --body-limit BYTES     largest request body (FORST_BODY_LIMIT; default 67108864).
  --metrics-listen ADDR  also serve GET /metrics, without a token, on ADDR (for example
                         0.0.0.0:9090 for Prometheus in a cluster) (FORST_METRICS_LISTEN).
  --supervised           run as the child of @forst/sidecar, which passes this: the port
                         comes from FORST_PORT and stdin EOF means the parent is gone.
  --healthcheck          GET /healthz on the --listen address, exit 0 when it answers 200,
                         else 1 (a container HEALTHCHECK; no curl needed).
  --version              print {"version","contract","buildHash"} as JSON and exit.
  --help                 this text.

FORST_LOG=json logs one JSON line per call and per lifecycle event on stderr (default:
quiet, warnings only; FORST_LOG=silent: not even those).

HTTP: POST /<route> (token), GET /healthz, GET /readyz (503 while draining), GET /metrics
(token, Prometheus text), GET /__forst/version and GET /__forst/manifest (token).

On start it prints "FORST_LISTENING <host:port>" on stdout. SIGTERM or SIGINT: /readyz
answers 503, the listener closes (new calls are refused), in-flight calls finish within
--grace, and the process exits 0.

Exit codes: 0 stopped; 1 the server failed; 2 usage or configuration error (no token,
bad flag); 3 cannot listen (address in use or not allowed).
`

// forstParseOptions reads the command line and the environment. A usage problem is an error whose text says what to do.
func forstParseOptions(args []string, getenv func(string) string) (forstOptions, error) {
	opts := forstOptions{}
	fs := flag.NewFlagSet("forst-sidecar", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "", "")
	tokenFile := fs.String("token-file", "", "")
	noAuth := fs.Bool("no-auth", false, "")
	grace := fs.Duration("grace", 0, "")
	bodyLimit := fs.Int64("body-limit", 0, "")
	metricsListen := fs.String("metrics-listen", "", "")
	fs.BoolVar(&opts.supervised, "supervised", false, "")
	fs.BoolVar(&opts.healthcheck, "healthcheck", false, "")
	fs.BoolVar(&opts.version, "version", false, "")
	fs.BoolVar(&opts.help, "help", false, "")
	fs.BoolVar(&opts.help, "h", false, "")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q (options start with --)", fs.Arg(0))
	}
	if opts.help || opts.version {
		return opts, nil
	}

	switch v := getenv("FORST_LOG"); v {
	case "", "text", "silent":
	case "json":
		opts.jsonLogs = true
	default:
		return opts, fmt.Errorf("FORST_LOG must be \"text\", \"json\" or \"silent\", not %q", v)
	}

	var err error
	if opts.grace, err = forstDurationOption(*grace, getenv("FORST_SHUTDOWN_GRACE_MS"), "--grace", 5*time.Second); err != nil {
		return opts, err
	}
	limit := *bodyLimit
	if limit == 0 {
		if limit, err = forstIntEnv(getenv, "FORST_BODY_LIMIT", forstDefaultBodyLimit); err != nil {
			return opts, err
		}
	}
	if limit <= 0 {
		return opts, fmt.Errorf("--body-limit must be a positive number of bytes, not %d", limit)
	}
	opts.bodyLimit = limit

	opts.metricsListen = forstFirst(*metricsListen, getenv("FORST_METRICS_LISTEN"))
	if opts.metricsListen != "" {
		if _, _, err := net.SplitHostPort(opts.metricsListen); err != nil {
			return opts, fmt.Errorf("--metrics-listen %q is not host:port: %v", opts.metricsListen, err)
		}
	}

	if !opts.supervised {
		opts.listen = forstFirst(*listen, getenv("FORST_LISTEN"), forstDefaultListen)
		if _, _, err := net.SplitHostPort(opts.listen); err != nil {
			return opts, fmt.Errorf("--listen %q is not host:port (for example 127.0.0.1:8080 or 0.0.0.0:8080): %v", opts.listen, err)
		}
	}
	if opts.healthcheck {
		return opts, nil // probing needs no token
	}

	// Authentication. The supervisor always sets FORST_TOKEN (and FORST_NO_AUTH only for `forst dev --no-auth`); a
	// FORST_TOKEN_FILE inherited from the app's environment must not override the token it chose.
	opts.noAuth = *noAuth || getenv("FORST_NO_AUTH") == "1"
	file := *tokenFile
	if !opts.supervised {
		file = forstFirst(file, getenv("FORST_TOKEN_FILE"))
	}
	switch {
	case opts.noAuth:
	case file != "":
		raw, err := os.ReadFile(file)
		if err != nil {
			return opts, fmt.Errorf("cannot read the token file: %v", err)
		}
		opts.token = []byte(strings.TrimSpace(string(raw)))
		if len(opts.token) == 0 {
			return opts, fmt.Errorf("the token file %s is empty", file)
		}
	default:
		opts.token = []byte(getenv("FORST_TOKEN"))
	}
	if len(opts.token) == 0 && !opts.noAuth {
		return opts, errors.New("no token: set FORST_TOKEN, or pass --token-file PATH (FORST_TOKEN_FILE), so that only callers who know it can call; " +
			"--no-auth accepts calls without one (anyone who can reach the address can then call). " +
			"Generate one with: openssl rand -hex 32")
	}
	return opts, nil
}

func forstFirst(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func forstIntEnv(getenv func(string) string, name string, fallback int64) (int64, error) {
	v := getenv(name)
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive whole number, not %q", name, v)
	}
	return n, nil
}

// forstDurationOption: the flag (a Go duration) wins over the environment variable (milliseconds).
func forstDurationOption(flagValue time.Duration, envMs, flagName string, fallback time.Duration) (time.Duration, error) {
	if flagValue < 0 {
		return 0, fmt.Errorf("%s must not be negative", flagName)
	}
	if flagValue > 0 {
		return flagValue, nil
	}
	if envMs == "" {
		return fallback, nil
	}
	ms, err := strconv.ParseInt(envMs, 10, 64)
	if err != nil || ms < 0 {
		return 0, fmt.Errorf("FORST_SHUTDOWN_GRACE_MS must be a whole number of milliseconds, not %q", envMs)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// forstCommandLine parses os.Args and handles the options that end the process before serving (--help, --version,
// --healthcheck, usage errors: exit 2).
func forstCommandLine() forstOptions {
	opts, err := forstParseOptions(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "forst-sidecar: %v\nRun %s --help for the options.\n", err, os.Args[0])
		os.Exit(2)
	}
	switch {
	case opts.help:
		fmt.Printf(forstUsage, os.Args[0])
		os.Exit(0)
	case opts.version:
		out, _ := json.Marshal(forstVersionInfo())
		fmt.Println(string(out))
		os.Exit(0)
	case opts.healthcheck:
		if err := forstProbe(opts.listen); err != nil {
			fmt.Fprintln(os.Stderr, "forst-sidecar: unhealthy:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	return opts
}

func forstVersionInfo() map[string]string {
	return map[string]string{"version": forstVersion, "contract": forstContract, "buildHash": forstBuildHash}
}

// forstListenStandalone binds the --listen address exactly: a deployment must not drift to another port. Listening
// on a non-loopback address without a token is allowed with a loud warning.
func forstListenStandalone(opts forstOptions) (net.Listener, error) {
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %v", opts.listen, err)
	}
	if opts.noAuth && !forstIsLoopbackAddr(ln.Addr()) {
		forstLog.warn("no_auth_on_network", "WARNING: --no-auth on "+ln.Addr().String()+
			": anyone who can reach this address can call every function without a token", nil)
	}
	return ln, nil
}

func forstIsLoopbackAddr(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// forstProbe is --healthcheck: GET /healthz on the listen address (an unspecified host means this machine).
func forstProbe(listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	client := http.Client{Timeout: 3 * time.Second}
	res, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz answered %s", res.Status)
	}
	return nil
}

// forstRequestToken is the token a request carries: X-Forst-Token, or Authorization: Bearer (what Prometheus and
// most HTTP tooling send).
func forstRequestToken(r *http.Request) string {
	if t := r.Header.Get("X-Forst-Token"); t != "" {
		return t
	}
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	return ""
}

// serveOperational answers the authenticated operational endpoints (/metrics, /__forst/version); false when the
// path is not one of them.
func (s *forstServer) serveOperational(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/metrics":
		s.metrics.serve(w, r)
	case "/__forst/version":
		body, _ := json.Marshal(forstVersionInfo())
		forstJSON(w, http.StatusOK, body)
	default:
		return false
	}
	return true
}
