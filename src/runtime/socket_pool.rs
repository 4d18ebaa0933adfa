//! Calls over one sidecar's Unix socket, on bare hyper HTTP/1.1 connections kept in a small idle stack.
//!
//! Why not reqwest's pool, which serves TCP: measured at the floor (`bench/suites/transports.mjs`, Go echo, same
//! socket, one run), a 100 B call took 0.061 ms p50 on a bare hyper connection and 0.092 ms through reqwest; with 64 in
//! flight 0.42 vs 0.74 ms. The difference is per-request work reqwest does for the general case (URL parsing, a
//! pool keyed by scheme and host, its service layers). This socket belongs to one child and one process, so none of
//! that is needed: no keys, no proxy, no TLS, no redirects.
//!
//! Cancellation is the same as with reqwest: a call whose future is dropped (AbortSignal, timeout) drops its
//! connection, the Go server sees it close and cancels the request's context. Such a connection is never reused.
//!
//! Every new connection is checked before anything is written to it: the socket file must still be in our private
//! directory (see [`super::socket_dir`]), and the peer must be the child we spawned ([`verify_peer`]: its pid and our
//! uid). The token is never sent to anyone else.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST};

/// More idle connections than this are closed instead of kept (a burst of 10,000 concurrent calls must not leave
/// 10,000 open sockets behind).
const MAX_IDLE: usize = 512;

pub struct SocketPool {
    path: PathBuf,
    /// The pid of the child that must be at the other end of every connection.
    #[cfg_attr(not(unix), allow(dead_code))] // no connections without Unix sockets
    peer_pid: u32,
    /// The Host header: the sidecar refuses requests whose Host is not loopback, on the socket as on TCP.
    host: HeaderValue,
    /// The child's token. The pool lives and dies with its child, so both headers are built once, not per call.
    token: HeaderValue,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

/// The status and body of an answer.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// Why a request failed. `NotSent`: nothing reached the server (no connection, or a refused peer), so sending it
/// again elsewhere cannot run it twice. `Failed`: it may have run.
#[derive(Debug)]
pub enum PostError {
    NotSent(String),
    Failed(String),
    /// The process at the other end is not our child: nothing was sent, and nothing should be.
    Untrusted(String),
}

impl std::fmt::Display for PostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostError::NotSent(m) | PostError::Failed(m) | PostError::Untrusted(m) => f.write_str(m),
        }
    }
}

