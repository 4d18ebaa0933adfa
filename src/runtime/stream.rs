//! Streaming calls: the request body goes to the sidecar in the chunks JS writes (a route handler piping an HTTP
//! request), and the answer comes back in chunks JS reads, with backpressure both ways — nothing holds a whole body.
//!
//! Each stream has its own connection to the child (peer-checked like the pool's, counted in the connection
//! budget), because a request whose body is still being written cannot share a pooled connection. A task drives the
//! request: it sends the body as the [`Channel`] fills, hands over the response status, then forwards the response
//! body through a bounded channel, which slows the sidecar down (TCP flow control) when JS reads slowly. Dropping the
//! task (abort, timeout, the client going away) closes the connection, and the sidecar cancels the call's context.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::channel::{Channel, Sender};
use http_body_util::BodyExt;
use hyper::body::Frame;
use tokio::sync::{mpsc, oneshot};

use super::client::{self, Endpoint};
use super::failure::Failure;
use super::supervisor::Child;
use super::Runtime;

/// Request chunks buffered between JS and the connection (each is one `req` chunk, typically 16–64 KiB).
const REQUEST_CHUNKS: usize = 8;
/// Response chunks buffered between the connection and JS.
const RESPONSE_CHUNKS: usize = 16;
/// One read from JS returns at most this much (what is already buffered, joined): fewer crossings for large answers.
const READ_BATCH: usize = 1 << 20;

/// The streams in flight, by id.
#[derive(Default)]
pub struct Streams {
    next: AtomicU32,
    open: Mutex<HashMap<u32, Arc<StreamCall>>>,
}

struct StreamCall {
    body: tokio::sync::Mutex<Option<Sender<Bytes>>>,
    head: Mutex<Option<oneshot::Receiver<Result<u16, Failure>>>>,
    chunks: tokio::sync::Mutex<mpsc::Receiver<Result<Bytes, Failure>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StreamCall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn gone(id: u32) -> Failure {
    Failure::new(500, "internal", format!("stream {id} is not open (it ended, failed or was aborted)"))
}

impl Streams {
    fn get(&self, id: u32) -> Result<Arc<StreamCall>, Failure> {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned().ok_or_else(|| gone(id))
    }

    fn remove(&self, id: u32) {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    /// Queues a request chunk if there is room now; `false` when the buffer is full (use [`Streams::write`]).
    pub fn try_write(&self, id: u32, chunk: &[u8]) -> Result<bool, Failure> {
        let call = self.get(id)?;
        let Ok(mut body) = call.body.try_lock() else { return Ok(false) };
        let Some(sender) = body.as_mut() else { return Err(gone(id)) };
        // Full or closed (the sidecar answered early, e.g. 413) — which one is not told apart here, because room can
        // appear between the attempt and a look at the capacity: the caller retries with `write`, which waits for
        // room and drops the chunk only when the request is really over.
        Ok(sender.try_send(Frame::data(Bytes::copy_from_slice(chunk))).is_ok())
    }

    /// Queues a request chunk, waiting for room.
    pub async fn write(&self, id: u32, chunk: Bytes) -> Result<(), Failure> {
        let call = self.get(id)?;
        let mut body = call.body.lock().await;
        let Some(sender) = body.as_mut() else { return Err(gone(id)) };
        // An error means the request is over (the sidecar answered without reading it all): the head says why.
        let _ = sender.send_data(chunk).await;
        Ok(())
    }

    /// The request body is complete.
    pub async fn end(&self, id: u32) {
        if let Ok(call) = self.get(id) {
            call.body.lock().await.take();
        }
    }

    /// The answer's HTTP status (200, or the status of the error envelope the body then holds).
    pub async fn head(&self, id: u32) -> Result<u16, Failure> {
        let call = self.get(id)?;
        let rx = call.head.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| gone(id))?;
        let head = rx.await.unwrap_or_else(|_| Err(gone(id)));
        if head.is_err() {
            self.remove(id);
        }
        head
    }

    /// The next part of the answer: everything buffered, up to [`READ_BATCH`]; `None` at the end.
    pub async fn read(&self, id: u32) -> Result<Option<Bytes>, Failure> {
        let call = self.get(id)?;
        let mut chunks = call.chunks.lock().await;
        let first = match chunks.recv().await {
            None => {
                drop(chunks);
                self.remove(id);
                return Ok(None);
            }
            Some(Err(f)) => {
                drop(chunks);
                self.remove(id);
                return Err(f);
            }
            Some(Ok(b)) => b,
        };
        if first.len() >= READ_BATCH {
            return Ok(Some(first));
        }
        let mut joined = BytesMut::from(&first[..]);
        while joined.len() < READ_BATCH {
            match chunks.try_recv() {
                Ok(Ok(b)) => joined.extend_from_slice(&b),
                Ok(Err(f)) => {
                    // Deliver what came before the failure; the failure comes with the next read.
                    let (tx, rx) = mpsc::channel(1);
                    let _ = tx.try_send(Err(f));
                    *chunks = rx;
                    break;
                }
                Err(_) => break,
            }
        }
        Ok(Some(joined.freeze()))
    }

