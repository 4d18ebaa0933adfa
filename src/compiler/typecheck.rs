//! Go's type errors as Forst diagnostics. The checking itself is Go's own (`go/types`, run by the helper program in
//! `runtime/gocheck/`, see `runtime::gocheck`); this module is the pure half: the request the helper reads, the problems
//! it answers, and their translation into [`Diagnostic`]s — `.ft` file, line and column through the
//! [`source_map`](super::source_map), a stable Forst code per kind of Go error (docs/error-codes.md), Go's message with
//! the compiler's generated names replaced by what the user wrote, and the helper's help line.

use serde::{Deserialize, Serialize};

use super::diagnostic::Diagnostic;
use super::emit_go::RUNTIME_IMPORT;
use super::{Compiled, SourceFile};

/// One file of a check request.
#[derive(Serialize)]
pub struct RequestFile<'a> {
    pub name: &'a str,
    pub contents: &'a str,
}

/// What the helper reads: the language version to check against, the generated package main's files, and the
/// packages they import from the module itself (the runtime), given as source.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request<'a> {
    pub go_version: String,
    pub files: Vec<RequestFile<'a>>,
    pub imports: Vec<SourcePackage<'a>>,
}

/// A package of the module the checked files import, checked from its source (the helper keeps it checked while its
/// files stay the same: the runtime is checked once per process).
#[derive(Serialize)]
pub struct SourcePackage<'a> {
    pub path: &'a str,
    pub files: Vec<RequestFile<'a>>,
}

/// One problem as the helper reports it: byte offsets in a generated Go file.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct GoProblem {
    pub file: String,
    pub offset: usize,
    pub end: usize,
    /// go/types' error code name (`UndeclaredName`), or `SyntaxError`.
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Response {
    pub problems: Vec<GoProblem>,
    #[serde(default)]
    pub fatal: Option<String>,
}

/// The request for a compiled project: the generated files as package main, importing `runtime` (the runtime
/// package's files) as [`RUNTIME_IMPORT`], checked against the language version of `toolchain` (`go1.26.8` →
/// `go1.26`). The helper applies build constraints (file name suffixes, `//go:build` lines) as `go build` would.
pub fn request<'a>(compiled: &'a Compiled, runtime: &[(&'a str, &'a str)], toolchain: &str) -> Request<'a> {
    let main = compiled.go_files.iter().map(|f| RequestFile { name: &f.name, contents: &f.contents }).collect();
    let runtime = runtime.iter().map(|(name, contents)| RequestFile { name, contents }).collect();
    let runtime = SourcePackage { path: RUNTIME_IMPORT, files: runtime };
    Request { go_version: language_version(toolchain), files: main, imports: vec![runtime] }
}

/// `go1.26.8` → `go1.26`, `go1.22rc1` → `go1.22`; anything else is passed through (go/types then decides).
fn language_version(toolchain: &str) -> String {
    let Some(rest) = toolchain.strip_prefix("go1.") else { return toolchain.to_string() };
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    format!("go1.{minor}")
}

/// The stable Forst code of a kind of Go error, and a short label for the caret.
fn forst_code(go_code: &str) -> (&'static str, &'static str) {
    match go_code {
        "SyntaxError" => ("F0400", "Go cannot parse this"),
        "UndeclaredName" | "UndeclaredImportedName" | "UnexportedName" => ("F0401", "not defined"),
        "MissingFieldOrMethod" => ("F0402", "no such field or method"),
        "IncompatibleAssign"
        | "InvalidIfaceAssign"
        | "InvalidChanAssign"
        | "MismatchedTypes"
        | "InvalidConversion"
        | "InvalidUntypedConversion"
        | "NumericOverflow"
        | "TruncatedFloat" => ("F0403", "wrong type"),
        "WrongArgCount" | "WrongResultCount" | "WrongAssignCount" | "WrongTypeArgCount" | "TooManyValues" => {
            ("F0404", "wrong number of values")
        }
        "MissingReturn" => ("F0405", "missing return"),
        "UnusedVar" | "UnusedImport" | "UnusedLabel" | "UnusedExpr" | "UnusedResults" => ("F0406", "not used"),
        "DuplicateDecl"
        | "NoNewVar"
        | "DuplicateLabel"
        | "DuplicateCase"
        | "DuplicateDefault"
        | "DuplicateLitKey"
        | "DuplicateLitField"
        | "DuplicateFieldAndMethod"
        | "DuplicateMethod" => ("F0407", "declared twice"),
        "UndefinedOp"
        | "NonNumericIncDec"
        | "UnaddressableOperand"
        | "UnassignableOperand"
        | "NonIndexableOperand"
        | "InvalidIndex"
        | "InvalidCall"
        | "InvalidRangeExpr"
        | "InvalidAssert"
        | "ImpossibleAssert" => ("F0408", "invalid operation"),
        "NotAType" | "NotAnExpr" | "InvalidLitField" | "MissingLitField" | "MixedStructLit" => {
            ("F0409", "not valid here")
        }
        _ => ("F0499", "rejected by Go's type checker"),
    }
}

