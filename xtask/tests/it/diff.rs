//! `spec diff` on small document pairs, one change kind each.

use serde_json::{Value, json};

use xtask::diff::{Area, Change, What, diff, render_json, render_text};

fn doc(paths: Value, schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas}})
}

fn op(id: &str, parameters: Value, response: &str) -> Value {
    json!({"operationId": id, "parameters": parameters, "responses": {"200": {"description": "OK",
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}}}})
}

fn thing(properties: Value, required: Value) -> Value {
    json!({"Thing": {"type": "object", "properties": properties, "required": required},
           "Color": {"type": "string", "enum": ["red", "green"]}})
}

fn base_paths() -> Value {
    json!({"/things": {"get": op("list_things", json!([{"in": "query", "name": "limit", "required": false, "schema": {"type": "integer"}}]), "Thing")}})
}

fn base_schemas() -> Value {
    thing(
        json!({"id": {"type": "string"}, "color": {"$ref": "#/components/schemas/Color"}, "note": {"type": "string"}}),
        json!(["id"]),
    )
}

fn base() -> Value {
    doc(base_paths(), base_schemas())
}

/// The only change between `base()` and `new`.
fn only_change(new: Value) -> Change {
    let changes = diff(&base(), &new);
    assert_eq!(changes.len(), 1, "expected one change, got {changes:#?}");
    changes.into_iter().next().unwrap()
}

fn assert_change(change: &Change, area: Area, location: &str, what: What, breaking: bool) {
    assert_eq!(
        (
            change.area,
            change.location.as_str(),
            change.what,
            change.breaking
        ),
        (area, location, what, breaking),
        "{change:?}"
    );
}

#[test]
fn identical_documents_have_no_changes() {
    assert!(diff(&base(), &base()).is_empty());
    assert_eq!(render_text(&[]), "No changes.\n");
}

#[test]
fn an_added_operation_is_compatible() {
    let mut paths = base_paths();
    paths["/things/{id}"] = json!({"delete": {"operationId": "delete_thing", "responses": {"204": {"description": "No Content"}}}});
    assert_change(
        &only_change(doc(paths, base_schemas())),
        Area::Operation,
        "DELETE /things/{id}",
        What::Added,
        false,
    );
}

#[test]
fn a_removed_operation_is_breaking() {
    let new = doc(json!({}), base_schemas());
    assert_change(
        &only_change(new),
        Area::Operation,
        "GET /things",
        What::Removed,
        true,
    );
}

#[test]
fn a_renamed_operation_id_is_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["operationId"] = json!("get_things");
    let change = only_change(doc(paths, base_schemas()));
    assert_change(&change, Area::Operation, "GET /things", What::Changed, true);
    assert!(change.detail.contains("list_things -> get_things"));
}

#[test]
fn a_new_optional_parameter_is_compatible_and_a_new_required_one_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"in": "query", "name": "q", "required": false, "schema": {"type": "string"}}));
    assert_change(
        &only_change(doc(paths.clone(), base_schemas())),
        Area::Parameter,
        "GET /things query `q`",
        What::Added,
        false,
    );
    paths["/things"]["get"]["parameters"][1]["required"] = json!(true);
    assert_change(
        &only_change(doc(paths, base_schemas())),
        Area::Parameter,
        "GET /things query `q`",
        What::Added,
        true,
    );
}

#[test]
fn a_removed_parameter_is_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["parameters"] = json!([]);
    assert_change(
        &only_change(doc(paths, base_schemas())),
        Area::Parameter,
        "GET /things query `limit`",
        What::Removed,
        true,
    );
}

#[test]
fn a_parameter_becoming_required_or_changing_type_is_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["parameters"][0]["required"] = json!(true);
    let change = only_change(doc(paths, base_schemas()));
    assert_change(
        &change,
        Area::Parameter,
        "GET /things query `limit`",
        What::Changed,
        true,
    );
    assert_eq!(change.detail, "now required");

    let mut paths = base_paths();
    paths["/things"]["get"]["parameters"][0]["schema"] = json!({"type": "string"});
    let change = only_change(doc(paths, base_schemas()));
    assert_change(
        &change,
        Area::Parameter,
        "GET /things query `limit`",
        What::Changed,
        true,
    );
    assert_eq!(change.detail, "type integer -> string");
}

#[test]
fn a_changed_response_type_is_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Thing"}});
    let change = only_change(doc(paths, base_schemas()));
    assert_change(
        &change,
        Area::Response,
        "GET /things 200",
        What::Changed,
        true,
    );
    assert_eq!(change.detail, "type Thing -> array of Thing");
}

