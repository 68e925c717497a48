//! Properties of the normalizer on arbitrary documents: it never panics, and normalizing twice
//! changes nothing the first pass did not.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use xtask::json::to_canonical_string;
use xtask::normalize::normalize;
use xtask::update::update_document;

/// Keys drawn mostly from the keywords the rules look at, so the rules fire often.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "type", "anyOf", "oneOf", "allOf", "enum", "const", "nullable", "$ref", "title",
            "description", "properties", "items", "additionalProperties", "examples", "example",
            "exclusiveMinimum", "minimum", "exclusiveMaximum", "maximum", "required", "default",
            "operationId", "responses", "parameters", "in", "name", "schema", "content",
            "application/json", "200", "404", "422", "4XX", "default", "security", "summary",
            "requestBody", "components", "schemas", "securitySchemes", "x-ext", "status", "source",
        ]).prop_map(str::to_string),
        1 => "[a-zA-Z_/{}~-]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..20).prop_map(|n| json!(n)),
        (-2.0f64..2.0).prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "null",
            "string",
            "integer",
            "number",
            "object",
            "array",
            "boolean",
            "k8s",
            "query",
            "path",
            "#/components/schemas/A",
            "#/components/schemas/B",
            "f_a_get",
            "f",
            "3.1.0",
        ])
        .prop_map(|s| json!(s)),
        "[a-z]{0,4}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(key(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object_of<S: Strategy<Value = Value>>(
    keys: Vec<&'static str>,
    values: S,
    size: usize,
) -> impl Strategy<Value = Value> {
    btree_map(
        prop::sample::select(keys).prop_map(str::to_string),
        values,
        0..size,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>()))
}

/// Documents shaped like OpenAPI at the top (paths, operations, components), arbitrary below.
fn document() -> impl Strategy<Value = Value> {
    let operation = object_of(
        vec![
            "operationId",
            "parameters",
            "responses",
            "requestBody",
            "security",
            "tags",
        ],
        value(),
        5,
    );
    let item = object_of(vec!["get", "post", "delete", "parameters"], operation, 3);
    let paths = object_of(vec!["/a", "/a/{id}", "/v2/x", "/", "/x-y"], item, 4);
    let schemas = object_of(
        vec!["A", "B", "AStatus", "ApiErrorBody", "ValidationError"],
        value(),
        4,
    );
    (paths, schemas, value(), value(), any::<bool>()).prop_map(
        |(paths, schemas, security, extra, wrap)| {
            let mut doc = json!({
                "openapi": "3.1.0",
                "info": {"title": "t", "version": "1"},
                "paths": paths,
                "components": {"schemas": schemas, "securitySchemes": {"K": {"type": "apiKey"}}},
                "security": security,
            });
            if wrap {
                doc["extra"] = extra;
            }
            doc
        },
    )
}

/// `cases` unless PROPTEST_CASES asks for more (for a longer hunt by hand).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn normalizing_is_idempotent_on_openapi_shaped_documents(doc in document()) {
        let mut once = doc;
        normalize(&mut once);
        let mut twice = once.clone();
        normalize(&mut twice);
        prop_assert_eq!(to_canonical_string(&once), to_canonical_string(&twice));
    }

    #[test]
    fn normalizing_is_idempotent_on_any_json(doc in value()) {
        let mut once = doc;
        normalize(&mut once);
        let mut twice = once.clone();
        normalize(&mut twice);
        prop_assert_eq!(once, twice);
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn updating_against_any_base_gives_a_normalized_document(upstream in document(), base in document()) {
        let (updated, _) = update_document(upstream, Some(&base));
        let mut again = updated.clone();
        normalize(&mut again);
        prop_assert_eq!(updated, again);
    }
}
