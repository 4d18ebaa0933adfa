// Forst sidecar server: embedded as forst_server.go beside the generated code, which provides
// `var forstEndpoints []forstEndpoint` and `const forstManifestJSON string`.
//
// Contract with the supervisor (src/runtime/supervisor.rs):
//   - The binary is started with --supervised (standalone.go has the command line for every other way to run it).
//   - FORST_TOKEN: required on every call as header X-Forst-Token (constant-time compare), unless FORST_NO_AUTH=1.
//   - FORST_PORT: unset → 8080, or a free port with a notice when 8080 is busy; "0" → any free port; with
//     FORST_PORT_STRICT=1 a busy port is fatal (exit 3). FORST_REUSEPORT=1 sets SO_REUSEPORT so that a hot swap can
//     start the next version on the same port.
//   - FORST_BODY_LIMIT (bytes, default 64 MiB), FORST_SHUTDOWN_GRACE_MS (default 5000).
//   - FORST_SOCKET=<path>: also serve on this Unix socket (mode 0600; same token and rules), created before the
//     listening line is printed. Loopback TCP stays for /readyz, curl and non-Node callers. When the socket cannot
//     be created the server says so on stderr and serves TCP only; the supervisor then calls over TCP.
//   - Binds 127.0.0.1 only; prints "FORST_LISTENING 127.0.0.1:<port>" on stdout once listening; logs to stderr.
//   - Shuts down gracefully (not ready, drain, exit 0) on SIGTERM/SIGINT, on stdin EOF (the parent is gone) and on
//     POST /__forst/shutdown.

package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const forstDefaultBodyLimit = 64 << 20

type forstServer struct {
	token     []byte
	noAuth    bool
	bodyLimit int64
	// anyHost: listening on a non-loopback address (a container), where the Host check cannot apply.
	anyHost   bool
	routes    map[string]*forstEndpoint
	metrics   *forstMetrics
	draining  atomic.Bool
	shutdown  chan struct{}
	closeOnce sync.Once
}

func main() {
	opts := forstCommandLine()
	forstLog.json = opts.jsonLogs
	srv, err := newForstServer(forstEndpoints, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forst:", err)
		os.Exit(2)
	}
	var ln net.Listener
	if opts.supervised {
		ln, err = forstListen()
	} else {
		ln, err = forstListenStandalone(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "forst:", err)
		os.Exit(3)
	}
	srv.anyHost = !forstIsLoopbackAddr(ln.Addr())
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if opts.supervised {
		go srv.watchParent(os.Stdin)
	}
	go srv.watchSignals()
	listeners := []net.Listener{ln}
	if path := os.Getenv("FORST_SOCKET"); path != "" {
		if uln, err := forstListenUnix(path); err != nil {
			fmt.Fprintln(os.Stderr, "forst: calls use TCP:", err)
		} else {
			listeners = append(listeners, uln)
		}
	}
	if opts.metricsListen != "" {
		mln, err := net.Listen("tcp", opts.metricsListen)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forst: cannot listen for metrics:", err)
			os.Exit(3)
		}
		go func() { _ = http.Serve(mln, srv.metrics.handler()) }()
	}
	fmt.Printf("FORST_LISTENING %s\n", ln.Addr().String())
	forstLog.info("listening", "", map[string]any{"address": ln.Addr().String(), "functions": len(srv.routes), "auth": !srv.noAuth,
		"version": forstVersion, "contract": forstContract, "build_hash": forstBuildHash, "metrics_address": opts.metricsListen})
	for _, l := range listeners {
		go func(l net.Listener) {
			if err := httpServer.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintln(os.Stderr, "forst: server failed:", err)
				os.Exit(1)
			}
		}(l)
	}
	<-srv.shutdown
	srv.draining.Store(true)
	forstLog.info("draining", "", map[string]any{"grace_ms": opts.grace.Milliseconds()})
	ctx, cancel := context.WithTimeout(context.Background(), opts.grace)
	defer cancel()
	if err := httpServer.Shutdown(ctx); err != nil {
		forstLog.warn("drain_timeout", "in-flight calls did not finish within the grace period; exiting anyway", nil)
	}
	forstLog.info("stopped", "", nil)
}

