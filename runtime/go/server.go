// Package forst is the Forst sidecar's runtime: the HTTP server, the JSON codec runtime, and what the code the
// compiler generates calls (the prelude, contracts). It is written into every generated module as the package
// forstapp/forst, which never changes for a given version of @forst/sidecar, so Go's build cache keeps it compiled and
// a reload compiles only the generated package main. That package installs its Program (endpoints, documents, the
// encoder of its types) from an init function and calls Main.
//
// The server:
//
// Contract with the supervisor (src/runtime/supervisor.rs):
//   - The binary is started with --supervised (standalone.go has the command line for every other way to run it).
//   - FORST_TOKEN: required on every call as header X-Forst-Token (constant-time compare), unless FORST_NO_AUTH=1.
//     A request without it is answered 401 and its connection closed.
//   - FORST_PORT: unset or "0" → any free port; any other port is used exactly, busy is fatal (exit 3). FORST_REUSEPORT=1 sets SO_REUSEPORT so that a hot swap can
//     start the next version on the same port.
//   - FORST_BODY_LIMIT (bytes, default 64 MiB), FORST_SHUTDOWN_GRACE_MS (default 5000), FORST_MAX_CONNECTIONS
//     (open connections on the TCP port, default 512; see listen.go).
//   - FORST_SOCKET=<path>: also serve on this Unix socket, which the parent creates inside a directory only its user
//     can enter; connections from another user are refused (SO_PEERCRED). Created before the listening line is
//     printed. When it cannot be created the server says so on stderr and exits: the parent never falls back to
//     sending its token over TCP on its own.
//   - Binds 127.0.0.1 only; prints "FORST_LISTENING 127.0.0.1:<port>" on stdout once listening; logs to stderr.
//   - stdin is the parent's lifeline. A line "drain" means "stop gracefully": not ready, finish the calls in flight
//     (up to the grace period), exit 0 — as do SIGTERM/SIGINT and POST /__forst/shutdown. EOF without "drain" means
//     the parent is gone (it closes the pipe however it ends, even on SIGKILL): nobody can receive the answers of
//     calls in flight, so they are cancelled and the process exits at once.
//   - Requests with an Origin header are refused (browsers add it to cross-origin requests; our clients never do).
//     Without a token (FORST_NO_AUTH) calls must also carry a JSON Content-Type (or none): the types an HTML form or
//     a "simple" cross-origin request can send are refused, so no web page can call an unauthenticated sidecar
//     (that would need a CORS preflight, which this server never grants). With a token a page cannot call anyway.

package forst

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
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
	anyHost bool
	routes  map[string]*Endpoint
	// docsDir holds the docs page's files (FORST_DOCS_DIR, set by `forst dev`): the page is served when it is set.
	docsDir  string
	metrics  *forstMetrics
	draining atomic.Bool
	// shutdown is closed to drain gracefully; abort is closed when the parent is gone.
	shutdown  chan struct{}
	closeOnce sync.Once
	abort     chan struct{}
	abortOnce sync.Once
}

// forstMaxStack is a goroutine's largest stack. Go's default, 1 GB, lets a runaway recursion take a gigabyte and
// seconds of copying before the process dies of it; real Forst code never needs more than a fraction of this.
const forstMaxStack = 256 << 20

// Program is what the generated package gives the runtime.
type Program struct {
	// Endpoints are what the server routes by: one per exposed function.
	Endpoints []Endpoint
	// ManifestJSON is served at GET /__forst/manifest, OpenAPIJSON at GET /__forst/openapi.json.
	ManifestJSON string
	OpenAPIJSON  string
	// EncodeKnown writes values of the project's types met inside interface{} values with their generated encoders
	// and reports whether v was one; the encoder sends other values to encoding/json.
	EncodeKnown func(e *Encoder, v any) bool
	// StartsGoroutines says whether the project's Forst code has a `go` statement. Without one no goroutine of a call
	// can panic, so calls run on the request's own goroutine (see forstRun).
	StartsGoroutines bool
}

// program is the installed Program (one per process: the process is one server).
var program = Program{EncodeKnown: func(*Encoder, any) bool { return false }}

// Install makes p the program the server runs and the encoder uses; the generated package calls it from init, so
// that its tests and benchmarks see the same program as Main.
func Install(p Program) {
	if p.EncodeKnown == nil {
		p.EncodeKnown = func(*Encoder, any) bool { return false }
	}
	program = p
}

