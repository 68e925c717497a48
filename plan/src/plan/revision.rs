//! What revisions are built from (`source_revision_config`).

use langsmith_control_plane::types::SourceRevisionConfigRequest;

use super::diff::{from_json, json_object, set};
use super::update::Update;
use crate::Error;

impl Update<'_> {
    /// The revision config fields the file changes, each starting a revision; with
    /// `switched` (the source switches) the config is sent even when no field changes. For an
    /// uploaded directory the file names none: its digest says when to build. Returns whether
    /// a revision config is sent.
    pub(super) fn revision(&mut self, switched: bool) -> Result<bool, Error> {
        let wanted = match self.wanted.source_dir() {
            Some(_) => Default::default(),
            None => json_object(&self.wanted.spec.source_revision_config),
        };
        let current = json_object(&self.current.source_revision_config);
        let mut changed = switched;
        for (key, new) in &wanted {
            let old = set(current.get(key));
            if old.as_ref() != Some(new) {
                let field = format!("source_revision_config.{key}");
                self.diff.change(field, old, Some(new.clone()), true);
                changed = true;
            }
        }
        if changed {
            // The whole config, current values kept where the file names none.
            let mut merged = current;
            merged.remove("repo_commit_sha");
            merged.extend(wanted);
            merged.retain(|_, v| !v.is_null());
            let config: SourceRevisionConfigRequest = from_json(merged)?;
            self.patch.source_revision_config = Some(config);
        }
        Ok(changed)
    }
}
