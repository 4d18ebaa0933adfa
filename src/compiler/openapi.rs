//! The OpenAPI 3.1 document of a project's endpoints, from the compiler's type model: served by the sidecar at
//! `GET /__forst/openapi.json`, written by `forst openapi`, rendered by `forst dev`'s docs page.
//!
//! Every endpoint is `POST /<route>` with its arguments as the JSON body (the single argument's value, an array of
//! several, nothing for none) and its result as the JSON answer. Errors are the sidecar's envelope
//! `{"error": {"code", "message", "function", "location", "details"}}`, listed per status with the codes this
//! endpoint can answer with: `invalid_input` (400, with the JSON path and constraint), its nominal errors (their own
//! status, 422 by default, with their fields as `details`), `ensure_failed` (422), `returned_error` and `panic`
//! (500), and what the server itself refuses (401 without the token, 403, 413, 415). The token is the `forstToken`
//! API key (`X-Forst-Token`), required everywhere.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::check::{EndpointInfo, TypeDef};
use super::emit_ts;
use super::schema::{object, Schemas};

const PREFIX: &str = "#/components/schemas/";
/// The error envelope's component name.
pub const ENVELOPE: &str = "ForstErrorEnvelope";

/// The document, as a JSON value. `contract` is the version (see `manifest::contract`).
pub fn document(endpoints: &[EndpointInfo], types: &HashMap<String, TypeDef>, contract: &str) -> Value {
    let schemas = Schemas::new(types, PREFIX);
    let mut components = Map::new();
    for name in emit_ts::reachable(endpoints, types) {
        if types.contains_key(&name) {
            components.insert(name.clone(), schemas.definition(&name));
        }
    }
    components.insert(ENVELOPE.into(), envelope());
    components.insert("ForstEnsureFailure".into(), ensure_failure());
    let mut paths = Map::new();
    for e in endpoints {
        paths.insert(e.route.clone(), object([("post", operation(&schemas, types, e))]));
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Forst endpoints",
            "version": contract,
            "description": "The functions of this project's forst/routes/, served by the Forst sidecar. Every call is a POST with the arguments as JSON: the value of a single argument, an array of several, nothing for none. Calls need the X-Forst-Token header (printed by `forst dev`).",
        },
        "security": [{ "forstToken": [] }],
        "paths": null,
        "components": {
            "securitySchemes": {
                "forstToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Forst-Token",
                    "description": "The sidecar's token: new on every start (`forst dev` prints it), FORST_TOKEN / --token-file for the standalone binary. `Authorization: Bearer <token>` works too.",
                },
            },
            "schemas": null,
        },
    });
    // Built apart and put in place, not copied (see `object`); the keys above keep the document's order.
    doc["paths"] = Value::Object(paths);
    doc["components"]["schemas"] = Value::Object(components);
    doc
}

fn operation(schemas: &Schemas<'_>, types: &HashMap<String, TypeDef>, e: &EndpointInfo) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(e.name));
    let doc = e.doc.clone().unwrap_or_default();
    if let Some(first) = doc.lines().next().filter(|l| !l.is_empty()) {
        op.insert("summary".into(), json!(first));
    }
    let location = format!("Defined in `{}`.", e.file);
    op.insert("description".into(), json!(if doc.is_empty() { location } else { format!("{doc}\n\n{location}") }));
    let body = match e.params.as_slice() {
        [] => None,
        [(name, t)] => {
            let mut s = schemas.parameter(t, e.param_checks.first().map(Vec::as_slice).unwrap_or(&[]));
            describe(&mut s, &format!("`{name}`"));
            Some(s)
        }
        many => {
            let items: Vec<Value> = many
                .iter()
                .zip(&e.param_checks)
                .map(|((name, t), checks)| {
                    let mut s = schemas.parameter(t, checks);
                    describe(&mut s, &format!("`{name}`"));
                    s
                })
                .collect();
            Some(object([
                ("type", json!("array")),
                ("prefixItems", Value::Array(items)),
                ("minItems", json!(many.len())),
                ("maxItems", json!(many.len())),
                (
                    "description",
                    json!(format!(
                        "The arguments in order: {}",
                        many.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )),
                ),
            ]))
        }
    };
    if let Some(schema) = body {
        op.insert("requestBody".into(), object([("required", json!(true)), ("content", json_content(schema))]));
    }
    let ok = match &e.ts_result {
        Some(t) => schemas.value(t, &[]),
        None => json!({ "type": "null" }),
    };
    let mut responses = Map::new();
    responses.insert("200".into(), if e.stream.is_some() { stream_response(&mut op, ok) } else { result_response(ok) });
    for (status, (description, codes)) in error_statuses(types, e) {
        responses.insert(status.to_string(), error_response(&description, &codes, types));
    }
    op.insert("responses".into(), Value::Object(responses));
    let errors: Vec<String> = e.errors.iter().cloned().chain(e.ensures.then(|| "ensure_failed".into())).collect();
    if !errors.is_empty() {
        op.insert("x-forst-errors".into(), json!(errors));
    }
    Value::Object(op)
}

fn result_response(schema: Value) -> Value {
    object([("description", json!("The function's result")), ("content", json_content(schema))])
}

/// `{"application/json": {"schema": schema}}`.
fn json_content(schema: Value) -> Value {
    object([("application/json", object([("schema", schema)]))])
}

