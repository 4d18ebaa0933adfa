//! Parsing: `.ft` text → [`ast::File`], with the pest grammar in `grammar/forst.pest`.
//!
//! Two steps happen before pest sees the text. [`mark_statement_ends`] applies Go's semicolon rule (a newline after an
//! identifier, literal, `)`, `]`, `}`, `++`, `--` or `break continue fallthrough return` ends the statement) by
//! replacing exactly those newlines with SOH, byte for byte, so every span still points into the user's file; it also
//! turns comments into spaces, so that the grammar need not look for one between every two tokens. Then
//! [`split_declarations`] cuts the file at top-level keywords in column 1 and each piece is parsed on its own: a syntax
//! error costs one declaration, and the rest of the file is still checked (many errors per run).

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::diagnostic::Diagnostic;
use super::SourceFile;

mod brackets;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/forst.pest"]
struct ForstParser;

/// Parses one file. Declarations with syntax errors are left out of the tree and reported.
pub fn parse_file(file: &SourceFile) -> (File, Vec<Diagnostic>) {
    let marked = mark_statement_ends(&file.text);
    let mut out = File { path: file.path.clone(), ..File::default() };
    let mut diagnostics = Vec::new();
    for chunk in split_declarations(&marked) {
        let text = &marked[chunk.clone()];
        let rule = if chunk.start == 0 && !starts_declaration(text.trim_start_matches(['\n', '\x01', ' ', '\t', '\r']))
        {
            Rule::empty_chunk
        } else {
            Rule::decl_chunk
        };
        match ForstParser::parse(rule, text) {
            Ok(mut pairs) => {
                let b = Builder { base: chunk.start, source: &file.text };
                if let Some(top) = pairs.next() {
                    for pair in top.into_inner() {
                        b.top_level(pair, &mut out);
                    }
                }
            }
            Err(e) => diagnostics.push(syntax_error(&file.path, &file.text, chunk, e)),
        }
    }
    (out, diagnostics)
}

/// Go's automatic semicolons, as SOH bytes in place of the newlines that end statements; comments as spaces (their
/// newlines stay). Doc comments are read from the user's text, not from this one.
pub fn mark_statement_ends(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut ends_statement = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                if ends_statement && !continues_with_or(&bytes[i + 1..]) {
                    out[i] = 0x01;
                }
                ends_statement = false;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                blank(&mut out[start..i]);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
                // An unclosed comment stays: the grammar reports it.
                if i <= bytes.len() {
                    blank(&mut out[start..i]);
                }
            }
            b'"' | b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                ends_statement = true;
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
                i += 1;
                ends_statement = true;
            }
            b')' | b']' | b'}' => {
                ends_statement = true;
                i += 1;
            }
            b'+' | b'-' => {
                ends_statement = bytes.get(i + 1) == Some(&c);
                i += if ends_statement { 2 } else { 1 };
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'.' && bytes[start].is_ascii_digit()
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &text[start..i.min(text.len())];
                ends_statement = !is_keyword(word) || matches!(word, "break" | "continue" | "fallthrough" | "return");
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                ends_statement = false;
                i += 1;
            }
        }
    }
    // Only ASCII newlines were replaced by ASCII SOH: still valid UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Comment bytes become spaces (newlines stay): the grammar then has no comments to try between every two tokens.
fn blank(comment: &mut [u8]) {
    comment.iter_mut().filter(|b| **b != b'\n').for_each(|b| *b = b' ');
}

/// Forst lets `ensure ... or Err()` put its `or` on the next line: a line that starts with `or` and a name, `(`, `!`
/// or `{` continues the statement before it. (No Go statement starts that way: `or` followed by an operand.)
fn continues_with_or(rest: &[u8]) -> bool {
    let line = rest.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r')).map(|n| &rest[n..]).unwrap_or(&[]);
    let Some(after) = line.strip_prefix(b"or") else { return false };
    let gap = after.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    gap > 0
        && after
            .get(gap)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 || matches!(c, b'(' | b'!' | b'{'))
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "break"
            | "case"
            | "chan"
            | "const"
            | "continue"
            | "default"
            | "defer"
            | "else"
            | "fallthrough"
            | "for"
            | "func"
            | "go"
            | "goto"
            | "if"
            | "import"
            | "interface"
            | "map"
            | "package"
            | "range"
            | "return"
            | "select"
            | "struct"
            | "switch"
            | "type"
            | "var"
    )
}

fn starts_declaration(line: &str) -> bool {
    ["func", "type", "var", "const", "import", "package"].iter().any(|k| {
        line.strip_prefix(k).is_some_and(|rest| rest.starts_with([' ', '\t', '(', '\x01', '\n']) || rest.is_empty())
    }) || starts_forst_declaration(line)
}

/// Forst's own declarations: `error Name {` and `is (x T) Name`. Both are never Go at the start of a line (a Go
/// statement `error := …` or `is(x)` does not take that form).
fn starts_forst_declaration(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix("error") {
        let name = rest.trim_start_matches([' ', '\t']);
        let len = name.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(name.len());
        return name.len() < rest.len() && len > 0 && name[len..].trim_start_matches([' ', '\t']).starts_with('{');
    }
    line.strip_prefix("is").is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with('('))
}

/// Byte ranges of the file's top-level declarations: each starts at a column-1 keyword line and runs to the next.
/// Lines inside raw strings and block comments are not candidates.
pub fn split_declarations(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0];
    let mut in_raw = false;
    let mut in_block = false;
    let mut offset = 0;
    for line in text.split_inclusive(['\n', '\x01']) {
        if !in_raw && !in_block && offset > 0 && starts_declaration(line) {
            starts.push(offset);
        }
        let mut chars = line.char_indices().peekable();
        let mut in_str: Option<char> = None;
        while let Some((_, c)) = chars.next() {
            if in_block {
                if c == '*' && chars.peek().map(|p| p.1) == Some('/') {
                    chars.next();
                    in_block = false;
                }
            } else if in_raw {
                in_raw = c != '`';
            } else if let Some(q) = in_str {
                if c == '\\' {
                    chars.next();
                } else if c == q {
                    in_str = None;
                }
            } else {
                match c {
                    '`' => in_raw = true,
                    '"' | '\'' => in_str = Some(c),
                    '/' if chars.peek().map(|p| p.1) == Some('/') => break,
                    '/' if chars.peek().map(|p| p.1) == Some('*') => {
                        chars.next();
                        in_block = true;
                    }
                    _ => {}
                }
            }
        }
        offset += line.len();
    }
    let mut ranges = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        ranges.push(s..e);
    }
    ranges
}

