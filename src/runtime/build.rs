//! Build: compile the project, write the Go module into `outputDir`, and `go build` it — unless a binary for exactly
//! this content already exists.
//!
//! The cache key is a SHA-256 over everything that can change the binary: the generated Go files (which already
//! capture the sources and the compiler version), the server files, the build options ([`source_hash`], which needs
//! no Go) and the Go version. Builds
//! of one `outputDir` are serialised by an exclusive file lock (`outputDir/.build.lock`), so two processes starting
//! the same project at once never write over each other's files: the second one waits and then finds the cache.
//!
//! Build flags (see `compilation` in the README): always `-trimpath -buildvcs=false` with `CGO_ENABLED=0`
//! (static binary, no C toolchain needed) and `GOTOOLCHAIN=local` (never download a toolchain);
//! `-ldflags=-X …` stamps the package version, contract and build hash into the binary; `optimization: "size"` adds
//! `-s -w` to them; `debug: true` adds `-gcflags=all=-N -l` (no optimisation, no inlining, for debuggers).
//!
//! Every build leaves `outputDir/forst-sidecar` (the binary) and `outputDir/manifest.json` (see [`super::prebuilt`]):
//! the deployable artifact.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::config::{Config, Optimization};
use super::failure::Failure;
use super::write_if_changed;
use crate::compiler::{self, Compiled, SourceFile};

mod running;
pub use running::cancel_builds;

/// The runtime package: the Go HTTP server, the JSON codec runtime, the prelude and contracts the generated code
/// calls — real Go files under `runtime/go/` (with their own tests there), embedded at build time as (name, contents)
/// and written into the generated module as the package [`compiler::emit_go::RUNTIME_IMPORT`] (the directory
/// [`compiler::emit_go::RUNTIME_DIR`]). A new runtime file is one line here.
pub const RUNTIME_FILES: &[(&str, &str)] = &[
    ("server.go", include_str!("../../runtime/go/server.go")),
    ("calls.go", include_str!("../../runtime/go/calls.go")),
    ("stream.go", include_str!("../../runtime/go/stream.go")),
    ("listen.go", include_str!("../../runtime/go/listen.go")),
    ("sockets_unix.go", include_str!("../../runtime/go/sockets_unix.go")),
    ("sockets_linux.go", include_str!("../../runtime/go/sockets_linux.go")),
    ("sockets_darwin.go", include_str!("../../runtime/go/sockets_darwin.go")),
    ("sockets_other.go", include_str!("../../runtime/go/sockets_other.go")),
    ("standalone.go", include_str!("../../runtime/go/standalone.go")),
    ("metrics.go", include_str!("../../runtime/go/metrics.go")),
    ("logging.go", include_str!("../../runtime/go/logging.go")),
    ("docs.go", include_str!("../../runtime/go/docs.go")),
    ("prelude.go", include_str!("../../runtime/go/prelude.go")),
    ("contracts.go", include_str!("../../runtime/go/contracts.go")),
    ("json_scan.go", include_str!("../../runtime/go/json_scan.go")),
    ("json_decode.go", include_str!("../../runtime/go/json_decode.go")),
    ("json_body.go", include_str!("../../runtime/go/json_body.go")),
    ("json_encode.go", include_str!("../../runtime/go/json_encode.go")),
];

/// The binary's stable name in `outputDir` (a hard link to the current one in `bin/`): what a Containerfile copies
/// and what production mode runs. Windows runs only `.exe` files.
#[cfg(not(windows))]
pub const STABLE_BINARY: &str = "forst-sidecar";
#[cfg(windows)]
pub const STABLE_BINARY: &str = "forst-sidecar.exe";

/// The oldest Go we accept: generics, `for` loop variables per iteration (the RFC's closures rely on it).
const MIN_GO_MINOR: u32 = 22;

#[derive(Clone, Debug)]
pub struct GoToolchain {
    pub go: PathBuf,
    /// As `go env GOVERSION` prints it: `go1.26.8`.
    pub version: String,
}

impl GoToolchain {
    /// `gofmt` from the same toolchain (it sits next to `go` in `$GOROOT/bin`), else from `PATH`.
    pub fn gofmt(&self) -> Option<PathBuf> {
        let real = std::fs::canonicalize(&self.go).unwrap_or_else(|_| self.go.clone());
        let sibling = real.parent().map(|d| d.join("gofmt")).filter(|p| p.is_file());
        sibling.or_else(|| which::which("gofmt").ok())
    }
}

