//! The vendored document and how `spec update` treats prose: ours is kept, upstream's never written.

use serde_json::{Value, json};

use xtask::json::{parse, to_canonical_string};
use xtask::normalize::normalize;
use xtask::update::update_document;
use xtask::{check, vendored_spec};

fn vendored_text() -> String {
    std::fs::read_to_string(vendored_spec())
        .expect("openapi/control-plane.json is in the repository")
}

fn vendored() -> Value {
    parse(&vendored_text(), "vendored").unwrap()
}

#[test]
fn the_vendored_document_is_a_fixed_point_of_normalize() {
    let mut doc = vendored();
    normalize(&mut doc);
    assert!(
        to_canonical_string(&doc) == vendored_text(),
        "normalizing openapi/control-plane.json changes it"
    );
}

#[test]
fn the_vendored_document_passes_spec_check() {
    if let Err(problems) = check::check(&vendored_text()) {
        panic!("spec check failed:\n{}", problems.join("\n"));
    }
}

#[test]
fn updating_the_vendored_document_against_itself_changes_nothing() {
    let (updated, carried) = update_document(vendored(), Some(&vendored()));
    assert!(
        to_canonical_string(&updated) == vendored_text(),
        "update(vendored, base = vendored) differs from vendored"
    );
    assert_eq!(carried.orphaned, 0);
}

/// A small upstream document whose every piece of prose says UPSTREAM.
fn upstream() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "API", "version": "2.0.0", "description": "UPSTREAM info"},
        "tags": [{"name": "Things", "description": "UPSTREAM tag"}],
        "paths": {"/things/{id}": {"get": {
            "operationId": "get_thing_things__id__get",
            "summary": "UPSTREAM summary",
            "description": "UPSTREAM operation",
            "tags": ["Things (v2)"],
            "parameters": [{"in": "path", "name": "id", "required": true, "description": "UPSTREAM parameter",
                            "schema": {"type": "string", "title": "UPSTREAM title", "description": "UPSTREAM schema"}}],
            "responses": {
                "200": {"description": "UPSTREAM response", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "404": {"description": "UPSTREAM not found", "content": {"application/json": {"example": {"detail": "UPSTREAM example"}}}}
            }
        }}},
        "components": {"schemas": {"Thing": {
            "title": "Thing", "description": "UPSTREAM component", "type": "object",
            "properties": {
                "state": {"type": "string", "enum": ["on", "off"], "description": "UPSTREAM property", "examples": ["on"]},
                "size": {"type": "integer", "title": "UPSTREAM size"},
                "description": {"type": "string", "description": "UPSTREAM field named description"}
            }
        }}}
    })
}

#[test]
fn update_writes_none_of_the_upstream_prose() {
    let (updated, _) = update_document(upstream(), None);
    let text = to_canonical_string(&updated);
    assert!(!text.contains("UPSTREAM"), "upstream prose leaked:\n{text}");
    // A property named `description` is data, not prose.
    assert_eq!(
        updated.pointer("/components/schemas/Thing/properties/description/type"),
        Some(&json!("string"))
    );
    // Responses still carry the description 3.0 requires.
    assert_eq!(
        updated.pointer("/paths/~1things~1{id}/get/responses/200/description"),
        Some(&json!("OK"))
    );
}

/// What our previous version said about the same API.
fn base() -> Value {
    let mut base = json!({
        "openapi": "3.0.3",
        "info": {"title": "Our title", "version": "1.0.0", "description": "Our words."},
        "servers": [{"url": "https://example.test"}],
        "security": [{"Key": []}],
        "tags": [{"name": "Things", "description": "Our tag."}],
        "paths": {"/things/{id}": {"get": {
            "operationId": "get_thing",
            "summary": "Get a thing",
            "tags": ["Things"],
            "parameters": [{"in": "path", "name": "id", "required": true, "description": "Our parameter.", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The thing.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
        }}, "/gone": {"get": {"operationId": "gone", "description": "Our words on a removed operation.",
            "responses": {"200": {"description": "Gone."}}}}},
        "components": {
            "securitySchemes": {"Key": {"type": "apiKey", "in": "header", "name": "X-Key", "description": "Our key."}},
            "schemas": {
                "Thing": {"description": "Our thing.", "type": "object", "properties": {
                    "state": {"allOf": [{"$ref": "#/components/schemas/Switch"}], "description": "Our state."},
                    "removed_field": {"type": "string", "description": "Our words on a removed field."}
                }},
                "Switch": {"description": "Our switch.", "enum": ["on", "off"], "type": "string"}
            }
        }
    });
    normalize(&mut base);
    base
}

#[test]
fn update_keeps_our_prose_where_the_node_still_exists() {
    let (updated, carried) = update_document(upstream(), Some(&base()));
    let at = |pointer: &str| updated.pointer(pointer).cloned();
    assert_eq!(
        at("/paths/~1things~1{id}/get/summary"),
        Some(json!("Get a thing"))
    );
    assert_eq!(
        at("/paths/~1things~1{id}/get/parameters/0/description"),
        Some(json!("Our parameter."))
    );
    assert_eq!(
        at("/paths/~1things~1{id}/get/responses/200/description"),
        Some(json!("The thing."))
    );
    assert_eq!(
        at("/components/schemas/Thing/description"),
        Some(json!("Our thing."))
    );
    assert_eq!(
        at("/components/schemas/Thing/properties/state/description"),
        Some(json!("Our state."))
    );
    assert_eq!(
        at("/components/schemas/Switch/description"),
        Some(json!("Our switch."))
    );
    // Prose of nodes upstream no longer has is not resurrected.
    let text = to_canonical_string(&updated);
    assert!(!text.contains("removed"), "{text}");
    // The removed operation's description and its response's, and the removed field's. The
    // base's security scheme, which upstream lacks, is taken whole: its prose is not lost.
    assert_eq!(carried.orphaned, 3, "{carried:?}");
}

#[test]
fn update_keeps_the_enum_names_of_the_base() {
    let (updated, _) = update_document(upstream(), Some(&base()));
    assert_eq!(
        updated.pointer("/components/schemas/Thing/properties/state/allOf/0/$ref"),
        Some(&json!("#/components/schemas/Switch"))
    );
    assert!(updated.pointer("/components/schemas/ThingState").is_none());
}

#[test]
fn update_takes_the_editorial_parts_from_the_base_and_the_version_from_upstream() {
    let (updated, _) = update_document(upstream(), Some(&base()));
    assert_eq!(
        updated["info"],
        json!({"title": "Our title", "version": "2.0.0", "description": "Our words."})
    );
    assert_eq!(updated["servers"], base()["servers"]);
    assert_eq!(updated["security"], json!([{"Key": []}]));
    assert_eq!(
        updated["tags"],
        json!([{"name": "Things", "description": "Our tag."}])
    );
    assert_eq!(
        updated.pointer("/paths/~1things~1{id}/get/tags"),
        Some(&json!(["Things"]))
    );
    assert_eq!(
        updated.pointer("/components/securitySchemes/Key/description"),
        Some(&json!("Our key."))
    );
}

#[test]
fn without_a_base_upstream_tags_and_no_descriptions_remain() {
    let (updated, _) = update_document(upstream(), None);
    assert_eq!(
        updated.pointer("/paths/~1things~1{id}/get/tags"),
        Some(&json!(["Things (v2)"]))
    );
    assert_eq!(updated["tags"], json!([{"name": "Things"}]));
    assert_eq!(
        updated.pointer("/paths/~1things~1{id}/get/operationId"),
        Some(&json!("get_thing"))
    );
}
