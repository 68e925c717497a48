//! Print a revision's build or deploy log, following it while the revision is in progress.
//!
//! `cargo run -p langsmith-control-plane --example revision_logs -- <DEPLOYMENT_ID> <REVISION_ID> [build|deploy]`

use std::time::Duration;

use langsmith_control_plane::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (deployment_id, revision_id) = match args.as_slice() {
        [d, r, ..] => (d.parse()?, r.parse()?),
        _ => {
            return Err("usage: revision_logs <DEPLOYMENT_ID> <REVISION_ID> [build|deploy]".into());
        }
    };
    let log_type: LogType = args.get(2).map(String::as_str).unwrap_or("build").parse()?;
    let client = Client::from_env()?;
    let mut entries = client
        .revisions(deployment_id)
        .logs(revision_id, log_type)
        .follow(Duration::from_secs(3))
        .stream();
    while let Some(entry) = entries.next().await {
        let entry = entry?;
        println!(
            "{} {:>8} {}",
            entry.timestamp().unwrap_or("-"),
            entry.level().unwrap_or("-"),
            entry.message().unwrap_or("")
        );
    }
    Ok(())
}