// ------------------------------------------------------------------------------------------------ syntax errors

fn syntax_error(path: &str, text: &str, chunk: std::ops::Range<usize>, e: pest::error::Error<Rule>) -> Diagnostic {
    let at = chunk.start
        + match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
    let at = at.min(text.len());
    if let Some(d) = brackets::unclosed(path, text, chunk, at) {
        return d;
    }
    let positives = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (token, len) = token_at(text, at);
    let after_expression =
        positives.iter().any(|r| matches!(r, Rule::binary_op | Rule::call | Rule::selector | Rule::index_or_slice));
    let expected = describe_expected(&positives);
    let (message, help) = if after_expression && !token.starts_with("end of") {
        (
            format!("unexpected {token} after the expression; expected an operator or the end of the statement"),
            format!("remove {token}, or put it on a statement of its own"),
        )
    } else if expected.is_empty() {
        (format!("unexpected {token}"), "check the syntax around this place against Go's".to_string())
    } else {
        (format!("unexpected {token}; expected {expected}"), format!("write {expected} here"))
    };
    Diagnostic::error("F0001", message, path, at..at + len).with_label("here").with_help(help)
}

/// The token at `at`, described for a message: `` `g` ``, "end of line", "end of file".
fn token_at(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at..];
    let Some(c) = rest.chars().next() else { return ("end of file".into(), 0) };
    if c == '\n' || c == '\r' {
        return ("end of line".into(), 0);
    }
    if c.is_alphanumeric() || c == '_' {
        let len = rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_')).unwrap_or(rest.len());
        return (format!("`{}`", &rest[..len]), len);
    }
    (format!("`{c}`"), c.len_utf8())
}

fn describe_expected(positives: &[Rule]) -> String {
    let mut names: Vec<&str> = positives
        .iter()
        .filter_map(|r| {
            Some(match r {
                Rule::ident | Rule::param_name | Rule::ident_names | Rule::qualified_ident => "a name",
                Rule::expr
                | Rule::hexpr
                | Rule::unary
                | Rule::hunary
                | Rule::primary
                | Rule::hprimary
                | Rule::expr_list
                | Rule::hexpr_list
                | Rule::int_lit
                | Rule::string_lit
                | Rule::float_lit => "an expression",
                Rule::named_type
                | Rule::pointer_type
                | Rule::slice_type
                | Rule::map_type
                | Rule::struct_type
                | Rule::shape_type => "a type",
                Rule::block => "`{`",
                Rule::params => "`(`",
                Rule::func_decl
                | Rule::type_decl
                | Rule::var_decl
                | Rule::const_decl
                | Rule::import_decl
                | Rule::package_clause => "a declaration (func, type, var, const)",
                Rule::case_clause => "`case` or `default`",
                Rule::element | Rule::literal_value => "a value",
                Rule::shape_field => "a field",
                Rule::field_decl => "a field",
                _ => return None,
            })
        })
        .collect();
    names.dedup();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        _ => format!("{} or {}", names[..names.len() - 1].join(", "), names[names.len() - 1]),
    }
}

// ------------------------------------------------------------------------------------------------ tree building

struct Builder<'a> {
    /// Offset of the parsed chunk in the file: pest spans are chunk-relative.
    base: usize,
    source: &'a str,
}

