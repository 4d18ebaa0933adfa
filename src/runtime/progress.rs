//! Progress lines on stderr for the one step slow enough to wonder about: `go build` (15–30 s with an empty Go cache,
//! under a second with a warm one). A step that is still running after [`DELAY`] prints what it is doing and how long
//! it may take; once such a line was printed, the end prints the time it took. Faster steps print nothing, so warm
//! builds and reloads stay quiet.
//!
//! `FORST_LOG` chooses the form, the same variable as the sidecar's logs: `text` (default), `json` (one JSON object
//! per line: `{"time","level":"info","event":"go_build_started"|"go_build_finished","msg","duration_ms"}`) or
//! `silent` (nothing).

use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a step runs before it is announced.
const DELAY: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogMode {
    Text,
    Json,
    Silent,
}

/// `FORST_LOG`: `json`, `silent`, anything else (unset, `text`) is text.
pub fn log_mode() -> LogMode {
    match std::env::var("FORST_LOG").as_deref() {
        Ok("json") => LogMode::Json,
        Ok("silent") => LogMode::Silent,
        _ => LogMode::Text,
    }
}

/// One line of progress in the chosen form (nothing when silent).
pub fn line(event: &str, msg: &str, duration: Option<Duration>) {
    match log_mode() {
        LogMode::Silent => {}
        LogMode::Text => eprintln!("forst: {msg}"),
        LogMode::Json => {
            let mut record = serde_json::json!({
                "time": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
                "level": "info",
                "event": event,
                "msg": msg,
            });
            if let Some(d) = duration {
                record["duration_ms"] = serde_json::json!((d.as_secs_f64() * 1000.0).round());
            }
            eprintln!("{record}");
        }
    }
}

/// A running step: announced after [`DELAY`] by a helper thread, finished by [`Step::finish`] (or on drop, as
/// failed: a build that errors or is cancelled still ends its line).
pub struct Step {
    started: Instant,
    done: Option<mpsc::Sender<()>>,
    announced: Option<std::thread::JoinHandle<bool>>,
    event: &'static str,
}

/// Starts a step; `starting` is printed only if it is still running after [`DELAY`].
pub fn step(event: &'static str, starting: String) -> Step {
    let (tx, rx) = mpsc::channel::<()>();
    let announced = std::thread::Builder::new()
        .name("forst-progress".into())
        .spawn(move || match rx.recv_timeout(DELAY) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                line(&format!("{event}_started"), &starting, None);
                true
            }
            _ => false,
        })
        .ok();
    Step { started: Instant::now(), done: Some(tx), announced, event }
}

impl Step {
    /// Ends the step; prints `finished` + its time when the start was announced.
    pub fn finish(mut self, finished: &str) {
        self.end(finished);
    }

    fn end(&mut self, finished: &str) {
        let Some(tx) = self.done.take() else { return };
        let _ = tx.send(());
        let announced = self.announced.take().is_some_and(|h| h.join().unwrap_or(false));
        if announced {
            let took = self.started.elapsed();
            line(
                &format!("{}_finished", self.event),
                &format!("{finished} in {:.1} s", took.as_secs_f64()),
                Some(took),
            );
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        self.end("go build stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_step_prints_nothing_and_does_not_wait() {
        let t0 = Instant::now();
        step("test", "never printed".into()).finish("done");
        assert!(t0.elapsed() < DELAY, "{:?}", t0.elapsed());
    }
}
