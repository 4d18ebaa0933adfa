//! The walker: one function (or a file's global declarations) in source order, tracking local variable types, and
//! recording the edits that turn Forst into Go, the package names used, and the function's own return statements.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::ensure::{self, ResultVar};
use super::{Checker, Edit};
use crate::compiler::ast::{self, ExprKind, StmtKind, TypeKind};
use crate::compiler::emit_go::mentions_runtime;
use crate::compiler::types::{self, Ty};

/// Walks one function (or the global declarations of a file) in source order, tracking local variable types, and
/// records edits, used package names and the function's own return statements.
pub(super) struct Walker<'c, 'a> {
    pub(super) c: &'c Checker<'a>,
    pub(super) file: usize,
    record: bool,
    pub(super) scope: HashMap<String, Ty>,
    pub(super) edits: Vec<Edit>,
    pub(super) pkgs: BTreeSet<String>,
    /// An edit calls the runtime package (`forst.As`, `forst.GoStart`, …): the file imports it.
    pub(super) uses_runtime: bool,
    pub(super) returns: Vec<(Vec<Ty>, ast::Span)>,
    /// The declared single result of the function being walked, for shape literals in its returns.
    expected: Option<Ty>,
    pub(super) depth: usize,
    /// The results of the function (or function literal) being walked, declared or inferred: what `ensure` returns.
    pub(super) results: Vec<Ty>,
    /// `results` is what the function returns (false while inference is still working it out).
    pub(super) results_known: bool,
    /// The function fails the Forst way (declared `Result(T, E)`, or inferred with an `ensure`): `return v` is
    /// `return v, nil`.
    pub(super) forst_result: bool,
    /// Variables holding a Result (`x := f()`), by name.
    pub(super) result_vars: HashMap<String, ResultVar>,
    /// Names tested with `is Ok()` / `is Err(…)` in the function.
    pub(super) ok_subjects: HashSet<String>,
    /// The function's source text (fresh names must not clash with it).
    pub(super) fn_text: &'a str,
    /// The function has an `ensure` (it can fail), one without `or`, and the nominal errors it returns.
    pub(super) fails: bool,
    pub(super) plain_ensures: bool,
    pub(super) errors: BTreeSet<String>,
    /// The file has a `go` statement (the server then runs each call on a goroutine of its own, see forstRun).
    pub(super) starts_goroutines: bool,
}

impl<'c, 'a> Walker<'c, 'a> {
    pub(super) fn new(c: &'c Checker<'a>, file: usize, record: bool) -> Self {
        Walker {
            c,
            file,
            record,
            scope: HashMap::new(),
            edits: Vec::new(),
            pkgs: BTreeSet::new(),
            uses_runtime: false,
            returns: Vec::new(),
            expected: None,
            depth: 0,
            results: Vec::new(),
            results_known: false,
            forst_result: false,
            result_vars: HashMap::new(),
            ok_subjects: HashSet::new(),
            fn_text: "",
            fails: false,
            plain_ensures: false,
            errors: BTreeSet::new(),
            starts_goroutines: false,
        }
    }

    /// Whether this walk records edits (the one that writes the Go; inference walks do not).
    pub(super) fn recording(&self) -> bool {
        self.record
    }

    pub(super) fn edit(&mut self, span: ast::Span, text: impl Into<String>) {
        if self.record {
            let text = text.into();
            self.uses_runtime |= mentions_runtime(&text);
            self.edits.push(Edit { span, text });
        }
    }

    /// Walks a function declaration; returns its own return statements' value types.
    pub(super) fn function(&mut self, f: &ast::Func) -> Vec<(Vec<Ty>, ast::Span)> {
        self.scope.clear();
        self.returns.clear();
        self.result_vars.clear();
        self.fails = false;
        self.plain_ensures = false;
        self.errors.clear();
        let span = f.body.as_ref().map(|b| b.span.clone()).unwrap_or(f.name.span.clone());
        self.fn_text = self.source_text().get(span).unwrap_or("");
        self.ok_subjects = ensure::ok_subjects(self.fn_text);
        let declared: Vec<Ty> = f.sig.results.iter().map(|p| self.c.lower(&p.ty)).collect();
        (self.results, self.forst_result, self.results_known) = if !declared.is_empty() {
            (declared, f.sig.result_ctor.is_some(), true)
        } else if self.record {
            // Inference ran on a walker of its own (results_of): what it found is what `ensure` returns here.
            let summary = self.c.summary(self.file, f);
            (summary.results, summary.fails, true)
        } else {
            (Vec::new(), false, false)
        };
        self.type_params(&f.type_params);
        if let Some(r) = &f.receiver {
            self.ty_edits(&r.ty);
            if let Some(n) = &r.name {
                self.scope.insert(n.text.clone(), self.c.lower(&r.ty));
            }
        }
        self.signature(&f.sig);
        if let Some(colon) = f.sig.annot_colon {
            self.edit(colon..colon + 1, "");
        }
        self.expected = match f.sig.results.as_slice() {
            [one] => Some(self.c.lower(&one.ty)),
            [one, e] if self.c.lower(&e.ty).is_error() => Some(self.c.lower(&one.ty)),
            _ => None,
        };
        if let Some(body) = &f.body {
            self.stmts(&body.stmts);
            if f.sig.results.is_empty() {
                self.final_call(body);
            }
            // A function that only fails (`error`, inferred from its `ensure`s) returns nil at its end.
            if self.forst_result && self.results.len() == 1 && !ends_in_return(body) {
                let close = body.span.end.saturating_sub(1);
                self.edit(close..close, "\nreturn nil\n");
            }
        }
        std::mem::take(&mut self.returns)
    }

