//! The requests the mock received, kept for tests to inspect, with every secret redacted.

use std::collections::VecDeque;

use axum::http::request::Parts;
use serde_json::Value;

use crate::control::faults::FaultKind;

/// What replaces a secret in recorded headers and bodies.
pub const REDACTED: &str = "[REDACTED]";

/// Headers whose values are credentials.
const SECRET_HEADERS: &[&str] = &[
    "x-api-key",
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-service-key",
];

/// Body fields whose values are credentials, wherever they appear.
const SECRET_FIELDS: &[&str] = &["client_secret", "token", "api_key", "password"];

/// Largest request body kept in a [`RecordedRequest`]; a larger one is recorded as its size only.
pub const MAX_RECORDED_BODY: usize = 64 * 1024;

/// One request as the mock received it.
///
/// Credentials never reach this record: the values of `X-Api-Key`, `Authorization` and similar
/// headers, and of secret fields in the body (`secrets[].value`, `client_secret`, ...), are
/// replaced by [`REDACTED`]. Whether the right key was sent is checked by the mock itself when it
/// is configured with [`MockServerBuilder::api_key`](crate::MockServerBuilder::api_key).
///
/// The body is kept only when the request carried an accepted `X-Api-Key` and the body is at
/// most [`MAX_RECORDED_BODY`] bytes; otherwise only its size is, in `body_len`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as received, path prefix included.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Header names (lower case) and values, in order, credentials redacted.
    pub headers: Vec<(String, String)>,
    /// The body when it was JSON and kept (see above), secrets redacted.
    pub body: Option<Value>,
    /// Size of the body in bytes.
    pub body_len: usize,
    /// The operation the request addressed (`get_revision`...), `None` for unknown paths.
    pub operation: Option<&'static str>,
    /// The injected fault that answered or changed this request, if any (latency aside).
    pub fault: Option<FaultKind>,
}

impl RecordedRequest {
    /// The record of a request; its body is kept when `keep_body` and small enough.
    pub(crate) fn new(
        parts: &Parts,
        body: &[u8],
        keep_body: bool,
        operation: Option<&'static str>,
    ) -> Self {
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_string();
                let value = if SECRET_HEADERS.contains(&name.as_str()) {
                    REDACTED.to_string()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name, value)
            })
            .collect();
        let keep_body = keep_body && body.len() <= MAX_RECORDED_BODY;
        let body_json = keep_body
            .then(|| serde_json::from_slice::<Value>(body).ok())
            .flatten()
            .map(|mut value| {
                redact(&mut value);
                value
            });
        Self {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers,
            body: body_json,
            body_len: body.len(),
            operation,
            fault: None,
        }
    }

    /// The value of header `name` (any case); `None` when absent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// The most recent requests, oldest first, at most `capacity` of them.
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    entries: VecDeque<RecordedRequest>,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: VecDeque::new(),
        }
    }

    /// Adds a request, forgetting the oldest one when the log is full.
    pub(crate) fn push(&mut self, request: RecordedRequest) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.entries.iter()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

fn redact(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, field) in object.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && !field.is_null() {
                    *field = Value::from(REDACTED);
                } else if key == "secrets" {
                    for secret in field.as_array_mut().into_iter().flatten() {
                        if let Some(secret_value) = secret.get_mut("value") {
                            *secret_value = Value::from(REDACTED);
                        }
                    }
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use serde_json::json;

    #[test]
    fn credentials_are_redacted_everywhere() {
        let (parts, ()) = Request::post("/v2/deployments?limit=5")
            .header("X-Api-Key", "lsv2_pt_secret")
            .header("Authorization", "Bearer secret")
            .header("Accept", "application/json")
            .body(())
            .unwrap()
            .into_parts();
        let body = json!({"name": "a", "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-secret"}],
                          "nested": {"client_secret": "cs-secret"}});
        let recorded = RecordedRequest::new(
            &parts,
            body.to_string().as_bytes(),
            true,
            Some("create_deployment"),
        );
        let printed = format!("{recorded:?}");
        for secret in ["lsv2_pt_secret", "Bearer secret", "sk-secret", "cs-secret"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert_eq!(recorded.header("x-api-key"), Some(REDACTED));
        assert_eq!(recorded.header("ACCEPT"), Some("application/json"));
        let body = recorded.body.clone().unwrap();
        assert_eq!(
            body["secrets"][0],
            json!({"name": "OPENAI_API_KEY", "value": REDACTED})
        );
        assert_eq!(body["nested"]["client_secret"], REDACTED);
        assert_eq!(
            recorded.query_pairs(),
            [("limit".to_string(), "5".to_string())]
        );
    }
}
