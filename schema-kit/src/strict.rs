//! Strict schemas: unknown keys are errors.

use serde_json::Value;

/// Keywords whose value maps names to schemas.
const SCHEMA_MAPS: [&str; 3] = ["properties", "definitions", "patternProperties"];

/// Keywords whose value is a schema or a list of schemas.
const SUBSCHEMAS: [&str; 6] = [
    "items",
    "additionalProperties",
    "not",
    "anyOf",
    "allOf",
    "oneOf",
];

/// Forbids keys a schema does not name: every object schema that lists its `properties` and says
/// nothing of others gets `"additionalProperties": false`, at any depth.
///
/// Only schema positions are walked, so a property that happens to be called `properties` is
/// left alone, and a schema that allows other keys on purpose (a map) keeps its
/// `additionalProperties`.
pub fn make_strict(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.contains_key("properties") && !object.contains_key("additionalProperties") {
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(members)) = object.get_mut(key) {
            members.values_mut().for_each(make_strict);
        }
    }
    for key in SUBSCHEMAS {
        match object.get_mut(key) {
            Some(Value::Array(schemas)) => schemas.iter_mut().for_each(make_strict),
            Some(other) => make_strict(other),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_property_named_properties_is_not_mistaken_for_a_schema() {
        let mut schema =
            json!({"type": "object", "properties": {"properties": {"type": "string"}}});
        make_strict(&mut schema);
        assert_eq!(
            schema,
            json!({"type": "object", "additionalProperties": false,
                   "properties": {"properties": {"type": "string"}}})
        );
    }

    #[test]
    fn nested_and_referenced_objects_become_strict_and_maps_stay_open() {
        let mut schema = json!({
            "properties": {"a": {"anyOf": [{"$ref": "#/definitions/A"}, {"type": "null"}]}},
            "definitions": {
                "A": {"properties": {"b": {"items": {"properties": {}}}}},
                "Map": {"additionalProperties": {"properties": {}}},
            },
        });
        make_strict(&mut schema);
        assert_eq!(schema["additionalProperties"], false);
        let a = &schema["definitions"]["A"];
        assert_eq!(a["additionalProperties"], false);
        assert_eq!(a["properties"]["b"]["items"]["additionalProperties"], false);
        let map = &schema["definitions"]["Map"]["additionalProperties"];
        assert_eq!(
            map["additionalProperties"], false,
            "the map's values are strict"
        );
        assert!(
            schema["properties"]["a"]
                .get("additionalProperties")
                .is_none()
        );
    }

    #[test]
    fn a_schema_that_already_decides_keeps_its_decision() {
        let mut schema = json!({"properties": {}, "additionalProperties": true});
        make_strict(&mut schema);
        assert_eq!(schema["additionalProperties"], true);
    }
}