    /// Walks a guard's body as the function `func(subject, params…) error` it becomes.
    pub(super) fn guard_body(&mut self, g: &ast::Guard) {
        self.scope.clear();
        self.result_vars.clear();
        self.fn_text = self.source_text().get(g.body.span.clone()).unwrap_or("");
        self.ok_subjects = ensure::ok_subjects(self.fn_text);
        (self.results, self.forst_result, self.results_known) = (vec![Ty::basic("error")], true, true);
        for p in std::iter::once(&g.subject).chain(&g.params) {
            self.ty_edits(&p.ty);
            if let Some(n) = &p.name {
                self.scope.insert(n.text.clone(), self.c.lower(&p.ty));
            }
        }
        self.stmts(&g.body.stmts);
        if !ends_in_return(&g.body) {
            let close = g.body.span.end.saturating_sub(1);
            self.edit(close..close, "\nreturn nil\n");
        }
    }

    /// Constraints use packages (`cmp.Ordered`) and sugar names like any type does.
    pub(super) fn type_params(&mut self, params: &[ast::TypeParam]) {
        for tp in params {
            tp.constraint.iter().for_each(|t| self.ty_edits(t));
        }
    }

    fn signature(&mut self, sig: &ast::Signature) {
        // `Result(T, E)` → `(T, E)`.
        if let (Some(ctor), Some(first), Some(last)) = (&sig.result_ctor, sig.results.first(), sig.results.last()) {
            self.edit(ctor.start..first.ty.span.start, "(");
            self.edit(last.ty.span.end..ctor.end, ")");
        }
        for p in sig.params.iter().chain(&sig.results) {
            self.ty_edits(&p.ty);
            if let Some(n) = &p.name {
                let t = self.c.lower(&p.ty);
                let t = if p.variadic { Ty::Slice(Box::new(t)) } else { t };
                self.scope.insert(n.text.clone(), t);
            }
        }
    }

    pub(super) fn value_spec(&mut self, s: &ast::ValueSpec) {
        if let Some(colon) = s.colon {
            self.edit(colon..colon + 1, "");
        }
        let comma_ok = s.names.len() == 2 && s.values.len() == 1;
        for v in &s.values {
            self.expr(v, comma_ok);
        }
        let declared = s.ty.as_ref().map(|t| {
            self.ty_edits(t);
            self.c.lower(t)
        });
        let tuple = if s.values.len() == 1 && s.names.len() > 1 {
            Some(self.tuple_of(&s.values[0], s.names.len()))
        } else {
            None
        };
        for (i, n) in s.names.iter().enumerate() {
            let t = match (&declared, &tuple) {
                (Some(t), _) => t.clone(),
                (None, Some(tys)) => tys.get(i).cloned().unwrap_or(Ty::Unknown),
                (None, None) => s.values.get(i).map(|v| self.type_of(v)).unwrap_or(Ty::Unknown),
            };
            self.scope.insert(n.text.clone(), t);
        }
    }

    fn stmts(&mut self, stmts: &[ast::Stmt]) {
        for s in stmts {
            if !self.split_result(s) {
                self.stmt(s);
            }
        }
    }

    /// The statements of a block, in a scope of their own for narrowing.
    pub(super) fn block_stmts(&mut self, b: &ast::Block) {
        self.stmts(&b.stmts);
    }

