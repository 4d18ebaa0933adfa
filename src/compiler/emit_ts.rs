//! TypeScript output: an interface per project type an endpoint reaches, a `<Name>Result` type for results inferred
//! from map literals, and one `export declare function` per endpoint. Field names come from JSON tags, `omitempty`
//! makes a field optional, pointers may be `null`.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::check::{reachable_named, EndpointInfo, TypeDef};
use super::types::{self, Ty};

pub const CALL_OPTIONS: &str = "export interface ForstCallOptions {
  /** Aborts the call: the HTTP request is cancelled and so is the Go context. */
  signal?: AbortSignal;
  /** Fails the call with code \"timeout\" after this many milliseconds. */
  timeoutMs?: number;
}

export interface ForstHandlerOptions {
  /**
   * What the function receives: the request body as it came (default), `req.params`, `req.query`, or what a
   * function of the request returns.
   */
  input?: \"body\" | \"params\" | \"query\" | ((req: any) => unknown);
  /** Fails the call with code \"timeout\" after this many milliseconds. */
  timeoutMs?: number;
}

/** A route handler for node:http, Connect and Express 4/5: `app.post(\"/x\", fn.handler())`. */
export type ForstRouteHandler = (req: any, res: any, next?: (err?: unknown) => void) => void;
";

/// What domain errors look like to TypeScript: declared once when an endpoint has any.
pub const FAILURE_TYPES: &str = "
/**
 * A domain error a function answered with — a nominal error it returned, or a failed `ensure`: `code` is the error's
 * name, `details` its fields. A ForstError from a call and the `error` of the HTTP error envelope both have this form.
 */
export interface ForstFailure<Code extends string, Details> {
  readonly code: Code;
  readonly message: string;
  readonly details: Details;
  readonly status?: number;
  readonly function?: string;
  readonly location?: string;
}

/** The details of `ensure_failed`: an `ensure` without `or` failed. */
export interface ForstEnsureFailure {
  subject: string;
  constraint: string;
  location: string;
  got?: string;
}
";

/// The code of a failed `ensure` without `or`.
pub const ENSURE_FAILED: &str = "ensure_failed";

pub struct TsTypes<'a> {
    _types: std::marker::PhantomData<&'a ()>,
    /// A project type called `Record` would shadow TypeScript's `Record<K, V>`: use index signatures then.
    record_shadowed: bool,
}

impl<'a> TsTypes<'a> {
    pub fn new(types: &'a HashMap<String, TypeDef>) -> Self {
        TsTypes { _types: std::marker::PhantomData, record_shadowed: types.contains_key("Record") }
    }

    pub fn ts(&self, t: &Ty) -> String {
        match t {
            Ty::Basic(n) if types::is_number(n) => "number".into(),
            Ty::Basic(n) if n == "string" => "string".into(),
            Ty::Basic(n) if n == "bool" => "boolean".into(),
            Ty::Basic(_) => "unknown".into(),
            Ty::Named(n) => n.clone(),
            Ty::Ext(p, n) => match (p.as_str(), n.as_str()) {
                ("time", "Time") => "string".into(),
                ("time", "Duration") | ("json", "Number") => "number".into(),
                _ => "unknown".into(),
            },
            Ty::Pointer(x) => format!("{} | null", self.ts(x)),
            Ty::Slice(x) | Ty::Array(_, x) => {
                if matches!(t, Ty::Slice(_)) && matches!(&**x, Ty::Basic(b) if b == "byte" || b == "uint8") {
                    // encoding/json sends []byte as base64 text ([N]byte arrays stay arrays of numbers).
                    return "string".into();
                }
                let inner = self.ts(x);
                if inner.contains(' ') && !inner.starts_with('{') {
                    format!("({inner})[]")
                } else {
                    format!("{inner}[]")
                }
            }
            Ty::Map(_, v) => {
                if self.record_shadowed {
                    format!("{{ [key: string]: {} }}", self.ts(v))
                } else {
                    format!("Record<string, {}>", self.ts(v))
                }
            }
            Ty::Struct(_) => self.object_body(t, ""),
            Ty::Object { fields, .. } => {
                let parts: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{}: {}", property(k), self.ts(v))).collect();
                format!("{{ {} }}", parts.join("; "))
            }
            Ty::Union(members) => members.iter().map(|m| self.ts(m)).collect::<Vec<_>>().join(" | "),
            _ => "unknown".into(),
        }
    }

