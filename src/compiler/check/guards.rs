//! Type guards and nominal errors.
//!
//! A guard `is (u User) Valid() { ensure u.age is Min(0) … }` becomes the Go function `forstGuardUserValid(u User)
//! error` (nil when the value passes, the first failure otherwise); `ensure u is Valid()`, `if u is Valid()` and the
//! constraint type `User.Valid()` call it. A *shape guard* — its body only `ensure m is { field }` with `field` one of
//! its parameters — is a function on types: `MutationArg.Context(AppContext)` is the shape with a field `ctx:
//! AppContext` added. It has no Go function.
//!
//! A nominal error `error OutOfStock { sku: String }` is a shape struct with an `Error()` method and a
//! `ForstNominalError()` method that gives the runtime its name and HTTP status (422, or `//forst:status N` above
//! it); a union of them `type StockError = OutOfStock | Discontinued` is a Go interface only they implement.

use std::collections::HashMap;

use super::Checker;
use crate::compiler::ast::{self, DeclKind, ExprKind, IsTarget, StmtKind, TypeKind};
use crate::compiler::diagnostic::Diagnostic;
use crate::compiler::types::{self, Ty};

/// The HTTP status of a nominal error without a `//forst:status` directive: the request was understood, the domain
/// refused it.
pub const DEFAULT_ERROR_STATUS: u16 = 422;

pub(crate) struct GuardInfo<'a> {
    pub file: usize,
    pub guard: &'a ast::Guard,
    /// The Go function that checks it: `forstGuardUserValid`.
    pub func: String,
    pub params: &'a [ast::Param],
    /// A shape guard: the fields it adds, each with the index of the parameter that gives its type.
    pub adds: Option<Vec<(String, usize)>>,
}

/// `User.Valid`: the subject type's name and the guard's.
pub(super) fn key(subject: &ast::Type, name: &str) -> String {
    format!("{}.{name}", subject_name(subject))
}

fn subject_name(t: &ast::Type) -> String {
    match &t.kind {
        TypeKind::Named { name, .. } => name.clone(),
        TypeKind::Pointer(x) => subject_name(x),
        _ => String::new(),
    }
}

/// Every guard of the project, by [`key`].
pub(super) fn collect(files: &[ast::File]) -> HashMap<String, GuardInfo<'_>> {
    let mut out = HashMap::new();
    for (fi, file) in files.iter().enumerate() {
        for decl in &file.decls {
            let DeclKind::Guard(g) = &decl.kind else { continue };
            let k = key(&g.subject.ty, &g.name.text);
            let func = format!("forstGuard{}{}", types::capitalize(&subject_name(&g.subject.ty)), g.name.text);
            out.entry(k).or_insert(GuardInfo { file: fi, guard: g, func, params: &g.params, adds: shape_adds(g) });
        }
    }
    out
}

/// The fields a shape guard adds: its body is only `ensure <subject> is { p, … }` with each `p` a parameter.
fn shape_adds(g: &ast::Guard) -> Option<Vec<(String, usize)>> {
    let subject = g.subject.name.as_ref()?.text.as_str();
    let mut adds = Vec::new();
    if g.body.stmts.is_empty() {
        return None;
    }
    for s in &g.body.stmts {
        let StmtKind::Ensure { cond, or: None, block: None } = &s.kind else { return None };
        let ExprKind::Is(x, IsTarget::Pattern(fields)) = &cond.kind else { return None };
        if x.ident() != Some(subject) {
            return None;
        }
        for (name, value) in fields {
            if value.is_some() {
                return None;
            }
            let index = g.params.iter().position(|p| p.name.as_ref().is_some_and(|n| n.text == name.text))?;
            adds.push((name.text.clone(), index));
        }
    }
    Some(adds)
}

