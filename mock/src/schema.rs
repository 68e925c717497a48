//! JSON bodies checked and written the way the FastAPI service does it.
//!
//! Request bodies are checked against the JSON Schema of the generated request types (derived from
//! the OpenAPI document), so a missing field, a wrong type or an unknown enum value is answered with
//! pydantic's 422 problem list, with the location of each problem, instead of a serde message.
//! Like pydantic's default (lax) mode, numeric and boolean strings are accepted and converted.
//!
//! Response bodies are the generated types serialized, with the `null`s and empty lists FastAPI
//! writes for absent optional fields (the generated types skip them when serializing).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use bytes::Bytes;
use langsmith_control_plane_api::types::ValidationErrorLocItem;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::api_error::{LocItem, Problem, loc};

/// Bounds the OpenAPI document sets on request fields but the generated types do not carry:
/// (type, field, minimum, maximum).
const DOCUMENT_BOUNDS: &[(&str, &str, f64, f64)] = &[
    ("ResourceSpecInput", "cpu", 0.1, 8.0),
    ("ResourceSpecInput", "cpu_limit", 0.1, 16.0),
    ("ResourceSpecInput", "queue_cpu", 0.1, 8.0),
    ("ResourceSpecInput", "queue_cpu_limit", 0.1, 16.0),
    ("ResourceSpecInput", "redis_cpu", 0.1, 8.0),
    ("ResourceSpecInput", "redis_cpu_limit", 0.1, 16.0),
];

/// A type's JSON Schema as a JSON value: the root schema and its definitions.
struct TypeSchema {
    root: Value,
    definitions: Map<String, Value>,
}

/// The schema of `T`, built once.
fn schema_of<T: JsonSchema + 'static>() -> &'static TypeSchema {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, &'static TypeSchema>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    cache.entry(TypeId::of::<T>()).or_insert_with(|| {
        let mut root = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
        let mut definitions = match root.get_mut("definitions").map(Value::take) {
            Some(Value::Object(definitions)) => definitions,
            _ => Map::new(),
        };
        for (type_name, field, minimum, maximum) in DOCUMENT_BOUNDS {
            if let Some(property) = definitions
                .get_mut(*type_name)
                .and_then(|schema| schema.pointer_mut(&format!("/properties/{field}")))
                .and_then(Value::as_object_mut)
            {
                property.insert("minimum".into(), json!(minimum));
                property.insert("maximum".into(), json!(maximum));
            }
        }
        Box::leak(Box::new(TypeSchema { root, definitions }))
    })
}

/// Reads a required JSON request body of type `T`, adding each problem found to `problems`.
pub(crate) fn parse_body<T>(
    headers: &HeaderMap,
    body: &Bytes,
    problems: &mut Vec<Problem>,
) -> Option<T>
where
    T: DeserializeOwned + JsonSchema + 'static,
{
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if content_type.is_some_and(|ct| !is_json_media_type(ct)) {
        // FastAPI hands a non-JSON body to the model as a string, which is not an object.
        let text = String::from_utf8_lossy(body).into_owned();
        problems.push(not_an_object(loc!["body"], Value::String(text)));
        return None;
    }
    if body.is_empty() {
        problems.push(Problem::missing(loc!["body"], Value::Null));
        return None;
    }
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            problems.push(json_invalid(body, &error));
            return None;
        }
    };
    let schema = schema_of::<T>();
    let found = problems.len();
    let mut walker = Checker {
        definitions: &schema.definitions,
        problems,
    };
    walker.check(&schema.root, &mut value, &mut loc!["body"]);
    if problems.len() > found {
        return None;
    }
    match serde_json::from_value(value.clone()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let msg = format!("Value error, {error}");
            problems.push(Problem::new("value_error", loc!["body"], msg, value));
            None
        }
    }
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

