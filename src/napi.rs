//! The napi boundary: argument conversion and error mapping only.
//!
//! Every failure crosses as a JS `Error` whose message is `FORST_ERROR:` + the JSON envelope
//! (`{"error": {"status", "code", "message", "function", "location"}}`); `lib/core.js` turns it into a `ForstError`.
//! Async functions run on napi's tokio runtime; nothing here keeps Node's event loop alive.

use std::path::PathBuf;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::runtime::{self, failure::Failure, ProjectRequest};

fn to_js(f: Failure) -> Error {
    Error::new(Status::GenericFailure, format!("FORST_ERROR:{}", f.to_envelope()))
}

#[napi(object)]
pub struct ProjectOptions {
    /// Where to look for the project (`process.cwd()`).
    pub cwd: String,
    /// The `forst.config.*` file the JS side loaded.
    pub config_file: Option<String>,
    /// Its exported value.
    pub file_config: Option<Value>,
    /// Options passed to `start()`.
    pub overrides: Option<Value>,
    /// The package folder to generate functions into.
    pub package_dir: Option<String>,
}

impl From<ProjectOptions> for ProjectRequest {
    fn from(o: ProjectOptions) -> Self {
        ProjectRequest {
            cwd: PathBuf::from(o.cwd),
            config_file: o.config_file.map(PathBuf::from),
            file_config: o.file_config.unwrap_or(Value::Null),
            overrides: o.overrides.unwrap_or(Value::Null),
            package_dir: o.package_dir.map(PathBuf::from),
            no_auth: false,
            stable_port: false,
            docs: false,
            session_token: None,
        }
    }
}

#[napi(object)]
pub struct StartResult {
    pub url: String,
    pub port: u32,
    pub pid: u32,
    pub routes: Vec<String>,
}

#[napi]
pub async fn start(options: ProjectOptions) -> Result<StartResult> {
    let info = runtime::runtime().start(options.into()).await.map_err(to_js)?;
    Ok(StartResult { url: info.url, port: u32::from(info.port), pid: info.pid, routes: info.routes })
}

/// Kills the `go build` of a start or reload in progress (SIGINT/SIGTERM handlers; `stop()` does it too).
#[napi]
pub fn cancel_builds() {
    runtime::build::cancel_builds();
}

#[napi]
pub async fn stop() -> Result<()> {
    runtime::runtime().stop().await;
    Ok(())
}

/// One call. `body` is the JSON text of the arguments, as a string or as bytes (a `Buffer`/`Uint8Array` is used
/// as it is, never decoded into a string); resolves to the JSON text of the result, or to its bytes with `asBuffer`.
#[napi]
pub async fn invoke(
    name: String,
    body: Either<String, Uint8Array>,
    call_id: u32,
    timeout_ms: u32,
    as_buffer: bool,
) -> Result<Either<String, Buffer>> {
    let body = match body {
        Either::A(text) => bytes::Bytes::from(text),
        Either::B(bytes) => bytes::Bytes::copy_from_slice(&bytes),
    };
    let answer = runtime::runtime().invoke(&name, body, call_id, timeout_ms).await.map_err(to_js)?;
    let bytes = Vec::from(answer);
    if as_buffer {
        return Ok(Either::B(bytes.into()));
    }
    String::from_utf8(bytes).map(Either::A).map_err(|_| {
        to_js(
            Failure::new(502, "unexpected_response", "the sidecar answered with a body that is not UTF-8 JSON")
                .with_function(&name),
        )
    })
}

/// The active child for the small-call fast path (`lib/fast_path.js`), or `null` when calls must use `invoke`.
#[napi(object)]
pub struct FastTarget {
    pub generation: u32,
    pub host: String,
    pub token: String,
    /// `timeouts.callMs` (0: none), for calls without a `timeoutMs` of their own.
    pub call_timeout_ms: u32,
    /// `limits.connections`.
    pub max_connections: u32,
}

/// The generation of the child the fast path may call, 0 when none (cheap: checked on every fast call).
#[napi]
pub fn fast_generation() -> u32 {
    runtime::runtime().fast_child().map(|c| u32::try_from(c.generation).unwrap_or(0)).unwrap_or(0)
}

#[napi]
pub fn fast_target() -> Option<FastTarget> {
    runtime::runtime().fast_target().map(|t| FastTarget {
        generation: u32::try_from(t.generation).unwrap_or(u32::MAX),
        host: t.host,
        token: t.token,
        call_timeout_ms: u32::try_from(t.call_timeout_ms).unwrap_or(u32::MAX),
        max_connections: u32::try_from(t.max_connections).unwrap_or(u32::MAX),
    })
}

/// A peer-checked connection to the child of `generation`, as a file descriptor for `new net.Socket({ fd })`.
#[napi]
pub fn fast_connect(generation: u32) -> Result<i32> {
    runtime::runtime().connect_child(u64::from(generation)).map_err(to_js)
}

