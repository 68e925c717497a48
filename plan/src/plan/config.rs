//! Settings that hold across revisions (`source_config`): changed in place, except sizing.

use serde_json::{Map, Value};

use super::diff::{from_json, set};
use super::update::Update;
use crate::Error;

/// Fields the service keeps once they are set: an update cannot unset them.
const UNCLEARABLE: &[&str] = &["custom_url", "build_on_push"];

/// Settings a new revision carries (with sizing): changing one starts a revision.
const REVISION_SETTINGS: &[&str] = &["install_command", "build_command"];

impl Update<'_> {
    /// Settings the file changes, and those it asks to unset (which an update cannot do);
    /// sizing, which the API replaces whole, is merged in by [`Update::sizing`].
    pub(super) fn config(
        &mut self,
        wanted: &Map<String, Value>,
        current: &Map<String, Value>,
    ) -> Result<(), Error> {
        let mut config_patch = Map::new();
        for (key, new) in wanted {
            if key == "resource_spec" {
                continue;
            }
            let old = set(current.get(key));
            if old.as_ref() != Some(new) {
                let field = format!("source_config.{key}");
                // Commands ship with a new revision; the other settings change in place.
                let starts = REVISION_SETTINGS.contains(&key.as_str());
                self.diff.change(field, old, Some(new.clone()), starts);
                config_patch.insert(key.clone(), new.clone());
            }
        }
        self.uncleared(current);
        if let Some(sizing) = self.sizing(wanted, current) {
            config_patch.insert("resource_spec".into(), Value::Object(sizing));
        }
        if !config_patch.is_empty() {
            self.patch.source_config = Some(from_json(config_patch)?);
        }
        Ok(())
    }

    /// Settings written as `null` that are set: blocked, saying why.
    fn uncleared(&mut self, current: &Map<String, Value>) {
        let cleared = self.wanted.cleared_fields().iter();
        for key in cleared.filter(|k| !k.contains('.')) {
            let Some(old) = set(current.get(key)) else {
                continue;
            };
            let reason = if UNCLEARABLE.contains(&key.as_str()) {
                format!("{key} cannot be cleared once set (the service keeps it); it stays {old}")
            } else {
                format!("an update cannot unset {key} (null fields are not sent); it stays {old}")
            };
            self.diff.block(format!("source_config.{key}"), reason);
        }
    }
}
