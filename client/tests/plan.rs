//! Plan and apply against the mock: create, no change after apply, drift, the API's whole
//! replacements (secrets, resource_spec), fields that cannot be cleared, revisions in progress,
//! one failure among several, read counts, uploaded directories, and apply-then-plan as a
//! property.

use std::time::Duration;

use futures::StreamExt;
use langsmith_control_plane::apply::{ApplyEvent, ApplyOptions, ApplyOutcome, ApplyReport};
use langsmith_control_plane::deployment_file::DesiredState;
use langsmith_control_plane::plan::{Action, ChangeKind, Plan, PlannedDeployment};
use langsmith_control_plane::types::{
    Deployment, DeploymentPatchRequest, ResourceSpecInput, RevisionStatus, SourceConfigRequest,
};
use langsmith_control_plane::{Client, WaitOptions};
use langsmith_control_plane_mock::{MockServer, Timing};
use serde_json::{Value, json};

async fn mock() -> MockServer {
    MockServer::builder()
        .timing(Timing::uniform(Duration::from_millis(20)))
        .start()
        .await
        .unwrap()
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

fn env(name: &str) -> Option<String> {
    match name {
        "OPENAI_KEY" => Some("sk-first".into()),
        "OPENAI_KEY_2" => Some("sk-second".into()),
        _ => None,
    }
}

fn desired(yaml: &str) -> DesiredState {
    DesiredState::parse(yaml, "deployments.yaml", std::path::Path::new("."), env)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn options() -> ApplyOptions {
    ApplyOptions::default().wait(
        WaitOptions::default()
            .fixed_interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(20)),
    )
}

async fn apply(client: &Client, plan: &Plan) -> (Vec<ApplyEvent>, ApplyReport) {
    let events: Vec<ApplyEvent> = plan.apply(client, options()).collect().await;
    let Some(ApplyEvent::Done(report)) = events.last().cloned() else {
        panic!("the last event is Done: {events:?}");
    };
    (events, report)
}

/// Requests that change something, as `METHOD path`.
fn writes(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn entry<'a>(plan: &'a Plan, name: &str) -> &'a PlannedDeployment {
    plan.deployments.iter().find(|d| d.name == name).unwrap()
}

/// Applies the file `TWO` to an empty workspace and returns deployment `name` as it then is.
async fn applied_two(mock: &MockServer, client: &Client, name: &str) -> Deployment {
    apply(client, &Plan::compute(client, &desired(TWO)).await.unwrap()).await;
    stored(mock, name)
}

/// Deployment `name` as the mock holds it.
fn stored(mock: &MockServer, name: &str) -> Deployment {
    mock.deployments()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap()
}

const TWO: &str = "
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

#[tokio::test]
async fn apply_creates_what_is_missing_and_a_second_apply_writes_nothing() {
    let mock = mock().await;
    let client = client(&mock);
    let wanted = desired(TWO);
    let plan = Plan::compute(&client, &wanted).await.unwrap();
    assert_eq!(plan.count(Action::Create), 2);
    assert!(writes(&mock).is_empty(), "planning writes nothing");
    let agent = entry(&plan, "acme-agent");
    let fields: Vec<&str> = agent.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(
        fields.contains(&"source_config.build_command"),
        "{fields:?}"
    );
    let secret = agent
        .changes
        .iter()
        .find(|c| c.field == "secrets.OPENAI_API_KEY")
        .unwrap();
    assert!(secret.hidden && secret.new.is_none());
    let env = agent
        .changes
        .iter()
        .find(|c| c.field == "env.LOG_LEVEL")
        .unwrap();
    assert_eq!(env.new, Some(json!("info")));
    assert!(!serde_json::to_string(&plan).unwrap().contains("sk-first"));

    let (events, report) = apply(&client, &plan).await;
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, ApplyOutcome::Deployed { .. })),
        "{report:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ApplyEvent::Status { .. }))
    );
    let created = mock.deployments();
    let agent = created.iter().find(|d| d.name == "acme-agent").unwrap();
    let secret = agent
        .secrets
        .iter()
        .find(|s| s.name == "OPENAI_API_KEY")
        .unwrap();
    assert_eq!(secret.value, "sk-first");

    mock.clear_requests();
    let again = Plan::compute(&client, &wanted).await.unwrap();
    assert!(!again.has_changes(), "{again:#?}");
    let (_, report) = apply(&client, &again).await;
    assert!(report.worst().is_none());
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));
}