/// A fast call lost its connection after sending: resolves to `null` when it may be sent again (the child was
/// retired by a hot swap), else to the failure's envelope.
#[napi]
pub async fn fast_lost(name: String, generation: u32, detail: String) -> Option<String> {
    match runtime::runtime().explain_lost(&name, u64::from(generation), &detail).await {
        runtime::fast_path::Lost::Retry => None,
        runtime::fast_path::Lost::Failed(f) => Some(f.to_envelope()),
    }
}

/// The route of a function in the running version.
#[napi]
pub fn route_of(name: String) -> Option<String> {
    runtime::runtime().supervisor.route_of(&name)
}

/// A fast-path call started (the in-flight gauge of `metrics()`); `recordCall` ends it.
#[napi]
pub fn call_started() {
    runtime::runtime().metrics.start();
}

/// Counts a call the fast path made in `metrics()` (`code` null for success).
#[napi]
pub fn record_call(name: String, code: Option<String>, micros: f64) {
    runtime::runtime().metrics.end();
    let failure = code.map(|c| Failure::new(0, &c, ""));
    let took = std::time::Duration::from_micros(micros.max(0.0) as u64);
    runtime::runtime().metrics.record(&name, failure.as_ref().map_or(Ok(()), Err), took);
}

/// Opens a streaming call (a route handler's, or a streaming endpoint's AsyncIterable): resolves to its id once the
/// sidecar is reached. `format`: how a streaming endpoint answers (`ndjson`, `array`, `internal`).
#[napi]
pub async fn stream_open(name: String, timeout_ms: u32, format: Option<String>) -> Result<u32> {
    runtime::runtime().open_stream(&name, timeout_ms, format.as_deref()).await.map_err(to_js)
}

/// Queues a chunk of the request body if there is room; `false` when full (then use `streamWriteAsync`).
#[napi]
pub fn stream_write(id: u32, chunk: &[u8]) -> Result<bool> {
    runtime::runtime().streams.try_write(id, chunk).map_err(to_js)
}

/// Queues a chunk of the request body, resolving when there was room.
#[napi]
pub async fn stream_write_async(id: u32, chunk: Uint8Array) -> Result<()> {
    let chunk = bytes::Bytes::copy_from_slice(&chunk);
    runtime::runtime().streams.write(id, chunk).await.map_err(to_js)
}

/// The request body is complete.
#[napi]
pub async fn stream_end(id: u32) {
    runtime::runtime().streams.end(id).await;
}

/// The answer's HTTP status.
#[napi]
pub async fn stream_head(id: u32) -> Result<u32> {
    runtime::runtime().streams.head(id).await.map(u32::from).map_err(to_js)
}

/// The next part of the answer (`null` at the end).
#[napi]
pub async fn stream_read(id: u32) -> Result<Option<Buffer>> {
    let part = runtime::runtime().streams.read(id).await.map_err(to_js)?;
    Ok(part.map(|b| Vec::from(b).into()))
}

/// Ends a stream now; the sidecar cancels the call.
#[napi]
pub fn stream_abort(id: u32) {
    runtime::runtime().streams.abort(id);
}

#[napi]
pub fn cancel(call_id: u32) {
    runtime::runtime().cancel(call_id);
}

#[napi(object)]
pub struct BuildStatus {
    pub hash: String,
    pub cached: bool,
    pub go_version: String,
    pub binary: String,
    pub compile_ms: f64,
    pub build_ms: f64,
    /// The binary `forst build` left in outputDir, run without Go (production mode).
    pub prebuilt: bool,
}

/// The crash-loop state while the sidecar waits to be restarted.
#[napi(object)]
pub struct RestartStatus {
    /// Crashes in a row (1 for the first).
    pub attempt: u32,
    pub backoff_ms: f64,
    /// When the next sidecar is started (ms since the Unix epoch, like `Date.now()`).
    pub retry_at: f64,
    pub cause: String,
}

#[napi(object)]
pub struct StatusResult {
    pub state: String,
    /// `spawned` (built here), `prebuilt` (production mode) or `connect` (a sidecar this process did not start).
    pub mode: String,
    pub pid: Option<u32>,
    pub url: Option<String>,
    /// The Unix socket this process's calls use (`FORST_TRANSPORT`), when the sidecar has one.
    pub socket: Option<String>,
    pub port: Option<u32>,
    pub restarts: u32,
    /// The last failure as its JSON envelope (parse it with `ForstError.fromEnvelope`).
    pub last_error: Option<String>,
    /// Set while the sidecar is `restarting` after a crash: the backoff and its cause.
    pub restart: Option<RestartStatus>,
    pub build: Option<BuildStatus>,
}

