//! Applying an uploaded directory: create the deployment or change the settings that start no
//! revision, then hand the plan's archive to the facade's deploy, which uploads it and starts
//! one revision with the secrets, commands, sizing and secret references, and waits.

use futures::TryStreamExt;
use langsmith_control_plane::deploy::{DeployEvent, Source};
use langsmith_control_plane::{Client, WaitOptions};
use uuid::Uuid;

use super::{ApplyEvent, ApplyOutcome, Events, failed, from_wait};
use crate::Error;
use crate::plan::{UploadTo, UploadWork};

/// Makes the deployment ready, uploads the archive the plan made and waits for the revision.
pub(super) async fn run(
    client: &Client,
    work: &UploadWork,
    wait: WaitOptions,
    events: &Events,
) -> ApplyOutcome {
    let deployment_id = match prepare(client, &work.to, events).await {
        Ok(id) => id,
        Err((id, e)) => return failed(id, e),
    };
    let source = Source::Archived {
        path: work.source.dir.clone(),
        archive: work.source.archive.clone(),
    };
    let mut deploy = client
        .deploy(source)
        .deployment_id(deployment_id)
        .wait(Some(wait));
    for (name, value) in &work.secrets {
        deploy = deploy.secret(name.clone(), value.clone());
    }
    if let UploadTo::Existing {
        revision_settings,
        secret_references,
        ..
    } = &work.to
    {
        if let Some(settings) = revision_settings {
            deploy = deploy.revision_settings((**settings).clone());
        }
        if let Some(references) = secret_references {
            deploy = deploy.secret_references(references.clone());
        }
    }
    let mut steps = deploy.events();
    loop {
        match steps.try_next().await {
            Ok(Some(DeployEvent::Step(message))) => events.step(message),
            Ok(Some(DeployEvent::StatusChange { revision, .. })) => {
                events.send(ApplyEvent::Status {
                    name: events.name.clone(),
                    revision: Box::new(revision),
                })
            }
            Ok(Some(DeployEvent::Finished(result))) => {
                return match result.outcome {
                    Some(outcome) => from_wait(deployment_id, result.revision_id, outcome),
                    None => ApplyOutcome::Updated { deployment_id },
                };
            }
            Ok(Some(_)) => {}
            Ok(None) => return failed(Some(deployment_id), Error::UploadEnded),
            Err(e) => return failed(Some(deployment_id), e),
        }
    }
}

/// The deployment to upload to: created, or existing with its settings changed first.
async fn prepare(
    client: &Client,
    to: &UploadTo,
    events: &Events,
) -> Result<Uuid, (Option<Uuid>, langsmith_control_plane::Error)> {
    let deployments = client.deployments();
    match to {
        UploadTo::New(new) => Ok(super::change::create(client, new, events).await?.id),
        UploadTo::Existing {
            deployment_id,
            settings,
            ..
        } => {
            if let Some(settings) = settings {
                let update = deployments.update(*deployment_id, (**settings).clone());
                update.await.map_err(|e| (Some(*deployment_id), e))?;
                events.step("settings updated");
            }
            Ok(*deployment_id)
        }
    }
}