/// Translates the helper's problems into diagnostics on `.ft` files. A problem in text the compiler wrote without a
/// `.ft` origin (the server template, the prelude) is reported without a position, as an internal error.
pub fn diagnostics(problems: &[GoProblem], compiled: &Compiled, sources: &[SourceFile]) -> Vec<Diagnostic> {
    problems.iter().map(|p| diagnostic(p, compiled, sources)).collect()
}

fn diagnostic(p: &GoProblem, compiled: &Compiled, sources: &[SourceFile]) -> Diagnostic {
    let (code, label) = forst_code(&p.code);
    let message = readable(&p.message, compiled);
    let mapped = compiled
        .source_maps
        .iter()
        .find(|m| m.go_file == p.file)
        .and_then(|m| m.lookup(p.offset..p.end.max(p.offset)))
        .and_then(|(fi, span)| sources.get(fi).map(|s| (s, span)));
    let Some((source, span)) = mapped else {
        return Diagnostic::error(code, format!("{message} (in the generated {})", p.file), "", 0..0).with_help(
            "Go found this in code the compiler generated: if it names one of your declarations (a name the server \
             also declares), rename yours; otherwise it is a bug in @forst/sidecar: please report it with the .ft files",
        );
    };
    let span = if span.is_empty() { token_at(&source.text, span.start) } else { span };
    let mut d = Diagnostic::error(code, message, &source.path, span).with_label(label);
    if code == "F0499" {
        d = d.with_note("", 0..0, format!("Go's error code: {}", p.code));
    }
    match &p.help {
        Some(h) if !h.is_empty() => d.with_help(readable(h, compiled)),
        _ => d,
    }
}

/// The span of the token starting at `at` (an identifier or a single character), for a caret that underlines it.
fn token_at(text: &str, at: usize) -> std::ops::Range<usize> {
    let rest = text.get(at..).unwrap_or("");
    let ident = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let len = if ident > 0 { ident } else { rest.chars().next().map(char::len_utf8).unwrap_or(0) };
    at..at + len
}

/// Go's message with the compiler's own names replaced: a shape struct `forstShape3` is shown as its struct type.
fn readable(message: &str, compiled: &Compiled) -> String {
    if !message.contains("forstShape") {
        return message.to_string();
    }
    let Some(shapes) = compiled.go_files.iter().find(|f| f.name == "forst_shapes.go") else {
        return message.to_string();
    };
    let mut out = message.to_string();
    // Longest names first, so that forstShape12 is not read as forstShape1 followed by "2".
    let mut decls: Vec<(&str, &str)> = shapes
        .contents
        .lines()
        .filter_map(|l| l.strip_prefix("type ")?.split_once(' '))
        .filter(|(name, _)| name.starts_with("forstShape"))
        .collect();
    decls.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    for (name, go) in decls {
        out = out.replace(name, go);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::compile;

    fn compiled(text: &str) -> (Vec<SourceFile>, Compiled) {
        let sources = vec![SourceFile { path: "routes/a.ft".into(), text: text.into() }];
        let out = compile(&sources).output.expect("compiles");
        (sources, out)
    }

    #[test]
    fn a_problem_in_verbatim_text_lands_on_the_exact_ft_column() {
        let text = "func f(x Int): Int {\n  return x + undefinedName\n}\n";
        let (sources, out) = compiled(text);
        let go = out.go_files.iter().find(|f| f.name == "ft_routes_a.go").expect("file");
        let offset = go.contents.find("undefinedName").expect("in the Go text");
        let p = GoProblem {
            file: go.name.clone(),
            offset,
            end: offset + "undefinedName".len(),
            code: "UndeclaredName".into(),
            message: "undefined: undefinedName".into(),
            help: Some("did you mean `undefined`?".into()),
        };
        let d = &diagnostics(&[p], &out, &sources)[0];
        assert_eq!(d.code, "F0401");
        let at = text.find("undefinedName").unwrap();
        assert_eq!(d.span, at..at + "undefinedName".len());
        assert_eq!(d.help.as_deref(), Some("did you mean `undefined`?"));
    }

    #[test]
    fn a_problem_in_an_edit_lands_on_the_construct_it_replaced() {
        // `Int` became `int`: a problem reported on the Go `int` points at the `Int` the user wrote.
        let text = "func f(x Int): Int {\n  return x\n}\n";
        let (sources, out) = compiled(text);
        let go = out.go_files.iter().find(|f| f.name == "ft_routes_a.go").expect("file");
        let offset = go.contents.find("x int").expect("edited") + 2;
        let p = GoProblem {
            file: go.name.clone(),
            offset,
            end: offset,
            code: "Other".into(),
            message: "m".into(),
            help: None,
        };
        let d = &diagnostics(&[p], &out, &sources)[0];
        assert_eq!(d.code, "F0499");
        let at = text.find("Int").unwrap();
        assert_eq!(d.span, at..at + 3);
    }

    #[test]
    fn language_versions() {
        assert_eq!(language_version("go1.26.8"), "go1.26");
        assert_eq!(language_version("go1.22rc1"), "go1.22");
        assert_eq!(language_version("devel"), "devel");
    }
}