#[napi]
pub fn status() -> StatusResult {
    let rt = runtime::runtime();
    let mut s = rt.supervisor.status();
    if let Some((state, url, reconnects)) = rt.remote_status() {
        s = runtime::supervisor::Status {
            state,
            url: Some(url),
            restarts: reconnects,
            pid: None,
            socket: None,
            port: None,
            ..s
        };
    }
    StatusResult {
        state: s.state.as_str().to_string(),
        mode: runtime::runtime().mode().to_string(),
        pid: s.pid,
        url: s.url,
        socket: s.socket.map(|p| p.display().to_string()),
        port: s.port.map(u32::from),
        restarts: s.restarts,
        last_error: s.last_error.map(|f| f.to_envelope()),
        restart: s.restart.map(|r| RestartStatus {
            attempt: r.attempt,
            backoff_ms: r.backoff_ms as f64,
            retry_at: r.retry_at_ms as f64,
            cause: r.cause,
        }),
        build: s.build.map(|b| BuildStatus {
            hash: b.hash,
            cached: b.cached,
            go_version: b.go_version,
            binary: b.binary,
            compile_ms: b.compile_ms,
            build_ms: b.build_ms,
            prebuilt: b.prebuilt,
        }),
    }
}

/// The client's view of its calls: calls, errors by code, latency percentiles (ms), restarts, per function.
#[napi]
pub fn metrics() -> Value {
    runtime::runtime().metrics_snapshot()
}

/// The same in the Prometheus text format (`forst_client_*`).
#[napi]
pub fn metrics_prometheus() -> String {
    runtime::runtime().metrics_prometheus()
}

/// The sidecar's own `GET /metrics` (Prometheus text).
#[napi]
pub async fn sidecar_metrics() -> Result<String> {
    runtime::runtime().sidecar_metrics().await.map_err(to_js)
}

#[napi(object)]
pub struct GenerateResult {
    /// Endpoint names that were generated.
    pub functions: Vec<String>,
    /// Rendered warnings (empty when none).
    pub warnings: String,
    /// The directory the functions were written to.
    pub dir: Option<String>,
}

/// Compiles the project and writes the generated functions into `packageDir` (synchronous: compiling is fast).
#[napi(catch_unwind)]
pub fn generate(options: ProjectOptions) -> Result<GenerateResult> {
    let package_dir = options.package_dir.clone().map(PathBuf::from);
    let req: ProjectRequest = options.into();
    let config = runtime::resolve_config(&req).map_err(to_js)?;
    let (sources, result) = runtime::build::compile_project(&config).map_err(to_js)?;
    let (compiled, warnings) =
        runtime::build::require_output(&config, &sources, result, runtime::stderr_color()).map_err(to_js)?;
    let mut written = None;
    if let Some(dir) = package_dir {
        written = Some(runtime::generate::write(&dir, &config, &compiled).map_err(|e| {
            to_js(Failure::new(
                500,
                "io_error",
                format!("could not write generated functions into {}: {e}", dir.display()),
            ))
        })?);
    }
    let functions = compiled.manifest.endpoints.iter().map(|e| e.name.clone()).collect();
    Ok(GenerateResult { functions, warnings, dir: written.map(|d| d.display().to_string()) })
}

#[napi(object)]
pub struct CliOutcome {
    pub exit_code: i32,
    pub keep_alive: bool,
}

/// The `forst` command line; `argv` excludes the program name.
#[napi]
pub async fn cli(argv: Vec<String>, options: ProjectOptions) -> Result<CliOutcome> {
    let outcome = crate::cli::run(argv, options.into()).await;
    Ok(CliOutcome { exit_code: outcome.exit_code, keep_alive: outcome.keep_alive })
}

/// The running sidecar's per-spawn token. Internal: for `forst dev` and the package's own tests, which call the
/// sidecar over raw HTTP to check what it refuses. Not part of the public surface (index.js does not export it).
#[napi]
pub fn internal_token() -> Option<String> {
    runtime::runtime().supervisor.token()
}

/// Echoes a string through napi's tokio runtime without any HTTP. Internal: the benchmark uses it to split a call's
/// cost into the JS ↔ Rust crossing (this) and the HTTP leg.
#[napi]
pub async fn round_trip(body: String) -> String {
    body
}

/// napi's tokio runtime, sized for this workload. Compiles and `go build`s run on the blocking pool, so the workers
/// only move HTTP calls. With one worker, a call's request task, hyper's connection task and the I/O driver share a
/// thread: each call wakes one parked thread instead of several. `FORST_RUNTIME_THREADS` overrides.
#[napi_derive::module_init]
fn init_runtime() {
    let workers = std::env::var("FORST_RUNTIME_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    if let Ok(rt) =
        tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().thread_name("forst-rt").build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(rt);
    }
}
