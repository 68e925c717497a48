//! `/v2/deployments/{id}/revisions/{id}/logs`: build and deploy logs written as the revision
//! reaches each phase, paged with an opaque string cursor.

use std::time::Duration;

use crate::support::{Api, latest_revision_path};
use langsmith_control_plane_api::open_enums::RevisionStatus;
use langsmith_control_plane_api::types::LogsResponse;
use langsmith_control_plane_mock::{MockServer, Timing};
use serde_json::{Value, json};
use tokio::time::advance;

/// Lines of a successful build: the wait for a builder, seven build steps, the success line.
const BUILD_LINES: usize = 9;

async fn paused_api() -> Api {
    Api::with(MockServer::builder().timing(Timing::realistic())).await
}

fn messages(page: &Value) -> Vec<String> {
    page["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect()
}

/// Reads a whole stream page by page, following `next_offset`.
async fn read_all(api: &Api, logs: &str, query: &str) -> (Vec<String>, usize) {
    let mut lines = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let offset = cursor.map(|c| format!("&offset={c}")).unwrap_or_default();
        let page = api.get(&format!("{logs}?{query}{offset}")).await.json();
        pages += 1;
        lines.extend(messages(&page));
        match page["next_offset"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return (lines, pages),
        }
        assert!(pages < 100, "the cursor must make progress");
    }
}