/// Finds the Go toolchain: `FORST_GO`, else `go` on `PATH`. Checks the version.
pub fn find_go() -> Result<GoToolchain, Failure> {
    let install = "Install Go 1.22 or newer from https://go.dev/dl/ (or your package manager), or point FORST_GO at the go binary.";
    let go = match std::env::var_os("FORST_GO").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => which::which("go").map_err(|_| {
            Failure::new(500, "go_not_found", format!("the Go toolchain was not found: `go` is not on PATH. {install}"))
        })?,
    };
    let out = Command::new(&go).args(["env", "GOVERSION"]).env("GOTOOLCHAIN", "local").output().map_err(|e| {
        Failure::new(500, "go_not_found", format!("could not run the Go toolchain at {}: {e}. {install}", go.display()))
    })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || !version.starts_with("go") {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Failure::new(
            500,
            "go_not_found",
            format!("{} did not report its version ({}). {install}", go.display(), err.trim()),
        ));
    }
    match go_minor(&version) {
        Some(minor) if minor >= MIN_GO_MINOR => Ok(GoToolchain { go, version }),
        _ => Err(Failure::new(
            500,
            "go_too_old",
            format!("{} is {version}, but Forst needs Go 1.{MIN_GO_MINOR} or newer. {install}", go.display()),
        )),
    }
}

/// `go1.26.8` → 26; `go1.22rc1` → 22; unparsable → None.
fn go_minor(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What a successful build produced.
#[derive(Clone, Debug)]
pub struct Built {
    pub binary: PathBuf,
    pub compiled: Compiled,
    pub sources: Vec<SourceFile>,
    /// Rendered warnings (empty when none), for the caller to print once.
    pub warnings: String,
    pub hash: String,
    /// The binary came from the cache: `go build` did not run.
    pub cached: bool,
    pub compile_ms: f64,
    pub build_ms: f64,
    pub go_version: String,
    /// Found by [`super::prebuilt::find`] (no Go asked, nothing written).
    pub prebuilt: bool,
}

/// Compiles `config.forst_dir`; errors carry the rendered diagnostics.
pub fn compile_project(config: &Config) -> Result<(Vec<SourceFile>, compiler::CompileResult), Failure> {
    if !config.forst_dir.is_dir() {
        return Err(Failure::new(
            500,
            "no_project",
            format!(
                "no Forst directory at {}: create it with your routes in {}/routes/*.ft, or set forstDir in forst.config.js (or FORST_DIR)",
                config.forst_dir.display(),
                config.forst_dir.display()
            ),
        ));
    }
    let sources = compiler::read_project(&config.forst_dir)
        .map_err(|e| Failure::new(500, "io_error", format!("could not read {}: {e}", config.forst_dir.display())))?;
    let result = compiler::compile(&sources);
    Ok((sources, result))
}

/// Turns a compile result into output or a `compile_error` failure with every diagnostic rendered.
pub fn require_output(
    config: &Config,
    sources: &[SourceFile],
    result: compiler::CompileResult,
    color: bool,
) -> Result<(Compiled, String), Failure> {
    let warnings: Vec<_> =
        result.diagnostics.iter().filter(|d| d.severity == compiler::Severity::Warning).cloned().collect();
    let (shown, warnings) = from_project_root(config, sources, &warnings);
    let warnings = compiler::diagnostic::render(&warnings, &shown, color);
    match result.output {
        Some(out) if !result.diagnostics.iter().any(|d| d.severity == compiler::Severity::Error) => Ok((out, warnings)),
        _ => Err(compile_error(config, sources, &result.diagnostics, color)),
    }
}

/// The `compile_error` failure: every diagnostic rendered with its code frame.
pub fn compile_error(
    config: &Config,
    sources: &[SourceFile],
    diagnostics: &[compiler::Diagnostic],
    color: bool,
) -> Failure {
    let errors = diagnostics.iter().filter(|d| d.severity == compiler::Severity::Error).count();
    let (shown, diagnostics) = from_project_root(config, sources, diagnostics);
    let rendered = compiler::diagnostic::render(&diagnostics, &shown, color);
    Failure::new(
        500,
        "compile_error",
        format!("the Forst project has {errors} error{}:\n{rendered}", if errors == 1 { "" } else { "s" }),
    )
}

/// Go's type checker over a compiled project ([`super::gocheck`]): `Err(compile_error)` when Go rejects it. When the
/// checker itself cannot run, the build goes on (`go build` still checks) and the reason is returned as a warning.
pub fn go_type_check(
    go: &GoToolchain,
    config: &Config,
    compiled: &Compiled,
    sources: &[SourceFile],
    color: bool,
) -> Result<Option<String>, Failure> {
    match super::gocheck::check(go, compiled, sources, &config.output_dir) {
        Ok(errors) if errors.is_empty() => Ok(None),
        Ok(errors) => Err(compile_error(config, sources, &errors, color)),
        Err(f) => Ok(Some(unchecked_note(&f.message))),
    }
}

/// The warning when Go's type checker could not run.
fn unchecked_note(why: &str) -> String {
    format!("[forst] warning: {why} — `go build` checks the code instead\n")
}

/// The sources and diagnostics as a person reads them: files named from the project root (`forst/routes/a.ft:4:27`,
/// which a terminal or an editor opened there can follow), not from the Forst directory the compiler works in.
/// (The compiler's own names — `routes/a.ft` — stay inside: they decide what is an endpoint, and they are what the
/// generated Go's `//line` directives, panic `location`s and manifests carry; see the README.)
pub fn from_project_root(
    config: &Config,
    sources: &[SourceFile],
    diagnostics: &[compiler::Diagnostic],
) -> (Vec<SourceFile>, Vec<compiler::Diagnostic>) {
    let prefix = config.forst_dir.strip_prefix(&config.project_root).unwrap_or(&config.forst_dir);
    let shown = |file: &str| -> String {
        if file.is_empty() || prefix.as_os_str().is_empty() {
            return file.to_string();
        }
        prefix.join(file).to_string_lossy().replace('\\', "/")
    };
    let sources = sources.iter().map(|s| SourceFile { path: shown(&s.path), text: s.text.clone() }).collect();
    let diagnostics = diagnostics
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.file = shown(&d.file);
            for n in &mut d.notes {
                n.file = shown(&n.file);
            }
            d
        })
        .collect();
    (sources, diagnostics)
}

