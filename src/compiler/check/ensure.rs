//! Forst's checks in function bodies, lowered to plain Go by the walker's edits:
//!
//! - `ensure x is Min(1) or TooShort()` → `if !(forst.Runes(x) >= 1) { return …, TooShort{} }`; without `or` the
//!   failure is the check's own error (`forst.EnsureFailed`: 422 `ensure_failed` at the boundary), a guard's failure,
//!   or the error a Result carries; a block after it runs first. `ensure !err` and `ensure err is Nil()` return `err`.
//! - `x is C()` anywhere else is the Go condition, true when the value passes.
//! - `x := f()` where `f` returns a value or an error (`Result(T, E)`, `(T, error)`) is `x, xErr := f()`; `x is Ok()`
//!   is `xErr == nil`, `x is Err(ParseError)` finds a `ParseError` in it (and `x` is that error inside the `if`). A map
//!   lookup whose variable is tested with `is Ok()` keeps Go's found flag instead: `v, vOk := m[k]`.
//! - In a function that fails this way — declared `Result(T, E)`, or with no declared result and an `ensure` — `return
//!   v` is `return v, nil`, returning an error value is `return <zero>, err`, and a function that only fails gets
//!   `return nil` at its end.
//! - `OutOfStock({sku: s})` builds the nominal error `OutOfStock{Sku: s}`; `TooFast()` is `TooFast{}`.
//!
//! Statements that become several Go lines are followed by a `//line` directive (gofmt spreads them out), so every
//! later line still maps to its `.ft` line.

use super::walk::Walker;
use crate::compiler::ast::{self, ExprKind, IsTarget, StmtKind};
use crate::compiler::diagnostic::Diagnostic;
use crate::compiler::types::{self, Ty};

/// Marks a failure that is a lone guard's call (see `ensure_stmt`).
const GUARD_FAILURE: &str = "\u{0}guard:";

/// A variable that holds a Result.
#[derive(Clone, Debug)]
pub(super) struct ResultVar {
    /// The Go variable beside it: `xErr` (the error), or `xOk` (a map lookup's found flag).
    pub side: String,
    pub map: bool,
    /// The project function whose result it holds (for the errors it can carry).
    pub callee: Option<String>,
}

/// A condition's Go form (true when the value passes) and the error `ensure` returns when it does not: its own
/// (`ensure_failed`), or the one a Result holds (from that callee).
struct Cond {
    go: String,
    failure: String,
    from: Option<Option<String>>,
}

impl Walker<'_, '_> {
    /// `ensure cond [or value] [{ … }]`.
    pub(super) fn ensure_stmt(
        &mut self,
        s: &ast::Stmt,
        cond: &ast::Expr,
        or: Option<&ast::Expr>,
        block: Option<&ast::Block>,
    ) {
        let at = self.position(s.span.start);
        let Cond { go, failure, from } = self.ensure_cond(cond, &at);
        if self.depth == 0 {
            self.fails = true;
            match (or, from) {
                (Some(_), _) => {}
                (None, None) => self.plain_ensures = true,
                (None, Some(callee)) => self.propagate(callee.as_deref()),
            }
        }
        let failure = match or {
            Some(value) => {
                self.or_value(value);
                match value.ident().and_then(|n| self.result_vars.get(n)) {
                    // `ensure x is Ok() or x`: the error x holds.
                    Some(var) if !var.map => var.side.clone(),
                    _ => self.go_text(value),
                }
            }
            None => failure,
        };
        // A guard's own failure is its result: called once, kept.
        let (head, failure) = match failure.strip_prefix(GUARD_FAILURE) {
            Some(call) if or.is_none() => {
                (format!("forstFailure := {call}; forstFailure != nil"), "forstFailure".to_string())
            }
            Some(call) => (format!("!({go})"), call.to_string()),
            None => (format!("!({go})"), failure),
        };
        let ret = self.failure_return(&failure, s.span.clone());
        match block {
            None => self.edit(s.span.clone(), format!("if {head} {{ {ret} }}")),
            Some(b) => {
                let open = b.span.start + 1;
                self.edit(s.span.start..open, format!("if {head} {{"));
                self.block_stmts(b);
                let close = b.span.end.saturating_sub(1);
                self.edit(close..close, format!("\n{ret}\n"));
            }
        }
        self.resync_line_after(s.span.end.saturating_sub(1));
    }