impl<'a> Checker<'a> {
    /// The guard `name` of a subject of type `t`: declared for its type, or for the type it refines
    /// (`type AppMutation = MutationArg.Context(…)` has `MutationArg`'s guards).
    pub(crate) fn guard_for(&self, t: &Ty, name: &str) -> Option<&GuardInfo<'a>> {
        let mut current = match t.pointee() {
            Ty::Named(n) => n.clone(),
            _ => return None,
        };
        for _ in 0..8 {
            if let Some(g) = self.guards.get(&format!("{current}.{name}")) {
                return Some(g);
            }
            let spec = self.spec_of(&current)?;
            current = match &spec.ty.kind {
                TypeKind::Named { pkg: None, name, .. } => name.clone(),
                TypeKind::Constrained(base, _) => subject_name(base),
                _ => return None,
            };
        }
        None
    }

    /// The shape guard a link of a constraint type applies, if it is one.
    pub(super) fn shape_guard(&self, base: &ast::Type, link: &ast::Link) -> Option<&GuardInfo<'a>> {
        self.guard_for(&self.lower(base), &link.name.text).filter(|g| g.adds.is_some())
    }

    /// `Base.C(…).D(…)`: the base type, or — when shape guards apply — the shape with their fields added.
    pub(super) fn lower_constrained(&self, base: &ast::Type, links: &[ast::Link]) -> Ty {
        let applied: Vec<(&ast::Link, &GuardInfo<'a>)> =
            links.iter().filter_map(|l| self.shape_guard(base, l).map(|g| (l, g))).collect();
        if applied.is_empty() {
            return self.lower(base);
        }
        let mut fields = match self.underlying(&self.lower(base)) {
            Ty::Struct(fields) => fields,
            _ => Vec::new(),
        };
        for (link, guard) in applied {
            for (field, index) in guard.adds.iter().flatten() {
                let Some(ty) = link.args.get(*index).and_then(expr_as_type) else { continue };
                // The named form: `Input({input: {…}})` gives the field `input` the type `{…}`.
                let ty = match &ty.kind {
                    TypeKind::Shape(inner)
                        if guard.params.len() == 1
                            && inner.len() == 1
                            && inner[0].name.as_ref().is_some_and(|n| &n.text == field) =>
                    {
                        inner[0].ty.clone()
                    }
                    _ => ty,
                };
                let name = ast::Name { text: field.clone(), span: link.span.clone() };
                let added = self.shape_field_ty(&ast::Field { name: Some(name), ty, tag: None, optional: false });
                fields.retain(|f| f.name != added.name);
                fields.push(added);
            }
        }
        Ty::Struct(fields)
    }

    /// The status a nominal error answers with: `//forst:status N` (400–599), or 422.
    pub(super) fn error_status(&self, decl: &ast::Decl, path: &str) -> u16 {
        for d in &decl.directives {
            let Some(value) = d.strip_prefix("status") else { continue };
            match value.trim().parse::<u16>() {
                Ok(n) if (400..=599).contains(&n) => return n,
                _ => self.report(
                    Diagnostic::error(
                        "F0504",
                        format!("`//forst:status{value}` is not an HTTP error status"),
                        path,
                        decl.span.start..decl.span.start,
                    )
                    .with_label("on this error")
                    .with_help("write `//forst:status 404` (a number from 400 to 599) above the error"),
                ),
            }
        }
        DEFAULT_ERROR_STATUS
    }

    /// Is `t` a nominal error, a union of them, or `error`?
    pub(crate) fn is_error_type(&self, t: &Ty) -> bool {
        match t {
            Ty::Basic(n) => n == "error",
            Ty::Named(n) => self.nominal_errors_of(t).is_some() || self.types.get(n).is_some_and(|d| d.ty.is_error()),
            _ => false,
        }
    }

    /// The nominal errors a type stands for: itself, or a union's members; `None` for anything else.
    pub(crate) fn nominal_errors_of(&self, t: &Ty) -> Option<Vec<String>> {
        let Ty::Named(n) = t else { return None };
        let def = self.types.get(n)?;
        if def.error_status.is_some() {
            return Some(vec![n.clone()]);
        }
        let Ty::Union(members) = &def.ty else { return None };
        let mut out = Vec::new();
        for m in members {
            out.extend(self.nominal_errors_of(m)?);
        }
        Some(out)
    }
}

