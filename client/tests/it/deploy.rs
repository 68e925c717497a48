//! The deploy job against the mock Control Plane: find or create, ship, wait, report.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use langsmith_control_plane::deploy::{DeployEvent, Source};
use langsmith_control_plane::types::{
    DeploymentCreateRequest, DeploymentSource, LogType, RevisionCreateRequest,
    RevisionSourceConfigRequest, RevisionStatus, SourceRevisionConfigRequest,
};
use langsmith_control_plane::{Client, Error, RevisionOutcome, WaitOptions};
use langsmith_control_plane_mock::{MockServer, RevisionScript, Timing};
use serde_json::Value;

/// A revision deployed 300 ms after it is created (20 ms a phase, building 200 ms).
async fn mock() -> MockServer {
    let mut timing = Timing::uniform(Duration::from_millis(20));
    timing.building = Duration::from_millis(200);
    MockServer::builder().timing(timing).start().await.unwrap()
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

fn git(reference: &str, repo_url: Option<&str>) -> Source {
    Source::GitRef {
        reference: reference.into(),
        repo_url: repo_url.map(str::to_owned),
        integration_id: None,
    }
}

fn fast_wait() -> Option<WaitOptions> {
    Some(
        WaitOptions::default()
            .fixed_interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(20)),
    )
}

/// A deployment named `name`, from `main` of a repository, with one secret.
fn seed(mock: &MockServer, name: &str) -> uuid::Uuid {
    let request: DeploymentCreateRequest = serde_json::from_value(serde_json::json!({
        "name": name, "source": "github",
        "source_config": {"repo_url": "https://github.com/acme/agent", "deployment_type": "dev"},
        "source_revision_config": {"repo_ref": "main"},
        "secrets": [{"name": "KEEP", "value": "kept"}]
    }))
    .unwrap();
    mock.seed_deployment(request).id
}

fn bodies(mock: &MockServer, operation: &str) -> Vec<Value> {
    mock.requests_for(operation)
        .into_iter()
        .map(|r| r.body.expect("a recorded body"))
        .collect()
}

fn patch_bodies(mock: &MockServer) -> Vec<Value> {
    bodies(mock, "patch_deployment")
}

/// The bodies of `POST .../revisions`, the way new code ships to an existing deployment.
fn revision_bodies(mock: &MockServer) -> Vec<Value> {
    bodies(mock, "create_revision")
}

#[tokio::test]
async fn a_new_ref_on_an_existing_deployment_is_a_new_revision_that_deploys() {
    let mock = mock().await;
    let id = seed(&mock, "support-agent");
    let result = client(&mock)
        .deploy(git("v2", None))
        .name("support-agent")
        .wait(fast_wait())
        .run()
        .await
        .unwrap();
    assert_eq!(result.deployment.id, id);
    assert!(result.outcome.unwrap().is_deployed());
    assert!(patch_bodies(&mock).is_empty(), "new code is no PATCH");
    let revisions = revision_bodies(&mock);
    assert_eq!(
        revisions,
        [serde_json::json!({"source_revision_config": {"repo_ref": "v2"}})],
        "only what changed: no secrets given, none sent"
    );
    assert_eq!(
        result.revision_id,
        mock.deployment(id).unwrap().latest_revision_id.unwrap()
    );
    assert!(
        result
            .status_url
            .ends_with(&format!("/host/deployments/{id}")),
        "{}",
        result.status_url
    );
}