    /// The `or` value: walked for its own edits (an error constructor, a shape), and its nominal error recorded.
    fn or_value(&mut self, value: &ast::Expr) {
        self.expr(value, false);
        if self.depth == 0 {
            let t = self.type_of(value);
            if let Some(names) = self.c.nominal_errors_of(&t) {
                self.errors.extend(names);
            }
            if let Some(var) = value.ident().and_then(|n| self.result_vars.get(n)).cloned() {
                self.propagate(var.callee.as_deref());
            }
        }
    }

    /// The failures of a callee whose error this function returns as it is.
    fn propagate(&mut self, callee: Option<&str>) {
        let Some(callee) = callee else { return };
        self.errors.extend(self.c.errors_of(callee));
        if self.c.summary_of(callee).is_some_and(|s| s.plain_ensures) {
            self.plain_ensures = true;
        }
    }

    fn ensure_cond(&mut self, cond: &ast::Expr, at: &str) -> Cond {
        match &cond.kind {
            ExprKind::Is(subject, target) => self.condition(subject, target, at),
            // `ensure !err`: err must be nil; a failure returns it.
            ExprKind::Unary("!", inner) => {
                self.expr(inner, false);
                let err = self.go_text(inner);
                let from = inner.ident().and_then(|n| self.result_vars.get(n)).map(|v| v.callee.clone());
                Cond { go: format!("{err} == nil"), failure: err, from: Some(from.flatten()) }
            }
            ExprKind::Paren(inner) => self.ensure_cond(inner, at),
            _ => {
                self.expr(cond, false);
                let go = self.go_text(cond);
                let quoted = go_string(self.source_of(cond));
                let failure = format!("forst.EnsureFailed({quoted}, \"true\", {}, nil)", go_string(at));
                Cond { go, failure, from: None }
            }
        }
    }

    /// `x is …` in an expression: its Go condition, in parentheses.
    pub(super) fn is_expr(&mut self, whole: &ast::Expr, subject: &ast::Expr, target: &IsTarget) {
        let at = self.position(whole.span.start);
        let go = self.condition(subject, target, &at).go;
        self.edit(whole.span.clone(), format!("({go})"));
    }