/// A type written where an expression was parsed (the arguments of a guard applied to a type: `Input({input:
/// {name: String}})`).
pub(super) fn expr_as_type(e: &ast::Expr) -> Option<ast::Type> {
    let kind = match &e.kind {
        ExprKind::Type(t) => return Some(t.clone()),
        ExprKind::Ident(n) => TypeKind::Named { pkg: None, name: n.clone(), args: vec![] },
        ExprKind::Selector(p, n) => {
            TypeKind::Named { pkg: Some(p.ident()?.to_string()), name: n.text.clone(), args: vec![] }
        }
        ExprKind::Unary("*", inner) => TypeKind::Pointer(Box::new(expr_as_type(inner)?)),
        ExprKind::Paren(inner) => return expr_as_type(inner),
        ExprKind::Shape(fields) => TypeKind::Shape(
            fields
                .iter()
                .map(|(name, value)| {
                    Some(ast::Field { name: Some(name.clone()), ty: expr_as_type(value)?, tag: None, optional: false })
                })
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    };
    Some(ast::Type { kind, span: e.span.clone() })
}

// ------------------------------------------------------------------------------------------------ Go declarations

impl Checker<'_> {
    /// `type User = {…}` declares a struct type of its own in Go (a strict shape, with methods allowed), not an alias
    /// of an anonymous struct: the `=` goes.
    pub(super) fn drop_alias_eq(&self, w: &mut super::walk::Walker<'_, '_>, fi: usize, spec: &ast::TypeSpec) {
        let text = self.sources.get(fi).copied().unwrap_or("");
        let between = text.get(spec.name.span.end..spec.ty.span.start).unwrap_or("");
        if let Some(at) = between.find('=') {
            let at = spec.name.span.end + at;
            w.edit(at..at + 1, "");
        }
    }

    /// `type E = A | B`: for nominal errors, a Go interface only they implement (its marker methods are returned,
    /// to follow the declaration); any other union is `interface{}`.
    pub(super) fn union_decl(
        &self,
        w: &mut super::walk::Walker<'_, '_>,
        fi: usize,
        spec: &ast::TypeSpec,
        members: &[ast::Type],
    ) -> String {
        members.iter().for_each(|m| w.ty_uses(m));
        let path = &self.files[fi].path;
        let name = &spec.name.text;
        let tys: Vec<Ty> = members.iter().map(|m| self.lower(m)).collect();
        let errors: Vec<Option<Vec<String>>> = tys.iter().map(|t| self.nominal_errors_of(t)).collect();
        if errors.iter().all(Option::is_none) {
            w.edit(spec.ty.span.clone(), "interface{}");
            return String::new();
        }
        if let Some(bad) = members.iter().zip(&errors).find(|(_, e)| e.is_none()).map(|(m, _)| m) {
            self.report(
                Diagnostic::error(
                    "F0508",
                    format!("`{name}` mixes nominal errors with other types"),
                    path,
                    bad.span.clone(),
                )
                .with_label("not an `error` declaration")
                .with_help("a union of errors lists only types declared with `error Name { … }` (or unions of them)"),
            );
            return String::new();
        }
        let marker = format!("forstIs{name}");
        self.drop_alias_eq(w, fi, spec);
        w.edit(spec.ty.span.clone(), format!("interface {{\n\terror\n\t{marker}()\n}}"));
        let mut seen = Vec::new();
        let mut out = String::new();
        for member in errors.into_iter().flatten().flatten() {
            if !seen.contains(&member) {
                out.push_str(&format!("\n\nfunc ({member}) {marker}() {{}}"));
                seen.push(member);
            }
        }
        out
    }

    /// A guard: the Go function `func forstGuardTName(subject T, params…) error`; a shape guard has none (it
    /// exists for types only).
    pub(super) fn guard_decl(&self, w: &mut super::walk::Walker<'_, '_>, fi: usize, decl: &ast::Decl, g: &ast::Guard) {
        let info = self.guards.get(&key(&g.subject.ty, &g.name.text));
        let Some(info) = info.filter(|i| i.guard.name.span == g.name.span) else {
            w.edit(decl.span.clone(), "");
            return;
        };
        if info.adds.is_some() {
            w.edit(
                decl.span.clone(),
                format!("// The shape guard {} adds fields to shape types: nothing runs.", g.name.text),
            );
            return;
        }
        let text = self.sources.get(fi).copied().unwrap_or("");
        let subject = g.subject.name.as_ref().map(|n| n.text.as_str()).unwrap_or("_");
        w.edit(g.keyword.start..g.subject.ty.span.start, format!("func {}({subject} ", info.func));
        let region = text.get(g.name.span.end..g.body.span.start).unwrap_or("");
        let params_open = region.find('(').map(|i| g.name.span.end + i);
        let params_close = region.rfind(')').map(|i| g.name.span.end + i);
        match (params_open, params_close) {
            (Some(open), Some(close)) if !g.params.is_empty() => {
                w.edit(g.subject.ty.span.end..open + 1, ", ");
                w.edit(close..close + 1, ") error");
            }
            _ => w.edit(g.subject.ty.span.end..g.body.span.start, ") error "),
        }
        w.guard_body(g);
    }
}

/// The methods of a nominal error: `Error()` (its `message` field, or its name and fields) and
/// `ForstNominalError()`, which tells the runtime its name and HTTP status.
pub(super) fn nominal_error_methods(name: &str, def: Option<&super::TypeDef>) -> String {
    let status = def.and_then(|d| d.error_status).unwrap_or(DEFAULT_ERROR_STATUS);
    format!(
        "\n\nfunc (e {name}) Error() string {{ return forst.ErrorText({name:?}, e) }}\n\nfunc ({name}) ForstNominalError() (string, int) {{ return {name:?}, {status} }}"
    )
}
