//! JSON bodies checked and written the way the FastAPI service does it.
//!
//! Request bodies are validated by `boon` against the JSON Schema of the generated request types
//! (derived from the OpenAPI document), and its errors are answered as pydantic's 422 problem list,
//! with the location of each problem, instead of a serde message. Like pydantic's default (lax)
//! mode, numeric and boolean strings, and whole floats in integer fields, are converted first.
//!
//! Response bodies are the generated types serialized, with the `null`s and empty lists FastAPI
//! writes for absent optional fields (the generated types skip them when serializing).

use std::any::TypeId;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::error::Error;
use std::sync::{Mutex, OnceLock, PoisonError};

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use boon::{
    Compiler, ErrorKind, Format, InstanceToken, SchemaIndex, Schemas, Type, ValidationError,
};
use bytes::Bytes;
use langsmith_control_plane_api::types::ValidationErrorLocItem;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::problem::{LocItem, Problem, loc};

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

/// The `format`s schemars gives integer fields. A whole float (`3.0`) passes JSON Schema's
/// `integer` type but not serde's, so these formats flag it for conversion.
const INTEGER_FORMATS: &[&str] = &[
    "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
];

/// Where the schema of a type is registered with `boon` (never fetched).
const SCHEMA_URL: &str = "http://mock.invalid/schema.json";

/// A type's JSON Schema (root with its `definitions`), and its validator, compiled on first use.
struct TypeSchema {
    root: Value,
    validator: OnceLock<Result<(Schemas, SchemaIndex), String>>,
}

impl TypeSchema {
    /// The definition a `$ref` points at, with its name.
    fn resolve<'s>(&'s self, schema: &'s Value) -> Option<(&'s str, &'s Value)> {
        let reference = schema.get("$ref")?.as_str()?;
        let name = reference.rsplit('/').next()?;
        Some((name, self.root.pointer(reference.strip_prefix('#')?)?))
    }

    fn validator(&self) -> Result<&(Schemas, SchemaIndex), &str> {
        let validator = self.validator.get_or_init(|| compile(&self.root));
        validator.as_ref().map_err(String::as_str)
    }
}

fn compile(root: &Value) -> Result<(Schemas, SchemaIndex), String> {
    let mut compiler = Compiler::new();
    compiler.enable_format_assertions();
    let formats = [
        ("uuid", uuid_format as FormatCheck),
        ("date-time", date_time_format),
    ];
    let integers = INTEGER_FORMATS
        .iter()
        .map(|name| (*name, integer_format as FormatCheck));
    for (name, func) in formats.into_iter().chain(integers) {
        compiler.register_format(Format { name, func });
    }
    let describe = |error: boon::CompileError| format!("{error:#}");
    compiler
        .add_resource(SCHEMA_URL, root.clone())
        .map_err(describe)?;
    let mut schemas = Schemas::new();
    let index = compiler
        .compile(SCHEMA_URL, &mut schemas)
        .map_err(describe)?;
    Ok((schemas, index))
}

type FormatCheck = fn(&Value) -> Result<(), Box<dyn Error>>;

// Formats checked with the parsers serde uses, so that validation and deserialization agree.

fn uuid_format(value: &Value) -> Result<(), Box<dyn Error>> {
    if let Some(text) = value.as_str() {
        uuid::Uuid::parse_str(text)?;
    }
    Ok(())
}

fn date_time_format(value: &Value) -> Result<(), Box<dyn Error>> {
    if let Some(text) = value.as_str() {
        chrono::DateTime::parse_from_rfc3339(text)?;
    }
    Ok(())
}

fn integer_format(value: &Value) -> Result<(), Box<dyn Error>> {
    match value {
        Value::Number(n) if n.is_f64() => Err("a whole float, not an integer".into()),
        _ => Ok(()),
    }
}

/// The schema of `T`, built once.
fn schema_of<T: JsonSchema + 'static>() -> &'static TypeSchema {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, &'static TypeSchema>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    cache.entry(TypeId::of::<T>()).or_insert_with(|| {
        let mut root = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
        for (type_name, field, minimum, maximum) in DOCUMENT_BOUNDS {
            let pointer = format!("/definitions/{type_name}/properties/{field}");
            if let Some(property) = root.pointer_mut(&pointer).and_then(Value::as_object_mut) {
                property.insert("minimum".into(), json!(minimum));
                property.insert("maximum".into(), json!(maximum));
            }
        }
        Box::leak(Box::new(TypeSchema {
            root,
            validator: OnceLock::new(),
        }))
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
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            problems.push(json_invalid(body, &error));
            return None;
        }
    };
    let value = match validate(schema_of::<T>(), value) {
        Ok(value) => value,
        Err(found) => {
            problems.extend(found);
            return None;
        }
    };
    match serde_json::from_value(value.clone()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let msg = format!("Value error, {error}");
            problems.push(Problem::new("value_error", loc!["body"], msg, value));
            None
        }
    }
}

