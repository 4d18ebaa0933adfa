//! The runtime: everything between a Forst project on disk and a JS call.
//!
//! [`config`] resolves the configuration, [`build`] compiles and `go build`s with a content-hash cache, [`generate`]
//! writes the typed JS functions into the package folder, [`supervisor`] runs the sidecar, [`client`] makes the HTTP
//! hop. [`Runtime`] ties them together for the napi glue and the CLI; there is one per process.

pub mod announce;
pub mod build;
pub mod client;
pub mod config;
pub mod container;
pub mod failure;
pub mod fast_path;
pub mod generate;
pub mod gocheck;
pub mod metrics;
pub mod os;
pub mod prebuilt;
pub mod progress;
pub mod remote;
#[cfg(unix)]
pub mod socket_dir;
/// Windows has no Unix sockets for the sidecar: [`socket_dir::SocketDir`] cannot exist there.
#[cfg(not(unix))]
#[path = "runtime/socket_dir_none.rs"]
pub mod socket_dir;
pub mod socket_pool;
pub mod stream;
pub mod supervisor;
pub mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::oneshot;

use client::CallError;
use config::Config;
use failure::Failure;
use supervisor::{State, Supervisor};

/// Where a project is and how the user configured it (the JS side loads `forst.config.js` and passes its value).
#[derive(Clone, Debug, Default)]
pub struct ProjectRequest {
    /// Directory to search from (`process.cwd()`), or the project root itself.
    pub cwd: PathBuf,
    /// The config file the JS side loaded, if any.
    pub config_file: Option<PathBuf>,
    /// Its exported value (`null` when none).
    pub file_config: Value,
    /// Options passed to `start()`, same keys as the config file; they win over it.
    pub overrides: Value,
    /// The npm package folder, where generated functions are written (Prisma-client pattern).
    pub package_dir: Option<PathBuf>,
    /// `forst dev --no-auth`.
    pub no_auth: bool,
    /// `forst dev`: same URL across reloads (see [`Config::stable_port`]).
    pub stable_port: bool,
    /// `forst dev`: serve the API docs page (see [`Config::docs_dir`]).
    pub docs: bool,
    /// `forst dev`: the session's token (see [`Config::session_token`]).
    pub session_token: Option<String>,
}

/// What `start()` resolves to.
#[derive(Clone, Debug)]
pub struct StartInfo {
    pub url: String,
    pub port: u16,
    pub pid: u32,
    pub routes: Vec<String>,
}

pub struct Runtime {
    pub supervisor: Arc<Supervisor>,
    /// Serialises start/stop so concurrent `start()` calls share one sidecar.
    lifecycle: tokio::sync::Mutex<()>,
    cancels: Mutex<HashMap<u32, oneshot::Sender<()>>>,
    config: Mutex<Option<Config>>,
    watch: Mutex<Option<watch::WatchHandle>>,
    pub streams: stream::Streams,
    pub metrics: metrics::ClientMetrics,
    /// Connect mode's sidecar (see [`remote`]); `None` when this process spawns its own.
    remote: Mutex<Option<Arc<remote::Remote>>>,
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The process-wide runtime.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| Runtime {
        supervisor: Arc::new(Supervisor::new()),
        lifecycle: tokio::sync::Mutex::new(()),
        cancels: Mutex::new(HashMap::new()),
        config: Mutex::new(None),
        watch: Mutex::new(None),
        streams: stream::Streams::default(),
        metrics: metrics::ClientMetrics::default(),
        remote: Mutex::new(None),
    })
}

/// Resolves the configuration for a request: finds the project root from `cwd`, merges file config, overrides and
/// environment. Config problems are one `config_invalid` failure listing all of them.
pub fn resolve_config(req: &ProjectRequest) -> Result<Config, Failure> {
    let root = match &req.config_file {
        Some(file) => file.parent().map(Path::to_path_buf).unwrap_or_else(|| req.cwd.clone()),
        None => config::find_project_root(&req.cwd).unwrap_or_else(|| req.cwd.clone()),
    };
    let env = |k: &str| std::env::var(k).ok();
    let resolved = Config::resolve_with(&root, req.config_file.as_deref(), &req.file_config, &req.overrides, &env);
    let mut config = resolved.map_err(|errors| {
        Failure::new(500, "config_invalid", format!("invalid Forst configuration:\n  {}", errors.join("\n  ")))
    })?;
    config.no_auth = req.no_auth;
    config.stable_port = req.stable_port;
    if req.docs {
        config.docs_dir = req.package_dir.as_deref().and_then(docs_dir);
    }
    config.session_token = req.session_token.clone();
    Ok(config)
}

