//! What `forst dev` prints about the running sidecar: the route table, and a curl line that works when pasted — a real
//! route with a sample body made from its parameter types (read back from the TypeScript declarations, so it follows
//! whatever the compiler emits) and the session's token. Printed at start and again after a reload that changed the
//! table.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::compiler::manifest::Endpoint;
use crate::compiler::Manifest;

/// `POST  /process-data  processData(input: ProcessDataInput): ProcessDataResult`, aligned.
pub fn route_table(manifest: &Manifest) -> String {
    let rows: Vec<(String, String)> = manifest.endpoints.iter().map(|e| (e.route.clone(), signature(e))).collect();
    let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("(no routes: put functions in files under forst/routes/)\n");
    }
    for (route, sig) in rows {
        let _ = writeln!(out, "POST  {route:width$}  {sig}");
    }
    out
}

fn signature(e: &Endpoint) -> String {
    let params: Vec<String> = e.params.iter().map(|p| format!("{}: {}", p.name, p.ts_type)).collect();
    let result = e.result.as_ref().map(|r| r.ts_type.as_str()).unwrap_or("void");
    format!("{}({}): {result}", e.name, params.join(", "))
}

/// A curl command for the first endpoint whose parameters are fully typed (a body made of `unknown` would be refused
/// by most functions), else the first endpoint, with a sentence to print above it when its body is only a guess.
/// `None` without endpoints.
pub fn curl_line(manifest: &Manifest, dts: &str, url: &str, token: Option<&str>) -> Option<(String, Option<String>)> {
    let types = Declarations::parse(dts);
    let samples: Vec<(&Endpoint, Option<String>)> =
        manifest.endpoints.iter().map(|e| (e, sample_body(e, &types))).collect();
    let (endpoint, body, guessed) = samples
        .iter()
        .find(|(_, body)| body.is_some())
        .or_else(|| samples.first())
        .map(|(e, b)| (*e, b.clone().unwrap_or_else(|| loose_body(e)), b.is_none()))?;
    let note = guessed.then(|| {
        format!(
            "{} takes untyped input ({}): replace the body after -d with what it expects",
            endpoint.name,
            signature(endpoint)
        )
    });
    let mut line = String::from("curl -sS -X POST");
    if let Some(token) = token {
        let _ = write!(line, " -H 'X-Forst-Token: {token}'");
    }
    let _ = write!(line, " -H 'Content-Type: application/json' {url}{}", endpoint.route);
    if !endpoint.params.is_empty() {
        let _ = write!(line, " -d '{}'", body.replace('\'', "'\\''"));
    }
    Some((line, note))
}

/// The request body for `e`: its single argument, or the JSON array of several. `None` when a type is not known well
/// enough to make a value (`unknown`, generics).
fn sample_body(e: &Endpoint, types: &Declarations) -> Option<String> {
    let values: Option<Vec<String>> = e.params.iter().map(|p| types.sample(&p.ts_type, 0)).collect();
    let values = values?;
    Some(if values.len() == 1 {
        values.into_iter().next().unwrap_or_default()
    } else {
        format!("[{}]", values.join(","))
    })
}

/// A body for an endpoint whose types say too little: `{}` per object-like parameter, `null` otherwise.
fn loose_body(e: &Endpoint) -> String {
    let object = |t: &str| t.starts_with('{') || t.starts_with("Record<");
    let values: Vec<&str> = e.params.iter().map(|p| if object(&p.ts_type) { "{}" } else { "null" }).collect();
    if values.len() == 1 {
        values[0].to_string()
    } else {
        format!("[{}]", values.join(","))
    }
}

/// An interface's bases (`extends`) and members (name, TypeScript type).
type Interface = (Vec<String>, Vec<(String, String)>);

/// The interfaces and type aliases of the declarations: name → members (`interface`) or aliased type (`type`).
struct Declarations {
    interfaces: HashMap<String, Interface>,
    aliases: HashMap<String, String>,
}

impl Declarations {
    fn parse(dts: &str) -> Declarations {
        let mut interfaces = HashMap::new();
        let mut aliases = HashMap::new();
        let mut lines = dts.lines();
        while let Some(line) = lines.next() {
            if let Some(rest) = line.strip_prefix("export interface ") {
                let head = rest.trim_end_matches('{').trim();
                let (name, bases) = match head.split_once(" extends ") {
                    Some((n, b)) => (n.trim(), b.split(',').map(|s| s.trim().to_string()).collect()),
                    None => (head, Vec::new()),
                };
                let mut members = Vec::new();
                for member in lines.by_ref() {
                    let member = member.trim();
                    if member == "}" {
                        break;
                    }
                    if let Some((key, ty)) = member.strip_suffix(';').and_then(|m| m.split_once(": ")) {
                        members.push((key.trim_end_matches('?').trim_matches('"').to_string(), ty.to_string()));
                    }
                }
                interfaces.insert(name.to_string(), (bases, members));
            } else if let Some((name, ty)) = line.strip_prefix("export type ").and_then(|r| r.split_once(" = ")) {
                aliases.insert(name.trim().to_string(), ty.trim_end_matches(';').to_string());
            }
        }
        Declarations { interfaces, aliases }
    }

