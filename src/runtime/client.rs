//! The HTTP hop: how a call reaches a sidecar, and how its answer becomes a result or a [`Failure`].
//!
//! A sidecar this process spawned is reached only on its Unix socket ([`SocketPool`], bare hyper), whatever the body
//! size: the socket lives in a private directory and each connection's peer is verified, so the token never travels
//! to a process that is not our child. Loopback TCP would give it to whoever holds the port, e.g. another local
//! user who bound it after a crash. TCP (reqwest, no proxy) is used only with `FORST_TRANSPORT=tcp` or where Unix
//! sockets do not exist, and is then documented as trusting the loopback port.
//!
//! Connections are bounded: at most `limits.connections` calls hold one at a time, the others wait in a FIFO queue
//! instead of each opening a socket (30,000 concurrent calls must not exhaust the process's file descriptors), and
//! more than [`MAX_QUEUED`] waiting calls fail at once with `503 overloaded`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::failure::Failure;
use super::socket_pool::{PostError, SocketPool};

/// The header carrying the per-spawn token.
pub const TOKEN_HEADER: &str = "x-forst-token";
/// The header carrying the caller's contract (connect mode).
pub const CONTRACT_HEADER: &str = "x-forst-contract";

/// Calls waiting for a connection beyond this are refused: the sidecar is not keeping up, and an unbounded queue
/// would only turn that into memory growth and timeouts.
const MAX_QUEUED: usize = 65_536;

pub struct Client {
    http: reqwest::Client,
    slots: Mutex<Arc<Slots>>,
}

/// The connection budget: permits for calls in flight, and how many wait.
struct Slots {
    permits: Arc<Semaphore>,
    max: usize,
    waiting: AtomicUsize,
}

impl Slots {
    fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots { permits: Arc::new(Semaphore::new(max)), max, waiting: AtomicUsize::new(0) })
    }
}

/// Where one sidecar process listens and how to authenticate to it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    pub token: String,
    /// The pool on the sidecar's Unix socket; every call and probe uses it when present.
    pub via_socket: Option<Arc<SocketPool>>,
    /// Connect mode: the contract this app's functions were generated for, sent with every call (X-Forst-Contract)
    /// so that a sidecar of another contract refuses the call (409 contract_mismatch) before running it.
    pub contract: Option<String>,
}

impl Endpoint {
    /// `host:port` of the base URL: the Host header of every request (a spawned sidecar checks it is loopback), and
    /// the TCP address.
    pub fn authority(&self) -> &str {
        let rest = self.base_url.trim_start_matches("http://");
        rest.split('/').next().unwrap_or(rest)
    }
}

/// Why a call has no result.
#[derive(Debug)]
pub enum CallError {
    /// The sidecar answered with an error (or something that is not JSON), or the call was refused before sending.
    Answered(Failure),
    /// No answer. `sent: false`: the request never reached the server, so it may go elsewhere without running twice.
    Transport { sent: bool, detail: String },
}

impl Client {
    pub fn new() -> Client {
        Client { http: http_client(256), slots: Mutex::new(Slots::new(256)) }
    }

    /// Applies `limits.connections` (at start(); calls in flight keep the budget they started with).
    pub fn set_max_connections(&self, max: u64) {
        let max = usize::try_from(max).unwrap_or(usize::MAX).max(1);
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.max != max {
            *slots = Slots::new(max);
        }
    }

    /// A connection slot for a call that makes its own connection (a streaming call); held until it is dropped.
    pub async fn connection_slot(&self, function: &str) -> Result<OwnedSemaphorePermit, Failure> {
        self.slot(function).await.map_err(|e| match e {
            CallError::Answered(f) => f,
            CallError::Transport { detail, .. } => transport_failure(function, &detail),
        })
    }