#[tokio::test]
async fn a_new_name_creates_the_deployment_from_the_ref() {
    let mock = mock().await;
    let result = client(&mock)
        .deploy(git("main", Some("https://github.com/acme/new-agent")))
        .name("new-agent")
        .secret("OPENAI_API_KEY", "sk-test")
        .wait(fast_wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    let created = mock.deployment(result.deployment.id).unwrap();
    assert_eq!(created.name, "new-agent");
    assert_eq!(created.source, DeploymentSource::Github);
    assert!(
        patch_bodies(&mock).is_empty(),
        "creation started the revision"
    );
}

#[tokio::test]
async fn a_new_deployment_from_a_ref_is_created_with_the_revision_settings_and_references() {
    let mock = mock().await;
    let sizing = serde_json::json!({"build_command": "make", "resource_spec": {"min_scale": 2}});
    let reference = serde_json::json!({"name": "DB_URL", "secret_name": "db", "secret_key": "url"});
    let result = client(&mock)
        .deploy(git("main", Some("https://github.com/acme/sized")))
        .name("sized")
        .revision_settings(serde_json::from_value(sizing.clone()).unwrap())
        .secret_references([serde_json::from_value(reference.clone()).unwrap()])
        .wait(fast_wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    // Creating starts the revision: the settings go with it, and nothing else is sent.
    let created = bodies(&mock, "create_deployment");
    assert_eq!(created[0]["source_config"]["build_command"], "make");
    assert_eq!(
        created[0]["source_config"]["resource_spec"],
        sizing["resource_spec"]
    );
    assert_eq!(
        created[0]["secret_references"],
        serde_json::json!([reference])
    );
    assert!(patch_bodies(&mock).is_empty());
    assert!(revision_bodies(&mock).is_empty());
    assert_eq!(mock.revisions(result.deployment.id).len(), 1);
}

#[tokio::test]
async fn creating_from_a_ref_without_a_repository_is_refused_after_a_read_only_look_up() {
    let mock = mock().await;
    let err = client(&mock)
        .deploy(git("main", None))
        .name("nobody")
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CreateNeedsRepoUrl { name } if name == "nobody"),
        "{err:?}"
    );
    assert!(err.to_string().contains("repository URL"), "{err}");
    assert!(
        mock.requests().iter().all(|r| r.method == "GET"),
        "only reads were sent"
    );
}

#[tokio::test]
async fn secrets_merge_into_the_current_ones_unless_replaced() {
    let mock = mock().await;
    seed(&mock, "agent");
    let c = client(&mock);
    c.deploy(git("v2", None))
        .name("agent")
        .secret("NEW", "new-value")
        .wait(None)
        .run()
        .await
        .unwrap();
    c.deploy(git("v3", None))
        .name("agent")
        .secret("ONLY", "only-value")
        .replace_secrets(true)
        .wait(None)
        .run()
        .await
        .unwrap();
    let names = |body: &Value| -> Vec<String> {
        body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let revisions = revision_bodies(&mock);
    assert_eq!(names(&revisions[0]), ["KEEP", "NEW"]);
    assert_eq!(names(&revisions[1]), ["ONLY"]);
    assert!(patch_bodies(&mock).is_empty());
}

#[tokio::test]
async fn secrets_the_deployment_already_has_are_not_sent_again() {
    let mock = mock().await;
    seed(&mock, "agent");
    client(&mock)
        .deploy(git("v2", None))
        .name("agent")
        .secret("KEEP", "kept")
        .wait(None)
        .run()
        .await
        .unwrap();
    let revisions = revision_bodies(&mock);
    assert_eq!(revisions.len(), 1);
    assert!(revisions[0].get("secrets").is_none(), "{}", revisions[0]);
}

#[tokio::test]
async fn replacing_the_secrets_with_none_is_refused_before_any_request() {
    let mock = mock().await;
    seed(&mock, "agent");
    let err = client(&mock)
        .deploy(git("v2", None))
        .name("agent")
        .replace_secrets(true)
        .run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("cannot clear secrets"), "{err}");
    assert!(mock.requests().is_empty());
    assert_eq!(mock.deployments()[0].secrets.len(), 1, "kept");
}

