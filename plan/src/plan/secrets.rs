//! Variables and secrets (`env`, `secrets`, and the digest of an uploaded directory): the API
//! replaces the whole list, so a change sends the current list with the file's merged in.
//! Values are compared by SHA-256 and never shown for secrets.

use std::collections::HashMap;

use langsmith_control_plane::types::Secret;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::update::Update;
use super::{ArchivedSource, ChangeKind, SOURCE_DIGEST_VARIABLE};
use crate::deployment_file::DesiredDeployment;

/// One variable the file sets: a plain one (shown) or a secret (hidden).
pub(super) struct WantedSecret {
    pub(super) name: String,
    pub(super) value: String,
    /// The value to show: `Some` for `env`, `None` for secrets.
    pub(super) shown: Option<Value>,
    kind: &'static str,
}

impl WantedSecret {
    /// The field as plans name it; `None` for the source digest, shown as `source_dir`.
    pub(super) fn field(&self) -> Option<String> {
        (self.kind != "digest").then(|| format!("{}.{}", self.kind, self.name))
    }
}

/// Every variable `wanted` sets: `env`, then `secrets`, then the digest of its archived source.
pub(super) fn wanted(
    wanted: &DesiredDeployment,
    archived: Option<&ArchivedSource>,
) -> Vec<WantedSecret> {
    let plain = wanted.spec.env.iter().map(|(name, value)| WantedSecret {
        name: name.clone(),
        value: value.clone(),
        shown: Some(Value::String(value.clone())),
        kind: "env",
    });
    let secret = wanted
        .secret_values
        .iter()
        .map(|(name, value)| WantedSecret {
            name: name.clone(),
            value: value.clone(),
            shown: None,
            kind: "secrets",
        });
    let digest = archived.map(|archived| WantedSecret {
        name: SOURCE_DIGEST_VARIABLE.into(),
        value: archived.digest.clone(),
        shown: None,
        kind: "digest",
    });
    plain.chain(secret).chain(digest).collect()
}

/// What changes among the variables.
pub(super) struct SecretsChange {
    /// A variable of the file is new or has another value.
    pub(super) variables: bool,
    /// The uploaded directory's digest differs.
    pub(super) digest: bool,
}

impl Update<'_> {
    /// Each variable of the file that is new or changed (secrets hidden), and the source
    /// digest as a `source_dir` change; when any changes, the merged list to send.
    pub(super) fn secrets(&mut self, secrets: &[WantedSecret]) -> SecretsChange {
        let current: HashMap<&str, [u8; 32]> = self
            .current
            .secrets
            .iter()
            .map(|s| (s.name.as_str(), sha256(s.value.expose())))
            .collect();
        let differs = |s: &WantedSecret| current.get(s.name.as_str()) != Some(&sha256(&s.value));
        let mut variables = false;
        for wanted in secrets.iter().filter(|s| differs(s)) {
            let Some(field) = wanted.field() else {
                continue;
            };
            variables = true;
            let change = match current.contains_key(wanted.name.as_str()) {
                true => ChangeKind::Modify,
                false => ChangeKind::Add,
            };
            self.diff.variable(field, change, wanted.shown.clone());
        }
        let is_digest = |name: &str| name == SOURCE_DIGEST_VARIABLE;
        let digest = secrets.iter().any(|s| is_digest(&s.name) && differs(s));
        if digest {
            let shown = |value: &str| Value::String(format!("sha256:{}", short(value)));
            let old = self.current.secrets.iter().find(|s| is_digest(&s.name));
            let new = secrets.iter().find(|s| is_digest(&s.name));
            let (old, new) = (
                old.map(|s| shown(s.value.expose())),
                new.map(|s| shown(&s.value)),
            );
            self.diff.change("source_dir".into(), old, new, true);
        }
        let change = SecretsChange { variables, digest };
        // Never an empty list: the service reads `secrets: []` as "unchanged", not "remove all"
        // (and the file's meaning leaves secrets it does not name alone anyway).
        let list = merged(&self.current.secrets, secrets);
        if (change.variables || change.digest) && !list.is_empty() {
            self.patch.secrets = Some(list);
        }
        change
    }
}

/// The current secrets with `wanted` put over them.
fn merged(current: &[Secret], wanted: &[WantedSecret]) -> Vec<Secret> {
    let mut merged = current.to_vec();
    for wanted in wanted {
        merged.retain(|s| s.name != wanted.name);
        merged.push(Secret {
            name: wanted.name.clone(),
            value: wanted.value.as_str().into(),
        });
    }
    merged
}

/// The first 12 hex digits of a digest, as plans show it.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}
