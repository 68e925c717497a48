//! What it takes to bring the workspace to a deployment file: per deployment, create, update in
//! place, start a new revision, or nothing, field by field, without a single write.
//!
//! Fields the file leaves out are left alone; so are secrets it does not name. The API replaces
//! the whole list of secrets and the whole `resource_spec` on an update, so the plan sends the
//! current ones with the file's changes merged in. Secret values are compared by SHA-256 and
//! never kept in the plan's report.

use std::collections::HashMap;
use std::path::PathBuf;

use futures::{StreamExt, TryStreamExt};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::client::Client;
use crate::deployment_file::{DesiredDeployment, DesiredState};
use crate::error::Error;
use crate::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, Revision, RevisionSource, Secret,
    SourceConfigRequest, SourceRevisionConfigRequest,
};

/// Revisions read at once while planning.
const PARALLEL_READS: usize = 16;

/// The secret that records the digest of the uploaded source of a `source_dir` deployment, so
/// that an unchanged directory is not uploaded again (the service keeps no digest of its own).
pub const SOURCE_DIGEST_VARIABLE: &str = "LSCP_SOURCE_DIGEST";

/// Fields the service keeps once they are set: an update cannot unset them.
const UNCLEARABLE: &[&str] = &["custom_url", "build_on_push"];

/// The changes that bring the workspace to a deployment file; from [`Plan::compute`].
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// One entry per deployment of the file, in its order.
    pub deployments: Vec<PlannedDeployment>,
}

/// What the plan does to one deployment.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedDeployment {
    /// The deployment's name.
    pub name: String,
    /// Its ID, when it exists.
    pub deployment_id: Option<Uuid>,
    /// The kind of change.
    pub action: Action,
    /// Each field that changes, old -> new.
    pub changes: Vec<FieldChange>,
    /// Changes the file asks for that the API cannot make; nothing is sent for them.
    pub blocked: Vec<BlockedChange>,
    /// The deployment's newest revision, when it has one.
    pub latest_revision: Option<LatestRevision>,
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) work: Work,
}

/// The kind of change to a deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The deployment does not exist: create it (its first revision starts).
    Create,
    /// Change settings that start no revision.
    Update,
    /// A change that starts a revision: ref, image, source, config path, secrets, sizing.
    NewRevision,
    /// Already as the file says.
    NoChange,
}

/// One field's change. Secret values are never shown: `hidden` is set and both values are null.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The field: `source_config.deployment_type`, `env.LOG_LEVEL`, `secrets.OPENAI_API_KEY`.
    pub field: String,
    /// Added, changed or removed.
    pub change: ChangeKind,
    /// The current value (null when unset, hidden, or an environment variable's old value,
    /// which the service keeps among its secrets).
    pub old: Option<Value>,
    /// The value the file asks for (null when unset or hidden).
    pub new: Option<Value>,
    /// A secret: values are not shown, only whether it changes.
    pub hidden: bool,
    /// This change starts a new revision.
    pub starts_revision: bool,
}

/// How a field changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Set where it was unset.
    Add,
    /// Set to another value.
    Modify,
    /// Unset.
    Remove,
}

/// A change the file asks for that the API cannot make.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockedChange {
    /// The field.
    pub field: String,
    /// Why it cannot be made, and what to do instead.
    pub reason: String,
}

/// The newest revision of an existing deployment.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatestRevision {
    /// Its ID.
    pub id: Uuid,
    /// Its status.
    pub status: String,
    /// Still in progress: a change applied now supersedes it.
    pub in_progress: bool,
}

/// What applying sends for one deployment.
#[derive(Clone, Default)]
pub(crate) enum Work {
    #[default]
    Nothing,
    /// Create; a git or image source starts its first revision.
    Create(Box<DeploymentCreateRequest>),
    /// One update; `starts_revision` tells whether to wait for a revision.
    Patch {
        deployment_id: Uuid,
        patch: Box<DeploymentPatchRequest>,
        starts_revision: bool,
    },
    /// Uploaded source: create if needed, change settings if needed, then upload and build.
    Upload(Box<UploadWork>),
}

