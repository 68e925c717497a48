//! build.rs turns bad documents into one-line messages, never panics.

#[path = "../../build/generate.rs"]
#[allow(dead_code)]
mod generate;

use serde_json::{Value, json};

fn minimal(extra_paths: Value, schemas: Value) -> String {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": extra_paths,
        "components": {"schemas": schemas}
    })
    .to_string()
}

fn error_of(text: &str) -> String {
    match generate::generate(text) {
        Ok(_) => panic!("expected an error"),
        Err(message) => message,
    }
}

#[test]
fn our_document_generates() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/control-plane.json"
    ))
    .unwrap();
    let generated = generate::generate(&text).expect("our document generates");
    assert!(generated.client.contains("pub fn get_revision(&self)"));
    assert!(generated.enums.contains("pub enum RevisionStatus"));
}

/// The request hook checks paths against this table, so it must name every operation.
#[test]
fn the_operation_table_lists_every_operation_with_its_template() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/control-plane.json"
    ))
    .unwrap();
    let operations: String = generate::generate(&text)
        .unwrap()
        .operations
        .split_whitespace()
        .collect();
    assert_eq!(operations.matches("(\"").count(), 43, "{operations}");
    assert!(operations.contains(
        "(\"get_revision\",\"/v2/deployments/{deployment_id}/revisions/{revision_id}\")"
    ));
}

#[test]
fn openapi_3_1_is_refused_with_the_way_out() {
    let text = minimal(json!({}), json!({})).replace("3.0.3", "3.1.0");
    let message = error_of(&text);
    assert!(
        message.contains("\"3.1.0\"") && message.contains("cargo xtask spec update"),
        "{message}"
    );
}

#[test]
fn invalid_json_names_the_position() {
    let message = error_of("{\"openapi\": \"3.0.3\",,}");
    assert!(
        message.starts_with("not valid JSON") && message.contains("line 1"),
        "{message}"
    );
}

#[test]
fn an_inline_string_enum_is_refused_with_its_location() {
    let schemas = json!({"Thing": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}});
    let message = error_of(&minimal(json!({}), schemas));
    assert!(
        message.contains("/components/schemas/Thing/properties/kind"),
        "{message}"
    );
}

#[test]
fn enum_values_that_collide_as_rust_names_are_refused() {
    let schemas = json!({"Mode": {"type": "string", "enum": ["dev-free", "dev_free"]}});
    let message = error_of(&minimal(json!({}), schemas));
    assert!(message.contains("both become variant DevFree"), "{message}");
}

#[test]
fn a_structurally_invalid_document_is_a_message() {
    let text = json!({"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}}).to_string();
    let message = error_of(&text);
    assert!(
        message.starts_with("not a valid OpenAPI 3.0 document"),
        "{message}"
    );
}

#[test]
fn a_construct_progenitor_panics_on_becomes_a_message() {
    // Two different error body types in one operation: progenitor asserts and panics.
    let paths = json!({"/x": {"get": {"operationId": "get_x", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
        "404": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
        "422": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}}
    }}}});
    let message = error_of(&minimal(paths, json!({})));
    assert!(
        message.contains("progenitor cannot handle a construct"),
        "{message}"
    );
}

#[test]
fn sensitive_strings_become_sensitive_nullable_or_not_and_other_strings_stay_strings() {
    let schemas = json!({"Login": {"type": "object", "required": ["password"], "properties": {
        "password": {"type": "string", "format": "password", "description": "d"},
        "token": {"type": "string", "format": "password", "nullable": true},
        "user": {"type": "string"}
    }}});
    let generated = generate::generate(&minimal(json!({}), schemas)).unwrap();
    let client: String = generated.client.split_whitespace().collect();
    for field in [
        "pubpassword:crate::sensitive::Sensitive,",
        "pubtoken:::std::option::Option<crate::sensitive::Sensitive>,",
        "pubuser:::std::option::Option<::std::string::String>,",
    ] {
        assert!(client.contains(field), "{field} missing");
    }
}

#[test]
fn a_sensitive_string_of_another_shape_is_refused_with_its_location() {
    // With `minLength` beside it the generator would not match it and keep a plain `String`.
    let schemas = json!({"Login": {"type": "object", "properties": {
        "password": {"type": "string", "format": "password", "minLength": 8}
    }}});
    let message = error_of(&minimal(json!({}), schemas));
    assert!(
        message.contains("/components/schemas/Login/properties/password")
            && message.contains("minLength")
            && message.contains("Sensitive"),
        "{message}"
    );
}