/// The files of the docs page (Swagger UI's bundle and style sheet): shipped in the package's `assets/docs-ui/`
/// (copied there when the package is packed), or the `swagger-ui-dist` dependency in a checkout of the package.
pub fn docs_dir(package_dir: &Path) -> Option<PathBuf> {
    [package_dir.join("assets").join("docs-ui"), package_dir.join("node_modules").join("swagger-ui-dist")]
        .into_iter()
        .find(|d| d.join("swagger-ui-bundle.js").is_file() && d.join("swagger-ui.css").is_file())
}

/// Colours for diagnostics printed to our stderr: only on a TTY, never with `NO_COLOR`.
pub fn stderr_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

impl Runtime {
    /// Compile, build (or reuse the cached binary), generate the JS functions, spawn and wait for readiness.
    /// Idempotent: when the sidecar already runs, returns its info.
    pub async fn start(&self, req: ProjectRequest) -> Result<StartInfo, Failure> {
        let _guard = self.lifecycle.lock().await;
        if let Some(info) = self.running_info() {
            return Ok(info);
        }
        let config = resolve_config(&req)?;
        if let Some(sidecar) = config.sidecar.clone() {
            return self.connect(&req, config, sidecar).await;
        }
        let (built, go) = match obtain_build(&config).await {
            Ok(b) => b,
            Err(f) => {
                self.supervisor.record_error(f.clone());
                return Err(f);
            }
        };
        build::print_warnings(&config, &built.warnings, false);
        if let Some(dir) = &req.package_dir {
            // Types must follow the code; a read-only package folder is not a reason to refuse to run.
            if let Err(e) = generate::write(dir, &config, &built.compiled) {
                eprintln!("[forst] warning: could not write the generated functions into {}: {e}", dir.display());
            }
        }
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = Some(config.clone());
        self.supervisor.launch(config.clone(), built).await?;
        // A prebuilt binary runs as shipped: no Go to rebuild with, and nothing may be written.
        if let (true, Some(go)) = (config.watch, go) {
            let handle = watch::watch(self.supervisor.clone(), config, go, req.package_dir.clone())?;
            *self.watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
        self.running_info().ok_or_else(|| Failure::new(503, "unavailable", "the sidecar stopped right after starting"))
    }

    /// Connect mode's start: compile (no Go) for the routes, the generated functions and the contract, then reach the
    /// sidecar and compare contracts.
    async fn connect(
        &self,
        req: &ProjectRequest,
        config: Config,
        sidecar: config::RemoteSidecar,
    ) -> Result<StartInfo, Failure> {
        let (manifest, contract) = if config.forst_dir.is_dir() {
            let c = config.clone();
            let (sources, result) = run_blocking(move || build::compile_project(&c)).await?;
            let (compiled, warnings) = build::require_output(&config, &sources, result, stderr_color())?;
            build::print_warnings(&config, &warnings, false);
            if let Some(dir) = &req.package_dir {
                if let Err(e) = generate::write(dir, &config, &compiled) {
                    eprintln!("[forst] warning: could not write the generated functions into {}: {e}", dir.display());
                }
            }
            let contract = crate::compiler::manifest::contract(&compiled.manifest, &compiled.dts);
            (compiled.manifest, Some(contract))
        } else {
            // An app image without the .ft sources: the functions generated at build time know their contract.
            generate::read_manifest(req.package_dir.as_deref(), &config).ok_or_else(|| {
                Failure::new(
                    500,
                    "no_project",
                    format!(
                        "connect mode needs this app's functions: no Forst directory at {} and no generated functions in the package (run `npx forst generate` or `npx forst build` when building the image)",
                        config.forst_dir.display()
                    ),
                )
            })?
        };
        self.supervisor.client.set_max_connections(config.max_connections);
        let remote = remote::Remote::connect(&self.supervisor.client, &config, &sidecar, manifest, contract).await?;
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = Some(config);
        *self.remote.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(remote));
        self.running_info().ok_or_else(|| Failure::new(503, "unavailable", "the sidecar went away right after start()"))
    }

