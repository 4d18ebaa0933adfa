//! Where there are no Unix sockets (Windows), there is no socket directory: `FORST_TRANSPORT` can only be `tcp`
//! there (see `config.rs`), so [`SocketDir::create`] is never asked for; if it were, it says why it cannot.
//! The type has no values, so the code that uses a directory compiles unchanged and provably never runs.

use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum SocketDir {}

impl SocketDir {
    pub fn create() -> Result<SocketDir, String> {
        Err("Unix sockets are not available on this platform; calls use loopback TCP (FORST_TRANSPORT=tcp)".into())
    }

    pub fn socket(&self, _generation: u64) -> PathBuf {
        match *self {}
    }

    pub fn verify(&self) -> Result<(), String> {
        match *self {}
    }

    pub fn verify_socket(&self, _socket: &Path) -> Result<(), String> {
        match *self {}
    }
}