#[derive(Clone)]
#[cfg_attr(not(feature = "upload"), allow(dead_code))]
pub(crate) struct UploadWork {
    pub(crate) create: Option<DeploymentCreateRequest>,
    pub(crate) deployment_id: Option<Uuid>,
    pub(crate) settings: Option<DeploymentPatchRequest>,
    pub(crate) source_dir: PathBuf,
    pub(crate) config: PathBuf,
    /// Every secret to set with the upload (file's secrets, env and the source digest).
    pub(crate) secrets: Vec<(String, String)>,
}

impl std::fmt::Debug for Work {
    // Requests carry secret values: only the kind of work is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Work::Nothing => "Nothing",
            Work::Create(_) => "Create",
            Work::Patch { .. } => "Patch",
            Work::Upload(_) => "Upload",
        })
    }
}

impl Plan {
    /// Reads the current state of every deployment of `desired` (read-only: one listing per
    /// 100 deployments whose name shares the file's names' longest common part, and one
    /// revision read per existing deployment) and works out the changes.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use langsmith_control_plane::deployment_file::DesiredState;
    /// use langsmith_control_plane::plan::Plan;
    /// let desired = DesiredState::load("deployments.yaml".as_ref())?;
    /// let plan = Plan::compute(&client, &desired).await?;
    /// println!("{} deployments change", plan.changed().count());
    /// # Ok(()) }
    /// ```
    pub async fn compute(client: &Client, desired: &DesiredState) -> Result<Plan, Error> {
        let names: Vec<&str> = desired
            .deployments
            .iter()
            .map(|d| d.spec.name.as_str())
            .collect();
        let existing = client.deployments().find_by_names(&names).await?;
        let latest: HashMap<Uuid, Revision> = futures::stream::iter(
            existing
                .values()
                .filter_map(|d| d.latest_revision_id.map(|revision_id| (d.id, revision_id))),
        )
        .map(|(deployment_id, revision_id)| async move {
            client
                .get_revision(deployment_id, revision_id)
                .await
                .map(|revision| (deployment_id, revision))
        })
        .buffer_unordered(PARALLEL_READS)
        .try_collect()
        .await?;
        let mut deployments = Vec::new();
        for wanted in &desired.deployments {
            let current = existing.get(&wanted.spec.name);
            let revision = current.and_then(|d| latest.get(&d.id));
            deployments.push(plan_one(wanted, current, revision)?);
        }
        Ok(Plan { deployments })
    }

    /// Whether applying would send anything.
    pub fn has_changes(&self) -> bool {
        self.changed().next().is_some()
    }

    /// The deployments that change.
    pub fn changed(&self) -> impl Iterator<Item = &PlannedDeployment> {
        self.deployments
            .iter()
            .filter(|d| d.action != Action::NoChange)
    }

    /// How many deployments take `action`.
    pub fn count(&self, action: Action) -> usize {
        self.deployments
            .iter()
            .filter(|d| d.action == action)
            .count()
    }