    fn condition(&mut self, subject: &ast::Expr, target: &IsTarget, at: &str) -> Cond {
        self.expr(subject, false);
        let x = self.go_text(subject);
        let links = match target {
            // A shape pattern in a body: the fields are there by the subject's type (a struct) — a compile-time fact.
            IsTarget::Pattern(_) => return Cond { go: "true".into(), failure: "nil".into(), from: None },
            IsTarget::Links(links) => links,
        };
        let subject_ty = self.type_of(subject);
        let subject_text = go_string(&self.source_of(subject).split_whitespace().collect::<Vec<_>>().join(" "));
        let var = subject.ident().and_then(|n| self.result_vars.get(n)).cloned();
        let mut parts = Vec::new();
        let mut failure = None;
        let mut from = None;
        let mut written = Vec::new();
        for (i, link) in links.iter().enumerate() {
            // `x is String.Min(3)`: a leading type name without arguments names the base type.
            if i == 0
                && !link.parens
                && links.len() > 1
                && self.c.value_kind(&Ty::Named(link.name.text.clone())) != super::constraints::ValueKind::Other
            {
                continue;
            }
            written.push(link.written());
            for a in &link.args {
                self.expr(a, false);
            }
            let args: Vec<String> = link.args.iter().map(|a| self.go_text(a)).collect();
            let name = link.name.text.as_str();
            match (name, &var) {
                ("Ok" | "Err", Some(v)) => {
                    let (ok, err) = if v.map {
                        (v.side.clone(), format!("!{}", v.side))
                    } else {
                        (format!("{} == nil", v.side), format!("{} != nil", v.side))
                    };
                    match (name, link.args.first()) {
                        ("Ok", _) => {
                            parts.push(ok);
                            if failure.is_none() && !v.map {
                                from = Some(v.callee.clone());
                            }
                            failure.get_or_insert(if v.map {
                                format!("forst.EnsureFailed({subject_text}, \"Ok()\", {}, nil)", go_string(at))
                            } else {
                                v.side.clone()
                            });
                        }
                        (_, Some(t)) if !v.map => {
                            let ty = self.type_from_expr(t).go();
                            parts.push(format!("forst.IsError[{ty}]({})", v.side));
                        }
                        _ => parts.push(err),
                    }
                    continue;
                }
                ("Ok" | "Err", None) => {
                    self.report(
                        Diagnostic::error("F0506", format!("`{}` is not a Result", self.source_of(subject)), &self.path(), link.span.clone())
                            .with_label(format!("`{name}()` checks a Result"))
                            .with_help("`Ok()` and `Err()` check a variable that holds a call's result (`x := f()` with `f` returning `Result(T, E)` or `(T, error)`) or a map lookup (`v := m[k]`)"),
                    );
                    continue;
                }
                _ => {}
            }
            if let Some(g) = self.c.guard_for(&subject_ty, name) {
                let mut call_args = vec![x.clone()];
                call_args.extend(args.iter().cloned());
                let call = format!("{}({})", g.func, call_args.join(", "));
                parts.push(format!("{call} == nil"));
                if links.len() == 1 {
                    failure.get_or_insert(format!("{GUARD_FAILURE}{call}"));
                } else {
                    failure.get_or_insert(call);
                }
                continue;
            }
            match self.check_expr(&x, &subject_ty, name, &args) {
                Some(go) => parts.push(go),
                None => {
                    let kind = self.c.value_kind(&subject_ty);
                    self.report(
                        Diagnostic::error(
                            "F0507",
                            format!("`{name}` is not a check of `{}`", self.source_of(subject)),
                            &self.path(),
                            link.span.clone(),
                        )
                        .with_label("unknown here")
                        .with_help(format!(
                            "checks of this value: {}; or declare a guard: `is (x {}) {name}() {{ ensure … }}`",
                            kind.names(),
                            if subject_ty == Ty::Unknown { "T".to_string() } else { subject_ty.go() }
                        )),
                    );
                }
            }
        }
        let go = if parts.is_empty() { "true".to_string() } else { parts.join(" && ") };
        let constraint = go_string(&written.join("."));
        let value = if matches!(self.c.value_kind(&subject_ty), super::constraints::ValueKind::Other) {
            "nil".to_string()
        } else {
            x
        };
        let failure = failure
            .unwrap_or_else(|| format!("forst.EnsureFailed({subject_text}, {constraint}, {}, {value})", go_string(at)));
        Cond { go, failure, from }
    }

    /// A built-in check of `x` (Go source) as a Go condition: typed when the value's kind is known, through the
    /// prelude's reflective `forst.Check` otherwise.
    fn check_expr(&mut self, x: &str, t: &Ty, name: &str, args: &[String]) -> Option<String> {
        use super::constraints::ValueKind as K;
        let kind = self.c.value_kind(t);
        let arg = || args.first().cloned().unwrap_or_default();
        Some(match (name, kind) {
            ("Nil", _) => format!("{x} == nil"),
            ("Present", _) => format!("{x} != nil"),
            ("Min", K::String) => format!("forst.Runes({x}) >= {}", arg()),
            ("Max", K::String) => format!("forst.Runes({x}) <= {}", arg()),
            ("Min", K::List) => format!("len({x}) >= {}", arg()),
            ("Max", K::List) => format!("len({x}) <= {}", arg()),
            ("NotEmpty", K::String | K::List) => format!("len({x}) != 0"),
            ("Min", K::Int | K::Float) => format!("{x} >= {}", arg()),
            ("Max", K::Int | K::Float) => format!("{x} <= {}", arg()),
            ("GreaterThan", K::Int | K::Float) => format!("{x} > {}", arg()),
            ("LessThan", K::Int | K::Float) => format!("{x} < {}", arg()),
            ("HasPrefix" | "HasSuffix" | "Contains", K::String) => {
                self.pkgs.insert("strings".into());
                format!("strings.{name}({x}, {})", arg())
            }
            ("True", K::Bool) => x.to_string(),
            ("False", K::Bool) => format!("!{x}"),
            ("Min" | "Max" | "GreaterThan" | "LessThan" | "NotEmpty", K::Other) => {
                let n = if name == "NotEmpty" { "1".to_string() } else { format!("float64({})", arg()) };
                format!("forst.Check({x}, {:?}, {n})", name)
            }
            _ => return None,
        })
    }

