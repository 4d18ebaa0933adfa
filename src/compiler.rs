//! The Forst compiler: a project directory of `.ft` files → one Go `package main` module, TypeScript declarations and a
//! JSON manifest of the exposed endpoints.
//!
//! Phases, one module each: [`parse`] (pest grammar `grammar/forst.pest` → [`ast`]), [`check`] (names, imports, endpoint
//! rules, result inference), [`emit_go`], [`emit_ts`], [`manifest`]; [`diagnostic`] holds the data type every phase
//! reports with and renders it in one place. Nothing here touches the disk except [`read_project`], and nothing here
//! may panic: every failure is a [`Diagnostic`].

pub mod diagnostic;
pub mod manifest;

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
