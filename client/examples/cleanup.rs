//! Delete every deployment whose name contains a prefix (for CI preview environments).
//!
//! `cargo run -p langsmith-control-plane --example cleanup -- <NAME_PREFIX> [--yes]`

use langsmith_control_plane::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prefix = std::env::args()
        .nth(1)
        .ok_or("usage: cleanup <NAME_PREFIX> [--yes]")?;
    let really = std::env::args().any(|a| a == "--yes");
    let client = Client::from_env()?;
    let doomed: Vec<_> = client
        .deployments()
        .list()
        .name_contains(&prefix)
        .collect()
        .await?
        .into_iter()
        .filter(|d| d.name.starts_with(&prefix))
        .collect();
    for deployment in &doomed {
        println!(
            "{} {}{}",
            deployment.id,
            deployment.name,
            if really { "" } else { " (dry run; pass --yes)" }
        );
        if really {
            client.deployments().delete(deployment.id, false).await?;
        }
    }
    Ok(())
}
