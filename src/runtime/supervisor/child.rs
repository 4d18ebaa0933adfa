//! One sidecar process: spawning it, reading what it prints, waiting until it answers `/readyz`, and asking it to stop.
//!
//! No orphans: the child's stdin is a pipe whose only writer is this process. `drain` on it asks for a graceful stop;
//! EOF without it means this process is gone (the kernel closes the pipe however Node ends, even on SIGKILL) and the
//! child exits at once. On Linux the child also gets `PR_SET_PDEATHSIG` (SIGTERM). Nothing here holds Node's event
//! loop: the child is spawned by tokio, not libuv.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, Command};
use tokio::sync::watch;

use super::crash::{describe_exit, StderrLog};
use super::PortRequest;
use crate::runtime::build::Built;
use crate::runtime::client::{Client, Endpoint};
use crate::runtime::config::Config;
use crate::runtime::failure::Failure;
use crate::runtime::os;
use crate::runtime::socket_dir::SocketDir;
use crate::runtime::socket_pool::SocketPool;

/// One running sidecar process.
pub struct Child {
    pub pid: u32,
    pub port: u16,
    /// The Unix socket calls go to (see [`Config::unix_socket`]).
    pub socket: Option<PathBuf>,
    pub at: Endpoint,
    pub generation: u64,
    pub(super) started: Instant,
    /// Set when a hot swap replaced this child: it drains and exits, and a call that could not reach it may safely
    /// go to its successor (the draining server never started that call).
    retired: AtomicBool,
    /// Set when this process asked the child to stop (stop(), a swap, or a kill by the liveness probe).
    stopping: AtomicBool,
    /// What calls that lost their connection to this child are told: why it died (set before `exited`).
    fate: Mutex<Option<Failure>>,
    /// Why it died, in one line ("exited with code 7: …"), for `status()` and the restart message.
    death: Mutex<Option<String>>,
    stdin: Mutex<Option<ChildStdin>>,
    pub(super) stderr: Arc<Mutex<StderrLog>>,
    exited: watch::Receiver<Option<String>>,
}

/// What the monitor reports when a child exits: its generation and how it ended.
pub(super) type ExitReport = (u64, String);

impl Child {
    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::SeqCst)
    }

    pub(super) fn retire(&self) {
        self.retired.store(true, Ordering::SeqCst);
    }

    pub fn has_exited(&self) -> bool {
        self.exited.borrow().is_some()
    }

    /// Waits up to `limit` for the child to exit; true when it has.
    pub async fn wait_exit(&self, limit: Duration) -> bool {
        let mut exited = self.exited.clone();
        let waited = tokio::time::timeout(limit, exited.wait_for(Option::is_some)).await;
        waited.is_ok()
    }

    /// Why this child died, for calls that were in flight (`None` while it lives).
    pub fn fate(&self) -> Option<Failure> {
        self.fate.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_fate_once(&self, f: impl FnOnce() -> Failure) {
        let mut fate = self.fate.lock().unwrap_or_else(|p| p.into_inner());
        if fate.is_none() {
            *fate = Some(f());
        }
    }

    /// Why it died, in one line (`None` while it lives).
    pub(super) fn death(&self) -> Option<String> {
        self.death.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Kills the child because it stopped answering; calls in flight are told so.
    pub(super) fn kill_unresponsive(&self, why: String) {
        self.stopping.store(true, Ordering::SeqCst);
        *self.death.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(format!("stopped answering ({why}) and was killed"));
        self.set_fate_once(|| {
            Failure::new(503, "unavailable", format!("the Forst sidecar stopped answering ({why}); it was killed and is being restarted — the call was not retried, because it may already have run"))
        });
        os::kill(self.pid);
    }

    /// Asks the child to drain and exit and waits up to `grace`, then kills it. Idempotent.
    pub(super) async fn shutdown(&self, grace: Duration) {
        self.stopping.store(true, Ordering::SeqCst);
        let stdin = self.stdin.lock().map(|mut s| s.take()).ok().flatten();
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(b"drain\n").await;
            let _ = stdin.flush().await;
            // Keep the pipe open until the child is gone: EOF would mean "the parent is gone" (abort, not drain).
            let mut exited = self.exited.clone();
            tokio::spawn(async move {
                let _ = exited.wait_for(Option::is_some).await;
                drop(stdin);
            });
        }
        if let Some(pool) = &self.at.via_socket {
            // Idle connections would keep a draining server waiting; closing them lets it finish at once.
            pool.close_idle();
        }
        if !self.wait_exit(grace + Duration::from_millis(500)).await {
            os::kill(self.pid);
            self.wait_exit(Duration::from_secs(2)).await;
        }
    }

    /// A GET on the child's own transport with a connection of its own (readiness and liveness).
    pub(super) async fn probe(&self, client: &Client, route: &str, timeout: Duration) -> Result<u16, String> {
        client.probe(&self.at, route, timeout).await
    }
}

