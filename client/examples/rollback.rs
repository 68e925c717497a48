//! Roll back: redeploy the newest revision that was deployed before the current one, and wait.
//!
//! `cargo run -p langsmith-control-plane --example rollback -- <DEPLOYMENT_ID>`

use langsmith_control_plane::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let deployment_id = std::env::args()
        .nth(1)
        .ok_or("usage: rollback <DEPLOYMENT_ID>")?
        .parse()?;
    let client = Client::from_env()?;
    let deployment = client.deployments().get(deployment_id).await?;
    // Revisions come newest first; skip the active one and take the next that was deployed.
    let previous = client
        .revisions(deployment_id)
        .list()
        .status([RevisionStatus::Deployed])
        .stream()
        .try_filter(|revision| {
            std::future::ready(Some(revision.id) != deployment.active_revision_id)
        })
        .try_next()
        .await?
        .ok_or("no earlier deployed revision to roll back to")?;
    println!("redeploying {}", previous.id);
    let deployment = client
        .revisions(deployment_id)
        .redeploy(previous.id)
        .await?;
    let outcome = client
        .wait_for_latest_revision(&deployment, WaitOptions::default())
        .await?;
    println!("{}", outcome.kind());
    if !outcome.is_deployed() {
        std::process::exit(3);
    }
    Ok(())
}
