//! Applying a change of an existing deployment: its settings by `PATCH`, then the new revision
//! by create-revision (or by the `PATCH` that switches its source), then the wait.

use langsmith_control_plane::types::Deployment;
use langsmith_control_plane::{Client, WaitOptions};
use uuid::Uuid;

use super::{ApplyOutcome, Events, failed, watch};
use crate::plan::{Change, NewDeployment, NewRevision};

/// Creates the deployment, then sets its display name by `PATCH` (create does not take one).
/// On error, the deployment's ID when it was created.
pub(super) async fn create(
    client: &Client,
    new: &NewDeployment,
    events: &Events,
) -> Result<Deployment, (Option<Uuid>, langsmith_control_plane::Error)> {
    let deployments = client.deployments();
    let created = deployments
        .create(new.request.clone())
        .await
        .map_err(|e| (None, e))?;
    events.step(format!("created ({})", created.id));
    let Some(name) = &new.display_name else {
        return Ok(created);
    };
    let named = deployments.set_display_name(created.id, name).await;
    named.map_err(|e| (Some(created.id), e))?;
    events.step("display name set");
    Ok(created)
}

/// Sends the settings, starts the revision and waits for it.
pub(super) async fn run(
    client: &Client,
    change: &Change,
    wait: WaitOptions,
    events: &Events,
) -> ApplyOutcome {
    let deployment_id = change.deployment_id;
    let deployments = client.deployments();
    if let Some(settings) = &change.settings {
        if let Err(e) = deployments.update(deployment_id, settings.clone()).await {
            return failed(Some(deployment_id), e);
        }
        events.step("updated in place");
    }
    let revision_id = match &change.revision {
        None => return ApplyOutcome::Updated { deployment_id },
        Some(NewRevision::Create(request)) => {
            let created = client
                .revisions(deployment_id)
                .create((**request).clone())
                .await;
            created.map(|revision| Some(revision.id))
        }
        Some(NewRevision::Switch(patch)) => {
            let updated = deployments.update(deployment_id, (**patch).clone()).await;
            updated.map(|deployment| deployment.latest_revision_id)
        }
    };
    match revision_id {
        Ok(revision_id) => {
            events.step("a new revision starts");
            watch(client, deployment_id, revision_id, wait, events).await
        }
        Err(e) => failed(Some(deployment_id), e),
    }
}
