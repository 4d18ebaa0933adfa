//! What the runtime asks of the operating system, one function per concern, with a body per platform.
//!
//! Linux is the reference; macOS has the same Unix sockets and permissions but reads a socket peer's credentials
//! differently; Windows has no Unix sockets for the sidecar (calls use loopback TCP with the token, see
//! `config.unix_socket`), no permission bits and no signals. Everything platform-specific the runtime does outside
//! process spawning is here, so the rest of the code reads the same everywhere.

use std::fs::Metadata;
use std::process::ExitStatus;

/// Our effective uid (the owner the socket directory, its sockets and every peer must have).
#[cfg(unix)]
pub fn effective_uid() -> u32 {
    #[allow(unsafe_code)]
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe {
        libc::geteuid()
    }
}

/// The credentials of the process at the other end of a connected Unix socket.
#[cfg(unix)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// `None` where the platform cannot tell (then only the uid is checked).
    pub pid: Option<u32>,
    pub uid: u32,
}

/// Linux: `SO_PEERCRED`, the pid and uid the peer had when it connected or listened.
#[cfg(target_os = "linux")]
pub fn peer_credentials(fd: std::os::unix::io::RawFd) -> std::io::Result<Peer> {
    let mut cred = libc::ucred { pid: 0, uid: 0, gid: 0 };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    #[allow(unsafe_code)]
    // SAFETY: getsockopt writes at most `len` bytes into `cred`, a properly sized and aligned ucred we own; `fd` is a
    // socket this function's caller owns for the duration of the call.
    let r = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_PEERCRED, (&mut cred as *mut libc::ucred).cast(), &mut len)
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(Peer { pid: u32::try_from(cred.pid).ok(), uid: cred.uid })
}

/// macOS: the uid from `getpeereid`, the pid from `LOCAL_PEERPID` (the process that listened on the socket), the
/// same pair `SO_PEERCRED` gives on Linux.
#[cfg(target_os = "macos")]
pub fn peer_credentials(fd: std::os::unix::io::RawFd) -> std::io::Result<Peer> {
    let (mut uid, mut gid): (libc::uid_t, libc::gid_t) = (0, 0);
    #[allow(unsafe_code)]
    // SAFETY: getpeereid writes one uid_t and one gid_t into locals we own; `fd` is a socket the caller owns.
    if unsafe { libc::getpeereid(fd, &mut uid, &mut gid) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mut pid: libc::pid_t = 0;
    let mut len = std::mem::size_of::<libc::pid_t>() as libc::socklen_t;
    #[allow(unsafe_code)]
    // SAFETY: getsockopt writes at most `len` bytes into `pid`, a pid_t we own.
    let r = unsafe {
        libc::getsockopt(fd, libc::SOL_LOCAL, libc::LOCAL_PEERPID, (&mut pid as *mut libc::pid_t).cast(), &mut len)
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(Peer { pid: u32::try_from(pid).ok(), uid })
}

/// Other Unix systems are not release targets: their peers cannot be verified, so their sockets are never trusted
/// (the error tells the user to set `FORST_TRANSPORT=tcp`).
#[cfg(all(unix, not(any(target_os = "linux", target_os = "macos"))))]
pub fn peer_credentials(_fd: std::os::unix::io::RawFd) -> std::io::Result<Peer> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "peer credentials are read on Linux and macOS only; set FORST_TRANSPORT=tcp",
    ))
}

/// Whether a process with this pid exists (any user's: a pid we cannot signal still exists).
#[cfg(unix)]
pub fn process_exists(pid: u32) -> bool {
    let Ok(pid @ 1..) = i32::try_from(pid) else { return true };
    #[allow(unsafe_code)]
    // SAFETY: kill with signal 0 only checks whether the process exists; nothing is sent and no memory is touched.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Kills a child we spawned and have not reaped yet, at once (SIGKILL; `TerminateProcess` on Windows). Not reaped
/// means its pid cannot have been reused. pid 0 (unknown) is ignored: on Unix it would mean our whole process group.
#[cfg(unix)]
pub fn kill(pid: u32) {
    if let Ok(pid @ 1..) = i32::try_from(pid) {
        #[allow(unsafe_code)]
        // SAFETY: plain syscall with a pid of our own (not yet reaped) child; no memory is touched.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

#[cfg(windows)]
pub fn kill(pid: u32) {
    use windows_sys::Win32::Foundation::CloseHandle;
    use windows_sys::Win32::System::Threading::{OpenProcess, TerminateProcess, PROCESS_TERMINATE};
    if pid == 0 {
        return;
    }
    #[allow(unsafe_code)]
    // SAFETY: OpenProcess returns a handle we own (or null); it is closed below. Our tokio child handle keeps the
    // process object, and so its pid, alive until it is waited for.
    unsafe {
        let handle = OpenProcess(PROCESS_TERMINATE, 0, pid);
        if !handle.is_null() {
            TerminateProcess(handle, 1);
            CloseHandle(handle);
        }
    }
}

/// The signal that killed a process, if one did (Windows has none: a killed process just has an exit code).
#[cfg(unix)]
pub fn killing_signal(status: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
pub fn killing_signal(_status: &ExitStatus) -> Option<i32> {
    None
}

/// SIGKILL's number, for messages about a killed child.
#[cfg(unix)]
pub const SIGKILL: i32 = libc::SIGKILL;
#[cfg(not(unix))]
pub const SIGKILL: i32 = 9;

/// Whether two paths' metadata are the same file (a hard link already in place). Windows: not known without
/// opening both files; `false` only costs a fresh link.
#[cfg(unix)]
pub fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.ino() == b.ino() && a.dev() == b.dev()
}

#[cfg(not(unix))]
pub fn same_file(_a: &Metadata, _b: &Metadata) -> bool {
    false
}

/// Whether a file may be run: an execute bit on Unix; on Windows every file may be (its extension decides how).
#[cfg(unix)]
pub fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
pub fn is_executable(meta: &Metadata) -> bool {
    meta.is_file()
}

/// Makes a directory we created readable by us only (0700). Windows: a directory under the user's profile is
/// already private to the user by its inherited ACL; nothing to change.
#[cfg(unix)]
pub fn make_private(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
pub fn make_private(_dir: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_socket_peer_is_this_process_as_us() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let peer = peer_credentials(std::os::unix::io::AsRawFd::as_raw_fd(&a)).unwrap();
        assert_eq!(peer, Peer { pid: Some(std::process::id()), uid: effective_uid() });
    }

    #[test]
    fn process_exists_tells_a_live_pid_from_a_dead_one() {
        assert!(process_exists(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_exists(pid));
    }
}