// Main runs the installed program's server until it is stopped; it is the generated package's main.
func Main() {
	debug.SetMaxStack(forstMaxStack)
	opts := forstCommandLine()
	forstLog.json = opts.jsonLogs
	srv, err := newForstServer(program.Endpoints, opts)
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
		ReadHeaderTimeout: forstReadHeaderTimeout,
		IdleTimeout:       forstIdleTimeout,
	}
	if opts.supervised {
		go srv.watchParent(os.Stdin)
	}
	go srv.watchSignals()
	listeners := []net.Listener{forstLimit(ln, forstEnvInt("FORST_MAX_CONNECTIONS", forstDefaultMaxConns), nil)}
	if path := os.Getenv("FORST_SOCKET"); path != "" {
		uln, err := forstListenUnix(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forst:", err)
			os.Exit(3)
		}
		listeners = append(listeners, forstLimit(uln, forstSocketMaxConns, forstCheckPeer))
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
	select {
	case <-srv.abort:
		httpServer.Close()
		return
	case <-srv.shutdown:
	}
	srv.draining.Store(true)
	forstLog.info("draining", "", map[string]any{"grace_ms": opts.grace.Milliseconds()})
	ctx, cancel := context.WithTimeout(context.Background(), opts.grace)
	defer cancel()
	drained := make(chan error, 1)
	go func() { drained <- httpServer.Shutdown(ctx) }()
	select {
	case err := <-drained:
		if err != nil {
			forstLog.warn("drain_timeout", "in-flight calls did not finish within the grace period; exiting anyway", nil)
		}
	case <-srv.abort: // the parent went away while we drained: nobody is left to answer
		httpServer.Close()
	}
	forstLog.info("stopped", "", nil)
}

func forstEnvInt(name string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return fallback
}

