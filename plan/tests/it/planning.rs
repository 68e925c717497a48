//! Planning against the mock: what a plan shows for a new deployment, drift, the API's whole
//! replacements (secrets, resource_spec), fields that cannot be cleared, revisions in
//! progress and how many reads a plan makes; and that apply then makes exactly that change.

use futures::StreamExt;
use langsmith_control_plane::types::{
    DeploymentPatchRequest, ResourceSpecInput, RevisionStatus, SourceConfigRequest,
};
use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOutcome};
use langsmith_control_plane_plan::plan::{Action, ChangeKind, Plan};
use serde_json::json;

use crate::support::*;

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
async fn drift_shows_as_a_new_revision_back_to_the_file_and_apply_fixes_it() {
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
    // A build command ships with a new revision.
    assert_eq!(drifted.action, Action::NewRevision);
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
    assert_eq!(report.results[0].outcome.kind(), "deployed");
    assert_eq!(
        writes(&mock),
        [format!("POST /v2/deployments/{}/revisions", agent.id)]
    );
    let sent = first_revision(&mock);
    assert_eq!(sent["source_config"], json!({"build_command": "make"}));
    assert!(sent.get("secrets").is_none(), "{sent}");
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
    let sent = first_revision(&mock);
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
async fn a_resource_spec_change_is_merged_over_the_stored_spec_keeping_fields_the_file_leaves_out()
{
    let mock = mock().await;
    let client = client(&mock);
    let worker = applied_two(&mock, &client, "acme-worker").await;
    let ui = DeploymentPatchRequest {
        source_config: Some(SourceConfigRequest {
            resource_spec: Some(ResourceSpecInput {
                cpu: Some(1.0),
                min_scale: Some(1),
                labels: Some([("team".to_string(), "shop".to_string())].into()),
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
    let sent = first_revision(&mock);
    assert_eq!(
        sent["source_config"]["resource_spec"],
        json!({"cpu": 1.0, "min_scale": 2, "labels": {"team": "shop"}})
    );
    let now = mock.deployment(worker.id).unwrap();
    let spec = now.source_config.resource_spec.unwrap();
    assert_eq!((spec.cpu, spec.min_scale), (Some(1.0), Some(2)));
    assert_eq!(spec.labels.unwrap()["team"], "shop");
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
    // Set up by applying the 50 at once (waiting on four at a time took most of the test).
    let setup = Plan::compute(&client, &desired(&yaml)).await.unwrap();
    let events: Vec<ApplyEvent> = setup
        .apply(&client, options().concurrency(50))
        .collect()
        .await;
    assert!(
        matches!(events.last(), Some(ApplyEvent::Done(report)) if report.worst().is_none()),
        "{events:?}"
    );
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

/// `TWO` with the worker named `display`.
fn worker_named(display: &str) -> String {
    TWO.replace(
        "  - name: acme-worker\n",
        &format!("  - name: acme-worker\n    display_name: {display}\n"),
    )
}

#[tokio::test]
async fn a_display_name_is_set_after_create_changed_in_place_and_kept_when_left_out() {
    let mock = mock().await;
    let client = client(&mock);
    let named = desired(&worker_named("Worker"));
    let plan = Plan::compute(&client, &named).await.unwrap();
    let (_, report) = apply(&client, &plan).await;
    assert!(report.worst().is_none(), "{report:?}");
    let worker = stored(&mock, "acme-worker");
    assert_eq!(worker.display_name.as_deref(), Some("Worker"));
    let patches = mock.requests_for("patch_deployment");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].body, Some(json!({"display_name": "Worker"})));
    assert!(!Plan::compute(&client, &named).await.unwrap().has_changes());

    mock.clear_requests();
    let renamed = desired(&worker_named("Night worker"));
    let plan = Plan::compute(&client, &renamed).await.unwrap();
    let planned = entry(&plan, "acme-worker");
    assert_eq!(planned.action, Action::Update);
    assert_eq!(planned.changes[0].field, "display_name");
    apply(&client, &plan).await;
    assert_eq!(
        writes(&mock),
        [format!("PATCH /v2/deployments/{}", worker.id)]
    );
    assert!(
        !Plan::compute(&client, &renamed)
            .await
            .unwrap()
            .has_changes()
    );

    // Left out of the file: left alone, never cleared.
    let plan = Plan::compute(&client, &desired(TWO)).await.unwrap();
    assert_eq!(entry(&plan, "acme-worker").action, Action::NoChange);
    let kept = stored(&mock, "acme-worker").display_name;
    assert_eq!(kept.as_deref(), Some("Night worker"));
}

#[tokio::test]
async fn debug_output_of_a_file_and_its_plans_names_secrets_but_never_shows_a_value() {
    let mock = mock().await;
    let client = client(&mock);
    let first = desired(TWO);
    let create = Plan::compute(&client, &first).await.unwrap();
    apply(&client, &create).await;
    // Another value for the secret: the update plan carries the whole merged list of secrets.
    let second = desired(&TWO.replace("from_env: OPENAI_KEY}", "from_env: OPENAI_KEY_2}"));
    let update = Plan::compute(&client, &second).await.unwrap();
    assert_eq!(update.count(Action::NewRevision), 1);
    let texts = [
        format!("{first:?}"),
        format!("{first:#?}"),
        format!("{create:?}"),
        format!("{create:#?}"),
        format!("{second:?}"),
        format!("{update:#?}"),
    ];
    for text in texts {
        for value in ["sk-first", "sk-second"] {
            assert!(!text.contains(value), "{value} shows: {text}");
        }
        assert!(
            text.contains("OPENAI_API_KEY"),
            "the secret is not named: {text}"
        );
    }
}