/// Walks a value along its schema, converting lax inputs in place and recording problems.
struct Checker<'a> {
    definitions: &'a Map<String, Value>,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn check(&mut self, schema: &Value, value: &mut Value, at: &mut Vec<ValidationErrorLocItem>) {
        if let Some(target) = resolve(schema, self.definitions) {
            return self.check(target, value, at);
        }
        if let Some(branches) = alternatives(schema) {
            return self.check_alternatives(&branches, value, at);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for part in all {
                self.check(part, value, at);
            }
            return;
        }
        let types = types_of(schema);
        if value.is_null() && types.contains(&"null") {
            return;
        }
        match types.iter().copied().find(|t| *t != "null") {
            Some("object") => self.check_object(schema, value, at),
            Some("array") => self.check_array(schema, value, at),
            Some("string") => self.check_string(schema, value, at),
            Some("integer") => self.check_number(schema, value, at, true),
            Some("number") => self.check_number(schema, value, at, false),
            Some("boolean") => self.check_boolean(value, at),
            _ => {}
        }
    }

    fn check_alternatives(
        &mut self,
        branches: &[&Value],
        value: &mut Value,
        at: &mut Vec<ValidationErrorLocItem>,
    ) {
        if value.is_null() && branches.iter().any(|b| types_of(b) == ["null"]) {
            return;
        }
        let candidates: Vec<&Value> = branches
            .iter()
            .copied()
            .filter(|b| types_of(b) != ["null"])
            .collect();
        if let [only] = candidates.as_slice() {
            return self.check(only, value, at);
        }
        let mut first_problems = None;
        for branch in &candidates {
            let mut trial = value.clone();
            let mut problems = Vec::new();
            Checker {
                definitions: self.definitions,
                problems: &mut problems,
            }
            .check(branch, &mut trial, at);
            if problems.is_empty() {
                *value = trial;
                return;
            }
            first_problems.get_or_insert(problems);
        }
        self.problems.extend(first_problems.unwrap_or_default());
    }

    fn check_object(
        &mut self,
        schema: &Value,
        value: &mut Value,
        at: &mut Vec<ValidationErrorLocItem>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let Value::Object(object) = value else {
            let problem = if properties.is_some() {
                not_an_object(at.clone(), value.clone())
            } else {
                Problem::new(
                    "dict_type",
                    at.clone(),
                    "Input should be a valid dictionary",
                    value.clone(),
                )
            };
            self.problems.push(problem);
            return;
        };
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = name.as_str() else { continue };
            if !object.contains_key(name) {
                let mut missing_at = at.clone();
                missing_at.push(name.item());
                self.problems
                    .push(Problem::missing(missing_at, Value::Object(object.clone())));
            }
        }
        let extra = schema.get("additionalProperties").filter(|s| s.is_object());
        for (name, field) in object.iter_mut() {
            let field_schema = properties.and_then(|p| p.get(name)).or(extra);
            if let Some(field_schema) = field_schema {
                at.push(name.clone().item());
                self.check(field_schema, field, at);
                at.pop();
            }
        }
    }

    fn check_array(
        &mut self,
        schema: &Value,
        value: &mut Value,
        at: &mut Vec<ValidationErrorLocItem>,
    ) {
        let Value::Array(items) = value else {
            self.problems.push(Problem::new(
                "list_type",
                at.clone(),
                "Input should be a valid list",
                value.clone(),
            ));
            return;
        };
        if let Some(item_schema) = schema.get("items") {
            for (index, item) in items.iter_mut().enumerate() {
                at.push(index.item());
                self.check(item_schema, item, at);
                at.pop();
            }
        }
    }

    fn check_string(&mut self, schema: &Value, value: &Value, at: &[ValidationErrorLocItem]) {
        let Value::String(text) = value else {
            self.problems.push(Problem::new(
                "string_type",
                at.to_vec(),
                "Input should be a valid string",
                value.clone(),
            ));
            return;
        };
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.iter().any(|a| a.as_str() == Some(text)) {
                self.problems
                    .push(enum_problem(at.to_vec(), allowed, value.clone()));
            }
            return;
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => self.problems.extend(Problem::uuid(at.to_vec(), text)),
            Some("date-time") => {
                if let Err(error) = chrono::DateTime::parse_from_rfc3339(text) {
                    self.problems.push(Problem::datetime_parsing(
                        at.to_vec(),
                        value.clone(),
                        &error,
                    ));
                }
            }
            _ => {}
        }
    }

    fn check_number(
        &mut self,
        schema: &Value,
        value: &mut Value,
        at: &[ValidationErrorLocItem],
        integer: bool,
    ) {
        let input = value.clone();
        let number = match &input {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        };
        let Some(number) = number else {
            let problem = match (&input, integer) {
                (Value::String(_), true) => Problem::int_parsing(at.to_vec(), input),
                (Value::String(_), false) => Problem::new(
                    "float_parsing",
                    at.to_vec(),
                    "Input should be a valid number, unable to parse string as a number",
                    input,
                ),
                (_, true) => Problem::new(
                    "int_type",
                    at.to_vec(),
                    "Input should be a valid integer",
                    input,
                ),
                (_, false) => Problem::new(
                    "float_type",
                    at.to_vec(),
                    "Input should be a valid number",
                    input,
                ),
            };
            self.problems.push(problem);
            return;
        };
        if integer {
            if number.fract() != 0.0 {
                let msg = "Input should be a valid integer, got a number with a fractional part";
                self.problems
                    .push(Problem::new("int_from_float", at.to_vec(), msg, input));
                return;
            }
            if !value.is_i64() && !value.is_u64() {
                // Lax mode: "3" and 3.0 become 3.
                *value = json!(number as i64);
            }
        } else if !value.is_number() {
            *value = json!(number);
        }
        if let Some(minimum) = schema
            .get("minimum")
            .filter(|m| m.as_f64().is_some_and(|m| number < m))
        {
            self.problems.push(Problem::too_small(
                at.to_vec(),
                input.clone(),
                minimum.clone(),
            ));
        }
        if let Some(maximum) = schema
            .get("maximum")
            .filter(|m| m.as_f64().is_some_and(|m| number > m))
        {
            self.problems
                .push(Problem::too_large(at.to_vec(), input, maximum.clone()));
        }
    }

    fn check_boolean(&mut self, value: &mut Value, at: &[ValidationErrorLocItem]) {
        match lax_bool(value) {
            Some(flag) => *value = Value::Bool(flag),
            None => {
                let problem = if value.is_string() {
                    Problem::bool_parsing(at.to_vec(), value.clone())
                } else {
                    Problem::new(
                        "bool_type",
                        at.to_vec(),
                        "Input should be a valid boolean",
                        value.clone(),
                    )
                };
                self.problems.push(problem);
            }
        }
    }
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

