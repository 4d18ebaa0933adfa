//! Diagnostics are data: severity, a stable code, a message, where (file + byte span), secondary labels (notes) and an
//! optional help line. Every phase produces them; this module is the only place that renders them, as rustc-style text
//! (via `codespan-reporting`) or as JSON for editors and CI.

use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

use super::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location: "first defined here", "expected because of this".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub file: String,
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, `F` + four digits for errors, `W` + four digits for warnings (see README "Error codes").
    pub code: String,
    pub message: String,
    /// The file the primary span is in (relative to the Forst directory). Empty for project-wide diagnostics.
    pub file: String,
    /// Byte range of the primary span in `file`.
    pub span: Range<usize>,
    /// The label under the primary span; empty to show only the caret.
    pub label: String,
    pub notes: Vec<Note>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &str, message: impl Into<String>, file: &str, span: Range<usize>) -> Self {
        Self::new(Severity::Error, code, message, file, span)
    }

    pub fn warning(code: &str, message: impl Into<String>, file: &str, span: Range<usize>) -> Self {
        Self::new(Severity::Warning, code, message, file, span)
    }

    fn new(severity: Severity, code: &str, message: impl Into<String>, file: &str, span: Range<usize>) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            message: message.into(),
            file: file.to_string(),
            span,
            label: String::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_note(mut self, file: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        self.notes.push(Note { file: file.to_string(), span, message: message.into() });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Renders diagnostics like rustc: `error[F0001]: message`, `--> file:line:col`, a code frame with carets, notes and a
/// help line. `color` chooses ANSI colours (the caller decides: TTY and `NO_COLOR`).
pub fn render(diagnostics: &[Diagnostic], files: &[SourceFile], color: bool) -> String {
    let mut db = SimpleFiles::new();
    let ids: Vec<(String, usize)> =
        files.iter().map(|f| (f.path.clone(), db.add(f.path.clone(), f.text.clone()))).collect();
    let id_of = |name: &str| ids.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
    let len_of = |name: &str| files.iter().find(|f| f.path == name).map(|f| f.text.len()).unwrap_or(0);
    let clamp = |name: &str, span: &Range<usize>| {
        let len = len_of(name);
        let start = span.start.min(len);
        start..span.end.clamp(start, len)
    };

    let mut buffer = if color { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
    let config = term::Config::default();
    for d in diagnostics {
        let mut out = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_code(d.code.clone())
        .with_message(d.message.clone());
        let mut labels = Vec::new();
        if let Some(id) = id_of(&d.file) {
            labels.push(cs::Label::primary(id, clamp(&d.file, &d.span)).with_message(d.label.clone()));
        }
        let mut notes = Vec::new();
        for n in &d.notes {
            match id_of(&n.file) {
                Some(id) => {
                    labels.push(cs::Label::secondary(id, clamp(&n.file, &n.span)).with_message(n.message.clone()))
                }
                None => notes.push(format!("note: {}", n.message)),
            }
        }
        if let Some(help) = &d.help {
            notes.push(format!("help: {help}"));
        }
        out = out.with_labels(labels).with_notes(notes);
        // Rendering into an in-memory buffer only fails on a span outside the file, which `clamp` rules out; should it
        // happen anyway, fall back to the one-line form rather than lose the diagnostic.
        if term::emit(&mut buffer, &config, &db, &out).is_err() {
            let line = format!("{}[{}]: {} ({})\n", severity_word(d.severity), d.code, d.message, d.file);
            buffer.clear();
            return diagnostics_fallback(diagnostics, line);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn diagnostics_fallback(diagnostics: &[Diagnostic], first: String) -> String {
    let mut s = first;
    for d in diagnostics.iter().skip(1) {
        s.push_str(&format!("{}[{}]: {} ({})\n", severity_word(d.severity), d.code, d.message, d.file));
    }
    s
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// 1-based (line, column) of a byte offset; columns count characters.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before.get(line_start..).map(|s| s.chars().count()).unwrap_or(0) as u32 + 1;
    (line, col)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPos {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct JsonNote {
    message: String,
    #[serde(flatten)]
    pos: JsonPos,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    severity: Severity,
    code: String,
    message: String,
    #[serde(flatten)]
    pos: JsonPos,
    label: String,
    notes: Vec<JsonNote>,
    help: Option<String>,
}

fn json_pos(files: &[SourceFile], file: &str, span: &Range<usize>) -> JsonPos {
    let text = files.iter().find(|f| f.path == file).map(|f| f.text.as_str()).unwrap_or("");
    let (line, column) = line_col(text, span.start);
    let (end_line, end_column) = line_col(text, span.end);
    JsonPos { file: file.to_string(), line, column, end_line, end_column }
}

/// The JSON form for tools (`forst check --json`): positions are 1-based line/column.
pub fn to_json(diagnostics: &[Diagnostic], files: &[SourceFile]) -> serde_json::Value {
    let list: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity,
            code: d.code.clone(),
            message: d.message.clone(),
            pos: json_pos(files, &d.file, &d.span),
            label: d.label.clone(),
            notes: d
                .notes
                .iter()
                .map(|n| JsonNote { message: n.message.clone(), pos: json_pos(files, &n.file, &n.span) })
                .collect(),
            help: d.help.clone(),
        })
        .collect();
    serde_json::to_value(list).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_code_frame_with_caret_and_help() {
        let files = vec![SourceFile { path: "routes/a.ft".into(), text: "func f() {\n  x := 1)\n}\n".into() }];
        let d = Diagnostic::error("F0001", "unexpected `)`", "routes/a.ft", 19..20)
            .with_label("not expected here")
            .with_help("remove the `)`");
        let text = render(&[d], &files, false);
        assert!(text.contains("error[F0001]: unexpected `)`"), "{text}");
        assert!(text.contains("routes/a.ft:2:9"), "{text}");
        assert!(text.contains("^ not expected here"), "{text}");
        assert!(text.contains("help: remove the `)`"), "{text}");
    }

    #[test]
    fn out_of_range_spans_are_clamped_not_panicking() {
        let files = vec![SourceFile { path: "a.ft".into(), text: "x".into() }];
        let d = Diagnostic::error("F0001", "m", "a.ft", 10..20);
        assert!(render(&[d], &files, false).contains("F0001"));
    }

    #[test]
    fn json_has_one_based_positions() {
        let files = vec![SourceFile { path: "a.ft".into(), text: "ab\ncd".into() }];
        let d = Diagnostic::warning("W0001", "m", "a.ft", 3..5);
        let v = to_json(&[d], &files);
        assert_eq!(v[0]["line"], 2);
        assert_eq!(v[0]["column"], 1);
        assert_eq!(v[0]["endColumn"], 3);
        assert_eq!(v[0]["severity"], "warning");
    }
}
