//! `@forst/sidecar`: compile Forst (`.ft`) routes into a Go sidecar and call them from Node.
//!
//! Three layers, each usable without the next:
//! - [`compiler`]: `.ft` sources → Go module + TypeScript declarations + manifest (pure, no I/O but reading sources).
//! - [`runtime`]: configuration, `go build` with a content-hash cache, the supervised child process, the HTTP client,
//!   the file watcher.
//! - `napi` (glue only): exposes the runtime to JavaScript; Rust errors become `ForstError`s there.

pub mod cli;
pub mod compiler;
pub mod runtime;
// napi-derive registers exports only outside `cfg(test)`: in test builds the glue looks unused.
#[cfg_attr(test, allow(dead_code))]
mod napi;
