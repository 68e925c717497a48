//! What it takes to bring the workspace to a deployment file: per deployment, create, update in
//! place, start a new revision, or nothing, field by field, without a single write.
//!
//! Fields the file leaves out are left alone; so are secrets it does not name. The API replaces
//! the whole list of secrets and the whole `resource_spec` on an update, so the plan sends the
//! current ones with the file's changes merged in. Secret values are compared by SHA-256 and
//! never kept in the plan's report.
//!
//! A `source_dir` is archived once, while planning: the plan hashes that archive and keeps it,
//! and applying the plan uploads the very same file (see [`Plan::compute`]).

mod config;
mod create;
mod diff;
mod references;
mod revision;
mod secrets;
mod sizing;
mod source;
mod update;

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use langsmith_control_plane::Client;
use langsmith_control_plane::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, Revision, RevisionCreateRequest,
    RevisionSourceConfigRequest, SecretReference,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::Error;
use crate::deployment_file::{DesiredDeployment, DesiredState};
pub(crate) use source::ArchivedSource;

/// Revisions read at once while planning.
const PARALLEL_READS: usize = 16;

/// The secret that records the digest of the uploaded source of a `source_dir` deployment, so
/// that an unchanged directory is not uploaded again (the service keeps no digest of its own).
pub const SOURCE_DIGEST_VARIABLE: &str = "LSCP_SOURCE_DIGEST";

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
    /// Create (a git or image source starts its first revision), then name it.
    Create(Box<NewDeployment>),
    /// A change of an existing deployment: settings, a new revision, or both.
    Change(Box<Change>),
    /// Uploaded source: create if needed, change settings if needed, then upload and build.
    Upload(Box<UploadWork>),
}

/// A deployment to create, and the display name it takes after (create does not take one).
#[derive(Clone)]
pub(crate) struct NewDeployment {
    pub(crate) request: DeploymentCreateRequest,
    pub(crate) display_name: Option<String>,
}

/// What changes an existing deployment: settings first, then the new revision.
#[derive(Clone)]
pub(crate) struct Change {
    pub(crate) deployment_id: Uuid,
    /// Fields that start no revision (display name, `build_on_push`, `custom_url`, and the
    /// settings create-revision does not take), in one `PATCH`.
    pub(crate) settings: Option<DeploymentPatchRequest>,
    /// The revision that ships new code, when one starts.
    pub(crate) revision: Option<NewRevision>,
}

/// How a new revision starts.
#[derive(Clone)]
pub(crate) enum NewRevision {
    /// By create-revision, sending only the parts that change.
    Create(Box<RevisionCreateRequest>),
    /// By a `PATCH` that switches the source (`revision_source`), which only a `PATCH` can do.
    Switch(Box<DeploymentPatchRequest>),
}

/// An upload of a `source_dir` and the changes that go with it.
#[derive(Clone)]
pub(crate) struct UploadWork {
    /// The deployment to upload to.
    pub(crate) to: UploadTo,
    /// The archive made while planning: what the plan hashed is what ships.
    pub(crate) source: ArchivedSource,
    /// Every secret to set with the upload (file's secrets, env and the source digest).
    pub(crate) secrets: Vec<(String, String)>,
}

/// Where an upload goes.
#[derive(Clone)]
pub(crate) enum UploadTo {
    /// A deployment to create (and name) first, without secrets: the upload sets them.
    New(Box<NewDeployment>),
    /// An existing deployment: settings that start no revision change first, in an update of
    /// their own; those that do go with the upload's revision.
    Existing {
        deployment_id: Uuid,
        /// The display name and deployment-wide settings.
        settings: Option<Box<DeploymentPatchRequest>>,
        /// Commands and sizing, sent with the revision.
        revision_settings: Option<Box<RevisionSourceConfigRequest>>,
        /// Secret references, sent with the revision.
        secret_references: Option<Vec<SecretReference>>,
    },
}

impl std::fmt::Debug for Work {
    // Requests carry secret values: only the kind of work is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Work::Nothing => "Nothing",
            Work::Create(_) => "Create",
            Work::Change(_) => "Change",
            Work::Upload(_) => "Upload",
        })
    }
}

impl Plan {
    /// Reads the current state of every deployment of `desired` (read-only: one listing per
    /// 100 deployments whose name shares the file's names' longest common part, and one
    /// revision read per existing deployment) and works out the changes.
    ///
    /// Each `source_dir` is archived here, once, off the runtime thread, by the facade's
    /// [`archive_off_thread`](langsmith_control_plane::archive_off_thread), and hashed as
    /// the archive is read back in chunks. A plan that uploads it keeps the archive (a temporary file, removed when
    /// the plan is dropped), and [`apply`](Plan::apply) uploads that file: the bytes the plan
    /// hashed are the bytes that ship, even if the directory changes in between. Plan again to
    /// ship later changes.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use langsmith_control_plane_plan::deployment_file::DesiredState;
    /// use langsmith_control_plane_plan::plan::Plan;
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
            let archived = match wanted.source_dir() {
                Some(dir) => {
                    let config = source::config_path(&wanted.spec);
                    Some(ArchivedSource::new(dir, &config).await?)
                }
                None => None,
            };
            deployments.push(plan_one(wanted, current, revision, archived)?);
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
        langsmith_control_plane_schema_kit::make_strict(&mut schema);
        schema
    }
}

impl PlannedDeployment {
    /// Whether this deployment's newest revision is still in progress.
    pub fn revision_in_progress(&self) -> bool {
        self.latest_revision.as_ref().is_some_and(|r| r.in_progress)
    }
}

/// The plan of one deployment: create it, or bring the current one to the file (with the
/// archive of its `source_dir`, when it has one).
fn plan_one(
    wanted: &DesiredDeployment,
    current: Option<&Deployment>,
    revision: Option<&Revision>,
    archived: Option<ArchivedSource>,
) -> Result<PlannedDeployment, Error> {
    let secrets = secrets::wanted(wanted, archived.as_ref());
    let Some(current) = current else {
        return Ok(create::plan(wanted, secrets, archived));
    };
    let latest_revision = revision.map(|r| LatestRevision {
        id: r.id,
        status: r.status.to_string(),
        in_progress: r.status.is_in_progress(),
    });
    let mut planned = update::plan(wanted, current, secrets, archived)?;
    planned.latest_revision = latest_revision;
    Ok(planned)
}