    fn remote(&self) -> Option<Arc<remote::Remote>> {
        self.remote.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Connect mode's `status()`: `ready` while the sidecar answers, `restarting` after a call could not reach it.
    pub fn remote_status(&self) -> Option<(State, String, u32)> {
        let r = self.remote()?;
        let state = if r.is_up() { State::Ready } else { State::Restarting };
        Some((state, r.at.base_url.clone(), r.reconnects.load(std::sync::atomic::Ordering::SeqCst)))
    }

    fn running_info(&self) -> Option<StartInfo> {
        if let Some(r) = self.remote() {
            let port = r.at.base_url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let routes = r.manifest.endpoints.iter().map(|e| format!("POST {} → {}", e.route, e.name)).collect();
            return Some(StartInfo { url: r.at.base_url.clone(), port, pid: 0, routes });
        }
        let status = self.supervisor.status();
        if status.state != State::Ready {
            return None;
        }
        let routes = status
            .manifest
            .map(|m| m.endpoints.iter().map(|e| format!("POST {} → {}", e.route, e.name)).collect())
            .unwrap_or_default();
        Some(StartInfo { url: status.url?, port: status.port?, pid: status.pid?, routes })
    }

    pub async fn stop(&self) {
        // A start() or reload that is still in `go build` holds the lifecycle lock: kill the build first (it fails
        // with `unavailable`) instead of waiting for it.
        build::cancel_builds();
        let _guard = self.lifecycle.lock().await;
        self.watch.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.remote.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.supervisor.stop().await;
    }

    /// One call: `body` is the JSON text of the arguments (see the Go server's body convention); the result is the
    /// JSON text of the answer. Counted in [`metrics`], whatever its outcome.
    pub async fn invoke(&self, name: &str, body: Bytes, call_id: u32, timeout_ms: u32) -> Result<Bytes, Failure> {
        let _in_flight = self.metrics.begin();
        let t0 = std::time::Instant::now();
        let result = self.invoke_uncounted(name, body, call_id, timeout_ms).await;
        self.metrics.record(name, result.as_ref().map(|_| ()), t0.elapsed());
        result
    }

    /// The route of `name`, from the connected sidecar's manifest in connect mode (returned too), else the spawned
    /// one's.
    fn route_for(&self, name: &str) -> Result<(String, Option<Arc<remote::Remote>>), Failure> {
        let remote = self.remote();
        let route = match &remote {
            Some(r) => r.manifest.endpoint(name).map(|e| e.route.clone()),
            None => self.supervisor.route_of(name),
        };
        match route {
            Some(route) => Ok((route, remote)),
            None => {
                let manifest = remote.as_ref().map(|r| r.manifest.clone()).or_else(|| self.supervisor.manifest());
                Err(unknown_function(name, manifest))
            }
        }
    }

    async fn invoke_uncounted(&self, name: &str, body: Bytes, call_id: u32, timeout_ms: u32) -> Result<Bytes, Failure> {
        let (route, remote) = self.route_for(name)?;
        let timeout = self.call_timeout(timeout_ms);
        let call = async {
            match &remote {
                Some(r) => r.call(&self.supervisor.client, name, &route, body).await,
                None => self.call_with_handover(name, &route, body).await,
            }
        };
        let cancelled = self.cancellation(call_id);
        let timed = async {
            match timeout {
                None => call.await,
                Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| Err(timed_out(name, limit))),
            }
        };
        // Dropping the request future closes its connection: the sidecar cancels the Go context.
        let result = match cancelled {
            None => timed.await,
            Some(rx) => tokio::select! {
                r = timed => r,
                _ = rx => Err(Failure::new(499, "aborted", "the call was aborted by its AbortSignal").with_function(name)),
            },
        };
        if call_id != 0 {
            self.cancels.lock().map(|mut m| m.remove(&call_id)).ok();
        }
        result
    }

    /// Sends the call to the active child, and once more to the next one when that is safe: the request never left
    /// (the child had just died or been replaced, and its socket refused the connection), or it went to a child that
    /// was retired by a hot swap and closed the connection unanswered (a draining Go server never starts a request on
    /// a connection it closes). So reloads drop no calls, and calls made just after a crash wait for the restart
    /// (bounded by `timeouts.unavailableWaitMs`) instead of failing. Nothing runs twice.
    async fn call_with_handover(&self, name: &str, route: &str, body: Bytes) -> Result<Bytes, Failure> {
        // `Bytes`: the hand-over keeps the body without copying it (bodies can be tens of MB).
        let child = self.supervisor.ready_child().await?;
        let detail = match self.supervisor.client.call(&child.at, name, route, body.clone()).await {
            Ok(text) => return Ok(text),
            Err(CallError::Answered(f)) => return Err(f),
            Err(CallError::Transport { sent, detail }) => {
                if !sent || child.is_retired() {
                    // Either it is going away (then wait for its successor), or the failure was not about it.
                    if child.is_retired() || child.wait_exit(GONE_WAIT).await {
                        let next = self.supervisor.ready_child_other_than(Some(&child)).await?;
                        return match self.supervisor.client.call(&next.at, name, route, body).await {
                            Ok(text) => Ok(text),
                            Err(CallError::Answered(f)) => Err(f),
                            Err(CallError::Transport { detail, .. }) => Err(lost(&next, name, &detail).await),
                        };
                    }
                }
                detail
            }
        };
        Err(lost(&child, name, &detail).await)
    }

