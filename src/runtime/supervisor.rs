//! The supervisor: spawns the sidecar ([`child`]), waits until it answers `/readyz`, probes it while it runs
//! ([`liveness`]), restarts it when it dies — with Kubernetes' crash-loop policy: exponential backoff, capped, never
//! given up on — swaps in a new build without dropping calls, and stops it cleanly.

mod child;
mod crash;
mod liveness;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, watch};

pub use child::{random_token, Child};

use super::build::Built;
use super::client::Client;
use super::config::Config;
use super::failure::Failure;
use super::socket_dir::SocketDir;
use crate::compiler::Manifest;
use child::{spawn_ready, ExitReport, SpawnRequest};

/// How many recently spawned children [`Supervisor::child`] remembers.
const RECENT_CHILDREN: usize = 8;

/// A child that served this long before it died starts the crash count afresh.
const CRASH_RESET_AFTER: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Stopped,
    Starting,
    Ready,
    /// Between a crash and the next child being ready, including the backoff wait.
    Restarting,
    Stopping,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Stopped => "stopped",
            State::Starting => "starting",
            State::Ready => "ready",
            State::Restarting => "restarting",
            State::Stopping => "stopping",
        }
    }
}

/// What the last build was, for `status()`.
#[derive(Clone, Debug)]
pub struct BuildInfo {
    pub hash: String,
    pub cached: bool,
    pub go_version: String,
    pub binary: String,
    pub compile_ms: f64,
    pub build_ms: f64,
    /// The binary `forst build` left in outputDir, run without Go (production mode).
    pub prebuilt: bool,
}

/// The crash-loop state, for `status().restart`: which restart this is, how long it waits, why.
#[derive(Clone, Debug)]
pub struct RestartInfo {
    /// Crashes in a row (1 for the first).
    pub attempt: u32,
    pub backoff_ms: u64,
    /// When the next child is started (ms since the Unix epoch).
    pub retry_at_ms: u64,
    /// The crash's cause, as in `lastError`.
    pub cause: String,
}

struct Inner {
    state: State,
    active: Option<Arc<Child>>,
    /// Children replaced by a hot swap that are still draining: stop() waits for them too.
    retired: Vec<Arc<Child>>,
    /// The last few children spawned, dead or alive: a call that lost its connection learns from its child's fate
    /// even after the child was forgotten (see [`Supervisor::child`]).
    recent: std::collections::VecDeque<Arc<Child>>,
    generation: u64,
    restarts: u32,
    last_error: Option<Failure>,
    /// Crashes in a row; the backoff doubles with each.
    crash_streak: u32,
    restart: Option<RestartInfo>,
    config: Option<Config>,
    built: Option<Built>,
    build_info: Option<BuildInfo>,
}

/// A snapshot for `status()`.
#[derive(Clone, Debug)]
pub struct Status {
    pub state: State,
    pub pid: Option<u32>,
    pub url: Option<String>,
    /// The Unix socket calls from this process use, when the sidecar has one.
    pub socket: Option<std::path::PathBuf>,
    pub port: Option<u16>,
    pub restarts: u32,
    pub last_error: Option<Failure>,
    pub restart: Option<RestartInfo>,
    pub build: Option<BuildInfo>,
    pub manifest: Option<Manifest>,
}

pub struct Supervisor {
    inner: Mutex<Inner>,
    /// Bumped on every state change; callers waiting for readiness watch it.
    changed: watch::Sender<u64>,
    /// The private directory for the children's sockets, made on first use (see [`SocketDir`]).
    socket_dir: Mutex<Option<Arc<SocketDir>>>,
    pub client: Client,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor::new()
    }
}

