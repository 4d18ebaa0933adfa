//! The codec generator's view of types: exactly the Go types the generated code names and walks — array lengths,
//! type arguments and packages kept, lowered from the syntax tree where the type was written (the checker's `Ty`
//! drops those) — and what encoding/json needs to know about them: struct fields by its rules (`typeFields`), and
//! the methods that make it hand a value to the type itself.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::compiler::ast::{self, DeclKind, TypeKind};
use crate::compiler::check::FileOut;
use crate::compiler::emit_go::splice;
use crate::compiler::types::{self, Ty};
use crate::compiler::SourceFile;

/// A Go type as the generated codec sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum CType {
    /// A predeclared type: `bool`, `string`, `int`…, `float64`, `byte`, `rune`.
    Basic(String),
    /// A project type, with its type arguments when it is an instantiation of a generic type.
    Named(String, Vec<CType>),
    /// One of the standard-library types endpoints may use.
    Ext(Ext),
    Pointer(Box<CType>),
    Slice(Box<CType>),
    /// An array, with its length as written and the imports the length needs (`[sha256.Size]byte`).
    Array(String, Vec<String>, Box<CType>),
    Map(Box<CType>, Box<CType>),
    Struct(Vec<CField>),
    /// `interface{}` / `any`.
    Any,
    /// A type parameter of the generic declaration the code is generated for.
    Param(String),
    /// Anything else (the compiler does not know it): left to encoding/json, spelled as written.
    Other(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ext {
    Time,
    Duration,
    Number,
    RawMessage,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CField {
    /// The Go name (for an embedded field, its type's name).
    pub name: String,
    pub ty: CType,
    pub tag: Option<String>,
    pub embedded: bool,
    /// A Forst shape's field that a JSON object must have (see `types::TyField::required`); never a Go struct's.
    pub required: bool,
}

/// What encoding/json does with a value, by its type's underlying kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    String,
    Int,
    Uint,
    Float32,
    Float64,
    Struct,
    Slice,
    Array,
    Map,
    Pointer,
    Interface,
    Unknown,
}

impl CType {
    /// The type as Go source.
    pub fn go(&self) -> String {
        match self {
            CType::Basic(n) | CType::Param(n) | CType::Other(n) => n.clone(),
            CType::Named(n, args) if args.is_empty() => n.clone(),
            CType::Named(n, args) => format!("{n}[{}]", args.iter().map(CType::go).collect::<Vec<_>>().join(", ")),
            CType::Ext(e) => e.go().to_string(),
            CType::Pointer(t) => format!("*{}", t.go()),
            CType::Slice(t) => format!("[]{}", t.go()),
            CType::Array(n, _, t) => format!("[{n}]{}", t.go()),
            CType::Map(k, v) => format!("map[{}]{}", k.go(), v.go()),
            CType::Struct(fields) => {
                types::struct_go(fields.iter().map(|f| (f.name.as_str(), f.ty.go(), f.tag.as_deref(), f.embedded)))
            }
            CType::Any => "interface{}".into(),
        }
    }

    /// The imports the Go spelling needs, as import specs (`"time"`, `h "crypto/sha256"`).
    pub fn packages(&self, out: &mut std::collections::BTreeSet<String>) {
        match self {
            CType::Ext(e) => {
                out.insert(format!("{:?}", e.package()));
            }
            CType::Named(_, args) => args.iter().for_each(|a| a.packages(out)),
            CType::Array(_, imports, t) => {
                out.extend(imports.iter().cloned());
                t.packages(out);
            }
            CType::Pointer(t) | CType::Slice(t) => t.packages(out),
            CType::Map(k, v) => {
                k.packages(out);
                v.packages(out);
            }
            CType::Struct(fields) => fields.iter().for_each(|f| f.ty.packages(out)),
            _ => {}
        }
    }
}

impl Ext {
    pub fn go(self) -> &'static str {
        match self {
            Ext::Time => "time.Time",
            Ext::Duration => "time.Duration",
            Ext::Number => "json.Number",
            Ext::RawMessage => "json.RawMessage",
        }
    }

    pub fn package(self) -> &'static str {
        match self {
            Ext::Time | Ext::Duration => "time",
            Ext::Number | Ext::RawMessage => "encoding/json",
        }
    }
}

