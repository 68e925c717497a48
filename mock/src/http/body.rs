//! JSON request bodies checked the way the FastAPI service does it.
//!
//! A body is validated by boon against the schema the OpenAPI document gives its operation's
//! request body ([`document`]), and its errors are answered as pydantic's 422 problem list, with
//! the location of each problem, instead of a serde message. Like pydantic's default (lax)
//! mode, numeric and boolean strings, and whole floats in integer fields, are converted first.

use std::cmp::Ordering;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use langsmith_control_plane_api::types::ValidationErrorLocItem;
use langsmith_control_plane_schema_kit::boon::{ErrorKind, InstanceToken, Type, ValidationError};
use langsmith_control_plane_schema_kit::{Validator, leaves_of_first_alternative};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::http::document::{WHOLE_INTEGER, document};
use crate::operations::Operation;
use crate::problem::{LocItem, Problem, loc};

/// A request body as a handler receives it: the bytes, their media type, and the operation they
/// were sent to (whose schema checks them).
pub(crate) struct JsonBody {
    content_type: Option<String>,
    bytes: Bytes,
    operation: Option<&'static str>,
}

impl JsonBody {
    /// A body sent to `operation` (for tests that call the checks directly).
    #[cfg(test)]
    fn new(operation: &'static str, content_type: Option<&str>, bytes: &str) -> Self {
        Self {
            content_type: content_type.map(str::to_string),
            bytes: Bytes::from(bytes.to_string()),
            operation: Some(operation),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let operation = request.extensions().get::<Operation>().map(|op| op.0);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            content_type,
            bytes,
            operation,
        })
    }
}

/// Reads a required JSON request body of type `T`, adding each problem found to `problems`.
pub(crate) fn parse_body<T: DeserializeOwned>(
    body: &JsonBody,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let value = checked_value(body)
        .map_err(|found| problems.extend(found))
        .ok()?;
    match serde_json::from_value(value.clone()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let msg = format!("Value error, {error}");
            problems.push(Problem::new("value_error", loc!["body"], msg, value));
            None
        }
    }
}

/// The body as JSON, checked against its operation's schema and with pydantic's lax conversions
/// applied; or the problems found.
fn checked_value(body: &JsonBody) -> Result<Value, Vec<Problem>> {
    let bytes = &body.bytes;
    if body
        .content_type
        .as_deref()
        .is_some_and(|ct| !is_json_media_type(ct))
    {
        // FastAPI hands a non-JSON body to the model as a string, which is not an object.
        let text = String::from_utf8_lossy(bytes).into_owned();
        return Err(vec![not_an_object(loc!["body"], Value::String(text))]);
    }
    if bytes.is_empty() {
        return Err(vec![Problem::missing(loc!["body"], Value::Null)]);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| vec![json_invalid(bytes, &e)])?;
    let validator = body
        .operation
        .and_then(|operation| document().request_validator(operation));
    match validator {
        Some(Ok(validator)) => validate(validator, value),
        // A schema of the document that boon refuses is a bug of the mock.
        Some(Err(error)) => Err(vec![unchecked(value, error)]),
        None => Err(vec![unchecked(value, "no request body schema")]),
    }
}

fn unchecked(value: Value, why: &str) -> Problem {
    let msg = format!("Value error, the mock cannot check this body: {why}");
    Problem::new("value_error", loc!["body"], msg, value)
}

