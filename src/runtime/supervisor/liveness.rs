//! Liveness: a sidecar that stops answering (stopped by SIGSTOP, deadlocked, swapping) would hang every call sent to
//! it. The supervisor asks the active child for `/healthz` every `liveness.periodMs` on a connection of its own; after
//! `liveness.failureThreshold` misses in a row it kills the child, whose calls in flight then fail with a message
//! that says it stopped answering, and the crash path starts the next one.

use std::sync::Arc;
use std::time::Duration;

use super::{Child, Supervisor};
use crate::runtime::config::Config;

impl Supervisor {
    /// Starts probing `child` while it is the active one.
    pub(super) fn watch_liveness(self: &Arc<Self>, child: &Arc<Child>, config: &Config) {
        let live = config.liveness;
        if live.period_ms == 0 {
            return;
        }
        let (me, child) = (self.clone(), child.clone());
        tokio::spawn(async move {
            let period = Duration::from_millis(live.period_ms);
            let timeout = Duration::from_millis(live.timeout_ms);
            let mut misses = 0;
            let mut last = String::new();
            loop {
                if child.wait_exit(period).await || !me.is_active(&child) {
                    return;
                }
                match child.probe(&me.client, "/healthz", timeout).await {
                    Ok(200) => misses = 0,
                    Ok(status) => {
                        misses += 1;
                        last = format!("/healthz answered {status}");
                    }
                    Err(why) => {
                        misses += 1;
                        last = why;
                    }
                }
                if misses >= live.failure_threshold {
                    let why = format!("{misses} liveness probes in a row failed, the last one: {last}");
                    eprintln!("[forst] the sidecar (pid {}) stopped answering: {why}; killing it", child.pid);
                    child.kill_unresponsive(why);
                    return;
                }
            }
        });
    }
}
