//! What the fixture tests share: the fixtures, the Go toolchain, the server template.

#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;

use forst_sidecar::compiler::SourceFile;

/// Every `tests/fixtures/<name>.ft` as `forst/routes/<name>.ft`, with `<name>.helpers.ft` (when present) as
/// `forst/shared/helpers.ft`.
pub fn fixtures() -> Vec<(String, Vec<SourceFile>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ft") && !p.to_string_lossy().ends_with(".helpers.ft"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let mut files = vec![SourceFile {
                path: format!("routes/{name}.ft"),
                text: std::fs::read_to_string(&p).expect("fixture"),
            }];
            let helpers = dir.join(format!("{name}.helpers.ft"));
            if let Ok(text) = std::fs::read_to_string(helpers) {
                files.push(SourceFile { path: "shared/helpers.ft".into(), text });
            }
            (name, files)
        })
        .collect()
}

/// gofmt next to the `go` on PATH.
pub fn gofmt_path() -> PathBuf {
    let go = which::which("go").expect("the Go toolchain must be on PATH for this test");
    go.canonicalize()
        .ok()
        .and_then(|g| g.parent().map(|d| d.join("gofmt")))
        .filter(|p| p.is_file())
        .expect("gofmt next to go")
}

pub fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("could not run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a compiled project's Go module as the build writes it (the `go` line of the toolchain, gofmt-formatted, with
/// the runtime package) into dir,
/// and returns a `go` command for it (local toolchain, no cgo).
pub fn write_module(mut out: forst_sidecar::compiler::Compiled, dir: &Path) -> impl Fn(&[&str]) -> Command {
    let toolchain = forst_sidecar::runtime::build::find_go().expect("the Go toolchain must be on PATH for this test");
    out.set_go_version(&toolchain.version);
    forst_sidecar::compiler::gofmt(&mut out.go_files, &gofmt_path());
    forst_sidecar::runtime::build::write_module(dir, &out.go_files).expect("write the module");
    let go = which::which("go").expect("the Go toolchain must be on PATH for this test");
    let dir = dir.to_path_buf();
    move |args: &[&str]| {
        let mut c = Command::new(&go);
        c.args(args).current_dir(&dir).env("GOTOOLCHAIN", "local").env("CGO_ENABLED", "0").env("GOFLAGS", "-mod=mod");
        c
    }
}
