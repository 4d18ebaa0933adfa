//! Front-end speed: a generated 10,000-line project through parse → check → emit (Go + TypeScript + manifest),
//! gofmt excluded; then Go's type checker on the same project, as `forst check` runs it (the helper already running:
//! warm, as in `forst dev` and on every hot reload; the first check, which starts the helper, separately). Prints a
//! table line and a JSON line (`FORST_BENCH {...}`) that `npm run bench` collects.
//! Run: `cargo bench --bench frontend` (release build).

use std::time::Instant;

use forst_sidecar::compiler::{self, SourceFile};
use forst_sidecar::runtime::{build, gocheck};

include!("support/project.rs");

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary too, as a quick smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let files = project(if full { 10_000 } else { 500 });
    let lines: usize = files.iter().map(|f| f.text.lines().count()).sum();
    let warm = compiler::compile(&files);
    assert!(!warm.has_errors(), "the generated project must compile: {:?}", warm.diagnostics.first());
    let runs = if full { 30 } else { 3 };
    let measure = |threads: &str| {
        std::env::set_var("FORST_COMPILER_THREADS", threads);
        let mut ms: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let r = compiler::compile(&files);
                std::hint::black_box(&r);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        (ms[runs / 2], ms[runs - 1], ms.iter().sum::<f64>() / runs as f64)
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let (p50, p99, mean) = measure(&cores.min(8).to_string());
    let (p50_1, p99_1, mean_1) = measure("1");
    let (go_first, go_p50, go_p99) = go_types(&files, &warm, runs);
    println!("frontend: {lines} lines in {} files: p50 {p50:.1} ms, p99 {p99:.1} ms ({cores} cores); one thread: p50 {p50_1:.1} ms ({runs} runs)", files.len());
    println!("go types: first check {go_first:.1} ms (starts the helper), warm p50 {go_p50:.1} ms, p99 {go_p99:.1} ms");
    println!(
        "FORST_BENCH {{\"lines\":{lines},\"files\":{},\"p50\":{p50:.2},\"p99\":{p99:.2},\"mean\":{mean:.2},\"runs\":{runs},\"unit\":\"ms\",\"cores\":{cores},\"oneThread\":{{\"p50\":{p50_1:.2},\"p99\":{p99_1:.2},\"mean\":{mean_1:.2}}},\"goTypes\":{{\"first\":{go_first:.2},\"p50\":{go_p50:.2},\"p99\":{go_p99:.2}}}}}",
        files.len()
    );
}

/// Go's type checker over the compiled project: the first check (spawns the helper, builds it if this toolchain has
/// none yet) and warm checks. Returns (first, p50, p99) in ms; zeros without a Go toolchain.
fn go_types(files: &[SourceFile], compiled: &compiler::CompileResult, runs: usize) -> (f64, f64, f64) {
    let (Ok(go), Some(out)) = (build::find_go(), compiled.output.as_ref()) else { return (0.0, 0.0, 0.0) };
    let cache = std::env::temp_dir();
    let check = || {
        let t = Instant::now();
        let errors = gocheck::check(&go, out, files, &cache).expect("Go's type checker runs");
        assert!(errors.is_empty(), "the generated project must type-check: {:?}", errors.first());
        t.elapsed().as_secs_f64() * 1000.0
    };
    let first = check();
    let mut ms: Vec<f64> = (0..runs).map(|_| check()).collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    (first, ms[runs / 2], ms[runs - 1])
}
