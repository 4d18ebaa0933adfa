//! The client's view of its calls, for `metrics()` and `metrics.prometheus()`: calls and errors by function and
//! code, latency percentiles and a Prometheus histogram, calls in flight. The sidecar has its own view (`GET
//! /metrics`); this one also sees what never reached it (timeouts, aborts, an unavailable sidecar) and the time
//! spent in the addon.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{json, Value};

use super::failure::Failure;

/// The histogram's upper bounds in seconds: the same as the sidecar's (`runtime/go/metrics.go`), so the two can be
/// compared bucket by bucket.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
pub struct ClientMetrics {
    functions: Mutex<HashMap<String, FunctionStats>>,
    in_flight: AtomicI64,
}

struct FunctionStats {
    codes: BTreeMap<String, u64>,
    /// Microseconds, 1 µs to 1 h, 2 significant digits.
    latency: Histogram<u64>,
    buckets: [u64; BUCKETS.len()],
    sum_seconds: f64,
}

impl FunctionStats {
    fn new() -> FunctionStats {
        FunctionStats {
            codes: BTreeMap::new(),
            latency: Histogram::new_with_bounds(1, 3_600_000_000, 2)
                .unwrap_or_else(|_| Histogram::new(2).expect("2 digits")),
            buckets: [0; BUCKETS.len()],
            sum_seconds: 0.0,
        }
    }

    fn calls(&self) -> u64 {
        self.codes.values().sum()
    }

    fn errors(&self) -> u64 {
        self.codes.iter().filter(|(c, _)| *c != "ok").map(|(_, n)| n).sum()
    }
}

