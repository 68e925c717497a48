//! Applying against the mock: one failure among several, a refused request as a typed error
//! outcome, and apply-then-plan as a property.

use std::sync::Arc;

use langsmith_control_plane::Error as ClientError;
use langsmith_control_plane::types::RevisionStatus;
use langsmith_control_plane_mock::{Fault, MockServer, Timing};
use langsmith_control_plane_plan::Error;
use langsmith_control_plane_plan::apply::ApplyOutcome;
use langsmith_control_plane_plan::plan::Plan;
use serde_json::Value;

use crate::support::*;

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
async fn a_refused_request_ends_that_deployment_in_its_typed_error_and_the_others_go_on() {
    let mock = mock().await;
    let client = client(&mock);
    let plan = Plan::compute(&client, &desired(TWO)).await.unwrap();
    // POST is not retried: the one create that meets the fault fails.
    mock.inject(Fault::status(409).on("create_deployment"));
    let (_, report) = apply(&client, &plan).await;
    let kinds: Vec<&str> = report.results.iter().map(|r| r.outcome.kind()).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(sorted, ["deployed", "error"], "{report:?}");
    let failed = report
        .results
        .iter()
        .find(|r| r.outcome.kind() == "error")
        .unwrap();
    let ApplyOutcome::Error {
        deployment_id,
        error,
    } = &failed.outcome
    else {
        panic!("{failed:?}");
    };
    assert_eq!(*deployment_id, None);
    assert!(
        matches!(&**error, Error::Client(ClientError::Conflict(api)) if api.status == 409),
        "{error:?}"
    );
    let json = serde_json::to_value(&failed.outcome).unwrap();
    assert_eq!(json["outcome"], "error");
    assert_eq!(json["message"], error.to_string());
}

#[test]
fn an_error_outcome_reads_as_its_message_then_each_cause_once() {
    let error = Error::ArchiveRead {
        dir: "/src/agent".into(),
        source: std::io::Error::other("the disk went away"),
    };
    assert_eq!(error.to_string(), "cannot read the archive of /src/agent");
    let source = std::error::Error::source(&error).unwrap();
    assert_eq!(source.to_string(), "the disk went away");
    let outcome = ApplyOutcome::Error {
        deployment_id: None,
        error: Arc::new(error),
    };
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(
        json["message"],
        "cannot read the archive of /src/agent: the disk went away"
    );
    assert_eq!(json["hint"], Value::Null, "no hint is known for it");
    assert_eq!(outcome.clone(), outcome);
}

/// Issue 19, 2: the JSON of an error outcome carries the error's hint, apart from its message.
#[test]
fn an_error_outcome_carries_its_hint_in_json_never_in_the_message() {
    let error = Error::Client(ClientError::AmbiguousName {
        name: "agent".into(),
        ids: vec![uuid::Uuid::nil(), uuid::Uuid::max()],
    });
    let hint = error.hint().expect("a shared name has a hint");
    let outcome = ApplyOutcome::Error {
        deployment_id: None,
        error: Arc::new(error),
    };
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["outcome"], "error");
    assert_eq!(json["hint"], hint);
    let message = json["message"].as_str().unwrap();
    assert!(!message.contains(hint), "{message}");
}

#[tokio::test]
async fn a_transport_error_outcome_says_each_cause_once() {
    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = langsmith_control_plane::Client::builder()
        .api_key("test")
        .base_url(base_url)
        .retry_policy(langsmith_control_plane::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .deployments()
        .get(uuid::Uuid::nil())
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Transport { .. }), "{error:?}");
    let mut innermost: &dyn std::error::Error = &error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    let innermost = innermost.to_string();
    let outcome = ApplyOutcome::Error {
        deployment_id: None,
        error: Arc::new(Error::Client(error)),
    };
    let json = serde_json::to_value(&outcome).unwrap();
    let message = json["message"].as_str().unwrap();
    assert_eq!(message.matches(innermost.as_str()).count(), 1, "{message}");
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

