//! Golden fixtures: every `tests/fixtures/<name>.ft` is compiled as `forst/routes/<name>.ft` (with
//! `<name>.helpers.ft`, when present, as `forst/shared/helpers.ft`: the helpers the RFC's snippets call but never
//! show). Three snapshots each — diagnostics, Go, TypeScript — reviewed in diffs (`tests/snapshots/`). Then every
//! fixture that compiles must build with `go build`, pass `go vet`, come out of `gofmt` unchanged-able, and its
//! declarations must pass `tsc --strict --noEmit`.

use std::path::Path;
use std::process::Command;

use forst_sidecar::compiler::{self, diagnostic, CompileResult, SourceFile};
use forst_sidecar::runtime::{build, gocheck};

mod common;
use common::{fixtures, gofmt_path, run, write_module};

/// The Go files as users see them: after gofmt (from the toolchain on PATH).
fn go_text(result: &CompileResult) -> String {
    let Some(out) = &result.output else { return "(no output: the project has errors)\n".into() };
    let mut go_files = out.go_files.clone();
    compiler::gofmt(&mut go_files, &gofmt_path());
    go_files.iter().map(|f| format!("=== {}\n{}", f.name, redact_openapi(&f.contents))).collect::<Vec<_>>().join("\n")
}

/// The OpenAPI document embedded in `forst_endpoints.go` is one long string: its own snapshot shows it readably.
fn redact_openapi(go: &str) -> String {
    go.lines()
        .map(|l| {
            if l.starts_with("const forstOpenAPIJSON = ") {
                "const forstOpenAPIJSON = \"…\" // see the .openapi snapshot"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
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
        if let Some(out) = &result.output {
            let doc = serde_json::to_string_pretty(&out.openapi).expect("JSON");
            insta::assert_snapshot!(format!("{name}.openapi"), doc);
        }
    }
}

/// The fixtures meant to fail do fail, and the others compile.
#[test]
fn expected_outcomes() {
    let failing = [
        "endpoint_names",
        "errors_endpoints",
        "inference_unknown",
        "rfc_generated_main",
        "rfc_search_typo",
        "syntax_errors",
        "validating_errors",
    ];
    for (name, files) in fixtures() {
        let result = compiler::compile(&files);
        assert_eq!(result.has_errors(), failing.contains(&name.as_str()), "{name}: {:#?}", result.diagnostics);
    }
}

/// Builds, vets and gofmt-checks a compiled project the way the runtime builds it (the go.mod `go` line set from the
/// toolchain, the server template beside the generated files). Panics with Go's output when a step fails.
fn build_vet_and_gofmt(name: &str, files: &[SourceFile], out: &mut compiler::Compiled) {
    let gofmt = gofmt_path();
    let dir = tempfile::tempdir().expect("tempdir");
    // Go's type checker, as `forst check` runs it, accepts what builds (tests/check_agrees_with_build.rs has the rest).
    let toolchain = build::find_go().expect("go");
    out.set_go_version(&toolchain.version);
    let errors = gocheck::check(&toolchain, out, files, dir.path()).expect("Go's type checker runs");
    assert!(errors.is_empty(), "{name}: forst check rejects it:\n{}", diagnostic::render(&errors, files, false));
    let go_cmd = write_module(out.clone(), dir.path());
    run(&mut go_cmd(&["build", "-o", "sidecar", "."]), &format!("go build ({name})"));
    run(&mut go_cmd(&["vet", "."]), &format!("go vet ({name})"));
    let unformatted = Command::new(&gofmt).arg("-l").arg(dir.path()).output().expect("gofmt");
    assert!(
        unformatted.stdout.is_empty(),
        "{name}: gofmt would change {}",
        String::from_utf8_lossy(&unformatted.stdout)
    );
}

#[test]
fn generated_go_builds_vets_and_is_gofmt_clean() {
    for (name, files) in fixtures() {
        let Some(mut out) = compiler::compile(&files).output else { continue };
        build_vet_and_gofmt(&name, &files, &mut out);
    }
}

/// File names Go reads meaning into (a GOOS or GOARCH suffix, `_test`) or that flatten to the same Go file name each
/// keep a Go file of their own, and the project builds: every endpoint is in the table.
#[test]
fn file_names_that_go_would_misread_still_build() {
    let names = ["x-y", "x_y", "é", "ü", "js", "windows", "amd64", "user_test", "linux_arm64"];
    let files: Vec<SourceFile> = names
        .iter()
        .enumerate()
        .map(|(i, n)| SourceFile {
            path: format!("routes/{n}.ft"),
            text: format!("func route{i}() int {{\n  return {i}\n}}\n"),
        })
        .collect();
    let result = compiler::compile(&files);
    let mut out = result.output.unwrap_or_else(|| panic!("{:#?}", result.diagnostics));
    let go_names: std::collections::HashSet<&str> = out.go_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(go_names.len(), out.go_files.len(), "every file has its own Go file");
    assert_eq!(out.manifest.endpoints.len(), names.len());
    build_vet_and_gofmt("file names", &files, &mut out);
}

/// A newline in a file name would end the `// Source:` comment and the `//line` directive early: an error instead.
#[test]
fn control_characters_in_file_names_are_an_error() {
    let files = vec![SourceFile { path: "routes/a\nb.ft".into(), text: "func f() int {\n  return 1\n}\n".into() }];
    let result = compiler::compile(&files);
    assert!(
        result.diagnostics.iter().any(|d| d.code == "F0103" && d.message.contains("\\n")),
        "{:#?}",
        result.diagnostics
    );
    assert!(result.output.is_none());
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
