//! The HTTP hop: one keep-alive connection pool (reqwest, HTTP/1.1, no proxy — the sidecar is on loopback) shared
//! by every call, readiness probes, and the mapping of sidecar answers to [`Failure`]s. A sidecar that also serves a
//! Unix socket gets its own pool on that socket ([`SocketPool`], bare hyper): calls go there, probes stay on TCP.

use std::sync::Arc;
use std::time::Duration;

use super::failure::Failure;
use super::socket_pool::SocketPool;

/// The header carrying the per-spawn token.
pub const TOKEN_HEADER: &str = "x-forst-token";
/// The header carrying the caller's contract (connect mode).
pub const CONTRACT_HEADER: &str = "x-forst-contract";
/// How a failure to connect starts: the request was never sent, so it may be retried (see [`never_sent`]).
const NOT_CONNECTED: &str = "could not connect to the Forst sidecar";

/// Bodies up to this size go over the Unix socket, larger ones over TCP. Measured side by side through the addon
/// (an interleaved A/B of `FORST_TRANSPORT`, 6 rounds × 4,000 calls, both on reqwest): one call at a time, the socket
/// takes 8–10% off a 100 B call and 6% off a 10 KB one; with 64 in flight it is even (±4%); at 1 MB loopback TCP's
/// larger buffers win by 4–13%. `bench/suites/transports.mjs` shows the same at the floor, and that bare hyper on the
/// socket is faster again for small bodies but not at 1 MB.
const SOCKET_MAX_BODY: usize = 64 * 1024;

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
}

/// Where one sidecar process listens and how to authenticate to it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    pub token: String,
    /// A pool connected to the sidecar's Unix socket, when it has one; calls with small bodies use it instead of TCP.
    pub via_socket: Option<Arc<SocketPool>>,
    /// Connect mode: the contract this app's functions were generated for, sent with every call (X-Forst-Contract)
    /// so that a sidecar of another contract refuses the call (409 contract_mismatch) before running it.
    pub contract: Option<String>,
}

impl Client {
    pub fn new() -> Client {
        // `no_proxy`: an HTTP_PROXY in the user's environment must never see loopback calls (or the token).
        let http = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(512)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Client { http }
    }

    /// POSTs a JSON body to `route` and returns the JSON result text, or the failure the sidecar reported.
    pub async fn call(
        &self,
        at: &Endpoint,
        function: &str,
        route: &str,
        body: bytes::Bytes,
    ) -> Result<String, Failure> {
        let (status, bytes) = match &at.via_socket {
            Some(socket) if body.len() <= SOCKET_MAX_BODY => {
                let answer = socket.post(route, body).await.map_err(|e| transport_failure(function, &e))?;
                (answer.status, answer.body)
            }
            _ => {
                let mut request = self
                    .http
                    .post(format!("{}{route}", at.base_url))
                    .header(TOKEN_HEADER, &at.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                if let Some(contract) = &at.contract {
                    request = request.header(CONTRACT_HEADER, contract);
                }
                let response = request.body(body).send().await.map_err(|e| {
                    if e.is_connect() {
                        not_connected(function, &at.base_url, &e)
                    } else {
                        transport_failure(function, &e)
                    }
                })?;
                let status = response.status().as_u16();
                (status, response.bytes().await.map_err(|e| transport_failure(function, &e))?)
            }
        };
        if status == 200 {
            return String::from_utf8(bytes.to_vec()).map_err(|_| {
                Failure::new(502, "unexpected_response", "the sidecar answered with a body that is not UTF-8 JSON")
                    .with_function(function)
            });
        }
        Err(Failure::from_envelope(status, &bytes, function))
    }

    /// True when the sidecar answers `GET /readyz` with 200.
    pub async fn is_ready(&self, base_url: &str) -> bool {
        let probe = self.http.get(format!("{base_url}/readyz")).timeout(Duration::from_millis(500)).send();
        matches!(probe.await, Ok(r) if r.status().as_u16() == 200)
    }

    /// GETs an authenticated operational path (`/metrics`, `/__forst/version`, `/__forst/manifest`) as text.
    pub async fn get_text(&self, at: &Endpoint, path: &str) -> Result<String, Failure> {
        let r = self
            .http
            .get(format!("{}{path}", at.base_url))
            .header(TOKEN_HEADER, &at.token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| transport_failure("", &e))?;
        let status = r.status().as_u16();
        let body = r.bytes().await.map_err(|e| transport_failure("", &e))?;
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

/// The connection could not even be opened: nothing was sent.
fn not_connected(function: &str, url: &str, e: &dyn std::fmt::Display) -> Failure {
    Failure::new(503, "unavailable", format!("{NOT_CONNECTED} at {url} ({e}); is it running?")).with_function(function)
}

/// True for a call that failed before its request left (connection refused): safe to send again.
pub fn never_sent(f: &Failure) -> bool {
    f.code == "unavailable" && f.message.starts_with(NOT_CONNECTED)
}

fn transport_failure(function: &str, e: &dyn std::fmt::Display) -> Failure {
    let mut f = Failure::new(
        503,
        "unavailable",
        format!("the call could not reach the Forst sidecar ({e}); it may have exited or be restarting — the call was not retried, because it may already have run"),
    );
    if !function.is_empty() {
        f = f.with_function(function);
    }
    f
}
