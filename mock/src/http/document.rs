//! The vendored OpenAPI document as the mock reads it: for each operation, the schema of its
//! request body (to check requests) and of its responses (to write them), in JSON Schema.
//!
//! The document is OpenAPI 3.0, whose schemas say `nullable: true` where JSON Schema (draft 7,
//! what boon checks) has a `null` type or alternative; they are translated once, on first use:
//!
//! - `nullable` with a `type`: the type gains `null` (and an `enum` the value `null`);
//!   `nullable` without one (a reference): `anyOf` the schema and `null`;
//! - a one-member `allOf` (how the document puts a description on a reference): that member;
//! - every `integer` gets the format [`WHOLE_INTEGER`], which flags a whole float (`3.0`): JSON
//!   Schema counts it an integer, serde does not, so it is converted first.

use std::collections::HashMap;
use std::error::Error;
use std::sync::OnceLock;

use langsmith_control_plane_api::OPENAPI_DOCUMENT;
use langsmith_control_plane_schema_kit::Validator;
use langsmith_control_plane_schema_kit::boon::{Compiler, Format};
use serde_json::{Map, Value, json};

/// Where the translated document is registered with boon (never fetched).
const DOCUMENT_URL: &str = "http://mock.invalid/control-plane.json";

/// The format every integer schema gets; see the module documentation.
pub(crate) const WHOLE_INTEGER: &str = "int64";

/// The translated document: `components/schemas` as in the document, and each operation's
/// bodies under `requests/{operation}` and `responses/{operation}/{status}`, so that every
/// schema, and every place an error points at, is a JSON pointer into one value.
pub(crate) struct Document {
    root: Value,
    requests: HashMap<String, OnceLock<Result<Validator, String>>>,
}

/// The document, read and translated on first use.
pub(crate) fn document() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // The bindings crate was generated from this very text: it is valid JSON.
        let raw: Value = serde_json::from_str(OPENAPI_DOCUMENT).unwrap_or_default();
        Document::new(&raw)
    })
}

impl Document {
    fn new(raw: &Value) -> Self {
        let schemas: Map<String, Value> = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, schema)| (name.clone(), translate(schema)))
            .collect();
        let mut requests = Map::new();
        let mut responses = Map::new();
        for operation in operations(raw) {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
            {
                requests.insert(id.to_string(), translate(schema));
            }
            let by_status: Map<String, Value> = operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(status, response)| {
                    let schema = response.pointer("/content/application~1json/schema")?;
                    Some((status.clone(), translate(schema)))
                })
                .collect();
            responses.insert(id.to_string(), Value::Object(by_status));
        }
        let compiled = requests.keys().map(|id| (id.clone(), OnceLock::new()));
        Self {
            requests: compiled.collect(),
            root: json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "components": {"schemas": schemas},
                "requests": requests,
                "responses": responses,
            }),
        }
    }

    /// The node at `pointer` in the translated document (where a validation error points).
    pub(crate) fn at(&self, pointer: &str) -> Option<&Value> {
        self.root.pointer(pointer)
    }

    /// The translated document, against which `$ref`s resolve.
    pub(crate) fn root(&self) -> &Value {
        &self.root
    }

    /// The validator of `operation`'s JSON request body, compiled on first use; `None` when the
    /// operation takes no JSON body. `Err` (a bug of the mock) when boon refuses the schema.
    pub(crate) fn request_validator(&self, operation: &str) -> Option<Result<&Validator, &str>> {
        let slot = self.requests.get(operation)?;
        let compiled = slot.get_or_init(|| compile(&self.root, operation));
        Some(compiled.as_ref().map_err(String::as_str))
    }

    /// The schema of `operation`'s JSON response with `status`; `None` when the document gives
    /// none.
    pub(crate) fn response_schema(&self, operation: &str, status: u16) -> Option<&Value> {
        self.root
            .get("responses")?
            .get(operation)?
            .get(status.to_string())
    }
}

/// Every operation object of the document.
fn operations(raw: &Value) -> impl Iterator<Item = &Value> {
    raw.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
}

/// A schema of the document, translated to JSON Schema (see the module documentation).
fn translate(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        let value = match (key.as_str(), value) {
            ("nullable", _) => continue,
            ("properties", Value::Object(members)) => Value::Object(
                members
                    .iter()
                    .map(|(name, member)| (name.clone(), translate(member)))
                    .collect(),
            ),
            ("items" | "additionalProperties" | "not", Value::Object(_)) => translate(value),
            ("allOf" | "anyOf" | "oneOf", Value::Array(members)) => {
                Value::Array(members.iter().map(translate).collect())
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    if let Some(Value::Array(members)) = out.get("allOf")
        && let [Value::Object(only)] = members.as_slice()
    {
        out = only.clone();
    }
    if out.get("type").and_then(Value::as_str) == Some("integer") {
        out.entry("format")
            .or_insert_with(|| Value::from(WHOLE_INTEGER));
    }
    if object.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    match out.get("type").cloned() {
        Some(Value::String(kind)) => {
            out.insert("type".into(), json!([kind, "null"]));
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                values.push(Value::Null);
            }
            Value::Object(out)
        }
        _ => json!({"anyOf": [out, {"type": "null"}]}),
    }
}

/// boon's validator of the request body of `operation`, with the formats checked by the parsers
/// serde uses, so that validation and deserialization agree.
fn compile(root: &Value, operation: &str) -> Result<Validator, String> {
    let mut compiler = Compiler::new();
    compiler.enable_format_assertions();
    let formats = [
        ("uuid", uuid_format as FormatCheck),
        ("date-time", date_time_format),
        (WHOLE_INTEGER, integer_format),
    ];
    for (name, func) in formats {
        compiler.register_format(Format { name, func });
    }
    let location = format!("{DOCUMENT_URL}#/requests/{operation}");
    Validator::with_compiler(compiler, DOCUMENT_URL, root.clone(), &location)
        .map_err(|error| format!("{error:#}"))
}

type FormatCheck = fn(&Value) -> Result<(), Box<dyn Error>>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_values_gain_null_and_references_lose_their_all_of() {
        let translated = translate(&json!({"properties": {
            "cpu": {"type": "number", "nullable": true, "minimum": 0.1},
            "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": true},
            "size": {"allOf": [{"$ref": "#/components/schemas/Size"}], "description": "d"},
            "count": {"type": "integer"},
            "mode": {"type": "string", "enum": ["a"], "nullable": true},
        }}));
        let properties = &translated["properties"];
        assert_eq!(
            properties["cpu"],
            json!({"type": ["number", "null"], "minimum": 0.1})
        );
        assert_eq!(
            properties["kind"],
            json!({"anyOf": [{"$ref": "#/components/schemas/Kind"}, {"type": "null"}]})
        );
        assert_eq!(
            properties["size"],
            json!({"$ref": "#/components/schemas/Size"})
        );
        assert_eq!(
            properties["count"],
            json!({"type": "integer", "format": WHOLE_INTEGER})
        );
        assert_eq!(properties["mode"]["enum"], json!(["a", null]));
    }

    #[test]
    fn every_request_body_of_the_document_compiles() {
        let document = document();
        let mut compiled = 0;
        for operation in crate::operations::operation_ids() {
            if let Some(validator) = document.request_validator(operation) {
                validator.unwrap_or_else(|e| panic!("{operation}: {e}"));
                compiled += 1;
            }
        }
        assert_eq!(compiled, 13);
    }
}
