//! JSON Schema (2020-12) of the types endpoints take and answer with, from the compiler's type model: what the
//! OpenAPI document's `components/schemas` hold and what `forst generate --schema` writes, one file per type.
//!
//! The schemas describe the JSON as it travels: field names from JSON tags, `omitempty` and optional shape fields
//! not required, pointers (and Go's nil slices and maps) nullable, `json:",string"` numbers as strings, `[]byte` as
//! base64 text. Constraints become keywords: `Min(3)` on a string is `minLength: 3` (both count characters), on a
//! number `minimum: 3`, on an array `minItems: 3`; `HasPrefix`/`HasSuffix`/`Contains` are anchored, escaped
//! `pattern`s; a guard on a type is named in `x-forst-guard` (its rule is code: it is checked by the sidecar).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::check::{TypeDef, TypeLookup};
use super::types::{self, Check, Constraint, Ty};

/// A JSON object of `entries`, in order, taking the values as they are. `json!` copies each value it embeds (it
/// serializes a reference to it), so a schema built from schemas with `json!` is copied once per level.
pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

pub struct Schemas<'a> {
    types: &'a HashMap<String, TypeDef>,
    /// Where named types are: `#/components/schemas/` or `#/$defs/`.
    prefix: &'a str,
}

impl<'a> Schemas<'a> {
    pub fn new(types: &'a HashMap<String, TypeDef>, prefix: &'a str) -> Self {
        Schemas { types, prefix }
    }

    /// The schema of a named type's definition (its own constraints included, its doc as the description).
    pub fn definition(&self, name: &str) -> Value {
        let Some(def) = self.types.get(name) else { return json!({}) };
        let mut s = self.value(&def.ty, &def.checks);
        if let (Some(doc), Value::Object(map)) = (&def.doc, &mut s) {
            map.insert("description".into(), Value::String(doc.clone()));
        }
        if def.error_status.is_some() {
            if let Value::Object(map) = &mut s {
                map.insert("x-forst-error".into(), json!({ "status": def.error_status }));
            }
        }
        s
    }

    /// The schema of an endpoint's parameter: like [`Schemas::value`], and `null` allowed unless the type is a
    /// strict Forst shape (encoding/json reads `null` into any Go value as "leave it be": its zero value).
    pub fn parameter(&self, t: &Ty, checks: &[Constraint]) -> Value {
        let lenient = !self.strict(t) && !self.constrained(t, checks);
        let s = self.value_in(t, checks, lenient);
        if lenient {
            nullable(s)
        } else {
            s
        }
    }

    /// Has the value constraints (its own, or its named type's)? Then `null`, read as the zero value, is checked
    /// like any value: not "anything goes".
    fn constrained(&self, t: &Ty, checks: &[Constraint]) -> bool {
        if !checks.is_empty() {
            return true;
        }
        let mut t = t.clone();
        for _ in 0..8 {
            let Ty::Named(n) = &t else { return false };
            let Some(def) = self.types.get(n) else { return false };
            if !def.checks.is_empty() {
                return true;
            }
            t = def.ty.clone();
        }
        false
    }

    /// Values of this type are Forst shapes: `null` is not one of them (their required fields must be there).
    fn strict(&self, t: &Ty) -> bool {
        matches!(self.underlying(t), Ty::Struct(fields) if fields.iter().any(|f| f.shape))
    }

    /// The schema of a value of type `t` with the constraints written on it.
    pub fn value(&self, t: &Ty, checks: &[Constraint]) -> Value {
        self.value_in(t, checks, false)
    }

    /// `lenient`: inside a Go value, where encoding/json reads `null` for anything (elements and members too).
    fn value_in(&self, t: &Ty, checks: &[Constraint], lenient: bool) -> Value {
        let base = self.ty(t, checks, lenient);
        if checks.is_empty() {
            return base;
        }
        let keywords = self.keywords(t, checks);
        if keywords.is_empty() {
            return base;
        }
        match base {
            // A reference cannot carry keywords of its own next to it in every tool: combine.
            Value::Object(ref m) if m.contains_key("$ref") || m.contains_key("anyOf") => {
                object([("allOf", Value::Array(vec![base, Value::Object(keywords)]))])
            }
            Value::Object(mut m) => {
                for (k, v) in keywords {
                    merge_keyword(&mut m, k, v);
                }
                Value::Object(m)
            }
            other => other,
        }
    }