    /// The members of a struct as a TypeScript object type (`indent` for multi-line interface bodies).
    fn object_body(&self, t: &Ty, indent: &str) -> String {
        let Ty::Struct(fields) = t else { return "unknown".into() };
        let mut members = Vec::new();
        for f in fields {
            if f.embedded && f.tag.is_none() {
                continue; // rendered with `extends`
            }
            if !types::is_exported(&f.name) {
                continue;
            }
            let Some((name, _)) = types::json_name(f) else { continue };
            let optional = if f.optional() { "?" } else { "" };
            let ty = if types::json_string_option(f) {
                // `json:",string"`: the value travels as a JSON string (how an int64 keeps its precision).
                if matches!(f.ty, Ty::Pointer(_)) {
                    "string | null".to_string()
                } else {
                    "string".to_string()
                }
            } else {
                self.ts(&f.ty)
            };
            let doc = if f.checks.is_empty() || indent.is_empty() {
                String::new()
            } else {
                format!("/** {} */\n{indent}", types::written(&f.checks).replace("*/", "* /"))
            };
            members.push(format!("{doc}{}{optional}: {ty};", property(&name)));
        }
        if indent.is_empty() {
            format!("{{ {} }}", members.join(" "))
        } else {
            let mut s = String::from("{\n");
            for m in members {
                let _ = writeln!(s, "{indent}{m}");
            }
            s.push('}');
            s
        }
    }