    fn stmt(&mut self, s: &ast::Stmt) {
        match &s.kind {
            StmtKind::Ensure { cond, or, block } => self.ensure_stmt(s, cond, or.as_ref(), block.as_ref()),
            StmtKind::Return(values) => {
                self.rewrite_return(s, values);
                let shaped = self.expected.clone().filter(|_| self.depth == 0 && values.len() == 1);
                for v in values {
                    match (&v.kind, &shaped) {
                        (ExprKind::Shape(fields), Some(expected)) if self.c.shape_field_names(expected).is_some() => {
                            self.typed_shape(v, fields, expected)
                        }
                        _ => self.expr(v, false),
                    }
                }
                if self.depth == 0 {
                    let mut tys: Vec<Ty> = values.iter().map(|v| self.type_of(v)).collect();
                    if let [Ty::Tuple(inner)] = tys.as_slice() {
                        tys = inner.clone();
                    }
                    // Returning a nominal error is failing, the Forst way: it is not the function's value.
                    match tys.as_slice() {
                        [t] if self.c.nominal_errors_of(t).is_some() => self.fails = true,
                        _ => self.returns.push((tys, s.span.clone())),
                    }
                }
            }
            StmtKind::Define(lhs, rhs) | StmtKind::Assign(lhs, rhs) => {
                let comma_ok = lhs.len() == 2 && rhs.len() == 1;
                for r in rhs {
                    self.expr(r, comma_ok);
                }
                if let StmtKind::Define(..) = &s.kind {
                    let tys: Vec<Ty> = if rhs.len() == lhs.len() {
                        rhs.iter().map(|r| self.type_of(r)).collect()
                    } else if let [one] = rhs.as_slice() {
                        self.tuple_of(one, lhs.len())
                    } else {
                        vec![]
                    };
                    for (i, l) in lhs.iter().enumerate() {
                        if let Some(n) = l.ident() {
                            self.scope.insert(n.to_string(), tys.get(i).cloned().unwrap_or(Ty::Unknown));
                        }
                    }
                } else {
                    for l in lhs {
                        self.expr(l, false);
                    }
                }
            }
            StmtKind::Decl(specs) => specs.iter().for_each(|sp| self.value_spec(sp)),
            StmtKind::Go(e) => {
                self.starts_goroutines = true;
                self.expr(e, false);
                self.guard_goroutine(e, s.span.start);
            }
            StmtKind::Expr(e) | StmtKind::Defer(e) | StmtKind::IncDec(e) => self.expr(e, false),
            StmtKind::Send(a, b) => {
                self.expr(a, false);
                self.expr(b, false);
            }
            StmtKind::If { init, cond, then, els } => {
                if let Some(i) = init {
                    self.stmt(i);
                }
                self.expr(cond, false);
                match self.narrow_branch(cond, then) {
                    Some((name, ty)) => {
                        let saved = self.scope.insert(name.clone(), ty);
                        self.stmts(&then.stmts);
                        match saved {
                            Some(t) => self.scope.insert(name, t),
                            None => self.scope.remove(&name),
                        };
                    }
                    None => self.stmts(&then.stmts),
                }
                if let Some(e) = els {
                    self.stmt(e);
                }
            }
            StmtKind::For { init, cond, post, body } => {
                if let Some(i) = init {
                    self.stmt(i);
                }
                if let Some(c) = cond {
                    self.expr(c, false);
                }
                if let Some(p) = post {
                    self.stmt(p);
                }
                self.stmts(&body.stmts);
            }
            StmtKind::Range { keys, define, over, body } => {
                self.expr(over, false);
                if *define {
                    let (k, v) = match self.c.underlying(&self.type_of(over)) {
                        Ty::Slice(t) | Ty::Array(_, t) => (Ty::basic("int"), *t),
                        Ty::Map(k, v) => (*k, *v),
                        Ty::Chan(t) => (*t, Ty::Unknown),
                        Ty::Basic(n) if n == "string" => (Ty::basic("int"), Ty::basic("rune")),
                        Ty::Basic(n) if types::is_number(&n) => (Ty::Basic(n), Ty::Unknown),
                        _ => (Ty::Unknown, Ty::Unknown),
                    };
                    for (i, key) in keys.iter().enumerate() {
                        if let Some(n) = key.ident() {
                            self.scope.insert(n.to_string(), if i == 0 { k.clone() } else { v.clone() });
                        }
                    }
                } else {
                    keys.iter().for_each(|k| self.expr(k, false));
                }
                self.stmts(&body.stmts);
            }
            StmtKind::Switch { init, tag, bind, clauses } => {
                if let Some(i) = init {
                    self.stmt(i);
                }
                if let Some(t) = tag {
                    self.expr(t, false);
                }
                if let Some(b) = bind {
                    self.scope.insert(b.text.clone(), Ty::Unknown);
                }
                for c in clauses {
                    c.items.iter().for_each(|i| self.expr(i, false));
                    self.stmts(&c.body);
                }
            }
            StmtKind::Select(clauses) => {
                for c in clauses {
                    if let Some(comm) = &c.comm {
                        self.stmt(comm);
                    }
                    self.stmts(&c.body);
                }
            }
            StmtKind::Block(b) => self.stmts(&b.stmts),
            StmtKind::Labeled(inner) => {
                if let Some(i) = inner {
                    self.stmt(i);
                }
            }
            StmtKind::Other => {}
        }
    }

