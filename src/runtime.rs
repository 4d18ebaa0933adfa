//! The runtime: everything between a Forst project on disk and a JS call.
//!
//! [`config`] resolves the configuration, [`build`] compiles and `go build`s with a content-hash cache, [`generate`]
//! writes the typed JS functions into the package folder, [`supervisor`] runs the sidecar, [`client`] makes the HTTP
//! hop. [`Runtime`] ties them together for the napi glue and the CLI; there is one per process.

pub mod build;
pub mod client;
pub mod config;
pub mod failure;
pub mod generate;
pub mod gocheck;
pub mod socket_pool;
pub mod supervisor;
pub mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;

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
    })
}

/// Resolves the configuration for a request: finds the project root from `cwd`, merges file config, overrides and
/// environment. Config problems are one `config_invalid` failure listing all of them.
pub fn resolve_config(req: &ProjectRequest) -> Result<Config, Failure> {
    let root = match &req.config_file {
        Some(file) => file.parent().map(Path::to_path_buf).unwrap_or_else(|| req.cwd.clone()),
        None => config::find_project_root(&req.cwd).unwrap_or_else(|| req.cwd.clone()),
    };
    let merged = merge(req.file_config.clone(), req.overrides.clone());
    let env = |k: &str| std::env::var(k).ok();
    let mut config = Config::resolve(&root, req.config_file.as_deref(), &merged, &env).map_err(|errors| {
        Failure::new(500, "config_invalid", format!("invalid Forst configuration:\n  {}", errors.join("\n  ")))
    })?;
    config.no_auth = req.no_auth;
    config.stable_port = req.stable_port;
    Ok(config)
}

/// Deep-merges `over` into `base` (objects merge key by key; anything else replaces).
fn merge(base: Value, over: Value) -> Value {
    match (base, over) {
        (Value::Object(mut b), Value::Object(o)) => {
            for (k, v) in o {
                let merged = match b.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            Value::Object(b)
        }
        (b, Value::Null) => b,
        (_, o) => o,
    }
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
        let go = run_blocking(build::find_go).await?;
        let (build_config, build_go) = (config.clone(), go.clone());
        let built = run_blocking(move || build::build(&build_config, &build_go, stderr_color())).await;
        let built = match built {
            Ok(b) => b,
            Err(f) => {
                self.supervisor.record_error(f.clone());
                return Err(f);
            }
        };
        if !built.warnings.is_empty() {
            eprint!("{}", built.warnings);
        }
        if let Some(dir) = &req.package_dir {
            // Types must follow the code; a read-only package folder is not a reason to refuse to run.
            if let Err(e) = generate::write(dir, &config, &built.compiled) {
                eprintln!("[forst] warning: could not write the generated functions into {}: {e}", dir.display());
            }
        }
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = Some(config.clone());
        self.supervisor.launch(config.clone(), built).await?;
        if config.watch {
            let handle = watch::watch(self.supervisor.clone(), config, go, req.package_dir.clone())?;
            *self.watch.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
        self.running_info().ok_or_else(|| Failure::new(503, "unavailable", "the sidecar stopped right after starting"))
    }

    fn running_info(&self) -> Option<StartInfo> {
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
        let _guard = self.lifecycle.lock().await;
        self.watch.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.supervisor.stop().await;
    }

    /// One call: `body` is the JSON text of the arguments (see the Go server's body convention).
    pub async fn invoke(&self, name: &str, body: String, call_id: u32, timeout_ms: u32) -> Result<String, Failure> {
        let route = match self.supervisor.route_of(name) {
            Some(r) => r,
            None => return Err(unknown_function(name, self.supervisor.manifest())),
        };
        let default_timeout = self.config.lock().ok().and_then(|c| c.as_ref().map(|c| c.call_timeout_ms)).unwrap_or(0);
        let timeout_ms = if timeout_ms > 0 { u64::from(timeout_ms) } else { default_timeout };
        let call = self.call_with_handover(name, &route, body);
        let cancelled = self.cancellation(call_id);
        let timed = async {
            if timeout_ms == 0 {
                call.await
            } else {
                match tokio::time::timeout(Duration::from_millis(timeout_ms), call).await {
                    Ok(r) => r,
                    Err(_) => Err(Failure::new(
                        504,
                        "timeout",
                        format!("the call did not finish within {timeout_ms} ms; it was cancelled"),
                    )
                    .with_function(name)),
                }
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

    /// Sends the call to the active child. If that child was retired by a hot swap while the call was on its way and
    /// could not take it (connection refused or closed unanswered), the call goes once to its successor: a draining
    /// Go server never starts a request on a connection it closes, so nothing runs twice. This is what makes reloads
    /// drop no calls.
    async fn call_with_handover(&self, name: &str, route: &str, body: String) -> Result<String, Failure> {
        // `Bytes`: the hand-over keeps the body without copying it (bodies can be tens of MB).
        let body = bytes::Bytes::from(body);
        let child = self.supervisor.ready_child().await?;
        match self.supervisor.client.call(&child.at, name, route, body.clone()).await {
            Err(f) if f.code == "unavailable" && child.is_retired() => {
                let next = self.supervisor.ready_child().await?;
                self.supervisor.client.call(&next.at, name, route, body).await
            }
            other => other,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overrides_merge_deeply() {
        let m = merge(json!({"devServer": {"port": 1, "watch": true}}), json!({"devServer": {"port": 2}}));
        assert_eq!(m, json!({"devServer": {"port": 2, "watch": true}}));
        assert_eq!(merge(json!({"a": 1}), Value::Null), json!({"a": 1}));
    }
}
