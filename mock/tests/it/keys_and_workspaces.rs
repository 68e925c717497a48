//! `X-Api-Key` (401) and `X-Tenant-Id` (403, and which workspace a request sees).

use crate::support::{Api, KEY};
use langsmith_control_plane_mock::{MockServer, github_deployment_request};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_request_without_a_key_is_401() {
    let api = Api::start().await;
    let answer = api.send(api.bare(Method::GET, "/v2/deployments")).await;
    assert_eq!(
        (answer.status, answer.json()),
        (401, json!({"detail": "Not authenticated"}))
    );
    let empty = api
        .send(
            api.bare(Method::GET, "/v2/deployments")
                .header("X-Api-Key", ""),
        )
        .await;
    assert_eq!(empty.status, 401);
}

#[tokio::test]
async fn any_key_is_accepted_by_default() {
    let api = Api::start().await;
    let answer = api
        .send(
            api.bare(Method::GET, "/v2/listeners")
                .header("X-Api-Key", "whatever"),
        )
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_configured_key_is_the_only_one_accepted() {
    let api = Api::with(MockServer::builder().api_key(KEY)).await;
    assert_eq!(api.get("/v2/deployments").await.status, 200);
    let wrong = api
        .send(
            api.bare(Method::GET, "/v2/deployments")
                .header("X-Api-Key", "lsv2_other"),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.json()),
        (401, json!({"detail": "Invalid token"}))
    );
    assert!(
        !format!("{:?}", api.server).contains(KEY),
        "the key never prints"
    );
}

#[tokio::test]
async fn a_required_workspace_header_is_403_when_absent() {
    let tenant = Uuid::new_v4();
    let api = Api::with(
        MockServer::builder()
            .require_tenant_id(true)
            .tenant_id(tenant),
    )
    .await;
    let answer = api.get("/v2/deployments").await;
    assert_eq!(answer.status, 403);
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap()
            .contains("X-Tenant-Id")
    );
    let with = api
        .send(
            api.request(Method::GET, "/v2/deployments")
                .header("X-Tenant-Id", tenant.to_string()),
        )
        .await;
    assert_eq!(with.status, 200);
    let invalid = api
        .send(
            api.request(Method::GET, "/v2/deployments")
                .header("X-Tenant-Id", "ws-1"),
        )
        .await;
    assert_eq!(
        (invalid.status, invalid.json()),
        (403, json!({"detail": "Invalid X-Tenant-Id header"}))
    );
}

#[tokio::test]
async fn the_key_is_checked_before_the_workspace() {
    let api = Api::with(MockServer::builder().require_tenant_id(true)).await;
    assert_eq!(
        api.send(api.bare(Method::GET, "/v2/deployments"))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn each_workspace_sees_only_its_own_deployments() {
    let api = Api::start().await;
    let seeded = api
        .server
        .seed_deployment(github_deployment_request("default-workspace"));
    assert_eq!(seeded.tenant_id, api.server.tenant_id());
    let other = Uuid::new_v4();
    let in_other = |method: Method, path: &str| {
        api.request(method, path)
            .header("X-Tenant-Id", other.to_string())
    };

    let created = api
        .send(
            in_other(Method::POST, "/v2/deployments")
                .json(&github_deployment_request("other-workspace")),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json()["tenant_id"], other.to_string());

    let listed = api
        .send(in_other(Method::GET, "/v2/deployments"))
        .await
        .json();
    assert_eq!(listed["resources"].as_array().unwrap().len(), 1);
    assert_eq!(listed["resources"][0]["name"], "other-workspace");
    let foreign = api
        .send(in_other(
            Method::GET,
            &format!("/v2/deployments/{}", seeded.id),
        ))
        .await;
    assert_eq!(foreign.status, 404);
    let default = api.get("/v2/deployments").await.json();
    assert_eq!(default["resources"][0]["name"], "default-workspace");
    assert_eq!(default["resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_paths_answer_404_without_asking_for_a_key() {
    let api = Api::start().await;
    let answer = api.send(api.bare(Method::GET, "/v2/nothing")).await;
    assert_eq!(
        (answer.status, answer.json()),
        (404, json!({"detail": "Not Found"}))
    );
}

#[tokio::test]
async fn an_organization_key_without_a_workspace_is_403_asking_for_one() {
    let api = Api::with(MockServer::builder().organization_key(true)).await;
    for path in ["/v2/deployments", "/v2/listeners"] {
        let answer = api.get(path).await;
        assert_eq!(answer.status, 403, "{path}");
        let detail = answer.json()["detail"].as_str().unwrap().to_string();
        assert!(
            detail.contains("requires workspace specification"),
            "{detail}"
        );
    }
    let with = api
        .send(
            api.request(Method::GET, "/v2/deployments")
                .header("X-Tenant-Id", Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(with.status, 200);
}

#[tokio::test]
async fn deployments_not_enabled_is_403_on_every_deployments_call_only() {
    let api = Api::with(MockServer::builder().deployments_enabled(false)).await;
    let seeded = api
        .server
        .seed_deployment(github_deployment_request("seeded"));
    let id = seeded.id;
    let calls = [
        (Method::GET, "/v2/deployments".to_string()),
        (Method::POST, "/v2/deployments".to_string()),
        (Method::GET, format!("/v2/deployments/{id}")),
        (Method::GET, format!("/v2/deployments/{id}/revisions")),
        (Method::POST, format!("/v2/deployments/{id}/upload-url")),
        (Method::POST, format!("/v2/deployments/{id}/push-token")),
    ];
    for (method, path) in calls {
        let answer = api
            .send(api.request(method.clone(), &path).json(&json!({})))
            .await;
        assert_eq!(answer.status, 403, "{method} {path}");
        let detail = answer.json()["detail"].as_str().unwrap().to_string();
        assert!(detail.contains("not enabled"), "{detail}");
    }
    assert_eq!(api.get("/v2/listeners").await.status, 200);
    // The key is checked first.
    let keyless = api.send(api.bare(Method::GET, "/v2/deployments")).await;
    assert_eq!(keyless.status, 401);
}