    fn reference(&self, name: &str) -> Value {
        json!({ "$ref": format!("{}{}", self.prefix, name) })
    }

    fn ty(&self, t: &Ty, checks: &[Constraint], lenient: bool) -> Value {
        // Elements and members of a Go value take null too.
        let inner = |t: &Ty| {
            let s = self.ty(t, &[], lenient);
            if lenient {
                nullable(s)
            } else {
                s
            }
        };
        match t {
            Ty::Basic(n) => basic(n),
            Ty::Named(n) if self.types.contains_key(n) => self.reference(n),
            Ty::Named(_) => json!({}),
            Ty::Ext(p, n) => match (p.as_str(), n.as_str()) {
                ("time", "Time") => json!({ "type": "string", "format": "date-time" }),
                ("time", "Duration") => json!({ "type": "integer", "description": "nanoseconds" }),
                ("json", "Number") => json!({ "type": "number" }),
                _ => json!({}),
            },
            Ty::Pointer(inner) => {
                let present = checks.iter().any(|c| c.check == Check::Present);
                let absent = checks.iter().any(|c| c.check == Check::Nil);
                if absent {
                    return json!({ "type": "null" });
                }
                let pointee: Vec<Constraint> =
                    checks.iter().filter(|c| !matches!(c.check, Check::Present | Check::Nil)).cloned().collect();
                let s = self.value_in(inner, &pointee, lenient);
                if present {
                    s
                } else {
                    nullable(s)
                }
            }
            Ty::Slice(elem) if matches!(&**elem, Ty::Basic(b) if b == "byte" || b == "uint8") => {
                nullable(json!({ "type": "string", "contentEncoding": "base64" }))
            }
            Ty::Slice(elem) => nullable(object([("type", json!("array")), ("items", inner(elem))])),
            Ty::Array(n, elem) => {
                let mut s = object([("type", json!("array")), ("items", inner(elem))]);
                if let Ok(len) = n.parse::<u64>() {
                    s["minItems"] = json!(len);
                    s["maxItems"] = json!(len);
                }
                s
            }
            Ty::Map(k, v) => {
                let mut s = object([("type", json!("object")), ("additionalProperties", inner(v))]);
                if matches!(&**k, Ty::Basic(n) if types::is_number(n)) {
                    s["propertyNames"] = json!({ "pattern": "^-?[0-9]+$" });
                }
                nullable(s)
            }
            Ty::Struct(fields) => self.object(fields),
            Ty::Object { fields, .. } => {
                let props: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), inner(v))).collect();
                let required: Vec<&String> = fields.iter().map(|(k, _)| k).collect();
                object([("type", json!("object")), ("properties", Value::Object(props)), ("required", json!(required))])
            }
            Ty::Union(members) => {
                let options: Vec<Value> = members.iter().map(|m| self.ty(m, &[], lenient)).collect();
                object([("anyOf", Value::Array(options))])
            }
            Ty::Any | Ty::Unknown | Ty::Tuple(_) | Ty::Iface | Ty::Chan(_) | Ty::Func(_) => json!({}),
        }
    }

    /// A struct: its JSON fields as properties, the required ones listed; embedded structs' fields are promoted as
    /// encoding/json does (`allOf` with the embedded type).
    fn object(&self, fields: &[types::TyField]) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut bases = Vec::new();
        for f in fields {
            if f.embedded && f.tag.is_none() {
                if let Ty::Named(n) = f.ty.pointee() {
                    bases.push(self.reference(n));
                }
                continue;
            }
            if !types::is_exported(&f.name) {
                continue;
            }
            let Some((name, _)) = types::json_name(f) else { continue };
            let s = if types::json_string_option(f) {
                let text = json!({ "type": "string" });
                if matches!(f.ty, Ty::Pointer(_)) {
                    nullable(text)
                } else {
                    text
                }
            } else {
                self.value_in(&f.ty, &f.checks, !f.shape)
            };
            // A Go struct's field takes `null` as encoding/json does (the zero value stays) unless a constraint rejects
            // that; an optional shape field takes it as "not there"; a required shape field does not take it.
            let takes_null = if f.shape { f.optional() } else { !self.constrained(&f.ty, &f.checks) };
            let s = if takes_null { nullable(s) } else { s };
            props.insert(name.clone(), s);
            let present = f.checks.iter().any(|c| c.check == Check::Present);
            if f.required || present {
                required.push(name);
            }
        }
        let mut s = object([("type", json!("object")), ("properties", Value::Object(props))]);
        if !required.is_empty() {
            s["required"] = json!(required);
        }
        if bases.is_empty() {
            s
        } else {
            bases.push(s);
            object([("allOf", Value::Array(bases))])
        }
    }

    /// The keywords of constraints on a value of type `t` (elements' constraints go into `items`).
    fn keywords(&self, t: &Ty, checks: &[Constraint]) -> Map<String, Value> {
        let mut m = Map::new();
        let under = self.underlying(t);
        let is_map = matches!(under, Ty::Map(..));
        for c in checks {
            let (k, v) = match &c.check {
                Check::MinLength(n) => ("minLength", json!(n)),
                Check::MaxLength(n) => ("maxLength", json!(n)),
                Check::MinItems(n) if is_map => ("minProperties", json!(n)),
                Check::MaxItems(n) if is_map => ("maxProperties", json!(n)),
                Check::MinItems(n) => ("minItems", json!(n)),
                Check::MaxItems(n) => ("maxItems", json!(n)),
                Check::Minimum(n) => ("minimum", number(n)),
                Check::Maximum(n) => ("maximum", number(n)),
                Check::ExclusiveMinimum(n) => ("exclusiveMinimum", number(n)),
                Check::ExclusiveMaximum(n) => ("exclusiveMaximum", number(n)),
                Check::HasPrefix(s) => ("pattern", json!(format!("^{}", regex_escape(s)))),
                Check::HasSuffix(s) => ("pattern", json!(format!("{}$", regex_escape(s)))),
                Check::Contains(s) => ("pattern", json!(regex_escape(s))),
                Check::Const(b) => ("const", json!(b)),
                // Pointers: handled where the pointer's schema is made.
                Check::Present | Check::Nil => continue,
                Check::Guard { .. } => ("x-forst-guard", json!(c.written)),
                Check::Each(inner) => {
                    let elem = match &under {
                        Ty::Slice(e) | Ty::Array(_, e) | Ty::Map(_, e) => (**e).clone(),
                        _ => continue,
                    };
                    let key = if is_map { "additionalProperties" } else { "items" };
                    (key, self.value(&elem, inner))
                }
            };
            merge_keyword(&mut m, k.to_string(), v);
        }
        m
    }

    /// The type under names and pointers: what a constraint's keywords apply to.
    fn underlying(&self, t: &Ty) -> Ty {
        match self.types.resolve(t) {
            Ty::Pointer(inner) => self.underlying(&inner),
            other => other,
        }
    }

    /// The named types a schema refers to, transitively, in first-seen order (for `$defs` of a standalone file).
    pub fn referenced(&self, root: &str) -> Vec<String> {
        let mut out = vec![root.to_string()];
        let mut i = 0;
        while i < out.len() {
            let def = self.definition(&out[i]);
            collect_refs(&def, self.prefix, &mut out);
            i += 1;
        }
        out.remove(0);
        out
    }
}

