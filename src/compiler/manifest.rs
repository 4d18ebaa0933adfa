//! The manifest: the JSON description of a project's endpoints, shared by the Go server (`GET /__forst/manifest`),
//! the JS surface (generated functions) and the CLI (`forst routes`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The Forst function name, also the JS export name (`processData`).
    pub name: String,
    /// The HTTP path, kebab case (`/process-data`); the method is always POST.
    pub route: String,
    /// JSON parameters in order (a leading `context.Context` parameter is injected by the server and not listed).
    pub params: Vec<Param>,
    /// `None` when the function returns nothing (or only `error`): the call resolves to `null`.
    pub result: Option<TypeRef>,
    /// The function's last result is `error`.
    pub returns_error: bool,
    /// The first parameter is a `context.Context` (cancelled when the caller goes away).
    pub takes_context: bool,
    /// The doc comment above the function, without comment markers.
    pub doc: Option<String>,
    pub location: Location,
    /// `"seq"` or `"chan"` when the function returns a stream of `result`s (`iter.Seq[T]`, a channel of `T`): the call
    /// answers NDJSON, one item per line, as they are produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// The codes of the domain errors it answers with: its nominal errors' names, and `ensure_failed` when an
    /// `ensure` without `or` can fail it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    pub name: String,
    pub go_type: String,
    pub ts_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeRef {
    pub go_type: String,
    pub ts_type: String,
}

/// 1-based line and column in `file` (relative to the Forst directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Manifest {
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }
}

/// The call contract's version: what a caller and a sidecar must agree on for a call to mean the same thing on both
/// sides — every endpoint's name, route, parameter and result types, and the shape of every type they reach (the
/// TypeScript declarations, without their comments: documentation is not part of the contract). `c1-` is the wire
/// protocol (the body convention and error envelope); the rest is the first 16 hex digits of a SHA-256.
pub fn contract(manifest: &Manifest, dts: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut endpoints: Vec<&Endpoint> = manifest.endpoints.iter().collect();
    endpoints.sort_by(|a, b| a.name.cmp(&b.name));
    for e in endpoints {
        let params: Vec<&str> = e.params.iter().map(|p| p.go_type.as_str()).collect();
        let result = e.result.as_ref().map(|r| r.go_type.as_str()).unwrap_or("");
        h.update(format!("{}\0{}\0{}\0{result}\0{}\n", e.name, e.route, params.join(","), e.returns_error));
    }
    for line in dts.lines().map(str::trim) {
        if !(line.is_empty() || line.starts_with("/*") || line.starts_with('*') || line.starts_with("//")) {
            h.update(line);
            h.update("\n");
        }
    }
    let hex: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("c1-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::{compile, SourceFile};

    fn contract_of(text: &str) -> String {
        let out = compile(&[SourceFile { path: "routes/r.ft".into(), text: text.into() }]).output.expect("compiles");
        contract(&out.manifest, &out.dts)
    }

    #[test]
    fn the_contract_follows_signatures_and_types_but_not_comments_or_bodies() {
        let base = contract_of("type In struct {\n  A int\n}\n\nfunc f(x In) int {\n  return x.A\n}\n");
        assert!(base.starts_with("c1-") && base.len() == 19, "{base}");
        let body =
            contract_of("type In struct {\n  A int\n}\n\n// Doubles.\nfunc f(x In) int {\n  return 2 * x.A\n}\n");
        assert_eq!(base, body, "a new body or doc comment keeps the contract");
        let field = contract_of("type In struct {\n  A string\n}\n\nfunc f(x In) int {\n  return len(x.A)\n}\n");
        assert_ne!(base, field, "a field's type is part of the contract");
        let sig = contract_of("type In struct {\n  A int\n}\n\nfunc f(x In, y int) int {\n  return x.A + y\n}\n");
        assert_ne!(base, sig, "a parameter is part of the contract");
    }
}