/// A project type declaration.
struct Decl<'a> {
    file: usize,
    spec: &'a ast::TypeSpec,
    /// Type parameter names, and the list as Go source (`[K comparable, V any]`).
    params: Vec<String>,
    params_go: String,
}

/// The methods that make encoding/json hand a value to the type: it calls them instead of looking inside.
const JSON_METHODS: [&str; 4] = ["MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"];

/// The project's types and methods, read from the syntax tree.
pub struct Env<'a> {
    sources: &'a [SourceFile],
    files: &'a [ast::File],
    out: &'a [FileOut],
    decls: HashMap<String, Decl<'a>>,
    /// Per type name: its JSON methods, and whether each has a pointer receiver.
    methods: HashMap<String, Vec<(String, bool)>>,
}

impl<'a> Env<'a> {
    pub fn new(sources: &'a [SourceFile], files: &'a [ast::File], out: &'a [FileOut]) -> Self {
        let mut decls = HashMap::new();
        let mut methods: HashMap<String, Vec<(String, bool)>> = HashMap::new();
        for (fi, file) in files.iter().enumerate() {
            for decl in &file.decls {
                match &decl.kind {
                    DeclKind::Types(specs) => {
                        for spec in specs {
                            let (params, params_go) = type_params(sources, out, fi, spec);
                            decls.insert(spec.name.text.clone(), Decl { file: fi, spec, params, params_go });
                        }
                    }
                    DeclKind::Func(f) => {
                        let Some(recv) = &f.receiver else { continue };
                        if !JSON_METHODS.contains(&f.name.text.as_str()) {
                            continue;
                        }
                        let (base, pointer) = match &recv.ty.kind {
                            TypeKind::Pointer(inner) => (receiver_base(inner), true),
                            _ => (receiver_base(&recv.ty), false),
                        };
                        if let Some(base) = base {
                            methods.entry(base).or_default().push((f.name.text.clone(), pointer));
                        }
                    }
                    _ => {}
                }
            }
        }
        Env { sources, files, out, decls, methods }
    }

    /// `[K comparable, V any]` for a generic type, or "".
    pub fn params_go(&self, name: &str) -> &str {
        self.decls.get(name).map(|d| d.params_go.as_str()).unwrap_or("")
    }

    /// `[K, V]` for a generic type, or "".
    pub fn params_use(&self, name: &str) -> String {
        match self.decls.get(name) {
            Some(d) if !d.params.is_empty() => format!("[{}]", d.params.join(", ")),
            _ => String::new(),
        }
    }

    /// The definition of a project type (aliases followed), or None for names the project does not declare.
    pub fn definition(&self, name: &str) -> Option<CType> {
        let d = self.decls.get(name)?;
        Some(self.lower(&d.spec.ty, d.file, &d.params))
    }

    /// `type A = B` is a Go alias; `type Person = {…}` (a Forst shape) declares the struct itself.
    fn is_alias(&self, name: &str) -> bool {
        self.decls.get(name).is_some_and(|d| d.spec.alias && !matches!(d.spec.ty.kind, TypeKind::Shape(_)))
    }

    // -------------------------------------------------------------------------------------------- lowering

