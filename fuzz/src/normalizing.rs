//! The normalizer's properties, and OpenAPI-shaped documents to exercise its rules.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value, json};
use xtask::json::to_canonical_string;
use xtask::normalize::normalize;

use crate::json;

/// Normalizes `doc` twice; the second pass must change nothing. A panic inside either is a
/// finding too.
pub fn normalize_twice(doc: Value) {
    let mut once = doc.clone();
    normalize(&mut once);
    let mut twice = once.clone();
    normalize(&mut twice);
    assert!(
        once == twice,
        "normalizing is not idempotent\n  input: {doc}\n  once:  {once}\n  twice: {twice}"
    );
    assert_eq!(to_canonical_string(&once), to_canonical_string(&twice));
}

/// The words the rules look at, as keys and values.
const KEYWORDS: &[&str] = &[
    "type",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "enum",
    "const",
    "nullable",
    "$ref",
    "title",
    "description",
    "properties",
    "items",
    "prefixItems",
    "additionalProperties",
    "examples",
    "example",
    "exclusiveMinimum",
    "minimum",
    "exclusiveMaximum",
    "maximum",
    "required",
    "default",
    "format",
    "contentMediaType",
    "$schema",
    "$defs",
    "operationId",
    "responses",
    "parameters",
    "in",
    "name",
    "schema",
    "content",
    "application/json",
    "200",
    "201",
    "204",
    "404",
    "422",
    "4XX",
    "default",
    "security",
    "summary",
    "requestBody",
    "components",
    "schemas",
    "securitySchemes",
    "webhooks",
    "jsonSchemaDialect",
    "x-ext",
    "null",
    "string",
    "integer",
    "number",
    "object",
    "array",
    "boolean",
    "query",
    "path",
    "header",
    "#/components/schemas/A",
    "#/components/schemas/B",
    "#/components/schemas/HTTPValidationError",
    "HTTPValidationError",
    "ValidationError",
    "A",
    "B",
    "AStatus",
    "status",
    "source",
    "openapi",
    "3.1.0",
    "3.0.3",
];

fn keywords() -> Vec<String> {
    KEYWORDS.iter().map(|k| k.to_string()).collect()
}

fn object_of(
    u: &mut Unstructured,
    keys: &[&str],
    max: usize,
    mut value: impl FnMut(&mut Unstructured) -> Result<Value>,
) -> Result<Value> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=max)? {
        let key = (*u.choose(keys)?).to_string();
        map.insert(key, value(u)?);
    }
    Ok(Value::Object(map))
}

/// A document shaped like OpenAPI at the top (paths, operations, components), arbitrary below.
pub fn document(u: &mut Unstructured) -> Result<Value> {
    let words = keywords();
    let methods = ["get", "post", "patch", "delete", "parameters"];
    let fields = [
        "operationId",
        "parameters",
        "responses",
        "requestBody",
        "security",
        "tags",
    ];
    let paths = object_of(u, &["/a", "/a/{id}", "/v2/x", "/", "/x-y"], 4, |u| {
        object_of(u, &methods, 3, |u| {
            object_of(u, &fields, 5, |u| json::value(u, &words, 4))
        })
    })?;
    let schemas = object_of(
        u,
        &["A", "B", "AStatus", "ApiErrorBody", "ValidationError"],
        4,
        |u| json::value(u, &words, 5),
    )?;
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"K": {"type": "apiKey"}}},
        "security": json::value(u, &words, 2)?,
    });
    if u.arbitrary()? {
        doc["webhooks"] = json::value(u, &words, 3)?;
    }
    Ok(doc)
}
