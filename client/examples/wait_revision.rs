//! Wait until a revision is deployed; exit 0 when it is, 3 failed, 4 timed out, 5 superseded.
//!
//! `cargo run -p langsmith-control-plane --example wait_revision -- <DEPLOYMENT_ID> [REVISION_ID]`
//! Without a revision ID, waits on the deployment's latest revision.

use langsmith_control_plane::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let deployment_id: Uuid = args
        .next()
        .ok_or("usage: wait_revision <DEPLOYMENT_ID> [REVISION_ID]")?
        .parse()?;
    let client = Client::from_env()?;
    let revision_id = match args.next() {
        Some(id) => id.parse()?,
        None => client
            .deployments()
            .get(deployment_id)
            .await?
            .latest_revision_id
            .ok_or("the deployment has no revision")?,
    };

    let mut events = client.watch_revision(deployment_id, revision_id, WaitOptions::default());
    while let Some(event) = events.next().await {
        match event? {
            WaitEvent::Status(revision) => eprintln!("{revision_id}: {}", revision.status),
            WaitEvent::PollFailed(error) => eprintln!("poll failed, still waiting: {error}"),
            WaitEvent::Finished(outcome) => {
                let code = match &outcome {
                    RevisionOutcome::Deployed(_) => 0,
                    RevisionOutcome::Failed(_) => 3,
                    RevisionOutcome::TimedOut { .. } => 4,
                    RevisionOutcome::Superseded(_) => 5,
                    _ => 1,
                };
                eprintln!(
                    "{}: {}",
                    outcome.kind(),
                    outcome.status().map(|s| s.to_string()).unwrap_or_default()
                );
                std::process::exit(code);
            }
            _ => {}
        }
    }
    Ok(())
}