/// Prints a project's warnings on stderr — once: the same warnings are not printed again by the next process or
/// reload (the RFC's own example has two unused imports, and every `start()`, reload and `forst generate` used to
/// repeat them). `outputDir/.warnings` remembers a hash of the last ones printed; the explicit commands (`forst
/// check`, `build`, `generate`) pass `always` and print them every time.
pub fn print_warnings(config: &Config, warnings: &str, always: bool) {
    let marker = config.output_dir.join(".warnings");
    let hash = hex(Sha256::new_with_prefix(warnings.as_bytes()));
    let seen = std::fs::read_to_string(&marker).is_ok_and(|h| h.trim() == hash);
    if !warnings.is_empty() && (always || !seen) {
        eprint!("{warnings}");
    }
    if !seen && std::fs::create_dir_all(&config.output_dir).is_ok() {
        let _ = std::fs::write(&marker, &hash);
    }
}

/// Compile and build (blocking: run it on a blocking thread).
pub fn build(config: &Config, go: &GoToolchain, color: bool) -> Result<Built, Failure> {
    let t0 = Instant::now();
    let (sources, result) = compile_project(config)?;
    let (mut compiled, mut warnings) = require_output(config, &sources, result, color)?;
    let compile_ms = t0.elapsed().as_secs_f64() * 1000.0;

    // Hashed before go.mod names the toolchain: production mode recomputes it without Go (the cache key adds the Go
    // version, which decides that line).
    let source_hash = source_hash(&compiled, config);
    let hash = cache_key(&source_hash, &go.version);
    compiled.set_go_version(&go.version);
    let out = &config.output_dir;
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Failure::new(
            500,
            "io_error",
            format!("could not {what} {}: {e} (check that outputDir is writable)", p.display()),
        )
    };
    std::fs::create_dir_all(out.join("bin")).map_err(|e| io("create", out, e))?;
    let lock_path = out.join(".build.lock");
    let lock = lock_file(&lock_path).map_err(|e| io("lock", &lock_path, e))?;
    remove_stale_temporaries(out);

    // Windows runs only files named `.exe` (EXE_SUFFIX is empty elsewhere).
    let binary = out.join("bin").join(format!("forst-sidecar-{}{}", &hash[..16], std::env::consts::EXE_SUFFIX));
    let contract = crate::compiler::manifest::contract(&compiled.manifest, &compiled.dts);
    let t1 = Instant::now();
    let cached = binary.is_file();
    if !cached {
        // A cached binary was type-checked when it was built; a new one is checked while it builds (see
        // [`check_while_building`]).
        let src = out.join("src");
        let stamp = Stamp { contract: &contract, build_hash: &hash };
        let check = || go_type_check(go, config, &compiled, &sources, color);
        let note = check_while_building(check, || {
            // gofmt only what gets written: the cache key stays a function of the compiler's own output.
            let mut go_files = compiled.go_files.clone();
            if let Some(gofmt) = go.gofmt() {
                compiler::gofmt(&mut go_files, &gofmt);
            }
            write_module(&src, &go_files).map_err(|e| io("write the Go module into", &src, e))?;
            start_go_build(go, config, &src, &binary, &stamp)
        })?;
        warnings.push_str(&note.unwrap_or_default());
        prune_old_binaries(&out.join("bin"), &binary);
    }
    let build_ms = t1.elapsed().as_secs_f64() * 1000.0;
    let stable = out.join(STABLE_BINARY);
    link_stable(&binary, &stable).map_err(|e| io("link the binary to", &stable, e))?;
    let manifest_path = out.join(super::prebuilt::MANIFEST);
    let manifest = super::prebuilt::BuildManifest::new(&compiled, contract, &hash, &source_hash, &go.version);
    write_if_changed(&manifest_path, &manifest.to_json()).map_err(|e| io("write", &manifest_path, e))?;
    drop(lock);
    Ok(Built {
        binary,
        compiled,
        sources,
        warnings,
        hash,
        cached,
        compile_ms,
        build_ms,
        go_version: go.version.clone(),
        prebuilt: false,
    })
}