/// A call in flight; dropping it without [`InFlight::finish`] (a future cancelled from JS) only lowers the gauge.
pub struct InFlight<'a>(&'a ClientMetrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ClientMetrics {
    /// A call made outside the addon's own path (the JS fast path) started; [`ClientMetrics::end`] when it is done.
    pub fn start(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn end(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn begin(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    pub fn record(&self, function: &str, outcome: Result<(), &Failure>, took: Duration) {
        let code = match outcome {
            Ok(()) => "ok",
            Err(f) => f.code.as_str(),
        };
        let mut functions = self.functions.lock().unwrap_or_else(|p| p.into_inner());
        let stats = functions.entry(function.to_string()).or_insert_with(FunctionStats::new);
        *stats.codes.entry(code.to_string()).or_default() += 1;
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        stats.latency.saturating_record(micros);
        let seconds = took.as_secs_f64();
        stats.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            stats.buckets[i] += 1;
        }
    }

    /// `metrics()`: totals, errors by code, latency percentiles in ms, overall and per function.
    pub fn snapshot(&self, restarts: u32, state: &str, mode: &str) -> Value {
        let functions = self.functions.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = FunctionStats::new();
        let mut per_function = serde_json::Map::new();
        for (name, stats) in functions.iter() {
            let _ = all.latency.add(&stats.latency);
            for (code, n) in &stats.codes {
                *all.codes.entry(code.clone()).or_default() += n;
            }
            per_function.insert(name.clone(), summary(stats));
        }
        let mut out = summary(&all);
        out["inFlight"] = json!(self.in_flight.load(Ordering::Relaxed).max(0));
        out["restarts"] = json!(restarts);
        out["state"] = json!(state);
        out["mode"] = json!(mode);
        out["functions"] = Value::Object(per_function);
        out
    }

    /// `metrics.prometheus()`: the same in the Prometheus text format, named `forst_client_*` so that it can be
    /// appended to an app's own registry (prom-client) and to the sidecar's metrics without a clash.
    pub fn prometheus(&self, restarts: u32, up: bool) -> String {
        let functions = self.functions.lock().unwrap_or_else(|p| p.into_inner());
        let mut names: Vec<&String> = functions.keys().collect();
        names.sort();
        let mut out = String::new();
        family(
            &mut out,
            "forst_client_calls_total",
            "counter",
            "Calls made through @forst/sidecar by outcome (ok or the error code).",
        );
        for name in &names {
            for (code, n) in &functions[*name].codes {
                let _ = writeln!(
                    out,
                    "forst_client_calls_total{{function=\"{}\",code=\"{}\"}} {n}",
                    escape(name),
                    escape(code)
                );
            }
        }
        family(
            &mut out,
            "forst_client_call_duration_seconds",
            "histogram",
            "Call latency seen by the app, from the call to its result.",
        );
        for name in &names {
            let stats = &functions[*name];
            let f = escape(name);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "forst_client_call_duration_seconds_bucket{{function=\"{f}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let calls = stats.calls();
            let _ = writeln!(out, "forst_client_call_duration_seconds_bucket{{function=\"{f}\",le=\"+Inf\"}} {calls}");
            let _ = writeln!(out, "forst_client_call_duration_seconds_sum{{function=\"{f}\"}} {}", stats.sum_seconds);
            let _ = writeln!(out, "forst_client_call_duration_seconds_count{{function=\"{f}\"}} {calls}");
        }
        family(&mut out, "forst_client_calls_in_flight", "gauge", "Calls waiting for their result.");
        let _ = writeln!(out, "forst_client_calls_in_flight {}", self.in_flight.load(Ordering::Relaxed).max(0));
        family(
            &mut out,
            "forst_client_sidecar_restarts_total",
            "counter",
            "Times the supervisor restarted a crashed sidecar.",
        );
        let _ = writeln!(out, "forst_client_sidecar_restarts_total {restarts}");
        family(&mut out, "forst_client_sidecar_up", "gauge", "1 when the sidecar is ready for calls.");
        let _ = writeln!(out, "forst_client_sidecar_up {}", u8::from(up));
        out
    }
}

fn summary(stats: &FunctionStats) -> Value {
    let ms = |q: f64| stats.latency.value_at_quantile(q) as f64 / 1000.0;
    let latency = if stats.latency.is_empty() {
        Value::Null
    } else {
        json!({ "p50": ms(0.5), "p90": ms(0.9), "p99": ms(0.99), "max": stats.latency.max() as f64 / 1000.0, "mean": stats.latency.mean() / 1000.0 })
    };
    let errors: BTreeMap<&String, &u64> = stats.codes.iter().filter(|(c, _)| *c != "ok").collect();
    json!({ "calls": stats.calls(), "errors": stats.errors(), "errorsByCode": errors, "latencyMs": latency })
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_calls_errors_and_percentiles() {
        let m = ClientMetrics::default();
        for ms in 1..=100 {
            m.record("add", Ok(()), Duration::from_millis(ms));
        }
        let bad = Failure::new(400, "invalid_input", "x");
        m.record("add", Err(&bad), Duration::from_millis(1));
        let s = m.snapshot(2, "ready", "spawned");
        assert_eq!((s["calls"].as_u64(), s["errors"].as_u64()), (Some(101), Some(1)));
        assert_eq!(s["errorsByCode"]["invalid_input"], 1);
        let p50 = s["latencyMs"]["p50"].as_f64().unwrap_or(0.0);
        assert!((49.0..=51.0).contains(&p50), "p50 {p50}");
        assert_eq!(s["functions"]["add"]["calls"], 101);
        assert_eq!(s["restarts"], 2);
        let text = m.prometheus(2, true);
        assert!(text.contains("forst_client_calls_total{function=\"add\",code=\"ok\"} 100"), "{text}");
        assert!(text.contains("forst_client_call_duration_seconds_bucket{function=\"add\",le=\"0.005\"} 6"), "{text}");
        assert!(text.contains("forst_client_call_duration_seconds_bucket{function=\"add\",le=\"+Inf\"} 101"), "{text}");
    }

    #[test]
    fn an_abandoned_call_leaves_the_in_flight_gauge() {
        let m = ClientMetrics::default();
        let call = m.begin();
        assert_eq!(m.snapshot(0, "ready", "spawned")["inFlight"], 1);
        drop(call);
        assert_eq!(m.snapshot(0, "ready", "spawned")["inFlight"], 0);
    }
}
