//! The whole flow in one run.
//!
//! `cargo run -p langsmith-control-plane --example quickstart`
//!
//! Without `LANGSMITH_API_KEY` (or `LANGCHAIN_API_KEY`) it starts the embedded mock Control Plane
//! on loopback and walks the real flow against it: create a deployment, wait on its revision with
//! progress, Get Revision, list revisions, redeploy (a rollback), read the build log.
//! With a key set it makes read-only calls against the real API instead.

use std::time::Duration;

use langsmith_control_plane::prelude::*;
use langsmith_control_plane::types::SourceRevisionConfigRequest;
use langsmith_control_plane_mock::{MockServer, Timing};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    let has_key = ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    if has_key {
        read_only_tour().await
    } else {
        mock_flow().await
    }
}

/// The full lifecycle against the embedded mock.
async fn mock_flow() -> Result<()> {
    let mock = MockServer::builder()
        .timing(Timing::uniform(Duration::from_millis(600)))
        .start()
        .await?;
    println!(
        "No LANGSMITH_API_KEY set: using the embedded mock Control Plane at {}\n",
        mock.base_url()
    );
    let client = Client::builder()
        .api_key("quickstart-demo-key")
        .base_url(mock.base_url())
        .build()?;
    let polling = WaitOptions::default()
        .fixed_interval(Duration::from_millis(300))
        .timeout(Duration::from_secs(60));

    // 1. Create a deployment; the answer names its first revision.
    let deployment = client
        .deployments()
        .create(DeploymentCreateRequest::github(
            "quickstart-agent",
            "https://github.com/acme/support-agent",
            "main",
        ))
        .await?;
    let first = deployment
        .latest_revision_id
        .ok_or("create names the first revision")?;
    println!(
        "1. created deployment {} ({}), revision {first}",
        deployment.name, deployment.id
    );

    // 2. Wait on that revision, showing each status change.
    println!("2. waiting on revision {first}");
    let outcome = wait_with_progress(&client, deployment.id, first, polling.clone()).await?;
    if !outcome.is_deployed() {
        return Err(format!("revision did not deploy: {}", outcome.kind()).into());
    }

    // 3. Get Revision: the call a pipeline polls.
    let revision = client.get_revision(deployment.id, first).await?;
    println!(
        "3. get revision: {} is {} (repo ref {})",
        revision.id,
        revision.status,
        revision
            .source_revision_config
            .repo_ref
            .as_deref()
            .unwrap_or("-")
    );

    // 4. Ship a second revision, then roll back to the first with a redeploy.
    let patch = DeploymentPatchRequest {
        source_revision_config: Some(SourceRevisionConfigRequest {
            repo_ref: Some("v2".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = client.deployments().update(deployment.id, patch).await?;
    let second = updated
        .latest_revision_id
        .ok_or("update names its revision")?;
    println!("4. updated to ref v2: revision {second}");
    wait_with_progress(&client, deployment.id, second, polling.clone()).await?;
    let rolled_back = client.revisions(deployment.id).redeploy(first).await?;
    let third = rolled_back
        .latest_revision_id
        .ok_or("redeploy names its revision")?;
    println!("   rolling back: redeploying {first} as revision {third}");
    wait_with_progress(&client, deployment.id, third, polling).await?;

    // 5. List revisions, newest first, through every page; the active one serves traffic.
    println!("5. revisions of {}:", deployment.name);
    let active = client
        .deployments()
        .get(deployment.id)
        .await?
        .active_revision_id;
    for revision in client.revisions(deployment.id).list().collect().await? {
        let status = match (Some(revision.id) == active, revision.status.is_success()) {
            (true, _) => format!("{} (active)", revision.status),
            (false, true) => "replaced".to_owned(),
            (false, false) => revision.status.to_string(),
        };
        let reference = revision.source_revision_config.repo_ref.as_deref();
        println!(
            "   {} {:<18} ref {}",
            revision.id,
            status,
            reference.unwrap_or("-")
        );
    }

    // 6. Read the build log of the first revision.
    println!("6. build log of {first}:");
    for entry in client
        .revisions(deployment.id)
        .logs(first, LogType::Build)
        .max_items(8)
        .collect()
        .await?
    {
        println!(
            "   {} {:<5} {}",
            entry.timestamp().unwrap_or("-"),
            entry.level().unwrap_or("-"),
            entry.message().unwrap_or("")
        );
    }

    println!(
        "\nDone. The same calls work against the real API: set LANGSMITH_API_KEY and run again for a read-only tour."
    );
    mock.shutdown().await;
    Ok(())
}

async fn wait_with_progress(
    client: &Client,
    deployment: Uuid,
    revision: Uuid,
    options: WaitOptions,
) -> Result<RevisionOutcome> {
    let mut events = client.watch_revision(deployment, revision, options);
    while let Some(event) = events.next().await {
        match event? {
            WaitEvent::Status(revision) => match revision.status.phase() {
                Some(phase) => println!("   [{}/{}] {}", phase.step, phase.total, phase.label),
                None => println!("   {}", revision.status),
            },
            WaitEvent::PollFailed(error) => println!("   (poll failed, still waiting: {error})"),
            WaitEvent::Finished(outcome) => {
                println!("   => {}", outcome.kind());
                return Ok(outcome);
            }
            _ => {}
        }
    }
    Err("the wait ended without an outcome".into())
}

/// Read-only calls against the real API.
async fn read_only_tour() -> Result<()> {
    let client = Client::from_env()?;
    println!("Using {} (read-only tour)\n", client.settings().base_url());
    let deployments = client.deployments().list().max_items(10).collect().await?;
    println!("{} deployment(s) (first 10):", deployments.len());
    for deployment in &deployments {
        println!(
            "  {} {:<32} {}",
            deployment.id, deployment.name, deployment.status
        );
    }
    let Some(deployment) = deployments.first() else {
        println!("No deployments in this workspace; nothing more to show.");
        return Ok(());
    };
    if let Some(latest) = client.revisions(deployment.id).latest().await? {
        println!(
            "\nlatest revision of {}: {} {}",
            deployment.name, latest.id, latest.status
        );
    }
    println!("\nrecent revisions:");
    for revision in client
        .revisions(deployment.id)
        .list()
        .max_items(5)
        .collect()
        .await?
    {
        println!(
            "  {} {} {}",
            revision.created_at, revision.id, revision.status
        );
    }
    Ok(())
}