    /// Lowers a type written in file `file`, inside a declaration with type parameters `params`.
    pub fn lower(&self, t: &ast::Type, file: usize, params: &[String]) -> CType {
        match &t.kind {
            TypeKind::Named { pkg: Some(p), name, .. } => {
                let path = self
                    .files
                    .get(file)
                    .and_then(|f| f.imports.iter().find(|i| i.local_name() == p))
                    .map(|i| i.path.as_str())
                    .or_else(|| types::auto_import(p))
                    .unwrap_or("");
                match (path, name.as_str()) {
                    ("time", "Time") => CType::Ext(Ext::Time),
                    ("time", "Duration") => CType::Ext(Ext::Duration),
                    ("encoding/json", "Number") => CType::Ext(Ext::Number),
                    ("encoding/json", "RawMessage") => CType::Ext(Ext::RawMessage),
                    _ => CType::Other(format!("{p}.{name}")),
                }
            }
            TypeKind::Named { pkg: None, name, args } => {
                if params.contains(name) {
                    return CType::Param(name.clone());
                }
                if let Some(d) = self.decls.get(name) {
                    if self.is_alias(name) && args.is_empty() {
                        return self.lower(&d.spec.ty, d.file, &d.params);
                    }
                    return CType::Named(name.clone(), args.iter().map(|a| self.lower(a, file, params)).collect());
                }
                if let Some(go) = types::sugar(name) {
                    return basic_or_other(go);
                }
                if name == "any" {
                    return CType::Any;
                }
                basic_or_other(name)
            }
            TypeKind::Pointer(x) => CType::Pointer(Box::new(self.lower(x, file, params))),
            TypeKind::Slice(x) => CType::Slice(Box::new(self.lower(x, file, params))),
            TypeKind::Array(len, _, x) => {
                CType::Array(len.clone(), self.length_imports(len, file), Box::new(self.lower(x, file, params)))
            }
            TypeKind::Map(k, v) => {
                CType::Map(Box::new(self.lower(k, file, params)), Box::new(self.lower(v, file, params)))
            }
            TypeKind::Struct(fields) => CType::Struct(
                fields
                    .iter()
                    .map(|f| CField {
                        name: f
                            .name
                            .as_ref()
                            .map(|n| n.text.clone())
                            .or_else(|| embedded_name(&f.ty))
                            .unwrap_or_default(),
                        ty: self.lower(&f.ty, file, params),
                        tag: f.tag.clone(),
                        embedded: f.name.is_none(),
                        required: false,
                    })
                    .collect(),
            ),
            // `{name: String, note?: String}`: exported in Go under its JSON name, as the checker declares it
            // (`check::shape_field_ty`: optional fields are omitempty; required are the fields that are neither
            // optional nor pointers, and pointers that must be `Present()`).
            TypeKind::Shape(fields) => CType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        let n = f.name.as_ref().map(|n| n.text.clone()).unwrap_or_default();
                        let ty = self.lower(&f.ty, file, params);
                        let present = must_be_present(&f.ty);
                        CField {
                            name: types::capitalize(&n),
                            required: !f.optional && (!matches!(ty, CType::Pointer(_)) || present),
                            ty,
                            tag: Some(format!("json:\"{n}{}\"", if f.optional { ",omitempty" } else { "" })),
                            embedded: false,
                        }
                    })
                    .collect(),
            ),
            // Forst's constructors and constraint types are Go types underneath (the validators check the rest).
            TypeKind::Ctor(name, args) => match (name.as_str(), args.as_slice()) {
                ("Array", [elem]) => CType::Slice(Box::new(self.lower(elem, file, params))),
                ("Map", [k, v]) => {
                    CType::Map(Box::new(self.lower(k, file, params)), Box::new(self.lower(v, file, params)))
                }
                // A function's `Result(T, E)` is `(T, error)` in Go: its value is a T.
                ("Result", [value, _]) => self.lower(value, file, params),
                _ => CType::Other(self.text(file, &t.span)),
            },
            TypeKind::Constrained(base, _) => self.lower(base, file, params),
            TypeKind::Interface { empty: true } => CType::Any,
            _ => CType::Other(self.text(file, &t.span)),
        }
    }

    /// Lowers a checker type (inferred results have no syntax): what the Go emitter wrote for it.
    pub fn lower_ty(&self, t: &Ty) -> CType {
        match t {
            Ty::Basic(n) => basic_or_other(n),
            Ty::Named(n) if self.is_alias(n) => self.definition(n).unwrap_or(CType::Other(n.clone())),
            Ty::Named(n) => CType::Named(n.clone(), vec![]),
            Ty::Ext(p, n) => match (p.as_str(), n.as_str()) {
                ("time", "Time") => CType::Ext(Ext::Time),
                ("time", "Duration") => CType::Ext(Ext::Duration),
                ("json", "Number") => CType::Ext(Ext::Number),
                ("json", "RawMessage") => CType::Ext(Ext::RawMessage),
                _ => CType::Other(t.go()),
            },
            Ty::Pointer(x) => CType::Pointer(Box::new(self.lower_ty(x))),
            Ty::Slice(x) => CType::Slice(Box::new(self.lower_ty(x))),
            Ty::Array(n, x) => CType::Array(n.clone(), vec![], Box::new(self.lower_ty(x))),
            Ty::Map(k, v) => CType::Map(Box::new(self.lower_ty(k)), Box::new(self.lower_ty(v))),
            Ty::Struct(fields) => CType::Struct(
                fields
                    .iter()
                    .map(|f| CField {
                        name: f.name.clone(),
                        ty: self.lower_ty(&f.ty),
                        tag: f.tag.clone(),
                        embedded: f.embedded,
                        required: f.required,
                    })
                    .collect(),
            ),
            Ty::Object { go, .. } => self.lower_ty(go),
            Ty::Any | Ty::Unknown | Ty::Tuple(_) => CType::Any,
            Ty::Chan(_) | Ty::Func(_) | Ty::Iface | Ty::Union(_) => CType::Other(t.go()),
        }
    }

    /// The imports an array length written in `file` needs: one per package it names (`sha256.Size`).
    fn length_imports(&self, len: &str, file: usize) -> Vec<String> {
        let mut out = Vec::new();
        let bytes = len.as_bytes();
        for (i, _) in len.match_indices('.') {
            let start = len[..i].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |k| k + 1);
            let word = &len[start..i];
            if word.is_empty() || bytes.get(start).is_some_and(|b| b.is_ascii_digit()) {
                continue;
            }
            let import = self.files.get(file).and_then(|f| f.imports.iter().find(|imp| imp.local_name() == word));
            let spec = match import {
                Some(imp) if imp.alias.is_some() => format!("{word} {:?}", imp.path),
                Some(imp) => format!("{:?}", imp.path),
                None => match types::auto_import(word) {
                    Some(path) => format!("{path:?}"),
                    None => continue,
                },
            };
            if !out.contains(&spec) {
                out.push(spec);
            }
        }
        out
    }

    fn text(&self, file: usize, span: &ast::Span) -> String {
        match (self.sources.get(file), self.out.get(file)) {
            (Some(s), Some(o)) if span.end <= s.text.len() => splice(&s.text, span.clone(), &o.edits),
            _ => "interface{}".into(),
        }
    }

    // -------------------------------------------------------------------------------------------- kinds

    /// The kind of t's underlying type.
    pub fn kind(&self, t: &CType) -> Kind {
        self.kind_in(t, &mut HashSet::new())
    }

    fn kind_in(&self, t: &CType, seen: &mut HashSet<String>) -> Kind {
        match t {
            CType::Basic(n) => basic_kind(n),
            CType::Named(n, _) => {
                if !seen.insert(n.clone()) {
                    return Kind::Unknown;
                }
                match self.definition(n) {
                    Some(def) => self.kind_in(&def, seen),
                    None => Kind::Unknown,
                }
            }
            CType::Ext(Ext::Time) => Kind::Struct,
            CType::Ext(Ext::Duration) => Kind::Int,
            CType::Ext(Ext::Number) => Kind::String,
            CType::Ext(Ext::RawMessage) => Kind::Slice,
            CType::Pointer(_) => Kind::Pointer,
            CType::Slice(_) => Kind::Slice,
            CType::Array(..) => Kind::Array,
            CType::Map(..) => Kind::Map,
            CType::Struct(_) => Kind::Struct,
            CType::Any => Kind::Interface,
            CType::Param(_) | CType::Other(_) => Kind::Unknown,
        }
    }

    /// The underlying type of t (named types followed).
    pub fn underlying(&self, t: &CType) -> CType {
        let mut t = t.clone();
        for _ in 0..16 {
            match &t {
                CType::Named(n, _) => match self.definition(n) {
                    Some(def) => t = def,
                    None => return CType::Other(n.clone()),
                },
                _ => return t,
            }
        }
        CType::Other(t.go())
    }

    // -------------------------------------------------------------------------------------------- methods

    /// Whether encoding/json may hand values of t (or *t) to the type's own MarshalJSON / UnmarshalJSON /
    /// MarshalText / UnmarshalText: declared on it, or promoted from an embedded field. A yes sends the value through
    /// encoding/json, which is exact whatever the details (ambiguous promotions included).
    pub fn custom(&self, t: &CType) -> bool {
        self.custom_in(t, &mut HashSet::new())
    }

    fn custom_in(&self, t: &CType, seen: &mut HashSet<String>) -> bool {
        match t {
            CType::Named(n, _) => {
                if self.methods.get(n).is_some_and(|m| !m.is_empty()) {
                    return true;
                }
                if !seen.insert(n.clone()) {
                    return false;
                }
                match self.definition(n) {
                    Some(CType::Struct(fields)) => self.embeds_custom(&fields, seen),
                    _ => false,
                }
            }
            CType::Ext(Ext::Time | Ext::RawMessage) => true,
            CType::Struct(fields) => self.embeds_custom(fields, seen),
            _ => false,
        }
    }

    fn embeds_custom(&self, fields: &[CField], seen: &mut HashSet<String>) -> bool {
        fields.iter().filter(|f| f.embedded).any(|f| match &f.ty {
            CType::Pointer(inner) => self.custom_in(inner, seen),
            other => self.custom_in(other, seen),
        })
    }

    /// Whether encoding t depends on whether encoding/json can take its address (a MarshalJSON or MarshalText with
    /// a pointer receiver somewhere inside, reached without a pointer, slice or map in between). Errs on the side of
    /// yes: such values are then written by encoding/json wherever they are not addressable, which is exact.
    pub fn addr_sensitive(&self, t: &CType) -> bool {
        self.addr_sensitive_in(t, &mut HashSet::new())
    }

    fn addr_sensitive_in(&self, t: &CType, seen: &mut HashSet<String>) -> bool {
        match t {
            CType::Named(n, _) => {
                if self.methods.contains_key(n) {
                    return true;
                }
                if !seen.insert(n.clone()) {
                    return false;
                }
                match self.definition(n) {
                    Some(def) => self.addr_sensitive_in(&def, seen),
                    None => true,
                }
            }
            CType::Struct(fields) => fields.iter().any(|f| self.addr_sensitive_in(&f.ty, seen)),
            CType::Array(_, _, t) => self.addr_sensitive_in(t, seen),
            CType::Param(_) | CType::Other(_) => true,
            _ => false,
        }
    }

    /// Whether values of t can contain a value of named type `name` (through any type constructor).
    pub fn reaches(&self, t: &CType, name: &str) -> bool {
        self.reaches_in(t, name, &mut HashSet::new())
    }

    fn reaches_in(&self, t: &CType, name: &str, seen: &mut HashSet<String>) -> bool {
        match t {
            CType::Named(n, args) => {
                if n == name {
                    return true;
                }
                if args.iter().any(|a| self.reaches_in(a, name, seen)) {
                    return true;
                }
                if !seen.insert(n.clone()) {
                    return false;
                }
                self.definition(n).is_some_and(|def| self.reaches_in(&def, name, seen))
            }
            CType::Pointer(t) | CType::Slice(t) | CType::Array(_, _, t) => self.reaches_in(t, name, seen),
            CType::Map(k, v) => self.reaches_in(k, name, seen) || self.reaches_in(v, name, seen),
            CType::Struct(fields) => fields.iter().any(|f| self.reaches_in(&f.ty, name, seen)),
            _ => false,
        }
    }

    /// Whether t can lead back to a recursive project type (the encoders then count their depth, see
    /// forst.CycleLevel in the runtime).
    pub fn recursive(&self, t: &CType) -> bool {
        let mut names = Vec::new();
        self.named_in(t, &mut names);
        names.iter().any(|n| self.definition(n).is_some_and(|def| self.reaches(&def, n)))
    }

    /// The project types t mentions, recursively, in first-seen order.
    pub fn named_in(&self, t: &CType, out: &mut Vec<String>) {
        match t {
            CType::Named(n, args) => {
                args.iter().for_each(|a| self.named_in(a, out));
                if out.contains(n) {
                    return;
                }
                out.push(n.clone());
                if let Some(def) = self.definition(n) {
                    self.named_in(&def, out);
                }
            }
            CType::Pointer(t) | CType::Slice(t) | CType::Array(_, _, t) => self.named_in(t, out),
            CType::Map(k, v) => {
                self.named_in(k, out);
                self.named_in(v, out);
            }
            CType::Struct(fields) => fields.iter().for_each(|f| self.named_in(&f.ty, out)),
            _ => {}
        }
    }

    // -------------------------------------------------------------------------------------------- struct fields

    /// The fields encoding/json reads and writes for a struct (its `typeFields`: exported fields, `json` tag names
    /// and options, embedded structs flattened with Go's dominance rules), in its order. `Err` says why the
    /// generated code leaves the struct to encoding/json.
    pub fn json_fields(&self, fields: &[CField]) -> Result<Vec<JsonField>, String> {
        struct Level {
            key: String,
            fields: Vec<CField>,
            index: Vec<usize>,
            path: Vec<Step>,
        }
        let mut found: Vec<JsonField> = Vec::new();
        let mut next = vec![Level { key: String::new(), fields: fields.to_vec(), index: vec![], path: vec![] }];
        let mut next_count: BTreeMap<String, usize> = BTreeMap::new();
        let mut visited = HashSet::new();
        while !next.is_empty() {
            let current = std::mem::take(&mut next);
            let count = std::mem::take(&mut next_count);
            for level in current {
                if !visited.insert(level.key.clone()) {
                    continue;
                }
                for (i, f) in level.fields.iter().enumerate() {
                    let deref = match &f.ty {
                        CType::Pointer(inner) => (**inner).clone(),
                        other => other.clone(),
                    };
                    let kind = self.kind(&deref);
                    if f.embedded {
                        if kind == Kind::Unknown {
                            return Err(format!("embeds `{}`, which the compiler cannot see into", f.ty.go()));
                        }
                        if !types::is_exported(&f.name) && kind != Kind::Struct {
                            continue;
                        }
                    } else if !types::is_exported(&f.name) {
                        continue;
                    }
                    let tag = f.tag.as_deref().and_then(|t| types::tag_value(t, "json")).unwrap_or("");
                    if tag == "-" {
                        continue;
                    }
                    let (mut name, opts) = tag.split_once(',').unwrap_or((tag, ""));
                    if !name.is_ascii() || !f.name.is_ascii() {
                        return Err(format!("field `{}` has a non-ASCII name", f.name));
                    }
                    if !valid_tag(name) {
                        name = "";
                    }
                    let has = |o: &str| opts.split(',').any(|x| x == o);
                    let mut index = level.index.clone();
                    index.push(i);
                    let mut path = level.path.clone();
                    path.push(Step { field: f.name.clone(), pointer: matches!(f.ty, CType::Pointer(_)) });
                    // encoding/json follows one unnamed pointer to decide whether `,string` applies.
                    let quoted = has("string")
                        && matches!(
                            kind,
                            Kind::Bool | Kind::Int | Kind::Uint | Kind::Float32 | Kind::Float64 | Kind::String
                        );
                    if has("string")
                        && (kind == Kind::Unknown
                            || (quoted && (self.custom(&deref) || matches!(deref, CType::Ext(_)))))
                    {
                        return Err(format!(
                            "field `{}` has the `string` option on a type it cannot apply it to here",
                            f.name
                        ));
                    }
                    if !name.is_empty() || !f.embedded || kind != Kind::Struct {
                        let tagged = !name.is_empty();
                        let json = if tagged { name.to_string() } else { f.name.clone() };
                        let field = JsonField {
                            name: json,
                            tagged,
                            index,
                            path,
                            ty: f.ty.clone(),
                            omit_empty: has("omitempty"),
                            omit_zero: has("omitzero"),
                            quoted,
                            required: f.required,
                        };
                        let twice = count.get(&level.key).is_some_and(|c| *c > 1);
                        if twice {
                            found.push(field.clone());
                        }
                        found.push(field);
                        continue;
                    }
                    // An embedded struct: its fields are explored at the next level.
                    if matches!(f.ty, CType::Pointer(_)) && !types::is_exported(&f.name) {
                        return Err(format!("embeds a pointer to the unexported struct `{}`", f.name));
                    }
                    let CType::Struct(inner) = self.underlying(&deref) else {
                        return Err(format!("embeds `{}`, which the compiler cannot see into", f.ty.go()));
                    };
                    let key = deref.go();
                    let c = next_count.entry(key.clone()).or_insert(0);
                    *c += 1;
                    if *c == 1 {
                        next.push(Level {
                            key,
                            fields: inner,
                            index: level.index.clone().into_iter().chain([i]).collect(),
                            path: level
                                .path
                                .clone()
                                .into_iter()
                                .chain([Step { field: f.name.clone(), pointer: matches!(f.ty, CType::Pointer(_)) }])
                                .collect(),
                        });
                    }
                }
            }
        }
        // Go's dominance rules, as encoding/json applies them: by name, shallowest first, tagged first.
        found.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.index.len().cmp(&b.index.len()))
                .then(b.tagged.cmp(&a.tagged))
                .then(a.index.cmp(&b.index))
        });
        let mut out: Vec<JsonField> = Vec::new();
        let mut i = 0;
        while i < found.len() {
            let mut j = i + 1;
            while j < found.len() && found[j].name == found[i].name {
                j += 1;
            }
            let group = &found[i..j];
            let conflict =
                group.len() > 1 && group[0].index.len() == group[1].index.len() && group[0].tagged == group[1].tagged;
            if !conflict {
                out.push(group[0].clone());
            }
            i = j;
        }
        out.sort_by(|a, b| a.index.cmp(&b.index));
        Ok(out)
    }
}

