//! Constraint types: `String.Min(3).Max(30)`, `Int.GreaterThan(0)`, `Array(T).Max(10)`, `*T.Present()`, guards on
//! types (`User.Valid()`), resolved against the base type into [`Constraint`]s — the data the validators, the
//! OpenAPI document and the JSON Schemas are generated from.
//!
//! The same names work in `ensure x is Min(3)` (see `ensure.rs`); what a name means follows the value's kind: `Min`
//! bounds a string's length in characters, a number's value, an array's or a map's number of elements.

use super::Checker;
use crate::compiler::ast::{self, ExprKind, TypeKind};
use crate::compiler::diagnostic::Diagnostic;
use crate::compiler::types::{Check, Constraint, Number, Ty};

/// What a constraint name applies to: the kind of the value under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ValueKind {
    String,
    Int,
    Float,
    Bool,
    /// Slices, arrays and maps: `Min`/`Max` count elements.
    List,
    Pointer,
    Other,
}

impl ValueKind {
    fn describe(self) -> &'static str {
        match self {
            ValueKind::String => "String",
            ValueKind::Int => "Int",
            ValueKind::Float => "Float",
            ValueKind::Bool => "Bool",
            ValueKind::List => "Array and Map",
            ValueKind::Pointer => "pointer",
            ValueKind::Other => "this type",
        }
    }

    /// The constraint names this kind has, for help lines.
    pub(super) fn names(self) -> &'static str {
        match self {
            ValueKind::String => "Min(n), Max(n), NotEmpty(), HasPrefix(\"…\"), HasSuffix(\"…\"), Contains(\"…\")",
            ValueKind::Int | ValueKind::Float => "Min(n), Max(n), GreaterThan(n), LessThan(n)",
            ValueKind::Bool => "True(), False()",
            ValueKind::List => "Min(n), Max(n), NotEmpty()",
            ValueKind::Pointer => "Present(), Nil()",
            ValueKind::Other => "the type guards declared for it (`is (x T) Name() { … }`)",
        }
    }
}

