//! Ship a new git ref to an existing deployment and wait for it to go live.
//!
//! `cargo run -p langsmith-control-plane --example deploy -- <DEPLOYMENT_ID> <GIT_REF>`

use langsmith_control_plane::types::{DeploymentPatchRequest, SourceRevisionConfigRequest};
use langsmith_control_plane::{Client, RevisionOutcome, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [deployment_id, git_ref] = args.as_slice() else {
        return Err("usage: deploy <DEPLOYMENT_ID> <GIT_REF>".into());
    };
    let client = Client::from_env()?;
    let patch = DeploymentPatchRequest {
        source_revision_config: Some(SourceRevisionConfigRequest {
            repo_ref: Some(git_ref.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let deployment = client
        .deployments()
        .update(deployment_id.parse()?, patch)
        .await?;
    let started = deployment
        .latest_revision_id
        .ok_or("the update started no revision")?;
    println!("revision {started} started");
    match client
        .wait_for_latest_revision(&deployment, WaitOptions::default())
        .await?
    {
        RevisionOutcome::Deployed(revision) => println!("deployed {}", revision.id),
        other => {
            let status = other
                .status()
                .map_or("no status seen".to_owned(), |s| s.to_string());
            return Err(format!("not deployed: {} ({status})", other.kind()).into());
        }
    }
    Ok(())
}