fn collect_refs(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                if let Some(name) = r.strip_prefix(prefix) {
                    if !out.iter().any(|n| n == name) {
                        out.push(name.to_string());
                    }
                }
            }
            m.values().for_each(|x| collect_refs(x, prefix, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, prefix, out)),
        _ => {}
    }
}

/// Two constraints on one keyword (two patterns, `Min` and `NotEmpty`): both must hold, so the stricter bound or an
/// `allOf` of both.
fn merge_keyword(m: &mut Map<String, Value>, k: String, v: Value) {
    if k == "items" || k == "additionalProperties" {
        // The elements' schema with their constraints replaces the plain one.
        m.insert(k, v);
        return;
    }
    match m.get(&k) {
        None => {
            m.insert(k, v);
        }
        Some(old) => {
            let stricter = match k.as_str() {
                "minLength" | "minItems" | "minProperties" | "minimum" | "exclusiveMinimum" => {
                    Some(if v.as_f64() > old.as_f64() { v.clone() } else { old.clone() })
                }
                "maxLength" | "maxItems" | "maxProperties" | "maximum" | "exclusiveMaximum" => {
                    Some(if v.as_f64() < old.as_f64() { v.clone() } else { old.clone() })
                }
                _ => None,
            };
            match stricter {
                Some(s) => {
                    m.insert(k, s);
                }
                None => {
                    let extra = object([(k.as_str(), v)]);
                    match m.get_mut("allOf") {
                        Some(Value::Array(all)) => all.push(extra),
                        _ => {
                            m.insert("allOf".into(), Value::Array(vec![extra]));
                        }
                    }
                }
            }
        }
    }
}

