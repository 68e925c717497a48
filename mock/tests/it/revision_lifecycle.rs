//! How revisions move: through every status on the server's clock, to a scripted failure, to
//! SKIPPED when superseded. All on tokio's paused clock, so minute-long builds take no time.

use std::time::Duration;

use crate::support::{Api, deployment_path, latest_revision_path};
use langsmith_control_plane_api::open_enums::RevisionStatus;
use langsmith_control_plane_mock::{MockServer, RevisionScript, Timing};
use serde_json::{Value, json};
use tokio::time::advance;

const SECOND: Duration = Duration::from_secs(1);

async fn paused_api() -> Api {
    Api::with(MockServer::builder().timing(Timing::realistic())).await
}

async fn status(api: &Api, revision_path: &str) -> String {
    api.get(revision_path).await.json()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(start_paused = true)]
async fn a_new_revision_moves_through_every_in_progress_status_to_deployed() {
    let api = paused_api().await;
    let deployment = api.create("a").await;
    let revision = latest_revision_path(&deployment);
    let timing = Timing::realistic();
    let mut seen = vec![status(&api, &revision).await];
    for (_, duration) in timing.phases() {
        advance(duration).await;
        seen.push(status(&api, &revision).await);
    }
    assert_eq!(
        seen,
        [
            "CREATING",
            "QUEUED",
            "AWAITING_BUILD",
            "BUILDING",
            "AWAITING_DEPLOY",
            "DEPLOYING",
            "DEPLOYED"
        ]
    );
    advance(Duration::from_secs(3600)).await;
    assert_eq!(status(&api, &revision).await, "DEPLOYED");
}

