//! Masking secret values in anything about to be printed.

use serde_json::Value;

/// What a masked secret value reads as.
pub const MASK: &str = "***";

/// Replaces the `value` of every secret in `document` with [`MASK`]: each object in any array
/// named `secrets`, at any depth. Matching the shape rather than a type covers every object that
/// carries secrets (a deployment, a listing of them, a wait outcome) without naming each.
pub fn mask_secrets(document: &mut Value) {
    match document {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                match field {
                    Value::Array(secrets) if name == "secrets" => {
                        for secret in secrets.iter_mut() {
                            if let Some(value) = secret.get_mut("value") {
                                *value = Value::String(MASK.into());
                            }
                        }
                    }
                    other => mask_secrets(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_and_nothing_else_changes() {
        let mut document = json!({
            "name": "agent",
            "value": "not a secret",
            "secrets": [{"name": "A", "value": "sk-1"}, {"name": "B", "value": "sk-2"}],
            "revision": {"deployment": {"secrets": [{"name": "C", "value": "sk-3"}]}},
            "items": [{"secrets": [{"name": "D", "value": "sk-4"}]}],
            "env": [{"name": "PLAIN", "value": "shown"}],
        });
        mask_secrets(&mut document);
        assert_eq!(
            document,
            json!({
                "name": "agent",
                "value": "not a secret",
                "secrets": [{"name": "A", "value": "***"}, {"name": "B", "value": "***"}],
                "revision": {"deployment": {"secrets": [{"name": "C", "value": "***"}]}},
                "items": [{"secrets": [{"name": "D", "value": "***"}]}],
                "env": [{"name": "PLAIN", "value": "shown"}],
            })
        );
    }

    #[test]
    fn a_secrets_field_of_another_shape_is_left_alone() {
        let mut document = json!({"secrets": "none", "list": {"secrets": ["A", 1, null]}});
        let before = document.clone();
        mask_secrets(&mut document);
        assert_eq!(document, before);
    }
}