    /// Types of `a, b := rhs` with a single right-hand side: a call's results, or the comma-ok forms.
    fn tuple_of(&self, rhs: &ast::Expr, n: usize) -> Vec<Ty> {
        let t = self.type_of(rhs);
        if let Ty::Tuple(tys) = t {
            return tys;
        }
        let ok = Ty::basic("bool");
        match &rhs.kind {
            ExprKind::Index(..) | ExprKind::Assert { .. } | ExprKind::Unary("<-", _) if n == 2 => vec![t, ok],
            _ => vec![t],
        }
    }

    // -------------------------------------------------------------------------------------------- edits

    /// Sugar type names and shape types → Go; package names used in types.
    pub(super) fn ty_edits(&mut self, t: &ast::Type) {
        match &t.kind {
            TypeKind::Named { pkg: Some(p), args, .. } => {
                self.pkgs.insert(p.clone());
                args.iter().for_each(|a| self.ty_edits(a));
            }
            TypeKind::Named { pkg: None, name, args } => {
                if let Some(go) = types::sugar(name).filter(|_| !self.c.type_names.contains(name)) {
                    self.edit(t.span.clone(), go);
                } else if name == "Shape" && !self.c.type_names.contains(name) {
                    self.edit(t.span.clone(), "map[string]interface{}");
                }
                args.iter().for_each(|a| self.ty_edits(a));
            }
            TypeKind::Pointer(x) | TypeKind::Slice(x) | TypeKind::Chan(x) => self.ty_edits(x),
            TypeKind::Array(_, len, x) => {
                if let Some(len) = len {
                    self.expr(len, false);
                }
                self.ty_edits(x);
            }
            TypeKind::Map(k, v) => {
                self.ty_edits(k);
                self.ty_edits(v);
            }
            TypeKind::Func(sig) => sig.params.iter().chain(&sig.results).for_each(|p| self.ty_edits(&p.ty)),
            TypeKind::Struct(fields) => fields.iter().for_each(|f| self.ty_edits(&f.ty)),
            TypeKind::Shape(fields) => {
                // Rendered whole from the resolved type: only collect the packages its fields use.
                fields.iter().for_each(|f| self.ty_uses(&f.ty));
                let go = self.c.shape_name(&self.c.lower(t), self.file, t.span.clone());
                self.edit(t.span.clone(), go);
            }
            TypeKind::Interface { .. } => {}
            // `Array(T)` → `[]T`, `Map(K, V)` → `map[K]V`, `Result(T, E)` (misplaced) → `(T, E)`: the brackets
            // around the arguments, which keep their own edits.
            TypeKind::Ctor(name, args) => {
                let (open, sep, close) = match name.as_str() {
                    "Array" => ("[]", "", ""),
                    "Map" => ("map[", "]", ""),
                    _ => ("(", ", ", ")"),
                };
                if let (Some(first), Some(last)) = (args.first(), args.last()) {
                    self.edit(t.span.start..first.span.start, open);
                    for pair in args.windows(2) {
                        self.edit(pair[0].span.end..pair[1].span.start, sep);
                    }
                    self.edit(last.span.end..t.span.end, close);
                }
                args.iter().for_each(|a| self.ty_edits(a));
            }
            TypeKind::Constrained(base, links) => {
                if self.record {
                    self.c.report_constraints(t, &self.c.files[self.file].path);
                }
                if links.iter().any(|l| self.c.shape_guard(base, l).is_some()) {
                    // A shape guard made a new shape: rendered whole, like a shape.
                    self.ty_uses(base);
                    let go = self.c.shape_name(&self.c.lower(t), self.file, t.span.clone());
                    self.edit(t.span.clone(), go);
                    return;
                }
                // The constraints are checked where JSON enters; in Go the type is its base.
                let end = links.last().map(|l| l.span.end).unwrap_or(base.span.end);
                self.edit(base.span.end..end.max(base.span.end), "");
                self.ty_edits(base);
            }
            TypeKind::Union(members) => members.iter().for_each(|m| self.ty_uses(m)),
        }
    }

    /// Package names a type mentions, without edits (for types that are re-rendered whole).
    pub(super) fn ty_uses(&mut self, t: &ast::Type) {
        let record = std::mem::replace(&mut self.record, false);
        self.ty_edits(t);
        self.record = record;
    }