    /// The JSON Schema of the plan as it serializes (`lscp plan -o json`).
    pub fn json_schema() -> Value {
        let schema = schemars::schema_for!(Plan);
        let mut schema = serde_json::to_value(schema).expect("a schema encodes as JSON");
        crate::deployment_file::make_strict(&mut schema);
        schema
    }
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn json_object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// Builds the changes of one deployment.
struct Diff {
    changes: Vec<FieldChange>,
    blocked: Vec<BlockedChange>,
}

impl Diff {
    fn change(&mut self, field: String, old: Option<Value>, new: Option<Value>, starts: bool) {
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
    fn starts_revision(&self) -> bool {
        self.changes.iter().any(|c| c.starts_revision)
    }
}

fn set(value: Option<&Value>) -> Option<Value> {
    value.filter(|v| !v.is_null()).cloned()
}

fn plan_one(
    wanted: &DesiredDeployment,
    current: Option<&Deployment>,
    revision: Option<&Revision>,
) -> Result<PlannedDeployment, Error> {
    let spec = &wanted.spec;
    let secrets = desired_secrets(wanted)?;
    let mut diff = Diff {
        changes: Vec::new(),
        blocked: Vec::new(),
    };
    let latest_revision = revision.map(|r| LatestRevision {
        id: r.id,
        status: r.status.to_string(),
        in_progress: r.status.is_in_progress(),
    });
    let Some(current) = current else {
        return Ok(plan_create(wanted, secrets, diff));
    };
    let mut patch = DeploymentPatchRequest::default();

    // Source: switching it starts a revision built from the file's revision config.
    let mut revision_changed = false;
    if spec.source != current.source {
        match RevisionSource::KNOWN
            .iter()
            .find(|s| s.as_str() == spec.source.as_str())
        {
            Some(source) => {
                diff.change(
                    "source".into(),
                    Some(current.source.as_str().into()),
                    Some(spec.source.as_str().into()),
                    true,
                );
                patch.revision_source = Some(source.clone());
                revision_changed = true;
            }
            None => diff.blocked.push(BlockedChange {
                field: "source".into(),
                reason: format!(
                    "an update cannot switch a deployment to {}; delete and recreate it",
                    spec.source
                ),
            }),
        }
    }

    // Settings: in place, except sizing (resource_spec), which the API replaces whole.
    let wanted_config = json_object(&spec.source_config);
    let current_config = json_object(&current.source_config);
    let mut config_patch = Map::new();
    for (key, new) in &wanted_config {
        if key == "resource_spec" {
            continue;
        }
        let old = set(current_config.get(key));
        if old.as_ref() != Some(new) {
            diff.change(
                format!("source_config.{key}"),
                old,
                Some(new.clone()),
                false,
            );
            config_patch.insert(key.clone(), new.clone());
        }
    }
    for key in wanted.cleared.iter().filter(|k| !k.contains('.')) {
        if let Some(old) = set(current_config.get(key)) {
            let reason = if UNCLEARABLE.contains(&key.as_str()) {
                format!("{key} cannot be cleared once set (the service keeps it); it stays {old}")
            } else {
                format!("an update cannot unset {key} (null fields are not sent); it stays {old}")
            };
            diff.blocked.push(BlockedChange {
                field: format!("source_config.{key}"),
                reason,
            });
        }
    }
    let current_spec = current_config
        .get("resource_spec")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut merged_spec = current_spec.clone();
    let wanted_spec = wanted_config
        .get("resource_spec")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut sizing_changed = false;
    for (key, new) in &wanted_spec {
        let old = set(current_spec.get(key));
        if old.as_ref() != Some(new) {
            let field = format!("source_config.resource_spec.{key}");
            diff.change(field, old, Some(new.clone()), true);
            merged_spec.insert(key.clone(), new.clone());
            sizing_changed = true;
        }
    }
    for key in wanted
        .cleared
        .iter()
        .filter_map(|k| k.strip_prefix("resource_spec."))
    {
        if let Some(old) = set(current_spec.get(key)) {
            let field = format!("source_config.resource_spec.{key}");
            diff.change(field, Some(old), None, true);
            merged_spec.remove(key);
            sizing_changed = true;
        }
    }
    if sizing_changed {
        merged_spec.retain(|_, v| !v.is_null());
        config_patch.insert("resource_spec".into(), Value::Object(merged_spec));
    }
    if !config_patch.is_empty() {
        patch.source_config = Some(from_json::<SourceConfigRequest>(config_patch)?);
    }

    // What revisions build from; for an uploaded directory, its digest says it.
    let wanted_revision = match wanted.source_dir {
        Some(_) => Map::new(),
        None => json_object(&spec.source_revision_config),
    };
    let current_revision = json_object(&current.source_revision_config);
    for (key, new) in &wanted_revision {
        let old = set(current_revision.get(key));
        if old.as_ref() != Some(new) {
            let field = format!("source_revision_config.{key}");
            diff.change(field, old, Some(new.clone()), true);
            revision_changed = true;
        }
    }
    if revision_changed {
        // The whole config, current values kept where the file names none.
        let mut merged = current_revision.clone();
        merged.remove("repo_commit_sha");
        merged.extend(wanted_revision);
        merged.retain(|_, v| !v.is_null());
        patch.source_revision_config = Some(from_json::<SourceRevisionConfigRequest>(merged)?);
    }

    // Secrets and variables: the current list with the file's merged in.
    let current_hashes: HashMap<&str, [u8; 32]> = current
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), sha256(&s.value)))
        .collect();
    let mut secrets_changed = false;
    for wanted_secret in &secrets {
        let Some(field) = wanted_secret.field() else {
            continue;
        };
        let old = current_hashes.get(wanted_secret.name.as_str());
        if old == Some(&sha256(&wanted_secret.value)) {
            continue;
        }
        secrets_changed = true;
        let change = if old.is_some() {
            ChangeKind::Modify
        } else {
            ChangeKind::Add
        };
        diff.changes.push(FieldChange {
            field,
            change,
            old: None,
            new: wanted_secret.shown.clone(),
            hidden: wanted_secret.shown.is_none(),
            starts_revision: true,
        });
    }
    let digest_changed = secrets.iter().any(|s| {
        s.name == SOURCE_DIGEST_VARIABLE
            && current_hashes.get(s.name.as_str()) != Some(&sha256(&s.value))
    });
    if digest_changed {
        let old = current
            .secrets
            .iter()
            .find(|s| s.name == SOURCE_DIGEST_VARIABLE)
            .map(|s| Value::String(format!("sha256:{}", short(&s.value))));
        let new = secrets
            .iter()
            .find(|s| s.name == SOURCE_DIGEST_VARIABLE)
            .map(|s| Value::String(format!("sha256:{}", short(&s.value))));
        diff.change("source_dir".into(), old, new, true);
    }
    if secrets_changed || digest_changed {
        let mut merged = current.secrets.clone();
        for wanted_secret in &secrets {
            merged.retain(|s| s.name != wanted_secret.name);
            merged.push(Secret {
                name: wanted_secret.name.clone(),
                value: wanted_secret.value.clone(),
            });
        }
        patch.secrets = Some(merged);
    }
    if let Some(references) = &spec.secret_references {
        let old = current.secret_references.clone().unwrap_or_default();
        if *references != old {
            let old = (!old.is_empty()).then(|| serde_json::to_value(&old).unwrap_or_default());
            let new = serde_json::to_value(references).ok();
            diff.change("secret_references".into(), old, new, true);
            patch.secret_references = Some(references.clone());
        }
    }

    let starts_revision = diff.starts_revision();
    let action = match (diff.changes.is_empty(), starts_revision) {
        (true, _) => Action::NoChange,
        (false, true) => Action::NewRevision,
        (false, false) => Action::Update,
    };
    let work = match (&wanted.source_dir, action) {
        (_, Action::NoChange) => Work::Nothing,
        (Some(dir), _) if digest_changed || revision_changed || secrets_changed => {
            // The upload carries the secrets; settings go first in an update of their own.
            let settings = patch
                .source_config
                .take()
                .map(|config| DeploymentPatchRequest {
                    source_config: Some(config),
                    secret_references: patch.secret_references.take(),
                    ..DeploymentPatchRequest::default()
                });
            Work::Upload(Box::new(UploadWork {
                create: None,
                deployment_id: Some(current.id),
                settings,
                source_dir: dir.clone(),
                config: config_path(spec),
                secrets: secrets.into_iter().map(|s| (s.name, s.value)).collect(),
            }))
        }
        _ => Work::Patch {
            deployment_id: current.id,
            patch: Box::new(patch),
            starts_revision,
        },
    };
    Ok(PlannedDeployment {
        name: spec.name.clone(),
        deployment_id: Some(current.id),
        action,
        changes: diff.changes,
        blocked: diff.blocked,
        latest_revision,
        work,
    })
}