#[tokio::test]
async fn a_new_deployment_gets_its_display_name_by_a_patch_of_that_field_alone() {
    let mock = mock().await;
    let result = client(&mock)
        .deploy(git("main", Some("https://github.com/acme/new-agent")))
        .name("new-agent")
        .display_name("New agent")
        .wait(None)
        .run()
        .await
        .unwrap();
    let create = &bodies(&mock, "create_deployment")[0];
    assert!(create.get("display_name").is_none(), "create takes none");
    assert_eq!(
        patch_bodies(&mock),
        [serde_json::json!({"display_name": "New agent"})]
    );
    assert_eq!(result.deployment.display_name.as_deref(), Some("New agent"));
    let stored = mock.deployment(result.deployment.id).unwrap();
    assert_eq!(stored.display_name.as_deref(), Some("New agent"));
    let revisions = mock.revisions(result.deployment.id);
    assert_eq!(revisions.len(), 1, "a display name makes no revision");
}

#[tokio::test]
async fn an_existing_deployment_is_renamed_only_when_its_display_name_differs() {
    let mock = mock().await;
    seed(&mock, "agent");
    let c = client(&mock);
    for _ in 0..2 {
        c.deploy(git("v2", None))
            .name("agent")
            .display_name("Agent")
            .wait(None)
            .run()
            .await
            .unwrap();
    }
    assert_eq!(
        patch_bodies(&mock),
        [serde_json::json!({"display_name": "Agent"})],
        "the second deploy found the name set"
    );
    assert_eq!(revision_bodies(&mock).len(), 2);
    let err = c
        .deploy(git("v3", None))
        .name("agent")
        .display_name("")
        .run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(revision_bodies(&mock).len(), 2, "nothing sent");
}

#[tokio::test]
async fn revisions_create_posts_the_typed_body_and_answers_the_new_revision() {
    let mock = mock().await;
    let id = seed(&mock, "agent");
    let c = client(&mock);
    let request = RevisionCreateRequest {
        source_revision_config: SourceRevisionConfigRequest {
            repo_ref: Some("v9".into()),
            ..Default::default()
        },
        source_config: Some(RevisionSourceConfigRequest {
            install_command: Some("uv sync".into()),
            ..Default::default()
        }),
        secrets: None,
        secret_references: None,
    };
    let revision = c.revisions(id).create(request.clone()).await.unwrap();
    assert_eq!(
        revision.source_revision_config.repo_ref.as_deref(),
        Some("v9")
    );
    assert_eq!(
        revision_bodies(&mock),
        [serde_json::json!({
            "source_revision_config": {"repo_ref": "v9"},
            "source_config": {"install_command": "uv sync"},
        })]
    );
    let deployment = mock.deployment(id).unwrap();
    assert_eq!(deployment.latest_revision_id, Some(revision.id));

    let emptied = RevisionCreateRequest {
        secrets: Some(Vec::new()),
        ..request
    };
    let err = c.revisions(id).create(emptied).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("cannot clear secrets"), "{err}");
    assert_eq!(revision_bodies(&mock).len(), 1, "nothing sent");
}

#[tokio::test]
async fn a_reserved_secret_is_refused_before_any_request() {
    let mock = mock().await;
    let err = client(&mock)
        .deploy(git("main", Some("https://github.com/acme/a")))
        .name("a")
        .secret("POSTGRES_URI", "postgres://")
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ReservedSecretNames { names, .. } if names == &["POSTGRES_URI"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("POSTGRES_URI"), "{err}");
    assert!(
        err.to_string().contains("LANGSMITH_HOST_PROJECT_ID"),
        "the list: {err}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn two_deployments_with_the_name_are_an_error_naming_both() {
    let mock = mock().await;
    let a = seed(&mock, "twin");
    let b = seed(&mock, "twin");
    seed(&mock, "twin-not-exact");
    let err = client(&mock)
        .deploy(git("main", None))
        .name("twin")
        .run()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&a.to_string()) && text.contains(&b.to_string()),
        "{text}"
    );
    assert!(matches!(err, Error::AmbiguousName { .. }), "{err:?}");
}

/// `agent` (the oldest, so on the last page of the newest-first listing), then 120 deployments
/// whose names contain it, and one whose name differs from it only in case.
fn seed_similar_names(mock: &MockServer) -> uuid::Uuid {
    let agent = seed(mock, "agent");
    for n in 0..120 {
        seed(mock, &format!("agent-{n}"));
    }
    seed(mock, "AGENT");
    agent
}