    fn declaration(&self, name: &str, def: &TypeDef) -> String {
        let mut doc = def.doc.clone().unwrap_or_default();
        if !def.checks.is_empty() {
            doc = format!("{doc}{}{}", if doc.is_empty() { "" } else { "\n" }, types::written(&def.checks));
        }
        let doc = if doc.is_empty() { String::new() } else { jsdoc(&doc) };
        match &def.ty {
            Ty::Struct(fields) => {
                let bases: Vec<String> = fields
                    .iter()
                    .filter(|f| f.embedded && f.tag.is_none())
                    .filter_map(|f| match f.ty.pointee() {
                        Ty::Named(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect();
                let extends = if bases.is_empty() { String::new() } else { format!(" extends {}", bases.join(", ")) };
                format!("{doc}export interface {name}{extends} {}\n", self.object_body(&def.ty, "  "))
            }
            other => format!("{doc}export type {name} = {};\n", self.ts(other)),
        }
    }
}

/// Valid as a TypeScript property name as written, or quoted.
fn property(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

pub fn jsdoc(doc: &str) -> String {
    let mut s = String::from("/**\n");
    for line in doc.lines() {
        let _ = writeln!(s, " * {}", line.replace("*/", "* /"));
    }
    s.push_str(" */\n");
    s
}

/// JS reserved words that Go allows as parameter names.
fn param_name(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "class",
        "new",
        "delete",
        "this",
        "void",
        "typeof",
        "in",
        "instanceof",
        "let",
        "with",
        "yield",
        "enum",
        "export",
        "extends",
        "super",
        "throw",
        "try",
        "catch",
        "finally",
        "while",
        "do",
        "function",
        "null",
        "true",
        "false",
        "await",
        "static",
        "public",
        "private",
        "protected",
        "implements",
        "package",
        "arguments",
        "eval",
        "options",
    ];
    if RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The TypeScript name of an endpoint's result: a declared type's own name, or `<Name>Result` for object results.
pub fn result_type(ts: &TsTypes<'_>, e: &EndpointInfo) -> String {
    match &e.ts_result {
        Some(Ty::Object { .. }) => format!("{}Result", types::capitalize(&e.name)),
        Some(t) => ts.ts(t),
        None => "void".into(),
    }
}

/// The project types every endpoint reaches (parameters, results, the nominal errors it answers with), in
/// first-seen order.
pub fn reachable(endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>) -> Vec<String> {
    let mut reachable = Vec::new();
    for e in endpoints {
        for (_, t) in &e.params {
            reachable_named(types, t, &mut reachable);
        }
        if let Some(t) = &e.ts_result {
            reachable_named(types, t, &mut reachable);
        }
        for name in &e.errors {
            reachable_named(types, &Ty::Named(name.clone()), &mut reachable);
        }
    }
    reachable
}

/// The declarations of the types and the failure types when any endpoint has domain errors: what the package's
/// declarations and the standalone ones (`forst generate --types`) share.
fn type_declarations(out: &mut String, endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>) {
    let ts = TsTypes::new(types);
    if endpoints.iter().any(|e| !failures(e).is_empty()) {
        out.push_str(FAILURE_TYPES);
    }
    for name in &reachable(endpoints, types) {
        if let Some(def) = types.get(name) {
            out.push('\n');
            out.push_str(&ts.declaration(name, def));
        }
    }
    let names: Vec<&String> = {
        let mut all: Vec<&String> = endpoints.iter().flat_map(|e| &e.errors).collect();
        all.sort();
        all.dedup();
        all
    };
    if !names.is_empty() {
        let union: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        let _ = writeln!(
            out,
            "\n/** The names of the project's nominal errors: a ForstError's `code` when one is returned. */"
        );
        let _ = writeln!(out, "export type ForstErrorName = {};", union.join(" | "));
    }
}

/// `export interface <Name>Result {…}` for an endpoint whose result is an object literal.
fn result_interface(out: &mut String, ts: &TsTypes<'_>, e: &EndpointInfo) {
    if let Some(Ty::Object { fields, .. }) = &e.ts_result {
        let _ = writeln!(out, "export interface {} {{", result_type(ts, e));
        for (k, v) in fields {
            let _ = writeln!(out, "  {}: {};", property(k), ts.ts(v));
        }
        out.push_str("}\n\n");
    }
}

/// An endpoint's domain errors: `(code, details type)`.
fn failures(e: &EndpointInfo) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = e.errors.iter().map(|n| (n.clone(), n.clone())).collect();
    if e.ensures {
        out.push((ENSURE_FAILED.to_string(), "ForstEnsureFailure".to_string()));
    }
    out
}

/// The types of an endpoint in its namespace: `Input` (the argument, a tuple of several, `void` for none),
/// `Output`, `Errors` (details by code) and `Error` (the union of its failures, narrowed by `code`).
fn endpoint_types(ts: &TsTypes<'_>, e: &EndpointInfo) -> String {
    let input = match e.params.as_slice() {
        [] => "void".to_string(),
        [(_, t)] => ts.ts(t),
        many => format!(
            "[{}]",
            many.iter().map(|(n, t)| format!("{}: {}", param_name(n), ts.ts(t))).collect::<Vec<_>>().join(", ")
        ),
    };
    let failures = failures(e);
    let errors = if failures.is_empty() {
        "{}".to_string()
    } else {
        format!(
            "{{ {} }}",
            failures.iter().map(|(c, d)| format!("{}: {d}", property(c))).collect::<Vec<_>>().join("; ")
        )
    };
    let union = if failures.is_empty() {
        "never".to_string()
    } else {
        failures.iter().map(|(c, d)| format!("ForstFailure<{c:?}, {d}>")).collect::<Vec<_>>().join(" | ")
    };
    format!(
        "  /** What it takes: the argument (a tuple of several, `void` for none). */
  type Input = {input};
  /** What it answers with. */
  type Output = {};
  /** The details of its domain errors, by code. */
  type Errors = {errors};
  /** One of its domain errors: narrow on `code`. */
  type Error = {union};
",
        result_type(ts, e)
    )
}

pub fn emit(endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>) -> String {
    let ts = TsTypes::new(types);
    let mut out = String::from(CALL_OPTIONS);
    type_declarations(&mut out, endpoints, types);
    for e in endpoints {
        out.push('\n');
        result_interface(&mut out, &ts, e);
        if let Some(doc) = &e.doc {
            out.push_str(&jsdoc(doc));
        }
        let mut params: Vec<String> =
            e.params.iter().map(|(n, t)| format!("{}: {}", param_name(n), ts.ts(t))).collect();
        params.push("options?: ForstCallOptions".into());
        if e.stream.is_some() {
            let _ = writeln!(
                out,
                "export declare function {}({}): AsyncIterable<{}>;
export declare namespace {} {{
  /** The whole HTTP route, streamed: NDJSON (one item per line) by default, or a JSON array. */
  function handler(options?: ForstHandlerOptions & {{ stream?: \"ndjson\" | \"array\" }}): ForstRouteHandler;
}}",
                e.name,
                params.join(", "),
                result_type(&ts, e),
                e.name
            );
            continue;
        }
        let _ = writeln!(
            out,
            "export declare function {}({}): Promise<{}>;",
            e.name,
            params.join(", "),
            result_type(&ts, e)
        );
        let _ = writeln!(
            out,
            "export declare namespace {} {{
  /** The same call with JSON text in and out: {}, as a string or bytes. */
  function raw(json: string | Uint8Array, options?: ForstCallOptions & {{ as?: \"string\" }}): Promise<string>;
  /** The same call, answering the JSON's bytes (a Buffer). */
  function raw(json: string | Uint8Array, options: ForstCallOptions & {{ as: \"buffer\" }}): Promise<Uint8Array>;
  /** The whole HTTP route, streamed: the request body in, the answer out, never parsed by Node. */
  function handler(options?: ForstHandlerOptions): ForstRouteHandler;
  /** Whether a caught error is one of its domain errors (the one named `code`, when given): `details` is then typed. */
  function isError(err: unknown): err is Error;
  function isError<C extends keyof Errors & string>(err: unknown, code: C): err is Extract<Error, {{ code: C }}>;
{}}}",
            e.name,
            match e.params.len() {
                0 => "send an empty string",
                1 => "the argument's JSON",
                _ => "a JSON array of the arguments",
            },
            endpoint_types(&ts, e)
        );
    }
    out
}

/// Standalone declarations for a front end (`forst generate --types`): every type the endpoints take, answer and
/// fail with, and per endpoint a namespace of its `Input`, `Output`, `Errors` and `Error` types, plus the HTTP error
/// envelope. Imports nothing: a browser app that calls the Express API compiles it without this package.
pub fn standalone(endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>) -> String {
    let ts = TsTypes::new(types);
    let mut out = String::from(
        "// The types of the Forst endpoints, for code that calls them over HTTP (generated by `forst generate --types`;\n// rewritten on every run). Nothing here is needed at run time.\n",
    );
    if !endpoints.iter().any(|e| !failures(e).is_empty()) {
        out.push_str(FAILURE_TYPES);
    }
    type_declarations(&mut out, endpoints, types);
    out.push_str(
        "
/** The body of every error answer: `{ \"error\": { code, message, function, location, details } }`. */
export interface ForstErrorEnvelope<F extends { readonly code: string } = ForstFailure<string, unknown>> {
  error: F;
}
",
    );
    for e in endpoints {
        out.push('\n');
        result_interface(&mut out, &ts, e);
        let doc = e.doc.clone().unwrap_or_default();
        let route = format!("`POST {}`", e.route);
        out.push_str(&jsdoc(&if doc.is_empty() { route } else { format!("{doc}\n\n{route}") }));
        let _ = write!(out, "export declare namespace {} {{\n{}}}\n", e.name, endpoint_types(&ts, e));
    }
    out.push_str(
        "\n/** Every endpoint: its route, input, output and domain errors. */\nexport interface ForstEndpoints {\n",
    );
    for e in endpoints {
        let _ = writeln!(
            out,
            "  {}: {{ route: {:?}; input: {n}.Input; output: {n}.Output; error: {n}.Error }};",
            property(&e.name),
            e.route,
            n = e.name
        );
    }
    out.push_str("}\n");
    out
}
