//! List a deployment's revisions, newest first, through every page.
//!
//! `cargo run -p langsmith-control-plane --example list_revisions -- <DEPLOYMENT_ID>`

use langsmith_control_plane::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let deployment_id = std::env::args()
        .nth(1)
        .ok_or("usage: list_revisions <DEPLOYMENT_ID>")?
        .parse()?;
    let client = Client::from_env()?;
    let mut revisions = client.revisions(deployment_id).list().stream();
    while let Some(revision) = revisions.next().await {
        let revision = revision?;
        let phase = revision
            .status
            .phase()
            .map(|p| format!("step {}/{}", p.step, p.total))
            .unwrap_or_default();
        println!(
            "{} {} {:<16} {}",
            revision.created_at, revision.id, revision.status, phase
        );
    }
    Ok(())
}
