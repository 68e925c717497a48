//! What the file's schema allows where: the keys of an object, the schema of a member or of
//! an array's items, for reporting an unknown key with the nearest valid one.

use langsmith_control_plane_schema_kit::resolve;
use serde_json::Value;

/// An unknown key, with the valid key nearest to it by edit distance.
pub(super) fn unknown_key_message(key: &str, allowed: &[String]) -> String {
    let nearest = allowed
        .iter()
        .min_by_key(|candidate| strsim::levenshtein(key, candidate));
    match nearest {
        Some(nearest) => format!("unknown key `{key}`; the nearest valid key is `{nearest}`"),
        None => format!("unknown key `{key}`; no key is valid here"),
    }
}

/// The schema itself and the branches of its `allOf`, `anyOf` and `oneOf`, references resolved.
fn branches<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let schema = resolve(root, schema);
    let mut all = vec![schema];
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for part in parts {
                all.extend(branches(part, root));
            }
        }
    }
    all
}

/// The keys an object schema names; `None` when it takes any key (a map).
pub(super) fn allowed_keys(schema: &Value, root: &Value) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let mut named = false;
    for branch in branches(schema, root) {
        if let Some(Value::Object(properties)) = branch.get("properties") {
            named = true;
            keys.extend(properties.keys().cloned());
        }
        if branch
            .get("additionalProperties")
            .is_some_and(|extra| extra.is_object() || *extra == Value::Bool(true))
        {
            return None;
        }
    }
    named.then_some(keys)
}

/// The schema of member `key`: a named property, or the map's value schema.
pub(super) fn child_schema<'a>(schema: &'a Value, root: &'a Value, key: &str) -> Option<&'a Value> {
    let all = branches(schema, root);
    all.iter()
        .find_map(|branch| branch.get("properties").and_then(|p| p.get(key)))
        .or_else(|| {
            all.iter()
                .find_map(|branch| branch.get("additionalProperties").filter(|e| e.is_object()))
        })
}

/// The schema of an array's items.
pub(super) fn items_schema<'a>(schema: &'a Value, root: &'a Value) -> Option<&'a Value> {
    branches(schema, root)
        .into_iter()
        .find_map(|branch| branch.get("items").filter(|i| i.is_object()))
}