/// `original` with pydantic's lax conversions applied, or the problems found, in field order.
fn validate(validator: &Validator, original: Value) -> Result<Value, Vec<Problem>> {
    let mut converted: Option<Value> = None;
    // Each round turns strings and floats into numbers or booleans that need no further
    // conversion, so the loop ends.
    loop {
        let current = converted.as_ref().unwrap_or(&original);
        let Err(error) = validator.validate(current) else {
            return Ok(converted.unwrap_or(original));
        };
        let leaves = leaves_of_first_alternative(&error);
        let conversions: Vec<(String, Value)> = leaves
            .iter()
            .filter_map(|leaf| {
                let pointer = leaf.instance_location.to_string();
                let lax = lax_conversion(&leaf.kind, current.pointer(&pointer)?)?;
                Some((pointer, lax))
            })
            .collect();
        if conversions.is_empty() {
            let mut problems: Vec<Problem> = leaves
                .iter()
                .flat_map(|leaf| problems_of(leaf, &original))
                .collect();
            // pydantic reports in field order, and the document's fields are sorted by name.
            problems.sort_by(|a, b| loc_order(a.loc(), b.loc()));
            return Err(problems);
        }
        let target = converted.get_or_insert_with(|| original.clone());
        for (pointer, lax) in conversions {
            if let Some(slot) = target.pointer_mut(&pointer) {
                *slot = lax;
            }
        }
    }
}
/// The value pydantic's lax mode makes of `value`, when `kind` is a mismatch it forgives.
fn lax_conversion(kind: &ErrorKind, value: &Value) -> Option<Value> {
    let number = || {
        let text = value.as_str()?.trim();
        text.parse::<f64>().ok().filter(|n| n.is_finite())
    };
    match kind {
        ErrorKind::Type { want, .. } if want.contains(Type::Boolean) => {
            lax_bool(value).map(Value::Bool)
        }
        ErrorKind::Type { want, .. } if want.contains(Type::Integer) => number()
            .filter(|n| n.fract() == 0.0)
            .map(|n| json!(n as i64)),
        ErrorKind::Type { want, .. } if want.contains(Type::Number) => number().map(|n| json!(n)),
        ErrorKind::Format { want, .. } if *want == WHOLE_INTEGER => {
            value.as_f64().map(|n| json!(n as i64))
        }
        _ => None,
    }
}

/// The pydantic problems one validation error stands for.
fn problems_of(error: &ValidationError, body: &Value) -> Vec<Problem> {
    let pointer = error.instance_location.to_string();
    let input = body.pointer(&pointer).cloned().unwrap_or(Value::Null);
    let mut at = loc!["body"];
    for token in &error.instance_location.tokens {
        at.push(match token {
            InstanceToken::Prop(name) => name.to_string().item(),
            InstanceToken::Item(index) => index.item(),
        });
    }
    let problem = match &error.kind {
        ErrorKind::Required { want } => {
            let missing = |name: &&str| {
                let mut field = at.clone();
                field.push(name.item());
                Problem::missing(field, input.clone())
            };
            return want.iter().map(missing).collect();
        }
        ErrorKind::Type { got, want } => {
            let fragment = error.schema_url.split_once('#').map_or("", |(_, f)| f);
            let model = document()
                .at(fragment)
                .is_some_and(|s| s.get("properties").is_some());
            type_problem(
                *got,
                want.iter().find(|t| *t != Type::Null),
                model,
                at,
                input,
            )
        }
        ErrorKind::Enum { want } => Problem::enumeration(at, want, input),
        ErrorKind::Format { want: "uuid", .. } => {
            return Problem::uuid(at, input.as_str().unwrap_or_default())
                .into_iter()
                .collect();
        }
        ErrorKind::Format {
            want: "date-time",
            err,
            ..
        } => Problem::datetime_parsing(at, input, err),
        ErrorKind::Minimum { want, .. } => Problem::too_small(at, input, json!(want)),
        ErrorKind::Maximum { want, .. } => Problem::too_large(at, input, json!(want)),
        other => Problem::new("value_error", at, format!("Value error, {other}"), input),
    };
    vec![problem]
}