impl SocketPool {
    /// `None` when `host` or `token` cannot be a header value (never for an `ip:port` and a hex token).
    pub fn new(path: &Path, peer_pid: u32, host: &str, token: &str) -> Option<SocketPool> {
        Some(SocketPool {
            path: path.to_owned(),
            peer_pid,
            host: HeaderValue::from_str(host).ok()?,
            token: HeaderValue::from_str(token).ok()?,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// POSTs `body` as JSON to `route`.
    pub async fn post(&self, route: &str, body: Bytes) -> Result<Answer, PostError> {
        let request = || {
            hyper::Request::post(route)
                .header(HOST, &self.host)
                .header(super::client::TOKEN_HEADER, &self.token)
                .header(CONTENT_TYPE, "application/json")
                .body(Full::new(body.clone()))
                .map_err(|e| PostError::NotSent(format!("could not build the request: {e}")))
        };
        // An idle connection may have been closed by the server a moment ago (its idle timeout) without the close
        // having been seen yet. hyper hands back a request it could not send at all; only that one is retried, on a
        // fresh connection — a request that was sent may have run, and is never sent twice.
        if let Some(mut sender) = self.checkout() {
            match sender.try_send_request(request()?).await {
                Ok(response) => return self.finish(sender, response).await,
                Err(mut e) => {
                    if e.take_message().is_none() {
                        return Err(PostError::Failed(format!("the connection failed: {}", e.error())));
                    }
                }
            }
        }
        let mut sender = self.connect().await?;
        let response = sender
            .send_request(request()?)
            .await
            .map_err(|e| PostError::Failed(format!("the connection failed: {e}")))?;
        self.finish(sender, response).await
    }

    /// `GET route` on a connection of its own (not from the pool, so a probe never waits behind calls), within
    /// `timeout`: the status, or why there was none.
    pub async fn probe(&self, route: &str, timeout: std::time::Duration) -> Result<u16, String> {
        self.get(route, timeout, false).await.map(|answer| answer.status)
    }

    /// `GET route` on a connection of its own within `timeout`, with the token when `authenticated` (`/metrics`,
    /// `/__forst/version`): the answer, or why there was none.
    pub async fn get(&self, route: &str, timeout: std::time::Duration, authenticated: bool) -> Result<Answer, String> {
        let attempt = async {
            let mut sender = self.connect().await.map_err(|e| e.to_string())?;
            let mut request = hyper::Request::get(route).header(HOST, &self.host);
            if authenticated {
                request = request.header(super::client::TOKEN_HEADER, &self.token);
            }
            let request =
                request.body(Full::new(Bytes::new())).map_err(|e| format!("could not build the request: {e}"))?;
            let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok(Answer { status, body })
        };
        tokio::time::timeout(timeout, attempt).await.unwrap_or_else(|_| Err(format!("no answer within {timeout:?}")))
    }

    /// Closes the idle connections (a retired child then sees its clients gone and finishes draining at once).
    pub fn close_idle(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    async fn finish(
        &self,
        sender: SendRequest<Full<Bytes>>,
        response: hyper::Response<hyper::body::Incoming>,
    ) -> Result<Answer, PostError> {
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| PostError::Failed(format!("reading the answer failed: {e}")))?
            .to_bytes();
        self.checkin(sender);
        Ok(Answer { status, body })
    }

    fn checkout(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // Connections the server closed while idle are dropped here.
        while let Some(sender) = idle.pop() {
            if sender.is_ready() {
                return Some(sender);
            }
        }
        None
    }

    fn checkin(&self, sender: SendRequest<Full<Bytes>>) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE && !sender.is_closed() {
            idle.push(sender);
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, PostError> {
        self.connect_with().await
    }

    /// A new, peer-checked connection whose requests have bodies of type `B` (streaming calls use a channel body).
    #[cfg(unix)]
    pub async fn connect_with<B>(&self) -> Result<SendRequest<B>, PostError>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let stream = tokio::net::UnixStream::connect(&self.path)
            .await
            .map_err(|e| PostError::NotSent(format!("could not connect to {}: {e}", self.path.display())))?;
        verify_peer(std::os::unix::io::AsRawFd::as_raw_fd(&stream), &self.path, self.peer_pid)
            .map_err(PostError::Untrusted)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| PostError::NotSent(format!("HTTP handshake failed: {e}")))?;
        // The connection task ends when the sender is dropped or the server closes the socket.
        tokio::spawn(connection);
        Ok(sender)
    }

    #[cfg(not(unix))]
    pub async fn connect_with<B>(&self) -> Result<SendRequest<B>, PostError> {
        Err(PostError::NotSent("Unix sockets are not available on this platform".into()))
    }
}

/// The process at the other end of the connected socket `fd` (to `path`) must be our child `pid`, running as us. Used
/// by this pool and by the fast path's connections. (`pid` 0: tests with a server of their own.)
#[cfg(unix)]
pub fn verify_peer(fd: std::os::unix::io::RawFd, path: &Path, pid: u32) -> Result<(), String> {
    let peer = super::os::peer_credentials(fd)
        .map_err(|e| format!("could not read the credentials of {}: {e}", path.display()))?;
    let me = super::os::effective_uid();
    let pid_ok = pid == 0 || peer.pid == Some(pid);
    if peer.uid != me || !pid_ok {
        let peer_pid = peer.pid.map_or_else(|| "unknown".to_string(), |p| p.to_string());
        return Err(format!(
            "refused to talk to {}: the process listening there (pid {peer_pid}, uid {}) is not the sidecar this \
             process started (pid {pid}, uid {me}); nothing was sent",
            path.display(),
            peer.uid,
        ));
    }
    Ok(())
}

impl std::fmt::Debug for SocketPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketPool").field("path", &self.path).finish_non_exhaustive()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers one request per connection and then closes it, as Go does when a keep-alive connection
    /// reaches its idle timeout: the pool must notice and open a new connection instead of failing the next call.
    #[tokio::test]
    async fn a_connection_the_server_closed_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let server = tokio::spawn(async move {
            let mut requests = Vec::new();
            for _ in 0..2 {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap();
                requests.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await.unwrap();
                stream.shutdown().await.unwrap();
            }
            requests
        });
        let pool = SocketPool::new(&path, std::process::id(), "127.0.0.1:8080", "secret").unwrap();
        for _ in 0..2 {
            let answer = pool.post("/echo", Bytes::from_static(b"[1]")).await.unwrap();
            assert_eq!((answer.status, &answer.body[..]), (200, &b"{}"[..]));
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let requests = server.await.unwrap();
        assert!(requests[0].starts_with("POST /echo HTTP/1.1\r\n"), "{}", requests[0]);
        let head = requests[0].to_lowercase();
        assert!(head.contains("host: 127.0.0.1:8080") && head.contains("x-forst-token: secret"), "{head}");
        assert!(requests[1].ends_with("[1]"), "{}", requests[1]);
    }

    #[tokio::test]
    async fn a_missing_socket_is_an_error_naming_it() {
        let pool = SocketPool::new(Path::new("/nonexistent/forst.sock"), 1, "127.0.0.1:1", "t").unwrap();
        let err = pool.post("/x", Bytes::new()).await.err().unwrap();
        assert!(
            matches!(&err, PostError::NotSent(m) if m.contains("could not connect to /nonexistent/forst.sock")),
            "{err}"
        );
    }

    /// A listener that is not our child (here: this test process itself, not the pid the pool expects) gets nothing:
    /// the connection is refused before a byte is written.
    #[tokio::test]
    async fn a_peer_that_is_not_our_child_gets_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let received = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let _ = stream.read_to_end(&mut buf).await;
            buf
        });
        let pool = SocketPool::new(&path, std::process::id() + 1, "127.0.0.1:8080", "secret").unwrap();
        let err = pool.post("/echo", Bytes::from_static(b"[1]")).await.err().unwrap();
        assert!(
            matches!(&err, PostError::Untrusted(m) if m.contains("is not the sidecar this process started")),
            "{err}"
        );
        assert!(received.await.unwrap().is_empty(), "not a byte (and not the token) reached the impostor");
    }
}
