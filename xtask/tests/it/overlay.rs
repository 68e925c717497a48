//! The overlay (`openapi/overlay.json`): how its actions apply, how `spec update` and
//! `spec check` judge them, and that the vendored overlay is applied to the vendored document.

use serde_json::{Value, json};

use xtask::json::parse;
use xtask::overlay::{Outcome, Overlay, parse_overlay, read};
use xtask::{vendored_overlay, vendored_spec};

fn overlay_text(actions: Value) -> String {
    json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
        .to_string()
}

fn overlay(actions: Value) -> Overlay {
    parse_overlay(&overlay_text(actions), "test.json").unwrap_or_else(|e| panic!("{e}"))
}

fn parse_error(overlay: Value) -> String {
    parse_overlay(&overlay.to_string(), "test.json").expect_err("the overlay is refused")
}

/// A small normalized document without prose, as `spec update` has it when the overlay applies.
fn doc() -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {"/a": {"get": {
            "operationId": "get_a",
            "parameters": [{"in": "query", "name": "x", "required": false, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}}
        }}},
        "components": {"schemas": {
            "Color": {"type": "string", "enum": ["red"]},
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
        }}
    })
}

fn applied(overlay: &Overlay, mut doc: Value) -> (Value, Vec<Outcome>) {
    let outcomes = overlay.apply(&mut doc).unwrap_or_else(|e| panic!("{e}"));
    (doc, outcomes)
}

#[test]
fn an_update_merges_its_members_into_the_target_object() {
    let overlay = overlay(json!([{"target": "$.components.schemas.Thing", "update": {
        "properties": {"size": {"type": "integer"}}, "required": ["size"], "nullable": true
    }}]));
    let (doc, outcomes) = applied(&overlay, doc());
    assert_eq!(outcomes, [Outcome::Changed]);
    assert_eq!(
        doc.pointer("/components/schemas/Thing"),
        Some(&json!({"type": "object", "nullable": true,
            "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
            "required": ["id", "size"]}))
    );
}

#[test]
fn an_update_replaces_a_primitive_value() {
    let overlay = overlay(json!([{"target": "$.paths['/a'].get", "update": {"operationId": "a"}}]));
    let (doc, _) = applied(&overlay, doc());
    assert_eq!(doc.pointer("/paths/~1a/get/operationId"), Some(&json!("a")));
}

#[test]
fn an_update_of_an_array_appends_the_entry_unless_it_is_there() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Color.enum", "update": "green"},
        {"target": "$.components.schemas.Color.enum", "update": "red"}
    ]));
    let (doc, outcomes) = applied(&overlay, doc());
    assert_eq!(outcomes, [Outcome::Changed, Outcome::Unchanged]);
    assert_eq!(
        doc.pointer("/components/schemas/Color/enum"),
        Some(&json!(["red", "green"]))
    );
}

#[test]
fn a_remove_takes_the_target_out_of_the_object_holding_it() {
    let overlay = overlay(json!([{"target": "$.components.schemas.Color", "remove": true}]));
    let (doc, outcomes) = applied(&overlay, doc());
    assert_eq!(outcomes, [Outcome::Changed]);
    assert!(doc.pointer("/components/schemas/Color").is_none());
    assert!(doc.pointer("/components/schemas/Thing").is_some());
}

#[test]
fn a_target_that_matches_nothing_changes_nothing() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Missing", "update": {"type": "string"}},
        {"target": "$.components.schemas.Missing.enum", "remove": true},
        {"target": "$.paths['/a'].get.parameters['0']", "update": {"in": "path"}}
    ]));
    let (doc, outcomes) = applied(&overlay, doc());
    assert_eq!(outcomes, [Outcome::Unmatched; 3]);
    assert_eq!(doc, self::doc());
}