#[tokio::test]
async fn find_by_name_matches_the_name_exactly_on_any_page() {
    let mock = mock().await;
    let agent = seed_similar_names(&mock);
    let client = client(&mock);
    let deployments = client.deployments();
    let found = deployments.find_by_name("agent").await.unwrap();
    assert_eq!(found.map(|d| d.id), Some(agent));
    let listings = mock.requests_for("list_deployments");
    assert!(listings.len() >= 2, "every page read: {}", listings.len());
    assert!(
        listings.iter().all(|r| r
            .query
            .as_deref()
            .unwrap_or("")
            .contains("name_contains=agent")),
        "narrowed by name"
    );
    let other = deployments.find_by_name("agent-7").await.unwrap().unwrap();
    assert_eq!(other.name, "agent-7");
    assert!(deployments.find_by_name("agen").await.unwrap().is_none());
    assert!(deployments.find_by_name("Agent").await.unwrap().is_none());
}

#[tokio::test]
async fn find_by_name_refuses_a_name_two_deployments_share_naming_both() {
    let mock = mock().await;
    let first = seed_similar_names(&mock);
    let second = seed(&mock, "agent");
    let error = client(&mock)
        .deployments()
        .find_by_name("agent")
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(&first.to_string()) && text.contains(&second.to_string()),
        "{text}"
    );
    assert!(!error.is_retryable());
    match error {
        Error::AmbiguousName { name, mut ids } => {
            assert_eq!(name, "agent");
            ids.sort();
            let mut expected = vec![first, second];
            expected.sort();
            assert_eq!(ids, expected);
        }
        other => panic!("expected AmbiguousName, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_build_ends_failed_with_the_build_log_tail() {
    let mock = mock().await;
    seed(&mock, "agent");
    mock.fail_next_revision(RevisionStatus::BuildFailed);
    let result = client(&mock)
        .deploy(git("broken", None))
        .name("agent")
        .wait(fast_wait())
        .run()
        .await
        .unwrap();
    let outcome = result.outcome.unwrap();
    assert_eq!(outcome.kind(), "failed");
    assert_eq!(outcome.status(), Some(&RevisionStatus::BuildFailed));
    assert!(!result.failure_log.is_empty(), "the build log tail is kept");
    assert!(result.failure_log.len() <= 30);
}

#[tokio::test]
async fn events_report_steps_statuses_and_logs_and_end_in_one_result() {
    let mock = mock().await;
    seed(&mock, "agent");
    let events: Vec<DeployEvent> = client(&mock)
        .deploy(git("v2", None))
        .name("agent")
        .follow_logs(true)
        .wait(fast_wait())
        .events()
        .try_collect()
        .await
        .unwrap();
    assert!(matches!(events.first(), Some(DeployEvent::Step(_))));
    assert!(matches!(events.last(), Some(DeployEvent::Finished(_))));
    let finished = events
        .iter()
        .filter(|e| matches!(e, DeployEvent::Finished(_)))
        .count();
    assert_eq!(finished, 1);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, DeployEvent::StatusUrl(_)))
    );
    let statuses: Vec<&RevisionStatus> = events
        .iter()
        .filter_map(|e| match e {
            DeployEvent::StatusChange { revision, .. } => Some(&revision.status),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses.last(),
        Some(&&RevisionStatus::Deployed),
        "{statuses:?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, DeployEvent::Log { .. })),
        "the build log was followed"
    );
    // Every entry of both logs arrives, those written after the last poll too.
    let Some(DeployEvent::Finished(result)) = events.last() else {
        unreachable!("checked above")
    };
    let c = client(&mock);
    for log_type in [LogType::Build, LogType::Deploy] {
        let revisions = c.revisions(result.deployment.id);
        let whole = revisions
            .logs(result.revision_id, log_type.clone())
            .collect()
            .await
            .unwrap();
        let followed = events
            .iter()
            .filter(|e| matches!(e, DeployEvent::Log { log_type: t, .. } if *t == log_type))
            .count();
        assert_eq!(followed, whole.len(), "{log_type:?}");
    }
}