fn basic(n: &str) -> Value {
    match n {
        "string" => json!({ "type": "string" }),
        "bool" => json!({ "type": "boolean" }),
        "float32" | "float64" => json!({ "type": "number" }),
        "int8" => json!({ "type": "integer", "minimum": -128, "maximum": 127 }),
        "int16" => json!({ "type": "integer", "minimum": -32768, "maximum": 32767 }),
        "int32" | "rune" => json!({ "type": "integer", "format": "int32" }),
        "uint8" | "byte" => json!({ "type": "integer", "minimum": 0, "maximum": 255 }),
        "uint16" => json!({ "type": "integer", "minimum": 0, "maximum": 65535 }),
        "uint32" => json!({ "type": "integer", "minimum": 0, "format": "uint32" }),
        "uint" | "uint64" | "uintptr" => json!({ "type": "integer", "minimum": 0 }),
        "int" | "int64" => json!({ "type": "integer", "format": "int64" }),
        _ => json!({}),
    }
}

/// `null` allowed too.
fn nullable(s: Value) -> Value {
    let null_type = json!({ "type": "null" });
    match s {
        // Anything already: `{}`, or what admits null already.
        Value::Object(m) if m.is_empty() => Value::Object(m),
        Value::Object(m)
            if m.get("type").is_some_and(|t| t == "null")
                || m.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|x| x == "null")) =>
        {
            Value::Object(m)
        }
        Value::Object(m) if m.get("anyOf").and_then(Value::as_array).is_some_and(|a| a.contains(&null_type)) => {
            Value::Object(m)
        }
        Value::Object(mut m) if m.get("type").is_some_and(Value::is_string) && !m.contains_key("const") => {
            let t = m.get("type").cloned().unwrap_or_default();
            m.insert("type".into(), json!([t, "null"]));
            Value::Object(m)
        }
        Value::Object(m) => object([("anyOf", Value::Array(vec![Value::Object(m), null_type]))]),
        other => other,
    }
}

fn number(n: &types::Number) -> Value {
    if n.is_integer() && n.value.abs() < 9.0e15 {
        json!(n.value as i64)
    } else {
        json!(n.value)
    }
}

/// A literal string as an ECMA-262 (and RE2) pattern.
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_adds_null_once() {
        assert_eq!(nullable(json!({ "type": "string" })), json!({ "type": ["string", "null"] }));
        let r = nullable(json!({ "$ref": "#/x" }));
        assert_eq!(r, json!({ "anyOf": [{ "$ref": "#/x" }, { "type": "null" }] }));
        assert_eq!(nullable(r.clone()), r);
        assert_eq!(nullable(json!({})), json!({}));
        assert_eq!(nullable(json!({ "type": "null" })), json!({ "type": "null" }));
    }

    #[test]
    fn patterns_are_escaped_and_anchored() {
        assert_eq!(regex_escape("a.b+c"), "a\\.b\\+c");
        assert_eq!(regex_escape("+"), "\\+");
    }

    #[test]
    fn two_bounds_on_one_keyword_keep_the_stricter() {
        let mut m = Map::new();
        merge_keyword(&mut m, "minLength".into(), json!(3));
        merge_keyword(&mut m, "minLength".into(), json!(1));
        assert_eq!(m["minLength"], json!(3));
        merge_keyword(&mut m, "pattern".into(), json!("^a"));
        merge_keyword(&mut m, "pattern".into(), json!("b$"));
        assert_eq!(m["pattern"], json!("^a"));
        assert_eq!(m["allOf"], json!([{ "pattern": "b$" }]));
    }
}