/// Opens `path` (created when missing) and holds an exclusive lock on it until the file is dropped: how builds into
/// one directory are serialised across processes (the second one waits, then finds the first one's result).
pub(crate) fn lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
    fs4::fs_std::FileExt::lock_exclusive(&file)?;
    Ok(file)
}

/// Everything that decides the binary except the Go toolchain: this package's version, the build options, the server
/// files and the generated Go (itself a function of the `.ft` sources and the compiler). Computed without Go, so that
/// production mode can tell whether `outputDir` holds a build of exactly these sources.
pub fn source_hash(compiled: &Compiled, config: &Config) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    h.update([0]);
    h.update(format!("{:?}|{}", config.optimization, config.debug));
    h.update([0]);
    for (name, contents) in RUNTIME_FILES {
        h.update(name);
        h.update([0]);
        h.update(contents);
    }
    for f in &compiled.go_files {
        h.update([0]);
        h.update(&f.name);
        h.update([0]);
        h.update(&f.contents);
    }
    hex(h)
}

/// The binary cache key (and the build hash the binary reports): the sources' hash and the Go version.
fn cache_key(source_hash: &str, go_version: &str) -> String {
    let mut h = Sha256::new();
    h.update(source_hash);
    h.update([0]);
    h.update(go_version);
    hex(h)
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the binary reports about itself (`--version`, `GET /__forst/version`, `forst_build_info`), set with
/// `-ldflags -X` because the build hash cannot be inside the files it is computed from.
struct Stamp<'a> {
    contract: &'a str,
    build_hash: &'a str,
}

/// Points `outputDir/forst-sidecar` at the current binary: a hard link (no copy of ~10 MB), made beside and renamed
/// over, so a process running the old one keeps its file and a reader never sees a half-made one.
fn link_stable(binary: &Path, stable: &Path) -> std::io::Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::metadata(binary), std::fs::metadata(stable)) {
        if super::os::same_file(&a, &b) {
            return Ok(());
        }
    }
    let tmp = stable.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(binary, &tmp).is_err() {
        std::fs::copy(binary, &tmp)?;
    }
    std::fs::rename(&tmp, stable)
}

/// Writes the module — the generated package main in `src`, the runtime package in its directory below — removing
/// `.go` files a previous version had and this one does not.
pub fn write_module(src: &Path, go_files: &[compiler::GeneratedFile]) -> std::io::Result<()> {
    let main: Vec<(&str, &str)> = go_files.iter().map(|f| (f.name.as_str(), f.contents.as_str())).collect();
    write_package(src, &main)?;
    write_package(&src.join(compiler::emit_go::RUNTIME_DIR), RUNTIME_FILES)
}