    fn is_package(&self, name: &str) -> bool {
        !self.scope.contains_key(name)
            && !self.c.globals.contains_key(name)
            && !self.c.funcs.contains_key(name)
            && !self.c.type_names.contains(name)
    }

    /// Visits an expression for edits and package uses. `comma_ok`: the expression is the single right-hand side of
    /// a two-value assignment.
    pub(super) fn expr(&mut self, e: &ast::Expr, comma_ok: bool) {
        match &e.kind {
            ExprKind::Ident(n) => {
                // `String(x)` is a conversion to `string` — unless the program declares something called `String`.
                let declared = self.c.type_names.contains(n)
                    || self.scope.contains_key(n)
                    || self.c.funcs.contains_key(n)
                    || self.c.globals.contains_key(n);
                if let Some(go) = types::sugar(n).filter(|_| !declared) {
                    self.edit(e.span.clone(), go);
                }
            }
            ExprKind::Selector(x, sel) => {
                if let Some(p) = x.ident().filter(|p| self.is_package(p)) {
                    if matches!(x.kind, ExprKind::Ident(_)) {
                        self.pkgs.insert(p.to_string());
                        return;
                    }
                }
                self.expr(x, false);
                let xt = self.type_of(x);
                if let Some(go) = self.c.shape_field(&xt, &sel.text) {
                    self.edit(sel.span.clone(), go);
                }
            }
            ExprKind::Assert { x, ty, dot } => {
                self.expr(x, false);
                let operand = self.type_of(x);
                // The comma-ok form keeps Go's meaning exactly (a pure type test); only the single-value form, which
                // would panic on every JSON value, converts structurally (see the README, "Type assertions").
                if !comma_ok && matches!(operand, Ty::Any | Ty::Unknown) {
                    // A JSON-aware assertion: converts structurally, fails as invalid input (see prelude forst.As).
                    self.ty_uses(ty);
                    let target = self.c.lower(ty).go();
                    self.edit(x.span.start..x.span.start, format!("forst.As[{target}]("));
                    // The expression as written, for the error message: `at input["numbers"]: expected ...`.
                    let written = self.source_of(x).split_whitespace().collect::<Vec<_>>().join(" ");
                    let quoted = serde_json::to_string(&written).unwrap_or_else(|_| "\"value\"".into());
                    self.edit(*dot..e.span.end, format!(", {quoted})"));
                } else {
                    self.ty_edits(ty);
                }
            }
            ExprKind::Paren(x) => self.expr(x, comma_ok),
            ExprKind::Call { fun, args, .. } => {
                if self.error_literal(e, fun, args) {
                    return;
                }
                self.expr(fun, false);
                if !self.shaped_args(fun, args) {
                    args.iter().for_each(|a| self.expr(a, false));
                }
            }
            ExprKind::Is(subject, target) => self.is_expr(e, subject, target),
            ExprKind::Index(x, idx) => {
                self.expr(x, false);
                idx.iter().for_each(|i| self.expr(i, false));
            }
            ExprKind::Slice(x, parts) => {
                self.expr(x, false);
                parts.iter().flatten().for_each(|p| self.expr(p, false));
            }
            ExprKind::Unary(_, x) => self.expr(x, false),
            ExprKind::Binary(_, l, r) => {
                self.expr(l, false);
                self.expr(r, false);
            }
            ExprKind::FuncLit(sig, body) => {
                let saved_expected = self.expected.take();
                let results = sig.results.iter().map(|p| self.c.lower(&p.ty)).collect();
                let saved_results = std::mem::replace(&mut self.results, results);
                let saved_forst = std::mem::replace(&mut self.forst_result, sig.result_ctor.is_some());
                let saved_known = std::mem::replace(&mut self.results_known, true);
                self.depth += 1;
                self.signature(sig);
                self.stmts(&body.stmts);
                self.depth -= 1;
                self.expected = saved_expected;
                self.results = saved_results;
                self.forst_result = saved_forst;
                self.results_known = saved_known;
            }
            ExprKind::Composite(ty, elems) => {
                if let Some(t) = ty {
                    self.ty_edits(t);
                }
                let keyed_fields = matches!(ty.as_ref().map(|t| &t.kind), Some(TypeKind::Struct(_)));
                self.elements(elems, keyed_fields, None);
            }
            ExprKind::CompositeOf(tyx, elems) => {
                if let ExprKind::Selector(p, _) = &tyx.kind {
                    if let Some(p) = p.ident() {
                        self.pkgs.insert(p.to_string());
                    }
                }
                let named = tyx.ident().filter(|n| self.c.type_names.contains(*n)).map(|n| Ty::Named(n.to_string()));
                let is_struct = named.as_ref().is_some_and(|t| matches!(self.c.underlying(t), Ty::Struct(_)));
                self.elements(elems, is_struct || !matches!(tyx.kind, ExprKind::Ident(_)), named.as_ref());
            }
            ExprKind::Shape(fields) => {
                self.edit(e.span.start..e.span.start, "map[string]interface{}");
                for (name, value) in fields {
                    self.edit(name.span.clone(), format!("{:?}", name.text));
                    self.expr(value, false);
                }
                self.trailing_comma(e, fields);
            }
            ExprKind::Type(t) => self.ty_edits(t),
            ExprKind::Int | ExprKind::Float | ExprKind::Imag | ExprKind::Rune | ExprKind::Str => {}
        }
    }

