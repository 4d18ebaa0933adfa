//! The private directory that holds this process's sidecar sockets.
//!
//! A socket at a predictable path in a shared directory (`/tmp/forst-<pid>-1.sock`) can be taken by another local user
//! who binds it first or plants a symlink there, and would then receive every call with its token. So the sockets
//! live in a directory that this process creates itself — a fresh name with 96 random bits, `mkdir` with mode 0700
//! (which fails if anything already has the name) — under a base that is safe to create it in, and every use checks
//! again that the directory is ours, private and not a symlink. On top of that the client checks each connection's
//! peer credentials ([`super::os::peer_credentials`]: our child, as us) and the server refuses peers of another user.
//!
//! Base: `$XDG_RUNTIME_DIR` (a per-user directory, mode 0700, on systemd systems) when set, else the temporary
//! directory, else `/tmp` — the first whose real path is a directory owned by us or root, and sticky if others may
//! write to it, and short enough for a socket address (108 bytes on Linux). Directories that earlier processes of
//! ours left behind (killed before they could clean up) are removed when their process is gone.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::os::effective_uid as euid;

/// Socket paths longer than this do not fit in a `sockaddr_un` with room to spare (Linux: 108 bytes; macOS: 104).
const MAX_SOCKET_PATH: usize = 100;
/// The longest socket file name we put in the directory: `<generation>.sock`.
const SOCKET_NAME_ROOM: usize = "18446744073709551615.sock".len() + 1;
const PREFIX: &str = "forst-";

#[derive(Debug)]
pub struct SocketDir {
    path: PathBuf,
}

impl SocketDir {
    /// Creates the directory. The error says where it tried and why each base was refused.
    pub fn create() -> Result<SocketDir, String> {
        let mut refused = Vec::new();
        for base in candidate_bases() {
            match create_in(&base) {
                Ok(dir) => return Ok(dir),
                Err(why) => refused.push(format!("{}: {why}", base.display())),
            }
        }
        Err(format!(
            "could not create a private directory for the sidecar's socket ({}); point TMPDIR at a directory you own, \
             or set FORST_TRANSPORT=tcp",
            refused.join("; ")
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the child of this generation listens.
    pub fn socket(&self, generation: u64) -> PathBuf {
        self.path.join(format!("{generation}.sock"))
    }

    /// Checks, again, that the directory is a real directory (not a symlink), owned by us, and private.
    pub fn verify(&self) -> Result<(), String> {
        let meta = std::fs::symlink_metadata(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        if !meta.file_type().is_dir() {
            return Err(format!(
                "{} is no longer a directory (a symlink or a file took its place)",
                self.path.display()
            ));
        }
        if meta.uid() != euid() {
            return Err(format!("{} is owned by uid {}, not by us (uid {})", self.path.display(), meta.uid(), euid()));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{} has mode {:o}: others may enter it",
                self.path.display(),
                meta.permissions().mode() & 0o777
            ));
        }
        Ok(())
    }

    /// Checks a child's socket before the first connection: inside our verified directory, a socket (not a symlink),
    /// owned by us.
    pub fn verify_socket(&self, socket: &Path) -> Result<(), String> {
        self.verify()?;
        if socket.parent() != Some(self.path.as_path()) {
            return Err(format!("{} is not in {}", socket.display(), self.path.display()));
        }
        let meta = std::fs::symlink_metadata(socket).map_err(|e| format!("{}: {e}", socket.display()))?;
        use std::os::unix::fs::FileTypeExt;
        if !meta.file_type().is_socket() {
            return Err(format!("{} is not a socket", socket.display()));
        }
        if meta.uid() != euid() {
            return Err(format!("{} is owned by uid {}, not by us", socket.display(), meta.uid()));
        }
        Ok(())
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn candidate_bases() -> Vec<PathBuf> {
    let mut bases = Vec::new();
    if let Some(xdg) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        bases.push(PathBuf::from(xdg));
    }
    bases.push(std::env::temp_dir());
    bases.push(PathBuf::from("/tmp"));
    bases.dedup();
    bases
}

fn create_in(base: &Path) -> Result<SocketDir, String> {
    let base = std::fs::canonicalize(base).map_err(|e| e.to_string())?;
    let meta = std::fs::metadata(&base).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Err("not a directory".into());
    }
    if meta.uid() != euid() && meta.uid() != 0 {
        return Err(format!("owned by uid {}, neither us nor root", meta.uid()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(format!("others may write to it and it is not sticky (mode {:o})", mode & 0o7777));
    }
    remove_stale(&base);
    let random: [u8; 12] = rand::random();
    let name =
        format!("{PREFIX}{}-{}", std::process::id(), random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let path = base.join(name);
    if path.as_os_str().len() + SOCKET_NAME_ROOM > MAX_SOCKET_PATH {
        return Err("its path is too long for a socket address".into());
    }
    std::fs::DirBuilder::new().mode(0o700).create(&path).map_err(|e| e.to_string())?;
    let dir = SocketDir { path };
    dir.verify()?;
    Ok(dir)
}

/// Removes `forst-<pid>-*` directories of ours whose process is gone (a killed process cannot clean up).
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(PREFIX).and_then(|rest| rest.split('-').next()).and_then(|p| p.parse().ok())
        else {
            continue;
        };
        let ours = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == euid());
        if ours && !super::os::process_exists(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_fresh_private_and_removed_on_drop() {
        let dir = SocketDir::create().unwrap();
        let meta = std::fs::symlink_metadata(dir.path()).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        assert_eq!(meta.uid(), euid());
        assert!(dir.socket(7).ends_with("7.sock"));
        let again = SocketDir::create().unwrap();
        assert_ne!(dir.path(), again.path(), "every process-wide directory gets a new random name");
        let path = dir.path().to_owned();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn a_directory_swapped_for_a_symlink_or_opened_up_is_refused() {
        let dir = SocketDir::create().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(dir.verify().unwrap_err().contains("others may enter it"));
        std::fs::remove_dir(dir.path()).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path()).unwrap();
        assert!(dir.verify().unwrap_err().contains("no longer a directory"));
        std::fs::remove_file(dir.path()).unwrap();
    }

    #[test]
    fn a_planted_file_is_not_a_socket() {
        let dir = SocketDir::create().unwrap();
        std::fs::write(dir.socket(1), b"").unwrap();
        assert!(dir.verify_socket(&dir.socket(1)).unwrap_err().contains("is not a socket"));
        let outside = std::env::temp_dir().join("x.sock");
        assert!(dir.verify_socket(&outside).unwrap_err().contains("is not in"));
    }

    #[test]
    fn an_unsafe_base_is_refused() {
        let base = tempfile::tempdir().unwrap();
        std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(create_in(base.path()).unwrap_err().contains("not sticky"));
        std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(create_in(base.path()).is_ok());
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed() {
        let base = tempfile::tempdir().unwrap();
        // pid 2^22+1 is above Linux's pid_max default: no such process.
        let stale = base.path().join("forst-4194305-abc");
        let alive = base.path().join(format!("forst-{}-abc", std::process::id()));
        std::fs::create_dir(&stale).unwrap();
        std::fs::create_dir(&alive).unwrap();
        remove_stale(base.path());
        assert!(!stale.exists() && alive.exists());
    }
}
