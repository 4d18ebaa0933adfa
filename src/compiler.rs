//! The Forst compiler: a project directory of `.ft` files → one Go `package main` module, TypeScript declarations and a
//! JSON manifest of the exposed endpoints.
//!
//! Phases, one module each: [`parse`] (pest grammar `grammar/forst.pest` → [`ast`]), [`check`] (names, imports, endpoint
//! rules, result inference), [`emit_go`], [`emit_ts`], [`manifest`]; [`diagnostic`] holds the data type every phase
//! reports with and renders it in one place. Nothing here touches the disk except [`read_project`], and nothing here
//! may panic: every failure is a [`Diagnostic`].

pub mod ast;
pub mod check;
pub mod diagnostic;
pub mod emit_codec;
pub mod emit_go;
pub mod emit_ts;
pub mod emit_validate;
pub mod manifest;
pub mod openapi;
pub mod parse;
pub mod schema;
pub mod source_map;
pub mod typecheck;
pub mod types;

use std::collections::HashMap;
use std::path::Path;

pub use diagnostic::{Diagnostic, Severity};
pub use manifest::Manifest;

/// One `.ft` file of a project. `path` is relative to the Forst directory, `/`-separated (`routes/calc.ft`): it is what
/// diagnostics, `//line` directives and the manifest show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A file of the generated Go module (`go.mod`, `*.go`), named relative to the module root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub contents: String,
}

/// Everything a successful compilation produces.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// `go.mod`, one `.go` file per `.ft` file, the endpoint table and the prelude. Builds with `go build` once the
    /// runtime adds its server (`func main`).
    pub go_files: Vec<GeneratedFile>,
    /// TypeScript declarations: interfaces for every reachable type and one `export declare function` per endpoint.
    pub dts: String,
    pub manifest: Manifest,
    /// Where the bytes of the generated `.go` files came from (see [`source_map`]): how Go's type errors find their
    /// `.ft` line and column.
    pub source_maps: Vec<source_map::SourceMap>,
    /// The OpenAPI 3.1 document of the endpoints (see [`openapi`]).
    pub openapi: serde_json::Value,
    /// What a front end can use without this package: standalone declarations and JSON Schemas.
    pub frontend: Frontend,
}

/// `forst generate --types` and `--schema`: TypeScript declarations that import nothing, and one JSON Schema
/// (2020-12) per type, each self-contained. Made on demand: only those two options need them, not every compile
/// (every `start()`, every reload).
#[derive(Clone, Debug)]
pub struct Frontend {
    endpoints: Vec<check::EndpointInfo>,
    types: HashMap<String, check::TypeDef>,
}

impl Frontend {
    /// The standalone declarations.
    pub fn types(&self) -> String {
        emit_ts::standalone(&self.endpoints, &self.types)
    }

    /// `(type name, schema)`.
    pub fn schemas(&self) -> Vec<(String, serde_json::Value)> {
        schema_files(&self.endpoints, &self.types)
    }
}

/// One JSON Schema per type the endpoints reach: the type's schema with what it refers to in `$defs`.
fn schema_files(
    endpoints: &[check::EndpointInfo],
    types: &HashMap<String, check::TypeDef>,
) -> Vec<(String, serde_json::Value)> {
    let schemas = schema::Schemas::new(types, "#/$defs/");
    emit_ts::reachable(endpoints, types)
        .into_iter()
        .filter(|n| types.contains_key(n))
        .map(|name| {
            let mut s = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": format!("{name}.schema.json"),
                "title": name,
            });
            if let (serde_json::Value::Object(out), serde_json::Value::Object(def)) =
                (&mut s, schemas.definition(&name))
            {
                out.extend(def);
                let mut defs: serde_json::Map<String, serde_json::Value> =
                    schemas.referenced(&name).into_iter().map(|n| (n.clone(), schemas.definition(&n))).collect();
                // A recursive type refers to itself: its definition goes into `$defs` too.
                let me = format!("\"#/$defs/{name}\"");
                if serde_json::to_string(&defs).unwrap_or_default().contains(&me)
                    || out.values().any(|v| v.to_string().contains(&me))
                {
                    defs.insert(name.clone(), schemas.definition(&name));
                }
                if !defs.is_empty() {
                    out.insert("$defs".into(), serde_json::Value::Object(defs));
                }
            }
            (name, s)
        })
        .collect()
}

impl Compiled {
    /// Makes `go.mod`'s `go` line follow the toolchain that builds the module (`go1.26.8` → `go 1.26`), so that
    /// language features of that release (range-over-func iterators need 1.23) are on. Unparsable versions keep the
    /// minimum.
    pub fn set_go_version(&mut self, toolchain: &str) {
        let minor: Option<u32> = toolchain
            .strip_prefix("go1.")
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
            .and_then(|d| d.parse().ok());
        let line = minor.map(|m| format!("1.{m}")).unwrap_or_else(|| emit_go::MIN_GO_VERSION.to_string());
        if let Some(f) = self.go_files.iter_mut().find(|f| f.name == "go.mod") {
            f.contents = emit_go::go_mod(&line);
        }
    }
}