/// Deploys `v2` to a seeded `agent` following its logs, the revision going as `script` says;
/// the events, and how long the stream took to end.
async fn deploy_following_logs(
    script: RevisionScript,
    wait_timeout: Duration,
    deploy_timeout: Option<Duration>,
) -> (MockServer, Vec<DeployEvent>, Duration) {
    let mock = mock().await;
    seed(&mock, "agent");
    mock.script_next_revision(script);
    let wait = WaitOptions::default()
        .fixed_interval(Duration::from_millis(50))
        .timeout(wait_timeout);
    let mut deploy = client(&mock)
        .deploy(git("v2", None))
        .name("agent")
        .follow_logs(true)
        .wait(Some(wait));
    if let Some(timeout) = deploy_timeout {
        deploy = deploy.timeout(timeout);
    }
    let started = Instant::now();
    let events: Vec<DeployEvent> = deploy.events().try_collect().await.unwrap();
    (mock, events, started.elapsed())
}

/// The messages of the followed `log_type` log entries among `events`.
fn followed_messages(events: &[DeployEvent], log_type: &LogType) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            DeployEvent::Log { log_type: t, entry } if t == log_type => {
                Some(entry.message().unwrap_or_default().to_owned())
            }
            _ => None,
        })
        .collect()
}

/// A wait that times out (its own timeout, or the deploy's) while the build log is followed ends
/// at that timeout, not a drain of the logs later, and keeps the entries read before it.
#[tokio::test]
async fn a_wait_that_times_out_while_following_logs_ends_at_its_timeout() {
    let second = Duration::from_secs(1);
    let long = Duration::from_secs(20);
    for (wait_timeout, deploy_timeout) in [(second, None), (long, Some(second))] {
        // Building for an hour: the first build line is there at once, the next ones much later.
        let script =
            RevisionScript::new().then(RevisionStatus::Building, Duration::from_secs(3600));
        let (mock, events, took) =
            deploy_following_logs(script, wait_timeout, deploy_timeout).await;
        assert!(
            took < Duration::from_secs(4),
            "ended {took:?} after the start, a timeout of 1s ({wait_timeout:?}, {deploy_timeout:?})"
        );
        let Some(DeployEvent::Finished(result)) = events.last() else {
            panic!("the last event is the result: {events:?}")
        };
        let Some(RevisionOutcome::TimedOut { last_seen, .. }) = &result.outcome else {
            panic!("timed out: {:?}", result.outcome)
        };
        assert_eq!(
            last_seen.as_ref().map(|r| &r.status),
            Some(&RevisionStatus::Building)
        );
        // What was read before the timeout is reported: the start of the build log, in order.
        let followed = followed_messages(&events, &LogType::Build);
        let whole: Vec<String> = client(&mock)
            .revisions(result.deployment.id)
            .logs(result.revision_id, LogType::Build)
            .collect()
            .await
            .unwrap()
            .iter()
            .map(|e| e.message().unwrap_or_default().to_owned())
            .collect();
        assert!(!followed.is_empty(), "the first build line was read");
        assert!(whole.starts_with(&followed), "{followed:?} of {whole:?}");
    }
}

/// After a final status the logs get to finish only while the wait's deadline allows: a revision
/// DEPLOYED at 0.6 s with a 1.5 s wait ends by then, though its logs are read every 2 s.
#[tokio::test]
async fn the_logs_after_a_final_status_do_not_outlast_the_waits_deadline() {
    let script = RevisionScript::new()
        .then(RevisionStatus::Building, Duration::from_millis(200))
        .then(RevisionStatus::Deploying, Duration::from_millis(400));
    let (_mock, events, took) =
        deploy_following_logs(script, Duration::from_millis(1500), None).await;
    assert!(
        took < Duration::from_secs(2),
        "ended {took:?} after the start"
    );
    let Some(DeployEvent::Finished(result)) = events.last() else {
        panic!("the last event is the result: {events:?}")
    };
    assert!(
        result.outcome.as_ref().is_some_and(|o| o.is_deployed()),
        "{:?}",
        result.outcome
    );
    assert!(!followed_messages(&events, &LogType::Build).is_empty());
}

