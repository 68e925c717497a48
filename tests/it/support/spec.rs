//! Reading our OpenAPI document in tests: component schemas, $ref resolution, operations.

use serde_json::Value;

pub fn document() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/control-plane.json"
    ))
    .expect("read openapi/control-plane.json");
    serde_json::from_str(&text).expect("document is JSON")
}

pub fn schema_names(doc: &Value) -> Vec<String> {
    doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .keys()
        .cloned()
        .collect()
}

/// Follows `$ref` and single-element `allOf` wrappers (how the document spells nullable refs).
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return resolve(doc, only);
    }
    schema
}

pub fn is_string_enum(schema: &Value) -> bool {
    schema.get("enum").is_some() && schema["type"] == "string"
}

/// Every (METHOD, path template, operationId) of the document.
pub fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId").to_string();
            out.push((method.to_uppercase(), path.clone(), id));
        }
    }
    out.sort();
    out
}
