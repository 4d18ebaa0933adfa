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
            let Some((name, omit)) = types::json_name(f) else { continue };
            let optional = if omit { "?" } else { "" };
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
            members.push(format!("{}{optional}: {ty};", property(&name)));
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
        let doc = def.doc.as_deref().map(jsdoc).unwrap_or_default();
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

pub fn emit(endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>) -> String {
    let ts = TsTypes::new(types);
    let mut out = String::from(CALL_OPTIONS);
    let mut reachable = Vec::new();
    for e in endpoints {
        for (_, t) in &e.params {
            reachable_named(types, t, &mut reachable);
        }
        if let Some(t) = &e.ts_result {
            reachable_named(types, t, &mut reachable);
        }
    }
    for name in &reachable {
        if let Some(def) = types.get(name) {
            out.push('\n');
            out.push_str(&ts.declaration(name, def));
        }
    }
    for e in endpoints {
        out.push('\n');
        if let Some(Ty::Object { fields, .. }) = &e.ts_result {
            let _ = writeln!(out, "export interface {} {{", result_type(&ts, e));
            for (k, v) in fields {
                let _ = writeln!(out, "  {}: {};", property(k), ts.ts(v));
            }
            out.push_str("}\n\n");
        }
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
}}",
            e.name,
            match e.params.len() {
                0 => "send an empty string",
                1 => "the argument's JSON",
                _ => "a JSON array of the arguments",
            }
        );
    }
    out
}