    /// Composite literal elements. Bare identifiers as keys are field names when `field_keys` (and are renamed for
    /// shape-declared structs), otherwise expressions.
    fn elements(&mut self, elems: &[ast::Element], field_keys: bool, of: Option<&Ty>) {
        for el in elems {
            if let Some(k) = &el.key {
                match (k.ident(), field_keys) {
                    (Some(name), true) => {
                        if let Some(go) = of.and_then(|t| self.c.shape_field(t, name)) {
                            self.edit(k.span.clone(), go);
                        }
                    }
                    _ => self.expr(k, false),
                }
            }
            self.expr(&el.value, false);
        }
    }

    /// `return {name: x}` in a function declared to return a struct or shape (or a shape passed where one is
    /// expected): a typed composite literal — `&T{…}` for a pointer — whose nested shapes are typed by their fields.
    pub(super) fn typed_shape(&mut self, whole: &ast::Expr, fields: &[(ast::Name, ast::Expr)], expected: &Ty) {
        let at = whole.span.start;
        let (amp, target) = match expected {
            Ty::Pointer(inner) => ("&", &**inner),
            t => ("", t),
        };
        let type_text = match target {
            Ty::Named(n) => n.clone(),
            Ty::Struct(_) => self.c.shape_name(target, self.file, whole.span.clone()),
            other => other.go(),
        };
        self.edit(at..at, format!("{amp}{type_text}"));
        self.shape_fields(whole, fields, target);
    }

    /// The fields of a shape literal of a known struct type: Go field names, nested shapes typed.
    pub(super) fn shape_fields(&mut self, whole: &ast::Expr, fields: &[(ast::Name, ast::Expr)], of: &Ty) {
        for (name, value) in fields {
            if let Some(go) = self.c.shape_field(of, &name.text) {
                self.edit(name.span.clone(), go);
            }
            let field_ty = self
                .c
                .shape_field(of, &name.text)
                .and_then(|go| self.c.field_of(of, &go, 0))
                .or_else(|| self.c.field_of(of, &name.text, 0));
            match (&value.kind, field_ty) {
                (ExprKind::Shape(inner), Some(t)) if self.c.shape_field_names(&t).is_some() => {
                    self.typed_shape(value, inner, &t)
                }
                _ => self.expr(value, false),
            }
        }
        self.trailing_comma(whole, fields);
    }

    /// A shape literal may end its last line without a comma (`age: 3\n}`); the Go composite literal it becomes may not.
    fn trailing_comma(&mut self, whole: &ast::Expr, fields: &[(ast::Name, ast::Expr)]) {
        let Some((_, last)) = fields.last() else { return };
        let close = whole.span.end.saturating_sub(1);
        let between = self.c.sources.get(self.file).and_then(|s| s.get(last.span.end..close)).unwrap_or("");
        let code = between.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<String>();
        if between.contains('\n') && !code.contains(',') {
            self.edit(last.span.end..last.span.end, ",");
        }
    }

    // -------------------------------------------------------------------------------------------- typing