#[tokio::test(start_paused = true)]
async fn the_status_changes_exactly_at_the_phase_boundary() {
    let api = paused_api().await;
    let deployment = api.create("a").await;
    let revision = latest_revision_path(&deployment);
    advance(Timing::realistic().creating - Duration::from_millis(1)).await;
    assert_eq!(status(&api, &revision).await, "CREATING");
    advance(Duration::from_millis(1)).await;
    let answer = api.get(&revision).await.json();
    assert_eq!(answer["status"], "QUEUED");
    let created: chrono::DateTime<chrono::Utc> =
        answer["created_at"].as_str().unwrap().parse().unwrap();
    let updated: chrono::DateTime<chrono::Utc> =
        answer["updated_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        updated - created,
        chrono::Duration::seconds(2),
        "updated when the status changed"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deployment_follows_its_revisions() {
    let api = paused_api().await;
    let created = api.create("a").await;
    assert_eq!(created["status"], "AWAITING_DATABASE");
    advance(Timing::realistic().creating).await;
    let building = api.get(&deployment_path(&created)).await.json();
    assert_eq!(building["status"], "READY");
    assert_eq!(building["active_revision_id"], Value::Null);
    advance(Timing::realistic().total()).await;
    let deployed = api.get(&deployment_path(&created)).await.json();
    assert_eq!(
        deployed["active_revision_id"],
        created["latest_revision_id"]
    );
    assert_eq!(
        deployed["latest_revision_id"],
        created["latest_revision_id"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_commit_is_known_once_the_build_starts() {
    let api = paused_api().await;
    let deployment = api.create("a").await;
    let revision = latest_revision_path(&deployment);
    let timing = Timing::realistic();
    advance(timing.creating + timing.queued + timing.awaiting_build - SECOND).await;
    assert_eq!(
        api.get(&revision).await.json()["source_revision_config"]["repo_commit_sha"],
        Value::Null
    );
    advance(SECOND).await;
    let sha = api.get(&revision).await.json()["source_revision_config"]["repo_commit_sha"].clone();
    assert_eq!(sha.as_str().map(str::len), Some(40));
}

#[tokio::test(start_paused = true)]
async fn a_scripted_build_failure_stops_after_building() {
    let api = paused_api().await;
    api.server.fail_next_revision(RevisionStatus::BuildFailed);
    let deployment = api.create("a").await;
    let revision = latest_revision_path(&deployment);
    let timing = Timing::realistic();
    advance(timing.creating + timing.queued + timing.awaiting_build + timing.building - SECOND)
        .await;
    assert_eq!(status(&api, &revision).await, "BUILDING");
    advance(SECOND).await;
    assert_eq!(status(&api, &revision).await, "BUILD_FAILED");
    advance(Duration::from_secs(600)).await;
    assert_eq!(status(&api, &revision).await, "BUILD_FAILED");
    assert_eq!(
        api.get(&deployment_path(&deployment)).await.json()["active_revision_id"],
        Value::Null
    );
}

#[tokio::test(start_paused = true)]
async fn create_and_deploy_failures_stop_after_their_phases() {
    let api = paused_api().await;
    let timing = Timing::realistic();
    api.server.fail_next_revision(RevisionStatus::CreateFailed);
    api.server.fail_next_revision(RevisionStatus::DeployFailed);
    let create_failed = latest_revision_path(&api.create("a").await);
    let deploy_failed = latest_revision_path(&api.create("b").await);
    let normal = latest_revision_path(&api.create("c").await);
    advance(timing.creating).await;
    assert_eq!(status(&api, &create_failed).await, "CREATE_FAILED");
    assert_eq!(status(&api, &deploy_failed).await, "QUEUED");
    advance(timing.total() - timing.creating).await;
    assert_eq!(status(&api, &deploy_failed).await, "DEPLOY_FAILED");
    assert_eq!(
        status(&api, &normal).await,
        "DEPLOYED",
        "the queue of scripts is used up"
    );
}

#[tokio::test(start_paused = true)]
async fn a_revision_in_progress_is_skipped_when_a_newer_one_is_created() {
    let api = paused_api().await;
    let timing = Timing::realistic();
    let first = api.create("a").await;
    let first_revision = latest_revision_path(&first);
    advance(timing.creating + timing.queued + timing.awaiting_build + SECOND).await;
    assert_eq!(status(&api, &first_revision).await, "BUILDING");

    let second = api
        .patch(
            &deployment_path(&first),
            json!({"source_revision_config": {"repo_ref": "fix"}}),
        )
        .await
        .json();
    assert_eq!(status(&api, &first_revision).await, "SKIPPED");
    let second_revision = latest_revision_path(&second);
    assert_eq!(status(&api, &second_revision).await, "CREATING");
    advance(timing.total()).await;
    assert_eq!(status(&api, &first_revision).await, "SKIPPED", "for good");
    assert_eq!(status(&api, &second_revision).await, "DEPLOYED");
}

#[tokio::test(start_paused = true)]
async fn a_deployed_revision_stays_deployed_when_a_newer_one_is_created() {
    let api = paused_api().await;
    let first = api.create("a").await;
    advance(Timing::realistic().total()).await;
    let redeployed = api
        .post(
            &format!("{}/redeploy", latest_revision_path(&first)),
            Value::Null,
        )
        .await
        .json();
    assert_eq!(
        status(&api, &latest_revision_path(&first)).await,
        "DEPLOYED"
    );
    assert_eq!(
        redeployed["active_revision_id"], first["latest_revision_id"],
        "still serving"
    );
    advance(Timing::realistic().total()).await;
    let now = api.get(&deployment_path(&first)).await.json();
    assert_eq!(now["active_revision_id"], redeployed["latest_revision_id"]);
}

#[tokio::test(start_paused = true)]
async fn a_scripted_unknown_status_reaches_the_wire_as_is() {
    let api = paused_api().await;
    api.server.script_next_revision(
        RevisionScript::new()
            .then(RevisionStatus::Creating, SECOND)
            .then(
                RevisionStatus::from("PAUSED_FOR_REVIEW"),
                Duration::from_secs(30),
            )
            .then(RevisionStatus::Deploying, SECOND)
            .ends_with(RevisionStatus::Deployed),
    );
    let deployment = api.create("a").await;
    let revision = latest_revision_path(&deployment);
    advance(SECOND).await;
    assert_eq!(status(&api, &revision).await, "PAUSED_FOR_REVIEW");
    let listed = api
        .get(&format!(
            "{}/revisions?status=PAUSED_FOR_REVIEW",
            deployment_path(&deployment)
        ))
        .await;
    assert_eq!(listed.json()["resources"].as_array().unwrap().len(), 1);
    advance(Duration::from_secs(31)).await;
    assert_eq!(status(&api, &revision).await, "DEPLOYED");
}

#[tokio::test(start_paused = true)]
async fn a_test_can_pin_a_revision_to_any_status() {
    let api = paused_api().await;
    let deployment = api.create("a").await;
    let deployment_id = deployment["id"].as_str().unwrap().parse().unwrap();
    let revision_id = deployment["latest_revision_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(api.server.set_revision_status(
        deployment_id,
        revision_id,
        RevisionStatus::Interrupted
    ));
    advance(Duration::from_secs(3600)).await;
    assert_eq!(
        status(&api, &latest_revision_path(&deployment)).await,
        "INTERRUPTED"
    );
    assert!(!api.server.set_revision_status(
        deployment_id,
        uuid::Uuid::nil(),
        RevisionStatus::Deployed
    ));
}

#[tokio::test(start_paused = true)]
async fn instant_timing_deploys_at_once() {
    let api = Api::with(MockServer::builder().timing(Timing::instant())).await;
    let deployment = api.create("a").await;
    assert_eq!(
        deployment["active_revision_id"],
        deployment["latest_revision_id"]
    );
    assert_eq!(
        status(&api, &latest_revision_path(&deployment)).await,
        "DEPLOYED"
    );
}