func newForstServer(endpoints []forstEndpoint, opts forstOptions) (*forstServer, error) {
	s := &forstServer{
		token:     opts.token,
		noAuth:    opts.noAuth,
		bodyLimit: opts.bodyLimit,
		routes:    make(map[string]*forstEndpoint, len(endpoints)),
		shutdown:  make(chan struct{}),
	}
	if len(s.token) == 0 && !s.noAuth {
		return nil, errors.New("no token (FORST_TOKEN or --token-file): run with --help for the options")
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = forstDefaultBodyLimit
	}
	for i := range endpoints {
		s.routes[endpoints[i].Route] = &endpoints[i]
	}
	s.metrics = newForstMetrics(endpoints, &s.draining)
	return s, nil
}

// forstListen binds 127.0.0.1 on the port the environment asks for.
func forstListen() (net.Listener, error) {
	cfg := net.ListenConfig{}
	if os.Getenv("FORST_REUSEPORT") == "1" {
		cfg.Control = forstReusePort
	}
	port := os.Getenv("FORST_PORT")
	strict := os.Getenv("FORST_PORT_STRICT") == "1"
	if port == "" {
		port = "8080"
	}
	ln, err := cfg.Listen(context.Background(), "tcp", "127.0.0.1:"+port)
	if err == nil {
		return ln, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on 127.0.0.1:%s: %v", port, err)
	}
	if strict || os.Getenv("FORST_PORT") != "" {
		return nil, fmt.Errorf("port %s is already in use (set devServer.port to a free port or remove it)", port)
	}
	ln, err = cfg.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen on a free loopback port: %v", err)
	}
	fmt.Fprintf(os.Stderr, "forst: port 8080 is busy, using %s instead\n", ln.Addr())
	return ln, nil
}

// forstListenUnix serves on a Unix socket only the owner may connect to. A file left by a killed predecessor is
// replaced; the listener removes the file again when the server shuts down.
func forstListenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on the unix socket %s: %v", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cannot restrict the unix socket %s to its owner: %v", path, err)
	}
	return ln, nil
}

func forstReusePort(network, address string, c syscall.RawConn) error {
	var sockErr error
	err := c.Control(func(fd uintptr) {
		sockErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT on Linux */, 1)
	})
	if err != nil {
		return err
	}
	return sockErr
}

// watchParent shuts down when stdin reaches EOF: the parent closed the pipe or died (even by SIGKILL).
func (s *forstServer) watchParent(stdin io.Reader) {
	_, _ = io.Copy(io.Discard, stdin)
	s.stop()
}

func (s *forstServer) watchSignals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
	s.stop()
}

func (s *forstServer) stop() {
	s.closeOnce.Do(func() {
		s.draining.Store(true)
		close(s.shutdown)
	})
}

func (s *forstServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.anyHost && !forstLoopbackHost(r.Host) {
		forstFail(w, http.StatusForbidden, "forbidden_host", "requests must be addressed to a loopback host, not "+strconv.Quote(r.Host), "", "")
		return
	}
	switch r.URL.Path {
	case "/healthz":
		forstJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
		return
	case "/readyz":
		if s.draining.Load() {
			forstJSON(w, http.StatusServiceUnavailable, []byte(`{"status":"draining"}`))
		} else {
			forstJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
		}
		return
	}
	if !s.authorized(r) {
		forstFail(w, http.StatusUnauthorized, "unauthorized", "missing or wrong X-Forst-Token", "", "")
		return
	}
	if s.serveOperational(w, r) {
		return
	}
	switch r.URL.Path {
	case "/__forst/manifest":
		forstJSON(w, http.StatusOK, []byte(forstManifestJSON))
		return
	case "/__forst/shutdown":
		w.WriteHeader(http.StatusAccepted)
		go s.stop()
		return
	}
	ep, ok := s.routes[r.URL.Path]
	if !ok {
		forstFail(w, http.StatusNotFound, "unknown_function", "no Forst function is served at "+r.URL.Path, "", "")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		forstFail(w, http.StatusMethodNotAllowed, "method_not_allowed", "call "+r.URL.Path+" with POST", ep.Name, "")
		return
	}
	s.observeCall(w, r, ep)
}

func (s *forstServer) authorized(r *http.Request) bool {
	if s.noAuth {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(forstRequestToken(r)), s.token) == 1
}