    /// Ends the stream now: the connection closes and the sidecar cancels the call. No-op when it already ended.
    pub fn abort(&self, id: u32) {
        // The task, not the map entry: a pending head() or read() holds the call too.
        let call = self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        if let Some(call) = call {
            call.task.abort();
        }
    }
}

impl Runtime {
    /// Opens a streaming call to `name`; the id is used with [`Streams`]. `timeout_ms` 0: `timeouts.callMs`.
    /// `format`: how a streaming endpoint's items come back (`X-Forst-Stream`: `ndjson`, `array` or `internal`; see
    /// runtime/go/stream.go); other endpoints ignore it.
    pub async fn open_stream(&self, name: &str, timeout_ms: u32, format: Option<&str>) -> Result<u32, Failure> {
        let (route, remote) = self.route_for(name)?;
        let timeout = self.call_timeout(timeout_ms);
        // The spawned child (whose fate explains a lost connection), or connect mode's sidecar.
        let (at, child) = match remote {
            Some(r) => (r.at.clone(), None),
            None => {
                let child = self.supervisor.ready_child().await?;
                (child.at.clone(), Some(child))
            }
        };
        let slot = self.supervisor.client.connection_slot(name).await?;
        let (body_tx, body) = Channel::<Bytes>::new(REQUEST_CHUNKS);
        let mut request = hyper::Request::post(route.as_str())
            .header(hyper::header::HOST, at.authority())
            .header(client::TOKEN_HEADER, &at.token)
            .header(hyper::header::CONTENT_TYPE, "application/json");
        if let Some(contract) = &at.contract {
            request = request.header(client::CONTRACT_HEADER, contract);
        }
        if let Some(format) = format {
            request = request.header("x-forst-stream", format);
        }
        let request = request
            .body(body)
            .map_err(|e| Failure::new(500, "internal", format!("could not build the request: {e}")))?;
        let mut sender = connect(&at).await.map_err(|e| e.into_failure(name))?;
        let (head_tx, head_rx) = oneshot::channel();
        let (chunk_tx, chunk_rx) = mpsc::channel(RESPONSE_CHUNKS);
        let function = name.to_string();
        let task = tokio::spawn(async move {
            let _slot = slot;
            let exchange = drive(&mut sender, request, head_tx, &chunk_tx, child.as_deref(), &function);
            let outcome = match timeout {
                Some(limit) => {
                    tokio::time::timeout(limit, exchange).await.err().map(|_| super::timed_out(&function, limit))
                }
                None => {
                    exchange.await;
                    None
                }
            };
            if let Some(f) = outcome {
                // The head may already be gone; then the failure ends the body instead.
                let _ = chunk_tx.send(Err(f)).await;
            }
        });
        let id = self.streams.next.fetch_add(1, Ordering::Relaxed);
        let call = StreamCall {
            body: tokio::sync::Mutex::new(Some(body_tx)),
            head: Mutex::new(Some(head_rx)),
            chunks: tokio::sync::Mutex::new(chunk_rx),
            task,
        };
        self.streams.open.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Arc::new(call));
        Ok(id)
    }

    /// A call's timeout: its own, else `timeouts.callMs`; `None` for none.
    pub(super) fn call_timeout(&self, timeout_ms: u32) -> Option<Duration> {
        let default = self.config.lock().ok().and_then(|c| c.as_ref().map(|c| c.call_timeout_ms)).unwrap_or(0);
        let ms = if timeout_ms > 0 { u64::from(timeout_ms) } else { default };
        (ms > 0).then(|| Duration::from_millis(ms))
    }
}

/// Sends the request, hands over the status, forwards the body. A failure before the status goes to the head.
async fn drive(
    sender: &mut hyper::client::conn::http1::SendRequest<Channel<Bytes>>,
    request: hyper::Request<Channel<Bytes>>,
    head: oneshot::Sender<Result<u16, Failure>>,
    chunks: &mpsc::Sender<Result<Bytes, Failure>>,
    child: Option<&Child>,
    function: &str,
) {
    let lost = |detail: String| async move {
        match child {
            Some(child) => super::lost(child, function, &detail).await,
            None => client::transport_failure(function, &detail),
        }
    };
    let response = match sender.send_request(request).await {
        Ok(r) => r,
        Err(e) => {
            let _ = head.send(Err(lost(e.to_string()).await));
            return;
        }
    };
    let _ = head.send(Ok(response.status().as_u16()));
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    if chunks.send(Ok(data)).await.is_err() {
                        return; // JS stopped reading (aborted): dropping the body closes the connection
                    }
                }
            }
            Err(e) => {
                let _ = chunks.send(Err(lost(e.to_string()).await)).await;
                return;
            }
        }
    }
}

/// Why a streaming connection could not be made.
enum ConnectError {
    Untrusted(String),
    Failed(String),
}

impl ConnectError {
    fn into_failure(self, function: &str) -> Failure {
        match self {
            ConnectError::Untrusted(why) => Failure::new(503, "socket_unsafe", why).with_function(function),
            ConnectError::Failed(detail) => client::transport_failure(function, &detail),
        }
    }
}

/// A connection of its own to the sidecar: a spawned child's socket (peer-checked) or, with `FORST_TRANSPORT=tcp` and
/// in connect mode, its TCP address.
async fn connect(at: &Endpoint) -> Result<hyper::client::conn::http1::SendRequest<Channel<Bytes>>, ConnectError> {
    use super::socket_pool::PostError;
    if let Some(pool) = &at.via_socket {
        return pool.connect_with().await.map_err(|e| match e {
            PostError::Untrusted(why) => ConnectError::Untrusted(why),
            other => ConnectError::Failed(other.to_string()),
        });
    }
    let stream =
        tokio::net::TcpStream::connect(at.authority()).await.map_err(|e| ConnectError::Failed(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .map_err(|e| ConnectError::Failed(e.to_string()))?;
    tokio::spawn(connection);
    Ok(sender)
}