/// A field encoding/json reads and writes, found by [`Env::json_fields`].
#[derive(Clone, Debug, PartialEq)]
pub struct JsonField {
    /// The JSON name.
    pub name: String,
    tagged: bool,
    index: Vec<usize>,
    /// The Go selectors from the struct to the field (more than one for a field promoted from an embedded struct).
    pub path: Vec<Step>,
    pub ty: CType,
    pub omit_empty: bool,
    pub omit_zero: bool,
    /// Tagged `,string` on a bool, number or string (or a pointer to one).
    pub quoted: bool,
    /// A Forst shape's required field.
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub field: String,
    /// The field is a pointer (an embedded `*T`): promoted fields behind it need it non-nil.
    pub pointer: bool,
}

impl JsonField {
    /// `Base.id` for a field promoted from the embedded `Base`: encoding/json's error context names the embedded
    /// fields on the way.
    pub fn error_path(&self) -> String {
        let mut parts: Vec<&str> =
            self.path.iter().take(self.path.len().saturating_sub(1)).map(|s| s.field.as_str()).collect();
        parts.push(&self.name);
        parts.join(".")
    }
}

/// The kind of a predeclared type name.
pub fn basic_kind(n: &str) -> Kind {
    match n {
        "bool" => Kind::Bool,
        "string" => Kind::String,
        "int" | "int8" | "int16" | "int32" | "int64" | "rune" => Kind::Int,
        "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" | "byte" => Kind::Uint,
        "float32" => Kind::Float32,
        "float64" => Kind::Float64,
        _ => Kind::Unknown,
    }
}

