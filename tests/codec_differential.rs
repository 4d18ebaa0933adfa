//! The generated JSON codecs against encoding/json, for every golden fixture's endpoints: each fixture's generated
//! module gets the runtime's differential tests (`runtime/go/differential_forsttest.go`: generated request bodies and
//! result values, decoded and encoded both ways, errors and bytes compared) and the old argument decoding they compare
//! with (`runtime/go/legacy_forsttest.go`) in its runtime package, a test of its package main that runs them over its
//! endpoints (`runtime/go/testdata/differential_main_test.go`), and `go test` runs them, fuzz seeds included.
//! `FORST_DIFF_CASES` sets the number of generated bodies per endpoint (default 400). `FORST_CODEC_FUZZ=<duration>`
//! (`10m`) also fuzzes each fixture's endpoints for that long (`go test -fuzz FuzzDifferential`, one worker):
//! arbitrary bytes through the codec and the old path, which must agree; `FORST_CODEC_FUZZ_ONLY=codec_types,…`
//! picks the fixtures.

use std::path::Path;

use forst_sidecar::compiler;

mod common;
use common::{fixtures, run, write_module};

#[test]
fn generated_codecs_match_encoding_json_on_every_fixture() {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/go");
    let mut tested = 0;
    for (name, files) in fixtures() {
        let Some(out) = compiler::compile(&files).output else { continue };
        if out.manifest.endpoints.is_empty() {
            continue;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let go_cmd = write_module(out, dir.path());
        let runtime_dir = dir.path().join(compiler::emit_go::RUNTIME_DIR);
        for test_file in ["differential_forsttest.go", "legacy_forsttest.go"] {
            std::fs::copy(runtime.join(test_file), runtime_dir.join(test_file)).expect("copy the differential test");
        }
        let main_test = "differential_main_test.go";
        std::fs::copy(runtime.join("testdata").join(main_test), dir.path().join(main_test)).expect("copy its caller");
        run(
            &mut go_cmd(&["test", "-tags", "forsttest", "-count=1", "-run", "Differential", "."]),
            &format!("the differential test of {name}"),
        );
        if let Ok(time) = std::env::var("FORST_CODEC_FUZZ") {
            let only = std::env::var("FORST_CODEC_FUZZ_ONLY").unwrap_or_default();
            if only.is_empty() || only.split(',').any(|o| o == name) {
                let fuzztime = format!("-fuzztime={time}");
                let args = [
                    "test",
                    "-tags",
                    "forsttest",
                    "-run",
                    "^$",
                    "-fuzz",
                    "FuzzDifferential",
                    &fuzztime,
                    "-parallel",
                    "1",
                    ".",
                ];
                let out = go_cmd(&args).output().expect("go test -fuzz");
                let text = String::from_utf8_lossy(&out.stdout);
                eprintln!("fuzz {name}: {}", text.lines().rfind(|l| l.contains("execs")).unwrap_or(""));
                assert!(
                    out.status.success(),
                    "fuzzing {name} found a difference:\n{text}{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        tested += 1;
    }
    assert!(tested >= 10, "only {tested} fixtures have endpoints");
}
