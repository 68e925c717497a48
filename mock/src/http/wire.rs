//! Successful JSON responses written as the FastAPI service writes them: with an explicit `null`
//! for each absent field the document makes nullable, and `[]` for each absent list (the
//! generated types skip both when serializing). Fields the document does not make nullable stay
//! absent, as a `null` there would break its schema.

use axum::body::{Body, to_bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use langsmith_control_plane_schema_kit::ref_target;
use serde_json::Value;

use crate::http::document::document;

/// `response` to a request for `operation`, with its JSON body completed by the schema the
/// document gives that operation's response with this status; as it is when there is none.
pub(crate) async fn shape(operation: Option<&'static str>, response: Response) -> Response {
    let status = response.status();
    let schema = operation
        .filter(|_| status.is_success())
        .and_then(|operation| document().response_schema(operation, status.as_u16()));
    let Some(schema) = schema else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    fill(schema, &mut value);
    let bytes = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// Fills in the absent fields of `value`, an instance of `schema` (translated, see
/// [`document`]).
fn fill(schema: &Value, value: &mut Value) {
    let root = document().root();
    if let Some(target) = ref_target(root, schema) {
        return fill(target, value);
    }
    if let Some(branches) = alternatives(schema) {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|b| types_of(b) != ["null"])
            .collect();
        if let [only] = non_null.as_slice() {
            fill(only, value);
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
                    Some(field) => fill(property, field),
                    None if allows_null(root, property) => {
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
                    fill(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

fn allows_null(root: &Value, schema: &Value) -> bool {
    if let Some(target) = ref_target(root, schema) {
        return allows_null(root, target);
    }
    types_of(schema).contains(&"null")
        || alternatives(schema)
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
    use langsmith_control_plane_api::OPENAPI_DOCUMENT;
    use langsmith_control_plane_api::types::{LogsResponse, Volume};
    use serde_json::json;

    /// `body` serialized and completed as an instance of `schema`.
    fn to_wire_json(schema: Value, body: &impl serde::Serialize) -> Value {
        let mut value = serde_json::to_value(body).unwrap();
        fill(&schema, &mut value);
        value
    }

    fn component(name: &str) -> Value {
        json!({"$ref": format!("#/components/schemas/{name}")})
    }

    #[test]
    fn absent_optional_fields_are_written_as_null_and_empty_lists() {
        let wire = to_wire_json(component("LogsResponse"), &LogsResponse::default());
        assert_eq!(wire, json!({"logs": [], "next_offset": null}));
    }

    #[test]
    fn absent_fields_the_document_does_not_make_nullable_stay_absent() {
        // Found by scripts/schemathesis.sh: `"name": null` in a volume broke the Deployment schema.
        let volume: Volume = serde_json::from_value(json!({})).unwrap();
        let volumes = json!({"type": "array", "items": component("Volume")});
        let wire = to_wire_json(volumes, &vec![volume]);
        assert!(wire[0].get("name").is_none(), "{wire}");
        assert_eq!(
            wire[0]["csi"],
            Value::Null,
            "nullable fields are still written"
        );
    }

    #[test]
    fn every_absent_field_is_written_as_the_document_makes_it() {
        let raw: Value = serde_json::from_str(OPENAPI_DOCUMENT).unwrap();
        let mut left_absent = Vec::new();
        for (name, schema) in raw["components"]["schemas"].as_object().unwrap() {
            let Some(properties) = schema["properties"].as_object() else {
                continue;
            };
            let mut wire = json!({});
            fill(&component(name), &mut wire);
            for (field, property) in properties {
                let expected = if property["nullable"] == true {
                    Some(Value::Null)
                } else if property["type"] == "array" {
                    Some(json!([]))
                } else {
                    None
                };
                assert_eq!(wire.get(field), expected.as_ref(), "{name}.{field}");
                if expected.is_none() && property["type"].is_string() {
                    left_absent.push((name.as_str(), field.as_str()));
                }
            }
        }
        for optional in [
            ("Volume", "name"),
            ("VolumeMount", "mountPath"),
            ("VolumeMount", "name"),
        ] {
            assert!(left_absent.contains(&optional), "{optional:?}");
        }
    }
}