    /// `return <zeros>, err` for the function being walked (its last result is its error).
    fn failure_return(&mut self, err: &str, at: ast::Span) -> String {
        match self.results.split_last() {
            Some((last, values)) if self.c.is_error_type(last) => {
                let mut out: Vec<String> = values.iter().map(|t| self.zero_value(t)).collect();
                out.push(err.to_string());
                format!("return {}", out.join(", "))
            }
            _ => {
                if self.results_known {
                    self.report(
                        Diagnostic::error("F0505", "`ensure` in a function that cannot fail", &self.path(), at)
                            .with_label("its failure must be returned")
                            .with_help("declare the result as `Result(T, Error)` (or end it with `error` in Go style), or leave the result out and let Forst infer it"),
                    );
                }
                format!("return {err}")
            }
        }
    }

    /// Go's zero value of a type, as source.
    pub(super) fn zero_value(&self, t: &Ty) -> String {
        match t {
            Ty::Basic(n) if types::is_number(n) => "0".into(),
            Ty::Basic(n) if n == "string" => "\"\"".into(),
            Ty::Basic(n) if n == "bool" => "false".into(),
            Ty::Basic(n) if n == "error" => "nil".into(),
            Ty::Pointer(_) | Ty::Slice(_) | Ty::Map(..) | Ty::Chan(_) | Ty::Func(_) | Ty::Any | Ty::Iface => {
                "nil".into()
            }
            Ty::Named(n) if matches!(self.c.underlying(t), Ty::Struct(_)) => format!("{n}{{}}"),
            Ty::Object { go, .. } => self.zero_value(go),
            other => format!("*new({})", other.go()),
        }
    }

    /// `x := f()` with `f` returning a value or an error, or `v := m[k]` tested with `is Ok()`: keeps the second
    /// value. Returns whether it did.
    pub(super) fn split_result(&mut self, s: &ast::Stmt) -> bool {
        let StmtKind::Define(lhs, rhs) = &s.kind else { return false };
        let ([left], [right]) = (lhs.as_slice(), rhs.as_slice()) else { return false };
        let Some(name) = left.ident().filter(|n| *n != "_") else { return false };
        let (value, map, callee) = match &right.kind {
            ExprKind::Call { fun, .. } => {
                let Some(callee) = fun.ident().filter(|f| self.c.funcs.contains_key(*f) && !self.in_scope(f)) else {
                    return false;
                };
                match self.c.results_of(callee).as_slice() {
                    [value, err] if self.c.is_error_type(err) && !self.c.is_error_type(value) => {
                        (value.clone(), false, Some(callee.to_string()))
                    }
                    _ => return false,
                }
            }
            ExprKind::Index(x, _) if self.ok_subjects.contains(name) => match self.c.underlying(&self.type_of(x)) {
                Ty::Map(_, v) => (*v, true, None),
                Ty::Object { go, .. } => match *go {
                    Ty::Map(_, v) => (*v, true, None),
                    _ => return false,
                },
                _ => return false,
            },
            _ => return false,
        };
        self.expr(right, false);
        let side = self.fresh_name(name, if map { "Ok" } else { "Err" });
        self.edit(left.span.end..left.span.end, format!(", {side}"));
        let end = s.span.end;
        self.edit(end..end, format!("; _, _ = {name}, {side}"));
        self.resync_line_after(end.saturating_sub(1));
        self.scope.insert(name.to_string(), value);
        self.result_vars.insert(name.to_string(), ResultVar { side, map, callee });
        true
    }