// forstLoopbackHost accepts 127.0.0.1, localhost and [::1], with or without a port (DNS-rebinding guard).
func forstLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return host == "127.0.0.1" || host == "localhost" || host == "::1"
}

func (s *forstServer) call(w http.ResponseWriter, r *http.Request, ep *forstEndpoint) {
	body, status, err := s.readBody(r)
	if err != nil {
		code := "invalid_input"
		if status == http.StatusRequestEntityTooLarge {
			code = "body_too_large"
		}
		forstFail(w, status, code, err.Error(), ep.Name, "")
		return
	}
	args, err := forstSplitArgs(body, ep.Params)
	if err != nil {
		forstFail(w, http.StatusBadRequest, "invalid_input", err.Error(), ep.Name, "")
		return
	}
	result, err, panicked := forstInvoke(r.Context(), ep, args)
	if panicked != nil {
		var input *forstInputError
		if errors.As(panicked.err, &input) {
			forstFail(w, http.StatusBadRequest, "invalid_input", input.Error(), ep.Name, panicked.location)
			return
		}
		forstLog.panicked(ep.Name, panicked.location, panicked.value, panicked.stack)
		forstFail(w, http.StatusInternalServerError, "panic", fmt.Sprint(panicked.value), ep.Name, panicked.location)
		return
	}
	if err != nil {
		var input *forstInputError
		if errors.As(err, &input) {
			forstFail(w, http.StatusBadRequest, "invalid_input", input.Error(), ep.Name, "")
			return
		}
		forstFail(w, http.StatusInternalServerError, "returned_error", err.Error(), ep.Name, "")
		return
	}
	out, err := json.Marshal(result)
	if err != nil {
		forstFail(w, http.StatusInternalServerError, "invalid_result", "the result is not JSON-encodable: "+err.Error(), ep.Name, "")
		return
	}
	forstJSON(w, http.StatusOK, out)
}

// readBody reads the whole body within the limit, pre-sizing the buffer when the length is known.
func (s *forstServer) readBody(r *http.Request) ([]byte, int, error) {
	tooLarge := fmt.Errorf("the request body is larger than the limit of %d bytes; raise it with limits.bodyBytes in forst.config.js or FORST_BODY_LIMIT", s.bodyLimit)
	if r.ContentLength > s.bodyLimit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	reader := http.MaxBytesReader(nil, r.Body, s.bodyLimit)
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(reader); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, fmt.Errorf("could not read the request body: %v", err)
	}
	return buf.Bytes(), 0, nil
}

// forstSplitArgs applies the body convention: the JSON value of the single parameter, a JSON array for several,
// nothing (or null / []) for none.
func forstSplitArgs(body []byte, params []string) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	switch len(params) {
	case 0:
		if len(trimmed) == 0 || string(trimmed) == "null" || string(trimmed) == "[]" {
			return nil, nil
		}
		return nil, errors.New("this function takes no arguments; send an empty body")
	case 1:
		if len(trimmed) == 0 {
			return nil, errors.New("missing argument " + params[0])
		}
		if !json.Valid(trimmed) {
			return nil, forstSyntaxError(trimmed)
		}
		return []json.RawMessage{trimmed}, nil
	}
	var args []json.RawMessage
	if err := json.Unmarshal(trimmed, &args); err != nil {
		if !json.Valid(trimmed) {
			return nil, forstSyntaxError(trimmed)
		}
		return nil, fmt.Errorf("expected a JSON array of %d arguments [%s]", len(params), strings.Join(params, ", "))
	}
	if len(args) != len(params) {
		return nil, fmt.Errorf("expected %d arguments [%s], got %d", len(params), strings.Join(params, ", "), len(args))
	}
	return args, nil
}

func forstSyntaxError(body []byte) error {
	var v any
	err := json.Unmarshal(body, &v)
	return fmt.Errorf("malformed JSON body: %v", err)
}

type forstPanic struct {
	value    any
	err      error
	location string
	stack    []byte
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

func forstJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func forstFail(w http.ResponseWriter, status int, code, message, function, location string) {
	type detail struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Function string `json:"function,omitempty"`
		Location string `json:"location,omitempty"`
	}
	body, _ := json.Marshal(map[string]detail{"error": {code, message, function, location}})
	w.Header().Set(forstErrorHeader, code)
	forstJSON(w, status, body)
}