fn kids(p: Pair<'_, Rule>) -> Vec<Pair<'_, Rule>> {
    p.into_inner().collect()
}

impl Builder<'_> {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        self.base + s.start()..self.base + s.end()
    }

    fn name(&self, p: &Pair<'_, Rule>) -> Name {
        Name { text: p.as_str().to_string(), span: self.span(p) }
    }

    fn top_level(&self, p: Pair<'_, Rule>, out: &mut File) {
        match p.as_rule() {
            Rule::import_decl => {
                for spec in p.into_inner() {
                    let span = self.span(&spec);
                    let mut alias = None;
                    let mut path = String::new();
                    for k in spec.into_inner() {
                        match k.as_rule() {
                            Rule::import_alias => alias = Some(k.as_str().to_string()),
                            _ => path = unquote(k.as_str()),
                        }
                    }
                    out.imports.push(Import { alias, path, span });
                }
            }
            Rule::func_decl
            | Rule::type_decl
            | Rule::var_decl
            | Rule::const_decl
            | Rule::error_decl
            | Rule::guard_decl => {
                let span = self.span(&p);
                let (doc, directives) = doc_comment(self.source, span.start);
                let internal = directives.iter().any(|d| d == "internal");
                let kind = match p.as_rule() {
                    Rule::func_decl => DeclKind::Func(Box::new(self.func(p))),
                    Rule::type_decl => DeclKind::Types(self.type_specs(p)),
                    Rule::var_decl => DeclKind::Vars(self.value_specs(p)),
                    Rule::error_decl => DeclKind::Types(vec![self.error_decl(p)]),
                    Rule::guard_decl => DeclKind::Guard(Box::new(self.guard(p))),
                    _ => DeclKind::Consts(self.value_specs(p)),
                };
                out.decls.push(Decl { kind, span, doc, internal, directives });
            }
            _ => {}
        }
    }

    fn func(&self, p: Pair<'_, Rule>) -> Func {
        let mut receiver = None;
        let mut name = Name { text: String::new(), span: 0..0 };
        let mut type_params = Vec::new();
        let mut sig = None;
        let mut body = None;
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::receiver => {
                    let parts = kids(k);
                    let (n, t) = match parts.len() {
                        2 => (Some(self.name(&parts[0])), parts[1].clone()),
                        _ => (None, parts[0].clone()),
                    };
                    receiver = Some(Param { name: n, ty: self.ty(t), variadic: false });
                }
                Rule::ident => name = self.name(&k),
                Rule::type_params => type_params = self.type_params(k),
                Rule::signature => sig = Some(self.signature(k)),
                Rule::block => body = Some(self.block(k)),
                _ => {}
            }
        }
        let sig = sig.unwrap_or(Signature {
            params: vec![],
            results: vec![],
            annot_colon: None,
            params_end: name.span.end,
            result_ctor: None,
        });
        Func { name, receiver, type_params, sig, body }
    }

    /// `error Name {fields}`: a type declaration of a shape, marked as a nominal error.
    fn error_decl(&self, p: Pair<'_, Rule>) -> TypeSpec {
        let span = self.span(&p);
        let keyword = span.start..span.start + "error".len();
        let mut name = Name { text: String::new(), span: span.clone() };
        let mut ty = None;
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::ident => name = self.name(&k),
                _ => ty = Some(self.ty(k)),
            }
        }
        let ty = ty.unwrap_or_else(|| self.unknown_type(name.span.clone()));
        TypeSpec { name, ty, alias: false, type_params: vec![], error_keyword: Some(keyword) }
    }

    /// `is (subject T) Name(params) { body }`.
    fn guard(&self, p: Pair<'_, Rule>) -> Guard {
        let span = self.span(&p);
        let mut parts = kids(p).into_iter();
        let subject_name = parts.next().map(|n| self.name(&n));
        let subject_ty = parts.next().map(|t| self.ty(t)).unwrap_or_else(|| self.unknown_type(span.clone()));
        let name = parts.next().map(|n| self.name(&n)).unwrap_or(Name { text: String::new(), span: span.clone() });
        let mut params = Vec::new();
        let mut body = Block { stmts: vec![], span: span.clone() };
        for k in parts {
            match k.as_rule() {
                Rule::params => params = self.params(k),
                _ => body = self.block(k),
            }
        }
        Guard {
            subject: Param { name: subject_name, ty: subject_ty, variadic: false },
            name,
            params,
            body,
            keyword: span.start..span.start + 2,
        }
    }

    fn type_params(&self, p: Pair<'_, Rule>) -> Vec<TypeParam> {
        let mut out = Vec::new();
        for tp in p.into_inner() {
            let mut names = Vec::new();
            let mut constraint = Vec::new();
            for k in tp.into_inner() {
                match k.as_rule() {
                    Rule::ident => names.push(self.name(&k)),
                    _ => constraint = k.into_inner().map(|term| self.ty(term)).collect(),
                }
            }
            out.extend(names.into_iter().map(|name| TypeParam { name, constraint: constraint.clone() }));
        }
        out
    }

    fn signature(&self, p: Pair<'_, Rule>) -> Signature {
        let mut params = Vec::new();
        let mut results = Vec::new();
        let mut annot_colon = None;
        let mut result_ctor = None;
        let mut params_end = self.span(&p).end;
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::params => {
                    params_end = self.span(&k).end;
                    params = self.params(k);
                }
                Rule::results | Rule::result_annot => {
                    if k.as_rule() == Rule::result_annot {
                        annot_colon = Some(self.span(&k).start);
                    }
                    if let Some(inner) = k.into_inner().next() {
                        results = if inner.as_rule() == Rule::params {
                            self.params(inner)
                        } else {
                            let ty = self.ty(inner);
                            match ty.kind {
                                // `Result(T, E)` is the results `(T, E)`: Go's form of "a value or an error".
                                TypeKind::Ctor(ref c, ref args) if c == "Result" && args.len() == 2 => {
                                    result_ctor = Some(ty.span.clone());
                                    args.iter().map(|t| Param { name: None, ty: t.clone(), variadic: false }).collect()
                                }
                                _ => vec![Param { name: None, ty, variadic: false }],
                            }
                        };
                    }
                }
                _ => {}
            }
        }
        Signature { params, results, annot_colon, params_end, result_ctor }
    }

    /// A parameter list, regrouped as Go reads it: `(a, b, c int)` parses as the types `a`, `b` and the named `c int`;
    /// when any parameter has a name, every bare identifier before it is a name sharing the next type.
    fn params(&self, p: Pair<'_, Rule>) -> Vec<Param> {
        let mut entries: Vec<Param> = Vec::new();
        for param in p.into_inner() {
            let mut name = None;
            let mut variadic = false;
            let mut ty = None;
            for k in param.into_inner() {
                match k.as_rule() {
                    Rule::param_name => name = Some(self.name(&k)),
                    Rule::variadic => variadic = true,
                    _ => ty = Some(self.ty(k)),
                }
            }
            if let Some(ty) = ty {
                entries.push(Param { name, ty, variadic });
            }
        }
        if entries.iter().all(|e| e.name.is_none()) {
            return entries;
        }
        let mut out = Vec::with_capacity(entries.len());
        let mut pending: Vec<Name> = Vec::new();
        for e in entries {
            match (&e.name, &e.ty.kind) {
                (None, TypeKind::Named { pkg: None, name, args }) if args.is_empty() => {
                    pending.push(Name { text: name.clone(), span: e.ty.span.clone() });
                }
                (None, _) => out.push(e), // not valid Go (mixed named and unnamed): go/types reports it
                (Some(_), _) => {
                    for n in pending.drain(..) {
                        out.push(Param { name: Some(n), ty: e.ty.clone(), variadic: e.variadic });
                    }
                    out.push(e);
                }
            }
        }
        // Trailing bare names without a type: invalid Go; keep them as types so the error surfaces.
        for n in pending {
            out.push(Param {
                name: None,
                ty: Type { kind: TypeKind::Named { pkg: None, name: n.text, args: vec![] }, span: n.span },
                variadic: false,
            });
        }
        out
    }

    fn type_specs(&self, p: Pair<'_, Rule>) -> Vec<TypeSpec> {
        p.into_inner()
            .map(|spec| {
                let mut name = Name { text: String::new(), span: 0..0 };
                let (mut alias, mut type_params, mut ty) = (false, Vec::new(), None);
                for k in spec.into_inner() {
                    match k.as_rule() {
                        Rule::ident => name = self.name(&k),
                        Rule::type_params => type_params = self.type_params(k),
                        Rule::alias_eq => alias = true,
                        Rule::union_type => {
                            let span = self.span(&k);
                            let members = k.into_inner().map(|t| self.ty(t)).collect();
                            ty = Some(Type { kind: TypeKind::Union(members), span });
                        }
                        _ => ty = Some(self.ty(k)),
                    }
                }
                let ty = ty.unwrap_or_else(|| self.unknown_type(name.span.clone()));
                TypeSpec { name, ty, alias, type_params, error_keyword: None }
            })
            .collect()
    }

    fn unknown_type(&self, span: Span) -> Type {
        Type { kind: TypeKind::Named { pkg: None, name: "any".into(), args: vec![] }, span }
    }

    fn value_specs(&self, p: Pair<'_, Rule>) -> Vec<ValueSpec> {
        p.into_inner()
            .map(|spec| {
                let mut vs = ValueSpec { names: vec![], ty: None, values: vec![], colon: None };
                for k in spec.into_inner() {
                    match k.as_rule() {
                        Rule::ident_names => vs.names = k.into_inner().map(|n| self.name(&n)).collect(),
                        Rule::expr_list => vs.values = self.exprs(k),
                        Rule::var_colon => vs.colon = Some(self.span(&k).start),
                        _ => vs.ty = Some(self.ty(k)),
                    }
                }
                vs
            })
            .collect()
    }

    // -------------------------------------------------------------------------------------------- types

    fn ty(&self, p: Pair<'_, Rule>) -> Type {
        let span = self.span(&p);
        let rule = p.as_rule();
        let text = p.as_str();
        let mut parts = kids(p);
        let mut next = || if parts.is_empty() { None } else { Some(parts.remove(0)) };
        let boxed = |b: &Self, x: Option<Pair<'_, Rule>>| {
            Box::new(x.map(|x| b.ty(x)).unwrap_or_else(|| b.unknown_type(span.clone())))
        };
        let kind = match rule {
            Rule::pointer_type => TypeKind::Pointer(boxed(self, next())),
            Rule::slice_type => TypeKind::Slice(boxed(self, next())),
            Rule::array_type => {
                let len = next();
                let text = len.as_ref().map(|l| l.as_str().to_string()).unwrap_or_default();
                let expr = len.filter(|l| l.as_rule() != Rule::ellipsis).map(|l| Box::new(self.expr(l)));
                TypeKind::Array(text, expr, boxed(self, next()))
            }
            Rule::map_type => {
                let k = boxed(self, next());
                TypeKind::Map(k, boxed(self, next()))
            }
            Rule::chan_type => {
                let mut t = next();
                while t.as_ref().is_some_and(|t| matches!(t.as_rule(), Rule::chan_recv | Rule::chan_send)) {
                    t = next();
                }
                TypeKind::Chan(boxed(self, t))
            }
            Rule::func_type => TypeKind::Func(Box::new(match next() {
                Some(sig) => self.signature(sig),
                None => Signature {
                    params: vec![],
                    results: vec![],
                    annot_colon: None,
                    params_end: span.end,
                    result_ctor: None,
                },
            })),
            Rule::struct_type => TypeKind::Struct(parts.into_iter().flat_map(|f| self.fields(f)).collect()),
            Rule::shape_type => TypeKind::Shape(
                parts
                    .into_iter()
                    .map(|f| {
                        let fk = kids(f);
                        let optional = fk.iter().any(|k| k.as_rule() == Rule::optional_mark);
                        let ty =
                            fk.last().map(|t| self.ty(t.clone())).unwrap_or_else(|| self.unknown_type(span.clone()));
                        Field { name: Some(self.name(&fk[0])), ty, tag: None, optional }
                    })
                    .collect(),
            ),
            Rule::type_ctor => {
                let name = next().map(|n| n.as_str().to_string()).unwrap_or_default();
                let mut args = Vec::new();
                let mut links = Vec::new();
                for k in parts.drain(..) {
                    if k.as_rule() == Rule::constraint_link {
                        links.push(self.link(k));
                    } else {
                        args.push(self.ty(k));
                    }
                }
                let ctor = TypeKind::Ctor(name, args);
                if links.is_empty() {
                    ctor
                } else {
                    let end = links.first().map(|l| l.span.start).unwrap_or(span.end);
                    // The constructor's own span ends before its first constraint.
                    let base = Type { kind: ctor, span: span.start..end.saturating_sub(1) };
                    TypeKind::Constrained(Box::new(base), links)
                }
            }
            Rule::constrained_type => {
                let base = next()
                    .and_then(|b| b.into_inner().next())
                    .map(|q| {
                        let qspan = self.span(&q);
                        let (pkg, name) = match q.as_str().split_once('.') {
                            Some((p, n)) => (Some(p.to_string()), n.to_string()),
                            None => (None, q.as_str().to_string()),
                        };
                        Type { kind: TypeKind::Named { pkg, name, args: vec![] }, span: qspan }
                    })
                    .unwrap_or_else(|| self.unknown_type(span.clone()));
                let links = parts.drain(..).map(|l| self.link(l)).collect();
                TypeKind::Constrained(Box::new(base), links)
            }
            Rule::interface_type => TypeKind::Interface { empty: parts.is_empty() },
            Rule::paren_type | Rule::literal_type | Rule::type_operand | Rule::constraint_term => {
                return match next() {
                    Some(inner) => self.ty(inner),
                    None => self.unknown_type(span),
                }
            }
            Rule::named_type => {
                let q = next().map(|q| q.as_str().to_string()).unwrap_or_default();
                let args = next().map(|a| a.into_inner().map(|t| self.ty(t)).collect()).unwrap_or_default();
                let (pkg, name) = match q.split_once('.') {
                    Some((p, n)) => (Some(p.to_string()), n.to_string()),
                    None => (None, q),
                };
                TypeKind::Named { pkg, name, args }
            }
            _ => TypeKind::Named { pkg: None, name: text.to_string(), args: vec![] },
        };
        Type { kind, span }
    }

    fn fields(&self, p: Pair<'_, Rule>) -> Vec<Field> {
        let mut names = Vec::new();
        let mut ty = None;
        let mut tag = None;
        let mut embedded = None;
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::ident_names => names = k.into_inner().map(|n| self.name(&n)).collect(),
                Rule::tag => tag = Some(unquote(k.as_str())),
                Rule::embedded => {
                    let span = self.span(&k);
                    let pointer = k.as_str().starts_with('*');
                    let inner =
                        k.into_inner().next().map(|t| self.ty(t)).unwrap_or_else(|| self.unknown_type(span.clone()));
                    embedded =
                        Some(if pointer { Type { kind: TypeKind::Pointer(Box::new(inner)), span } } else { inner });
                }
                _ => ty = Some(self.ty(k)),
            }
        }
        if let Some(t) = embedded {
            return vec![Field { name: None, ty: t, tag, optional: false }];
        }
        let Some(ty) = ty else { return vec![] };
        names.into_iter().map(|n| Field { name: Some(n), ty: ty.clone(), tag: tag.clone(), optional: false }).collect()
    }

    /// `.Min(3)` (a constraint_link), or `Min(3)` / `Valid` (an is_link).
    fn link(&self, p: Pair<'_, Rule>) -> Link {
        let span = self.span(&p);
        let mut name = Name { text: String::new(), span: span.clone() };
        let mut args = Vec::new();
        let mut texts = Vec::new();
        let mut parens = false;
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::ident => name = self.name(&k),
                Rule::constraint_args => {
                    parens = true;
                    for a in k.into_inner() {
                        texts.push(a.as_str().split_whitespace().collect::<Vec<_>>().join(" "));
                        args.push(self.expr(a));
                    }
                }
                _ => {}
            }
        }
        let start = name.span.start;
        Link { name, args, texts, parens, span: start..span.end }
    }

    // -------------------------------------------------------------------------------------------- statements

    fn block(&self, p: Pair<'_, Rule>) -> Block {
        let span = self.span(&p);
        let stmts = p.into_inner().next().map(|list| self.stmts(list)).unwrap_or_default();
        Block { stmts, span }
    }

    fn stmts(&self, list: Pair<'_, Rule>) -> Vec<Stmt> {
        list.into_inner().map(|s| self.stmt(s)).collect()
    }

    fn opt_stmt(&self, p: Option<Pair<'_, Rule>>) -> Option<Box<Stmt>> {
        p.map(|p| Box::new(self.stmt(p)))
    }

    fn stmt(&self, p: Pair<'_, Rule>) -> Stmt {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut parts = kids(p);
        let kind = match rule {
            Rule::simple_stmt | Rule::header_simple => {
                // expr_list [op rest]: the operator says which statement it is.
                let mut it = parts.into_iter();
                let lhs = self.exprs_or_one(it.next());
                match (it.next(), it.next()) {
                    (None, _) => match lhs.len() {
                        1 => StmtKind::Expr(lhs.into_iter().next().unwrap_or_else(|| self.unknown_expr(&span))),
                        _ => StmtKind::Other,
                    },
                    (Some(op), rest) => {
                        let rhs = self.exprs_or_one(rest);
                        let first = || lhs.first().cloned().unwrap_or_else(|| self.unknown_expr(&span));
                        match op.as_rule() {
                            Rule::define_op => StmtKind::Define(lhs.clone(), rhs),
                            Rule::inc_dec_op => StmtKind::IncDec(first()),
                            Rule::send_op => StmtKind::Send(
                                first(),
                                rhs.into_iter().next().unwrap_or_else(|| self.unknown_expr(&span)),
                            ),
                            _ => StmtKind::Assign(lhs.clone(), rhs),
                        }
                    }
                }
            }
            Rule::return_stmt => StmtKind::Return(parts.pop().map(|l| self.exprs(l)).unwrap_or_default()),
            Rule::decl_stmt => match parts.pop() {
                Some(d) if d.as_rule() != Rule::type_decl => StmtKind::Decl(self.value_specs(d)),
                _ => StmtKind::Other,
            },
            Rule::go_stmt => StmtKind::Go(self.expr_or_unknown(parts.pop(), &span)),
            Rule::defer_stmt => StmtKind::Defer(self.expr_or_unknown(parts.pop(), &span)),
            Rule::block => StmtKind::Block(Block {
                stmts: parts.pop().map(|l| self.stmts(l)).unwrap_or_default(),
                span: span.clone(),
            }),
            Rule::labeled_stmt => StmtKind::Labeled(self.opt_stmt(parts.into_iter().nth(1))),
            Rule::if_stmt => {
                let mut init = None;
                let mut cond = None;
                let mut then = None;
                let mut els = None;
                for k in parts {
                    match k.as_rule() {
                        Rule::header_simple => {
                            let s = self.stmt(k);
                            match s.kind {
                                StmtKind::Expr(e) => cond = Some(e),
                                _ => init = Some(Box::new(s)),
                            }
                        }
                        Rule::header_expr if cond.is_some() => {
                            // `if x; y {`: what looked like the condition was an expression statement.
                            let first = cond.take().map(|e| Stmt { span: e.span.clone(), kind: StmtKind::Expr(e) });
                            init = first.map(Box::new);
                            cond = k.into_inner().next().map(|e| self.expr(e));
                        }
                        Rule::header_expr => cond = k.into_inner().next().map(|e| self.expr(e)),
                        Rule::block if then.is_none() => then = Some(self.block(k)),
                        _ => els = self.opt_stmt(Some(k)),
                    }
                }
                StmtKind::If {
                    init,
                    cond: cond.unwrap_or_else(|| self.unknown_expr(&span)),
                    then: then.unwrap_or(Block { stmts: vec![], span: span.clone() }),
                    els,
                }
            }
            Rule::for_stmt => {
                let body = parts.pop().map(|b| self.block(b)).unwrap_or(Block { stmts: vec![], span: span.clone() });
                match parts.pop() {
                    Some(h) if h.as_rule() == Rule::range_clause => {
                        let define = h.as_str().contains(":=");
                        let mut hk = kids(h);
                        let over = self.expr_or_unknown(hk.pop(), &span);
                        let keys = hk.pop().map(|l| self.exprs(l)).unwrap_or_default();
                        StmtKind::Range { keys, define, over, body }
                    }
                    Some(h) if h.as_rule() == Rule::for_clause => {
                        // `init; cond; post`, each optional: tell them apart by their position around the semicolons.
                        let text = h.as_str();
                        let h_start = h.as_span().start();
                        let first_semi = text.find([';', '\x01']).unwrap_or(0);
                        let mut init = None;
                        let mut cond = None;
                        let mut post = None;
                        for k in h.into_inner() {
                            let rel = k.as_span().start() - h_start;
                            match k.as_rule() {
                                Rule::header_expr => cond = k.into_inner().next().map(|e| self.expr(e)),
                                _ if rel < first_semi => init = self.opt_stmt(Some(k)),
                                _ => post = self.opt_stmt(Some(k)),
                            }
                        }
                        StmtKind::For { init, cond, post, body }
                    }
                    Some(h) => StmtKind::For {
                        init: None,
                        cond: h.into_inner().next().map(|e| self.expr(e)),
                        post: None,
                        body,
                    },
                    None => StmtKind::For { init: None, cond: None, post: None, body },
                }
            }
            Rule::switch_stmt => {
                let mut init = None;
                let mut tag = None;
                let mut bind = None;
                let mut clauses = Vec::new();
                for k in parts {
                    match k.as_rule() {
                        Rule::header_simple => init = self.opt_stmt(Some(k)),
                        Rule::header_expr => tag = k.into_inner().next().map(|e| self.expr(e)),
                        Rule::type_switch_guard => {
                            for g in k.into_inner() {
                                match g.as_rule() {
                                    Rule::ident => bind = Some(self.name(&g)),
                                    _ => tag = Some(self.expr(g)),
                                }
                            }
                        }
                        Rule::case_clause => clauses.push(self.clause(k)),
                        _ => {}
                    }
                }
                StmtKind::Switch { init, tag, bind, clauses }
            }
            Rule::select_stmt => StmtKind::Select(parts.into_iter().map(|c| self.clause(c)).collect()),
            Rule::ensure_stmt => {
                let mut cond = None;
                let mut or = None;
                let mut block = None;
                for k in parts {
                    match k.as_rule() {
                        Rule::ensure_or => or = k.into_inner().next().map(|e| self.expr(e)),
                        Rule::block => block = Some(self.block(k)),
                        Rule::ensure_shape => {
                            let espan = self.span(&k);
                            let mut ek = kids(k).into_iter();
                            let subject = self.expr_or_unknown(ek.next(), &espan);
                            let pattern = ek.next().map(|p| self.pattern(p)).unwrap_or_default();
                            cond = Some(Expr {
                                kind: ExprKind::Is(Box::new(subject), IsTarget::Pattern(pattern)),
                                span: espan,
                            });
                        }
                        _ => cond = Some(self.expr(k)),
                    }
                }
                StmtKind::Ensure { cond: cond.unwrap_or_else(|| self.unknown_expr(&span)), or, block }
            }
            _ => StmtKind::Other,
        };
        Stmt { kind, span }
    }

    /// `{ input }`, `{ userType: Admin }`.
    fn pattern(&self, p: Pair<'_, Rule>) -> Vec<(Name, Option<Expr>)> {
        p.into_inner()
            .map(|f| {
                let mut fk = f.into_inner();
                let name = fk.next().map(|n| self.name(&n)).unwrap_or(Name { text: String::new(), span: 0..0 });
                (name, fk.next().map(|e| self.expr(e)))
            })
            .collect()
    }

    fn clause(&self, p: Pair<'_, Rule>) -> Clause {
        let mut clause = Clause { items: vec![], comm: None, body: vec![] };
        for k in p.into_inner() {
            match k.as_rule() {
                Rule::case_list => clause.items = k.into_inner().map(|i| self.expr(i)).collect(),
                Rule::stmt_list => clause.body = self.stmts(k),
                _ => clause.comm = self.opt_stmt(Some(k)),
            }
        }
        clause
    }

    // -------------------------------------------------------------------------------------------- expressions

    fn exprs(&self, p: Pair<'_, Rule>) -> Vec<Expr> {
        p.into_inner().map(|e| self.expr(e)).collect()
    }

    /// An expression list, or a single expression where the grammar allows one.
    fn exprs_or_one(&self, p: Option<Pair<'_, Rule>>) -> Vec<Expr> {
        match p {
            Some(p) if matches!(p.as_rule(), Rule::expr_list | Rule::hexpr_list) => self.exprs(p),
            Some(p) => vec![self.expr(p)],
            None => vec![],
        }
    }

    fn expr_or_unknown(&self, p: Option<Pair<'_, Rule>>, span: &Span) -> Expr {
        p.map(|p| self.expr(p)).unwrap_or_else(|| self.unknown_expr(span))
    }

    fn unknown_expr(&self, span: &Span) -> Expr {
        Expr { kind: ExprKind::Ident("_".into()), span: span.clone() }
    }

    fn expr(&self, p: Pair<'_, Rule>) -> Expr {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr | Rule::hexpr => {
                // Operands and operators alternate; fold them by Go's five precedence levels.
                let mut operands = Vec::new();
                let mut ops = Vec::new();
                for k in p.into_inner() {
                    if k.as_rule() == Rule::binary_op {
                        ops.push(k.as_str().to_string());
                    } else {
                        operands.push(self.expr(k));
                    }
                }
                fold_binary(operands, ops)
            }
            Rule::unary | Rule::hunary => {
                let mut parts = kids(p);
                let is = parts.pop_if(|last| last.as_rule() == Rule::is_suffix);
                let mut e = match parts.pop() {
                    Some(last) => self.expr(last),
                    None => return self.unknown_expr(&span),
                };
                if let Some(is) = is {
                    // `!x is Ok()` is `!(x is Ok())`: the unary operators apply to the check.
                    let end = self.span(&is).end;
                    let links = is.into_inner().map(|l| self.link(l)).collect();
                    let start = e.span.start;
                    e = Expr { kind: ExprKind::Is(Box::new(e), IsTarget::Links(links)), span: start..end };
                }
                for op in parts.into_iter().rev() {
                    let start = self.span(&op).start;
                    let op: &'static str = match op.as_str() {
                        "<-" => "<-",
                        "+" => "+",
                        "-" => "-",
                        "!" => "!",
                        "^" => "^",
                        "*" => "*",
                        _ => "&",
                    };
                    let end = e.span.end;
                    e = Expr { kind: ExprKind::Unary(op, Box::new(e)), span: start..end };
                }
                e
            }
            Rule::primary | Rule::hprimary => {
                let mut parts = p.into_inner();
                let Some(first) = parts.next() else { return self.unknown_expr(&span) };
                let start = span.start;
                let mut e = self.expr(first);
                for post in parts {
                    let pspan = self.span(&post);
                    let whole = start..pspan.end;
                    let kind = match post.as_rule() {
                        Rule::selector => {
                            let n = post
                                .into_inner()
                                .next()
                                .map(|n| self.name(&n))
                                .unwrap_or(Name { text: String::new(), span: pspan });
                            ExprKind::Selector(Box::new(e), n)
                        }
                        Rule::type_assert => {
                            let ty = post
                                .into_inner()
                                .next()
                                .map(|t| self.ty(t))
                                .unwrap_or_else(|| self.unknown_type(pspan.clone()));
                            ExprKind::Assert { x: Box::new(e), ty, dot: pspan.start }
                        }
                        Rule::call => {
                            let mut args = Vec::new();
                            let mut spread = false;
                            for a in post.into_inner() {
                                if a.as_rule() == Rule::spread {
                                    spread = true;
                                } else {
                                    args.push(self.expr(a));
                                }
                            }
                            ExprKind::Call { fun: Box::new(e), args, spread }
                        }
                        Rule::index_or_slice => match post.into_inner().next() {
                            Some(inner) if inner.as_rule() == Rule::slice_expr => {
                                ExprKind::Slice(Box::new(e), inner.into_inner().map(|x| Some(self.expr(x))).collect())
                            }
                            Some(inner) => {
                                ExprKind::Index(Box::new(e), inner.into_inner().map(|x| self.expr(x)).collect())
                            }
                            None => ExprKind::Index(Box::new(e), vec![]),
                        },
                        _ => {
                            let elems = post.into_inner().next().map(|lv| self.elements(lv)).unwrap_or_default();
                            ExprKind::CompositeOf(Box::new(e), elems)
                        }
                    };
                    e = Expr { kind, span: whole };
                }
                e
            }
            Rule::ident => Expr { kind: ExprKind::Ident(p.as_str().to_string()), span },
            Rule::int_lit => Expr { kind: ExprKind::Int, span },
            Rule::float_lit => Expr { kind: ExprKind::Float, span },
            Rule::imaginary_lit => Expr { kind: ExprKind::Imag, span },
            Rule::rune_lit => Expr { kind: ExprKind::Rune, span },
            Rule::string_lit => Expr { kind: ExprKind::Str, span },
            Rule::paren_expr => {
                let inner = self.expr_or_unknown(p.into_inner().next(), &span);
                Expr { kind: ExprKind::Paren(Box::new(inner)), span }
            }
            Rule::func_lit => {
                let mut parts = kids(p);
                let body = parts.pop().map(|b| self.block(b)).unwrap_or(Block { stmts: vec![], span: span.clone() });
                let sig = parts.pop().map(|s| self.signature(s)).unwrap_or(Signature {
                    params: vec![],
                    results: vec![],
                    annot_colon: None,
                    params_end: span.start,
                    result_ctor: None,
                });
                Expr { kind: ExprKind::FuncLit(Box::new(sig), body), span }
            }
            Rule::composite_lit | Rule::composite_lit_typed => {
                let mut parts = kids(p);
                let elems = parts.pop().map(|lv| self.elements(lv)).unwrap_or_default();
                let ty = parts.pop().map(|t| self.ty(t));
                Expr { kind: ExprKind::Composite(ty, elems), span }
            }
            Rule::literal_value => Expr { kind: ExprKind::Composite(None, self.elements(p)), span },
            Rule::shape_lit => {
                let fields = p
                    .into_inner()
                    .map(|f| {
                        let mut fk = kids(f);
                        let value = self.expr_or_unknown(fk.pop(), &span);
                        let name =
                            fk.pop().map(|n| self.name(&n)).unwrap_or(Name { text: String::new(), span: span.clone() });
                        (name, value)
                    })
                    .collect();
                Expr { kind: ExprKind::Shape(fields), span }
            }
            Rule::key | Rule::elem_value => self.expr_or_unknown(p.into_inner().next(), &span),
            // A type in expression position (call arguments, index lists, type_operand).
            _ => Expr { kind: ExprKind::Type(self.ty(p)), span },
        }
    }

    fn elements(&self, lv: Pair<'_, Rule>) -> Vec<Element> {
        lv.into_inner()
            .map(|el| {
                let mut parts = kids(el);
                let value = parts.pop().map(|v| self.expr(v)).unwrap_or_else(|| self.unknown_expr(&(0..0)));
                Element { key: parts.pop().map(|k| self.expr(k)), value }
            })
            .collect()
    }
}

