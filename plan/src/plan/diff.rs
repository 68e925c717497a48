//! The changes of one deployment as they are found, and the JSON helpers the planners share.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{BlockedChange, ChangeKind, FieldChange};
use crate::Error;

/// Builds the changes of one deployment.
#[derive(Default)]
pub(super) struct Diff {
    pub(super) changes: Vec<FieldChange>,
    pub(super) blocked: Vec<BlockedChange>,
}

impl Diff {
    /// A shown field's change, old -> new; `starts` when it starts a revision.
    pub(super) fn change(
        &mut self,
        field: String,
        old: Option<Value>,
        new: Option<Value>,
        starts: bool,
    ) {
        let change = match (&old, &new) {
            (None, _) => ChangeKind::Add,
            (_, None) => ChangeKind::Remove,
            _ => ChangeKind::Modify,
        };
        self.changes.push(FieldChange {
            field,
            change,
            old,
            new,
            hidden: false,
            starts_revision: starts,
        });
    }

    /// A variable's change: `shown` is the new value of a plain variable, `None` for a secret
    /// (whose values are never shown). It starts a revision.
    pub(super) fn variable(&mut self, field: String, change: ChangeKind, shown: Option<Value>) {
        self.changes.push(FieldChange {
            field,
            change,
            old: None,
            hidden: shown.is_none(),
            new: shown,
            starts_revision: true,
        });
    }

    /// A change the API cannot make, and why.
    pub(super) fn block(&mut self, field: String, reason: String) {
        self.blocked.push(BlockedChange { field, reason });
    }

    pub(super) fn starts_revision(&self) -> bool {
        self.changes.iter().any(|c| c.starts_revision)
    }
}

/// A value that is there and not `null`.
pub(super) fn set(value: Option<&Value>) -> Option<Value> {
    value.filter(|v| !v.is_null()).cloned()
}

/// `value`'s JSON object (its fields as the API names them); empty when it is not an object.
pub(super) fn json_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// A request part built from the merged fields.
pub(super) fn from_json<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, Error> {
    serde_json::from_value(Value::Object(object)).map_err(Error::UnfitChange)
}