/// Writes `files` into `dir` (only those that changed, so that their times say what changed) and removes the other
/// `.go` files (and a `go.mod`) there.
fn write_package(dir: &Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if (name.ends_with(".go") || name == "go.mod") && !files.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    for (name, contents) in files {
        write_if_changed(&dir.join(name), contents.as_bytes())?;
    }
    Ok(())
}

/// Go's type checker and `go build` read the same module, so they run side by side: `start` (gofmt, write the module,
/// start `go build`) runs on this thread while `check` ([`go_type_check`]) runs on another, and the build is then
/// waited for. When the checker rejects the code, the build is killed and the checker's diagnostics (on `.ft`
/// positions, with Forst's codes) are the answer; when it accepts the code, the build's own errors (if any) are.
/// Returns the checker's note when it could not run.
fn check_while_building(
    check: impl FnOnce() -> Result<Option<String>, Failure> + Send,
    start: impl FnOnce() -> Result<GoBuild, Failure>,
) -> Result<Option<String>, Failure> {
    std::thread::scope(|scope| {
        let checker = std::thread::Builder::new()
            .name("forst-gocheck".into())
            .spawn_scoped(scope, check)
            .map_err(|e| Failure::new(500, "internal", format!("could not start Go's type checker: {e}")))?;
        let build = start();
        let checked = checker.join().unwrap_or_else(|_| Ok(Some(unchecked_note("Go's type checker failed"))));
        match (checked, build) {
            (Err(rejected), Ok(build)) => {
                build.abandon();
                Err(rejected)
            }
            (Err(rejected), Err(_)) => Err(rejected),
            (Ok(note), build) => build?.finish().map(|()| note),
        }
    })
}

/// A `go build` of the generated module into a temporary file beside `binary`, moved there when it succeeds.
struct GoBuild {
    running: running::Running,
    tmp: PathBuf,
    binary: PathBuf,
    src: PathBuf,
    progress: super::progress::Step,
}

fn start_go_build(
    go: &GoToolchain,
    config: &Config,
    src: &Path,
    binary: &Path,
    stamp: &Stamp,
) -> Result<GoBuild, Failure> {
    let tmp = binary.with_extension(format!("tmp{}", std::process::id()));
    let mut cmd = Command::new(&go.go);
    cmd.current_dir(src).env("GOTOOLCHAIN", "local").env("CGO_ENABLED", "0").env("GOFLAGS", "-mod=mod");
    cmd.args(["build", "-trimpath", "-buildvcs=false"]);
    let runtime = compiler::emit_go::RUNTIME_IMPORT;
    let mut ldflags = format!(
        "-X {runtime}.forstVersion={} -X {runtime}.forstContract={} -X {runtime}.forstBuildHash={}",
        env!("CARGO_PKG_VERSION"),
        stamp.contract,
        stamp.build_hash
    );
    if config.optimization == Optimization::Size {
        ldflags.insert_str(0, "-s -w ");
    }
    cmd.arg(format!("-ldflags={ldflags}"));
    if config.debug {
        cmd.arg("-gcflags=all=-N -l");
    }
    cmd.arg("-o").arg(&tmp).arg(".");
    let progress = super::progress::step("go_build", "building Go (first build can take ~20 s)…".to_string());
    // (`forst: built Go in 21.3 s` ends the line; a build under a second prints neither.)
    let running = running::start(cmd)?;
    Ok(GoBuild { running, tmp, binary: binary.to_path_buf(), src: src.to_path_buf(), progress })
}

impl GoBuild {
    /// Waits for the build; on success the binary is in place.
    fn finish(self) -> Result<(), Failure> {
        let GoBuild { running, tmp, binary, src, progress } = self;
        let out = running.finish();
        if !matches!(&out, Ok(o) if o.status.success()) {
            let _ = std::fs::remove_file(&tmp);
        }
        let out = out?;
        if !out.status.success() {
            progress.finish("go build failed");
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(Failure::new(
                500,
                "build_failed",
                format!(
                    "`go build` failed for the generated module in {} (positions point at your .ft files):\n{}",
                    src.display(),
                    stderr.trim_end()
                ),
            ));
        }
        progress.finish("built Go");
        std::fs::rename(&tmp, &binary).map_err(|e| {
            Failure::new(500, "io_error", format!("could not move the built binary to {}: {e}", binary.display()))
        })
    }