    /// A JSON value of TypeScript type `ty`.
    fn sample(&self, ty: &str, depth: usize) -> Option<String> {
        let ty = ty.trim();
        if depth > 8 {
            return None;
        }
        if let Some(inner) = ty.strip_suffix("[]") {
            let inner = inner.strip_prefix('(').and_then(|i| i.strip_suffix(')')).unwrap_or(inner);
            return Some(format!("[{}]", self.sample(inner, depth + 1)?));
        }
        if let Some(first) = ty.strip_suffix(" | null") {
            return self.sample(first, depth + 1);
        }
        if let Some(v) = ty.strip_prefix("Record<string, ").and_then(|r| r.strip_suffix('>')) {
            return Some(format!("{{\"key\":{}}}", self.sample(v, depth + 1)?));
        }
        if let Some(v) = ty.strip_prefix("{ [key: string]: ").and_then(|r| r.strip_suffix(" }")) {
            return Some(format!("{{\"key\":{}}}", self.sample(v, depth + 1)?));
        }
        if let Some(body) = ty.strip_prefix("{ ").and_then(|r| r.strip_suffix(" }")) {
            let members: Vec<(String, String)> = body
                .split(';')
                .filter_map(|m| m.trim().split_once(": "))
                .map(|(k, t)| (k.trim_end_matches('?').trim_matches('"').to_string(), t.to_string()))
                .collect();
            return self.object(&members, depth);
        }
        match ty {
            "number" => Some("1".into()),
            "string" => Some("\"text\"".into()),
            "boolean" => Some("true".into()),
            "{}" => Some("{}".into()),
            _ => {
                if let Some((bases, members)) = self.interfaces.get(ty) {
                    let mut all = Vec::new();
                    for base in bases {
                        if let Some((_, m)) = self.interfaces.get(base) {
                            all.extend(m.iter().cloned());
                        }
                    }
                    all.extend(members.iter().cloned());
                    return self.object(&all, depth);
                }
                self.aliases.get(ty).and_then(|t| self.sample(t, depth + 1))
            }
        }
    }

    fn object(&self, members: &[(String, String)], depth: usize) -> Option<String> {
        let fields: Option<Vec<String>> = members
            .iter()
            .map(|(k, t)| Some(format!("{}:{}", serde_json::Value::from(k.as_str()), self.sample(t, depth + 1)?)))
            .collect();
        Some(format!("{{{}}}", fields?.join(",")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::manifest::{Location, Param};

    fn endpoint(name: &str, route: &str, params: &[&str]) -> Endpoint {
        Endpoint {
            name: name.into(),
            route: route.into(),
            params: params
                .iter()
                .enumerate()
                .map(|(i, t)| Param { name: format!("p{i}"), go_type: String::new(), ts_type: (*t).into() })
                .collect(),
            result: None,
            returns_error: false,
            stream: None,
            takes_context: false,
            doc: None,
            location: Location { file: "routes/x.ft".into(), line: 1, column: 1 },
            errors: vec![],
        }
    }

    const DTS: &str = "export interface Item {\n  /** the id */\n  id: string;\n  tags?: string[];\n}\n\nexport interface Batch extends Base {\n  items: Item[];\n  meta: { [key: string]: number };\n}\n\nexport interface Base {\n  owner: string | null;\n}\nexport type Ids = number[];\n";

    #[test]
    fn samples_follow_the_declared_types() {
        let types = Declarations::parse(DTS);
        assert_eq!(
            types.sample("Batch", 0).as_deref(),
            Some(r#"{"owner":"text","items":[{"id":"text","tags":["text"]}],"meta":{"key":1}}"#)
        );
        assert_eq!(types.sample("Ids", 0).as_deref(), Some("[1]"));
        assert_eq!(
            types.sample("{ a: boolean; \"b-c\"?: Record<string, number> }", 0).as_deref(),
            Some(r#"{"a":true,"b-c":{"key":1}}"#)
        );
        assert_eq!(types.sample("{ [key: string]: unknown }", 0), None);
    }

    #[test]
    fn the_curl_line_prefers_a_fully_typed_route() {
        let manifest = Manifest {
            endpoints: vec![
                endpoint("loose", "/loose", &["Record<string, unknown>"]),
                endpoint("add", "/add", &["number", "number"]),
            ],
        };
        let (line, note) = curl_line(&manifest, DTS, "http://127.0.0.1:4000", Some("t0k")).unwrap_or_default();
        assert_eq!(note, None);
        assert_eq!(
            line,
            "curl -sS -X POST -H 'X-Forst-Token: t0k' -H 'Content-Type: application/json' http://127.0.0.1:4000/add -d '[1,1]'"
        );
        let only_loose = Manifest { endpoints: vec![endpoint("loose", "/loose", &["Record<string, unknown>"])] };
        let (line, note) = curl_line(&only_loose, DTS, "http://h", None).unwrap_or_default();
        assert!(line.ends_with("/loose -d '{}'"), "{line}");
        assert!(note
            .unwrap_or_default()
            .starts_with("loose takes untyped input (loose(p0: Record<string, unknown>): void)"));
        assert_eq!(curl_line(&Manifest::default(), DTS, "http://h", None), None);
    }
}
