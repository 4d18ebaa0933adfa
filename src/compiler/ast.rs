//! The syntax tree of one `.ft` file: just enough structure for checking, inference and the span edits the Go emitter
//! makes. Every node keeps its byte span in the file, because the Go output is the user's own text with edits, not a
//! pretty-printed tree (comments and layout survive, and `//line` directives stay exact).

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct File {
    pub path: String,
    pub imports: Vec<Import>,
    pub decls: Vec<Decl>,
}

#[derive(Clone, Debug)]
pub struct Import {
    /// `None`: the package's own name; `Some(".")`, `Some("_")` or an alias.
    pub alias: Option<String>,
    pub path: String,
    pub span: Span,
}

impl Import {
    /// The name the file uses for the package: the alias, or the last path element — the one before a major-version
    /// suffix (`math/rand/v2` is package `rand`).
    pub fn local_name(&self) -> &str {
        match &self.alias {
            Some(a) => a,
            None => package_name(&self.path),
        }
    }
}

/// The package name an import path declares by convention: its last element, or the one before a `/vN` suffix.
pub fn package_name(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or(path);
    let is_version = last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    match parts.next() {
        Some(before) if is_version => before,
        _ => last,
    }
}

#[derive(Clone, Debug)]
pub struct Decl {
    pub kind: DeclKind,
    pub span: Span,
    /// The `//` comment block directly above, without markers (`//forst:` directives excluded).
    pub doc: Option<String>,
    /// Marked `//forst:internal`: a route file's helper, not an endpoint.
    pub internal: bool,
    /// The other `//forst:` directives above it, without the prefix (`status 404`).
    pub directives: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum DeclKind {
    Func(Box<Func>),
    Types(Vec<TypeSpec>),
    Vars(Vec<ValueSpec>),
    Consts(Vec<ValueSpec>),
    /// Forst `is (u User) Valid() { ... }`.
    Guard(Box<Guard>),
}

/// A type guard: a named check of a subject (with parameters), usable wherever `is` is, and on types
/// (`User.Valid()`). `ensure` failures in its body are its failures.
#[derive(Clone, Debug)]
pub struct Guard {
    pub subject: Param,
    pub name: Name,
    pub params: Vec<Param>,
    pub body: Block,
    /// Where `is` starts (the declaration keyword the Go output replaces).
    pub keyword: Span,
}

#[derive(Clone, Debug)]
pub struct Func {
    pub name: Name,
    pub receiver: Option<Param>,
    /// Type parameters with their constraints (`[K cmp.Ordered, V any]`); empty for ordinary functions.
    pub type_params: Vec<TypeParam>,
    pub sig: Signature,
    pub body: Option<Block>,
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub params: Vec<Param>,
    pub results: Vec<Param>,
    /// Byte offset of the `:` of a Forst result annotation (`func f(): T`).
    pub annot_colon: Option<usize>,
    /// Byte offset just after the parameter list: where an inferred result type goes.
    pub params_end: usize,
    /// The results were written `Result(T, E)` (Forst), here: `return v` means `return v, nil`.
    pub result_ctor: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: Option<Name>,
    pub ty: Type,
    pub variadic: bool,
}

#[derive(Clone, Debug)]
pub struct TypeSpec {
    pub name: Name,
    pub ty: Type,
    pub alias: bool,
    pub type_params: Vec<TypeParam>,
    /// Forst `error Name {...}`: the span of the `error` keyword.
    pub error_keyword: Option<Span>,
}

/// One type parameter and its constraint: the terms of `~int | ~float64`, or the interface `cmp.Ordered`.
#[derive(Clone, Debug)]
pub struct TypeParam {
    pub name: Name,
    pub constraint: Vec<Type>,
}

#[derive(Clone, Debug)]
pub struct ValueSpec {
    pub names: Vec<Name>,
    pub ty: Option<Type>,
    pub values: Vec<Expr>,
    /// Where the `:` of Forst's `var x: T` is.
    pub colon: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    /// `int`, `Record`, `sync.WaitGroup`, `List[int]`.
    Named {
        pkg: Option<String>,
        name: String,
        args: Vec<Type>,
    },
    Pointer(Box<Type>),
    Slice(Box<Type>),
    /// `[N]T`: the length as written (`4`, `sha256.Size`, `...` in composite literals), and as an expression (none for
    /// `...`): it may use packages and constants like any expression.
    Array(String, Option<Box<Expr>>, Box<Type>),
    Map(Box<Type>, Box<Type>),
    Chan(Box<Type>),
    Func(Box<Signature>),
    Struct(Vec<Field>),
    /// `interface{...}`; `empty` for `interface{}`.
    Interface {
        empty: bool,
    },
    /// Forst `{name: String, age: Int}`.
    Shape(Vec<Field>),
    /// Forst `Array(T)`, `Map(K, V)`, `Result(T, E)`: the constructor's name and arguments.
    Ctor(String, Vec<Type>),
    /// Forst `String.Min(3).Max(30)`: a base type and its constraints (or guards), in order.
    Constrained(Box<Type>, Vec<Link>),
    /// Forst `A | B` (named type declarations only).
    Union(Vec<Type>),
}

#[derive(Clone, Debug)]
pub struct Field {
    /// `None` for an embedded field.
    pub name: Option<Name>,
    pub ty: Type,
    pub tag: Option<String>,
    /// Forst `name?: T`.
    pub optional: bool,
}

/// One constraint or guard as written: `Min(3)`, `HasPrefix("+")`, `Valid` (a guard may omit its parentheses).
#[derive(Clone, Debug)]
pub struct Link {
    pub name: Name,
    /// Values, or types (`Err(ParseError)`, `Input({input: {...}})`) as `ExprKind::Type` or the expression they
    /// parsed as.
    pub args: Vec<Expr>,
    /// Each argument's source text (`3`, `"+"`, `-1.5`): constant arguments are read from it.
    pub texts: Vec<String>,
    pub parens: bool,
    pub span: Span,
}

impl Link {
    /// As written, normalised: `Min(3)`, `Valid()`.
    pub fn written(&self) -> String {
        format!("{}({})", self.name.text, self.texts.join(", "))
    }
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Return(Vec<Expr>),
    Define(Vec<Expr>, Vec<Expr>),
    Assign(Vec<Expr>, Vec<Expr>),
    Decl(Vec<ValueSpec>),
    Expr(Expr),
    Go(Expr),
    Defer(Expr),
    Send(Expr, Expr),
    IncDec(Expr),
    If {
        init: Option<Box<Stmt>>,
        cond: Expr,
        then: Block,
        els: Option<Box<Stmt>>,
    },
    For {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        post: Option<Box<Stmt>>,
        body: Block,
    },
    Range {
        keys: Vec<Expr>,
        define: bool,
        over: Expr,
        body: Block,
    },
    Switch {
        init: Option<Box<Stmt>>,
        tag: Option<Expr>,
        bind: Option<Name>,
        clauses: Vec<Clause>,
    },
    Select(Vec<Clause>),
    Block(Block),
    /// Forst `ensure cond [or value] [{ ... }]`.
    Ensure {
        cond: Expr,
        or: Option<Expr>,
        block: Option<Block>,
    },
    Labeled(Option<Box<Stmt>>),
    /// `break`, `continue`, `goto`, `fallthrough`, type declarations in bodies.
    Other,
}

/// A `case`/`default` clause of a switch or select: its items (expressions, types or a comm statement) and body.
#[derive(Clone, Debug)]
pub struct Clause {
    pub items: Vec<Expr>,
    pub comm: Option<Box<Stmt>>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Ident(String),
    Int,
    Float,
    Imag,
    Rune,
    Str,
    FuncLit(Box<Signature>, Block),
    /// `[]T{...}`, `map[K]V{...}`, `struct{...}{...}`, or (with `ty: None`) an elided nested `{...}`.
    Composite(Option<Type>, Vec<Element>),
    /// `Name{...}` / `pkg.Name{...}`: the type is an expression until checking resolves it.
    CompositeOf(Box<Expr>, Vec<Element>),
    /// Forst `{name: "a", age: 3}`.
    Shape(Vec<(Name, Expr)>),
    Paren(Box<Expr>),
    Selector(Box<Expr>, Name),
    /// `x.(T)`; the span of the whole expression; `dot` is where `.(` starts.
    Assert {
        x: Box<Expr>,
        ty: Type,
        dot: usize,
    },
    Call {
        fun: Box<Expr>,
        args: Vec<Expr>,
        spread: bool,
    },
    Index(Box<Expr>, Vec<Expr>),
    Slice(Box<Expr>, Vec<Option<Expr>>),
    Unary(&'static str, Box<Expr>),
    Binary(String, Box<Expr>, Box<Expr>),
    /// A type where an expression may stand: `make([]int, n)`, `[]byte(s)`.
    Type(Type),
    /// Forst `x is Min(1).Max(3)`, `x is Ok()`, `m is { input }`: true when the value passes.
    Is(Box<Expr>, IsTarget),
}

/// What `is` checks: a chain of constraints, guards, `Ok()`/`Err(T)`/`Nil()`/`Present()`, or a shape pattern.
#[derive(Clone, Debug)]
pub enum IsTarget {
    Links(Vec<Link>),
    /// `{ input }`, `{ userType: Admin }`.
    Pattern(Vec<(Name, Option<Expr>)>),
}

#[derive(Clone, Debug)]
pub struct Element {
    pub key: Option<Expr>,
    pub value: Expr,
}

impl Expr {
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Ident(n) => Some(n),
            ExprKind::Paren(inner) => inner.ident(),
            _ => None,
        }
    }
}
