//! Checking: one flat namespace across the project, imports like goimports, endpoint rules, result inference, and
//! the span edits that turn Forst into Go (sugar types, result annotations, inferred results, JSON-aware type
//! assertions, shape literals). Type knowledge is deliberately partial: where it cannot tell, it says "unknown" and
//! leaves the verdict to `go build`, whose errors point back at `.ft` lines through `//line` directives.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use super::ast::{self, DeclKind, TypeKind};
use super::diagnostic::Diagnostic;
use super::types::{self, Constraint, Ty, TyField};
use super::SourceFile;

mod constraints;
mod ensure;
mod goroutines;
mod guards;
pub use guards::DEFAULT_ERROR_STATUS;
mod walk;
use walk::Walker;

/// A text edit on a `.ft` file: replace `span` by `text` (an insertion when the span is empty).
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: ast::Span,
    pub text: String,
}

/// What the Go emitter needs per file.
#[derive(Clone, Debug, Default)]
pub struct FileOut {
    /// `(alias, path)`, sorted by path.
    pub imports: Vec<(Option<String>, String)>,
    pub edits: Vec<Edit>,
    /// The file has a `go` statement.
    pub starts_goroutines: bool,
}

#[derive(Clone, Debug)]
pub struct EndpointInfo {
    pub name: String,
    pub route: String,
    pub params: Vec<(String, Ty)>,
    pub variadic: bool,
    pub takes_context: bool,
    /// The value result (Go side).
    pub result: Option<Ty>,
    /// The result as TypeScript sees it: an `Object` when the function returns map literals with constant keys.
    pub ts_result: Option<Ty>,
    pub returns_error: bool,
    pub doc: Option<String>,
    pub file: String,
    pub span: ast::Span,
    /// Where each parameter's type and the result type are written (the name when a result is inferred).
    pub param_spans: Vec<ast::Span>,
    pub result_span: ast::Span,
    /// The function returns a stream (`iter.Seq[T]` or a channel of `T`): `result` is then the item type `T`.
    pub stream: Option<Stream>,
    /// The constraints of each parameter's type as written (`name String.Min(3)`).
    pub param_checks: Vec<Vec<Constraint>>,
    /// The nominal errors the function can return, by name: those its `Result(T, E)` names (`E` an error or a union
    /// of errors) and those its body returns or fails with (`ensure … or OutOfStock(…)`).
    pub errors: Vec<String>,
    /// The body has an `ensure` without `or` (directly): a call can fail with `ensure_failed`.
    pub ensures: bool,
}

/// How a streaming endpoint produces its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// `iter.Seq[T]`: the server ranges over it, and stops it when the client goes away.
    Seq,
    /// `<-chan T` or `chan T`: the server receives until the channel is closed or the client goes away.
    Chan,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Seq => "seq",
            Stream::Chan => "chan",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub ty: Ty,
    pub doc: Option<String>,
    pub file: usize,
    pub span: ast::Span,
    /// Spans of the struct fields by Go name (for warnings).
    pub field_spans: HashMap<String, ast::Span>,
    /// A constraint type's constraints (`type Username = String.Min(3).Max(30)`).
    pub checks: Vec<Constraint>,
    /// A nominal error (`error OutOfStock {...}`): the HTTP status a call that returns it answers with.
    pub error_status: Option<u16>,
}

/// The checked project.
#[derive(Debug, Default)]
pub struct Program {
    pub out: Vec<FileOut>,
    pub endpoints: Vec<EndpointInfo>,
    pub types: HashMap<String, TypeDef>,
    /// Named shape structs: `(forstShapeN, struct {...})`.
    pub shapes: Vec<(String, String)>,
    /// Where each shape was first written: `(file index, span)`, in the order of `shapes`.
    pub shape_sites: Vec<(usize, ast::Span)>,
}

/// Package names the generated server and prelude import: a project-level declaration of that name would collide.
const RESERVED_NAMES: &[&str] = &[
    "main", "bytes", "context", "subtle", "json", "errors", "fmt", "io", "net", "http", "os", "signal", "reflect",
    "runtime", "debug", "strconv", "strings", "sync", "atomic", "syscall", "time",
];

const STDLIB: &str = include_str!("stdlib.txt");

/// Checks parsed files; `sources` are their texts, in the same order.
pub fn check<'a>(files: &'a [ast::File], sources: &'a [SourceFile]) -> (Program, Vec<Diagnostic>) {
    let mut c = Checker::new(files, sources.iter().map(|s| s.text.as_str()).collect());
    c.declare();
    let mut program = Program::default();
    for (i, _) in files.iter().enumerate() {
        program.out.push(c.check_file(i));
    }
    program.endpoints = c.endpoints();
    c.warn_unserializable_fields(&program.endpoints);
    c.warn_large_integers(&program.endpoints);
    program.types = c.types.clone();
    program.shapes = c.shapes.take();
    program.shape_sites = c.shape_sites.take();
    let diagnostics = c.diagnostics.into_inner();
    (program, diagnostics)
}

/// See [`Checker::summary`].
#[derive(Clone, Debug, Default)]
struct Summary {
    results: Vec<Ty>,
    /// Results inferred (no declared result), when inference could tell.
    inferred: Option<Vec<Ty>>,
    fails: bool,
    errors: BTreeSet<String>,
    plain_ensures: bool,
}