/// pydantic's problem for a value of type `got` where `want` was expected; `model` when the
/// expected object is a model with fields rather than a free-form dictionary.
fn type_problem(
    got: Type,
    want: Option<Type>,
    model: bool,
    at: Vec<ValidationErrorLocItem>,
    input: Value,
) -> Problem {
    let (kind, msg) = match want {
        Some(Type::Object) if model => return not_an_object(at, input),
        Some(Type::Object) => ("dict_type", "Input should be a valid dictionary"),
        Some(Type::Array) => ("list_type", "Input should be a valid list"),
        Some(Type::Integer) if got == Type::String => return Problem::int_parsing(at, input),
        Some(Type::Integer) if got == Type::Number => (
            "int_from_float",
            "Input should be a valid integer, got a number with a fractional part",
        ),
        Some(Type::Integer) => ("int_type", "Input should be a valid integer"),
        Some(Type::Number) if got == Type::String => (
            "float_parsing",
            "Input should be a valid number, unable to parse string as a number",
        ),
        Some(Type::Number) => ("float_type", "Input should be a valid number"),
        Some(Type::Boolean) if got == Type::String => return Problem::bool_parsing(at, input),
        Some(Type::Boolean) => ("bool_type", "Input should be a valid boolean"),
        _ => ("string_type", "Input should be a valid string"),
    };
    Problem::new(kind, at, msg, input)
}

/// Orders locations as pydantic reports them: field by field, items by index.
fn loc_order(a: &[ValidationErrorLocItem], b: &[ValidationErrorLocItem]) -> Ordering {
    fn key(item: &ValidationErrorLocItem) -> (i64, &str) {
        match item {
            ValidationErrorLocItem::Integer(index) => (*index, ""),
            ValidationErrorLocItem::String(name) => (0, name),
        }
    }
    a.iter().map(key).cmp(b.iter().map(key))
}

fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// pydantic's JSON decode problem: the location is the character offset where Python's decoder
/// stopped, and `ctx.error` its message.
fn json_invalid(body: &[u8], error: &serde_json::Error) -> Problem {
    let text = String::from_utf8_lossy(body);
    let offset = if error.classify() == serde_json::error::Category::Eof {
        // serde points at the last character, Python just past it.
        text.chars().count()
    } else {
        let lines_before: usize = text
            .split_inclusive('\n')
            .take(error.line().saturating_sub(1))
            .map(|line| line.chars().count())
            .sum();
        lines_before + error.column().saturating_sub(1)
    };
    let message = error.to_string();
    let serde_reason = message.split(" at line ").next().unwrap_or(&message);
    let reason = match serde_reason {
        "EOF while parsing a value" | "expected value" => "Expecting value",
        "key must be a string" | "EOF while parsing an object" => {
            "Expecting property name enclosed in double quotes"
        }
        "expected `,` or `}`" | "expected `,` or `]`" | "EOF while parsing a list" => {
            "Expecting ',' delimiter"
        }
        "expected `:`" => "Expecting ':' delimiter",
        "EOF while parsing a string" => "Unterminated string",
        "trailing characters" => "Extra data",
        other => other,
    };
    Problem::new(
        "json_invalid",
        loc!["body", offset],
        "JSON decode error",
        json!({}),
    )
    .with_ctx("error", reason)
}

fn not_an_object(loc: Vec<ValidationErrorLocItem>, input: Value) -> Problem {
    let msg = "Input should be a valid dictionary or object to extract fields from";
    Problem::new("model_attributes_type", loc, msg, input)
}