func newForstServer(endpoints []Endpoint, opts forstOptions) (*forstServer, error) {
	s := &forstServer{
		token:     opts.token,
		noAuth:    opts.noAuth,
		bodyLimit: opts.bodyLimit,
		routes:    make(map[string]*Endpoint, len(endpoints)),
		shutdown:  make(chan struct{}),
		abort:     make(chan struct{}),
		docsDir:   os.Getenv("FORST_DOCS_DIR"),
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

// forstListen binds 127.0.0.1 on the port the environment asks for: FORST_PORT, or any free port when it is unset
// or 0 (the supervisor's zero config: its own calls use the Unix socket, and a fixed default such as 8080 would take
// the port the user's app wants). A port that was asked for is used exactly: busy is fatal, never a fallback.
func forstListen() (net.Listener, error) {
	cfg := net.ListenConfig{}
	if os.Getenv("FORST_REUSEPORT") == "1" {
		cfg.Control = forstReusePort
	}
	port := os.Getenv("FORST_PORT")
	if port == "" {
		port = "0"
	}
	ln, err := cfg.Listen(context.Background(), "tcp", "127.0.0.1:"+port)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port %s is already in use (set devServer.port to a free port or remove it)", port)
	}
	return nil, fmt.Errorf("cannot listen on 127.0.0.1:%s: %v", port, err)
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

// watchParent follows the stdin protocol (see the top of this file): "drain" → graceful stop; EOF without it → the
// parent is gone, abort.
func (s *forstServer) watchParent(stdin io.Reader) {
	lines := bufio.NewScanner(stdin)
	for lines.Scan() {
		if strings.TrimSpace(lines.Text()) == "drain" {
			s.stop()
			// Keep reading: EOF during the drain still means the parent is gone.
		}
	}
	s.abortOnce.Do(func() {
		s.draining.Store(true)
		close(s.abort)
	})
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
		w.Header().Set("Connection", "close")
		forstFail(w, http.StatusForbidden, "forbidden_host", "requests must be addressed to a loopback host, not "+strconv.Quote(r.Host), "", "")
		return
	}
	if s.serveDocs(w, r) {
		return
	}
	if r.Header.Get("Origin") != "" && !s.sameOrigin(r) {
		// Browsers add Origin to cross-origin requests; the package's own clients never do.
		w.Header().Set("Connection", "close")
		forstFail(w, http.StatusForbidden, "forbidden_origin", "requests from web pages (with an Origin header) are refused", "", "")
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
		// Close: a client without the token gets nothing else from this connection, and cannot keep it open.
		w.Header().Set("Connection", "close")
		forstFail(w, http.StatusUnauthorized, "unauthorized", "missing or wrong X-Forst-Token", "", "")
		return
	}
	if s.serveOperational(w, r) {
		return
	}
	switch r.URL.Path {
	case "/__forst/manifest":
		forstJSON(w, http.StatusOK, []byte(program.ManifestJSON))
		return
	case "/__forst/openapi.json":
		forstJSON(w, http.StatusOK, []byte(program.OpenAPIJSON))
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
	if s.noAuth && !forstJSONContentType(r.Header.Get("Content-Type")) {
		forstFail(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the arguments as JSON with Content-Type: application/json (got "+strconv.Quote(r.Header.Get("Content-Type"))+")", ep.Name, "")
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

// forstJSONContentType accepts application/json (and +json types) or no Content-Type at all; it refuses the types
// an HTML form or a "simple" cross-origin request can send (text/plain, form encodings). Used without a token.
func forstJSONContentType(value string) bool {
	if value == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(value)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// forstLoopbackHost accepts 127.0.0.1, localhost (any case) and [::1], with or without a port (DNS-rebinding guard).
func forstLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return host == "127.0.0.1" || strings.EqualFold(host, "localhost") || host == "::1"
}

func (s *forstServer) call(w http.ResponseWriter, r *http.Request, ep *Endpoint) {
	a := ep.New()
	status := 0
	err, panicked := forstInvoke(func() error { // a type's own UnmarshalJSON may panic
		var err error
		status, err = s.readArgs(w, r, ep, a)
		return err
	})
	if err != nil {
		code := "invalid_input"
		switch status {
		case http.StatusRequestEntityTooLarge:
			code = "body_too_large"
		case http.StatusRequestTimeout:
			code = "body_timeout"
		}
		var input *InputError
		if errors.As(err, &input) && input.details() != nil {
			// The path, and the constraint (`required`) or the expected and actual types, for programs.
			forstFailDetails(w, status, code, err.Error(), ep.Name, "", input.details())
			return
		}
		forstFail(w, status, code, err.Error(), ep.Name, "")
		return
	}
	if st, ok := a.(Streamer); ok && panicked == nil {
		s.stream(w, r, ep, a, st)
		return
	}
	if panicked == nil {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		err, panicked = forstRun(ctx, cancel, ep, a, nil)
	}
	if panicked != nil {
		var input *InputError
		if errors.As(panicked.err, &input) {
			forstFailDetails(w, http.StatusBadRequest, "invalid_input", input.Error(), ep.Name, panicked.location, input.details())
			return
		}
		if panicked.startedAt == "" { // goroutine panics were logged where they were recovered
			forstLog.panicked(ep.Name, panicked.location, panicked.value, forstFtStack(panicked.stack))
		}
		forstFail(w, http.StatusInternalServerError, "panic", panicked.message(), ep.Name, panicked.location)
		return
	}
	if err != nil {
		forstFailReturned(w, err, ep.Name)
		return
	}
	s.writeResult(w, ep, a)
}

// forstResultChunk is how much of a streamed result is encoded before it is written to the connection.
const forstResultChunk = 64 << 10

// ResultCannotFail marks a call type whose result cannot fail to encode (the compiler emits the method, see
// cannot_fail in src/compiler/emit_codec/write.rs).
type ResultCannotFail interface{ ResultCannotFail() }

// writeResult answers a call's result. A result that cannot fail to encode is streamed: written in chunks of
// forstResultChunk bytes as it is encoded, so a large result is never held whole in memory (a million records were
// about 90 MB of JSON, plus the copies a growing buffer makes). Any other result is encoded whole first, so that one
// that cannot be encoded (NaN, a failing MarshalJSON) is still a clean 500 invalid_result rather than a cut answer.
func (s *forstServer) writeResult(w http.ResponseWriter, ep *Endpoint, a Args) {
	e := forstGetEncoder()
	defer forstPutEncoder(e)
	if _, ok := a.(ResultCannotFail); ok {
		w.Header().Set("Content-Type", "application/json")
		e.w, e.limit = w, forstResultChunk
		defer func() { e.w, e.limit = nil, math.MaxInt }()
		err := EncodeWith(e, func(e *Encoder) {
			a.EncodeResult(e)
			if e.flushed == 0 {
				e.w = nil // all of it fits in one chunk: answered below, with its Content-Length
			}
		})
		// Otherwise only the connection can have failed (the client went away): there is no one left to answer.
		if err == nil && e.flushed == 0 {
			forstJSON(w, http.StatusOK, e.buf)
		}
		return
	}
	if err := EncodeWith(e, a.EncodeResult); err != nil {
		forstFail(w, http.StatusInternalServerError, "invalid_result", "the result is not JSON-encodable: "+err.Error(), ep.Name, "")
		return
	}
	forstJSON(w, http.StatusOK, e.buf)
}

// readArgs decodes the request body into a's arguments as it arrives (json_body.go), within the body limit; the
// status says what a failure is (400, 408, 413). The answers are those of reading the whole body first: a body over
// the limit is 413 whatever it holds.
func (s *forstServer) readArgs(w http.ResponseWriter, r *http.Request, ep *Endpoint, a Args) (int, error) {
	tooLarge := fmt.Errorf("the request body is larger than the limit of %d bytes; raise it with limits.bodyBytes in forst.config.js or FORST_BODY_LIMIT", s.bodyLimit)
	if r.ContentLength > s.bodyLimit {
		return http.StatusRequestEntityTooLarge, tooLarge
	}
	body := http.MaxBytesReader(nil, forstProgressReader(w, r.Body), s.bodyLimit)
	d := GetDecoder(body)
	defer PutDecoder(d)
	err := DecodeArgs(d, ep, a)
	if err == nil {
		return 0, nil
	}
	var readErr forstReadError
	if !errors.As(err, &readErr) {
		_, drainErr := io.Copy(io.Discard, body)
		if drainErr == nil {
			return http.StatusBadRequest, err
		}
		readErr = forstReadError{drainErr}
	}
	var maxErr *http.MaxBytesError
	if errors.As(readErr.err, &maxErr) {
		return http.StatusRequestEntityTooLarge, tooLarge
	}
	if errors.Is(readErr.err, os.ErrDeadlineExceeded) {
		return http.StatusRequestTimeout, fmt.Errorf("the request body made no progress for %v; the call was abandoned", forstBodyIdleTimeout)
	}
	return http.StatusBadRequest, fmt.Errorf("could not read the request body: %v", readErr.err)
}

// forstProgressReader gives every read of a request body forstBodyIdleTimeout to make progress (the HTTP server's
// own timeouts cover headers and idle connections, not a body that trickles or stops).
func forstProgressReader(w http.ResponseWriter, body io.ReadCloser) io.ReadCloser {
	return &forstDeadlineBody{ReadCloser: body, rc: http.NewResponseController(w)}
}

type forstDeadlineBody struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *forstDeadlineBody) Read(p []byte) (int, error) {
	_ = b.rc.SetReadDeadline(time.Now().Add(forstBodyIdleTimeout))
	return b.ReadCloser.Read(p)
}

func forstJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func forstFail(w http.ResponseWriter, status int, code, message, function, location string) {
	forstFailDetails(w, status, code, message, function, location, nil)
}

// forstFailDetails writes the error envelope; details (any JSON value) says more for programs: a nominal error's
// fields, the path and constraint of invalid input.
func forstFailDetails(w http.ResponseWriter, status int, code, message, function, location string, details any) {
	w.Header().Set(forstErrorHeader, code)
	forstJSON(w, status, forstEnvelope(code, message, function, location, details))
}

// forstEnvelope is the error envelope: {"error": {"code", "message", "function", "location", "details"}}.
func forstEnvelope(code, message, function, location string, details any) []byte {
	type detail struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Function string `json:"function,omitempty"`
		Location string `json:"location,omitempty"`
		Details  any    `json:"details,omitempty"`
	}
	body, err := json.Marshal(map[string]detail{"error": {code, message, function, location, details}})
	if err != nil { // details that JSON cannot carry (NaN in an error's field): the envelope without them
		body, _ = json.Marshal(map[string]detail{"error": {code, message, function, location, nil}})
	}
	return body
}

// forstFailReturned answers for an error the call returned (see forstReturnedFailure).
func forstFailReturned(w http.ResponseWriter, err error, function string) {
	status, code, details := forstReturnedFailure(err)
	forstFailDetails(w, status, code, err.Error(), function, "", details)
}

// forstReturnedFailure is the status, code and details of an error a call returned: invalid input (400), a nominal
// error (its name as the code, its fields as details, its status), a failed `ensure` (422 ensure_failed), or any
// other error (500 returned_error).
func forstReturnedFailure(err error) (int, string, any) {
	var input *InputError
	if errors.As(err, &input) {
		return http.StatusBadRequest, "invalid_input", input.details()
	}
	var nominal forstNominal
	if errors.As(err, &nominal) {
		code, status := nominal.ForstNominalError()
		return status, code, nominal
	}
	var ensure *forstEnsureError
	if errors.As(err, &ensure) {
		return http.StatusUnprocessableEntity, "ensure_failed", ensure
	}
	return http.StatusInternalServerError, "returned_error", nil
}
