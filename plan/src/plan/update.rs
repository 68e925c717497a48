//! The plan of an existing deployment: area by area (source, settings, sizing, revision
//! config, variables, secret references), then the requests, or the upload, that make it.

use langsmith_control_plane::types::{
    Deployment, DeploymentPatchRequest, RevisionCreateRequest, RevisionSourceConfigRequest,
    SourceConfigRequest, SourceRevisionConfigRequest,
};
use uuid::Uuid;

use super::diff::{Diff, from_json, json_object};
use super::secrets::WantedSecret;
use super::{
    Action, ArchivedSource, Change, NewRevision, PlannedDeployment, UploadTo, UploadWork, Work,
};
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
    update.display_name();
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
            to: upload_to(current.id, &mut patch),
            source,
            secrets: secrets.into_iter().map(|s| (s.name, s.value)).collect(),
        })),
        _ => Work::Change(Box::new(split(current, patch, starts_revision)?)),
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

impl Update<'_> {
    /// The file's display name when it differs (set in place); left alone when the file names
    /// none, since the service cannot clear it.
    fn display_name(&mut self) {
        let Some(wanted) = &self.wanted.spec.display_name else {
            return;
        };
        let current = self.current.display_name.as_ref();
        if current == Some(wanted) {
            return;
        }
        let old = current.map(|name| name.as_str().into());
        let new = Some(wanted.as_str().into());
        self.diff.change("display_name".into(), old, new, false);
        self.patch.display_name = Some(wanted.clone());
    }
}

/// The upload to deployment `deployment_id` and the changes of `patch` that go with it. What
/// starts a revision when changed (commands, sizing, secret references) travels with the
/// upload's revision, so that the old code is not built once more; what starts none (the display
/// name, deployment-wide settings) goes in an update of its own before the upload.
fn upload_to(deployment_id: Uuid, patch: &mut DeploymentPatchRequest) -> UploadTo {
    let mut source_config = patch.source_config.take();
    let revision_settings = source_config
        .as_mut()
        .and_then(revision_settings)
        .map(Box::new);
    let settings = DeploymentPatchRequest {
        display_name: patch.display_name.take(),
        source_config: source_config.filter(|c| *c != SourceConfigRequest::default()),
        ..DeploymentPatchRequest::default()
    };
    UploadTo::Existing {
        deployment_id,
        settings: (settings != DeploymentPatchRequest::default()).then(|| Box::new(settings)),
        revision_settings,
        secret_references: patch.secret_references.take(),
    }
}

/// The change of `current` that `patch` holds, split as the service takes it: a new revision
/// by create-revision with only the parts that change, settings that start none by `PATCH`.
fn split(
    current: &Deployment,
    mut patch: DeploymentPatchRequest,
    starts_revision: bool,
) -> Result<Change, Error> {
    let deployment_id = current.id;
    if patch.revision_source.is_some() {
        // Only a PATCH can switch the source kind (`revision_source`): a new revision keeps
        // the deployment's source, so the whole change goes in that one PATCH.
        let revision = Some(NewRevision::Switch(Box::new(patch)));
        return Ok(Change {
            deployment_id,
            settings: None,
            revision,
        });
    }
    let mut revision = None;
    if starts_revision {
        let source_config = patch.source_config.as_mut().and_then(revision_settings);
        let source_revision_config = match patch.source_revision_config.take() {
            Some(config) => config,
            None => current_revision_config(current)?,
        };
        revision = Some(NewRevision::Create(Box::new(RevisionCreateRequest {
            source_revision_config,
            source_config,
            secrets: patch.secrets.take(),
            secret_references: patch.secret_references.take(),
        })));
    }
    if patch.source_config == Some(SourceConfigRequest::default()) {
        patch.source_config = None;
    }
    let settings = (patch != DeploymentPatchRequest::default()).then_some(patch);
    Ok(Change {
        deployment_id,
        settings,
        revision,
    })
}

/// Takes the settings a new revision carries (commands and sizing) out of `config`.
fn revision_settings(config: &mut SourceConfigRequest) -> Option<RevisionSourceConfigRequest> {
    let taken = RevisionSourceConfigRequest {
        install_command: config.install_command.take(),
        build_command: config.build_command.take(),
        resource_spec: config.resource_spec.take(),
    };
    (taken != RevisionSourceConfigRequest::default()).then_some(taken)
}

/// What `current`'s newest revision was built from, as a request names it: create-revision
/// takes the whole config, so a revision that changes only secrets or settings rebuilds the same.
fn current_revision_config(current: &Deployment) -> Result<SourceRevisionConfigRequest, Error> {
    let mut config = json_object(&current.source_revision_config);
    config.remove("repo_commit_sha");
    config.retain(|_, v| !v.is_null());
    from_json(config)
}