#[tokio::test]
async fn drift_shows_as_an_update_back_to_the_file_and_apply_fixes_it() {
    let mock = mock().await;
    let client = client(&mock);
    let wanted = desired(TWO);
    apply(&client, &Plan::compute(&client, &wanted).await.unwrap()).await;
    let agent = stored(&mock, "acme-agent");
    // Someone changes the build command in the UI.
    let ui = DeploymentPatchRequest {
        source_config: Some(SourceConfigRequest {
            build_command: Some("make all".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    client.deployments().update(agent.id, ui).await.unwrap();

    let plan = Plan::compute(&client, &wanted).await.unwrap();
    let drifted = entry(&plan, "acme-agent");
    assert_eq!(drifted.action, Action::Update);
    assert_eq!(drifted.changes.len(), 1, "{:?}", drifted.changes);
    let change = &drifted.changes[0];
    assert_eq!(change.field, "source_config.build_command");
    assert_eq!(
        (change.old.clone(), change.new.clone(), change.change),
        (
            Some(json!("make all")),
            Some(json!("make")),
            ChangeKind::Modify
        )
    );
    assert_eq!(entry(&plan, "acme-worker").action, Action::NoChange);
    mock.clear_requests();
    let (_, report) = apply(&client, &plan).await;
    assert_eq!(
        report.results[0].outcome,
        ApplyOutcome::Updated {
            deployment_id: agent.id
        }
    );
    assert_eq!(
        writes(&mock),
        [format!("PATCH /v2/deployments/{}", agent.id)]
    );
    assert!(!Plan::compute(&client, &wanted).await.unwrap().has_changes());
}

#[tokio::test]
async fn a_changed_secret_is_a_hidden_change_and_the_update_keeps_other_secrets() {
    let mock = mock().await;
    let client = client(&mock);
    let agent = applied_two(&mock, &client, "acme-agent").await;
    let mut ui_secrets = agent.secrets.clone();
    ui_secrets.push(langsmith_control_plane::types::Secret {
        name: "SET_IN_UI".into(),
        value: "ui-value".into(),
    });
    let ui = DeploymentPatchRequest {
        secrets: Some(ui_secrets),
        ..Default::default()
    };
    client.deployments().update(agent.id, ui).await.unwrap();

    let rotated = desired(&TWO.replace("from_env: OPENAI_KEY}", "from_env: OPENAI_KEY_2}"));
    let plan = Plan::compute(&client, &rotated).await.unwrap();
    let planned = entry(&plan, "acme-agent");
    assert_eq!(planned.action, Action::NewRevision);
    let change = &planned.changes[0];
    assert_eq!(change.field, "secrets.OPENAI_API_KEY");
    assert!(change.hidden && change.old.is_none() && change.new.is_none());
    assert_eq!(change.change, ChangeKind::Modify);
    let printed = format!("{plan:?}{}", serde_json::to_string(&plan).unwrap());
    assert!(
        !printed.contains("sk-") && !printed.contains("ui-value"),
        "{printed}"
    );

    mock.clear_requests();
    apply(&client, &plan).await;
    let sent = mock.requests_for("patch_deployment")[0]
        .body
        .clone()
        .unwrap();
    let mut names: Vec<&str> = sent["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["LOG_LEVEL", "OPENAI_API_KEY", "SET_IN_UI"]);
}

#[tokio::test]
async fn a_resource_spec_change_sends_the_whole_merged_spec() {
    let mock = mock().await;
    let client = client(&mock);
    let worker = applied_two(&mock, &client, "acme-worker").await;
    let ui = DeploymentPatchRequest {
        source_config: Some(SourceConfigRequest {
            resource_spec: Some(ResourceSpecInput {
                cpu: Some(1.0),
                min_scale: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    client.deployments().update(worker.id, ui).await.unwrap();
    let sized = TWO.replace(
        "  - name: acme-worker\n    source: external_docker\n",
        "  - name: acme-worker\n    source: external_docker\n    source_config: {resource_spec: {min_scale: 2}}\n",
    );
    let plan = Plan::compute(&client, &desired(&sized)).await.unwrap();
    let planned = entry(&plan, "acme-worker");
    assert_eq!(planned.action, Action::NewRevision);
    assert_eq!(planned.changes.len(), 1);
    assert_eq!(
        planned.changes[0].field,
        "source_config.resource_spec.min_scale"
    );
    mock.clear_requests();
    apply(&client, &plan).await;
    let sent = mock.requests_for("patch_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(
        sent["source_config"]["resource_spec"],
        json!({"cpu": 1.0, "min_scale": 2})
    );
    let now = mock.deployment(worker.id).unwrap();
    let spec = now.source_config.resource_spec.unwrap();
    assert_eq!((spec.cpu, spec.min_scale), (Some(1.0), Some(2)));
    assert!(
        !Plan::compute(&client, &desired(&sized))
            .await
            .unwrap()
            .has_changes()
    );
}

#[tokio::test]
async fn custom_url_and_build_on_push_cannot_be_cleared_and_the_plan_says_so() {
    let mock = mock().await;
    let client = client(&mock);
    let set = TWO.replace(
        "      build_command: make\n",
        "      build_command: make\n      custom_url: https://agent.acme.dev\n      build_on_push: true\n",
    );
    apply(
        &client,
        &Plan::compute(&client, &desired(&set)).await.unwrap(),
    )
    .await;
    let cleared = TWO.replace(
        "      build_command: make\n",
        "      build_command: make\n      custom_url: null\n      build_on_push: null\n",
    );
    mock.clear_requests();
    let plan = Plan::compute(&client, &desired(&cleared)).await.unwrap();
    let planned = entry(&plan, "acme-agent");
    assert_eq!(planned.action, Action::NoChange);
    let mut blocked: Vec<(&str, &str)> = planned
        .blocked
        .iter()
        .map(|b| (b.field.as_str(), b.reason.as_str()))
        .collect();
    blocked.sort();
    assert_eq!(blocked.len(), 2, "{blocked:?}");
    assert_eq!(blocked[0].0, "source_config.build_on_push");
    assert_eq!(blocked[1].0, "source_config.custom_url");
    assert!(
        blocked
            .iter()
            .all(|(_, reason)| reason.contains("cannot be cleared once set")),
        "{blocked:?}"
    );
    let (_, report) = apply(&client, &plan).await;
    assert!(report.worst().is_none());
    assert!(writes(&mock).is_empty());
}

#[tokio::test]
async fn a_revision_still_in_progress_is_reported() {
    let mock = mock().await;
    let client = client(&mock);
    let worker = applied_two(&mock, &client, "acme-worker").await;
    mock.seed_revision(worker.id, RevisionStatus::Building)
        .unwrap();
    let plan = Plan::compute(&client, &desired(TWO)).await.unwrap();
    let planned = entry(&plan, "acme-worker");
    assert!(planned.revision_in_progress());
    assert_eq!(planned.latest_revision.as_ref().unwrap().status, "BUILDING");
    assert!(!entry(&plan, "acme-agent").revision_in_progress());
}

#[tokio::test]
async fn one_failed_build_does_not_stop_the_others() {
    let mock = mock().await;
    let client = client(&mock);
    let three = format!(
        "{TWO}  - name: acme-extra\n    source: external_docker\n    source_revision_config: {{image_uri: 'registry.example.com/extra:1'}}\n"
    );
    mock.fail_next_revision(RevisionStatus::BuildFailed);
    let plan = Plan::compute(&client, &desired(&three)).await.unwrap();
    let (_, report) = apply(&client, &plan.clone()).await;
    let kinds: Vec<&str> = report.results.iter().map(|r| r.outcome.kind()).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(sorted, ["deployed", "deployed", "failed"], "{report:?}");
    assert_eq!(report.worst().unwrap().kind(), "failed");
}

#[tokio::test]
async fn planning_50_deployments_lists_once_and_reads_one_revision_each() {
    let mock = mock().await;
    let client = client(&mock);
    let mut yaml = String::from("deployments:\n");
    for i in 0..50 {
        yaml.push_str(&format!(
            "  - {{name: fleet-{i:02}, source: external_docker, source_revision_config: {{image_uri: 'registry.example.com/a:{i}'}}}}\n"
        ));
    }
    // Someone else's deployment in the workspace is not read.
    mock.seed_deployment(langsmith_control_plane_mock::github_deployment_request(
        "other",
    ));
    apply(
        &client,
        &Plan::compute(&client, &desired(&yaml)).await.unwrap(),
    )
    .await;
    mock.clear_requests();
    let plan = Plan::compute(&client, &desired(&yaml)).await.unwrap();
    assert!(!plan.has_changes());
    let listings = mock.requests_for("list_deployments");
    assert_eq!(listings.len(), 1);
    assert!(
        listings[0]
            .query
            .as_deref()
            .unwrap()
            .contains("name_contains=fleet-")
    );
    assert_eq!(mock.requests_for("get_revision").len(), 50);
    assert_eq!(mock.requests().len(), 51);
}

#[tokio::test]
async fn an_uploaded_directory_is_built_once_and_again_only_when_it_changes() {
    let mock = mock().await;
    let client = client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("agent");
    std::fs::create_dir(&source).unwrap();
    std::fs::write(source.join("langgraph.json"), r#"{"graphs": {}}"#).unwrap();
    std::fs::write(source.join("agent.py"), "print('v1')\n").unwrap();
    let yaml = "deployments:\n  - {name: uploaded, source: internal_source, source_dir: agent}\n";
    let load = || DesiredState::parse(yaml, "d.yaml", dir.path(), env).unwrap();
    let plan = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(plan.deployments[0].action, Action::Create);
    let (_, report) = apply(&client, &plan).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
    assert_eq!(mock.uploaded_archives().len(), 1);

    mock.clear_requests();
    let same = Plan::compute(&client, &load()).await.unwrap();
    assert!(!same.has_changes(), "{same:#?}");
    apply(&client, &same).await;
    assert!(writes(&mock).is_empty());

    std::fs::write(source.join("agent.py"), "print('v2')\n").unwrap();
    let changed = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(changed.deployments[0].action, Action::NewRevision);
    assert_eq!(changed.deployments[0].changes[0].field, "source_dir");
    let (_, report) = apply(&client, &changed).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
    assert_eq!(mock.uploaded_archives().len(), 2);
    assert!(!Plan::compute(&client, &load()).await.unwrap().has_changes());
}

/// Deserializes for the property test below; the plan's JSON names every field.
fn plan_json(plan: &Plan) -> Value {
    serde_json::to_value(plan).unwrap()
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// A small desired state: one to three deployments with a few fields each.
    fn yaml_strategy() -> impl Strategy<Value = String> {
        let entry = (
            prop::sample::select(vec!["main", "dev", "v1.2"]),
            prop::option::of(prop::sample::select(vec!["dev", "prod", "dev_free"])),
            prop::option::of(1i64..4),
            prop::collection::btree_map("[A-C]", "[a-z]{0,3}", 0..3),
            prop::bool::ANY,
            prop::option::of(prop::sample::select(vec!["make", "make all"])),
        );
        prop::collection::vec(entry, 1..4).prop_map(|entries| {
            let mut yaml = String::from("deployments:\n");
            for (i, (reference, kind, scale, env, secret, build)) in entries.iter().enumerate() {
                yaml.push_str(&format!(
                    "  - name: prop-{i}\n    source: github\n    source_config:\n      repo_url: https://github.com/acme/p{i}\n"
                ));
                if let Some(kind) = kind {
                    yaml.push_str(&format!("      deployment_type: {kind}\n"));
                }
                if let Some(scale) = scale {
                    yaml.push_str(&format!("      resource_spec: {{min_scale: {scale}}}\n"));
                }
                if let Some(build) = build {
                    yaml.push_str(&format!("      build_command: {build}\n"));
                }
                yaml.push_str(&format!("    source_revision_config: {{repo_ref: '{reference}'}}\n"));
                if !env.is_empty() {
                    yaml.push_str("    env:\n");
                    for (name, value) in env {
                        yaml.push_str(&format!("      {name}: '{value}'\n"));
                    }
                }
                if *secret {
                    yaml.push_str("    secrets: {TOKEN: {from_env: OPENAI_KEY}}\n");
                }
            }
            yaml
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Whatever the file and whatever was there before, apply then plan finds nothing.
        #[test]
        fn apply_then_plan_is_always_empty(before in yaml_strategy(), after in yaml_strategy()) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mock = MockServer::builder().timing(Timing::instant()).start().await.unwrap();
                let client = client(&mock);
                for yaml in [&before, &after] {
                    let plan = Plan::compute(&client, &desired(yaml)).await.unwrap();
                    let (_, report) = apply(&client, &plan).await;
                    assert!(report.worst().is_none(), "{report:?}");
                    let again = Plan::compute(&client, &desired(yaml)).await.unwrap();
                    assert!(!again.has_changes(), "{yaml}\n{}", plan_json(&again));
                }
            });
        }
    }
}