/// A streaming endpoint's answer (runtime/go/stream.go): its items as NDJSON, or as one JSON array when the request
/// asks for it with `X-Forst-Stream: array` (a header parameter of the operation).
fn stream_response(op: &mut Map<String, Value>, item: Value) -> Value {
    op.insert(
        "parameters".into(),
        json!([{
            "name": "X-Forst-Stream",
            "in": "header",
            "required": false,
            "description": "`ndjson` (default): one item per line; `array`: one JSON array",
            "schema": { "type": "string", "enum": ["ndjson", "array"] },
        }]),
    );
    let description = "The function's items as they are produced. NDJSON: each line is one item (the schema); a \
        failure after the first item ends the stream with one line holding the error envelope. As an array, a failure \
        after the first item cuts the connection, so that an incomplete array is never mistaken for a complete one.";
    let array = object([("type", json!("array")), ("items", item.clone())]);
    object([
        ("description", json!(description)),
        (
            "content",
            object([
                ("application/x-ndjson", object([("schema", item)])),
                ("application/json", object([("schema", array)])),
            ]),
        ),
    ])
}

/// The error codes an endpoint can answer with, by HTTP status.
fn error_statuses(types: &HashMap<String, TypeDef>, e: &EndpointInfo) -> BTreeMap<u16, (String, Vec<String>)> {
    let mut out: BTreeMap<u16, (String, Vec<String>)> = BTreeMap::new();
    let mut add = |status: u16, description: &str, code: &str| {
        let entry = out.entry(status).or_insert_with(|| (description.to_string(), Vec::new()));
        if !entry.1.iter().any(|c| c == code) {
            entry.1.push(code.to_string());
        }
    };
    add(400, "Invalid input: malformed JSON, a wrong type, a missing required field, a broken constraint (details: path, constraint, expected, actual)", "invalid_input");
    add(401, "No token, or the wrong one (X-Forst-Token)", "unauthorized");
    add(403, "A request with an Origin header (a web page), or addressed to a foreign host", "forbidden_origin");
    add(403, "", "forbidden_host");
    add(413, "The body is larger than the limit", "body_too_large");
    add(415, "Without a token (forst dev --no-auth): a body that is not JSON", "unsupported_media_type");
    for name in &e.errors {
        let status = types.get(name).and_then(|d| d.error_status).unwrap_or(super::check::DEFAULT_ERROR_STATUS);
        add(status, "A domain error (details: its fields)", name);
    }
    if e.ensures {
        add(422, "A domain error (details: its fields)", emit_ts::ENSURE_FAILED);
    }
    if e.returns_error {
        add(500, "The function failed: an error it returned, or a panic", "returned_error");
    }
    add(500, "The function failed: a panic", "panic");
    if e.result.is_some() {
        add(500, "", "invalid_result");
    }
    out
}

/// An error answer: the envelope, with `code` one of `codes` and, for nominal errors, `details` their fields.
fn error_response(description: &str, codes: &[String], types: &HashMap<String, TypeDef>) -> Value {
    let detailed: Vec<Value> = codes
        .iter()
        .filter_map(|c| {
            let details = if types.get(c).is_some_and(|d| d.error_status.is_some()) {
                c.as_str()
            } else if c == emit_ts::ENSURE_FAILED {
                "ForstEnsureFailure"
            } else {
                return None;
            };
            let properties = object([("code", json!({ "const": c })), ("details", reference(details))]);
            Some(object([("properties", properties), ("required", json!(["code", "details"]))]))
        })
        .collect();
    let mut error = json!({ "properties": { "code": { "enum": codes } } });
    if !detailed.is_empty() && detailed.len() == codes.len() {
        error["oneOf"] = Value::Array(detailed);
    }
    let this_error = object([("properties", object([("error", error)]))]);
    let schema = object([("allOf", Value::Array(vec![reference(ENVELOPE), this_error]))]);
    object([("description", json!(description)), ("content", json_content(schema))])
}

/// `{"$ref": "#/components/schemas/<name>"}`.
fn reference(name: &str) -> Value {
    json!({ "$ref": format!("{PREFIX}{name}") })
}

/// `{"error": {"code", "message", "function", "location", "details"}}`.
fn envelope() -> Value {
    json!({
        "type": "object",
        "description": "Every error answer of the sidecar.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "description": "Stable: invalid_input, unauthorized, panic, … or a nominal error's name" },
                    "message": { "type": "string" },
                    "function": { "type": "string" },
                    "location": { "type": "string", "description": "routes/x.ft:12, for panics" },
                    "details": { "description": "A nominal error's fields; the path and constraint of invalid input" },
                },
            },
        },
    })
}

fn ensure_failure() -> Value {
    json!({
        "type": "object",
        "description": "The details of ensure_failed: an `ensure` without `or` failed.",
        "required": ["subject", "constraint", "location"],
        "properties": {
            "subject": { "type": "string" },
            "constraint": { "type": "string" },
            "location": { "type": "string" },
            "got": { "type": "string" },
        },
    })
}

/// Adds a description to a schema that has none (a `$ref` keeps its target's).
fn describe(s: &mut Value, text: &str) {
    if let Value::Object(m) = s {
        if !m.contains_key("$ref") && !m.contains_key("description") {
            m.insert("description".into(), json!(text));
        }
    }
}