struct Checker<'a> {
    files: &'a [ast::File],
    types: HashMap<String, TypeDef>,
    funcs: HashMap<String, (usize, &'a ast::Func)>,
    methods: HashMap<(String, String), &'a ast::Func>,
    globals: HashMap<String, (usize, &'a ast::ValueSpec, usize)>,
    type_names: HashSet<String>,
    /// Type guards by `Subject.Name`.
    guards: HashMap<String, guards::GuardInfo<'a>>,
    inferred: RefCell<HashMap<String, Option<Vec<Ty>>>>,
    summaries: RefCell<HashMap<String, Summary>>,
    resolving: RefCell<HashSet<String>>,
    shapes: RefCell<Vec<(String, String)>>,
    shape_sites: RefCell<Vec<(usize, ast::Span)>>,
    sources: Vec<&'a str>,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl<'a> Checker<'a> {
    fn new(files: &'a [ast::File], sources: Vec<&'a str>) -> Self {
        let type_names = files
            .iter()
            .flat_map(|f| &f.decls)
            .filter_map(|d| match &d.kind {
                DeclKind::Types(specs) => Some(specs.iter().map(|s| s.name.text.clone())),
                _ => None,
            })
            .flatten()
            .collect();
        let guards = guards::collect(files);
        Checker {
            files,
            types: HashMap::new(),
            funcs: HashMap::new(),
            methods: HashMap::new(),
            globals: HashMap::new(),
            type_names,
            guards,
            inferred: RefCell::new(HashMap::new()),
            summaries: RefCell::new(HashMap::new()),
            resolving: RefCell::new(HashSet::new()),
            shapes: RefCell::new(Vec::new()),
            shape_sites: RefCell::new(Vec::new()),
            sources,
            diagnostics: RefCell::new(Vec::new()),
        }
    }

    fn report(&self, d: Diagnostic) {
        self.diagnostics.borrow_mut().push(d);
    }

    /// Registers every top-level name; duplicates and reserved names are errors.
    fn declare(&mut self) {
        let mut seen: HashMap<String, (String, ast::Span)> = HashMap::new();
        let files = self.files;
        for (fi, file) in files.iter().enumerate() {
            for decl in &file.decls {
                let mut names: Vec<&ast::Name> = Vec::new();
                match &decl.kind {
                    DeclKind::Func(f) => {
                        if let Some(recv) = &f.receiver {
                            if let Some(base) = base_type_name(&recv.ty) {
                                self.methods.insert((base, f.name.text.clone()), f);
                            }
                            continue;
                        }
                        if f.name.text != "init" {
                            names.push(&f.name);
                        }
                        self.funcs.insert(f.name.text.clone(), (fi, f));
                    }
                    DeclKind::Types(specs) => {
                        for s in specs {
                            names.push(&s.name);
                            let mut field_spans = HashMap::new();
                            if let TypeKind::Struct(fields) | TypeKind::Shape(fields) = &s.ty.kind {
                                for f in fields {
                                    if let Some(n) = &f.name {
                                        let go = if matches!(s.ty.kind, TypeKind::Shape(_)) {
                                            types::capitalize(&n.text)
                                        } else {
                                            n.text.clone()
                                        };
                                        field_spans.insert(go, n.span.clone());
                                    }
                                }
                            }
                            let error_status = s.error_keyword.as_ref().map(|_| self.error_status(decl, &file.path));
                            let def = TypeDef {
                                ty: self.lower(&s.ty),
                                doc: decl.doc.clone(),
                                file: fi,
                                span: s.name.span.clone(),
                                field_spans,
                                checks: self.constraints_of(&s.ty),
                                error_status,
                            };
                            self.types.insert(s.name.text.clone(), def);
                        }
                    }
                    DeclKind::Vars(specs) | DeclKind::Consts(specs) => {
                        for s in specs {
                            for (ni, n) in s.names.iter().enumerate() {
                                names.push(n);
                                self.globals.insert(n.text.clone(), (fi, s, ni));
                            }
                        }
                    }
                    // Guards were collected with the type names (types may apply them); duplicates are F0101.
                    DeclKind::Guard(g) => {
                        let key = guards::key(&g.subject.ty, &g.name.text);
                        let first = self.guards.get(&key).map(|info| (info.file, info.guard.name.span.clone()));
                        if let Some((first_file, first_span)) = first.filter(|(_, sp)| *sp != g.name.span) {
                            self.report(
                                Diagnostic::error(
                                    "F0101",
                                    format!("the guard `{key}` is declared twice in the project"),
                                    &file.path,
                                    g.name.span.clone(),
                                )
                                .with_label("declared again here")
                                .with_note(&files[first_file].path, first_span, "first declared here")
                                .with_help("rename one of them"),
                            );
                        }
                    }
                }
                for n in names {
                    if n.text == "_" {
                        continue;
                    }
                    if RESERVED_NAMES.contains(&n.text.as_str()) || n.text.starts_with("forst") {
                        let why = if n.text == "main" {
                            "the sidecar's generated server defines `main`".to_string()
                        } else if n.text.starts_with("forst") {
                            "names starting with `forst` belong to the generated server".to_string()
                        } else {
                            format!("the generated server imports package `{}`", n.text)
                        };
                        self.report(
                            Diagnostic::error(
                                "F0102",
                                format!("`{}` is a reserved name", n.text),
                                &file.path,
                                n.span.clone(),
                            )
                            .with_label("reserved")
                            .with_note("", 0..0, why)
                            .with_help("rename it"),
                        );
                    }
                    match seen.get(&n.text) {
                        Some((first_file, first_span)) => self.report(
                            Diagnostic::error(
                                "F0101",
                                format!("`{}` is declared twice in the project", n.text),
                                &file.path,
                                n.span.clone(),
                            )
                            .with_label("declared again here")
                            .with_note(first_file, first_span.clone(), "first declared here")
                            .with_help("all .ft files share one namespace: rename one of them"),
                        ),
                        None => {
                            seen.insert(n.text.clone(), (file.path.clone(), n.span.clone()));
                        }
                    }
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------------- types

    fn lower(&self, t: &ast::Type) -> Ty {
        match &t.kind {
            TypeKind::Named { pkg: Some(p), name, .. } => Ty::Ext(p.clone(), name.clone()),
            TypeKind::Named { pkg: None, name, .. } => {
                if self.type_names.contains(name) {
                    Ty::Named(name.clone())
                } else if let Some(go) = types::sugar(name) {
                    Ty::basic(go)
                } else if name == "any" {
                    Ty::Any
                } else if name == "Shape" {
                    // Forst's "any shape": a JSON object.
                    Ty::Map(Box::new(Ty::basic("string")), Box::new(Ty::Any))
                } else {
                    Ty::Basic(name.clone())
                }
            }
            TypeKind::Pointer(x) => Ty::Pointer(Box::new(self.lower(x))),
            TypeKind::Slice(x) => Ty::Slice(Box::new(self.lower(x))),
            TypeKind::Array(n, _, x) => Ty::Array(n.clone(), Box::new(self.lower(x))),
            TypeKind::Map(k, v) => Ty::Map(Box::new(self.lower(k)), Box::new(self.lower(v))),
            TypeKind::Chan(x) => Ty::Chan(Box::new(self.lower(x))),
            TypeKind::Func(sig) => Ty::Func(sig.results.iter().map(|p| self.lower(&p.ty)).collect()),
            TypeKind::Struct(fields) => Ty::Struct(
                fields
                    .iter()
                    .map(|f| TyField {
                        checks: self.constraints_of(&f.ty),
                        ..TyField::go(
                            f.name
                                .as_ref()
                                .map(|n| n.text.clone())
                                .or_else(|| base_type_name(&f.ty))
                                .unwrap_or_default(),
                            self.lower(&f.ty),
                            f.tag.clone(),
                            f.name.is_none(),
                        )
                    })
                    .collect(),
            ),
            TypeKind::Shape(fields) => Ty::Struct(fields.iter().map(|f| self.shape_field_ty(f)).collect()),
            TypeKind::Interface { empty: true } => Ty::Any,
            TypeKind::Interface { empty: false } => Ty::Iface,
            TypeKind::Ctor(name, args) => match (name.as_str(), args.as_slice()) {
                ("Array", [elem]) => Ty::Slice(Box::new(self.lower(elem))),
                ("Map", [k, v]) => Ty::Map(Box::new(self.lower(k)), Box::new(self.lower(v))),
                ("Result", [value, err]) => Ty::Tuple(vec![self.lower(value), self.lower(err)]),
                _ => Ty::Unknown,
            },
            TypeKind::Constrained(base, links) => self.lower_constrained(base, links),
            TypeKind::Union(members) => Ty::Union(members.iter().map(|m| self.lower(m)).collect()),
        }
    }

    /// A field of a Forst shape: exported in Go under its JSON name, required unless optional (`name?:`) or a
    /// pointer, with the constraints of its type.
    fn shape_field_ty(&self, f: &ast::Field) -> TyField {
        let n = f.name.as_ref().map(|n| n.text.clone()).unwrap_or_default();
        let ty = self.lower(&f.ty);
        let omit = if f.optional { ",omitempty" } else { "" };
        let checks = self.constraints_of(&f.ty);
        // A pointer may be left out, unless it must be there (`*T.Present()`).
        let present = checks.iter().any(|c| c.check == types::Check::Present);
        TyField {
            name: types::capitalize(&n),
            required: !f.optional && (!matches!(ty, Ty::Pointer(_)) || present),
            checks,
            ty,
            tag: Some(format!("json:\"{n}{omit}\"")),
            embedded: false,
            shape: true,
        }
    }

    /// Follows project type names to their definition (also before `declare` reached it: types may refer to types
    /// declared further down).
    fn underlying(&self, t: &Ty) -> Ty {
        let mut t = t.clone();
        for _ in 0..8 {
            match &t {
                Ty::Named(n) => match self.types.get(n) {
                    Some(def) => t = def.ty.clone(),
                    None => match self.spec_of(n) {
                        Some(spec) => t = self.lower(&spec.ty),
                        None => return Ty::Unknown,
                    },
                },
                _ => return t,
            }
        }
        Ty::Unknown
    }

    /// The declaration of a project type.
    pub(super) fn spec_of(&self, name: &str) -> Option<&'a ast::TypeSpec> {
        if !self.type_names.contains(name) {
            return None;
        }
        self.files.iter().flat_map(|f| &f.decls).find_map(|d| match &d.kind {
            DeclKind::Types(specs) => specs.iter().find(|s| s.name.text == name),
            _ => None,
        })
    }

    fn field_of(&self, t: &Ty, name: &str, depth: usize) -> Option<Ty> {
        if depth > 4 {
            return None;
        }
        let base = t.pointee().clone();
        if let Ty::Named(n) = &base {
            if let Some(m) = self.methods.get(&(n.clone(), name.to_string())) {
                return Some(Ty::Func(m.sig.results.iter().map(|p| self.lower(&p.ty)).collect()));
            }
        }
        let Ty::Struct(fields) = self.underlying(&base) else { return None };
        if let Some(f) = fields.iter().find(|f| f.name == name) {
            return Some(f.ty.clone());
        }
        fields.iter().filter(|f| f.embedded).find_map(|f| self.field_of(&f.ty, name, depth + 1))
    }

    /// The Go name of a field written `name` in Forst: shape fields are exported in Go under their JSON name.
    fn shape_field(&self, t: &Ty, name: &str) -> Option<String> {
        let Ty::Struct(fields) = self.underlying(t.pointee()) else { return None };
        // A field (also a promoted one) or a method of exactly that name is Go's meaning: never renamed.
        if self.field_of(t, name, 0).is_some() {
            return None;
        }
        fields
            .iter()
            .find(|f| types::json_name(f).is_some_and(|(j, _)| j == name) || f.name.eq_ignore_ascii_case(name))
            .map(|f| f.name.clone())
    }

    /// The declared or inferred results of a project function.
    fn results_of(&self, name: &str) -> Vec<Ty> {
        let Some((fi, f)) = self.funcs.get(name) else { return vec![Ty::Unknown] };
        if !f.sig.results.is_empty() {
            return f.sig.results.iter().map(|p| self.lower(&p.ty)).collect();
        }
        if let Some(done) = self.inferred.borrow().get(name) {
            return done.clone().unwrap_or_else(|| vec![Ty::Unknown]);
        }
        // Mark in progress: recursion sees "unknown" rather than looping.
        self.inferred.borrow_mut().insert(name.to_string(), None);
        let summary = self.summary(*fi, f);
        let inferred = summary.inferred.clone();
        self.inferred.borrow_mut().insert(name.to_string(), inferred.clone());
        self.summaries.borrow_mut().insert(name.to_string(), summary);
        inferred.unwrap_or_else(|| vec![Ty::Unknown])
    }

    /// What a walk of a function finds: its results (declared, or inferred from its returns and `ensure`s), whether
    /// it fails the Forst way, and the nominal errors it returns.
    fn summary(&self, fi: usize, f: &ast::Func) -> Summary {
        let mut w = Walker::new(self, fi, false);
        let returns = w.function(f);
        let declared: Vec<Ty> = f.sig.results.iter().map(|p| self.lower(&p.ty)).collect();
        let inferred = if declared.is_empty() { infer_failing(&returns, w.fails).ok() } else { None };
        let results = if declared.is_empty() { inferred.clone().unwrap_or_default() } else { declared };
        let fails = f.sig.result_ctor.is_some() || (f.sig.results.is_empty() && w.fails) || w.forst_result;
        Summary { results, inferred, fails, errors: w.errors, plain_ensures: w.plain_ensures }
    }

    /// The summary of a project function, computed once.
    fn summary_of(&self, name: &str) -> Option<Summary> {
        if let Some(s) = self.summaries.borrow().get(name) {
            return Some(s.clone());
        }
        let (fi, f) = self.funcs.get(name)?;
        if f.sig.results.is_empty() {
            self.results_of(name);
            return self.summaries.borrow().get(name).cloned();
        }
        let s = self.summary(*fi, f);
        self.summaries.borrow_mut().insert(name.to_string(), s.clone());
        Some(s)
    }

    /// A function declared `Result(T, E)`, or without a declared result and with an `ensure`: its final call's
    /// value, `return v` and `ensure` failures follow Forst's rules.
    fn fails_the_forst_way(&self, name: &str) -> bool {
        match self.funcs.get(name) {
            Some((_, f)) if f.sig.result_ctor.is_some() => true,
            Some((_, f)) if f.sig.results.is_empty() => {
                !self.inferred.borrow().get(name).is_some_and(|r| r.is_none()) // not in progress (recursion)
                    && self.summary_of(name).is_some_and(|s| s.fails)
            }
            _ => false,
        }
    }

    /// The nominal errors a project function can return: its declared error type's, and those its body returns.
    fn errors_of(&self, name: &str) -> Vec<String> {
        let mut out = BTreeSet::new();
        if let Some((_, f)) = self.funcs.get(name) {
            if let Some(last) = f.sig.results.last() {
                out.extend(self.nominal_errors_of(&self.lower(&last.ty)).unwrap_or_default());
            }
        }
        if !self.inferred.borrow().get(name).is_some_and(|r| r.is_none()) {
            if let Some(s) = self.summary_of(name) {
                out.extend(s.errors);
            }
        }
        out.into_iter().collect()
    }

    // -------------------------------------------------------------------------------------------- files

    fn check_file(&self, fi: usize) -> FileOut {
        let file = &self.files[fi];
        let mut w = Walker::new(self, fi, true);
        for decl in &file.decls {
            match &decl.kind {
                DeclKind::Func(f) => {
                    let returns = w.function(f);
                    let fails = w.fails;
                    if f.sig.results.is_empty() && (fails || returns.iter().any(|(vals, _)| !vals.is_empty())) {
                        self.insert_inferred_result(f, &returns, fails, &file.path, &mut w.edits);
                    }
                }
                DeclKind::Types(specs) => {
                    let mut after = String::new();
                    for spec in specs {
                        w.type_params(&spec.type_params);
                        match &spec.ty.kind {
                            // `type Person {name: String}` and `type Person = {…}` declare the struct itself.
                            TypeKind::Shape(fields) => {
                                fields.iter().for_each(|f| w.ty_uses(&f.ty));
                                for f in fields {
                                    if matches!(f.ty.kind, TypeKind::Constrained(..)) {
                                        self.report_constraints(&f.ty, &file.path);
                                    }
                                }
                                w.edit(spec.ty.span.clone(), self.lower(&spec.ty).go());
                                if spec.alias {
                                    self.drop_alias_eq(&mut w, fi, spec);
                                }
                            }
                            TypeKind::Union(members) => {
                                after.push_str(&self.union_decl(&mut w, fi, spec, members));
                            }
                            _ => w.ty_edits(&spec.ty),
                        }
                        if let Some(keyword) = &spec.error_keyword {
                            w.edit(keyword.clone(), "type");
                            after.push_str(&guards::nominal_error_methods(
                                &spec.name.text,
                                self.types.get(&spec.name.text),
                            ));
                        }
                    }
                    if !after.is_empty() {
                        w.edit(decl.span.end..decl.span.end, after);
                    }
                }
                DeclKind::Guard(g) => self.guard_decl(&mut w, fi, decl, g),
                DeclKind::Vars(specs) | DeclKind::Consts(specs) => {
                    for s in specs {
                        w.value_spec(s);
                    }
                }
            }
        }
        let mut imports = self.resolve_imports(file, &w.pkgs);
        if w.uses_runtime {
            imports.push((None, super::emit_go::RUNTIME_IMPORT.to_string()));
            imports.sort_by(|a, b| a.1.cmp(&b.1));
        }
        FileOut { imports, edits: w.edits, starts_goroutines: w.starts_goroutines }
    }

    fn insert_inferred_result(
        &self,
        f: &ast::Func,
        returns: &[(Vec<Ty>, ast::Span)],
        fails: bool,
        path: &str,
        edits: &mut Vec<Edit>,
    ) {
        match infer_failing(returns, fails) {
            Ok(tys) => {
                let text = match tys.as_slice() {
                    [one] => format!(" {}", one.go()),
                    many => format!(" ({})", many.iter().map(Ty::go).collect::<Vec<_>>().join(", ")),
                };
                edits.push(Edit { span: f.sig.params_end..f.sig.params_end, text });
            }
            Err(at) => {
                let file = self.files.iter().position(|x| x.path == path).unwrap_or(0);
                let params_text =
                    self.sources.get(file).and_then(|s| s.get(f.name.span.end..f.sig.params_end)).unwrap_or("()");
                self.report(
                    Diagnostic::error(
                        "F0204",
                        format!("cannot infer the result type of `{}`", f.name.text),
                        path,
                        f.name.span.clone(),
                    )
                    .with_label("result type unknown")
                    .with_note(path, at, "this return value's type is not known to the compiler")
                    .with_help(format!("declare it: `func {}{params_text}: <Type>`", f.name.text)),
                );
            }
        }
    }

    /// goimports for the standard library: drop unused imports (warning), add used-but-missing ones, refuse
    /// third-party packages.
    fn resolve_imports(&self, file: &ast::File, used: &BTreeSet<String>) -> Vec<(Option<String>, String)> {
        let mut out: Vec<(Option<String>, String)> = Vec::new();
        let mut satisfied = HashSet::new();
        for imp in &file.imports {
            let first = imp.path.split('/').next().unwrap_or("");
            if first.contains('.') {
                self.report(
                    Diagnostic::error("F0301", format!("third-party package `{}` is not supported yet", imp.path), &file.path, imp.span.clone())
                        .with_label("not in the standard library")
                        .with_help("Forst builds offline with the Go standard library only; copy the code you need into a .ft file"),
                );
                continue;
            }
            if !STDLIB.lines().any(|l| l == imp.path) {
                self.report(
                    Diagnostic::error(
                        "F0302",
                        format!("`{}` is not a Go standard library package", imp.path),
                        &file.path,
                        imp.span.clone(),
                    )
                    .with_label("unknown package")
                    .with_help("check the import path (https://pkg.go.dev/std lists the standard library)"),
                );
                continue;
            }
            let name = imp.local_name().to_string();
            if matches!(name.as_str(), "_" | ".") || used.contains(&name) {
                satisfied.insert(name);
                out.push((imp.alias.clone(), imp.path.clone()));
            } else {
                self.report(
                    Diagnostic::warning(
                        "W0001",
                        format!("unused import `{}` removed", imp.path),
                        &file.path,
                        imp.span.clone(),
                    )
                    .with_label("not used in this file")
                    .with_help("delete the import"),
                );
            }
        }
        for name in used {
            if satisfied.contains(name) {
                continue;
            }
            if let Some(path) = types::auto_import(name) {
                if !out.iter().any(|(_, p)| p == path) {
                    out.push((None, path.to_string()));
                }
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out.dedup();
        out
    }

    // -------------------------------------------------------------------------------------------- endpoints

    fn endpoints(&self) -> Vec<EndpointInfo> {
        let mut out: Vec<EndpointInfo> = Vec::new();
        let mut routes: HashMap<String, (String, ast::Span)> = HashMap::new();
        for (fi, file) in self.files.iter().enumerate() {
            if !file.path.starts_with("routes/") {
                continue;
            }
            for decl in &file.decls {
                let DeclKind::Func(f) = &decl.kind else { continue };
                if f.receiver.is_some() || decl.internal || matches!(f.name.text.as_str(), "init" | "main" | "_") {
                    continue;
                }
                if out.iter().any(|e| e.name == f.name.text) {
                    continue; // F0101 already says it is declared twice
                }
                if let Some(e) = self.endpoint(fi, decl, f) {
                    if let Some((first_file, first_span)) = routes.get(&e.route) {
                        self.report(
                            Diagnostic::error(
                                "F0203",
                                format!("two endpoints share the route `POST {}`", e.route),
                                &file.path,
                                f.name.span.clone(),
                            )
                            .with_label("this one")
                            .with_note(first_file, first_span.clone(), "and this one")
                            .with_help("rename one of them, or mark a helper `//forst:internal`"),
                        );
                        continue;
                    }
                    routes.insert(e.route.clone(), (file.path.clone(), f.name.span.clone()));
                    out.push(e);
                }
            }
        }
        out
    }

    fn endpoint(&self, fi: usize, decl: &ast::Decl, f: &ast::Func) -> Option<EndpointInfo> {
        let path = &self.files[fi].path;
        if !f.type_params.is_empty() {
            self.report(
                Diagnostic::error(
                    "F0206",
                    format!("generic function `{}` cannot be an endpoint", f.name.text),
                    path,
                    f.name.span.clone(),
                )
                .with_label("has type parameters")
                .with_help("mark it `//forst:internal` or move it out of routes/, and expose a non-generic wrapper"),
            );
            return None;
        }
        if let Some(why) = js_unsafe_export(&f.name.text) {
            self.report(
                Diagnostic::error(
                    "F0207",
                    format!("an endpoint cannot be named `{}`", f.name.text),
                    path,
                    f.name.span.clone(),
                )
                .with_label(why)
                .with_help(format!(
                    "rename it (for example `{}{}`), or mark it `//forst:internal` if it is a helper",
                    f.name.text.trim_start_matches('_'),
                    if f.name.text == "then" { "Step" } else { "Fn" }
                )),
            );
            return None;
        }
        let mut ok = true;
        let mut params = Vec::new();
        let mut param_spans = Vec::new();
        let mut takes_context = false;
        for (i, p) in f.sig.params.iter().enumerate() {
            let ty = self.lower(&p.ty);
            if i == 0 && ty == Ty::Ext("context".into(), "Context".into()) {
                takes_context = true;
                continue;
            }
            let name =
                p.name.as_ref().map(|n| n.text.clone()).filter(|n| n != "_").unwrap_or_else(|| format!("arg{i}"));
            let ty = if p.variadic { Ty::Slice(Box::new(ty)) } else { ty };
            if let Err(why) = self.json_shaped(&ty, &mut HashSet::new()) {
                ok = false;
                self.report(
                    Diagnostic::error(
                        "F0201",
                        format!("parameter `{name}` of endpoint `{}` cannot come from JSON", f.name.text),
                        path,
                        p.ty.span.clone(),
                    )
                    .with_label(why)
                    .with_help(
                        "use basic types, structs, slices, string-keyed maps, pointers, interface{} or time.Time",
                    ),
                );
            }
            params.push((name, ty));
            param_spans.push(p.ty.span.clone());
        }
        let stream = f.sig.results.first().and_then(|r| stream_item(&r.ty));
        let results: Vec<Ty> = if f.sig.results.is_empty() {
            self.results_of(&f.name.text)
        } else {
            f.sig
                .results
                .iter()
                .enumerate()
                .map(|(i, p)| match (i, &stream) {
                    // A stream's items are what must be JSON and what TypeScript sees.
                    (0, Some((_, item))) => self.lower(item),
                    _ => self.lower(&p.ty),
                })
                .collect()
        };
        if results.contains(&Ty::Unknown) {
            return None; // F0204 was reported
        }
        let result_span = f.sig.results.first().map(|r| r.ty.span.clone()).unwrap_or(f.name.span.clone());
        let (result, returns_error) = match results.as_slice() {
            [] => (None, false),
            [e] if self.is_error_type(e) => (None, true),
            [t] => (Some(t.clone()), false),
            [t, e] if self.is_error_type(e) && !self.is_error_type(t) => (Some(t.clone()), true),
            _ => {
                self.report(
                    Diagnostic::error("F0202", format!("endpoint `{}` returns ({})", f.name.text, results.iter().map(Ty::go).collect::<Vec<_>>().join(", ")), path, result_span)
                        .with_label("not an endpoint result form")
                        .with_help("an endpoint returns `T`, `(T, error)`, `error` or nothing; return a struct to send several values"),
                );
                return None;
            }
        };
        if let Some(t) = &result {
            if let Err(why) = self.json_shaped(t, &mut HashSet::new()) {
                self.report(
                    Diagnostic::error(
                        "F0201",
                        format!("the result of endpoint `{}` cannot be sent as JSON", f.name.text),
                        path,
                        result_span.clone(),
                    )
                    .with_label(why)
                    .with_help(
                        "return basic types, structs, slices, string-keyed maps, pointers, interface{} or time.Time",
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let ts_result = result.as_ref().map(|t| self.ts_view_of_result(f, t));
        let param_checks =
            f.sig.params.iter().skip(usize::from(takes_context)).map(|p| self.constraints_of(&p.ty)).collect();
        let errors = self.errors_of(&f.name.text);
        let ensures = self.summary_of(&f.name.text).is_some_and(|s| s.plain_ensures);
        Some(EndpointInfo {
            param_checks,
            errors,
            ensures,
            name: f.name.text.clone(),
            route: format!("/{}", kebab(&f.name.text)),
            variadic: f.sig.params.last().is_some_and(|p| p.variadic),
            params,
            takes_context,
            result,
            ts_result,
            returns_error,
            doc: decl.doc.clone(),
            file: path.clone(),
            span: f.name.span.clone(),
            param_spans,
            result_span,
            stream: stream.map(|(kind, _)| kind),
        })
    }

    /// A declared `map[string]interface{}` result whose returns are map literals with constant keys has an object
    /// type in TypeScript; an inferred one already is an `Object`.
    fn ts_view_of_result(&self, f: &ast::Func, declared: &Ty) -> Ty {
        if matches!(declared, Ty::Map(k, v) if **k == Ty::basic("string") && **v == Ty::Any) {
            let fi = self.funcs.get(&f.name.text).map(|(fi, _)| *fi).unwrap_or(0);
            let mut w = Walker::new(self, fi, false);
            let returns = w.function(f);
            if let Some(obj) =
                returns.iter().find_map(|(vals, _)| vals.first().filter(|t| matches!(t, Ty::Object { .. })).cloned())
            {
                return obj;
            }
        }
        declared.clone()
    }

    fn json_shaped(&self, t: &Ty, seen: &mut HashSet<String>) -> Result<(), String> {
        match t {
            Ty::Basic(n) if types::is_number(n) || n == "string" || n == "bool" => Ok(()),
            Ty::Basic(n) if n == "error" => {
                Err("`error` is not JSON data: return it as the last result instead".into())
            }
            Ty::Basic(n) if matches!(n.as_str(), "complex64" | "complex128" | "uintptr") => {
                Err(format!("`{n}` has no JSON form"))
            }
            // Type parameters of generic types (`Pair[K, V]`): the instantiation decides; `go build` checks it.
            Ty::Basic(_) => Ok(()),
            Ty::Named(n) => {
                if !seen.insert(n.clone()) {
                    return Ok(());
                }
                match self.types.get(n) {
                    Some(def) => self.json_shaped(&def.ty.clone(), seen),
                    None => Err(format!("unknown type `{n}`")),
                }
            }
            Ty::Ext(p, n) => match (p.as_str(), n.as_str()) {
                ("time", "Time" | "Duration") | ("json", "RawMessage" | "Number") => Ok(()),
                _ => Err(format!("`{p}.{n}` is not known to be JSON data")),
            },
            Ty::Pointer(x) | Ty::Slice(x) | Ty::Array(_, x) => self.json_shaped(x, seen),
            Ty::Map(k, v) => match &**k {
                Ty::Basic(kn) if kn == "string" || types::is_number(kn) => self.json_shaped(v, seen),
                _ => Err(format!("map keys of type `{}` cannot be JSON object keys", k.go())),
            },
            Ty::Chan(_) => Err("a channel has no JSON form".into()),
            Ty::Func(_) => Err("a function has no JSON form".into()),
            Ty::Iface => Err("an interface with methods cannot be decoded from JSON".into()),
            Ty::Struct(fields) => fields
                .iter()
                .filter(|f| types::is_exported(&f.name) || f.embedded)
                .try_for_each(|f| self.json_shaped(&f.ty, seen)),
            Ty::Any | Ty::Unknown | Ty::Object { .. } | Ty::Tuple(_) | Ty::Union(_) => Ok(()),
        }
    }

    /// W0002: a field of a struct an endpoint sends or receives that encoding/json skips (unexported).
    fn warn_unserializable_fields(&self, endpoints: &[EndpointInfo]) {
        let mut reachable = Vec::new();
        for e in endpoints {
            for (_, t) in &e.params {
                reachable_named(self, t, &mut reachable);
            }
            if let Some(t) = &e.result {
                reachable_named(self, t, &mut reachable);
            }
        }
        for name in reachable {
            let Some(def) = self.types.get(&name) else { continue };
            let Ty::Struct(fields) = &def.ty else { continue };
            for f in fields.iter().filter(|f| !f.embedded && !types::is_exported(&f.name) && f.name != "_") {
                let span = def.field_spans.get(&f.name).cloned().unwrap_or(def.span.clone());
                self.report(
                    Diagnostic::warning(
                        "W0002",
                        format!("field `{}` of `{name}` is not exported: JSON will not carry it", f.name),
                        &self.files[def.file].path,
                        span,
                    )
                    .with_label("unexported")
                    .with_help(format!(
                        "rename it `{}` (add a `json:\"{}\"` tag to keep the JSON name)",
                        types::capitalize(&f.name),
                        f.name
                    )),
                );
            }
        }
    }
}

impl Checker<'_> {
    /// W0004: an `int64`/`uint64` an endpoint sends or receives as a JSON number. JavaScript numbers are exact only up to
    /// 2^53, so larger values silently change on the way. A struct field tagged `json:",string"` travels as a string
    /// (and is a `string` in TypeScript): no warning.
    fn warn_large_integers(&self, endpoints: &[EndpointInfo]) {
        let help = "values above 2^53 (9007199254740992) lose precision in JavaScript: put it in a struct field tagged `json:\",string\"` (sent as a string, typed `string` in TypeScript), or use float64/int if values stay below 2^53";
        let mut reachable = Vec::new();
        for e in endpoints {
            let direct = e
                .params
                .iter()
                .zip(&e.param_spans)
                .map(|((n, t), span)| (format!("parameter `{n}`"), t, span))
                .chain(e.result.iter().map(|t| ("the result".to_string(), t, &e.result_span)));
            for (what, t, span) in direct {
                if let Some(wide) = wide_integer(t) {
                    self.report(
                        Diagnostic::warning(
                            "W0004",
                            format!("{what} of endpoint `{}` is a JSON number of type `{wide}`", e.name),
                            &e.file,
                            span.clone(),
                        )
                        .with_label(format!("carries {wide}"))
                        .with_help(help),
                    );
                }
                reachable_named(self, t, &mut reachable);
            }
        }
        for name in reachable {
            let Some(def) = self.types.get(&name) else { continue };
            let Ty::Struct(fields) = &def.ty else { continue };
            for f in fields.iter().filter(|f| types::is_exported(&f.name) && types::json_name(f).is_some()) {
                let Some(wide) = wide_integer(&f.ty) else { continue };
                if types::json_string_option(f) {
                    continue;
                }
                let span = def.field_spans.get(&f.name).cloned().unwrap_or(def.span.clone());
                self.report(
                    Diagnostic::warning(
                        "W0004",
                        format!("field `{}` of `{name}` is a JSON number of type `{wide}`", f.name),
                        &self.files[def.file].path,
                        span,
                    )
                    .with_label(format!("carries {wide}"))
                    .with_help(help),
                );
            }
        }
    }
}

/// `int64` or `uint64` (also inside slices, arrays, maps and pointers): the integer types whose values JSON numbers
/// cannot carry exactly into JavaScript.
fn wide_integer(t: &Ty) -> Option<&'static str> {
    match t {
        Ty::Basic(n) if n == "int64" => Some("int64"),
        Ty::Basic(n) if n == "uint64" => Some("uint64"),
        Ty::Pointer(x) | Ty::Slice(x) | Ty::Array(_, x) | Ty::Map(_, x) => wide_integer(x),
        _ => None,
    }
}

/// Project type names reachable from `t`, in first-seen order.
pub fn reachable_named(c: &impl TypeLookup, t: &Ty, out: &mut Vec<String>) {
    match t {
        Ty::Named(n) => {
            if out.contains(n) {
                return;
            }
            out.push(n.clone());
            if let Some(def) = c.lookup(n) {
                reachable_named(c, &def, out);
            }
        }
        Ty::Pointer(x) | Ty::Slice(x) | Ty::Array(_, x) | Ty::Chan(x) => reachable_named(c, x, out),
        Ty::Map(k, v) => {
            reachable_named(c, k, out);
            reachable_named(c, v, out);
        }
        Ty::Struct(fields) => fields.iter().for_each(|f| reachable_named(c, &f.ty, out)),
        Ty::Object { fields, .. } => fields.iter().for_each(|(_, t)| reachable_named(c, t, out)),
        Ty::Union(members) => members.iter().for_each(|t| reachable_named(c, t, out)),
        _ => {}
    }
}

pub trait TypeLookup {
    fn lookup(&self, name: &str) -> Option<Ty>;

    /// Follows project type names to their definitions (a name the project does not declare stays as it is).
    fn resolve(&self, t: &Ty) -> Ty {
        let mut t = t.clone();
        for _ in 0..8 {
            match &t {
                Ty::Named(n) => match self.lookup(n) {
                    Some(def) => t = def,
                    None => return t,
                },
                _ => return t,
            }
        }
        t
    }
}

impl TypeLookup for Checker<'_> {
    fn lookup(&self, name: &str) -> Option<Ty> {
        self.types.get(name).map(|d| d.ty.clone())
    }
}

impl TypeLookup for HashMap<String, TypeDef> {
    fn lookup(&self, name: &str) -> Option<Ty> {
        self.get(name).map(|d| d.ty.clone())
    }
}

fn base_type_name(t: &ast::Type) -> Option<String> {
    match &t.kind {
        TypeKind::Named { pkg: None, name, .. } => Some(name.clone()),
        TypeKind::Named { name, .. } => Some(name.clone()),
        TypeKind::Pointer(x) => base_type_name(x),
        _ => None,
    }
}

/// Why a function name cannot be an export of the generated JS module, if it cannot: `then` makes the module object
/// thenable (`await import(...)` would call it), and the members of `Object.prototype` would shadow or break what every
/// object has.
/// `iter.Seq[T]` or a channel of `T` (written as an endpoint's result): the kind of stream and the item type.
fn stream_item(t: &ast::Type) -> Option<(Stream, &ast::Type)> {
    match &t.kind {
        TypeKind::Named { pkg: Some(p), name, args } if p == "iter" && name == "Seq" => {
            args.first().map(|item| (Stream::Seq, item))
        }
        TypeKind::Chan(item) => Some((Stream::Chan, item.as_ref())),
        _ => None,
    }
}

fn js_unsafe_export(name: &str) -> Option<&'static str> {
    const OBJECT_PROTOTYPE: &[&str] = &[
        "constructor",
        "__proto__",
        "toString",
        "toLocaleString",
        "valueOf",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    ];
    if name == "then" {
        Some("a `then` export makes the JS module thenable: `await import()` would call it")
    } else if OBJECT_PROTOTYPE.contains(&name) {
        Some("collides with a member of JavaScript's Object.prototype")
    } else {
        None
    }
}

/// `processData` → `process-data`, `getHTTPStatus` → `get-http-status`, `load_all` → `load-all`.
pub fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if !out.is_empty() && !out.ends_with('-') && (prev_lower || (prev_upper && next_lower)) {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`infer`], and a function that can fail (an `ensure`) also returns an error: `error` alone, or after its value.
fn infer_failing(returns: &[(Vec<Ty>, ast::Span)], fails: bool) -> Result<Vec<Ty>, ast::Span> {
    let mut out = infer(returns)?;
    if fails && !out.last().is_some_and(Ty::is_error) {
        out.push(Ty::basic("error"));
    }
    Ok(out)
}

/// Result types from a function's return statements; `Err(span)` points at a value whose type is unknown.
fn infer(returns: &[(Vec<Ty>, ast::Span)]) -> Result<Vec<Ty>, ast::Span> {
    let valued: Vec<&(Vec<Ty>, ast::Span)> = returns.iter().filter(|(v, _)| !v.is_empty()).collect();
    let Some(first) = valued.first() else { return Ok(vec![]) };
    let arity = first.0.len();
    let mut out = Vec::new();
    for i in 0..arity {
        let known = valued.iter().find_map(|(vals, _)| vals.get(i).filter(|t| !matches!(t, Ty::Unknown)).cloned());
        match known {
            Some(t) => out.push(t),
            // `return x, nil`: a nil last value of two is an error.
            None if i == arity - 1 && arity >= 2 => out.push(Ty::basic("error")),
            None => return Err(first.1.clone()),
        }
    }
    Ok(out)
}

impl Checker<'_> {
    /// The Go name of a shape type used inside signatures and bodies. Shapes are structural, so equal shapes share
    /// one named struct (declared in `forst_shapes.go`); naming them keeps each `.ft` line on one Go line, which keeps
    /// `//line` positions exact after gofmt.
    fn shape_name(&self, t: &Ty, file: usize, span: ast::Span) -> String {
        let go = t.go();
        let mut shapes = self.shapes.borrow_mut();
        if let Some((name, _)) = shapes.iter().find(|(_, g)| *g == go) {
            return name.clone();
        }
        let name = format!("forstShape{}", shapes.len() + 1);
        shapes.push((name.clone(), go));
        self.shape_sites.borrow_mut().push((file, span));
        name
    }

    /// `Some` when values of `t` can be written as a shape literal (structs and shapes).
    fn shape_field_names(&self, t: &Ty) -> Option<()> {
        matches!(self.underlying(t.pointee()), Ty::Struct(_)).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_routes() {
        assert_eq!(kebab("processData"), "process-data");
        assert_eq!(kebab("performConcurrentSearch"), "perform-concurrent-search");
        assert_eq!(kebab("getHTTPStatus"), "get-http-status");
        assert_eq!(kebab("load_all"), "load-all");
        assert_eq!(kebab("add2"), "add2");
        assert_eq!(kebab("Echo"), "echo");
    }
}
