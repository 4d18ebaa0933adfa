//! Required fields of Forst shapes, checked on an argument's JSON text before it is decoded into Go, where a missing
//! field and a zero value look alike: `forstRequire<Type>(raw, path) error`. A shape's field that is neither optional
//! (`name?:`) nor a pointer must be there and not null; nested shapes, their arrays and maps are walked. JSON that is
//! not an object where one is expected is left to the decoder, which names the type error.
//!
//! This reads the argument's text a second time; the generated codec, which sees each member as it decodes it, is
//! where the check belongs once the endpoint glue decodes through it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{go_string, index_path, key_path};
use crate::compiler::check::{TypeDef, TypeLookup};
use crate::compiler::types::{self, Ty};

pub(super) struct Presence<'a> {
    pub types: &'a HashMap<String, TypeDef>,
    needs: HashMap<String, bool>,
    pub wanted: Vec<String>,
}

impl<'a> Presence<'a> {
    pub fn new(types: &'a HashMap<String, TypeDef>) -> Self {
        Presence { types, needs: HashMap::new(), wanted: Vec::new() }
    }

    /// Does a value of this type contain a shape with required fields?
    pub fn needs(&mut self, t: &Ty) -> bool {
        self.needs_in(t, &mut HashSet::new())
    }

    fn needs_in(&mut self, t: &Ty, seen: &mut HashSet<String>) -> bool {
        match t {
            Ty::Named(n) => {
                if let Some(known) = self.needs.get(n) {
                    return *known;
                }
                if !seen.insert(n.clone()) {
                    return false;
                }
                let Some(ty) = self.types.get(n).map(|d| d.ty.clone()) else { return false };
                let answer = self.needs_in(&ty, seen);
                self.needs.insert(n.clone(), answer);
                answer
            }
            Ty::Pointer(x) | Ty::Slice(x) | Ty::Array(_, x) | Ty::Map(_, x) => self.needs_in(x, seen),
            Ty::Struct(fields) => fields.iter().any(|f| f.required || self.needs_in(&f.ty, seen)),
            _ => false,
        }
    }

    /// Statements that check the JSON `raw` (a `json.RawMessage` expression) of a value of type `t`.
    pub fn value(&mut self, out: &mut String, depth: usize, t: &Ty, raw: &str, path: &str) {
        if !self.needs(t) {
            return;
        }
        let tab = "\t".repeat(depth);
        match t {
            Ty::Named(n) => {
                if !self.wanted.contains(n) {
                    self.wanted.push(n.clone());
                }
                let _ = writeln!(
                    out,
                    "{tab}if err := forstRequire{n}({raw}, {path}); err != nil {{\n{tab}\treturn err\n{tab}}}"
                );
            }
            Ty::Pointer(inner) => self.value(out, depth, inner, raw, path),
            Ty::Slice(elem) | Ty::Array(_, elem) => {
                let (items, i, item) = (format!("a{depth}"), format!("i{depth}"), format!("e{depth}"));
                let _ = writeln!(out, "{tab}if {items}, ok := forstArray({raw}); ok {{");
                let _ = writeln!(out, "{tab}\tfor {i}, {item} := range {items} {{");
                self.value(out, depth + 2, elem, &item, &index_path(path, &i));
                let _ = writeln!(out, "{tab}\t}}\n{tab}}}");
            }
            Ty::Map(_, value) => {
                let (members, k, member) = (format!("o{depth}"), format!("k{depth}"), format!("e{depth}"));
                let _ = writeln!(out, "{tab}if {members}, ok := forstObject({raw}); ok {{");
                let _ = writeln!(out, "{tab}\tfor {k}, {member} := range {members} {{");
                self.value(out, depth + 2, value, &member, &key_path(path, &k));
                let _ = writeln!(out, "{tab}\t}}\n{tab}}}");
            }
            Ty::Struct(fields) => {
                let members = format!("o{depth}");
                let _ = writeln!(out, "{tab}if {members}, ok := forstObject({raw}); ok {{");
                for f in fields.iter().filter(|f| !f.embedded && types::is_exported(&f.name)) {
                    let Some((json, _)) = types::json_name(f) else { continue };
                    let needs = self.needs(&f.ty);
                    if !f.required && !needs {
                        continue;
                    }
                    let member = format!("m{depth}{}", f.name);
                    let found = if needs { format!("{member}, found") } else { "_, found".to_string() };
                    // null is an array's, a map's or a pointer's nil (a pointer that must be there says so with its
                    // own Present()); for anything else it is no value at all.
                    let null_ok = matches!(self.types.resolve(&f.ty), Ty::Slice(_) | Ty::Map(..) | Ty::Pointer(_));
                    let absent = if null_ok {
                        "!found".to_string()
                    } else {
                        format!("!found || forstNull({})", if needs { member.as_str() } else { "" })
                    };
                    let (found, absent) = if null_ok || needs {
                        (found, absent)
                    } else {
                        (format!("{member}, found"), format!("!found || forstNull({member})"))
                    };
                    let _ =
                        writeln!(out, "{tab}\tif {found} := forstMember({members}, {}); {absent} {{", go_string(&json));
                    if f.required {
                        let _ = writeln!(
                            out,
                            "{tab}\t\treturn forstMissing({}.String(), {}, {})",
                            super::receiver(path),
                            go_string(&json),
                            go_string(&self.describe(&f.ty))
                        );
                    }
                    if needs {
                        let _ = writeln!(out, "{tab}\t}} else {{");
                        let field_path = format!("&forstPath{{parent: {path}, key: {}, index: -1}}", go_string(&json));
                        self.value(out, depth + 2, &f.ty, &member, &field_path);
                    }
                    let _ = writeln!(out, "{tab}\t}}");
                }
                let _ = writeln!(out, "{tab}}}");
            }
            _ => {}
        }
    }

    /// `forstRequire<Name>`.
    pub fn named(&mut self, name: &str) -> String {
        let Some(ty) = self.types.get(name).map(|d| d.ty.clone()) else { return String::new() };
        let mut out = String::new();
        let _ = writeln!(out, "\n// forstRequire{name} checks that a {name}'s JSON has its required fields.");
        let _ = writeln!(out, "func forstRequire{name}(raw json.RawMessage, p *forstPath) error {{");
        match &ty {
            // A named type of a named type: check as that one.
            Ty::Named(inner) => {
                if !self.wanted.contains(inner) {
                    self.wanted.push(inner.clone());
                }
                let _ = writeln!(out, "\treturn forstRequire{inner}(raw, p)\n}}");
                return out;
            }
            _ => self.value(&mut out, 1, &ty, "raw", "p"),
        }
        out.push_str("\treturn nil\n}\n");
        out
    }

    /// What a field holds, for the message: "a string", "an array", "an object (Address)".
    fn describe(&self, t: &Ty) -> String {
        match t {
            Ty::Basic(n) if n == "string" => "a string".into(),
            Ty::Basic(n) if n == "bool" => "a boolean".into(),
            Ty::Basic(n) if types::is_number(n) => "a number".into(),
            Ty::Named(n) => match self.types.resolve(t) {
                Ty::Struct(_) => format!("an object ({n})"),
                Ty::Named(_) => "a value".into(),
                other => self.describe(&other),
            },
            Ty::Slice(_) | Ty::Array(..) => "an array".into(),
            Ty::Pointer(inner) => self.describe(inner),
            Ty::Map(..) | Ty::Struct(_) | Ty::Object { .. } => "an object".into(),
            _ => "a value".into(),
        }
    }
}