#[test]
fn applying_an_overlay_twice_gives_what_applying_it_once_gives() {
    let overlay = overlay(json!([
        {"target": "$.paths", "update": {"/b": {"get": {"operationId": "get_b",
            "parameters": [{"in": "query", "name": "y", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "OK"}}}}}},
        {"target": "$.paths['/a'].get", "update": {
            "parameters": [{"in": "query", "name": "z", "schema": {"type": "boolean"}}]}},
        {"target": "$.components.schemas.Thing", "update": {"required": ["id"], "properties": {"n": {}}}},
        {"target": "$.components.schemas.Color.enum", "update": "blue"},
        {"target": "$.components.schemas.Thing.properties.id", "remove": true}
    ]));
    let (once, first) = applied(&overlay, doc());
    let (twice, second) = applied(&overlay, once.clone());
    assert_eq!(twice, once);
    assert_eq!(
        first,
        [
            Outcome::Changed,
            Outcome::Changed,
            Outcome::Changed,
            Outcome::Changed,
            Outcome::Changed
        ]
    );
    assert_eq!(
        second,
        [
            Outcome::Unchanged,
            Outcome::Unchanged,
            Outcome::Unchanged,
            Outcome::Unchanged,
            Outcome::Unmatched
        ]
    );
    assert_eq!(
        once.pointer("/paths/~1a/get/parameters")
            .and_then(Value::as_array)
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn an_update_that_does_not_fit_its_target_is_an_error_naming_the_action_and_the_place() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Color.enum", "update": "green"},
        {"target": "$.components.schemas.Thing", "update": {"properties": {"id": "text"}}}
    ]));
    let mut doc = doc();
    let error = overlay.apply(&mut doc).unwrap_err();
    assert_eq!(
        error,
        "test.json, action 2 (target `$.components.schemas.Thing`): cannot merge a string \
         into an object at /components/schemas/Thing/properties/id"
    );
    // The failing action left its target as it was.
    assert_eq!(
        doc.pointer("/components/schemas/Thing"),
        self::doc().pointer("/components/schemas/Thing")
    );
}

#[test]
fn targets_must_select_objects_or_arrays() {
    for (action, expected) in [
        (
            json!({"target": "$.openapi", "update": {"x": 1}}),
            "selects a string; Overlay 1.0 targets objects and arrays only",
        ),
        (
            json!({"target": "$.paths['/a'].get.operationId", "remove": true}),
            "selects a string",
        ),
        (
            json!({"target": "$.components", "update": ["schemas"]}),
            "`update` must be an object to merge into it, not an array",
        ),
        (
            json!({"target": "$", "remove": true}),
            "cannot remove the whole document",
        ),
    ] {
        let error = overlay(json!([action])).apply(&mut doc()).unwrap_err();
        assert!(error.contains(expected), "{error}");
        assert!(
            error.starts_with("test.json, action 1 (target `"),
            "{error}"
        );
    }
}

#[test]
fn an_overlay_that_is_not_overlay_1_0_is_refused_with_every_reason() {
    let error = parse_error(
        json!({"overlay": "2.0.0", "info": {"title": "t"}, "actions": [],
        "extra": true}),
    );
    for reason in [
        "test.json is not a usable overlay",
        "`overlay` is \"2.0.0\"; this tool applies Overlay 1.0",
        "`info` needs a `title` and a `version`",
        "`actions` must be a list of at least one action",
        "the top level: unknown field `extra`",
    ] {
        assert!(error.contains(reason), "{reason}: {error}");
    }
    assert!(
        parse_overlay("{", "test.json")
            .unwrap_err()
            .contains("not valid JSON")
    );
    // Extensions are allowed anywhere the specification allows them.
    let with_extensions = json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"},
        "x-note": 1, "actions": [{"target": "$", "update": {}, "x-why": "because"}]});
    assert!(parse_overlay(&with_extensions.to_string(), "test.json").is_ok());
}

#[test]
fn an_action_that_is_not_one_update_or_one_remove_is_refused_by_number() {
    let with = |action: Value| {
        parse_error(
            json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"},
            "actions": [{"target": "$", "update": {}}, action]}),
        )
    };
    for (action, reason) in [
        (
            json!({"target": "$.a", "update": {}, "remove": true}),
            "has both `update` and `remove: true`",
        ),
        (
            json!({"target": "$.a"}),
            "has neither `update` nor `remove: true`",
        ),
        (json!({"target": "$.a", "remove": false}), "has neither"),
        (
            json!({"target": "$.a", "remove": "yes"}),
            "`remove` must be true or false",
        ),
        (
            json!({"target": "$.a", "updat": {}}),
            "unknown field `updat`",
        ),
        (
            json!({"target": "$.a.*", "remove": true}),
            "wildcards are not supported",
        ),
        (json!({"update": {}}), "action 2: no `target` string"),
        (
            json!({"target": "$.a", "remove": true, "description": 3}),
            "`description` must be a string",
        ),
    ] {
        let error = with(action.clone());
        assert!(error.contains(reason), "{action}: {error}");
        assert!(error.contains("action 2"), "{action}: {error}");
        assert!(!error.contains("action 1"), "{action}: {error}");
    }
}

#[test]
fn check_finds_no_problem_once_the_overlay_is_applied() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas", "update": {"Size": {"type": "integer"}}},
        {"target": "$.components.schemas.Color.enum", "update": "green"},
        {"target": "$.components.schemas.Thing.properties.id", "remove": true}
    ]));
    assert_eq!(overlay.not_applied_problems(&doc()).len(), 3);
    let (doc, _) = applied(&overlay, doc());
    assert_eq!(overlay.not_applied_problems(&doc), Vec::<String>::new());
}