/// Everything a spawn needs from the supervisor.
pub(super) struct SpawnRequest<'a> {
    pub config: &'a Config,
    pub built: &'a Built,
    pub port: PortRequest,
    pub generation: u64,
    pub socket_dir: Option<&'a SocketDir>,
    pub client: &'a Client,
    /// Told when the child exits (after its stderr was read and its fate set).
    pub on_exit: tokio::sync::mpsc::UnboundedSender<ExitReport>,
}

/// Spawns a child and waits until it answers `/readyz`. On failure the child is killed and the error quotes what it
/// printed.
pub(super) async fn spawn_ready(req: SpawnRequest<'_>) -> Result<Arc<Child>, Failure> {
    let SpawnRequest { config, built, port, generation, socket_dir, client, on_exit } = req;
    let token = config.session_token.clone().unwrap_or_else(random_token);
    let socket = socket_dir.map(|d| d.socket(generation));
    let mut cmd = command(config, built, port, &token, socket.as_ref());
    let mut process = cmd.spawn().map_err(|e| {
        Failure::new(500, "spawn_failed", format!("could not start the sidecar binary {}: {e}", built.binary.display()))
    })?;
    let pid = process.id().unwrap_or(0);
    let stdin = process.stdin.take();
    let stderr = Arc::new(Mutex::new(StderrLog::default()));
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
        let log = stderr.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(err).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                // The sidecar's own "forst: " prefix would double ours.
                eprintln!("[forst] {}", line.strip_prefix("forst: ").unwrap_or(&line));
                log.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        })
    });
    let (exited_tx, exited_rx) = watch::channel::<Option<String>>(None);
    // The child is shared with the monitor through this slot once it is built, so that the monitor can record its
    // fate before anyone learns that it exited.
    let slot: Arc<Mutex<Option<Arc<Child>>>> = Arc::new(Mutex::new(None));
    {
        let slot = slot.clone();
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
            let how = match status {
                Ok(s) => describe_exit(s),
                Err(e) => format!("could not be waited for ({e})"),
            };
            let child = slot.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Some(child) = &child {
                child.record_death(&how);
            }
            let _ = exited_tx.send(Some(how.clone()));
            let _ = on_exit.send((generation, how));
        });
    }

    let timeout = Duration::from_millis(config.ready_timeout_ms);
    let deadline = Instant::now() + timeout;
    let not_ready = |what: String| not_ready(what, port, &stderr.lock().unwrap_or_else(|p| p.into_inner()));
    let mut exit_rx = exited_rx.clone();
    // 1. Wait for the listening line (or an early exit).
    let addr = loop {
        if let Some(addr) = listen_rx.borrow().clone() {
            break addr;
        }
        if let Some(exit) = exit_rx.borrow().clone() {
            return Err(not_ready(format!("the sidecar exited before it was ready ({exit})")));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::select! {
            _ = listen_rx.changed() => {}
            _ = exit_rx.changed() => {}
            _ = tokio::time::sleep(left) => {
                os::kill(pid);
                return Err(not_ready(format!("the sidecar did not start listening within {} ms (timeouts.readyMs)", timeout.as_millis())));
            }
        }
    };
    let port_no = addr.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
    // The server creates its socket before it prints that it listens: check it is ours before anything is sent.
    let via_socket = match (&socket, socket_dir) {
        (Some(path), Some(dir)) => {
            if let Err(why) = dir.verify_socket(path) {
                os::kill(pid);
                return Err(Failure::new(
                    500,
                    "socket_unsafe",
                    format!("the sidecar's socket cannot be trusted: {why}"),
                ));
            }
            SocketPool::new(path, pid, &addr, &token).map(Arc::new)
        }
        _ => None,
    };
    let child = Arc::new(Child {
        pid,
        port: port_no,
        socket: socket.filter(|_| via_socket.is_some()),
        at: Endpoint { base_url: format!("http://{addr}"), token, via_socket, contract: None },
        generation,
        started: Instant::now(),
        retired: AtomicBool::new(false),
        stopping: AtomicBool::new(false),
        fate: Mutex::new(None),
        death: Mutex::new(None),
        stdin: Mutex::new(stdin),
        stderr: stderr.clone(),
        exited: exited_rx,
    });
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(child.clone());
    if let Some(how) = child.exited.borrow().clone() {
        child.record_death(&how); // it died before it was in the slot
    }
    // 2. Readiness means the child answered /readyz, not that a port is open.
    loop {
        if matches!(child.probe(client, "/readyz", Duration::from_millis(500)).await, Ok(200)) {
            return Ok(child);
        }
        if let Some(exit) = child.exited.borrow().clone() {
            return Err(not_ready(format!("the sidecar exited before it was ready ({exit})")));
        }
        if Instant::now() >= deadline {
            os::kill(pid);
            return Err(not_ready(format!(
                "the sidecar did not answer /readyz within {} ms (timeouts.readyMs)",
                timeout.as_millis()
            )));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

impl Child {
    /// Records why the child died, for the calls that were in flight.
    fn record_death(&self, how: &str) {
        let stopping = self.stopping.load(Ordering::SeqCst);
        let cause = self.stderr.lock().unwrap_or_else(|p| p.into_inner()).cause();
        let summary = match cause {
            Some(c) => format!("{how}: {c}"),
            None => how.to_string(),
        };
        self.death.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(summary.clone());
        self.set_fate_once(|| {
            if stopping {
                Failure::new(503, "unavailable", format!("the Forst sidecar was stopped before this call finished (it {how} after timeouts.shutdownGraceMs)"))
            } else {
                Failure::new(503, "sidecar_crashed", format!("the Forst sidecar crashed while this call was in flight — it {summary}; it is being restarted, and the call was not retried, because it may already have run"))
            }
        });
    }
}

fn command(config: &Config, built: &Built, port: PortRequest, token: &str, socket: Option<&PathBuf>) -> Command {
    let mut cmd = Command::new(&built.binary);
    cmd.arg("--supervised");
    cmd.env("FORST_TOKEN", token)
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
        PortRequest::Exactly(p) => cmd.env("FORST_PORT", p.to_string()).env("FORST_PORT_STRICT", "1"),
        PortRequest::Any => cmd.env("FORST_PORT", "0"),
    };
    match &config.docs_dir {
        Some(dir) => cmd.env("FORST_DOCS_DIR", dir),
        None => cmd.env_remove("FORST_DOCS_DIR"),
    };
    if config.stable_port {
        cmd.env("FORST_REUSEPORT", "1");
    } else {
        cmd.env_remove("FORST_REUSEPORT");
    }
    match socket {
        Some(path) => cmd.env("FORST_SOCKET", path),
        None => cmd.env_remove("FORST_SOCKET"),
    };
    set_parent_death_signal(&mut cmd);
    cmd
}

fn not_ready(what: String, port: PortRequest, stderr: &StderrLog) -> Failure {
    let busy = stderr.contains("already in use");
    let code = if busy { "port_in_use" } else { "not_ready" };
    let mut message = what;
    if busy {
        if let PortRequest::Exactly(p) = port {
            message = format!("port {p} (devServer.port) is already in use: free it, choose another port, or remove devServer.port to let Forst pick one");
        }
    }
    let text = stderr.text();
    if !text.is_empty() {
        message.push_str("\nthe sidecar printed:\n");
        message.push_str(&text);
    }
    Failure::new(500, code, message)
}

pub fn random_token() -> String {
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
