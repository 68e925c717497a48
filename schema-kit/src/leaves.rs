//! The problems in boon's error tree.
//!
//! boon nests a failure under every keyword and alternative it passed through (`properties`,
//! `$ref`, `anyOf`...); the leaves are the failures that name an actual problem.

use boon::{ErrorKind, Type, ValidationError};

/// Every leaf of `error`'s tree, depth first, in the order boon found them.
pub fn leaves<'e, 's, 'v>(error: &'e ValidationError<'s, 'v>) -> Vec<&'e ValidationError<'s, 'v>> {
    let mut found = Vec::new();
    collect_all(error, &mut found);
    found
}

fn collect_all<'e, 's, 'v>(
    error: &'e ValidationError<'s, 'v>,
    found: &mut Vec<&'e ValidationError<'s, 'v>>,
) {
    if error.causes.is_empty() {
        found.push(error);
    }
    for cause in &error.causes {
        collect_all(cause, found);
    }
}

/// The leaves of `error`'s tree, taking from each failed `anyOf` (or `oneOf` that no alternative
/// matched) only its first alternative that is not the `null` of an optional value, as pydantic
/// reports a value that fits none of a union's members. An alternative that is all there is, is
/// taken even when it is the `null` one.
pub fn leaves_of_first_alternative<'e, 's, 'v>(
    error: &'e ValidationError<'s, 'v>,
) -> Vec<&'e ValidationError<'s, 'v>> {
    let mut found = Vec::new();
    collect_first_alternative(error, &mut found);
    found
}

fn collect_first_alternative<'e, 's, 'v>(
    error: &'e ValidationError<'s, 'v>,
    found: &mut Vec<&'e ValidationError<'s, 'v>>,
) {
    match &error.kind {
        ErrorKind::AnyOf | ErrorKind::OneOf(None) => {
            let branch = error.causes.iter().find(|b| !is_null_mismatch(b));
            if let Some(branch) = branch.or(error.causes.first()) {
                collect_first_alternative(branch, found);
            }
        }
        _ if error.causes.is_empty() => found.push(error),
        _ => {
            for cause in &error.causes {
                collect_first_alternative(cause, found);
            }
        }
    }
}

/// Whether `error` is the complaint of the `null` alternative of an optional value ("want null,
/// but got string"), which says nothing about what is wrong with the value.
pub fn is_null_mismatch(error: &ValidationError<'_, '_>) -> bool {
    matches!(&error.kind, ErrorKind::Type { want, .. } if want.iter().eq([Type::Null]))
}

/// `leaves` without the complaints of `null` alternatives ([`is_null_mismatch`]), unless nothing
/// else is left: an optional field of the wrong type fails both its type and `null`, and only the
/// first says what is wrong.
pub fn without_null_alternatives<'e, 's, 'v>(
    leaves: Vec<&'e ValidationError<'s, 'v>>,
) -> Vec<&'e ValidationError<'s, 'v>> {
    if leaves.iter().all(|leaf| is_null_mismatch(leaf)) {
        return leaves;
    }
    leaves
        .into_iter()
        .filter(|leaf| !is_null_mismatch(leaf))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Validator;
    use serde_json::{Value, json};

    fn check(
        schema: Value,
        value: Value,
        walk: fn(&ValidationError) -> Vec<String>,
    ) -> Vec<String> {
        let validator = Validator::new("https://example.invalid/s.json", schema).expect("compiles");
        let error = validator.validate(&value).expect_err("invalid");
        walk(&error)
    }

    fn described(leaves: Vec<&ValidationError>) -> Vec<String> {
        leaves
            .iter()
            .map(|leaf| format!("{}: {}", leaf.instance_location, leaf.kind))
            .collect()
    }

    fn optional_name() -> Value {
        json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"},
            "name": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        }})
    }

    #[test]
    fn every_leaf_is_listed_in_order() {
        let found = check(optional_name(), json!({"name": 5}), |e| {
            described(leaves(e))
        });
        assert_eq!(
            found,
            [
                ": missing properties 'id'",
                "/name: want string, but got number",
                "/name: want null, but got number",
            ]
        );
    }

    #[test]
    fn the_null_alternative_is_dropped_unless_it_is_all() {
        let found = check(optional_name(), json!({"id": 1, "name": 5}), |e| {
            described(without_null_alternatives(leaves(e)))
        });
        assert_eq!(found, ["/name: want string, but got number"]);
        let only_null = check(json!({"type": "null"}), json!(1), |e| {
            described(without_null_alternatives(leaves(e)))
        });
        assert_eq!(only_null, [": want null, but got number"]);
    }

    #[test]
    fn of_a_failed_union_only_the_first_alternative_not_null_is_followed() {
        let schema = json!({"anyOf": [{"type": "null"}, {"type": "integer"}, {"type": "boolean"}]});
        let found = check(schema, json!("x"), |e| {
            described(leaves_of_first_alternative(e))
        });
        assert_eq!(found, [": want integer, but got string"]);
        let nested = check(optional_name(), json!({"name": 5}), |e| {
            described(leaves_of_first_alternative(e))
        });
        assert_eq!(
            nested,
            [
                ": missing properties 'id'",
                "/name: want string, but got number"
            ]
        );
    }

    #[test]
    fn a_union_of_null_alone_reports_it() {
        let schema = json!({"anyOf": [{"type": "null"}, {"type": "null"}]});
        let found = check(schema, json!(1), |e| {
            described(leaves_of_first_alternative(e))
        });
        assert_eq!(found, [": want null, but got number"]);
    }
}