    /// How this process runs its sidecar: `spawned` (built here), `prebuilt` (production mode) or `connect`.
    pub fn mode(&self) -> &'static str {
        if self.remote().is_some() {
            return "connect";
        }
        match self.supervisor.status().build {
            Some(b) if b.prebuilt => "prebuilt",
            _ => "spawned",
        }
    }

    /// `metrics()`: the client's view of its calls (see [`metrics`]).
    /// `metrics()`; `restarts` counts reconnections in connect mode.
    pub fn metrics_snapshot(&self) -> Value {
        let (state, restarts) = self.state_and_restarts();
        self.metrics.snapshot(restarts, state.as_str(), self.mode())
    }

    pub fn metrics_prometheus(&self) -> String {
        let (state, restarts) = self.state_and_restarts();
        self.metrics.prometheus(restarts, state == State::Ready)
    }

    fn state_and_restarts(&self) -> (State, u32) {
        match self.remote_status() {
            Some((state, _, reconnects)) => (state, reconnects),
            None => {
                let s = self.supervisor.status();
                (s.state, s.restarts)
            }
        }
    }

    /// The sidecar's own `GET /metrics` text (Go runtime and per-function server metrics).
    pub async fn sidecar_metrics(&self) -> Result<String, Failure> {
        if let Some(r) = self.remote() {
            return self.supervisor.client.get_text(&r.at, "/metrics").await;
        }
        let child = self.supervisor.ready_child().await?;
        self.supervisor.client.get_text(&child.at, "/metrics").await
    }

    fn cancellation(&self, call_id: u32) -> Option<oneshot::Receiver<()>> {
        if call_id == 0 {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        self.cancels.lock().map(|mut m| m.insert(call_id, tx)).ok();
        Some(rx)
    }

    /// Aborts a call started with `call_id` (no-op when it already finished).
    pub fn cancel(&self, call_id: u32) {
        if let Some(tx) = self.cancels.lock().ok().and_then(|mut m| m.remove(&call_id)) {
            let _ = tx.send(());
        }
    }
}

/// The failure of a call that ran out of time (its own `timeoutMs` or `timeouts.callMs`).
fn timed_out(name: &str, limit: Duration) -> Failure {
    Failure::new(504, "timeout", format!("the call did not finish within {} ms; it was cancelled", limit.as_millis()))
        .with_function(name)
}

/// The binary to run: `go build` (or its cache), or the prebuilt one (see [`prebuilt`]) when that is required or Go
/// is missing. The toolchain comes back when there is one, for hot reload.
async fn obtain_build(config: &Config) -> Result<(build::Built, Option<build::GoToolchain>), Failure> {
    let find_prebuilt = {
        let config = config.clone();
        move || prebuilt::find(&config, stderr_color())
    };
    if config.prebuilt == prebuilt::Prebuilt::Required {
        let found = run_blocking(find_prebuilt).await?;
        return found.map(|b| (b, None)).map_err(|why| prebuilt::missing(config, &why));
    }
    let go = match run_blocking(build::find_go).await {
        Ok(go) => go,
        Err(no_go) => {
            return match run_blocking(find_prebuilt).await? {
                Ok(b) => Ok((b, None)),
                Err(why) => Err(Failure::new(
                    no_go.status,
                    &no_go.code,
                    format!("{} (and there is no prebuilt binary to run instead: {why})", no_go.message),
                )),
            };
        }
    };
    let (build_config, build_go) = (config.clone(), go.clone());
    let built = run_blocking(move || build::build(&build_config, &build_go, stderr_color())).await?;
    Ok((built, Some(go)))
}

/// How long a call that lost its connection waits for the child to be seen dead (and its cause read) before it
/// reports what it knows.
const GONE_WAIT: Duration = Duration::from_millis(1500);

/// The failure of a call whose connection to `child` broke: the child's fate (crashed with its cause, killed for not
/// answering, stopped) when it died, else what happened to the connection.
async fn lost(child: &supervisor::Child, name: &str, detail: &str) -> Failure {
    child.wait_exit(GONE_WAIT).await;
    match child.fate() {
        Some(f) => f.with_function(name),
        None => client::transport_failure(name, detail),
    }
}

fn unknown_function(name: &str, manifest: Option<crate::compiler::Manifest>) -> Failure {
    let known: Vec<String> = manifest.map(|m| m.endpoints.into_iter().map(|e| e.name).collect()).unwrap_or_default();
    let list = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    Failure::new(404, "unknown_function", format!("there is no Forst function named `{name}` in the running sidecar (known: {list}); is it in a file under forst/routes/?"))
        .with_function(name)
}

/// Writes `contents` to `path` through a temporary file and a rename (readers never see half a file), and only when
/// it changed (watchers and editors do not wake up for nothing).
pub(crate) fn write_if_changed(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if std::fs::read(path).map(|old| old == contents).unwrap_or(false) {
        return Ok(());
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

/// Runs blocking work (compiling, `go build`, file I/O) off the async threads.
pub async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(Failure::new(500, "internal", format!("internal error in @forst/sidecar (please report): {e}")))
    })
}
