//! `/v2/auth/...`: OAuth providers, flows, tokens and agent connections, kept in memory.

use std::time::Duration;

use crate::support::Api;
use langsmith_control_plane_api::types::{
    AgentConnectionListResponse, AuthAuthenticateResponse, AuthWaitResponse, OAuthProviderResponse,
    OAuthTokenSummary,
};
use serde_json::{Value, json};

fn provider(provider_id: &str) -> Value {
    json!({
        "provider_id": provider_id,
        "name": "Example",
        "client_id": "client-1",
        "client_secret": "shh",
        "auth_url": "https://idp.example/authorize",
        "token_url": "https://idp.example/token",
    })
}

/// Registers a provider and completes one flow for it; returns the stored token.
async fn token_for(api: &Api, provider_id: &str) -> OAuthTokenSummary {
    api.post("/v2/auth/providers", provider(provider_id)).await;
    let started: AuthAuthenticateResponse = serde_json::from_value(
        api.post(
            "/v2/auth/authenticate",
            json!({"provider": provider_id, "scopes": ["read"]}),
        )
        .await
        .json(),
    )
    .unwrap();
    let state = started.auth_id.unwrap();
    let done = api
        .post(
            &format!("/v2/auth/callback/{provider_id}"),
            json!({"code": "c", "state": state}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let tokens: Vec<OAuthTokenSummary> = serde_json::from_value(
        api.get(&format!("/v2/auth/tokens?provider_id={provider_id}"))
            .await
            .json(),
    )
    .unwrap();
    tokens.into_iter().next().expect("a token")
}

#[tokio::test]
async fn providers_can_be_registered_read_changed_and_removed() {
    let api = Api::start().await;
    let created = api.post("/v2/auth/providers", provider("idp")).await;
    assert_eq!(created.status, 200);
    let created: OAuthProviderResponse = serde_json::from_value(created.json()).unwrap();
    assert_eq!(
        created.code_challenge_method.as_deref(),
        Some("S256"),
        "the documented default"
    );
    assert_eq!(created.token_endpoint_auth_method, "client_secret_post");
    assert!(
        !api.post("/v2/auth/providers", provider("idp"))
            .await
            .text
            .contains("shh"),
        "the secret is never answered"
    );
    assert_eq!(
        api.post("/v2/auth/providers", provider("idp")).await.status,
        409
    );

    let listed = api.get("/v2/auth/providers").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let changed = api
        .patch(
            "/v2/auth/providers/idp",
            json!({"name": "Renamed", "uses_pkce": true}),
        )
        .await
        .json();
    assert_eq!(
        (changed["name"].as_str(), changed["uses_pkce"].as_bool()),
        (Some("Renamed"), Some(true))
    );
    assert_eq!(
        api.get("/v2/auth/providers/idp").await.json()["name"],
        "Renamed"
    );
    let removed = api.delete("/v2/auth/providers/idp").await;
    assert_eq!((removed.status, removed.json()), (200, Value::Null));
    assert_eq!(api.get("/v2/auth/providers/idp").await.status, 404);
}

#[tokio::test]
async fn mcp_discovery_registers_a_dynamic_client() {
    let api = Api::start().await;
    let body =
        json!({"provider_id": "mcp", "name": "MCP", "mcp_server_url": "https://mcp.example/"});
    let created = api
        .post("/v2/auth/providers/mcp-discover", body)
        .await
        .json();
    assert_eq!(created["auth_url"], "https://mcp.example/authorize");
    assert_eq!(created["is_dynamic_client"], true);
    assert_eq!(created["mcp_server_url"], "https://mcp.example/");
}

#[tokio::test]
async fn a_flow_is_pending_until_its_callback_then_completed() {
    let api = Api::start().await;
    api.post("/v2/auth/providers", provider("idp")).await;
    let request = json!({"provider": "idp", "scopes": ["read", "write"]});
    let pending: AuthAuthenticateResponse = serde_json::from_value(
        api.post("/v2/auth/authenticate", request.clone())
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(pending.status.as_str(), "pending");
    let auth_id = pending.auth_id.clone().unwrap();
    assert!(pending.url.unwrap().contains(&format!("state={auth_id}")));

    let waiting: AuthWaitResponse = serde_json::from_value(
        api.get(&format!("/v2/auth/wait/{auth_id}?timeout=0"))
            .await
            .json(),
    )
    .unwrap();
    assert_eq!(waiting.status.as_str(), "timeout");

    let callback = api
        .get(&format!("/v2/auth/callback/idp?code=abc&state={auth_id}"))
        .await;
    assert_eq!(callback.status, 200);
    let waited: AuthWaitResponse =
        serde_json::from_value(api.get(&format!("/v2/auth/wait/{auth_id}")).await.json()).unwrap();
    assert_eq!(waited.status.as_str(), "completed");
    assert!(waited.token.is_some());

    let again: AuthAuthenticateResponse =
        serde_json::from_value(api.post("/v2/auth/authenticate", request).await.json()).unwrap();
    assert_eq!(again.status.as_str(), "completed");
    let unknown = api.get("/v2/auth/wait/nothing").await.json();
    assert_eq!(unknown["status"], "not_found");
}

#[tokio::test(start_paused = true)]
async fn waiting_long_polls_until_the_flow_completes() {
    let api = Api::start().await;
    api.post("/v2/auth/providers", provider("idp")).await;
    let pending = api
        .post(
            "/v2/auth/authenticate",
            json!({"provider": "idp", "scopes": []}),
        )
        .await
        .json();
    let auth_id = pending["auth_id"].as_str().unwrap().to_string();
    let wait_path = format!("/v2/auth/wait/{auth_id}?timeout=60");
    let waiter = api.get(&wait_path);
    let completer = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        api.post(
            "/v2/auth/callback/idp",
            json!({"code": "c", "state": auth_id}),
        )
        .await
    };
    let started = tokio::time::Instant::now();
    let (waited, _) = tokio::join!(waiter, completer);
    assert_eq!(waited.json()["status"], "completed");
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn a_wait_timeout_of_any_size_is_answered() {
    // The deadline used to overflow tokio's clock and drop the connection (a panic).
    let api = Api::start().await;
    for timeout in ["9223372036854775807", "100000000000000000000000", "-5"] {
        let answer = api
            .get(&format!("/v2/auth/wait/unknown?timeout={timeout}"))
            .await;
        assert_eq!(answer.status, 200, "timeout={timeout}: {}", answer.text);
        assert_eq!(answer.json()["status"], "not_found");
    }
}

#[tokio::test]
async fn a_callback_with_an_error_or_unknown_state_is_400() {
    let api = Api::start().await;
    let denied = api
        .get("/v2/auth/callback/idp?error=access_denied&error_description=User+said+no")
        .await;
    assert_eq!(
        (denied.status, denied.json()),
        (400, json!({"detail": "User said no"}))
    );
    let unknown = api
        .post("/v2/auth/callback/idp", json!({"code": "c", "state": "s"}))
        .await;
    assert_eq!(unknown.status, 400);
    let missing = api
        .post("/v2/auth/callback/idp", json!({"code": "c"}))
        .await;
    assert_eq!(missing.json()["detail"][0]["loc"], json!(["body", "state"]));
}

#[tokio::test]
async fn tokens_can_be_listed_checked_labelled_and_revoked() {
    let api = Api::start().await;
    let token = token_for(&api, "idp").await;
    assert_eq!(token.scopes, ["read"]);
    assert_eq!(
        api.get("/v2/auth/tokens/exists?provider_id=idp")
            .await
            .json(),
        json!({"has_token": true})
    );
    let missing = api.get("/v2/auth/tokens/exists").await;
    assert_eq!(
        missing.json()["detail"][0]["loc"],
        json!(["query", "provider_id"])
    );

    let labelled = api
        .patch(
            &format!("/v2/auth/tokens/{}/metadata", token.id),
            json!({"provider_account_label": "work"}),
        )
        .await
        .json();
    assert_eq!(labelled["provider_account_label"], "work");
    let removed = api.delete(&format!("/v2/auth/tokens/{}", token.id)).await;
    assert_eq!(removed.status, 204);
    assert_eq!(
        api.delete(&format!("/v2/auth/tokens/{}", token.id))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get("/v2/auth/tokens/exists?provider_id=idp")
            .await
            .json(),
        json!({"has_token": false})
    );

    token_for(&api, "slack").await;
    assert_eq!(
        api.get("/v2/auth/tokens/workspace/slack/exists")
            .await
            .json(),
        json!({"has_token": true})
    );
    assert_eq!(
        api.delete("/v2/auth/tokens/workspace/slack").await.status,
        200
    );
    assert_eq!(
        api.get("/v2/auth/tokens/workspace/slack/exists")
            .await
            .json(),
        json!({"has_token": false})
    );
    token_for(&api, "other").await;
    assert_eq!(
        api.delete("/v2/auth/tokens?provider_id=other").await.status,
        200
    );
    assert_eq!(api.get("/v2/auth/tokens").await.json(), json!([]));
}

#[tokio::test]
async fn agents_connect_to_stored_tokens() {
    let api = Api::start().await;
    let token = token_for(&api, "idp").await;
    let path = "/v2/auth/agents/agent-1/connections";
    let created = api.post(path, json!({"oauth_token_id": token.id})).await;
    assert_eq!(created.status, 201);
    let created = created.json();
    assert_eq!(created["provider_id"], "idp");
    assert_eq!(
        api.post(path, json!({"oauth_token_id": token.id}))
            .await
            .status,
        409
    );
    assert_eq!(
        api.post(path, json!({"oauth_token_id": "missing"}))
            .await
            .status,
        404
    );

    let listed: AgentConnectionListResponse =
        serde_json::from_value(api.get(path).await.json()).unwrap();
    assert_eq!(listed.data.len(), 1);
    assert_eq!(
        api.get("/v2/auth/agents/agent-2/connections").await.json(),
        json!({"data": []})
    );
    let connection = format!("{path}/{}", created["id"].as_str().unwrap());
    assert_eq!(api.delete(&connection).await.status, 204);
    assert_eq!(api.delete(&connection).await.status, 404);
}

#[tokio::test]
async fn a_github_app_setup_adds_an_integration() {
    let api = Api::start().await;
    let answer = api
        .get("/v2/auth/setup/github?installation_id=77&setup_action=install")
        .await;
    assert_eq!(answer.status, 200);
    let integrations = api.get("/v1/integrations/github/install").await.json();
    assert_eq!(integrations[0]["installation_id"], 77);
    let bad = api.get("/v2/auth/setup/github?installation_id=x").await;
    assert_eq!(bad.json()["detail"][0]["type"], "int_parsing");
}