/// The result of [`compile`]: all diagnostics (errors and warnings, in source order per file) and, when there was no
/// error, the output.
#[derive(Clone, Debug)]
pub struct CompileResult {
    pub diagnostics: Vec<Diagnostic>,
    pub output: Option<Compiled>,
}

impl CompileResult {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Reads every `*.ft` file below `forst_dir` (recursively, sorted by path, skipping hidden directories and editor
/// temporary files).
pub fn read_project(forst_dir: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    collect_ft_files(forst_dir, forst_dir, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn collect_ft_files(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('#') || name.ends_with('~') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_ft_files(root, &path, out)?;
        } else if name.ends_with(".ft") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let bytes = std::fs::read(&path)?;
            out.push(SourceFile { path: rel, text: String::from_utf8_lossy(&bytes).into_owned() });
        }
    }
    Ok(())
}

/// Compiles a project: parse every file (recovering per declaration), check, and — when there is no error — emit
/// Go, TypeScript and the manifest. Never panics: a bug in a later phase becomes an F0900 diagnostic.
pub fn compile(files: &[SourceFile]) -> CompileResult {
    match std::panic::catch_unwind(|| compile_unguarded(files, threads(files))) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            let d = Diagnostic::error("F0900", format!("internal compiler error: {what}"), "", 0..0)
                .with_help("this is a bug in @forst/sidecar: please report it with the .ft file that triggers it");
            CompileResult { diagnostics: vec![d], output: None }
        }
    }
}

fn compile_unguarded(sources: &[SourceFile], threads: usize) -> CompileResult {
    let mut diagnostics: Vec<Diagnostic> = sources.iter().filter_map(unusable_file_name).collect();
    let mut files = Vec::with_capacity(sources.len());
    for (file, diags) in parse_all(sources, threads) {
        files.push(file);
        diagnostics.extend(diags);
    }
    let (program, check_diags) = check::check(&files, sources);
    // A declaration with a syntax error is left out of the tree, so the imports it uses look unused: no W0001 for a
    // file that did not parse (it would be wrong, and it would stand before the real error).
    let unparsed: std::collections::HashSet<String> =
        diagnostics.iter().filter(|d| d.code == "F0001").map(|d| d.file.clone()).collect();
    diagnostics.extend(check_diags.into_iter().filter(|d| !(d.code == "W0001" && unparsed.contains(&d.file))));
    if program.endpoints.is_empty() && !diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.push(
            Diagnostic::warning("W0003", "the project exposes no endpoints", "", 0..0)
                .with_help("put functions into .ft files under forst/routes/: each top-level function there becomes POST /<kebab-name>"),
        );
    }
    let order = |d: &Diagnostic| (sources.iter().position(|s| s.path == d.file).unwrap_or(usize::MAX), d.span.start);
    diagnostics.sort_by_key(order);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return CompileResult { diagnostics, output: None };
    }
    // The Go code and the documents (which the Go embeds only at the end) are independent: on two threads the
    // emitting takes the longer one's time. The syntax trees are freed on the Go code's thread once it is done.
    let (code, docs) = both(
        threads > 1,
        || {
            let code = emit_go::code(sources, &files, &program);
            drop(files);
            code
        },
        || Documents::new(sources, &program),
    );
    let served = emit_go::Served { manifest: &docs.manifest_json, openapi: &docs.openapi_json };
    let (go_files, source_maps) = emit_go::emit(code, sources, &program, &served);
    let frontend = Frontend { endpoints: program.endpoints, types: program.types };
    let Documents { manifest, dts, openapi, .. } = docs;
    let output = Compiled { go_files, dts, manifest, source_maps, openapi, frontend };
    CompileResult { diagnostics, output: Some(output) }
}

/// What the compiler writes besides Go: the manifest, the TypeScript declarations and the OpenAPI document, and the
/// JSON text of the two the server serves.
struct Documents {
    manifest: Manifest,
    manifest_json: String,
    dts: String,
    openapi: serde_json::Value,
    openapi_json: String,
}

impl Documents {
    fn new(sources: &[SourceFile], program: &check::Program) -> Self {
        let manifest = build_manifest(sources, program);
        let manifest_json = serde_json::to_string(&manifest).unwrap_or_default();
        let dts = emit_ts::emit(&program.endpoints, &program.types);
        let contract = manifest::contract(&manifest, &dts);
        let openapi = openapi::document(&program.endpoints, &program.types, &contract);
        let openapi_json = serde_json::to_string(&openapi).unwrap_or_default();
        Documents { manifest, manifest_json, dts, openapi, openapi_json }
    }
}

/// Runs `a` and `b`, on two threads when `parallel`; a panic in either resumes here (compile() turns it into F0900).
fn both<A: Send, B>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (a.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
    })
}