#[test]
fn check_names_each_action_that_is_not_applied_and_what_it_would_change() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Color.enum", "update": "green"},
        {"target": "$.components.schemas.Thing.properties.id", "remove": true},
        {"target": "$.components.schemas.Nothing", "update": {"type": "string"}},
        {"target": "$.components.schemas.Nothing.enum", "remove": true},
        {"target": "$.components.schemas.Thing.properties.gone", "remove": true}
    ]));
    assert_eq!(
        overlay.not_applied_problems(&doc()),
        [
            "test.json, action 1 (target `$.components.schemas.Color.enum`): not applied: \
             applying it changes /components/schemas/Color/enum",
            "test.json, action 2 (target `$.components.schemas.Thing.properties.id`): not \
             applied: `$.components.schemas.Thing.properties.id` is still in the document",
            "test.json, action 3 (target `$.components.schemas.Nothing`): matches nothing in \
             the document",
            "test.json, action 4 (target `$.components.schemas.Nothing.enum`): matches nothing, \
             and neither does `$.components.schemas.Nothing` (a misspelled target?)",
        ]
    );
}

#[test]
fn check_compares_facts_not_prose() {
    // Our document describes the parameter; the overlay, holding facts only, does not.
    let mut described = doc();
    described["paths"]["/a"]["get"]["parameters"][0]["description"] = json!("Our words.");
    described["components"]["schemas"]["Color"]["description"] = json!("Our words.");
    let overlay = overlay(json!([
        {"target": "$.paths['/a'].get", "update": {"parameters": [
            {"in": "query", "name": "x", "required": false, "schema": {"type": "string"}}]}},
        {"target": "$.components.schemas", "update": {"Color": {"type": "string", "enum": ["red"]}}}
    ]));
    assert_eq!(
        overlay.not_applied_problems(&described),
        Vec::<String>::new()
    );
}

#[test]
fn an_overlay_that_writes_prose_is_refused_by_check_and_update() {
    let overlay = overlay(
        json!([{"target": "$.components.schemas.Thing.properties", "update": {
            "size": {"type": "integer", "description": "Words that belong in the base document."}
        }}]),
    );
    let (doc, _) = applied(&overlay, doc());
    let problems = overlay.not_applied_problems(&doc);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(
            "action 1 (target `$.components.schemas.Thing.properties`): writes prose \
             (/components/schemas/Thing/properties/size/description)"
        ),
        "{}",
        problems[0]
    );
    let error = overlay.apply_to_upstream(&mut self::doc()).unwrap_err();
    assert!(error.contains("writes prose"), "{error}");
}

#[test]
fn update_refuses_an_overlay_whose_update_target_matches_nothing_and_leaves_the_document() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Color.enum", "update": "green"},
        {"target": "$.components.schemas.Renamed.enum", "update": "blue"}
    ]));
    let mut doc = doc();
    let error = overlay.apply_to_upstream(&mut doc).unwrap_err();
    assert!(
        error.contains(
            "test.json, action 2 (target `$.components.schemas.Renamed.enum`): matches nothing \
             in the normalized upstream document"
        ),
        "{error}"
    );
    assert!(error.contains("--no-overlay"), "{error}");
    assert!(!error.contains("action 1"), "{error}");
    assert_eq!(doc, self::doc());
}

#[test]
fn update_notes_the_actions_upstream_has_made_unnecessary() {
    let overlay = overlay(json!([
        {"target": "$.components.schemas.Color.enum", "update": "red"},
        {"target": "$.components.schemas.Gone", "remove": true},
        {"target": "$.components.schemas.Color.enum", "update": "green"}
    ]));
    let mut doc = doc();
    let notes = overlay.apply_to_upstream(&mut doc).unwrap();
    assert_eq!(
        notes,
        [
            "test.json, action 1 (target `$.components.schemas.Color.enum`): changes nothing: \
             upstream publishes this fact now; drop the action",
            "test.json, action 2 (target `$.components.schemas.Gone`): matches nothing: \
             upstream no longer has it; drop the action",
        ]
    );
    assert_eq!(
        doc.pointer("/components/schemas/Color/enum"),
        Some(&json!(["red", "green"]))
    );
}

#[test]
fn the_vendored_overlay_is_applied_to_the_vendored_document() {
    let overlay = read(&vendored_overlay()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!overlay.actions.is_empty());
    let text = std::fs::read_to_string(vendored_spec()).unwrap();
    let vendored = parse(&text, "vendored").unwrap();
    assert_eq!(
        overlay.not_applied_problems(&vendored),
        Vec::<String>::new()
    );
}
