//! The plan of an existing deployment: area by area (source, settings, sizing, revision
//! config, variables, secret references), then the one update, or the upload, that makes it.

use langsmith_control_plane::types::{Deployment, DeploymentPatchRequest};

use super::diff::{Diff, json_object};
use super::secrets::WantedSecret;
use super::{Action, ArchivedSource, PlannedDeployment, UploadTo, UploadWork, Work};
use crate::Error;
use crate::deployment_file::DesiredDeployment;

/// The changes to one existing deployment as they are found, and the update that makes them.
pub(super) struct Update<'a> {
    pub(super) wanted: &'a DesiredDeployment,
    pub(super) current: &'a Deployment,
    pub(super) diff: Diff,
    pub(super) patch: DeploymentPatchRequest,
}

/// Plans `current` to become as `wanted` says, with the variables `secrets` (and the archive
/// of its `source_dir`, when it has one).
pub(super) fn plan(
    wanted: &DesiredDeployment,
    current: &Deployment,
    secrets: Vec<WantedSecret>,
    archived: Option<ArchivedSource>,
) -> Result<PlannedDeployment, Error> {
    let mut update = Update {
        wanted,
        current,
        diff: Diff::default(),
        patch: DeploymentPatchRequest::default(),
    };
    let switched = update.source();
    let wanted_config = json_object(&wanted.spec.source_config);
    update.config(&wanted_config, &json_object(&current.source_config))?;
    let revision = update.revision(switched)?;
    let variables = update.secrets(&secrets);
    update.references();
    let starts_revision = update.diff.starts_revision();
    let action = match (update.diff.changes.is_empty(), starts_revision) {
        (true, _) => Action::NoChange,
        (false, true) => Action::NewRevision,
        (false, false) => Action::Update,
    };
    let uploads = revision || variables.variables || variables.digest;
    let Update {
        diff, mut patch, ..
    } = update;
    let work = match archived {
        _ if action == Action::NoChange => Work::Nothing,
        Some(source) if uploads => Work::Upload(Box::new(UploadWork {
            to: UploadTo::Existing {
                deployment_id: current.id,
                settings: settings_first(&mut patch).map(Box::new),
            },
            source,
            secrets: secrets.into_iter().map(|s| (s.name, s.value)).collect(),
        })),
        _ => Work::Patch {
            deployment_id: current.id,
            patch: Box::new(patch),
            starts_revision,
        },
    };
    Ok(PlannedDeployment {
        name: wanted.spec.name.clone(),
        deployment_id: Some(current.id),
        action,
        changes: diff.changes,
        blocked: diff.blocked,
        latest_revision: None,
        work,
    })
}

/// The settings and secret references of an upload's deployment, changed in an update of
/// their own before the upload (which carries the secrets and starts the revision).
fn settings_first(patch: &mut DeploymentPatchRequest) -> Option<DeploymentPatchRequest> {
    let settings = DeploymentPatchRequest {
        source_config: patch.source_config.take(),
        secret_references: patch.secret_references.take(),
        ..DeploymentPatchRequest::default()
    };
    (settings.source_config.is_some() || settings.secret_references.is_some()).then_some(settings)
}