#[tokio::test(start_paused = true)]
async fn build_logs_appear_as_the_build_runs() {
    let api = paused_api().await;
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    let timing = Timing::realistic();

    let before = api.get(&format!("{logs}?type=build")).await;
    assert_eq!(before.status, 200);
    assert_eq!(
        before.json(),
        json!({"logs": [], "next_offset": "log-0"}),
        "nothing yet, more to come"
    );

    advance(timing.creating + timing.queued + timing.awaiting_build + timing.building / 2).await;
    let midway = api.get(&format!("{logs}?type=build")).await.json();
    let midway_lines = messages(&midway);
    assert!(
        (2..BUILD_LINES).contains(&midway_lines.len()),
        "{midway_lines:?}"
    );
    assert_eq!(midway_lines[0], "Waiting for an available builder");
    assert!(midway_lines[1].starts_with("Cloning https://github.com/example/a at main"));
    for entry in midway["logs"].as_array().unwrap() {
        assert!(
            entry["timestamp"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .is_ok()
        );
        assert!(["DEBUG", "INFO", "WARNING"].contains(&entry["level"].as_str().unwrap()));
    }
    assert!(midway["next_offset"].is_string());
    let deploy = api.get(&format!("{logs}?type=deploy")).await.json();
    assert!(messages(&deploy).is_empty());

    advance(timing.total()).await;
    let build = api.get(&format!("{logs}?type=build")).await.json();
    assert_eq!(messages(&build).len(), BUILD_LINES);
    assert_eq!(messages(&build).last().unwrap(), "Build succeeded");
    assert_eq!(build["next_offset"], Value::Null, "complete");
    let deploy = api.get(&format!("{logs}?type=deploy")).await.json();
    assert_eq!(
        messages(&deploy).last().unwrap(),
        "Revision deployed and serving traffic"
    );
    assert_eq!(deploy["next_offset"], Value::Null);
}

#[tokio::test(start_paused = true)]
async fn the_cursor_pages_through_a_complete_stream_exactly_once() {
    let api = paused_api().await;
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    advance(Timing::realistic().total()).await;
    let (all, _) = read_all(&api, &logs, "type=build&limit=1000").await;
    let (paged, pages) = read_all(&api, &logs, "type=build&limit=2").await;
    assert_eq!(paged, all);
    assert_eq!(pages, BUILD_LINES.div_ceil(2));

    let (backward, _) = read_all(&api, &logs, "type=build&order=desc&limit=2").await;
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(backward, reversed);
}

#[tokio::test(start_paused = true)]
async fn a_follower_sees_every_line_once_while_the_revision_runs() {
    let api = paused_api().await;
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    let mut lines = Vec::new();
    let mut cursor = String::new();
    for _ in 0..200 {
        let page = api
            .get(&format!("{logs}?type=deploy&offset={cursor}"))
            .await
            .json();
        lines.extend(messages(&page));
        match page["next_offset"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
        advance(Duration::from_secs(1)).await;
    }
    assert_eq!(
        lines.first().unwrap(),
        "Waiting for the deployment to be scheduled"
    );
    assert_eq!(
        lines.last().unwrap(),
        "Revision deployed and serving traffic"
    );
    assert_eq!(lines.len(), 7);
}

#[tokio::test(start_paused = true)]
async fn logs_filter_by_level_text_and_time() {
    let api = paused_api().await;
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    advance(Timing::realistic().total()).await;
    let warnings = api
        .get(&format!("{logs}?type=build&level=WARNING"))
        .await
        .json();
    assert_eq!(
        messages(&warnings),
        ["No lock file found; resolving dependencies from scratch"]
    );
    let text = api
        .get(&format!("{logs}?type=build&query=IMAGE"))
        .await
        .json();
    assert_eq!(messages(&text), ["Building image", "Pushing image"]);

    let all = api.get(&format!("{logs}?type=build")).await.json();
    let third = all["logs"][2]["timestamp"].as_str().unwrap().to_string();
    let later = api
        .get(&format!(
            "{logs}?type=build&start_time={}",
            third.replace('+', "%2B")
        ))
        .await
        .json();
    assert_eq!(messages(&later).len(), BUILD_LINES - 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_build_ends_its_log_with_the_error() {
    let api = paused_api().await;
    api.server.fail_next_revision(RevisionStatus::BuildFailed);
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    advance(Timing::realistic().total()).await;
    let build = api
        .get(&format!("{logs}?type=build&order=desc&limit=1"))
        .await
        .json();
    assert_eq!(build["logs"][0]["level"], "ERROR");
    assert!(
        build["logs"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Build failed")
    );
    let deploy = api.get(&format!("{logs}?type=deploy")).await.json();
    assert_eq!(deploy, json!({"logs": [], "next_offset": null}));
}

#[tokio::test]
async fn a_failed_build_stops_at_installing_dependencies_and_says_what_failed() {
    let api = Api::with(MockServer::builder().timing(Timing::instant())).await;
    api.server.fail_next_revision(RevisionStatus::BuildFailed);
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    let build = messages(
        &api.get(&format!("{logs}?type=build&limit=1000"))
            .await
            .json(),
    );
    assert_eq!(
        build[build.len() - 3..],
        [
            "Installing dependencies",
            "ERROR: No matching distribution found for example-missing-package==9.9.9",
            "Build failed: installing dependencies exited with status 1",
        ]
    );
    assert!(!build.iter().any(|line| line == "Building image"));
}

#[tokio::test]
async fn a_failed_deploy_ends_its_deploy_log_with_the_failed_health_check() {
    let api = Api::with(MockServer::builder().timing(Timing::instant())).await;
    api.server.fail_next_revision(RevisionStatus::DeployFailed);
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    let build = messages(&api.get(&format!("{logs}?type=build")).await.json());
    assert_eq!(build.last().unwrap(), "Build succeeded");
    let deploy = messages(&api.get(&format!("{logs}?type=deploy")).await.json());
    assert_eq!(
        deploy[deploy.len() - 2..],
        [
            "Health check: GET /ok did not succeed within 300 s",
            "Deployment failed: the server did not pass its health check in time",
        ]
    );
    assert!(!deploy.iter().any(|line| line == "Health check passed"));
}

#[tokio::test(start_paused = true)]
async fn a_skipped_revision_stops_writing() {
    let api = paused_api().await;
    let deployment = api.create("a").await;
    let logs = format!("{}/logs", latest_revision_path(&deployment));
    let timing = Timing::realistic();
    advance(timing.creating + timing.queued + timing.awaiting_build + Duration::from_secs(1)).await;
    api.post(
        &format!("{}/redeploy", latest_revision_path(&deployment)),
        Value::Null,
    )
    .await;
    advance(timing.total()).await;
    let page: LogsResponse =
        serde_json::from_value(api.get(&format!("{logs}?type=build")).await.json()).unwrap();
    assert_eq!(page.logs.len(), 2, "the wait and the first build step");
    assert_eq!(page.next_offset, None);
}

#[tokio::test]
async fn log_parameters_are_checked() {
    let api = Api::start().await;
    let logs = format!("{}/logs", latest_revision_path(&api.create("a").await));
    let missing = api.get(&logs).await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json(),
        json!({"detail": [{"type": "missing", "loc": ["query", "type"], "msg": "Field required", "input": null}]})
    );
    let bad_type = api.get(&format!("{logs}?type=runtime")).await.json();
    assert_eq!(
        bad_type,
        json!({"detail": [{"type": "enum", "loc": ["query", "type"], "msg": "Input should be 'build' or 'deploy'",
            "input": "runtime", "ctx": {"expected": "'build' or 'deploy'"}}]})
    );
    let too_many = api
        .get(&format!("{logs}?type=build&limit=1001"))
        .await
        .json();
    assert_eq!(too_many["detail"][0]["ctx"], json!({"le": 1000}));
    assert_eq!(
        api.get(&format!("{logs}?type=build&limit=1000"))
            .await
            .status,
        200
    );
    let bad_cursor = api.get(&format!("{logs}?type=build&offset=page-2")).await;
    assert_eq!(
        (bad_cursor.status, bad_cursor.json()),
        (400, json!({"detail": "Invalid offset"}))
    );
    let bad_time = api
        .get(&format!("{logs}?type=build&start_time=yesterday"))
        .await
        .json();
    assert_eq!(bad_time["detail"][0]["loc"], json!(["query", "start_time"]));
}