    /// A connection slot: at once, or after the calls queued before this one.
    async fn slot(&self, function: &str) -> Result<OwnedSemaphorePermit, CallError> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Ok(permit) = slots.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if slots.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_QUEUED {
            slots.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(CallError::Answered(
                Failure::new(
                    503,
                    "overloaded",
                    format!(
                        "{MAX_QUEUED} calls are already waiting for one of the {} connections to the Forst sidecar \
                         (limits.connections): it is not keeping up; the call was not sent",
                        slots.max
                    ),
                )
                .with_function(function),
            ));
        }
        let permit = slots.permits.clone().acquire_owned().await;
        slots.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| CallError::Transport { sent: false, detail: "the connection budget was closed".into() })
    }

    /// POSTs a JSON body to `route` and returns the JSON result, or why there is none.
    pub async fn call(
        &self,
        at: &Endpoint,
        function: &str,
        route: &str,
        body: bytes::Bytes,
    ) -> Result<bytes::Bytes, CallError> {
        let _slot = self.slot(function).await?;
        let (status, bytes) = match &at.via_socket {
            Some(socket) => match socket.post(route, body).await {
                Ok(answer) => (answer.status, answer.body),
                Err(PostError::NotSent(detail)) => return Err(CallError::Transport { sent: false, detail }),
                Err(PostError::Failed(detail)) => return Err(CallError::Transport { sent: true, detail }),
                Err(PostError::Untrusted(why)) => {
                    return Err(CallError::Answered(Failure::new(503, "socket_unsafe", why).with_function(function)))
                }
            },
            None => {
                let mut request = self
                    .http
                    .post(format!("{}{route}", at.base_url))
                    .header(TOKEN_HEADER, &at.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                if let Some(contract) = &at.contract {
                    request = request.header(CONTRACT_HEADER, contract);
                }
                let response = request
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| CallError::Transport { sent: !e.is_connect(), detail: e.to_string() })?;
                let status = response.status().as_u16();
                let bytes =
                    response.bytes().await.map_err(|e| CallError::Transport { sent: true, detail: e.to_string() })?;
                (status, bytes)
            }
        };
        if status == 200 {
            return Ok(bytes);
        }
        Err(CallError::Answered(Failure::from_envelope(status, &bytes, function)))
    }

    /// `GET route` within `timeout` on a connection of its own: the status, or why there was none.
    pub async fn probe(&self, at: &Endpoint, route: &str, timeout: Duration) -> Result<u16, String> {
        if let Some(socket) = &at.via_socket {
            return socket.probe(route, timeout).await;
        }
        let probe = self.http.get(format!("{}{route}", at.base_url)).timeout(timeout).send();
        probe.await.map(|r| r.status().as_u16()).map_err(|e| e.to_string())
    }

    /// GETs an authenticated operational path (`/metrics`, `/__forst/version`, `/__forst/manifest`) as text: on the
    /// child's Unix socket when it has one (the token never goes to TCP then), else over HTTP.
    pub async fn get_text(&self, at: &Endpoint, path: &str) -> Result<String, Failure> {
        let timeout = Duration::from_secs(10);
        let (status, body) = match &at.via_socket {
            Some(socket) => {
                let answer = socket.get(path, timeout, true).await.map_err(|e| transport_failure("", &e))?;
                (answer.status, answer.body)
            }
            None => {
                let r = self
                    .http
                    .get(format!("{}{path}", at.base_url))
                    .header(TOKEN_HEADER, &at.token)
                    .timeout(timeout)
                    .send()
                    .await
                    .map_err(|e| transport_failure("", &e.to_string()))?;
                let status = r.status().as_u16();
                (status, r.bytes().await.map_err(|e| transport_failure("", &e.to_string()))?)
            }
        };
        if status != 200 {
            return Err(Failure::from_envelope(status, &body, ""));
        }
        String::from_utf8(body.to_vec()).map_err(|_| {
            Failure::new(502, "unexpected_response", format!("GET {path} answered a body that is not UTF-8"))
        })
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

fn http_client(max_idle: usize) -> reqwest::Client {
    // `no_proxy`: an HTTP_PROXY in the user's environment must never see loopback calls (or the token).
    reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(max_idle)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The message of a call that lost its way: what happened to the connection, in words a user can act on.
pub fn transport_failure(function: &str, detail: &str) -> Failure {
    let lower = detail.to_lowercase();
    let message = if lower.contains("too many open files") {
        format!(
            "the call could not open a connection to the Forst sidecar: this process has run out of file descriptors \
             ({detail}); lower limits.connections or raise the process's limit (ulimit -n)"
        )
    } else {
        format!(
            "the call lost its connection to the Forst sidecar ({detail}) — the call was not retried, because it may \
             already have run"
        )
    };
    Failure::new(503, "unavailable", message).with_function(function)
}