#[tokio::test]
async fn debug_output_of_a_deploy_and_its_events_names_secrets_but_never_shows_a_value() {
    const VALUE: &str = "s3cr3t-marker";
    let mock = mock().await;
    let deploy = client(&mock)
        .deploy(git("main", Some("https://github.com/acme/agent")))
        .name("agent")
        .secret("OPENAI_API_KEY", VALUE)
        .wait(fast_wait());
    let mut texts = vec![format!("{deploy:?}"), format!("{deploy:#?}")];
    let events: Vec<DeployEvent> = deploy.events().try_collect().await.unwrap();
    let Some(DeployEvent::Finished(result)) = events.last() else {
        panic!("no result: {} events", events.len())
    };
    // The result's deployment carries the value, so its Debug output had it to show.
    assert_eq!(result.deployment.secrets[0].value, VALUE);
    for event in &events {
        texts.extend([format!("{event:?}"), format!("{event:#?}")]);
    }
    for text in &texts {
        assert!(!text.contains(VALUE), "a secret value shows: {text}");
    }
    let last = texts.len() - 1;
    for text in [&texts[0], &texts[1], &texts[last]] {
        assert!(
            text.contains("OPENAI_API_KEY"),
            "the secret's name is missing: {text}"
        );
    }
}

/// A deploy phase no poll sees (it passes between two) still has its log followed: the deploy
/// log's entries all arrive, as the build log's do. Here every phase takes no time: the first
/// poll sees the revision deployed.
#[tokio::test]
async fn a_deploy_phase_no_poll_sees_still_has_its_log_followed() {
    let mock = MockServer::builder()
        .timing(Timing::instant())
        .start()
        .await
        .unwrap();
    seed(&mock, "agent");
    let events: Vec<DeployEvent> = client(&mock)
        .deploy(git("v2", None))
        .name("agent")
        .follow_logs(true)
        .wait(fast_wait())
        .events()
        .try_collect()
        .await
        .unwrap();
    let seen = |status| {
        events.iter().any(
            |e| matches!(e, DeployEvent::StatusChange { revision, .. } if revision.status == status),
        )
    };
    assert!(!seen(RevisionStatus::Deploying) && seen(RevisionStatus::Deployed));
    let Some(DeployEvent::Finished(result)) = events.last() else {
        panic!("the deploy did not finish: {events:?}")
    };
    let whole = client(&mock)
        .revisions(result.deployment.id)
        .logs(result.revision_id, LogType::Deploy)
        .collect()
        .await
        .unwrap();
    let followed = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                DeployEvent::Log {
                    log_type: LogType::Deploy,
                    ..
                }
            )
        })
        .count();
    assert!(!whole.is_empty());
    assert_eq!(followed, whole.len(), "deploy log entries followed");
}

#[tokio::test]
async fn an_image_ships_to_an_existing_deployment() {
    let mock = mock().await;
    let request: DeploymentCreateRequest = serde_json::from_value(serde_json::json!({
        "name": "img", "source": "external_docker", "source_config": {},
        "source_revision_config": {"image_uri": "docker.io/acme/agent:1"}, "secrets": []
    }))
    .unwrap();
    mock.seed_deployment(request);
    let result = client(&mock)
        .deploy(Source::Image("docker.io/acme/agent:2".into()))
        .name("img")
        .wait(fast_wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    assert!(patch_bodies(&mock).is_empty());
    assert_eq!(
        revision_bodies(&mock),
        [serde_json::json!({"source_revision_config": {"image_uri": "docker.io/acme/agent:2"}})]
    );
}
