//! Go's type checker behind `forst check`: every `tests/type_errors/<name>.ft` (compiled as `forst/routes/<name>.ft`)
//! passes Forst's own checks, and Go's checker rejects it; the diagnostics, rendered as `forst check` prints them, are
//! an insta snapshot (`tests/snapshots/go_types__<name>.snap`). Then the same through the runtime's entry point
//! (`check_project`, what the CLI runs), with its JSON form.

use std::path::{Path, PathBuf};

use forst_sidecar::compiler::{self, diagnostic, SourceFile};
use forst_sidecar::runtime::config::Config;
use forst_sidecar::runtime::failure::Failure;
use forst_sidecar::runtime::{build, gocheck};

fn cases() -> Vec<(String, SourceFile)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/type_errors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/type_errors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ft"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("read");
            (name.clone(), SourceFile { path: format!("routes/{name}.ft"), text })
        })
        .collect()
}

#[test]
fn go_type_errors_are_forst_diagnostics() {
    let go = build::find_go().expect("the Go toolchain must be on PATH for this test");
    let cache = tempfile::tempdir().expect("tempdir");
    for (name, source) in cases() {
        let files = vec![source];
        let result = compiler::compile(&files);
        let out = result.output.unwrap_or_else(|| panic!("{name}: Forst's own checks fail: {:#?}", result.diagnostics));
        let errors = gocheck::check(&go, &out, &files, cache.path()).expect("Go's checker runs");
        assert!(!errors.is_empty(), "{name}: Go's checker accepted it");
        for d in &errors {
            assert_eq!(d.file, files[0].path, "{name}: every error is on the .ft file: {d:?}");
            assert!(d.code.starts_with("F04"), "{name}: {d:?}");
        }
        insta::assert_snapshot!(name.clone(), diagnostic::render(&errors, &files, false));
    }
}

#[test]
fn check_project_reports_go_errors_with_line_and_column_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let routes = dir.path().join("forst/routes");
    std::fs::create_dir_all(&routes).expect("mkdir");
    std::fs::write(routes.join("a.ft"), "func f(x int) int {\n  return \"hello\"\n}\n").expect("write");
    let config = Config::defaults(dir.path());
    let (sources, result) = gocheck::check_project(&config).expect("checks");
    assert!(result.has_errors() && result.output.is_none());
    let json = diagnostic::to_json(&result.diagnostics, &sources);
    assert_eq!(json[0]["code"], "F0403");
    assert_eq!(json[0]["file"], "routes/a.ft");
    assert_eq!((json[0]["line"].as_u64(), json[0]["column"].as_u64()), (Some(2), Some(10)));
    assert_eq!(json[0]["help"], "expected `int`, found `untyped string`");

    std::fs::write(routes.join("a.ft"), "func f(x int) int {\n  return x\n}\n").expect("write");
    let (_, result) = gocheck::check_project(&config).expect("checks");
    assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
}

#[test]
fn without_go_check_project_warns_w0005_and_still_reports_forst_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let routes = dir.path().join("forst/routes");
    std::fs::create_dir_all(&routes).expect("mkdir");
    std::fs::write(routes.join("a.ft"), "func f(x int) int {\n  return x\n}\n").expect("write");
    let config = Config::defaults(dir.path());
    let missing = Err(Failure::new(500, "go_not_found", "the Go toolchain was not found: `go` is not on PATH"));
    let (_, result) = gocheck::check_project_with(&config, missing).expect("checks");
    assert!(!result.has_errors());
    assert!(result.diagnostics.iter().any(|d| d.code == "W0005" && d.message.contains("did not run")));
}

/// `start()`, `forst build` and every hot reload go through `build::build`: a Go type error stops it before `go build`
/// with `compile_error` and the rendered diagnostic, and the fixed project builds.
#[test]
fn build_stops_on_go_type_errors_with_a_compile_error() {
    let go = build::find_go().expect("the Go toolchain must be on PATH for this test");
    let dir = tempfile::tempdir().expect("tempdir");
    let routes = dir.path().join("forst/routes");
    std::fs::create_dir_all(&routes).expect("mkdir");
    std::fs::write(routes.join("a.ft"), "func f(x int) int {\n  return strings.ToUpperr(\"x\")\n}\n").expect("write");
    let config = Config::defaults(dir.path());
    let failure = build::build(&config, &go, false).expect_err("a type error stops the build");
    assert_eq!(failure.code, "compile_error");
    assert!(failure.message.contains("error[F0401]: undefined: strings.ToUpperr"), "{}", failure.message);
    assert!(failure.message.contains("routes/a.ft:2:18"), "{}", failure.message);
    assert!(failure.message.contains("did you mean `strings.ToUpper`?"), "{}", failure.message);
    assert!(!dir.path().join("dist/forst/bin").read_dir().map(|mut d| d.next().is_some()).unwrap_or(false));

    std::fs::write(routes.join("a.ft"), "func f(x int) int {\n  return x\n}\n").expect("write");
    let built = build::build(&config, &go, false).unwrap_or_else(|f| panic!("{}", f.message));
    assert!(built.binary.is_file());
    let go_mod = std::fs::read_to_string(dir.path().join("dist/forst/src/go.mod")).expect("go.mod");
    let minor = go.version.trim_start_matches("go1.").split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
    assert!(go_mod.contains(&format!("go 1.{minor}\n")), "go.mod follows the toolchain ({}): {go_mod}", go.version);
}
