//! The small-call fast path's native half (the JS half is `lib/fast_path.js`).
//!
//! A call through the addon's async machinery wakes three sleeping threads: the JS thread hands the call to a tokio
//! worker, the worker is woken again by the answer, and the JS thread is woken by the worker. For a small call that
//! is most of its cost, and on a loaded machine each wake waits for a CPU (measured at 2 cores under load: 0.73–0.89
//! ms per call through the addon, 0.10–0.11 ms from the JS thread itself). So small calls are written and read by
//! the JS thread on sockets connected to the child's Unix socket, and only wake that thread.
//!
//! What stays here is what must not be duplicated or trusted to JS: the sockets are connected by this module, which
//! checks the peer's credentials (our child, our uid) before handing the descriptor to Node, so the token still
//! never reaches another process; and when such a call loses its connection, this module decides what that means
//! (the child's fate, or a safe retry when a hot swap retired it), exactly as for the other calls.

use super::failure::Failure;
use super::Runtime;

/// What JS needs to call the active child by itself.
pub struct FastTarget {
    /// Changes when another child takes over: JS drops the sockets of the previous one.
    pub generation: u64,
    pub host: String,
    pub token: String,
    pub call_timeout_ms: u64,
    pub max_connections: u64,
}

/// What to do about a fast call that lost its connection.
pub enum Lost {
    /// The child was retired by a hot swap and closed the connection without starting the call: send it again.
    Retry,
    Failed(Failure),
}

impl Runtime {
    /// The active child when calls may use the fast path: spawned by this process, reached over its socket, ready.
    pub fn fast_child(&self) -> Option<std::sync::Arc<super::supervisor::Child>> {
        if !cfg!(unix) || self.remote().is_some() {
            return None;
        }
        self.supervisor.ready_now().filter(|child| child.at.via_socket.is_some())
    }

    /// What JS needs to call [`Runtime::fast_child`].
    pub fn fast_target(&self) -> Option<FastTarget> {
        let child = self.fast_child()?;
        let (call_timeout_ms, max_connections) =
            self.config.lock().ok()?.as_ref().map(|c| (c.call_timeout_ms, c.max_connections))?;
        Some(FastTarget {
            generation: child.generation,
            host: child.at.authority().to_string(),
            token: child.at.token.clone(),
            call_timeout_ms,
            max_connections,
        })
    }

    /// A new connection to the child of `generation`, peer-checked, as a descriptor Node takes over.
    #[cfg(unix)]
    pub fn connect_child(&self, generation: u64) -> Result<i32, Failure> {
        use std::os::unix::io::{AsRawFd, IntoRawFd};
        let child = self.supervisor.child(generation).ok_or_else(|| gone(generation))?;
        let path = child.socket.as_ref().ok_or_else(|| gone(generation))?;
        let stream = std::os::unix::net::UnixStream::connect(path).map_err(|e| {
            super::client::transport_failure("", &format!("could not connect to {}: {e}", path.display()))
        })?;
        super::socket_pool::verify_peer(stream.as_raw_fd(), path, child.pid)
            .map_err(|why| Failure::new(503, "socket_unsafe", why))?;
        stream.set_nonblocking(true).map_err(|e| Failure::new(500, "io_error", e.to_string()))?;
        Ok(stream.into_raw_fd())
    }

    /// Without Unix sockets there is no fast path ([`Runtime::fast_child`] is always `None`), so JS never asks.
    #[cfg(not(unix))]
    pub fn connect_child(&self, generation: u64) -> Result<i32, Failure> {
        Err(gone(generation))
    }

    /// A fast call to the child of `generation` lost its connection after sending: retry (retired child) or why.
    pub async fn explain_lost(&self, name: &str, generation: u64, detail: &str) -> Lost {
        match self.supervisor.child(generation) {
            Some(child) if child.is_retired() => Lost::Retry,
            Some(child) => Lost::Failed(super::lost(&child, name, detail).await),
            None => Lost::Failed(super::client::transport_failure(name, detail)),
        }
    }
}

fn gone(generation: u64) -> Failure {
    Failure::new(503, "unavailable", format!("the sidecar (generation {generation}) is gone; try the call again"))
}
