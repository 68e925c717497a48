//! Sizing (`source_config.resource_spec`): the API replaces it whole, so a change sends the
//! spec the service has (as the plan read it) with the file's changes merged in: fields the
//! file does not name keep their values.

use serde_json::{Map, Value};

use super::diff::set;
use super::update::Update;

impl Update<'_> {
    /// The whole spec to send when the file changes or unsets any of its fields (each a change
    /// that starts a revision); `None` when it stays.
    pub(super) fn sizing(
        &mut self,
        wanted_config: &Map<String, Value>,
        current_config: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        let object = |config: &Map<String, Value>| {
            config
                .get("resource_spec")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (wanted, current) = (object(wanted_config), object(current_config));
        let mut merged = current.clone();
        let mut changed = false;
        for (key, new) in &wanted {
            let old = set(current.get(key));
            if old.as_ref() != Some(new) {
                let field = format!("source_config.resource_spec.{key}");
                self.diff.change(field, old, Some(new.clone()), true);
                merged.insert(key.clone(), new.clone());
                changed = true;
            }
        }
        let cleared = self.wanted.cleared_fields().iter();
        for key in cleared.filter_map(|k| k.strip_prefix("resource_spec.")) {
            if let Some(old) = set(current.get(key)) {
                let field = format!("source_config.resource_spec.{key}");
                self.diff.change(field, Some(old), None, true);
                merged.remove(key);
                changed = true;
            }
        }
        merged.retain(|_, v| !v.is_null());
        changed.then_some(merged)
    }
}
