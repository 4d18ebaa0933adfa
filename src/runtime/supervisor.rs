//! The supervisor: spawns the sidecar, waits until it answers `/readyz`, restarts it when it crashes (exponential
//! backoff, crash-loop limit), swaps in a new build without dropping calls, and stops it cleanly.
//!
//! No orphans: the child's stdin is a pipe whose only writer is this process, and the Go server exits when it reads
//! EOF — which the kernel delivers however Node ends, even on SIGKILL. On Linux the child also gets
//! `PR_SET_PDEATHSIG` (SIGTERM). Nothing here holds Node's event loop: the child is spawned by tokio, not libuv.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{ChildStdin, Command};
use tokio::sync::watch;

use super::build::Built;
use super::client::{self, Client};
use super::config::Config;
use super::failure::Failure;
use super::socket_pool::SocketPool;
use crate::compiler::Manifest;

/// Lines of the child's stderr kept for error messages.
const STDERR_TAIL: usize = 20;
/// More crashes than this within [`CRASH_WINDOW`] → `crashed`, no more restarts.
const CRASH_LIMIT: usize = 5;
const CRASH_WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Stopped,
    Starting,
    Ready,
    Restarting,
    Crashed,
    Stopping,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Stopped => "stopped",
            State::Starting => "starting",
            State::Ready => "ready",
            State::Restarting => "restarting",
            State::Crashed => "crashed",
            State::Stopping => "stopping",
        }
    }
}

/// One running sidecar process.
pub struct Child {
    pub pid: u32,
    pub port: u16,
    /// The Unix socket calls go to (see [`Config::unix_socket`]).
    pub socket: Option<PathBuf>,
    pub at: client::Endpoint,
    generation: u64,
    /// Set when a hot swap replaced this child: it drains and exits, and a call that could not reach it may safely
    /// go to its successor (the draining server never started that call).
    retired: std::sync::atomic::AtomicBool,
    /// Dropping it closes the pipe: the child drains and exits.
    stdin: Mutex<Option<ChildStdin>>,
    exited: watch::Receiver<bool>,
}

