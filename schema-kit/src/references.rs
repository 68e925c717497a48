//! Local `$ref`s: `{"$ref": "#/definitions/Name"}` points into the same document.

use serde_json::Value;

/// Hops [`resolve`] follows before it gives up on a chain of references (a cycle).
const MAX_HOPS: usize = 16;

/// The schema `schema`'s `$ref` points at in `root`; `None` when `schema` has no `$ref`, or one
/// that is not local (`#...`) or names nothing in `root`.
pub fn ref_target<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let reference = schema.get("$ref")?.as_str()?;
    root.pointer(reference.strip_prefix('#')?)
}

/// The schema a chain of local `$ref`s starting at `schema` ends at; `schema` itself when it has
/// no `$ref`. A reference that names nothing ends the walk at the schema holding it, and so do
/// more than 16 hops (a cycle).
pub fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..MAX_HOPS {
        match ref_target(root, schema) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reference_is_followed_to_its_end() {
        let root =
            json!({"definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"type": "string"}}});
        let start = json!({"$ref": "#/definitions/A"});
        assert_eq!(ref_target(&root, &start), Some(&root["definitions"]["A"]));
        assert_eq!(resolve(&root, &start), &json!({"type": "string"}));
    }

    #[test]
    fn no_reference_or_a_broken_one_stays_where_it_is() {
        let root = json!({"definitions": {}});
        let plain = json!({"type": "integer"});
        assert_eq!(ref_target(&root, &plain), None);
        assert_eq!(resolve(&root, &plain), &plain);
        for broken in [
            json!({"$ref": "#/definitions/Gone"}),
            json!({"$ref": "other.json#/A"}),
        ] {
            assert_eq!(ref_target(&root, &broken), None);
            assert_eq!(resolve(&root, &broken), &broken);
        }
    }

    #[test]
    fn a_cycle_of_references_ends() {
        let root = json!({"definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}}});
        let start = json!({"$ref": "#/definitions/A"});
        let end = resolve(&root, &start);
        assert!(end.get("$ref").is_some());
    }
}
