//! `forst check` and `go build` never disagree: whenever Forst's own checks accept a program, Go's type checker (what
//! `forst check` runs) accepts it exactly when `go build` does. Property-tested over mutated real programs — the
//! golden fixtures and the conformance corpus, with identifiers swapped, lines deleted or duplicated, and literals
//! replaced, the kinds of edit that keep a program parsing but break its types. Each case that reaches Go costs a
//! `go build`, so the suite runs a few dozen (`FORST_AGREE_CASES` for more); the unmutated programs are checked and
//! built by tests/golden.rs and the conformance runner.

use std::path::{Path, PathBuf};
use std::process::Command;

use forst_sidecar::compiler::{self, SourceFile};
use forst_sidecar::runtime::{build, gocheck};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FORST_AGREE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32)
}

/// Programs that compile: the golden fixtures (with their helpers) and the conformance corpus, one file each.
fn programs() -> Vec<Vec<SourceFile>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for (dir, helpers) in [("tests/fixtures", true), ("tests/conformance", false)] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ft") && !p.to_string_lossy().ends_with(".helpers.ft"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let mut files = vec![SourceFile {
                path: format!("routes/{name}.ft"),
                text: std::fs::read_to_string(&p).expect("read"),
            }];
            if helpers {
                if let Ok(text) = std::fs::read_to_string(p.with_file_name(format!("{name}.helpers.ft"))) {
                    files.push(SourceFile { path: "shared/helpers.ft".into(), text });
                }
            }
            if compiler::compile(&files).output.is_some() {
                out.push(files);
            }
        }
    }
    out
}

fn identifiers(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((start, &text[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

/// One edit that usually keeps the text parsing: `op` picks the kind, `a` and `b` pick where and what.
fn mutate(text: &str, op: u8, a: usize, b: usize) -> String {
    let idents = identifiers(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match op {
        0 if !idents.is_empty() => {
            let (at, word) = idents[a % idents.len()];
            let (_, other) = idents[b % idents.len()];
            format!("{}{}{}", &text[..at], other, &text[at + word.len()..])
        }
        1 if !lines.is_empty() => {
            let i = a % lines.len();
            lines.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, l)| *l).collect()
        }
        2 if !lines.is_empty() => {
            let i = a % lines.len();
            lines.iter().enumerate().flat_map(|(j, l)| if j == i { vec![*l, *l] } else { vec![*l] }).collect()
        }
        _ => {
            let literals: Vec<usize> = text.match_indices(|c: char| c.is_ascii_digit()).map(|(i, _)| i).collect();
            match literals.get(a % literals.len().max(1)) {
                Some(&at) => format!("{}{}{}", &text[..at], ["\"s\"", "1.5", "nil", "true"][b % 4], &text[at + 1..]),
                None => text.to_string(),
            }
        }
    }
}

/// Does `go build` accept the generated module (formatted and laid out exactly as the runtime builds it)?
fn go_builds(go: &build::GoToolchain, out: &compiler::Compiled) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    build::write_module(dir.path(), &out.go_files).expect("write the module");
    let result = Command::new(&go.go)
        .args(["build", "-o", "sidecar", "."])
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .output()
        .expect("go build runs");
    (result.status.success(), String::from_utf8_lossy(&result.stderr).into_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_accepts_exactly_what_go_build_accepts(which in 0usize..1000, op in 0u8..4, a in 0usize..10_000, b in 0usize..10_000) {
        let go = build::find_go().expect("the Go toolchain must be on PATH for this test");
        let programs = programs();
        let mut files = programs[which % programs.len()].clone();
        files[0].text = mutate(&files[0].text, op, a, b);
        let result = compiler::compile(&files);
        // Forst's own checks rejected it: `forst check` says no and nothing is built — no verdict to compare.
        let Some(mut out) = result.output else { return Ok(()) };
        out.set_go_version(&go.version);
        let cache = tempfile::tempdir().expect("tempdir");
        let errors = gocheck::check(&go, &out, &files, cache.path()).expect("Go's checker runs");
        let (builds, stderr) = go_builds(&go, &out);
        prop_assert_eq!(
            errors.is_empty(),
            builds,
            "forst check {} but go build {}:\n{}\n--- go build:\n{}\n--- program:\n{}",
            if errors.is_empty() { "accepts" } else { "rejects" },
            if builds { "succeeds" } else { "fails" },
            compiler::diagnostic::render(&errors, &files, false),
            stderr,
            files[0].text
        );
    }
}
