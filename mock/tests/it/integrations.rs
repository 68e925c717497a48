//! `/v1/integrations/...`: GitHub installations and their repositories, as configured by the test.

use crate::support::Api;
use langsmith_control_plane_api::types::{GithubIntegration, GithubRepository};
use serde_json::json;
use uuid::Uuid;

fn installation(name: &str) -> (GithubIntegration, Vec<GithubRepository>) {
    let id = Uuid::new_v4();
    let repository = GithubRepository {
        default_branch: "main".to_string(),
        host_integration_id: id,
        id: 42,
        name: "agent".to_string(),
        owner: name.to_string(),
        url: format!("https://github.com/{name}/agent"),
    };
    let integration = GithubIntegration {
        id,
        installation_id: 1001,
        name: name.to_string(),
    };
    (integration, vec![repository])
}

#[tokio::test]
async fn both_families_are_empty_by_default() {
    let api = Api::start().await;
    for path in [
        "/v1/integrations/github/install",
        "/v1/integrations/forge/github/install",
    ] {
        let answer = api.get(path).await;
        assert_eq!((answer.status, answer.json()), (200, json!([])), "{path}");
    }
}

#[tokio::test]
async fn configured_installations_and_repositories_are_listed() {
    let api = Api::start().await;
    let (integration, repositories) = installation("example");
    api.server
        .add_github_integration(integration.clone(), repositories.clone());
    let listed: Vec<GithubIntegration> =
        serde_json::from_value(api.get("/v1/integrations/github/install").await.json()).unwrap();
    assert_eq!(listed, std::slice::from_ref(&integration));
    let repos = api
        .get(&format!("/v1/integrations/github/{}/repos", integration.id))
        .await;
    assert_eq!(
        serde_json::from_value::<Vec<GithubRepository>>(repos.json()).unwrap(),
        repositories
    );
    assert_eq!(
        api.get("/v1/integrations/forge/github/install")
            .await
            .json(),
        json!([]),
        "kept apart"
    );
}

#[tokio::test]
async fn forge_installations_have_their_own_list() {
    let api = Api::start().await;
    let (integration, repositories) = installation("forge-org");
    api.server
        .add_forge_github_integration(integration.clone(), repositories);
    let repos = api
        .get(&format!(
            "/v1/integrations/forge/github/{}/repos",
            integration.id
        ))
        .await
        .json();
    assert_eq!(repos[0]["owner"], "forge-org");
    assert_eq!(
        api.get(&format!("/v1/integrations/github/{}/repos", integration.id))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn repositories_of_an_unknown_or_malformed_integration_are_refused() {
    let api = Api::start().await;
    let unknown = api
        .get(&format!("/v1/integrations/github/{}/repos", Uuid::nil()))
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (404, json!({"detail": "Integration not found"}))
    );
    let malformed = api.get("/v1/integrations/github/42/repos").await;
    assert_eq!(malformed.status, 422);
    assert_eq!(
        malformed.json()["detail"][0]["loc"],
        json!(["path", "integration_id"])
    );
}
