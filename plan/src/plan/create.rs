//! The plan of a deployment that does not exist yet: every field the file sets is added.

use langsmith_control_plane::types::{DeploymentCreateRequest, Secret};
use serde_json::Value;

use super::diff::{Diff, json_object};
use super::secrets::WantedSecret;
use super::{
    Action, ArchivedSource, ChangeKind, NewDeployment, PlannedDeployment, UploadTo, UploadWork,
    Work,
};
use crate::deployment_file::DesiredDeployment;

/// Plans creating `wanted` with the variables `secrets`; a `source_dir` deployment is created
/// first, then its `archived` source is uploaded with the secrets.
pub(super) fn plan(
    wanted: &DesiredDeployment,
    secrets: Vec<WantedSecret>,
    archived: Option<ArchivedSource>,
) -> PlannedDeployment {
    let diff = changes(wanted, &secrets);
    let spec = &wanted.spec;
    let request = DeploymentCreateRequest {
        name: spec.name.clone(),
        secret_references: spec.secret_references.clone(),
        secrets: secrets
            .iter()
            .map(|s| Secret {
                name: s.name.clone(),
                value: s.value.as_str().into(),
            })
            .collect(),
        source: spec.source.clone(),
        source_config: spec.source_config.clone(),
        source_revision_config: spec.source_revision_config.clone(),
    };
    let work = match archived {
        Some(source) => Work::Upload(Box::new(UploadWork {
            to: UploadTo::New(Box::new(NewDeployment {
                request: DeploymentCreateRequest {
                    secrets: Vec::new(),
                    ..request
                },
                display_name: spec.display_name.clone(),
            })),
            source,
            secrets: secrets.into_iter().map(|s| (s.name, s.value)).collect(),
        })),
        None => Work::Create(Box::new(NewDeployment {
            request,
            display_name: spec.display_name.clone(),
        })),
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

/// Every field the file sets, as an addition.
fn changes(wanted: &DesiredDeployment, secrets: &[WantedSecret]) -> Diff {
    let spec = &wanted.spec;
    let mut diff = Diff::default();
    let source = Some(spec.source.as_str().into());
    diff.change("source".into(), None, source, true);
    if let Some(name) = &spec.display_name {
        diff.change(
            "display_name".into(),
            None,
            Some(name.as_str().into()),
            false,
        );
    }
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
    for secret in secrets {
        if let Some(field) = secret.field() {
            diff.variable(field, ChangeKind::Add, secret.shown.clone());
        }
    }
    if let Some(references) = &spec.secret_references {
        let new = serde_json::to_value(references).ok();
        diff.change("secret_references".into(), None, new, true);
    }
    if let Some(dir) = wanted.source_dir() {
        let shown = Value::String(dir.display().to_string());
        diff.change("source_dir".into(), None, Some(shown), true);
    }
    diff
}