/// pydantic's message for a value outside an enumeration: `Input should be 'a', 'b' or 'c'`.
pub(crate) fn enum_problem(
    at: Vec<ValidationErrorLocItem>,
    allowed: &[Value],
    input: Value,
) -> Problem {
    let quoted: Vec<String> = allowed
        .iter()
        .filter_map(Value::as_str)
        .map(|a| format!("'{a}'"))
        .collect();
    let expected = match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    Problem::new("enum", at, format!("Input should be {expected}"), input)
        .with_ctx("expected", expected)
}

/// Optional fields that the document does not mark nullable, though their generated type is an
/// `Option` like a nullable one's: a `null` would break the document's schema, so an absent one
/// stays absent. (type, field); the tests below keep this in step with the document.
const NOT_NULLABLE: &[(&str, &str)] = &[
    ("Volume", "name"),
    ("VolumeMount", "mountPath"),
    ("VolumeMount", "name"),
];

/// Serializes a response body with explicit `null`s for absent optional fields and `[]` for absent
/// lists, as FastAPI writes them.
pub(crate) fn to_wire_json<T: Serialize + JsonSchema + 'static>(body: &T) -> Value {
    let mut value = serde_json::to_value(body).unwrap_or(Value::Null);
    let schema = schema_of::<T>();
    let name = T::schema_name();
    fill_absent(&schema.root, &schema.definitions, &name, &mut value);
    value
}

