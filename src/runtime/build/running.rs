//! `go build` as a process group that can be stopped: it runs in a group of its own (the compiler and linker
//! processes it starts join it), registered here so that `stop()` and Ctrl-C ([`cancel_builds`]) kill the whole
//! group at once, and on Linux it gets SIGKILL when the thread that started it dies (Node killed without a chance to
//! clean up). Without this a Ctrl-C during a cold build left `go build` running for most of a minute.

use std::collections::HashSet;
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, PoisonError};

use crate::runtime::failure::Failure;

/// Process-group ids of the builds running now, and of those [`cancel_builds`] killed (until their runner sees it).
static RUNNING: Mutex<Option<HashSet<u32>>> = Mutex::new(None);
static CANCELLED: Mutex<Option<HashSet<u32>>> = Mutex::new(None);

/// A build started by [`start`]: [`Running::finish`] waits for it, [`Running::abandon`] kills it first.
pub struct Running {
    child: std::process::Child,
    pid: u32,
}

/// Starts `cmd` in a process group of its own, registered for [`cancel_builds`].
pub fn start(mut cmd: Command) -> Result<Running, Failure> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    own_group(&mut cmd);
    let child = cmd.spawn().map_err(|e| Failure::new(500, "build_failed", format!("could not run `go build`: {e}")))?;
    let pid = child.id();
    set(&RUNNING, |s| s.insert(pid));
    Ok(Running { child, pid })
}

impl Running {
    /// Waits for the build; `unavailable` when [`cancel_builds`] killed it.
    pub fn finish(self) -> Result<Output, Failure> {
        let pid = self.pid;
        let out = self.child.wait_with_output();
        set(&RUNNING, |s| s.remove(&pid));
        if set(&CANCELLED, |s| s.remove(&pid)) {
            return Err(Failure::new(
                503,
                "unavailable",
                "the build was stopped (stop() or a signal) before it finished; nothing was started",
            ));
        }
        out.map_err(|e| Failure::new(500, "build_failed", format!("could not wait for `go build`: {e}")))
    }

    /// The process group's id (the tests check that it is gone).
    #[cfg(all(test, unix))]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the build and everything it started (its result is no longer wanted) and waits for it to end, so that
    /// no compiler or linker outlives the decision.
    pub fn abandon(self) {
        kill_group(self.pid);
        let _ = self.finish();
    }
}

/// Kills every running build's process group (`stop()`, SIGINT/SIGTERM in the CLI). Their callers fail with
/// `unavailable`; the temporary binary a killed link leaves is removed by the caller or by the next build.
pub fn cancel_builds() {
    let pids: Vec<u32> = set(&RUNNING, |s| s.drain().collect());
    for pid in pids {
        set(&CANCELLED, |s| s.insert(pid));
        kill_group(pid);
    }
}

fn set<T>(slot: &Mutex<Option<HashSet<u32>>>, f: impl FnOnce(&mut HashSet<u32>) -> T) -> T {
    let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(HashSet::new))
}

#[cfg(unix)]
fn own_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    {
        #[allow(unsafe_code)]
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
}

#[cfg(not(unix))]
fn own_group(_cmd: &mut Command) {}

#[cfg(unix)]
fn kill_group(pid: u32) {
    #[allow(unsafe_code)]
    // SAFETY: kill(2) with a negative pid signals the process group we created for this build.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(pid: u32) {
    let _ = Command::new("taskkill").args(["/F", "/T", "/PID", &pid.to_string()]).status();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_build_is_killed_with_its_children() {
        let mut cmd = Command::new("sh");
        // The grandchild stands for the compiler processes `go build` starts.
        cmd.args(["-c", "sleep 30 & sleep 30; wait"]);
        let t0 = std::time::Instant::now();
        let runner = std::thread::spawn(move || start(cmd)?.finish());
        while set(&RUNNING, |s| s.is_empty()) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let pgid = set(&RUNNING, |s| s.iter().copied().next()).unwrap_or_default();
        cancel_builds();
        let err = runner.join().unwrap().unwrap_err();
        assert_eq!(err.code, "unavailable");
        assert!(t0.elapsed().as_secs() < 10);
        // The grandchild is re-parented and reaped by init a moment later; until then it is a zombie.
        let gone = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            #[allow(unsafe_code)]
            // SAFETY: signal 0 only checks whether the group still exists.
            let alive = unsafe { libc::kill(-(pgid as libc::pid_t), 0) } == 0;
            !alive
        });
        assert!(gone, "the process group {pgid} survived");
    }
}