impl Supervisor {
    pub fn new() -> Supervisor {
        Supervisor {
            inner: Mutex::new(Inner {
                state: State::Stopped,
                active: None,
                retired: Vec::new(),
                recent: std::collections::VecDeque::new(),
                generation: 0,
                restarts: 0,
                last_error: None,
                crash_streak: 0,
                restart: None,
                config: None,
                built: None,
                build_info: None,
            }),
            changed: watch::channel(0).0,
            socket_dir: Mutex::new(None),
            client: Client::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another thread panicked mid-update; the data is still the best we have.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_state(&self, inner: &mut Inner, state: State) {
        inner.state = state;
        self.changed.send_modify(|n| *n += 1);
    }

    pub fn state(&self) -> State {
        self.lock().state
    }

    pub fn status(&self) -> Status {
        let inner = self.lock();
        Status {
            state: inner.state,
            pid: inner.active.as_ref().map(|c| c.pid),
            url: inner.active.as_ref().map(|c| c.at.base_url.clone()),
            socket: inner.active.as_ref().and_then(|c| c.socket.clone()),
            port: inner.active.as_ref().map(|c| c.port),
            restarts: inner.restarts,
            last_error: inner.last_error.clone(),
            restart: inner.restart.clone(),
            build: inner.build_info.clone(),
            manifest: inner.built.as_ref().map(|b| b.compiled.manifest.clone()),
        }
    }

    pub fn record_error(&self, failure: Failure) {
        self.lock().last_error = Some(failure);
    }

    /// Starts the first sidecar from `built`. The caller serialises start/stop.
    pub async fn launch(self: &Arc<Self>, config: Config, built: Built) -> Result<Arc<Child>, Failure> {
        {
            let mut inner = self.lock();
            self.set_state(&mut inner, State::Starting);
            inner.config = Some(config.clone());
            inner.build_info = Some(build_info(&built));
            inner.built = Some(built.clone());
            inner.crash_streak = 0;
            inner.restart = None;
            inner.last_error = None;
        }
        self.client.set_max_connections(config.max_connections);
        match self.spawn(&config, &built, port_request(&config)).await {
            Ok(child) => {
                let mut inner = self.lock();
                inner.active = Some(child.clone());
                // `forst dev`: the port it took stays the session's, for restarts after a crash too.
                if let (true, Some(c)) = (config.stable_port, inner.config.as_mut()) {
                    c.port = Some(child.port);
                }
                self.set_state(&mut inner, State::Ready);
                drop(inner);
                self.watch_liveness(&child, &config);
                Ok(child)
            }
            Err(f) => {
                let mut inner = self.lock();
                inner.last_error = Some(f.clone());
                self.set_state(&mut inner, State::Stopped);
                Err(f)
            }
        }
    }

    /// Hot swap: starts `built` beside the running child, waits until it is ready, switches new calls to it, then lets
    /// the old one finish its in-flight calls and exit. On failure the old child keeps serving.
    pub async fn swap(self: &Arc<Self>, built: Built) -> Result<Arc<Child>, Failure> {
        let config =
            self.lock().config.clone().ok_or_else(|| Failure::new(503, "not_started", "the sidecar is not running"))?;
        let beside = self.lock().active.as_ref().map(|c| c.port);
        let child = self.spawn(&config, &built, swap_port(&config, beside)).await?;
        let old = {
            let mut inner = self.lock();
            inner.build_info = Some(build_info(&built));
            inner.built = Some(built);
            inner.last_error = None;
            let old = inner.active.replace(child.clone());
            if let Some(old) = &old {
                inner.retired.push(old.clone());
            }
            self.set_state(&mut inner, State::Ready);
            old
        };
        self.watch_liveness(&child, &config);
        if let Some(old) = old {
            old.retire();
            let grace = Duration::from_millis(config.shutdown_grace_ms);
            tokio::spawn(async move { old.shutdown(grace).await });
        }
        Ok(child)
    }

    /// Stops the sidecar and any retired ones still draining: drain, then kill after the grace period. Idempotent.
    pub async fn stop(&self) {
        let (children, grace) = {
            let mut inner = self.lock();
            let grace = inner.config.as_ref().map(|c| c.shutdown_grace_ms).unwrap_or(5000);
            self.set_state(&mut inner, State::Stopping);
            inner.restart = None;
            let mut children: Vec<Arc<Child>> = std::mem::take(&mut inner.retired);
            children.extend(inner.active.take());
            (children, Duration::from_millis(grace))
        };
        let mut draining = tokio::task::JoinSet::new();
        for child in children {
            draining.spawn(async move { child.shutdown(grace).await });
        }
        while draining.join_next().await.is_some() {}
        let mut inner = self.lock();
        self.set_state(&mut inner, State::Stopped);
    }

    /// The child to send a call to. While (re)starting, waits up to `unavailableWaitMs`; when stopped, fails at once
    /// with 503 and the reason.
    pub async fn ready_child(&self) -> Result<Arc<Child>, Failure> {
        self.ready_child_other_than(None).await
    }

    /// Like [`Self::ready_child`], but a child that is `not` does not count (it failed a call and is going away).
    pub async fn ready_child_other_than(&self, not: Option<&Arc<Child>>) -> Result<Arc<Child>, Failure> {
        let mut changes = self.changed.subscribe();
        let wait = self.lock().config.as_ref().map(|c| c.unavailable_wait_ms).unwrap_or(5000);
        let deadline = Instant::now() + Duration::from_millis(wait);
        loop {
            {
                let inner = self.lock();
                match (inner.state, &inner.active) {
                    (State::Ready, Some(child)) if !not.is_some_and(|n| Arc::ptr_eq(n, child)) => {
                        return Ok(child.clone())
                    }
                    (State::Stopped | State::Stopping, _) => {
                        return Err(Failure::new(
                            503,
                            "unavailable",
                            "the Forst sidecar is stopped: call start() (or any Forst function) to start it",
                        ));
                    }
                    _ => {}
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, changes.changed()).await.is_err() {
                return Err(self.not_back_in_time(wait));
            }
        }
    }

    fn not_back_in_time(&self, wait_ms: u64) -> Failure {
        let inner = self.lock();
        let why = match &inner.restart {
            Some(r) => {
                let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as u64);
                let left = now.map(|n| r.retry_at_ms.saturating_sub(n)).unwrap_or(0);
                format!(
                    "it crashed {} time{} in a row (last: {}); the next start is in {left} ms",
                    r.attempt,
                    if r.attempt == 1 { "" } else { "s" },
                    r.cause
                )
            }
            None => "it is restarting".to_string(),
        };
        Failure::new(
            503,
            "unavailable",
            format!("the Forst sidecar was not back within {wait_ms} ms (timeouts.unavailableWaitMs): {why}; try again shortly"),
        )
    }

    /// The running child's token (printed by `forst dev` for curl users).
    pub fn token(&self) -> Option<String> {
        self.lock().active.as_ref().map(|c| c.at.token.clone())
    }

    pub fn manifest(&self) -> Option<Manifest> {
        self.lock().built.as_ref().map(|b| b.compiled.manifest.clone())
    }

    /// The running version's TypeScript declarations (`forst dev` makes sample bodies from them).
    pub fn declarations(&self) -> Option<String> {
        self.lock().built.as_ref().map(|b| b.compiled.dts.clone())
    }

    /// The route of a function in the running version, without copying the manifest (this is on every call's path).
    pub fn route_of(&self, name: &str) -> Option<String> {
        self.lock().built.as_ref().and_then(|b| b.compiled.manifest.endpoint(name).map(|e| e.route.clone()))
    }

    /// The active child when it is ready (what new calls go to).
    pub fn ready_now(&self) -> Option<Arc<Child>> {
        let inner = self.lock();
        inner.active.clone().filter(|_| inner.state == State::Ready)
    }

    /// A recently spawned child by generation.
    pub fn child(&self, generation: u64) -> Option<Arc<Child>> {
        self.lock().recent.iter().find(|c| c.generation == generation).cloned()
    }

    /// Is `child` the one new calls go to?
    fn is_active(&self, child: &Arc<Child>) -> bool {
        self.lock().active.as_ref().is_some_and(|a| Arc::ptr_eq(a, child))
    }

    /// Spawns the next child and reports its exit to [`Self::handle_exit`].
    async fn spawn(self: &Arc<Self>, config: &Config, built: &Built, port: PortRequest) -> Result<Arc<Child>, Failure> {
        let generation = {
            let mut inner = self.lock();
            inner.generation += 1;
            inner.generation
        };
        let socket_dir = if config.unix_socket { Some(self.socket_dir()?) } else { None };
        let (on_exit, mut exits) = mpsc::unbounded_channel::<ExitReport>();
        let me = self.clone();
        tokio::spawn(async move {
            if let Some((generation, how)) = exits.recv().await {
                me.on_exit(generation, how).await;
            }
        });
        let child = spawn_ready(SpawnRequest {
            config,
            built,
            port,
            generation,
            socket_dir: socket_dir.as_deref(),
            client: &self.client,
            on_exit,
        })
        .await?;
        let mut inner = self.lock();
        if inner.recent.len() == RECENT_CHILDREN {
            inner.recent.pop_front();
        }
        inner.recent.push_back(child.clone());
        Ok(child)
    }

    fn socket_dir(&self) -> Result<Arc<SocketDir>, Failure> {
        let mut slot = self.socket_dir.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dir) = slot.as_ref().filter(|d| d.verify().is_ok()) {
            return Ok(dir.clone());
        }
        let dir = Arc::new(SocketDir::create().map_err(|why| Failure::new(500, "socket_unsafe", why))?);
        *slot = Some(dir.clone());
        Ok(dir)
    }

    /// [`Self::handle_exit`] as a boxed `Send` future: exit → restart → spawn → exit is a cycle that opaque future
    /// types cannot express.
    fn on_exit(
        self: Arc<Self>,
        generation: u64,
        how: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(self.handle_exit(generation, how))
    }

    /// A child exited. A retired one is forgotten; only the active child's unexpected exit is a crash: schedule the
    /// next child after the backoff.
    async fn handle_exit(self: Arc<Self>, generation: u64, how: String) {
        let delay = {
            let mut inner = self.lock();
            inner.retired.retain(|c| c.generation != generation);
            let Some(child) = inner.active.clone().filter(|c| c.generation == generation) else { return };
            if matches!(inner.state, State::Stopping | State::Stopped) {
                return;
            }
            inner.active = None;
            if child.started.elapsed() >= CRASH_RESET_AFTER {
                inner.crash_streak = 0;
            }
            let cause = child.death().unwrap_or(how);
            let config = inner.config.clone();
            self.schedule_restart(&mut inner, config.as_ref(), cause, child.stderr_text())
        };
        tokio::time::sleep(delay).await;
        self.restart().await;
    }

    /// Counts a crash, records why, and returns the backoff before the next start.
    fn schedule_restart(&self, inner: &mut Inner, config: Option<&Config>, cause: String, output: String) -> Duration {
        inner.crash_streak += 1;
        let backoff = config.map(|c| c.backoff).unwrap_or_default();
        let factor = 1u64 << inner.crash_streak.saturating_sub(1).min(20);
        let delay_ms = backoff.backoff_ms.saturating_mul(factor).min(backoff.max_backoff_ms);
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        inner.restart = Some(RestartInfo {
            attempt: inner.crash_streak,
            backoff_ms: delay_ms,
            retry_at_ms: now + delay_ms,
            cause: cause.clone(),
        });
        let mut message = format!("the sidecar {cause}");
        if !output.is_empty() {
            message.push_str("\nit printed:\n");
            message.push_str(&output);
        }
        inner.last_error = Some(Failure::new(503, "sidecar_crashed", message));
        self.set_state(inner, State::Restarting);
        eprintln!("[forst] the sidecar {cause}; restarting in {delay_ms} ms (crash {} in a row)", inner.crash_streak);
        Duration::from_millis(delay_ms)
    }

    async fn restart(self: Arc<Self>) {
        let (config, built) = {
            let inner = self.lock();
            if inner.state != State::Restarting {
                return;
            }
            match (inner.config.clone(), inner.built.clone()) {
                (Some(c), Some(b)) => (c, b),
                _ => return,
            }
        };
        match self.spawn(&config, &built, port_request(&config)).await {
            Ok(child) => {
                // stop() may have run while we were starting: then the new child is not wanted.
                let wanted = {
                    let mut inner = self.lock();
                    let wanted = inner.state == State::Restarting;
                    if wanted {
                        inner.restarts += 1;
                        inner.restart = None;
                        inner.active = Some(child.clone());
                        self.set_state(&mut inner, State::Ready);
                    }
                    wanted
                };
                if wanted {
                    self.watch_liveness(&child, &config);
                } else {
                    child.shutdown(Duration::from_millis(config.shutdown_grace_ms)).await;
                }
            }
            Err(f) => {
                eprintln!("[forst] restart failed: {}", f.message);
                // Another crash in the row: the next attempt waits longer.
                let delay = {
                    let mut inner = self.lock();
                    if inner.state != State::Restarting {
                        return;
                    }
                    let cause = format!("failed to restart: {}", f.message.lines().next().unwrap_or(""));
                    self.schedule_restart(&mut inner, Some(&config), cause, String::new())
                };
                tokio::time::sleep(delay).await;
                // Boxed: restart → restart is recursive, which an opaque future type cannot express.
                Box::pin(self.restart()).await;
            }
        }
    }
}

impl Child {
    fn stderr_text(&self) -> String {
        self.stderr.lock().map(|l| l.text()).unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum PortRequest {
    /// `devServer.port` / `FORST_PORT`: exactly this one, busy is an error.
    Exactly(u16),
    /// Any free port: zero config (in-process calls use the Unix socket, so the TCP port is only for curl and other
    /// processes, and must not take a port the user's own app wants, such as 8080), and a hot swap beside a running
    /// child.
    Any,
}

fn port_request(config: &Config) -> PortRequest {
    match config.port {
        Some(0) | None => PortRequest::Any,
        Some(p) => PortRequest::Exactly(p),
    }
}

/// The port for the next version during a hot swap: the running one's with `stable_port` (both bind with
/// SO_REUSEPORT), otherwise any free port (in-process calls follow the switch).
fn swap_port(config: &Config, running: Option<u16>) -> PortRequest {
    match running {
        Some(p) if config.stable_port => PortRequest::Exactly(p),
        _ => PortRequest::Any,
    }
}

fn build_info(b: &Built) -> BuildInfo {
    BuildInfo {
        hash: b.hash.clone(),
        cached: b.cached,
        go_version: b.go_version.clone(),
        binary: b.binary.display().to_string(),
        compile_ms: b.compile_ms,
        build_ms: b.build_ms,
        prebuilt: b.prebuilt,
    }
}