/// Fills in the absent fields of `value`, an instance of `schema` (the type named `type_name`).
fn fill_absent(
    schema: &Value,
    definitions: &Map<String, Value>,
    type_name: &str,
    value: &mut Value,
) {
    if let Some((name, target)) = resolve_named(schema, definitions) {
        return fill_absent(target, definitions, name, value);
    }
    if let Some(branches) = alternatives(schema) {
        let non_null: Vec<&Value> = branches
            .into_iter()
            .filter(|b| types_of(b) != ["null"])
            .collect();
        if let [only] = non_null.as_slice() {
            fill_absent(only, definitions, type_name, value);
        }
        return;
    }
    match value {
        Value::Object(object) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (name, property) in properties {
                match object.get_mut(name) {
                    Some(field) => fill_absent(property, definitions, "", field),
                    None if NOT_NULLABLE.contains(&(type_name, name.as_str())) => {}
                    None if allows_null(property, definitions) => {
                        object.insert(name.clone(), Value::Null);
                    }
                    // A required list is only absent when the generated type skipped it as empty.
                    None if types_of(property) == ["array"] => {
                        object.insert(name.clone(), Value::Array(Vec::new()));
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    fill_absent(item_schema, definitions, "", item);
                }
            }
        }
        _ => {}
    }
}

fn allows_null(schema: &Value, definitions: &Map<String, Value>) -> bool {
    if let Some(target) = resolve(schema, definitions) {
        return allows_null(target, definitions);
    }
    types_of(schema).contains(&"null")
        || alternatives(schema)
            .is_some_and(|branches| branches.iter().any(|b| types_of(b) == ["null"]))
}

/// The definition a `$ref` points at.
fn resolve<'a>(schema: &Value, definitions: &'a Map<String, Value>) -> Option<&'a Value> {
    resolve_named(schema, definitions).map(|(_, target)| target)
}

/// The definition a `$ref` points at, with its name.
fn resolve_named<'s, 'd>(
    schema: &'s Value,
    definitions: &'d Map<String, Value>,
) -> Option<(&'s str, &'d Value)> {
    let name = schema.get("$ref")?.as_str()?.rsplit('/').next()?;
    Some((name, definitions.get(name)?))
}

fn alternatives(schema: &Value) -> Option<Vec<&Value>> {
    match schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        Some(Value::Array(branches)) => Some(branches.iter().collect()),
        _ => None,
    }
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use langsmith_control_plane_api::types::{DeploymentCreateRequest, LogsResponse, Volume};

    fn problems(body: &str) -> Vec<Value> {
        let mut problems = Vec::new();
        let parsed: Option<DeploymentCreateRequest> = parse_body(
            &HeaderMap::new(),
            &Bytes::from(body.to_string()),
            &mut problems,
        );
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

    #[test]
    fn absent_optional_fields_are_written_as_null_and_empty_lists() {
        let wire = to_wire_json(&LogsResponse::default());
        assert_eq!(wire, json!({"logs": [], "next_offset": null}));
    }

    #[test]
    fn absent_fields_the_document_does_not_make_nullable_stay_absent() {
        // Found by scripts/schemathesis.sh: `"name": null` in a volume broke the Deployment schema.
        let volume: Volume = serde_json::from_value(json!({})).unwrap();
        let wire = to_wire_json(&vec![volume]);
        assert!(wire[0].get("name").is_none(), "{wire}");
        assert_eq!(
            wire[0]["csi"],
            Value::Null,
            "nullable fields are still written"
        );
    }

    #[test]
    fn the_not_nullable_list_is_the_documents() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/control-plane.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut in_document = Vec::new();
        for (type_name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            let required = schema["required"].as_array().cloned().unwrap_or_default();
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                // Scalars without a default become an `Option` when not required.
                let scalar = ["string", "integer", "number", "boolean"]
                    .contains(&property["type"].as_str().unwrap_or(""));
                if scalar
                    && !required.contains(&json!(field))
                    && property["nullable"] != true
                    && property.get("default").is_none()
                {
                    in_document.push((type_name.as_str(), field.as_str()));
                }
            }
        }
        assert_eq!(in_document, NOT_NULLABLE);
    }
}