impl Child {
    pub fn is_retired(&self) -> bool {
        self.retired.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Asks the child to drain and exit (stdin EOF + SIGTERM) and waits up to `grace`, then kills it.
    async fn shutdown(&self, grace: Duration) {
        self.stdin.lock().map(|mut s| s.take()).ok();
        // SAFETY-free: kill(2) on a pid we spawned and have not reaped yet (the monitor reaps it after exit).
        signal(self.pid, libc::SIGTERM);
        let mut exited = self.exited.clone();
        let waited = tokio::time::timeout(grace + Duration::from_millis(500), exited.wait_for(|e| *e)).await;
        if waited.is_err() {
            signal(self.pid, libc::SIGKILL);
        }
    }
}

fn signal(pid: u32, sig: i32) {
    // pid 0 would signal our whole process group: never.
    if let Ok(pid @ 1..) = i32::try_from(pid) {
        #[allow(unsafe_code)]
        // SAFETY: plain syscall with a pid of our own (not yet reaped) child; no memory is touched.
        unsafe {
            libc::kill(pid, sig);
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

struct Inner {
    state: State,
    active: Option<Arc<Child>>,
    generation: u64,
    restarts: u32,
    last_error: Option<Failure>,
    crashes: VecDeque<Instant>,
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
    pub socket: Option<PathBuf>,
    pub port: Option<u16>,
    pub restarts: u32,
    pub last_error: Option<Failure>,
    pub build: Option<BuildInfo>,
    pub manifest: Option<Manifest>,
}

pub struct Supervisor {
    inner: Mutex<Inner>,
    /// Bumped on every state change; callers waiting for readiness watch it.
    changed: watch::Sender<u64>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
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
                generation: 0,
                restarts: 0,
                last_error: None,
                crashes: VecDeque::new(),
                config: None,
                built: None,
                build_info: None,
            }),
            changed: watch::channel(0).0,
            stderr_tail: Arc::new(Mutex::new(VecDeque::new())),
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
            inner.crashes.clear();
            inner.last_error = None;
        }
        let port = port_request(&config);
        match self.spawn_ready(&config, &built, port).await {
            Ok(child) => {
                let mut inner = self.lock();
                inner.active = Some(child.clone());
                self.set_state(&mut inner, State::Ready);
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
        let child = self.spawn_ready(&config, &built, swap_port(&config, beside)).await?;
        let old = {
            let mut inner = self.lock();
            inner.build_info = Some(build_info(&built));
            inner.built = Some(built);
            inner.last_error = None;
            let old = inner.active.replace(child.clone());
            self.set_state(&mut inner, State::Ready);
            old
        };
        if let Some(old) = old {
            old.retired.store(true, std::sync::atomic::Ordering::SeqCst);
            let grace = Duration::from_millis(config.shutdown_grace_ms);
            tokio::spawn(async move { old.shutdown(grace).await });
        }
        Ok(child)
    }

    /// Stops the sidecar: drain, then kill after the grace period. Idempotent.
    pub async fn stop(&self) {
        let (child, grace) = {
            let mut inner = self.lock();
            let grace = inner.config.as_ref().map(|c| c.shutdown_grace_ms).unwrap_or(5000);
            self.set_state(&mut inner, State::Stopping);
            (inner.active.take(), Duration::from_millis(grace))
        };
        if let Some(child) = child {
            child.shutdown(grace).await;
        }
        let mut inner = self.lock();
        self.set_state(&mut inner, State::Stopped);
    }

    /// The child to send a call to. While (re)starting, waits up to `unavailableWaitMs`; when crashed or stopped,
    /// fails at once with 503 and the reason.
    pub async fn ready_child(&self) -> Result<Arc<Child>, Failure> {
        let mut changes = self.changed.subscribe();
        let deadline = {
            let inner = self.lock();
            let wait = inner.config.as_ref().map(|c| c.unavailable_wait_ms).unwrap_or(5000);
            Instant::now() + Duration::from_millis(wait)
        };
        loop {
            {
                let inner = self.lock();
                match (inner.state, &inner.active) {
                    (State::Ready, Some(child)) => return Ok(child.clone()),
                    (State::Crashed, _) => {
                        let why = inner.last_error.as_ref().map(|f| f.message.clone()).unwrap_or_default();
                        return Err(Failure::new(
                            503,
                            "unavailable",
                            format!("the Forst sidecar crashed repeatedly and was given up on: {why}"),
                        ));
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
                return Err(Failure::new(
                    503,
                    "unavailable",
                    "the Forst sidecar is restarting and was not ready in time (timeouts.unavailableWaitMs); try again shortly",
                ));
            }
        }
    }

    /// The running child's token (printed by `forst dev` for curl users).
    pub fn token(&self) -> Option<String> {
        self.lock().active.as_ref().map(|c| c.at.token.clone())
    }

    pub fn manifest(&self) -> Option<Manifest> {
        self.lock().built.as_ref().map(|b| b.compiled.manifest.clone())
    }

    /// The route of a function in the running version, without copying the manifest (this is on every call's path).
    pub fn route_of(&self, name: &str) -> Option<String> {
        self.lock().built.as_ref().and_then(|b| b.compiled.manifest.endpoint(name).map(|e| e.route.clone()))
    }

    /// Spawns a child and waits for `/readyz`; starts its monitor.
    async fn spawn_ready(
        self: &Arc<Self>,
        config: &Config,
        built: &Built,
        port: PortRequest,
    ) -> Result<Arc<Child>, Failure> {
        let generation = {
            let mut inner = self.lock();
            inner.generation += 1;
            inner.generation
        };
        let token = random_token();
        let mut cmd = Command::new(&built.binary);
        cmd.arg("--supervised");
        cmd.env("FORST_TOKEN", &token)
            .env("FORST_BODY_LIMIT", config.body_limit.to_string())
            .env("FORST_SHUTDOWN_GRACE_MS", config.shutdown_grace_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(false);
        // Only `forst dev --no-auth` disables the token; an inherited FORST_NO_AUTH must not.
        if config.no_auth {
            cmd.env("FORST_NO_AUTH", "1");
        } else {
            cmd.env_remove("FORST_NO_AUTH");
        }
        match port {
            PortRequest::Default => cmd.env_remove("FORST_PORT"),
            PortRequest::Exactly(p) => cmd.env("FORST_PORT", p.to_string()).env("FORST_PORT_STRICT", "1"),
            PortRequest::Any => cmd.env("FORST_PORT", "0"),
        };
        if config.stable_port {
            cmd.env("FORST_REUSEPORT", "1");
        } else {
            cmd.env_remove("FORST_REUSEPORT");
        }
        let socket = if config.unix_socket { socket_path(generation) } else { None };
        match &socket {
            Some(path) => cmd.env("FORST_SOCKET", path),
            None => cmd.env_remove("FORST_SOCKET"),
        };
        set_parent_death_signal(&mut cmd);
        let mut process = cmd.spawn().map_err(|e| {
            Failure::new(
                500,
                "spawn_failed",
                format!("could not start the sidecar binary {}: {e}", built.binary.display()),
            )
        })?;
        let pid = process.id().unwrap_or(0);
        let stdin = process.stdin.take();
        let (listen_tx, mut listen_rx) = watch::channel::<Option<String>>(None);
        if let Some(out) = process.stdout.take() {
            tokio::spawn(async move {
                let mut lines = BufReader::new(out).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    match line.strip_prefix("FORST_LISTENING ") {
                        Some(addr) => {
                            let _ = listen_tx.send(Some(addr.trim().to_string()));
                        }
                        None => println!("[forst] {line}"),
                    }
                }
            });
        }
        let stderr_read = process.stderr.take().map(|err| {
            let tail = self.stderr_tail.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(err).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    eprintln!("[forst] {line}");
                    let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                    if tail.len() == STDERR_TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            })
        });
        let (exited_tx, exited_rx) = watch::channel(false);
        let (status_tx, mut status_rx) = watch::channel::<Option<String>>(None);
        let me = self.clone();
        let socket_file = socket.clone();
        tokio::spawn(async move {
            let status = process.wait().await;
            // The exit can be seen before the last stderr lines are read (e.g. "port … is already in use"), and every
            // message about this exit quotes them: wait for the pipe's end first. Bounded, because a process the
            // child started may still hold the pipe open.
            if let Some(reader) = stderr_read {
                let _ = tokio::time::timeout(Duration::from_secs(1), reader).await;
            }
            // A child that drained removed its socket itself; one that was killed left the file behind.
            if let Some(path) = socket_file {
                let _ = std::fs::remove_file(path);
            }
            let text = match status {
                Ok(s) => describe_exit(s),
                Err(e) => format!("could not be waited for ({e})"),
            };
            let _ = status_tx.send(Some(text.clone()));
            let _ = exited_tx.send(true);
            me.on_exit(generation, text).await;
        });

        let timeout = Duration::from_millis(config.ready_timeout_ms);
        let deadline = Instant::now() + timeout;
        // 1. Wait for the listening line (or an early exit).
        let addr = loop {
            if let Some(addr) = listen_rx.borrow().clone() {
                break addr;
            }
            if let Some(exit) = status_rx.borrow().clone() {
                return Err(self.not_ready(format!("the sidecar exited before it was ready ({exit})"), port));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::select! {
                _ = listen_rx.changed() => {}
                _ = status_rx.changed() => {}
                _ = tokio::time::sleep(left) => {
                    signal(pid, libc::SIGKILL);
                    return Err(self.not_ready(format!("the sidecar did not start listening within {} ms (timeouts.readyMs)", timeout.as_millis()), port));
                }
            }
        };
        let port_no = addr.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let base_url = format!("http://{addr}");
        // 2. Readiness means the child answered /readyz, not that a port is open.
        loop {
            if self.client.is_ready(&base_url).await {
                break;
            }
            if let Some(exit) = status_rx.borrow().clone() {
                return Err(self.not_ready(format!("the sidecar exited before it was ready ({exit})"), port));
            }
            if Instant::now() >= deadline {
                signal(pid, libc::SIGKILL);
                return Err(self.not_ready(
                    format!("the sidecar did not answer /readyz within {} ms (timeouts.readyMs)", timeout.as_millis()),
                    port,
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let via_socket = socket_pool(socket.as_deref(), &addr, &token);
        Ok(Arc::new(Child {
            pid,
            port: port_no,
            socket: socket.filter(|_| via_socket.is_some()),
            at: client::Endpoint { base_url, token, via_socket, contract: None },
            generation,
            retired: std::sync::atomic::AtomicBool::new(false),
            stdin: Mutex::new(stdin),
            exited: exited_rx,
        }))
    }

    fn not_ready(&self, what: String, port: PortRequest) -> Failure {
        let tail =
            self.stderr_tail.lock().map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default();
        let busy = tail.contains("already in use");
        let code = if busy { "port_in_use" } else { "not_ready" };
        let mut message = what;
        if busy {
            if let PortRequest::Exactly(p) = port {
                message = format!("port {p} (devServer.port) is already in use: free it, choose another port, or remove devServer.port to let Forst pick one");
            }
        }
        if !tail.is_empty() {
            message.push_str("\nlast lines the sidecar printed:\n");
            message.push_str(&tail);
        }
        Failure::new(500, code, message)
    }

    /// Called when a child exits. Only the active child's unexpected exit is a crash. Boxed with an explicit `Send`
    /// because exit → restart → spawn → exit is recursive, which opaque future types cannot express.
    fn on_exit(
        self: Arc<Self>,
        generation: u64,
        how: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async move { self.handle_exit(generation, &how).await })
    }

    async fn handle_exit(self: Arc<Self>, generation: u64, how: &str) {
        let restart_delay = {
            let mut inner = self.lock();
            let is_active = inner.active.as_ref().is_some_and(|c| c.generation == generation);
            if !is_active || matches!(inner.state, State::Stopping | State::Stopped) {
                return;
            }
            inner.active = None;
            let now = Instant::now();
            inner.crashes.push_back(now);
            while inner.crashes.front().is_some_and(|t| now.duration_since(*t) > CRASH_WINDOW) {
                inner.crashes.pop_front();
            }
            let tail =
                self.stderr_tail.lock().map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default();
            let crashes = inner.crashes.len();
            inner.last_error =
                Some(Failure::new(503, "crashed", format!("the sidecar {how}; last stderr lines:\n{tail}")));
            if crashes > CRASH_LIMIT {
                eprintln!(
                    "[forst] the sidecar {how} {crashes} times within {} s; giving up (state: crashed)",
                    CRASH_WINDOW.as_secs()
                );
                self.set_state(&mut inner, State::Crashed);
                return;
            }
            self.set_state(&mut inner, State::Restarting);
            let delay = Duration::from_millis(100u64 << (crashes.saturating_sub(1)).min(6)).min(Duration::from_secs(5));
            eprintln!("[forst] the sidecar {how}; restarting in {} ms", delay.as_millis());
            delay
        };
        tokio::time::sleep(restart_delay).await;
        self.restart().await;
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
        match self.spawn_ready(&config, &built, port_request(&config)).await {
            Ok(child) => {
                // stop() may have run while we were starting: then the new child is not wanted.
                let unwanted = {
                    let mut inner = self.lock();
                    if inner.state == State::Restarting {
                        inner.restarts += 1;
                        inner.active = Some(child);
                        self.set_state(&mut inner, State::Ready);
                        None
                    } else {
                        Some(child)
                    }
                };
                if let Some(child) = unwanted {
                    child.shutdown(Duration::from_millis(config.shutdown_grace_ms)).await;
                }
            }
            Err(f) => {
                eprintln!("[forst] restart failed: {}", f.message);
                // Counts as another crash: schedule the next attempt (or give up) through the same path.
                let generation = {
                    let mut inner = self.lock();
                    inner.last_error = Some(f);
                    inner.generation += 1;
                    let g = inner.generation;
                    inner.active = Some(Arc::new(Child::placeholder(g)));
                    g
                };
                self.on_exit(generation, "failed to restart".to_string()).await;
            }
        }
    }
}

impl Child {
    /// Stands in for a child that never became ready, so a failed restart goes through the crash accounting.
    fn placeholder(generation: u64) -> Child {
        Child {
            pid: 0,
            port: 0,
            socket: None,
            at: client::Endpoint { base_url: String::new(), token: String::new(), via_socket: None, contract: None },
            generation,
            retired: std::sync::atomic::AtomicBool::new(false),
            stdin: Mutex::new(None),
            exited: watch::channel(true).1,
        }
    }
}

/// `$TMPDIR/forst-<node pid>-<generation>.sock`: unique per child, so a hot swap's two children never share one.
/// `None` when the path would exceed the ~100 bytes a socket address holds (calls then use TCP).
fn socket_path(generation: u64) -> Option<PathBuf> {
    let path = std::env::temp_dir().join(format!("forst-{}-{generation}.sock", std::process::id()));
    (cfg!(unix) && path.as_os_str().len() < 100).then_some(path)
}

/// The pool for a ready child's socket. The server creates its socket before it prints that it listens, so a
/// missing file here means it could not (it said why on stderr) and calls stay on TCP. Requests on the socket carry
/// the TCP address as their Host, which the sidecar checks is loopback.
fn socket_pool(socket: Option<&Path>, addr: &str, token: &str) -> Option<Arc<SocketPool>> {
    let path = socket.filter(|p| p.exists())?;
    SocketPool::new(path, addr, token).map(Arc::new)
}

#[derive(Clone, Copy, Debug)]
enum PortRequest {
    /// 8080, falling back to a free port with a notice (the Go server decides).
    Default,
    /// `devServer.port`: exactly this one, busy is an error.
    Exactly(u16),
    /// Any free port (hot swap beside a running child).
    Any,
}

fn port_request(config: &Config) -> PortRequest {
    match config.port {
        Some(0) => PortRequest::Any,
        Some(p) => PortRequest::Exactly(p),
        None => PortRequest::Default,
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

fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "exited".to_string(),
    }
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(target_os = "linux")]
fn set_parent_death_signal(cmd: &mut Command) {
    let parent = std::process::id();
    #[allow(unsafe_code)]
    // SAFETY: only async-signal-safe syscalls run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            // The parent may have died before prctl: then we were re-parented and must not run.
            if libc::getppid() as u32 != parent {
                libc::_exit(0);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn set_parent_death_signal(_cmd: &mut Command) {}
