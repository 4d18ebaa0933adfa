// Metrics. GET /metrics answers in the Prometheus text exposition format (0.0.4),
// written here with the standard library (the module must build offline, so no client_golang):
//
//	forst_calls_total{function,code}                calls by outcome: ok, invalid_input, returned_error, panic, …
//	forst_call_duration_seconds{function}           latency histogram (buckets below)
//	forst_calls_in_flight{function}                 calls being served now
//	forst_request_bytes_total{function}             request body bytes read
//	forst_response_bytes_total{function}            response body bytes written
//	forst_draining                                  1 after SIGTERM while in-flight calls finish
//	forst_build_info{version,contract,build_hash}   always 1
//	go_goroutines, go_memstats_*_bytes, go_memstats_heap_objects, go_gc_duration_seconds, go_info
//
// Only calls to known functions that passed authentication are counted: the label values are the function names
// and the fixed error codes, never anything a caller chose, so the number of series is bounded.

package forst

import (
	"bufio"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// forstLatencyBuckets are the histogram's upper bounds in seconds: from a trivial call (~100 µs on loopback) to a
// batch job.
var forstLatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// forstErrorHeader carries a failed call's error code (set by forstFail), so that the metrics and logs can label the
// outcome without parsing the body.
const forstErrorHeader = "X-Forst-Error"

type forstMetrics struct {
	start     time.Time
	functions map[string]*forstFunctionMetrics // by function name; fixed at start, read without a lock
	names     []string                         // sorted, for a stable exposition order
	draining  *atomic.Bool
}

type forstFunctionMetrics struct {
	inFlight atomic.Int64
	bytesIn  atomic.Int64
	bytesOut atomic.Int64
	mu       sync.Mutex
	codes    map[string]uint64
	buckets  []uint64 // one per bound, not cumulative; the +Inf bucket is count
	count    uint64
	sum      float64
}

func newForstMetrics(endpoints []Endpoint, draining *atomic.Bool) *forstMetrics {
	m := &forstMetrics{start: time.Now(), functions: make(map[string]*forstFunctionMetrics, len(endpoints)), draining: draining}
	for _, ep := range endpoints {
		m.functions[ep.Name] = &forstFunctionMetrics{codes: map[string]uint64{}, buckets: make([]uint64, len(forstLatencyBuckets))}
		m.names = append(m.names, ep.Name)
	}
	sort.Strings(m.names)
	return m
}

func (f *forstFunctionMetrics) record(code string, d time.Duration) {
	seconds := d.Seconds()
	f.mu.Lock()
	f.codes[code]++
	f.count++
	f.sum += seconds
	for i, bound := range forstLatencyBuckets {
		if seconds <= bound {
			f.buckets[i]++
			break
		}
	}
	f.mu.Unlock()
}

// forstObservedWriter records what a call answered: status, error code and body size.
type forstObservedWriter struct {
	http.ResponseWriter
	status int
	code   string
	bytes  int64
}

func (w *forstObservedWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.code = "ok"
		if status != http.StatusOK {
			w.code = forstFirst(w.Header().Get(forstErrorHeader), "http_"+strconv.Itoa(status))
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *forstObservedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (read deadlines, flushing) through this wrapper.
func (w *forstObservedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type forstCountingBody struct {
	io.ReadCloser
	n int64
}

func (b *forstCountingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// observeCall serves one authenticated call to a known function through s.call, counting it in the metrics and
// logging it (FORST_LOG=json). A caller that names the contract it was generated for (X-Forst-Contract) and
// reaches a sidecar built for another gets 409 contract_mismatch before anything runs.
func (s *forstServer) observeCall(w http.ResponseWriter, r *http.Request, ep *Endpoint) {
	start := time.Now()
	fm := s.metrics.functions[ep.Name]
	fm.inFlight.Add(1)
	body := &forstCountingBody{ReadCloser: r.Body}
	r.Body = body
	ow := &forstObservedWriter{ResponseWriter: w}
	requestID := ""
	if forstLog.json {
		requestID = forstRequestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", requestID)
	}
	defer func() {
		d := time.Since(start)
		fm.inFlight.Add(-1)
		fm.bytesIn.Add(body.n)
		fm.bytesOut.Add(ow.bytes)
		if ow.status == 0 { // the handler wrote nothing: net/http answers 200 with an empty body
			ow.status, ow.code = http.StatusOK, "ok"
		}
		fm.record(ow.code, d)
		forstLog.call(ep.Name, ow.status, ow.code, d, requestID, body.n, ow.bytes)
	}()
	if want := r.Header.Get("X-Forst-Contract"); want != "" && want != forstContract {
		forstFail(ow, http.StatusConflict, "contract_mismatch", "this sidecar serves contract "+forstContract+
			" (built by @forst/sidecar "+forstVersion+", build "+forstShort(forstBuildHash)+") but the caller's functions were generated for contract "+
			want+": build and deploy the sidecar and the app from the same sources", ep.Name, "")
		return
	}
	s.call(ow, r, ep)
}

func forstShort(hash string) string {
	if len(hash) > 16 {
		return hash[:16]
	}
	return hash
}

// serve answers GET /metrics.
func (m *forstMetrics) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		forstFail(w, http.StatusMethodNotAllowed, "method_not_allowed", "GET /metrics", "", "")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	m.write(bw)
	_ = bw.Flush()
}

// metricsHandler is the --metrics-listen server: /metrics only, without a token (bind it where only the scraper
// reaches it).
func (m *forstMetrics) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			forstFail(w, http.StatusNotFound, "not_found", "this port serves GET /metrics only", "", "")
			return
		}
		m.serve(w, r)
	})
}

