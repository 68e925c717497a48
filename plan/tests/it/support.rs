//! What the plan and apply tests share: a mock, a client, a file, and an apply that collects
//! its events.

use std::time::Duration;

use futures::StreamExt;
use langsmith_control_plane::types::Deployment;
use langsmith_control_plane::{Client, WaitOptions};
use langsmith_control_plane_mock::{MockServer, Timing};
use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOptions, ApplyReport};
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::{Plan, PlannedDeployment};

pub async fn mock() -> MockServer {
    MockServer::builder()
        .timing(Timing::uniform(Duration::from_millis(20)))
        .start()
        .await
        .unwrap()
}

pub fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

pub fn env(name: &str) -> Option<String> {
    match name {
        "OPENAI_KEY" => Some("sk-first".into()),
        "OPENAI_KEY_2" => Some("sk-second".into()),
        _ => None,
    }
}

pub fn desired(yaml: &str) -> DesiredState {
    DesiredState::parse(yaml, "deployments.yaml", std::path::Path::new("."), env)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn options() -> ApplyOptions {
    ApplyOptions::default().wait(
        WaitOptions::default()
            .fixed_interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(20)),
    )
}

pub async fn apply(client: &Client, plan: &Plan) -> (Vec<ApplyEvent>, ApplyReport) {
    let events: Vec<ApplyEvent> = plan.apply(client, options()).collect().await;
    let Some(ApplyEvent::Done(report)) = events.last().cloned() else {
        panic!("the last event is Done: {events:?}");
    };
    (events, report)
}

/// Requests that change something, as `METHOD path`.
pub fn writes(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The body of the first create-revision request the mock saw.
pub fn first_revision(mock: &MockServer) -> serde_json::Value {
    mock.requests_for("create_revision")[0]
        .body
        .clone()
        .unwrap()
}

pub fn entry<'a>(plan: &'a Plan, name: &str) -> &'a PlannedDeployment {
    plan.deployments.iter().find(|d| d.name == name).unwrap()
}

/// Applies the file `TWO` to an empty workspace and returns deployment `name` as it then is.
pub async fn applied_two(mock: &MockServer, client: &Client, name: &str) -> Deployment {
    apply(client, &Plan::compute(client, &desired(TWO)).await.unwrap()).await;
    stored(mock, name)
}

/// Deployment `name` as the mock holds it.
pub fn stored(mock: &MockServer, name: &str) -> Deployment {
    mock.deployments()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap()
}

/// A directory `agent` holding `langgraph.json` and `agent.py` (printing `v1`), and its path.
pub fn agent_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("agent");
    std::fs::create_dir(&source).unwrap();
    std::fs::write(source.join("langgraph.json"), r#"{"graphs": {}}"#).unwrap();
    std::fs::write(source.join("agent.py"), "print('v1')\n").unwrap();
    (dir, source)
}

pub const TWO: &str = "
deployments:
  - name: acme-agent
    source: github
    source_config:
      repo_url: https://github.com/acme/agent
      deployment_type: dev
      build_command: make
    source_revision_config: {repo_ref: main}
    env: {LOG_LEVEL: info}
    secrets: {OPENAI_API_KEY: {from_env: OPENAI_KEY}}
  - name: acme-worker
    source: external_docker
    source_revision_config: {image_uri: 'registry.example.com/worker:1'}
";