/// How many threads the compiler uses for this project: one for small ones (below 64 KiB of source a thread costs
/// more than it saves), else the CPUs (at most 8); FORST_COMPILER_THREADS=1 keeps it on the calling thread.
fn threads(sources: &[SourceFile]) -> usize {
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    if sources.len() < 2 || bytes < 64 * 1024 {
        return 1;
    }
    std::env::var("FORST_COMPILER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8))
}

/// F0103: a file name with a control character (a newline, a tab) cannot be named in a `//line` directive, a comment
/// of the generated Go or an editor's problem list without breaking them.
fn unusable_file_name(source: &SourceFile) -> Option<Diagnostic> {
    let bad = source.path.chars().find(|c| c.is_control())?;
    Some(
        Diagnostic::error(
            "F0103",
            format!("the file name {:?} contains the control character {bad:?}", source.path),
            "",
            0..0,
        )
        .with_help("rename the file: .ft file names may not contain newlines, tabs or other control characters"),
    )
}

/// Parses every file, in parallel for big projects: files are independent, and parsing is most of the front end's
/// time (a 10,000-line project parses in about 40 ms on one core).
fn parse_all(sources: &[SourceFile], threads: usize) -> Vec<(ast::File, Vec<Diagnostic>)> {
    if threads < 2 {
        return sources.iter().map(parse::parse_file).collect();
    }
    let per_thread = sources.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(parse::parse_file).collect::<Vec<_>>()))
            .collect();
        // A panic in a parser thread resumes here, where compile() turns it into F0900.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

fn build_manifest(sources: &[SourceFile], program: &check::Program) -> Manifest {
    let ts = emit_ts::TsTypes::new(&program.types);
    let endpoints = program
        .endpoints
        .iter()
        .map(|e| {
            let text = sources.iter().find(|s| s.path == e.file).map(|s| s.text.as_str()).unwrap_or("");
            let (line, column) = emit_go::line_col(text, e.span.start);
            manifest::Endpoint {
                name: e.name.clone(),
                route: e.route.clone(),
                params: e
                    .params
                    .iter()
                    .map(|(n, t)| manifest::Param { name: n.clone(), go_type: t.go(), ts_type: ts.ts(t) })
                    .collect(),
                result: e
                    .result
                    .as_ref()
                    .map(|t| manifest::TypeRef { go_type: t.go(), ts_type: emit_ts::result_type(&ts, e) }),
                returns_error: e.returns_error,
                takes_context: e.takes_context,
                doc: e.doc.clone(),
                location: manifest::Location { file: e.file.clone(), line: line as u32, column: column as u32 },
                stream: e.stream.map(|s| s.as_str().to_string()),
                errors: e.errors.iter().cloned().chain(e.ensures.then(|| emit_ts::ENSURE_FAILED.to_string())).collect(),
            }
        })
        .collect();
    Manifest { endpoints }
}

/// Formats generated Go files with `gofmt` (from the toolchain that builds them), in place. Files gofmt rejects are
/// left as they are: `go build` then reports the problem with `.ft` positions.
///
/// gofmt reads one file from stdin per process, and starting a process costs a few milliseconds: the files are
/// formatted [`GOFMT_AT_ONCE`] processes at a time instead of one after the other (it was 60 ms of every reload).
pub fn gofmt(files: &mut [GeneratedFile], gofmt: &Path) {
    let mut go: Vec<&mut GeneratedFile> = files.iter_mut().filter(|f| f.name.ends_with(".go")).collect();
    for batch in go.chunks_mut(GOFMT_AT_ONCE) {
        // All of a batch are started (and given their whole input) before any is waited for: gofmt reads all of its
        // input before it writes, so a full output pipe cannot block a later write.
        let running: Vec<_> = batch.iter().map(|f| start_gofmt(gofmt, &f.contents)).collect();
        for (f, child) in batch.iter_mut().zip(running) {
            let formatted = child.and_then(|c| c.wait_with_output().ok()).filter(|out| out.status.success());
            if let Some(text) = formatted.and_then(|out| String::from_utf8(out.stdout).ok()) {
                f.contents = text;
            }
        }
    }
}

/// How many gofmt processes run at once (each holds three pipes).
const GOFMT_AT_ONCE: usize = 8;

fn start_gofmt(gofmt: &Path, text: &str) -> Option<std::process::Child> {
    use std::io::Write as _;
    let mut child = std::process::Command::new(gofmt)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    // Dropping stdin after the write closes it: gofmt starts formatting.
    let _ = child.stdin.take()?.write_all(text.as_bytes());
    Some(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    include!("../benches/support/project.rs");

    #[test]
    fn threads_change_nothing_in_the_output() {
        // Two threads parse and emit whatever the project's size: compare the parallel path with the sequential one.
        let files = project(3_000);
        let one = compile_unguarded(&files, 1);
        let two = compile_unguarded(&files, 2);
        assert!(!one.has_errors(), "{:?}", one.diagnostics.first());
        let (one, two) = (one.output.expect("output"), two.output.expect("output"));
        assert_eq!(one.go_files, two.go_files);
        assert_eq!(one.dts, two.dts);
        assert_eq!(one.openapi, two.openapi);
        assert_eq!(serde_json::to_string(&one.manifest).ok(), serde_json::to_string(&two.manifest).ok());
        assert_eq!(format!("{:?}", one.source_maps), format!("{:?}", two.source_maps));
    }
}