fn precedence(op: &str) -> u8 {
    match op {
        "||" => 1,
        "&&" => 2,
        "==" | "!=" | "<" | "<=" | ">" | ">=" => 3,
        "+" | "-" | "|" | "^" => 4,
        _ => 5,
    }
}

/// Precedence climbing over an operand/operator sequence (left-associative within a level).
fn fold_binary(operands: Vec<Expr>, ops: Vec<String>) -> Expr {
    let mut output: Vec<Expr> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let reduce = |output: &mut Vec<Expr>, op: String| {
        let (Some(r), Some(l)) = (output.pop(), output.pop()) else { return };
        let span = l.span.start..r.span.end;
        output.push(Expr { kind: ExprKind::Binary(op, Box::new(l), Box::new(r)), span });
    };
    let mut operands = operands.into_iter();
    if let Some(first) = operands.next() {
        output.push(first);
    }
    for (op, operand) in ops.into_iter().zip(operands) {
        while stack.last().is_some_and(|top| precedence(top) >= precedence(&op)) {
            let top = stack.pop().unwrap_or_default();
            reduce(&mut output, top);
        }
        stack.push(op);
        output.push(operand);
    }
    while let Some(op) = stack.pop() {
        reduce(&mut output, op);
    }
    output.pop().unwrap_or(Expr { kind: ExprKind::Ident("_".into()), span: 0..0 })
}

