//! `go` statements: every goroutine a Forst program starts recovers its own panic.
//!
//! In Go a panic in a goroutine ends the whole process, whatever the goroutine that started it does: one bad record in
//! the RFC's `processData` (a goroutine per record) would fail every call in flight. The sidecar can only contain
//! that if each goroutine defers a recover first, so the compiler adds it. The runtime (runtime/go/calls.go) then
//! fails the call that started the goroutine with `500 panic` and keeps serving. The goroutine gets a handle made by
//! `forst.GoStart(pos)` in the starting goroutine (which is how the runtime finds the call) and defers `done()` on it.
//!
//! Go's semantics are kept: a `go` statement evaluates the function value and the arguments in the calling goroutine.
//! - `go func(…) {…}(args)`: the literal takes the handle as an extra first parameter, its first statement is
//!   `defer forstG.Done()`, and `forst.GoStart(pos)` is passed before `args`.
//! - `go f(args)` for a non-generic function of the project whose parameter types are plain (named project types,
//!   predeclared and sugar types, slices, maps and pointers of those): `f` becomes such a typed function literal that
//!   calls `f`, so `args` are still evaluated where they were.
//! - any other call (methods, package functions, function values, explicit instantiations):
//!   `forst.Guard(pos, f)(args)`, a reflective wrapper of the same type (see runtime/go/calls.go).
//! - calls of builtins (`go close(ch)`, `go println(x)`) and of generic functions whose type arguments Go infers
//!   (`go process(items)` with `func process[T any]…`) cannot be wrapped without moving their argument evaluation
//!   into the new goroutine (a builtin is not a value; an uninstantiated generic function is not either), and are
//!   left as written: a panic there still ends the process. `go process[Item](items)` is wrapped.
//!
//! gofmt puts an inserted `defer` (or a wrapper's body) on lines of its own, which would shift the `//line` mapping of
//! everything below by a line or more; so a `//line` directive is inserted at the start of the next line, which
//! makes panics in the goroutine's body and everything after it point at the right `.ft` line again.

use super::walk::Walker;
use crate::compiler::ast::{self, ExprKind, TypeKind};

/// Builtins: a `go` statement calling one is left alone (see the module comment).
const BUILTINS: &[&str] = &[
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new",
    "panic", "print", "println", "real", "recover",
];

impl Walker<'_, '_> {
    /// Records the edits that make the goroutine started by `go call` recover its panics. `at` is the statement's
    /// start, for the position the runtime reports.
    pub(super) fn guard_goroutine(&mut self, call: &ast::Expr, at: usize) {
        let ExprKind::Call { fun, args, .. } = &call.kind else { return };
        let pos = serde_json::to_string(&self.position(at)).unwrap_or_else(|_| "\"\"".into());
        let handle = format!("forst.GoStart({pos}){}", if args.is_empty() { "" } else { ", " });
        match &strip_parens(fun).kind {
            ExprKind::FuncLit(sig, body) => {
                let text = self.source_text();
                // `func(` … the literal's own parameter list opens at the first `(` after `func`.
                let Some(params_open) = find_from(text, fun.span.start, '(') else { return };
                let Some(args_open) = find_from(text, fun.span.end, '(') else { return };
                let first = if sig.params.is_empty() { "forstG *forst.Goroutine" } else { "forstG *forst.Goroutine, " };
                self.edit(params_open + 1..params_open + 1, first);
                let open = body.span.start + 1;
                self.edit(open..open, " defer forstG.Done();");
                self.edit(args_open + 1..args_open + 1, handle);
                self.resync_line_after(open);
            }
            ExprKind::Ident(name) if self.is_builtin_call(name) || self.is_generic_func(name) => {}
            ExprKind::Ident(name) => match self.typed_wrapper(name) {
                Some(wrapper) => {
                    let Some(args_open) = find_from(self.source_text(), fun.span.end, '(') else { return };
                    self.edit(fun.span.clone(), wrapper);
                    self.edit(args_open + 1..args_open + 1, handle);
                    self.resync_line_after(fun.span.end);
                }
                None => self.guard(fun, &pos),
            },
            _ => self.guard(fun, &pos),
        }
    }

    /// A `//line` directive at the start of the line after `offset`, naming that line: whatever gofmt does to the
    /// lines before it, the mapping is exact again from there.
    pub(super) fn resync_line_after(&mut self, offset: usize) {
        let text = self.source_text();
        let Some(newline) = text.get(offset..).and_then(|rest| rest.find('\n')).map(|i| offset + i) else { return };
        let next = newline + 1;
        let directive = format!("//line {}:1\n", self.position(next));
        self.edit(next..next, directive);
    }

    fn guard(&mut self, fun: &ast::Expr, pos: &str) {
        self.edit(fun.span.start..fun.span.start, format!("forst.Guard({pos}, "));
        self.edit(fun.span.end..fun.span.end, ")");
    }

    fn is_generic_func(&self, name: &str) -> bool {
        !self.in_scope(name) && self.c.funcs.get(name).is_some_and(|(_, f)| !f.type_params.is_empty())
    }

    fn is_builtin_call(&self, name: &str) -> bool {
        BUILTINS.contains(&name) && !self.in_scope(name) && !self.c.funcs.contains_key(name)
    }

    /// `func(forstG *forst.Goroutine, forstArg0 T0, forstArg1 ...T1) { defer forstG.Done(); f(forstArg0,
    /// forstArg1...) }` for a project function `f` whose parameter types can be written here exactly; `None`
    /// otherwise.
    fn typed_wrapper(&self, name: &str) -> Option<String> {
        if self.in_scope(name) {
            return None; // a local variable holding a function
        }
        let (_, f) = self.c.funcs.get(name)?;
        if !f.type_params.is_empty() || f.receiver.is_some() || !f.sig.params.iter().all(|p| self.plain(&p.ty)) {
            return None;
        }
        let mut params = vec!["forstG *forst.Goroutine".to_string()];
        let mut pass = Vec::new();
        for (i, p) in f.sig.params.iter().enumerate() {
            let ty = self.c.lower(&p.ty).go();
            if p.variadic {
                params.push(format!("forstArg{i} ...{ty}"));
                pass.push(format!("forstArg{i}..."));
            } else {
                params.push(format!("forstArg{i} {ty}"));
                pass.push(format!("forstArg{i}"));
            }
        }
        Some(format!("func({}) {{ defer forstG.Done(); {name}({}) }}", params.join(", "), pass.join(", ")))
    }

    /// A type whose Go spelling the checker's resolved type gives exactly, in any file of the package.
    fn plain(&self, t: &ast::Type) -> bool {
        match &t.kind {
            TypeKind::Named { pkg: None, args, .. } => args.is_empty(),
            TypeKind::Pointer(x) | TypeKind::Slice(x) => self.plain(x),
            TypeKind::Map(k, v) => self.plain(k) && self.plain(v),
            TypeKind::Interface { empty } => *empty,
            _ => false,
        }
    }
}

/// The offset of the first `c` at or after `from` (the tokens between are spaces and comments here).
fn find_from(text: &str, from: usize, c: char) -> Option<usize> {
    text.get(from..)?.find(c).map(|i| from + i)
}

fn strip_parens(e: &ast::Expr) -> &ast::Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip_parens(inner),
        _ => e,
    }
}
