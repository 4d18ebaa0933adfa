//! Golden fixtures: every `tests/fixtures/<name>.ft` is compiled as `forst/routes/<name>.ft` (with
//! `<name>.helpers.ft`, when present, as `forst/shared/helpers.ft`: the helpers the RFC's snippets call but never
//! show). Three snapshots each — diagnostics, Go, TypeScript — reviewed in diffs (`tests/snapshots/`). Then every
//! fixture that compiles must build with `go build`, pass `go vet`, come out of `gofmt` unchanged-able, and its
//! declarations must pass `tsc --strict --noEmit`.

use std::path::Path;
use std::process::Command;

use forst_sidecar::compiler::{self, diagnostic, CompileResult};

mod common;
use common::{fixtures, gofmt_path, run, write_module};

/// The Go files as users see them: after gofmt (from the toolchain on PATH).
fn go_text(result: &CompileResult) -> String {
    let Some(out) = &result.output else { return "(no output: the project has errors)\n".into() };
    let mut go_files = out.go_files.clone();
    compiler::gofmt(&mut go_files, &gofmt_path());
    go_files
        .iter()
        .filter(|f| f.name != "forst_prelude.go" && f.name != "forst_codec.go") // verbatim runtime files
        .map(|f| format!("=== {}\n{}", f.name, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshots() {
    for (name, files) in fixtures() {
        let result = compiler::compile(&files);
        let diags = diagnostic::render(&result.diagnostics, &files, false);
        insta::assert_snapshot!(format!("{name}.diagnostics"), diags);
        insta::assert_snapshot!(format!("{name}.go"), go_text(&result));
        let dts = result.output.as_ref().map(|o| o.dts.clone()).unwrap_or_else(|| "(no output)\n".into());
        insta::assert_snapshot!(format!("{name}.d.ts"), dts);
    }
}

/// The fixtures meant to fail do fail, and the others compile.
#[test]
fn expected_outcomes() {
    let failing = ["errors_endpoints", "inference_unknown", "rfc_generated_main", "rfc_search_typo", "syntax_errors"];
    for (name, files) in fixtures() {
        let result = compiler::compile(&files);
        assert_eq!(result.has_errors(), failing.contains(&name.as_str()), "{name}: {:#?}", result.diagnostics);
    }
}

#[test]
fn generated_go_builds_vets_and_is_gofmt_clean() {
    let gofmt = gofmt_path();
    for (name, files) in fixtures() {
        let Some(out) = compiler::compile(&files).output else { continue };
        let dir = tempfile::tempdir().expect("tempdir");
        let go_cmd = write_module(out, dir.path());
        run(&mut go_cmd(&["build", "-o", "sidecar", "."]), &format!("go build ({name})"));
        run(&mut go_cmd(&["vet", "."]), &format!("go vet ({name})"));
        let unformatted = Command::new(&gofmt).arg("-l").arg(dir.path()).output().expect("gofmt");
        assert!(
            unformatted.stdout.is_empty(),
            "{name}: gofmt would change {}",
            String::from_utf8_lossy(&unformatted.stdout)
        );
    }
}

#[test]
fn generated_declarations_pass_tsc_strict() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tsc = root.join("node_modules/.bin/tsc");
    assert!(tsc.is_file(), "run `npm ci` first: this test needs node_modules/.bin/tsc");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths = Vec::new();
    for (name, files) in fixtures() {
        let Some(out) = compiler::compile(&files).output else { continue };
        let path = dir.path().join(format!("{name}.d.ts"));
        std::fs::write(&path, &out.dts).expect("write");
        paths.push(path);
    }
    run(
        Command::new(tsc)
            .args(["--strict", "--noEmit", "--lib", "es2022,dom", "--types", "node"])
            .current_dir(root)
            .args(&paths),
        "tsc --strict",
    );
}