/// pydantic's lax booleans: `true`, `"yes"`, `"on"`, `1` and their opposites.
pub(crate) fn lax_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(n) if n.as_i64() == Some(1) => Some(true),
        Value::Number(n) if n.as_i64() == Some(0) => Some(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use langsmith_control_plane_api::types::DeploymentCreateRequest;

    fn problems(body: &str) -> Vec<Value> {
        let mut problems = Vec::new();
        let body = JsonBody::new("create_deployment", None, body);
        let parsed: Option<DeploymentCreateRequest> = parse_body(&body, &mut problems);
        assert_eq!(parsed.is_some(), problems.is_empty());
        problems.into_iter().map(Problem::into_value).collect()
    }

    #[test]
    fn missing_fields_are_listed_with_their_location() {
        let found = problems(r#"{"name": "x"}"#);
        let locs: Vec<&Value> = found.iter().map(|p| &p["loc"]).collect();
        assert_eq!(
            locs,
            [
                &json!(["body", "secrets"]),
                &json!(["body", "source"]),
                &json!(["body", "source_config"]),
                &json!(["body", "source_revision_config"]),
            ]
        );
        assert!(
            found
                .iter()
                .all(|p| p["type"] == "missing" && p["msg"] == "Field required")
        );
        assert_eq!(found[0]["input"], json!({"name": "x"}));
    }

    #[test]
    fn lax_numbers_are_converted_and_bounds_checked() {
        let body = r#"{"name":"x","source":"github","secrets":[],"source_revision_config":{},
            "source_config":{"resource_spec":{"cpu":"9","min_scale":"2"}}}"#;
        let found = problems(body);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["type"], "less_than_equal");
        assert_eq!(
            found[0]["loc"],
            json!(["body", "source_config", "resource_spec", "cpu"])
        );
        assert_eq!(found[0]["ctx"], json!({"le": 8.0}));
    }

    #[test]
    fn unknown_enum_values_are_refused() {
        let body = r#"{"name":"x","source":"svn","secrets":[],"source_config":{},"source_revision_config":{}}"#;
        let found = problems(body);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["type"], "enum");
        assert_eq!(found[0]["loc"], json!(["body", "source"]));
        let msg = found[0]["msg"].as_str().unwrap();
        assert!(msg.starts_with("Input should be 'github', "), "{msg}");
        assert!(msg.ends_with(" or 'internal_template'"), "{msg}");
    }

    #[test]
    fn wrong_types_are_named() {
        let body = r#"{"name":1,"source":"github","secrets":{},"source_config":[],"source_revision_config":{}}"#;
        let kinds: Vec<Value> = problems(body)
            .into_iter()
            .map(|p| p["type"].clone())
            .collect();
        assert_eq!(
            kinds,
            [
                json!("string_type"),
                json!("list_type"),
                json!("model_attributes_type")
            ]
        );
    }

    fn parse(source_config: Value) -> Option<DeploymentCreateRequest> {
        let body = json!({"name": "x", "source": "github", "secrets": [],
                          "source_revision_config": {}, "source_config": source_config});
        let body = JsonBody::new("create_deployment", None, &body.to_string());
        parse_body(&body, &mut Vec::new())
    }

    #[test]
    fn lax_booleans_and_whole_floats_are_converted() {
        let parsed = parse(json!({"build_on_push": "yes", "resource_spec": {"min_scale": 2.0}}))
            .expect("accepted");
        assert_eq!(parsed.source_config.build_on_push, Some(true));
        let resources = parsed.source_config.resource_spec.expect("kept");
        assert_eq!(resources.min_scale, Some(2));
    }

    #[test]
    fn fractions_in_integer_fields_and_malformed_ids_are_named() {
        let body = r#"{"name":"x","source":"github","secrets":[],"source_revision_config":{},
            "source_config":{"integration_id":"nope","resource_spec":{"min_scale":2.5}}}"#;
        let found = problems(body);
        let kinds: Vec<(&Value, &Value)> = found.iter().map(|p| (&p["type"], &p["loc"])).collect();
        assert_eq!(
            kinds,
            [
                (
                    &json!("uuid_parsing"),
                    &json!(["body", "source_config", "integration_id"])
                ),
                (
                    &json!("int_from_float"),
                    &json!(["body", "source_config", "resource_spec", "min_scale"])
                ),
            ]
        );
        assert_eq!(found[1]["input"], json!(2.5));
    }

    #[test]
    fn broken_json_points_at_the_offset() {
        let found = problems("{\"name\": }");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["type"], "json_invalid");
        assert_eq!(found[0]["loc"], json!(["body", 9]));
        assert_eq!(found[0]["input"], json!({}));
    }

    #[test]
    fn an_empty_body_is_missing() {
        let found = problems("");
        assert_eq!(
            found,
            [json!({"type": "missing", "loc": ["body"], "msg": "Field required", "input": null})]
        );
    }
}
