//! Go's type checker behind `forst check`, `forst generate`, `start()` and every hot reload.
//!
//! The checker is a small Go program around `go/types` (`runtime/gocheck/`, standard library only, embedded here). It is
//! built once per toolchain into the user's cache directory (`$XDG_CACHE_HOME/forst-sidecar/gocheck/<key>/`, private
//! to the user, mode 0700; the key hashes its sources and the Go version), under an exclusive file lock like the
//! project build, and then kept running for the life of this process: requests go to its stdin as JSON, answers come
//! back one line each. A long-lived process (`forst dev`, an app with hot reload) therefore checks warm — imported
//! packages stay loaded — and a one-shot `forst check` pays only the start of a small Go program, because the
//! helper keeps the locations of the standard library's export data on disk next to its binary.
//!
//! The helper dies with this process: its stdin is our pipe, and it exits on end of input.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::build::{compile_project, find_go, lock_file, GoToolchain, RUNTIME_FILES};
use super::config::Config;
use super::failure::Failure;
use crate::compiler::{typecheck, CompileResult, Compiled, Diagnostic, SourceFile};

/// The helper's sources, embedded: written out once to be built.
const HELPER_SOURCES: &[(&str, &str)] = &[
    ("go.mod", include_str!("../../runtime/gocheck/go.mod")),
    ("main.go", include_str!("../../runtime/gocheck/main.go")),
    ("check.go", include_str!("../../runtime/gocheck/check.go")),
    ("exports.go", include_str!("../../runtime/gocheck/exports.go")),
    ("codes.go", include_str!("../../runtime/gocheck/codes.go")),
];

struct Helper {
    binary: PathBuf,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The running helper of this process (one; requests are serialised).
static HELPER: Mutex<Option<Helper>> = Mutex::new(None);

/// Type-checks a compiled project with Go's checker and returns its errors as diagnostics on the `.ft` files.
/// `fallback_cache` is where the helper is built when the user has no cache directory (no `HOME`).
pub fn check(
    go: &GoToolchain,
    compiled: &Compiled,
    sources: &[SourceFile],
    fallback_cache: &Path,
) -> Result<Vec<Diagnostic>, Failure> {
    let mut compiled = compiled.clone();
    compiled.set_go_version(&go.version);
    let request = typecheck::request(&compiled, RUNTIME_FILES, &go.version);
    let mut line = serde_json::to_vec(&request).map_err(|e| internal(format!("could not encode the request: {e}")))?;
    line.push(b'\n');
    let binary = helper_binary(go, fallback_cache)?;
    let mut guard = HELPER.lock().unwrap_or_else(|p| p.into_inner());
    // One retry: a helper that died (or belongs to another toolchain) is replaced once.
    let mut last_error = String::new();
    for _ in 0..2 {
        if guard.as_ref().is_none_or(|h| h.binary != binary) {
            *guard = Some(spawn(&binary, go)?);
        }
        let Some(helper) = guard.as_mut() else { continue };
        match exchange(helper, &line) {
            Ok(response) => {
                if let Some(fatal) = response.fatal {
                    return Err(internal(format!("Go's type checker could not run: {fatal}")));
                }
                let mut errors = typecheck::diagnostics(&response.problems, &compiled, sources);
                // Source order, like Forst's own diagnostics (go/types reports unused variables at the function's end).
                errors.sort_by_key(|d| (sources.iter().position(|s| s.path == d.file), d.span.start));
                return Ok(errors);
            }
            Err(e) => {
                last_error = e;
                *guard = None;
            }
        }
    }
    Err(internal(format!("Go's type checker stopped answering: {last_error}")))
}

fn exchange(helper: &mut Helper, request: &[u8]) -> Result<typecheck::Response, String> {
    helper.stdin.write_all(request).and_then(|_| helper.stdin.flush()).map_err(|e| e.to_string())?;
    let mut answer = String::new();
    match helper.stdout.read_line(&mut answer) {
        Ok(0) => Err("it exited".into()),
        Ok(_) => serde_json::from_str(&answer).map_err(|e| format!("unreadable answer ({e})")),
        Err(e) => Err(e.to_string()),
    }
}

fn spawn(binary: &Path, go: &GoToolchain) -> Result<Helper, Failure> {
    let cache = binary.parent().unwrap_or(Path::new("."));
    let mut child = Command::new(binary)
        .env("FORST_GOCHECK_GO", &go.go)
        .env("FORST_GOCHECK_CACHE", cache)
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| internal(format!("could not start Go's type checker at {}: {e}", binary.display())))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(internal("Go's type checker has no pipes".into()));
    };
    Ok(Helper { binary: binary.to_path_buf(), child, stdin, stdout: BufReader::new(stdout) })
}