    /// `name` + `suffix`, unless the function's text already uses that word (then numbered).
    fn fresh_name(&self, name: &str, suffix: &str) -> String {
        let text = self.fn_text;
        let used = |w: &str| {
            text.match_indices(w).any(|(i, _)| {
                let before = text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                let after = text[i + w.len()..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
                !before && !after
            })
        };
        let base = format!("{name}{suffix}");
        let mut candidate = base.clone();
        let mut n = 2;
        while used(&candidate) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        candidate
    }

    /// A `return` in a function that fails the Forst way: `return v` → `return v, nil`, `return err` → `return
    /// <zero>, err`, `return` → `return nil`. Records the nominal errors it returns.
    pub(super) fn rewrite_return(&mut self, s: &ast::Stmt, values: &[ast::Expr]) {
        if self.depth > 0 {
            return;
        }
        if let [one] = values {
            if let Some(names) = self.c.nominal_errors_of(&self.type_of(one)) {
                self.errors.extend(names);
            }
        }
        if !self.forst_result {
            return;
        }
        let results = self.results.clone();
        let Some((last, firsts)) = results.split_last() else { return };
        if !self.c.is_error_type(last) {
            return;
        }
        // `return Ok(v)` / `return Err(e)`: Result's constructors, where the program declares nothing by that name.
        if let [one] = values {
            if let ExprKind::Call { fun, args, .. } = &one.kind {
                let ctor = fun.ident().filter(|n| {
                    matches!(*n, "Ok" | "Err")
                        && !self.in_scope(n)
                        && !self.c.funcs.contains_key(*n)
                        && !self.c.type_names.contains(*n)
                });
                if let (Some(ctor), [arg]) = (ctor, args.as_slice()) {
                    self.edit(one.span.start..arg.span.start, "");
                    self.edit(arg.span.end..one.span.end, "");
                    match (ctor, firsts) {
                        ("Ok", [_]) => self.edit(arg.span.end..arg.span.end, ", nil"),
                        ("Err", [first]) => {
                            let zero = self.zero_value(first);
                            self.edit(arg.span.start..arg.span.start, format!("{zero}, "));
                        }
                        _ => {}
                    }
                    return;
                }
            }
        }
        match values {
            [] if firsts.is_empty() => self.edit(s.span.end..s.span.end, " nil"),
            [one] if firsts.len() == 1 => {
                let t = self.type_of(one);
                if self.c.is_error_type(&t) && !self.c.is_error_type(&firsts[0]) {
                    let zero = self.zero_value(&firsts[0]);
                    self.edit(one.span.start..one.span.start, format!("{zero}, "));
                } else if !matches!(t, Ty::Tuple(_)) {
                    self.edit(one.span.end..one.span.end, ", nil");
                }
            }
            _ => {}
        }
    }

    /// `E()`, `E({f: v})`, `E(v)` for a nominal error `E`: its composite literal. Returns whether it was one.
    pub(super) fn error_literal(&mut self, call: &ast::Expr, fun: &ast::Expr, args: &[ast::Expr]) -> bool {
        let Some(name) = fun.ident().filter(|n| !self.in_scope(n)) else { return false };
        if self.c.types.get(name).is_none_or(|d| d.error_status.is_none()) {
            return false;
        }
        // The call's parentheses: `(` is the first one after the name (spaces and comments may come between).
        let Some(open) = self.source_text().get(fun.span.end..).and_then(|t| t.find('(')).map(|i| fun.span.end + i)
        else {
            return false;
        };
        let close = call.span.end.saturating_sub(1);
        let ty = Ty::Named(name.to_string());
        match args {
            [one] if matches!(one.kind, ExprKind::Shape(_)) => {
                let ExprKind::Shape(fields) = &one.kind else { return false };
                self.edit(fun.span.end..one.span.start, "");
                self.edit(one.span.end..call.span.end, "");
                self.shape_fields(one, fields, &ty);
            }
            _ => {
                self.edit(fun.span.end..open + 1, "{");
                self.edit(close..call.span.end, "}");
                args.iter().for_each(|a| self.expr(a, false));
            }
        }
        true
    }

    /// Shape literals passed to a project function whose parameter is a struct: typed composite literals.
    pub(super) fn shaped_args(&mut self, fun: &ast::Expr, args: &[ast::Expr]) -> bool {
        let Some(name) = fun.ident().filter(|n| !self.in_scope(n)) else { return false };
        let Some((_, f)) = self.c.funcs.get(name) else { return false };
        if !args.iter().any(|a| matches!(a.kind, ExprKind::Shape(_))) {
            return false;
        }
        let params: Vec<Ty> = f.sig.params.iter().map(|p| self.c.lower(&p.ty)).collect();
        for (i, a) in args.iter().enumerate() {
            match (&a.kind, params.get(i)) {
                (ExprKind::Shape(fields), Some(t)) if self.c.shape_field_names(t).is_some() => {
                    self.typed_shape(a, fields, t)
                }
                _ => self.expr(a, false),
            }
        }
        true
    }

    /// `if x is Err(ParseError) { … }`: inside the branch, `x` is the ParseError.
    /// Returns the variable and its type in the branch.
    pub(super) fn narrow_branch(&mut self, cond: &ast::Expr, then: &ast::Block) -> Option<(String, Ty)> {
        let ExprKind::Is(subject, IsTarget::Links(links)) = &cond.kind else { return None };
        let [link] = links.as_slice() else { return None };
        let (Some(name), "Err", [ty]) = (subject.ident(), link.name.text.as_str(), link.args.as_slice()) else {
            return None;
        };
        let var = self.result_vars.get(name).filter(|v| !v.map).cloned()?;
        let ty = self.type_from_expr(ty);
        let open = then.span.start + 1;
        self.edit(open..open, format!(" {name} := forst.AsError[{}]({}); _ = {name};", ty.go(), var.side));
        self.resync_line_after(open);
        Some((name.to_string(), ty))
    }

    /// The final statement of a function without a declared result that calls a function failing the Forst way
    /// (`func f() { g() }`): its value is the result.
    pub(super) fn final_call(&mut self, body: &ast::Block) {
        let Some(last) = body.stmts.last() else { return };
        let StmtKind::Expr(e) = &last.kind else { return };
        let ExprKind::Call { fun, .. } = &e.kind else { return };
        let Some(callee) = fun.ident().filter(|f| !self.in_scope(f)) else { return };
        if !self.c.fails_the_forst_way(callee) {
            return;
        }
        self.edit(last.span.start..last.span.start, "return ");
        let tys = self.c.results_of(callee);
        self.errors.extend(self.c.errors_of(callee));
        self.returns.push((tys, last.span.clone()));
    }

    /// The Go text of an expression: its source with the edits recorded inside it.
    pub(super) fn go_text(&self, e: &ast::Expr) -> String {
        let mut inside: Vec<_> =
            self.edits.iter().filter(|x| x.span.start >= e.span.start && x.span.end <= e.span.end).cloned().collect();
        inside.sort_by_key(|x| (x.span.start, x.span.end > x.span.start));
        crate::compiler::emit_go::splice(self.source_text(), e.span.clone(), &inside)
    }

    /// Reports once: from the walk that records the Go (inference walks the same code again).
    fn report(&self, d: Diagnostic) {
        if self.recording() {
            self.c.report(d);
        }
    }

    fn path(&self) -> String {
        self.c.files.get(self.file).map(|f| f.path.clone()).unwrap_or_default()
    }
}

/// Identifiers tested with `is Ok()` / `is Err(…)` in a function's text: their map lookups keep Go's found flag.
pub(super) fn ok_subjects(text: &str) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for pat in [" is Ok(", " is Err("] {
        for (i, _) in text.match_indices(pat) {
            let before = &text[..i];
            let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map(|p| p + 1).unwrap_or(0);
            if start < i {
                out.insert(before[start..].to_string());
            }
        }
    }
    out
}

/// A Go interpreted string literal.
pub(super) fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}