/// `original` with pydantic's lax conversions applied, or the problems found, in field order.
fn validate(schema: &TypeSchema, original: Value) -> Result<Value, Vec<Problem>> {
    let (schemas, index) = match schema.validator() {
        Ok(validator) => validator,
        // A schema derived from the generated types that boon refuses is a bug of the mock.
        Err(error) => {
            let msg = format!("Value error, the mock cannot check this body: {error}");
            return Err(vec![Problem::new(
                "value_error",
                loc!["body"],
                msg,
                original,
            )]);
        }
    };
    let mut converted: Option<Value> = None;
    // Each round turns strings and floats into numbers or booleans that need no further
    // conversion, so the loop ends.
    loop {
        let current = converted.as_ref().unwrap_or(&original);
        let Err(error) = schemas.validate(current, *index) else {
            return Ok(converted.unwrap_or(original));
        };
        let mut leaves = Vec::new();
        collect_leaves(&error, &mut leaves);
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
                .flat_map(|leaf| problems_of(leaf, schema, &original))
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

/// The errors that name a problem. Of failed alternatives (`Option<T>` is `anyOf [T, null]`),
/// the first one that is not `null` is reported, as pydantic does.
fn collect_leaves<'e, 's, 'v>(
    error: &'e ValidationError<'s, 'v>,
    leaves: &mut Vec<&'e ValidationError<'s, 'v>>,
) {
    match &error.kind {
        ErrorKind::AnyOf | ErrorKind::OneOf(None) => {
            let branch = error.causes.iter().find(|b| !is_null_branch(b));
            if let Some(branch) = branch.or(error.causes.first()) {
                collect_leaves(branch, leaves);
            }
        }
        _ if error.causes.is_empty() => leaves.push(error),
        _ => {
            for cause in &error.causes {
                collect_leaves(cause, leaves);
            }
        }
    }
}

/// The failure of the `null` alternative of an optional value.
fn is_null_branch(error: &ValidationError) -> bool {
    matches!(&error.kind, ErrorKind::Type { want, .. } if want.iter().eq([Type::Null]))
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
        ErrorKind::Format { want, .. } if INTEGER_FORMATS.contains(want) => {
            value.as_f64().map(|n| json!(n as i64))
        }
        _ => None,
    }
}

/// The pydantic problems one validation error stands for.
fn problems_of(error: &ValidationError, schema: &TypeSchema, body: &Value) -> Vec<Problem> {
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
            let model = schema
                .root
                .pointer(fragment)
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
    fill_absent(schema, &schema.root, &T::schema_name(), &mut value);
    value
}

/// Fills in the absent fields of `value`, an instance of `node` (the type named `type_name`).
fn fill_absent(schema: &TypeSchema, node: &Value, type_name: &str, value: &mut Value) {
    if let Some((name, target)) = schema.resolve(node) {
        return fill_absent(schema, target, name, value);
    }
    if let Some(branches) = alternatives(node) {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|b| types_of(b) != ["null"])
            .collect();
        if let [only] = non_null.as_slice() {
            fill_absent(schema, only, type_name, value);
        }
        return;
    }
    match value {
        Value::Object(object) => {
            let Some(properties) = node.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (name, property) in properties {
                match object.get_mut(name) {
                    Some(field) => fill_absent(schema, property, "", field),
                    None if NOT_NULLABLE.contains(&(type_name, name.as_str())) => {}
                    None if allows_null(schema, property) => {
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
            if let Some(item_schema) = node.get("items") {
                for item in items {
                    fill_absent(schema, item_schema, "", item);
                }
            }
        }
        _ => {}
    }
}

fn allows_null(schema: &TypeSchema, node: &Value) -> bool {
    if let Some((_, target)) = schema.resolve(node) {
        return allows_null(schema, target);
    }
    types_of(node).contains(&"null")
        || alternatives(node)
            .is_some_and(|branches| branches.iter().any(|b| types_of(b) == ["null"]))
}

fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
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

    fn parse(source_config: Value) -> Option<DeploymentCreateRequest> {
        let body = json!({"name": "x", "source": "github", "secrets": [],
                          "source_revision_config": {}, "source_config": source_config});
        parse_body(
            &HeaderMap::new(),
            &Bytes::from(body.to_string()),
            &mut Vec::new(),
        )
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