func (m *forstMetrics) write(w *bufio.Writer) {
	p := forstPromWriter{w: w}
	p.family("forst_calls_total", "counter", "Calls to Forst functions by outcome (ok or the error code).")
	for _, name := range m.names {
		f := m.functions[name]
		f.mu.Lock()
		codes := make([]string, 0, len(f.codes))
		for c := range f.codes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			p.sample("forst_calls_total", []string{"function", name, "code", c}, float64(f.codes[c]))
		}
		f.mu.Unlock()
	}
	p.family("forst_call_duration_seconds", "histogram", "Time from the request's arrival to the end of the answer.")
	for _, name := range m.names {
		f := m.functions[name]
		f.mu.Lock()
		cumulative := uint64(0)
		for i, bound := range forstLatencyBuckets {
			cumulative += f.buckets[i]
			p.sample("forst_call_duration_seconds_bucket", []string{"function", name, "le", forstFloat(bound)}, float64(cumulative))
		}
		p.sample("forst_call_duration_seconds_bucket", []string{"function", name, "le", "+Inf"}, float64(f.count))
		p.sample("forst_call_duration_seconds_sum", []string{"function", name}, f.sum)
		p.sample("forst_call_duration_seconds_count", []string{"function", name}, float64(f.count))
		f.mu.Unlock()
	}
	perFunction := []struct {
		name, kind, help string
		value            func(*forstFunctionMetrics) int64
	}{
		{"forst_calls_in_flight", "gauge", "Calls being served now.", func(f *forstFunctionMetrics) int64 { return f.inFlight.Load() }},
		{"forst_request_bytes_total", "counter", "Request body bytes read.", func(f *forstFunctionMetrics) int64 { return f.bytesIn.Load() }},
		{"forst_response_bytes_total", "counter", "Response body bytes written.", func(f *forstFunctionMetrics) int64 { return f.bytesOut.Load() }},
	}
	for _, family := range perFunction {
		p.family(family.name, family.kind, family.help)
		for _, name := range m.names {
			p.sample(family.name, []string{"function", name}, float64(family.value(m.functions[name])))
		}
	}
	draining := 0.0
	if m.draining != nil && m.draining.Load() {
		draining = 1
	}
	p.family("forst_draining", "gauge", "1 while the sidecar drains in-flight calls before it exits.")
	p.sample("forst_draining", nil, draining)
	p.family("forst_start_time_seconds", "gauge", "When the sidecar started, in seconds since the Unix epoch.")
	p.sample("forst_start_time_seconds", nil, float64(m.start.UnixMilli())/1000)
	p.family("forst_build_info", "gauge", "The build: package version, contract and build hash.")
	p.sample("forst_build_info", []string{"version", forstVersion, "contract", forstContract, "build_hash", forstBuildHash}, 1)
	forstWriteGoMetrics(&p)
}

// forstGoSamples are read with runtime/metrics, which does not stop the world (runtime.ReadMemStats does).
var forstGoSamples = []struct{ key, name, kind, help string }{
	{"/sched/goroutines:goroutines", "go_goroutines", "gauge", "Goroutines that currently exist."},
	{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects."},
	{"/gc/heap/objects:objects", "go_memstats_heap_objects", "gauge", "Allocated heap objects."},
	{"/memory/classes/total:bytes", "go_memstats_sys_bytes", "gauge", "Bytes of memory obtained from the OS."},
	{"/gc/heap/goal:bytes", "go_memstats_next_gc_bytes", "gauge", "Heap size at which the next GC cycle starts."},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "counter", "Completed GC cycles."},
}

func forstWriteGoMetrics(p *forstPromWriter) {
	samples := make([]metrics.Sample, len(forstGoSamples))
	for i, s := range forstGoSamples {
		samples[i].Name = s.key
	}
	metrics.Read(samples)
	for i, s := range forstGoSamples {
		var v float64
		switch samples[i].Value.Kind() {
		case metrics.KindUint64:
			v = float64(samples[i].Value.Uint64())
		case metrics.KindFloat64:
			v = samples[i].Value.Float64()
		default:
			continue // not supported by this Go version
		}
		p.family(s.name, s.kind, s.help)
		p.sample(s.name, nil, v)
	}
	// GC pauses as the summary Prometheus users know from client_golang (quantiles over the recent pauses).
	stats := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&stats)
	p.family("go_gc_duration_seconds", "summary", "Stop-the-world pause durations of recent GC cycles.")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		p.sample("go_gc_duration_seconds", []string{"quantile", q}, stats.PauseQuantiles[i].Seconds())
	}
	p.sample("go_gc_duration_seconds_sum", nil, stats.PauseTotal.Seconds())
	p.sample("go_gc_duration_seconds_count", nil, float64(stats.NumGC))
	p.family("go_info", "gauge", "The Go version the sidecar was built with.")
	p.sample("go_info", []string{"version", runtime.Version()}, 1)
}

type forstPromWriter struct{ w *bufio.Writer }

func (p *forstPromWriter) family(name, kind, help string) {
	p.w.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + kind + "\n")
}

// sample writes `name{k="v",…} value`; labels are key, value pairs.
func (p *forstPromWriter) sample(name string, labels []string, value float64) {
	p.w.WriteString(name)
	if len(labels) > 0 {
		p.w.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.w.WriteByte(',')
			}
			p.w.WriteString(labels[i] + `="` + forstLabelEscaper.Replace(labels[i+1]) + `"`)
		}
		p.w.WriteByte('}')
	}
	p.w.WriteString(" " + forstFloat(value) + "\n")
}

var forstLabelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func forstFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}