/// Applies `TWO`, then `changed`, and returns the writes of the second apply.
async fn writes_of_change(changed: &str) -> (Vec<String>, Vec<serde_json::Value>) {
    let mock = mock().await;
    let client = client(&mock);
    apply(
        &client,
        &Plan::compute(&client, &desired(TWO)).await.unwrap(),
    )
    .await;
    mock.clear_requests();
    let plan = Plan::compute(&client, &desired(changed)).await.unwrap();
    let (_, report) = apply(&client, &plan).await;
    assert!(report.worst().is_none(), "{report:?}");
    assert!(
        !Plan::compute(&client, &desired(changed))
            .await
            .unwrap()
            .has_changes()
    );
    let bodies = mock.requests_for("create_revision");
    // Each write with the deployment's ID left out.
    let writes = writes(&mock)
        .iter()
        .map(|w| {
            w.replace(&format!("/{}", stored(&mock, "acme-agent").id), "")
                .replace(&format!("/{}", stored(&mock, "acme-worker").id), "")
        })
        .collect();
    (writes, bodies.into_iter().filter_map(|r| r.body).collect())
}

#[tokio::test]
async fn new_code_ships_by_create_revision_sending_only_what_changed() {
    let image = TWO.replace("worker:1", "worker:2");
    let (sent, bodies) = writes_of_change(&image).await;
    assert_eq!(sent, ["POST /v2/deployments/revisions"]);
    assert_eq!(
        bodies[0]["source_revision_config"]["image_uri"],
        "registry.example.com/worker:2"
    );
    assert!(bodies[0].get("secrets").is_none() && bodies[0].get("source_config").is_none());

    let reference = TWO.replace("repo_ref: main", "repo_ref: release");
    let (sent, bodies) = writes_of_change(&reference).await;
    assert_eq!(sent, ["POST /v2/deployments/revisions"]);
    assert_eq!(bodies[0]["source_revision_config"]["repo_ref"], "release");
    assert!(bodies[0].get("secrets").is_none(), "{}", bodies[0]);

    let secret = TWO.replace("from_env: OPENAI_KEY}", "from_env: OPENAI_KEY_2}");
    let (sent, bodies) = writes_of_change(&secret).await;
    assert_eq!(sent, ["POST /v2/deployments/revisions"]);
    assert_eq!(bodies[0]["secrets"].as_array().unwrap().len(), 2);
    assert!(bodies[0].get("source_config").is_none(), "{}", bodies[0]);
}

#[tokio::test]
async fn secrets_the_file_does_not_name_are_left_alone_and_never_sent_as_an_empty_list() {
    let mock = mock().await;
    let client = client(&mock);
    let request = langsmith_control_plane::types::DeploymentCreateRequest {
        name: "bare".into(),
        source: langsmith_control_plane::types::DeploymentSource::ExternalDocker,
        secrets: vec![langsmith_control_plane::types::Secret {
            name: "SET_IN_UI".into(),
            value: "ui-value".into(),
        }],
        secret_references: None,
        source_config: Default::default(),
        source_revision_config: langsmith_control_plane::types::SourceRevisionConfigRequest {
            image_uri: Some("registry.example.com/bare:1".into()),
            ..Default::default()
        },
    };
    client.deployments().create(request).await.unwrap();
    let file = "deployments:\n  - name: bare\n    source: external_docker\n    \
                source_revision_config: {image_uri: 'registry.example.com/bare:2'}\n";
    let plan = Plan::compute(&client, &desired(file)).await.unwrap();
    let fields: Vec<&str> = entry(&plan, "bare")
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["source_revision_config.image_uri"]);
    mock.clear_requests();
    apply(&client, &plan).await;
    let sent = first_revision(&mock);
    assert!(sent.get("secrets").is_none(), "{sent}");
    let kept = stored(&mock, "bare").secrets;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].name, "SET_IN_UI");
    assert!(
        !Plan::compute(&client, &desired(file))
            .await
            .unwrap()
            .has_changes()
    );
}