fn basic_or_other(n: &str) -> CType {
    if basic_kind(n) == Kind::Unknown {
        CType::Other(n.to_string())
    } else {
        CType::Basic(n.to_string())
    }
}

/// encoding/json's isValidTag for ASCII names: letters, digits and the punctuation it allows.
fn valid_tag(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&()*+-./:;<=>?@[]^_{|}~ ".contains(c))
}

/// `*T.Present()`: a pointer that a JSON object must have.
fn must_be_present(t: &ast::Type) -> bool {
    match &t.kind {
        TypeKind::Constrained(base, links) => links.iter().any(|l| l.name.text == "Present") || must_be_present(base),
        TypeKind::Pointer(x) => must_be_present(x),
        _ => false,
    }
}

/// The name of an embedded field: its type's name without package, pointer or type arguments.
fn embedded_name(t: &ast::Type) -> Option<String> {
    match &t.kind {
        TypeKind::Named { name, .. } => Some(name.clone()),
        TypeKind::Pointer(x) => embedded_name(x),
        _ => None,
    }
}

fn receiver_base(t: &ast::Type) -> Option<String> {
    match &t.kind {
        TypeKind::Named { pkg: None, name, .. } => Some(name.clone()),
        _ => None,
    }
}

/// A generic declaration's type parameter names and its parameter list as Go source (`[K comparable, V any]`, the
/// written text with the checker's edits).
fn type_params(sources: &[SourceFile], out: &[FileOut], file: usize, spec: &ast::TypeSpec) -> (Vec<String>, String) {
    let (Some(first), Some(last)) = (spec.type_params.first(), spec.type_params.last()) else {
        return (vec![], String::new());
    };
    let names = spec.type_params.iter().map(|p| p.name.text.clone()).collect();
    let end = last.constraint.iter().map(|c| c.span.end).max().unwrap_or(last.name.span.end);
    let (Some(src), Some(o)) = (sources.get(file), out.get(file)) else { return (names, String::new()) };
    let range = first.name.span.start..end;
    if src.text.get(range.clone()).is_none() {
        return (names, String::new());
    }
    (names, format!("[{}]", splice(&src.text, range, &o.edits)))
}