/// The `//` block directly above `start` (no blank line between), and its `//forst:` directives (`internal`,
/// `status 404`).
fn doc_comment(source: &str, start: usize) -> (Option<String>, Vec<String>) {
    let before = &source[..start.min(source.len())];
    let mut lines: Vec<&str> = Vec::new();
    let mut directives = Vec::new();
    for line in before.lines().rev() {
        let t = line.trim();
        let Some(text) = t.strip_prefix("//") else { break };
        if let Some(directive) = text.strip_prefix("forst:") {
            directives.push(directive.split_whitespace().collect::<Vec<_>>().join(" "));
            continue;
        }
        lines.push(text.strip_prefix(' ').unwrap_or(text));
    }
    // `lines()` drops the part after the last newline; the declaration starts at a line start, so nothing is lost.
    lines.reverse();
    // A file banner right above the first declaration (`// forst/routes/search.ft ...`) is not documentation.
    if lines.first().is_some_and(|l| l.split_whitespace().next().is_some_and(|w| w.ends_with(".ft"))) {
        lines.remove(0);
    }
    let doc = if lines.is_empty() { None } else { Some(lines.join("\n")) };
    directives.reverse();
    (doc, directives)
}

/// The value of a Go string literal as written in an import path or a struct tag.
pub fn unquote(lit: &str) -> String {
    if let Some(raw) = lit.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return raw.to_string();
    }
    let inner = lit.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(lit);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (File, Vec<Diagnostic>) {
        parse_file(&SourceFile { path: "t.ft".into(), text: text.into() })
    }

    #[test]
    fn semicolons_follow_gos_rule() {
        let marked = mark_statement_ends("x := f(a,\n b)\nreturn\ny++\nif x {\n}\n");
        assert_eq!(marked, "x := f(a,\n b)\x01return\x01y++\x01if x {\n}\x01");
    }

    #[test]
    fn strings_and_comments_do_not_confuse_the_marker() {
        let marked = mark_statement_ends("s := `a\nb` // c\nt := \"x\\\"\"\n");
        assert_eq!(marked, "s := `a\nb`     \x01t := \"x\\\"\"\x01");
    }

    #[test]
    fn comments_become_spaces_byte_for_byte_and_strings_keep_theirs() {
        let text = "x := 1 /* é\n */ + 2 // ü\ns := \"// no\" + `/* no */`\n";
        let marked = mark_statement_ends(text);
        assert_eq!(marked, "x := 1      \n    + 2      \x01s := \"// no\" + `/* no */`\x01");
        assert_eq!(marked.len(), text.len());
        // An unclosed block comment stays as it is written: the parser reports it.
        assert_eq!(mark_statement_ends("x /* open"), "x /* open");
    }

    #[test]
    fn parses_the_rfc_snippets() {
        for src in [
            include_str!("../../examples/express-app/forst/routes/process_data.ft"),
            include_str!("../../examples/express-app/forst/routes/calculate.ft"),
            include_str!("../../examples/express-app/forst/routes/search.ft"),
            include_str!("../../examples/express-app/forst/routes/process_large_dataset.ft"),
            include_str!("../../examples/express-app/forst/shared/helpers.ft"),
        ] {
            let (file, diags) = parse(src);
            assert!(diags.is_empty(), "{diags:#?}");
            assert!(!file.decls.is_empty());
        }
    }

    #[test]
    fn the_rfc_typo_is_one_error_at_the_g() {
        let src = "func f(queries []string) {\n  results := make(chan int, len(queries))g\n  _ = results\n}\n\nfunc ok() {}\n";
        let (file, diags) = parse(src);
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let at = src.find(")g").unwrap() + 1;
        assert_eq!(diags[0].span, at..at + 1);
        assert!(diags[0].message.contains("unexpected `g`"), "{}", diags[0].message);
        assert_eq!(file.decls.len(), 1, "the next declaration still parses");
    }

    #[test]
    fn sugar_parses() {
        let (file, diags) = parse("func greet(name String): String {\n  return \"hi \" + name\n}\ntype P = {name: String, age: Int}\nfunc mk(): {a: Int} {\n  return {a: 1}\n}\n");
        assert!(diags.is_empty(), "{diags:#?}");
        let DeclKind::Func(f) = &file.decls[0].kind else { panic!() };
        assert!(f.sig.annot_colon.is_some());
        assert_eq!(f.sig.results.len(), 1);
    }

    #[test]
    fn doc_comments_and_internal_marker() {
        let (file, _) = parse("// greet says hi.\n// Twice.\n//forst:internal\nfunc greet() {}\n");
        assert_eq!(file.decls[0].doc.as_deref(), Some("greet says hi.\nTwice."));
        assert!(file.decls[0].internal);
    }

    #[test]
    fn constraint_types_ctors_and_qualified_names() {
        let (file, diags) = parse("type U = String.Min(3).Max(30)\ntype A = Array(Int).Max(2)\ntype T = time.Duration\ntype S = {name?: String, at: time.Time}\n");
        assert!(diags.is_empty(), "{diags:#?}");
        let ty = |i: usize| match &file.decls[i].kind {
            DeclKind::Types(specs) => specs[0].ty.kind.clone(),
            _ => panic!(),
        };
        let TypeKind::Constrained(base, links) = ty(0) else { panic!("{:?}", ty(0)) };
        assert!(matches!(base.kind, TypeKind::Named { ref name, .. } if name == "String"));
        assert_eq!(links.iter().map(|l| l.written()).collect::<Vec<_>>(), ["Min(3)", "Max(30)"]);
        let TypeKind::Constrained(base, _) = ty(1) else { panic!() };
        assert!(matches!(base.kind, TypeKind::Ctor(ref c, _) if c == "Array"));
        assert!(matches!(ty(2), TypeKind::Named { pkg: Some(_), .. }), "pkg.Type stays a name");
        let TypeKind::Shape(fields) = ty(3) else { panic!() };
        assert!(fields[0].optional && !fields[1].optional);
    }

    #[test]
    fn a_call_in_a_case_is_an_expression_not_a_constraint_type() {
        let (file, diags) = parse(
            "func f(err error) int {\n  switch {\n  case errors.Is(err, io.EOF):\n    return 1\n  }\n  return 0\n}\n",
        );
        assert!(diags.is_empty(), "{diags:#?}");
        let DeclKind::Func(f) = &file.decls[0].kind else { panic!() };
        let StmtKind::Switch { clauses, .. } = &f.body.as_ref().unwrap().stmts[0].kind else { panic!() };
        assert!(matches!(clauses[0].items[0].kind, ExprKind::Call { .. }), "{:?}", clauses[0].items[0].kind);
    }

    #[test]
    fn ensure_is_errors_and_guards_parse() {
        let src = "error TooFast {}\nis (u User) Valid() {\n  ensure u.age is Min(0)\n}\nfunc drive(speed Int) {\n  ensure speed is LessThan(100)\n      or TooFast()\n  ensure !err { log() }\n  if x is Ok() {\n  }\n}\n";
        let (file, diags) = parse(src);
        assert!(diags.is_empty(), "{diags:#?}");
        assert!(matches!(&file.decls[0].kind, DeclKind::Types(s) if s[0].error_keyword.is_some()));
        assert!(matches!(&file.decls[1].kind, DeclKind::Guard(g) if g.name.text == "Valid"));
        let DeclKind::Func(f) = &file.decls[2].kind else { panic!() };
        let stmts = &f.body.as_ref().unwrap().stmts;
        assert!(
            matches!(&stmts[0].kind, StmtKind::Ensure { or: Some(_), block: None, .. }),
            "`or` on the next line continues"
        );
        assert!(matches!(
            &stmts[1].kind,
            StmtKind::Ensure { cond: Expr { kind: ExprKind::Unary("!", _), .. }, block: Some(_), .. }
        ));
        assert!(matches!(&stmts[2].kind, StmtKind::If { cond: Expr { kind: ExprKind::Is(..), .. }, .. }));
    }

    #[test]
    fn go_identifiers_named_ensure_is_or_error_stay_go() {
        let src =
            "func f() {\n  ensure := 1\n  is := ensure\n  or := is\n  ensure(or)\n  error := or\n  _ = error\n}\n";
        let (file, diags) = parse(src);
        assert!(diags.is_empty(), "{diags:#?}");
        let DeclKind::Func(f) = &file.decls[0].kind else { panic!() };
        let stmts = &f.body.as_ref().unwrap().stmts;
        assert!(!stmts.iter().any(|s| matches!(s.kind, StmtKind::Ensure { .. })));
        assert!(matches!(&stmts[3].kind, StmtKind::Expr(Expr { kind: ExprKind::Call { .. }, .. })));
    }

    #[test]
    fn binary_precedence() {
        let (file, diags) = parse("var x = 1 + 2*3 == 7 && true\n");
        assert!(diags.is_empty());
        let DeclKind::Vars(v) = &file.decls[0].kind else { panic!() };
        let ExprKind::Binary(op, ..) = &v[0].values[0].kind else { panic!() };
        assert_eq!(op, "&&");
    }
}
