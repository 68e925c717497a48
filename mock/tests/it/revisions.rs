//! `/v2/deployments/{id}/revisions...`: list (paged, newest first, filtered), get, redeploy.

use std::collections::HashSet;

use crate::support::{Api, deployment_path, latest_revision_path};
use langsmith_control_plane_api::open_enums::RevisionStatus;
use langsmith_control_plane_api::types::RevisionsList;
use langsmith_control_plane_mock::github_deployment_request;
use serde_json::json;
use uuid::Uuid;

const NIL: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn two_hundred_fifty_revisions_page_exactly_newest_first() {
    let api = Api::start().await;
    let deployment = api
        .server
        .seed_deployment(github_deployment_request("history"));
    for _ in 0..249 {
        api.server
            .seed_revision(deployment.id, RevisionStatus::Deployed)
            .unwrap();
    }
    let expected: Vec<Uuid> = api
        .server
        .revisions(deployment.id)
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(expected.len(), 250);
    assert_eq!(
        expected[0],
        api.server
            .deployment(deployment.id)
            .unwrap()
            .latest_revision_id
            .unwrap()
    );

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for offset in (0..=300).step_by(100) {
        let answer = api
            .get(&format!(
                "/v2/deployments/{}/revisions?limit=100&offset={offset}",
                deployment.id
            ))
            .await;
        assert_eq!(answer.status, 200);
        let page: RevisionsList = serde_json::from_value(answer.json()).unwrap();
        assert_eq!(page.offset, offset + page.resources.len() as i64);
        sizes.push(page.resources.len());
        seen.extend(page.resources.iter().map(|r| r.id));
    }
    assert_eq!(sizes, [100, 100, 50, 0]);
    assert_eq!(seen, expected, "every revision once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 250);

    let default_page: RevisionsList = serde_json::from_value(
        api.get(&format!("/v2/deployments/{}/revisions", deployment.id))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(default_page.resources.len(), 20);
    let created: Vec<_> = default_page
        .resources
        .iter()
        .map(|r| r.created_at)
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn list_filters_by_a_comma_separated_status_list() {
    let api = Api::start().await;
    let deployment = api.server.seed_deployment(github_deployment_request("a"));
    api.server
        .seed_revision(deployment.id, RevisionStatus::BuildFailed);
    api.server
        .seed_revision(deployment.id, RevisionStatus::DeployFailed);
    api.server
        .seed_revision(deployment.id, RevisionStatus::Deployed);
    let statuses = |query: &str| {
        let api = &api;
        let path = format!("/v2/deployments/{}/revisions?status={query}", deployment.id);
        async move {
            api.get(&path).await.json()["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["status"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        statuses("BUILD_FAILED,DEPLOY_FAILED").await,
        ["DEPLOY_FAILED", "BUILD_FAILED"]
    );
    assert_eq!(statuses("DEPLOYED").await, ["DEPLOYED", "DEPLOYED"]);
    assert!(statuses("SKIPPED").await.is_empty());
}

#[tokio::test]
async fn list_answers_404_for_an_unknown_deployment_and_422_for_bounds() {
    let api = Api::start().await;
    let unknown = api.get(&format!("/v2/deployments/{NIL}/revisions")).await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (404, json!({"detail": "Deployment not found"}))
    );
    let deployment = api.create("a").await;
    let answer = api
        .get(&format!(
            "{}/revisions?limit=1000",
            deployment_path(&deployment)
        ))
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["detail"][0]["ctx"], json!({"le": 100}));
}

#[tokio::test]
async fn get_answers_the_revision_or_404_for_each_missing_part() {
    let api = Api::start().await;
    let deployment = api.create("a").await;
    let revision = api.get(&latest_revision_path(&deployment)).await;
    assert_eq!(revision.status, 200);
    let revision = revision.json();
    assert_eq!(revision["id"], deployment["latest_revision_id"]);
    assert_eq!(revision["source"], "github");
    assert_eq!(revision["status"], "CREATING");
    assert_eq!(
        revision["source_revision_config"]["repo_commit_sha"],
        serde_json::Value::Null
    );

    let unknown_revision = api
        .get(&format!("{}/revisions/{NIL}", deployment_path(&deployment)))
        .await;
    assert_eq!(
        (unknown_revision.status, unknown_revision.json()),
        (404, json!({"detail": "Revision not found"}))
    );
    let other = api.create("b").await;
    let foreign = format!(
        "{}/revisions/{}",
        deployment_path(&other),
        deployment["latest_revision_id"].as_str().unwrap()
    );
    assert_eq!(api.get(&foreign).await.status, 404);
    let unknown_deployment = api
        .get(&format!("/v2/deployments/{NIL}/revisions/{NIL}"))
        .await;
    assert_eq!(
        unknown_deployment.json(),
        json!({"detail": "Deployment not found"})
    );
}

#[tokio::test]
async fn both_bad_path_ids_are_reported_in_order() {
    let api = Api::start().await;
    let answer = api.get("/v2/deployments/x/revisions/y").await;
    assert_eq!(answer.status, 422);
    let locs: Vec<serde_json::Value> = answer.json()["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        [
            json!(["path", "deployment_id"]),
            json!(["path", "revision_id"])
        ]
    );
}

#[tokio::test]
async fn redeploy_starts_a_revision_from_the_same_source() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let first = created["latest_revision_id"].as_str().unwrap().to_string();
    api.patch(
        &deployment_path(&created),
        json!({"source_revision_config": {"repo_ref": "v2"}}),
    )
    .await;

    let redeployed = api
        .post(
            &format!("{}/revisions/{first}/redeploy", deployment_path(&created)),
            json!(null),
        )
        .await;
    assert_eq!(redeployed.status, 200);
    let redeployed = redeployed.json();
    assert_eq!(redeployed["name"], "a");
    let newest = redeployed["latest_revision_id"].as_str().unwrap();
    assert_ne!(newest, first);
    let revision = api
        .get(&format!("{}/revisions/{newest}", deployment_path(&created)))
        .await
        .json();
    assert_eq!(
        revision["source_revision_config"]["repo_ref"], "main",
        "the redeployed revision's ref"
    );
    assert_eq!(
        api.server
            .revisions(created["id"].as_str().unwrap().parse().unwrap())
            .len(),
        3
    );

    let unknown = api
        .post(
            &format!("{}/revisions/{NIL}/redeploy", deployment_path(&created)),
            json!(null),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (404, json!({"detail": "Revision not found"}))
    );
}