    pub(super) fn type_of(&self, e: &ast::Expr) -> Ty {
        let c = self.c;
        match &e.kind {
            ExprKind::Ident(n) => {
                if let Some(t) = self.scope.get(n) {
                    return t.clone();
                }
                if let Some((fi, spec, i)) = c.globals.get(n) {
                    return match (&spec.ty, spec.values.get(*i)) {
                        (Some(t), _) => c.lower(t),
                        // `var a = b; var b = a` must not recurse forever.
                        (None, Some(v)) if c.resolving.borrow_mut().insert(n.clone()) => {
                            let t = Walker::new(c, *fi, false).type_of(v);
                            c.resolving.borrow_mut().remove(n);
                            t
                        }
                        _ => Ty::Unknown,
                    };
                }
                match n.as_str() {
                    "true" | "false" => Ty::basic("bool"),
                    "iota" => Ty::basic("int"),
                    _ if c.funcs.contains_key(n) => Ty::Func(c.results_of(n)),
                    _ => Ty::Unknown,
                }
            }
            ExprKind::Int => Ty::basic("int"),
            ExprKind::Float => Ty::basic("float64"),
            ExprKind::Imag => Ty::basic("complex128"),
            ExprKind::Rune => Ty::basic("rune"),
            ExprKind::Str => Ty::basic("string"),
            ExprKind::FuncLit(sig, _) => Ty::Func(sig.results.iter().map(|p| c.lower(&p.ty)).collect()),
            ExprKind::Composite(Some(t), elems) => {
                let lowered = c.lower(t);
                match &lowered {
                    Ty::Map(k, _)
                        if **k == Ty::basic("string")
                            && !elems.is_empty()
                            && elems
                                .iter()
                                .all(|el| el.key.as_ref().is_some_and(|k| matches!(k.kind, ExprKind::Str))) =>
                    {
                        let fields = elems
                            .iter()
                            .map(|el| {
                                (
                                    el.key.as_ref().map(|k| string_value(self.source_of(k))).unwrap_or_default(),
                                    self.type_of(&el.value),
                                )
                            })
                            .collect();
                        Ty::Object { go: Box::new(lowered), fields }
                    }
                    // `[...]T{a, b}` is a `[2]T`.
                    Ty::Array(n, elem) if n == "..." => Ty::Array(elems.len().to_string(), elem.clone()),
                    _ => lowered,
                }
            }
            ExprKind::Composite(None, _) => Ty::Unknown,
            ExprKind::CompositeOf(tyx, _) => self.type_from_expr(tyx),
            ExprKind::Shape(fields) => Ty::Object {
                go: Box::new(Ty::Map(Box::new(Ty::basic("string")), Box::new(Ty::Any))),
                fields: fields.iter().map(|(n, v)| (n.text.clone(), self.type_of(v))).collect(),
            },
            ExprKind::Paren(x) => self.type_of(x),
            ExprKind::Selector(x, sel) => {
                if let Some(p) = x.ident().filter(|p| self.is_package(p)) {
                    return match types::std_results(p, &sel.text) {
                        Some(r) => Ty::Func(r),
                        None if p == "math"
                            && sel.text.chars().next().is_some_and(|c| c.is_uppercase())
                            && !sel.text.starts_with("Max")
                            && !sel.text.starts_with("Min") =>
                        {
                            Ty::basic("float64")
                        }
                        None => Ty::Unknown,
                    };
                }
                let xt = self.type_of(x);
                c.field_of(&xt, &sel.text, 0)
                    .or_else(|| c.shape_field(&xt, &sel.text).and_then(|go| c.field_of(&xt, &go, 0)))
                    .unwrap_or(Ty::Unknown)
            }
            ExprKind::Assert { ty, .. } => c.lower(ty),
            ExprKind::Call { fun, args, .. } => self.call_type(fun, args),
            ExprKind::Index(x, _) => match c.underlying(&self.type_of(x)) {
                Ty::Slice(t) | Ty::Array(_, t) => *t,
                Ty::Map(_, v) => *v,
                Ty::Object { .. } => Ty::Any,
                Ty::Pointer(p) => match c.underlying(&p) {
                    Ty::Array(_, t) => *t,
                    _ => Ty::Unknown,
                },
                Ty::Basic(n) if n == "string" => Ty::basic("byte"),
                _ => Ty::Unknown,
            },
            ExprKind::Slice(x, _) => match self.type_of(x) {
                Ty::Array(_, t) => Ty::Slice(t),
                t => t,
            },
            ExprKind::Unary(op, x) => {
                let t = self.type_of(x);
                match *op {
                    "&" => Ty::Pointer(Box::new(t)),
                    "*" => match t {
                        Ty::Pointer(inner) => *inner,
                        _ => Ty::Unknown,
                    },
                    "<-" => match c.underlying(&t) {
                        Ty::Chan(inner) => *inner,
                        _ => Ty::Unknown,
                    },
                    "!" => Ty::basic("bool"),
                    _ => t,
                }
            }
            ExprKind::Binary(op, l, r) => match op.as_str() {
                "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||" => Ty::basic("bool"),
                "<<" | ">>" => self.type_of(l),
                _ => {
                    let (lt, rt) = (self.type_of(l), self.type_of(r));
                    match (is_untyped(l), is_untyped(r)) {
                        (true, false) if rt != Ty::Unknown => rt,
                        (true, true) if rt == Ty::basic("float64") => rt,
                        _ => lt,
                    }
                }
            },
            ExprKind::Type(t) => c.lower(t),
            ExprKind::Is(..) => Ty::basic("bool"),
        }
    }

