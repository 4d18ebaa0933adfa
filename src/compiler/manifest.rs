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