fn plan_create(
    wanted: &DesiredDeployment,
    secrets: Vec<WantedSecret>,
    mut diff: Diff,
) -> PlannedDeployment {
    let spec = &wanted.spec;
    diff.change(
        "source".into(),
        None,
        Some(spec.source.as_str().into()),
        true,
    );
    for (section, object) in [
        ("source_config", json_object(&spec.source_config)),
        (
            "source_revision_config",
            json_object(&spec.source_revision_config),
        ),
    ] {
        for (key, value) in object {
            diff.change(format!("{section}.{key}"), None, Some(value), true);
        }
    }
    for secret in &secrets {
        if let Some(field) = secret.field() {
            diff.changes.push(FieldChange {
                field,
                change: ChangeKind::Add,
                old: None,
                new: secret.shown.clone(),
                hidden: secret.shown.is_none(),
                starts_revision: true,
            });
        }
    }
    if let Some(references) = &spec.secret_references {
        diff.change(
            "secret_references".into(),
            None,
            serde_json::to_value(references).ok(),
            true,
        );
    }
    if let Some(dir) = &wanted.source_dir {
        diff.change(
            "source_dir".into(),
            None,
            Some(Value::String(dir.display().to_string())),
            true,
        );
    }
    let request = DeploymentCreateRequest {
        name: spec.name.clone(),
        secret_references: spec.secret_references.clone(),
        secrets: secrets
            .iter()
            .map(|s| Secret {
                name: s.name.clone(),
                value: s.value.clone(),
            })
            .collect(),
        source: spec.source.clone(),
        source_config: spec.source_config.clone(),
        source_revision_config: spec.source_revision_config.clone(),
    };
    let work = match &wanted.source_dir {
        Some(dir) => Work::Upload(Box::new(UploadWork {
            create: Some(DeploymentCreateRequest {
                secrets: Vec::new(),
                ..request
            }),
            deployment_id: None,
            settings: None,
            source_dir: dir.clone(),
            config: config_path(spec),
            secrets: secrets.into_iter().map(|s| (s.name, s.value)).collect(),
        })),
        None => Work::Create(Box::new(request)),
    };
    PlannedDeployment {
        name: spec.name.clone(),
        deployment_id: None,
        action: Action::Create,
        changes: diff.changes,
        blocked: diff.blocked,
        latest_revision: None,
        work,
    }
}