    fn call_type(&self, fun: &ast::Expr, args: &[ast::Expr]) -> Ty {
        let c = self.c;
        let results = |rs: Vec<Ty>| match rs.len() {
            0 => Ty::Unknown,
            1 => rs.into_iter().next().unwrap_or(Ty::Unknown),
            _ => Ty::Tuple(rs),
        };
        if let ExprKind::Ident(n) = &fun.kind {
            if !self.scope.contains_key(n) {
                match n.as_str() {
                    "len" | "cap" | "copy" => return Ty::basic("int"),
                    "make" => return args.first().map(|a| self.type_from_expr(a)).unwrap_or(Ty::Unknown),
                    "new" => {
                        return Ty::Pointer(Box::new(
                            args.first().map(|a| self.type_from_expr(a)).unwrap_or(Ty::Unknown),
                        ))
                    }
                    "append" | "min" | "max" => return args.first().map(|a| self.type_of(a)).unwrap_or(Ty::Unknown),
                    "real" | "imag" => return Ty::basic("float64"),
                    "recover" => return Ty::Any,
                    _ => {}
                }
                if c.type_names.contains(n) {
                    return Ty::Named(n.clone());
                }
                if c.funcs.contains_key(n) {
                    return results(c.results_of(n));
                }
                if let Some(go) = types::sugar(n).filter(|_| !c.globals.contains_key(n)) {
                    return Ty::basic(go);
                }
                if is_basic_type_name(n) {
                    return Ty::Basic(n.clone());
                }
            }
        }
        match self.type_of(fun) {
            Ty::Func(rs) => results(rs),
            Ty::Unknown => match &fun.kind {
                ExprKind::Type(t) => c.lower(t),
                ExprKind::Paren(inner) => self.type_from_expr(inner),
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }

    /// A type written where an expression may stand: `make(T)`, `T{...}`.
    pub(super) fn type_from_expr(&self, e: &ast::Expr) -> Ty {
        match &e.kind {
            ExprKind::Type(t) => self.c.lower(t),
            ExprKind::Ident(n) if self.c.type_names.contains(n) => Ty::Named(n.clone()),
            ExprKind::Ident(n) => types::sugar(n).map(Ty::basic).unwrap_or_else(|| {
                if is_basic_type_name(n) {
                    Ty::Basic(n.clone())
                } else {
                    Ty::Unknown
                }
            }),
            ExprKind::Selector(p, n) => match p.ident() {
                Some(p) => Ty::Ext(p.to_string(), n.text.clone()),
                None => Ty::Unknown,
            },
            ExprKind::Unary("*", inner) => Ty::Pointer(Box::new(self.type_from_expr(inner))),
            ExprKind::Paren(inner) => self.type_from_expr(inner),
            _ => Ty::Unknown,
        }
    }

    /// Whether `name` is a local variable or parameter here.
    pub(super) fn in_scope(&self, name: &str) -> bool {
        self.scope.contains_key(name)
    }

    /// `routes/x.ft:12`: where an offset of the walked file is, as the runtime reports positions.
    pub(super) fn position(&self, offset: usize) -> String {
        let path = self.c.files.get(self.file).map(|f| f.path.as_str()).unwrap_or("");
        let (line, _) = crate::compiler::emit_go::line_col(self.source_text(), offset);
        format!("{path}:{line}")
    }

    /// The text of the walked file.
    pub(super) fn source_text(&self) -> &'a str {
        self.c.sources.get(self.file).copied().unwrap_or("")
    }

    pub(super) fn source_of(&self, e: &ast::Expr) -> &str {
        self.c.sources.get(self.file).and_then(|s| s.get(e.span.clone())).unwrap_or("")
    }
}

/// The block's last statement is a `return` (or a panic): nothing falls off its end.
fn ends_in_return(b: &ast::Block) -> bool {
    match b.stmts.last().map(|s| &s.kind) {
        Some(StmtKind::Return(_)) => true,
        Some(StmtKind::Expr(e)) => matches!(&e.kind, ExprKind::Call { fun, .. } if fun.ident() == Some("panic")),
        _ => false,
    }
}

fn is_untyped(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Int | ExprKind::Float | ExprKind::Rune => true,
        ExprKind::Paren(x) => is_untyped(x),
        ExprKind::Unary(_, x) => is_untyped(x),
        _ => false,
    }
}

fn is_basic_type_name(n: &str) -> bool {
    types::is_number(n) || matches!(n, "string" | "bool" | "error" | "complex64" | "complex128")
}

fn string_value(lit: &str) -> String {
    crate::compiler::parse::unquote(lit)
}