/// The helper binary for this toolchain, built on first use.
fn helper_binary(go: &GoToolchain, fallback_cache: &Path) -> Result<PathBuf, Failure> {
    let mut h = Sha256::new();
    h.update(&go.version);
    for (name, text) in HELPER_SOURCES {
        h.update([0]);
        h.update(name);
        h.update([0]);
        h.update(text);
    }
    let key: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let dir = cache_root(fallback_cache).join("gocheck").join(&key);
    let binary = dir.join("gocheck");
    if binary.is_file() {
        return Ok(binary);
    }
    let io = |what: &str, p: &Path, e: std::io::Error| internal(format!("could not {what} {}: {e}", p.display()));
    create_private_dir(&dir).map_err(|e| io("create", &dir, e))?;
    let lock_path = dir.join(".lock");
    let _lock = lock_file(&lock_path).map_err(|e| io("lock", &lock_path, e))?;
    if binary.is_file() {
        return Ok(binary); // another process built it while we waited
    }
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| io("create", &src, e))?;
    for (name, text) in HELPER_SOURCES {
        std::fs::write(src.join(name), text).map_err(|e| io("write", &src.join(name), e))?;
    }
    let tmp = dir.join(format!("gocheck.tmp{}", std::process::id()));
    let out = Command::new(&go.go)
        .current_dir(&src)
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .args(["build", "-trimpath", "-o"])
        .arg(&tmp)
        .arg(".")
        .output()
        .map_err(|e| internal(format!("could not run `go build` for Go's type checker: {e}")))?;
    if !out.status.success() {
        return Err(internal(format!(
            "could not build Go's type checker with {}: {}",
            go.version,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    std::fs::rename(&tmp, &binary).map_err(|e| io("move the type checker to", &binary, e))?;
    Ok(binary)
}

/// The user's cache directory for this package (`FORST_CACHE_DIR`, else `$XDG_CACHE_HOME/forst-sidecar`, else
/// `~/.cache/forst-sidecar`), or `fallback` when there is no home: never a guessable path in a shared directory.
fn cache_root(fallback: &Path) -> PathBuf {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("FORST_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("forst-sidecar")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("forst-sidecar")))
        .unwrap_or_else(|| fallback.to_path_buf())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    super::os::make_private(dir)
}

fn internal(message: String) -> Failure {
    Failure::new(500, "typecheck_failed", message)
}

/// `forst check` and `forst generate`: compile, then — when the Forst front end found no error — let Go's type checker
/// judge the generated Go. Its errors join the diagnostics (and the output is dropped, as for any error). When Go's
/// checker cannot run (no `go`, an unwritable cache), warning W0005 says so and says what was not checked.
pub fn check_project(config: &Config) -> Result<(Vec<SourceFile>, CompileResult), Failure> {
    check_project_with(config, find_go())
}

/// [`check_project`] with the toolchain lookup's outcome given (tests pass a missing toolchain without touching the
/// environment other tests read).
pub fn check_project_with(
    config: &Config,
    go: Result<GoToolchain, Failure>,
) -> Result<(Vec<SourceFile>, CompileResult), Failure> {
    let (sources, mut result) = compile_project(config)?;
    let Some(compiled) = result.output.as_ref().filter(|_| !result.has_errors()) else { return Ok((sources, result)) };
    let checked = go.and_then(|go| check(&go, compiled, &sources, &config.output_dir));
    match checked {
        Ok(errors) if errors.is_empty() => {}
        Ok(errors) => {
            result.diagnostics.extend(errors);
            result.output = None;
        }
        Err(f) => result.diagnostics.push(
            Diagnostic::warning("W0005", format!("Go's type checker did not run: {}", f.message), "", 0..0)
                .with_help("only Forst's own checks ran: type errors will show at `go build`; install Go 1.22 or newer (or set FORST_GO)"),
        ),
    }
    Ok((sources, result))
}