impl Checker<'_> {
    /// The kind of values of a resolved type.
    pub(super) fn value_kind(&self, t: &Ty) -> ValueKind {
        // A struct or shape is Other whatever its fields: lowering them here would recurse forever through a type
        // that constrains a pointer to itself (`friend: *Person.Present()` inside `Person`).
        if let Ty::Named(n) = t {
            if self.spec_of(n).is_some_and(|s| matches!(s.ty.kind, TypeKind::Shape(_) | TypeKind::Struct(_))) {
                return ValueKind::Other;
            }
        }
        match self.underlying(t) {
            Ty::Basic(n) if n == "string" => ValueKind::String,
            Ty::Basic(n) if n.starts_with("float") => ValueKind::Float,
            Ty::Basic(n) if crate::compiler::types::is_number(&n) => ValueKind::Int,
            Ty::Basic(n) if n == "bool" => ValueKind::Bool,
            Ty::Slice(_) | Ty::Array(..) | Ty::Map(..) => ValueKind::List,
            Ty::Pointer(_) => ValueKind::Pointer,
            _ => ValueKind::Other,
        }
    }

    /// The constraints of a type as written, at its own level and its elements' (a named type's own constraints
    /// stay with its definition). Silent: problems are reported once, by [`Checker::report_constraints`].
    pub(crate) fn constraints_of(&self, t: &ast::Type) -> Vec<Constraint> {
        self.resolve(t, false, &mut |_| {})
    }

    /// Reports unknown constraints, wrong arguments and misplaced ones in a type as written in `path`.
    pub(super) fn report_constraints(&self, t: &ast::Type, path: &str) {
        let mut found = Vec::new();
        self.resolve(t, false, &mut |d: Diagnostic| found.push(d));
        for mut d in found {
            d.file = path.to_string();
            self.report(d);
        }
    }

    fn resolve(&self, t: &ast::Type, under_pointer: bool, report: &mut dyn FnMut(Diagnostic)) -> Vec<Constraint> {
        match &t.kind {
            TypeKind::Constrained(base, links) => {
                let mut out = self.resolve(base, under_pointer, report);
                let kind = self.value_kind(&self.lower(base));
                for link in links {
                    if self.shape_guard(base, link).is_some() {
                        continue; // a type-level guard: it made the type (see `lower`)
                    }
                    if let Some(c) = self.link_constraint(base, kind, under_pointer, link, report) {
                        out.push(c);
                    }
                }
                out
            }
            TypeKind::Ctor(name, args) => match (name.as_str(), args.as_slice()) {
                ("Array", [elem]) => each(self.resolve(elem, false, report)),
                ("Map", [_, value]) => each(self.resolve(value, false, report)),
                _ => Vec::new(),
            },
            TypeKind::Slice(elem) | TypeKind::Array(_, _, elem) => each(self.resolve(elem, false, report)),
            TypeKind::Map(_, value) => each(self.resolve(value, false, report)),
            TypeKind::Pointer(inner) => self.resolve(inner, true, report),
            _ => Vec::new(),
        }
    }

    /// One link of a constraint type against its base.
    fn link_constraint(
        &self,
        base: &ast::Type,
        kind: ValueKind,
        under_pointer: bool,
        link: &ast::Link,
        report: &mut dyn FnMut(Diagnostic),
    ) -> Option<Constraint> {
        let name = link.name.text.as_str();
        let written = link.written();
        let fail = |report: &mut dyn FnMut(Diagnostic), message: String, help: String| {
            report(Diagnostic::error("F0501", message, "", link.span.clone()).with_label("here").with_help(help));
            None
        };
        if let Some(guard) = self.guard_for(&self.lower(base), name) {
            let args = self.constant_args(link, report)?;
            if args.len() != guard.params.len() {
                return fail(
                    report,
                    format!("guard `{name}` takes {} argument(s), not {}", guard.params.len(), args.len()),
                    format!("write `{name}({})`", guard.params.iter().map(param_text).collect::<Vec<_>>().join(", ")),
                );
            }
            let args = args.into_iter().map(|(text, _)| text).collect();
            return Some(Constraint { check: Check::Guard { func: guard.func.clone(), args }, written });
        }
        let check = match (name, kind) {
            ("Present" | "Nil", _) if under_pointer || kind == ValueKind::Pointer => {
                self.no_args(link, report)?;
                if name == "Present" {
                    Check::Present
                } else {
                    Check::Nil
                }
            }
            ("Min" | "Max", ValueKind::String | ValueKind::List) => {
                let n = self.count_arg(link, report)?;
                match (name, kind) {
                    ("Min", ValueKind::String) => Check::MinLength(n),
                    ("Max", ValueKind::String) => Check::MaxLength(n),
                    ("Min", _) => Check::MinItems(n),
                    _ => Check::MaxItems(n),
                }
            }
            ("NotEmpty", ValueKind::String) => {
                self.no_args(link, report)?;
                Check::MinLength(1)
            }
            ("NotEmpty", ValueKind::List) => {
                self.no_args(link, report)?;
                Check::MinItems(1)
            }
            ("Min" | "Max" | "GreaterThan" | "LessThan", ValueKind::Int | ValueKind::Float) => {
                let n = self.number_arg(link, kind, report)?;
                match name {
                    "Min" => Check::Minimum(n),
                    "Max" => Check::Maximum(n),
                    "GreaterThan" => Check::ExclusiveMinimum(n),
                    _ => Check::ExclusiveMaximum(n),
                }
            }
            ("HasPrefix" | "HasSuffix" | "Contains", ValueKind::String) => {
                let s = self.string_arg(link, report)?;
                match name {
                    "HasPrefix" => Check::HasPrefix(s),
                    "HasSuffix" => Check::HasSuffix(s),
                    _ => Check::Contains(s),
                }
            }
            ("True" | "False", ValueKind::Bool) => {
                self.no_args(link, report)?;
                Check::Const(name == "True")
            }
            _ => {
                let what = if under_pointer && kind != ValueKind::Pointer {
                    format!("`{name}` is not a constraint of {} (under a pointer)", kind.describe())
                } else {
                    format!("`{name}` is not a constraint of {}", kind.describe())
                };
                return fail(report, what, format!("{} has: {}", kind.describe(), kind.names()));
            }
        };
        Some(Constraint { check, written })
    }

    fn no_args(&self, link: &ast::Link, report: &mut dyn FnMut(Diagnostic)) -> Option<()> {
        if link.args.is_empty() {
            return Some(());
        }
        report(bad_argument(link, format!("`{}` takes no arguments", link.name.text), "here", ""));
        None
    }

    /// The arguments of a link as constants: `(Go source, value)`; literals only (a type's constraints are checked
    /// before the function runs, where no variable exists).
    fn constant_args(&self, link: &ast::Link, report: &mut dyn FnMut(Diagnostic)) -> Option<Vec<(String, Literal)>> {
        let mut out = Vec::new();
        for (arg, text) in link.args.iter().zip(&link.texts) {
            match literal(arg, text) {
                Some(lit) => out.push((text.clone(), lit)),
                None => {
                    report(
                        Diagnostic::error(
                            "F0502",
                            format!("the argument of `{}` in a type must be a constant", link.name.text),
                            "",
                            arg.span.clone(),
                        )
                        .with_label("not a number or string literal")
                        .with_help("write the value itself (`Min(3)`, `HasPrefix(\"+\")`); check variables with `ensure x is Min(n)` in the function body"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn one_arg(&self, link: &ast::Link, what: &str, report: &mut dyn FnMut(Diagnostic)) -> Option<Literal> {
        let mut args = self.constant_args(link, report)?;
        if args.len() != 1 {
            let message = format!("`{}` takes one argument ({what}), not {}", link.name.text, args.len());
            report(bad_argument(link, message, "here", "…"));
            return None;
        }
        args.pop().map(|(_, lit)| lit)
    }

    fn count_arg(&self, link: &ast::Link, report: &mut dyn FnMut(Diagnostic)) -> Option<u64> {
        let lit = self.one_arg(link, "a count", report)?;
        match lit {
            Literal::Number(n) if n.is_integer() && n.value >= 0.0 && n.value < 9.0e15 => Some(n.value as u64),
            _ => {
                let message =
                    format!("`{}` counts characters or elements: it takes a whole number ≥ 0", link.name.text);
                report(bad_argument(link, message, "not a count", "3"));
                None
            }
        }
    }

    fn number_arg(&self, link: &ast::Link, kind: ValueKind, report: &mut dyn FnMut(Diagnostic)) -> Option<Number> {
        match self.one_arg(link, "a number", report)? {
            Literal::Number(n) if kind == ValueKind::Int && !n.is_integer() => {
                let message = format!("`{}` of an Int takes a whole number, not {}", link.name.text, n.go);
                let help = "use a whole number, or make the type Float";
                report(bad_argument(link, message, "not a whole number", "").with_help(help));
                None
            }
            Literal::Number(n) => Some(n),
            Literal::String(_) => {
                report(wrong_kind(link, "a number", "a string", "3"));
                None
            }
        }
    }

    fn string_arg(&self, link: &ast::Link, report: &mut dyn FnMut(Diagnostic)) -> Option<String> {
        match self.one_arg(link, "a string", report)? {
            Literal::String(s) => Some(s),
            Literal::Number(_) => {
                report(wrong_kind(link, "a string", "a number", "\"…\""));
                None
            }
        }
    }
}

/// A constant argument.
pub(super) enum Literal {
    Number(Number),
    String(String),
}

/// The value of a literal argument (`3`, `-1.5`, `"+"`), or `None` for anything else.
pub(super) fn literal(arg: &ast::Expr, text: &str) -> Option<Literal> {
    match &arg.kind {
        ExprKind::Str => Some(Literal::String(crate::compiler::parse::unquote(text))),
        ExprKind::Int | ExprKind::Float => Number::parse(text).map(Literal::Number),
        ExprKind::Unary("-" | "+", inner) if matches!(inner.kind, ExprKind::Int | ExprKind::Float) => {
            Number::parse(text).map(Literal::Number)
        }
        ExprKind::Paren(inner) => literal(inner, text.trim().trim_start_matches('(').trim_end_matches(')')),
        _ => None,
    }
}

/// F0503 for an argument of the other kind: `Min("3")`, `HasPrefix(3)`; `example` is a right one.
fn wrong_kind(link: &ast::Link, wanted: &str, got: &str, example: &str) -> Diagnostic {
    bad_argument(link, format!("`{}` takes {wanted}", link.name.text), got, example)
}

/// F0503: a constraint's argument of the wrong kind or count; the help writes the call with `example` as its
/// arguments.
fn bad_argument(link: &ast::Link, message: String, label: &str, example: &str) -> Diagnostic {
    let help = format!("write `{}({example})`", link.name.text);
    Diagnostic::error("F0503", message, "", link.span.clone()).with_label(label).with_help(help)
}

fn each(inner: Vec<Constraint>) -> Vec<Constraint> {
    if inner.is_empty() {
        return inner;
    }
    let written = format!("each: {}", crate::compiler::types::written(&inner));
    vec![Constraint { check: Check::Each(inner), written }]
}

fn param_text(p: &ast::Param) -> String {
    p.name.as_ref().map(|n| n.text.clone()).unwrap_or_else(|| "_".into())
}