    /// Kills the build (its result is not wanted) and removes what it wrote.
    fn abandon(self) {
        self.running.abandon();
        let _ = std::fs::remove_file(&self.tmp);
        self.progress.finish("go build stopped");
    }
}

/// Removes what builds that did not finish left behind (a `go build` killed with its process, a link interrupted):
/// `bin/*.tmp<pid>` and `forst-sidecar.tmp<pid>`. Called under the build lock, so no build of this `outputDir` is
/// running and every such file is stale.
fn remove_stale_temporaries(out: &Path) {
    for dir in [out.to_path_buf(), out.join("bin")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_tmp =
                name.starts_with("forst-sidecar") && name.rsplit('.').next().is_some_and(|ext| ext.starts_with("tmp"));
            if is_tmp {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Keeps the cache bounded: the current binary and the two most recent others survive.
fn prune_old_binaries(bin_dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(bin_dir) else { return };
    let mut old: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != keep && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("forst-sidecar-")))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    old.sort();
    old.reverse();
    for (_, p) in old.into_iter().skip(2) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_versions() {
        assert_eq!(go_minor("go1.26.8"), Some(26));
        assert_eq!(go_minor("go1.22rc1"), Some(22));
        assert_eq!(go_minor("go1.9"), Some(9));
        assert_eq!(go_minor("devel +abc"), None);
    }

    /// A stand-in for `go build` running `script`.
    #[cfg(unix)]
    fn fake_build(dir: &Path, script: &str) -> GoBuild {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        let tmp = dir.join("forst-sidecar-x.tmp1");
        std::fs::write(&tmp, "half a binary").expect("write");
        GoBuild {
            running: running::start(cmd).expect("sh"),
            tmp,
            binary: dir.join("forst-sidecar-x"),
            src: dir.to_path_buf(),
            progress: super::super::progress::step("test", "never printed".into()),
        }
    }

    #[cfg(unix)]
    fn group_is_gone(pgid: u32) -> bool {
        // The killed group's grandchild is re-parented and reaped by init a moment later.
        (0..200).any(|_| {
            #[allow(unsafe_code)]
            // SAFETY: signal 0 only checks whether the group still exists.
            let alive = unsafe { libc::kill(-(pgid as libc::pid_t), 0) } == 0;
            std::thread::sleep(std::time::Duration::from_millis(10));
            !alive
        })
    }

    #[cfg(unix)]
    #[test]
    fn a_check_that_rejects_the_code_stops_the_build_beside_it_and_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t0 = Instant::now();
        let mut pgid = 0;
        let rejected = Failure::new(500, "compile_error", "error[F0403]: mismatched types");
        let result = check_while_building(
            || Err(rejected),
            || {
                // Runs until it is killed, and starts a process of its own as the compiler would.
                let build = fake_build(dir.path(), "sleep 30 & sleep 30; wait");
                pgid = build.running.pid();
                Ok(build)
            },
        );
        let err = result.expect_err("the check's verdict");
        assert_eq!((err.code.as_str(), err.message.as_str()), ("compile_error", "error[F0403]: mismatched types"));
        assert!(t0.elapsed().as_secs() < 10, "waited for the build: {:?}", t0.elapsed());
        assert!(group_is_gone(pgid), "the build's process group {pgid} survived");
        assert!(!dir.path().join("forst-sidecar-x.tmp1").exists(), "the half-written binary stays behind");
    }

    #[cfg(unix)]
    #[test]
    fn when_the_check_accepts_the_code_the_build_decides() {
        let dir = tempfile::tempdir().expect("tempdir");
        let failing = || Ok(fake_build(dir.path(), "echo 'main.go:3: undefined: x' >&2; exit 1"));
        let err = check_while_building(|| Ok(Some(unchecked_note("no checker"))), failing).expect_err("build fails");
        assert_eq!(err.code, "build_failed");
        assert!(err.message.contains("undefined: x"), "{}", err.message);
    }

    #[test]
    fn missing_go_is_a_clear_error() {
        // FORST_GO pointing nowhere is the same path a machine without Go takes.
        std::env::set_var("FORST_GO", "/nonexistent/go");
        let err = find_go().unwrap_err();
        std::env::remove_var("FORST_GO");
        assert_eq!(err.code, "go_not_found");
        assert!(err.message.contains("Install Go 1.22 or newer"), "{}", err.message);
    }
}
