//! The one error type of the runtime. It has the same shape as the sidecar's JSON error envelope
//! (`{"error": {"code", "message", "function", "location"}}` plus the HTTP-like `status`), so that a failure is
//! reported to JS the same way whether it happened in Go, in the HTTP hop or before the sidecar ever ran.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// HTTP status the failure corresponds to (also for failures that never crossed HTTP: 503 unavailable, …).
    pub status: u16,
    /// Stable machine-readable code (`invalid_input`, `go_not_found`, …; see README "Error codes").
    pub code: String,
    /// What went wrong and what to do, for humans.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// More for programs: a nominal error's fields, the path and constraint of invalid input (from the sidecar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<serde_json::Value>>,
}

impl Failure {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code: code.to_string(),
            message: message.into(),
            function: None,
            location: None,
            details: None,
        }
    }

    pub fn with_function(mut self, function: &str) -> Failure {
        self.function = Some(function.to_string());
        self
    }

    /// The envelope as JSON text: `{"error": {...}}`.
    pub fn to_envelope(&self) -> String {
        serde_json::json!({ "error": self }).to_string()
    }

    /// Parses the sidecar's error envelope; falls back to a generic failure that keeps the raw body.
    pub fn from_envelope(status: u16, body: &[u8], function: &str) -> Failure {
        #[derive(serde::Deserialize)]
        struct Inner {
            code: String,
            message: String,
            function: Option<String>,
            location: Option<String>,
            details: Option<Box<serde_json::Value>>,
        }
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: Inner,
        }
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => Failure {
                status,
                code: error.code,
                message: error.message,
                function: error.function.or_else(|| Some(function.to_string())),
                location: error.location,
                details: error.details,
            },
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.chars().take(500).collect();
                Failure::new(
                    status,
                    "unexpected_response",
                    format!("the sidecar answered HTTP {status} with a body that is not a Forst error: {text}"),
                )
                .with_function(function)
            }
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trips() {
        let f = Failure::new(400, "invalid_input", "at input.numbers: expected []float64, got string")
            .with_function("calculate");
        let back = Failure::from_envelope(400, f.to_envelope().as_bytes(), "x");
        assert_eq!(back, f);
    }

    #[test]
    fn details_survive_the_envelope() {
        let body = br#"{"error":{"code":"OutOfStock","message":"OutOfStock","function":"order","details":{"sku":"A-1","available":0}}}"#;
        let f = Failure::from_envelope(422, body, "order");
        assert_eq!(f.details.as_deref(), Some(&serde_json::json!({"sku": "A-1", "available": 0})));
        assert_eq!(Failure::from_envelope(422, f.to_envelope().as_bytes(), "x"), f);
    }

    #[test]
    fn non_envelope_body_is_kept_in_the_message() {
        let f = Failure::from_envelope(502, b"<html>bad gateway</html>", "calc");
        assert_eq!(f.code, "unexpected_response");
        assert!(f.message.contains("bad gateway"));
        assert_eq!(f.function.as_deref(), Some("calc"));
    }
}