/// The config file of an uploaded source, relative to its directory.
fn config_path(spec: &crate::deployment_file::DeploymentSpec) -> PathBuf {
    PathBuf::from(
        spec.source_revision_config
            .langgraph_config_path
            .as_deref()
            .unwrap_or("langgraph.json"),
    )
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

fn from_json<T: serde::de::DeserializeOwned>(object: Map<String, Value>) -> Result<T, Error> {
    serde_json::from_value(Value::Object(object))
        .map_err(|e| Error::InvalidInput(format!("the planned change does not fit the API: {e}")))
}

/// One variable the file sets: a plain one (shown) or a secret (hidden).
struct WantedSecret {
    name: String,
    value: String,
    /// The value to show: `Some` for `env`, `None` for secrets.
    shown: Option<Value>,
    kind: &'static str,
}

impl WantedSecret {
    /// The field as plans name it; `None` for the source digest, shown as `source_dir`.
    fn field(&self) -> Option<String> {
        (self.kind != "digest").then(|| format!("{}.{}", self.kind, self.name))
    }
}

fn desired_secrets(wanted: &DesiredDeployment) -> Result<Vec<WantedSecret>, Error> {
    let mut all: Vec<WantedSecret> = wanted
        .spec
        .env
        .iter()
        .map(|(name, value)| WantedSecret {
            name: name.clone(),
            value: value.clone(),
            shown: Some(Value::String(value.clone())),
            kind: "env",
        })
        .collect();
    all.extend(
        wanted
            .secret_values
            .iter()
            .map(|(name, value)| WantedSecret {
                name: name.clone(),
                value: value.clone(),
                shown: None,
                kind: "secrets",
            }),
    );
    if let Some(dir) = &wanted.source_dir {
        all.push(WantedSecret {
            name: SOURCE_DIGEST_VARIABLE.into(),
            value: source_digest(dir, &config_path(&wanted.spec))?,
            shown: None,
            kind: "digest",
        });
    }
    Ok(all)
}

/// SHA-256 of the source archive (deterministic: sorted entries, fixed headers) and the
/// config file's path in it.
#[cfg(feature = "upload")]
fn source_digest(dir: &std::path::Path, config: &std::path::Path) -> Result<String, Error> {
    let archive = crate::archive::archive(dir, config)?;
    let bytes = std::fs::read(archive.path()).map_err(|e| {
        Error::InvalidInput(format!("cannot read the archive of {}: {e}", dir.display()))
    })?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    hasher.update(archive.config_path.as_bytes());
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(not(feature = "upload"))]
fn source_digest(dir: &std::path::Path, _config: &std::path::Path) -> Result<String, Error> {
    Err(Error::InvalidInput(format!(
        "source_dir {} needs this crate's `upload` feature",
        dir.display()
    )))
}

impl PlannedDeployment {
    /// Whether this deployment's newest revision is still in progress.
    pub fn revision_in_progress(&self) -> bool {
        self.latest_revision.as_ref().is_some_and(|r| r.in_progress)
    }
}
