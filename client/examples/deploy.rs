//! Ship a git ref with `Client::deploy`: find the deployment by name (or create it from the
//! repository), start a revision, report each step and status, and on a failed build print the
//! end of the build log.
//!
//! `cargo run -p langsmith-control-plane --example deploy -- [NAME] [GIT_REF] [REPO_URL]`
//!
//! Without `LANGSMITH_API_KEY` (or `LANGCHAIN_API_KEY`) it runs against the embedded mock Control
//! Plane: a first deploy creates the deployment and goes live, a second one fails its build on
//! purpose. With a key set it deploys once for real and exits 1 unless the revision goes live.

use std::time::Duration;

use langsmith_control_plane::deploy::{DeployEvent, DeployResult};
use langsmith_control_plane::prelude::*;
use langsmith_control_plane_mock::{MockServer, Timing};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "support-agent".into());
    let git_ref = args.next().unwrap_or_else(|| "main".into());
    let repo_url = args.next();
    let has_key = ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    if !has_key {
        return against_the_mock(&name, &git_ref, repo_url).await;
    }
    let client = Client::from_env()?;
    let result = deploy(&client, &name, &git_ref, repo_url, WaitOptions::default()).await?;
    match result.outcome {
        Some(outcome) if outcome.is_deployed() => Ok(()),
        Some(outcome) => Err(format!("not deployed: {}", outcome.kind()).into()),
        None => Err("the deploy did not wait".into()),
    }
}

/// Two deploys against the embedded mock: one that goes live, one whose build fails.
async fn against_the_mock(name: &str, git_ref: &str, repo_url: Option<String>) -> Result<()> {
    // The mock's start error is an `std::io::Error`; `Box<dyn Error>` takes it and ours alike.
    let mock = MockServer::builder()
        .timing(Timing::uniform(Duration::from_millis(300)))
        .start()
        .await?;
    println!(
        "No LANGSMITH_API_KEY set: deploying to the embedded mock at {}\n",
        mock.base_url()
    );
    let client = Client::builder()
        .api_key("deploy-demo-key")
        .base_url(mock.base_url())
        .build()?;
    let repo_url = repo_url.unwrap_or_else(|| format!("https://github.com/acme/{name}"));
    let waiting = WaitOptions::default()
        .fixed_interval(Duration::from_millis(200))
        .timeout(Duration::from_secs(60));

    deploy(
        &client,
        name,
        git_ref,
        Some(repo_url.clone()),
        waiting.clone(),
    )
    .await?;
    println!("\nAgain, with the mock scripted to fail the build:");
    mock.fail_next_revision(RevisionStatus::BuildFailed);
    let result = deploy(&client, name, "broken", Some(repo_url), waiting).await?;
    if result.outcome.is_some_and(|outcome| outcome.is_deployed()) {
        return Err("the scripted failure did not fail".into());
    }
    mock.shutdown().await;
    Ok(())
}

/// One deploy, printing its events as they come; its result at the end.
async fn deploy(
    client: &Client,
    name: &str,
    git_ref: &str,
    repo_url: Option<String>,
    waiting: WaitOptions,
) -> Result<DeployResult> {
    let source = Source::GitRef {
        reference: git_ref.into(),
        repo_url,
        integration_id: None,
    };
    let mut events = client
        .deploy(source)
        .name(name)
        .wait(Some(waiting))
        .events();
    while let Some(event) = events.try_next().await? {
        match event {
            DeployEvent::Step(text) => println!("  {text}"),
            DeployEvent::StatusUrl(url) => println!("  watch it at {url}"),
            DeployEvent::StatusChange { revision, elapsed } => {
                println!("  [{:>4.1}s] {}", elapsed.as_secs_f64(), revision.status);
            }
            DeployEvent::Finished(result) => {
                if let Some(outcome) = &result.outcome {
                    println!("  => {}", outcome.kind());
                }
                // Set for BUILD_FAILED and DEPLOY_FAILED: the end of the failing log.
                for entry in &result.failure_log {
                    println!("     | {}", entry.message().unwrap_or_default());
                }
                return Ok(*result);
            }
            _ => {}
        }
    }
    Err("the deploy ended without a result".into())
}