#[test]
fn a_new_required_request_body_is_breaking() {
    let mut paths = base_paths();
    paths["/things"]["get"]["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}});
    assert_change(
        &only_change(doc(paths, base_schemas())),
        Area::RequestBody,
        "GET /things",
        What::Added,
        true,
    );
}

#[test]
fn added_and_removed_schemas() {
    let mut schemas = base_schemas();
    schemas["Extra"] = json!({"type": "object"});
    assert_change(
        &only_change(doc(base_paths(), schemas)),
        Area::Schema,
        "Extra",
        What::Added,
        false,
    );

    let mut schemas = base_schemas();
    schemas.as_object_mut().unwrap().remove("Color");
    schemas["Thing"]["properties"]["color"] = json!({"type": "string"});
    let changes = diff(&base(), &doc(base_paths(), schemas));
    assert!(changes.iter().any(|c| c.area == Area::Schema
        && c.location == "Color"
        && c.what == What::Removed
        && c.breaking));
}

#[test]
fn an_optional_property_added_is_compatible_and_a_required_one_breaking() {
    let mut schemas = base_schemas();
    schemas["Thing"]["properties"]["size"] = json!({"type": "integer"});
    assert_change(
        &only_change(doc(base_paths(), schemas.clone())),
        Area::Property,
        "Thing.size",
        What::Added,
        false,
    );
    schemas["Thing"]["required"] = json!(["id", "size"]);
    assert_change(
        &only_change(doc(base_paths(), schemas)),
        Area::Property,
        "Thing.size",
        What::Added,
        true,
    );
}

#[test]
fn a_removed_property_is_breaking() {
    let mut schemas = base_schemas();
    schemas["Thing"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("note");
    assert_change(
        &only_change(doc(base_paths(), schemas)),
        Area::Property,
        "Thing.note",
        What::Removed,
        true,
    );
}

#[test]
fn a_property_of_another_type_is_breaking_and_a_nullable_spelling_is_not_a_type_change() {
    let mut schemas = base_schemas();
    schemas["Thing"]["properties"]["note"] = json!({"type": "integer"});
    let change = only_change(doc(base_paths(), schemas));
    assert_change(&change, Area::Property, "Thing.note", What::Changed, true);
    assert_eq!(change.detail, "type string -> integer");

    let mut schemas = base_schemas();
    schemas["Thing"]["properties"]["color"] =
        json!({"allOf": [{"$ref": "#/components/schemas/Color"}], "description": "d"});
    assert!(diff(&base(), &doc(base_paths(), schemas)).is_empty());
}

#[test]
fn a_response_field_becoming_optional_or_nullable_is_breaking() {
    let mut schemas = base_schemas();
    schemas["Thing"]["required"] = json!([]);
    let change = only_change(doc(base_paths(), schemas));
    assert_change(&change, Area::Property, "Thing.id", What::Changed, true);

    let mut schemas = base_schemas();
    schemas["Thing"]["properties"]["note"]["nullable"] = json!(true);
    let change = only_change(doc(base_paths(), schemas));
    assert_change(&change, Area::Property, "Thing.note", What::Changed, true);
    assert_eq!(change.detail, "now nullable");
}

#[test]
fn a_field_becoming_required_is_breaking() {
    let mut schemas = base_schemas();
    schemas["Thing"]["required"] = json!(["id", "note"]);
    let change = only_change(doc(base_paths(), schemas));
    assert_change(&change, Area::Property, "Thing.note", What::Changed, true);
    assert_eq!(change.detail, "now required");
}

#[test]
fn a_request_only_field_becoming_optional_is_compatible() {
    let mut paths = base_paths();
    paths["/things"]["post"] = json!({"operationId": "create_thing", "requestBody": {"required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
        "responses": {"204": {"description": "No Content"}}});
    let mut old_schemas = base_schemas();
    old_schemas["NewThing"] =
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]});
    let mut new_schemas = old_schemas.clone();
    new_schemas["NewThing"]["required"] = json!([]);
    let changes = diff(&doc(paths.clone(), old_schemas), &doc(paths, new_schemas));
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_change(
        &changes[0],
        Area::Property,
        "NewThing.name",
        What::Changed,
        false,
    );
}

#[test]
fn an_added_enum_value_is_compatible_and_a_removed_one_narrows_the_enum() {
    let mut schemas = base_schemas();
    schemas["Color"]["enum"] = json!(["red", "green", "blue"]);
    assert_change(
        &only_change(doc(base_paths(), schemas)),
        Area::EnumValue,
        "Color: blue",
        What::Added,
        false,
    );

    let mut schemas = base_schemas();
    schemas["Color"]["enum"] = json!(["red"]);
    let change = only_change(doc(base_paths(), schemas));
    assert_change(
        &change,
        Area::EnumValue,
        "Color: green",
        What::Removed,
        true,
    );
    assert_eq!(change.detail, "enum narrowed");
}

#[test]
fn the_reports_list_every_change_with_breaking_ones_marked() {
    let new = doc(
        json!({}),
        thing(json!({"id": {"type": "string"}}), json!(["id"])),
    );
    let changes = diff(&base(), &new);
    let text = render_text(&changes);
    assert!(
        text.contains("Operations\n  - [BREAKING] GET /things: list_things\n"),
        "{text}"
    );
    assert!(text.contains("Properties\n"), "{text}");
    assert!(
        text.ends_with(&format!(
            "{} change(s), {} breaking.\n",
            changes.len(),
            changes.len()
        )),
        "{text}"
    );

    let report = render_json(&changes);
    assert_eq!(report["summary"]["total"], json!(changes.len()));
    assert_eq!(report["summary"]["removed"], json!(changes.len()));
    assert_eq!(
        report["changes"][0],
        json!({"area": "operation", "change": "removed", "location": "GET /things",
        "detail": "list_things", "breaking": true})
    );
}
