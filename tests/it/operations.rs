//! The generated client has a method for each operation of the document, and each one sends the
//! request the document describes; Get Revision decodes every documented answer typed.

use std::sync::Arc;

use axum::http::StatusCode;
use langsmith_control_plane_api::transport::Transport;
use langsmith_control_plane_api::{Client, Error, open_enums, types};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::server::Server;
use crate::support::spec;

const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

fn client(base: &str) -> Client {
    let http = langsmith_control_plane_api::http::http_client_builder()
        .build()
        .unwrap();
    Client::new_with_client(base, http, Transport::direct())
}

fn example<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema-examples.json"
    ))
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    serde_json::from_value(all[name].clone()).unwrap()
}

/// Get Revision of the revision `R` of deployment `D`.
async fn get_revision(
    c: &Client,
) -> Result<progenitor_client::ResponseValue<types::Revision>, Error<types::ApiErrorBody>> {
    c.get_revision()
        .deployment_id(Uuid::parse_str(D).unwrap())
        .revision_id(Uuid::parse_str(R).unwrap())
        .send()
        .await
}

/// Does `path` match the document's `template` (`{name}` matches one segment)?
fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// Sends one request per operation and ignores the answers: only what reached the server counts.
async fn call_every_operation(c: &Client) {
    let d = Uuid::parse_str(D).unwrap();
    let r = Uuid::parse_str(R).unwrap();
    let _ = c.list_github_integrations().send().await;
    let _ = c.list_github_repositories().integration_id(d).send().await;
    let _ = c.list_forge_github_integrations().send().await;
    let _ = c
        .list_forge_github_repositories()
        .integration_id(d)
        .send()
        .await;
    let _ = c
        .list_deployments()
        .limit(100u64)
        .offset(200u64)
        .name_contains("agent")
        .send()
        .await;
    let _ = c
        .create_deployment()
        .body(example::<types::DeploymentCreateRequest>(
            "DeploymentCreateRequest",
        ))
        .send()
        .await;
    let _ = c
        .delete_deployments()
        .deployment_ids(vec![d, r])
        .send()
        .await;
    let _ = c.get_deployment().deployment_id(d).send().await;
    let _ = c
        .patch_deployment()
        .deployment_id(d)
        .body(example::<types::DeploymentPatchRequest>(
            "DeploymentPatchRequest",
        ))
        .send()
        .await;
    let _ = c
        .delete_deployment()
        .deployment_id(d)
        .delete_tracing_project(true)
        .send()
        .await;
    let _ = c
        .list_revisions()
        .deployment_id(d)
        .status("BUILDING,QUEUED")
        .send()
        .await;
    let _ = c
        .get_revision()
        .deployment_id(d)
        .revision_id(r)
        .send()
        .await;
    let _ = c
        .redeploy_revision()
        .deployment_id(d)
        .revision_id(r)
        .send()
        .await;
    let _ = c
        .list_revision_logs()
        .deployment_id(d)
        .revision_id(r)
        .type_(open_enums::LogType::Build)
        .level(open_enums::LogLevel::Error)
        .offset("cursor-1")
        .send()
        .await;
    let _ = c.list_listeners().send().await;
    let _ = c
        .create_listener()
        .body(example::<types::ListenerCreateRequest>(
            "ListenerCreateRequest",
        ))
        .send()
        .await;
    let _ = c.get_listener().listener_id(d).send().await;
    let _ = c
        .patch_listener()
        .listener_id(d)
        .body(example::<types::ListenerPatchRequest>(
            "ListenerPatchRequest",
        ))
        .send()
        .await;
    let _ = c.delete_listener().listener_id(d).send().await;
    let _ = c.list_oauth_providers().send().await;
    let _ = c
        .create_oauth_provider()
        .body(example::<types::OAuthProviderCreateRequest>(
            "OAuthProviderCreateRequest",
        ))
        .send()
        .await;
    let _ = c
        .oauth_setup_callback()
        .provider_id("github")
        .installation_id(7i64)
        .send()
        .await;
    let _ = c
        .oauth_callback_get()
        .provider_id("github")
        .code("c")
        .state("s")
        .send()
        .await;
    let _ = c
        .oauth_callback()
        .provider_id("github")
        .body(example::<types::OAuthFinalizeRequest>(
            "OAuthFinalizeRequest",
        ))
        .send()
        .await;
    let _ = c
        .authenticate()
        .body(example::<types::AuthAuthenticateRequest>(
            "AuthAuthenticateRequest",
        ))
        .send()
        .await;
    let _ = c
        .wait_for_auth_completion()
        .auth_id("auth_1")
        .timeout(5i64)
        .send()
        .await;
    let _ = c
        .create_mcp_oauth_provider()
        .body(example::<types::McpoAuthProviderCreateRequest>(
            "MCPOAuthProviderCreateRequest",
        ))
        .send()
        .await;
    let _ = c.get_oauth_provider().provider_id("p1").send().await;
    let _ = c
        .update_oauth_provider()
        .provider_id("p1")
        .body(example::<types::OAuthProviderUpdateRequest>(
            "OAuthProviderUpdateRequest",
        ))
        .send()
        .await;
    let _ = c.delete_oauth_provider().provider_id("p1").send().await;
    let _ = c
        .list_oauth_tokens_for_user()
        .provider_id("google")
        .send()
        .await;
    let _ = c
        .delete_oauth_tokens_for_user()
        .provider_id("google")
        .send()
        .await;
    let _ = c
        .update_token_label()
        .token_id("t1")
        .body(example::<types::OAuthTokenUpdateRequest>(
            "OAuthTokenUpdateRequest",
        ))
        .send()
        .await;
    let _ = c.delete_single_oauth_token().token_id("t1").send().await;
    let _ = c
        .check_oauth_token_exists()
        .provider_id("google")
        .send()
        .await;
    let _ = c.check_workspace_slack_tokens_exist().send().await;
    let _ = c.revoke_all_slack_tokens_for_workspace().send().await;
    let _ = c.list_connections().agent_id("a1").send().await;
    let _ = c
        .create_connection()
        .agent_id("a1")
        .body(example::<types::CreateAgentConnectionRequest>(
            "CreateAgentConnectionRequest",
        ))
        .send()
        .await;
    let _ = c
        .remove_connection()
        .agent_id("a1")
        .connection_id("c1")
        .send()
        .await;
    let _ = c
        .request_upload_url()
        .deployment_id(d)
        .body(types::UploadUrlRequest {
            supports_upload_headers: true,
        })
        .send()
        .await;
    let _ = c
        .request_push_token()
        .deployment_id(d)
        .body(types::PushTokenRequest {
            supports_registry_username: true,
        })
        .send()
        .await;
}

#[tokio::test]
async fn every_operation_of_the_document_sends_its_request() {
    let server = Server::start(Arc::new(|_| (StatusCode::IM_A_TEAPOT, String::new()))).await;
    call_every_operation(&client(&server.url)).await;

    let doc = spec::document();
    let operations = spec::operations(&doc);
    assert_eq!(operations.len(), 42, "the document describes 42 operations");
    let seen = server.requests();
    assert_eq!(seen.len(), operations.len(), "one request per operation");
    for (method, template, id) in &operations {
        let hit = seen
            .iter()
            .find(|s| s.method.as_str() == method && matches_template(template, &s.path))
            .unwrap_or_else(|| panic!("no request for {id} ({method} {template})"));
        let op = &doc["paths"][template][method.to_lowercase()];
        if op.get("requestBody").is_some() {
            assert_eq!(hit.headers["content-type"], "application/json", "{id}");
            serde_json::from_slice::<Value>(&hit.body)
                .unwrap_or_else(|e| panic!("{id} sent a body that is not JSON: {e}"));
        } else {
            assert!(hit.body.is_empty(), "{id} sent a body");
        }
        assert_eq!(hit.headers["accept"], "application/json", "{id}");
        assert!(
            !hit.headers.contains_key("api-version"),
            "{id} sent progenitor's api-version header"
        );
    }
}

/// Path parameters are written as one percent-encoded segment each, whatever they contain.
#[tokio::test]
async fn path_parameters_are_one_encoded_segment() {
    let server = Server::start(Arc::new(|_| (StatusCode::IM_A_TEAPOT, String::new()))).await;
    let c = client(&server.url);
    let awkward = "a b/c%d?e#f\"{}<>`é";
    let _ = c.wait_for_auth_completion().auth_id(awkward).send().await;
    let _ = c
        .get_revision()
        .deployment_id(D.parse::<uuid::Uuid>().unwrap())
        .revision_id(R.parse::<uuid::Uuid>().unwrap())
        .send()
        .await;
    let paths: Vec<String> = server.requests().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/v2/auth/wait/a%20b%2Fc%25d%3Fe%23f%22%7B%7D%3C%3E%60%C3%A9".to_string(),
            format!("/v2/deployments/{D}/revisions/{R}"),
        ]
    );
}

#[tokio::test]
async fn query_parameters_are_encoded_as_the_document_says() {
    let server = Server::start(Arc::new(|_| (StatusCode::IM_A_TEAPOT, String::new()))).await;
    call_every_operation(&client(&server.url)).await;
    let query_of = |method: &str, path: &str| {
        server
            .requests()
            .into_iter()
            .find(|s| s.method.as_str() == method && s.path == path)
            .and_then(|s| s.query)
            .unwrap_or_default()
    };
    let deployments = query_of("GET", "/v2/deployments");
    for part in ["limit=100", "offset=200", "name_contains=agent"] {
        assert!(
            deployments.split('&').any(|p| p == part),
            "{part} missing from {deployments}"
        );
    }
    let deleted = query_of("DELETE", "/v2/deployments");
    assert_eq!(deleted, format!("deployment_ids={D}&deployment_ids={R}"));
    let logs = query_of("GET", &format!("/v2/deployments/{D}/revisions/{R}/logs"));
    for part in ["type=build", "level=ERROR", "offset=cursor-1"] {
        assert!(
            logs.split('&').any(|p| p == part),
            "{part} missing from {logs}"
        );
    }
}

fn revision_json() -> Value {
    json!({
        "id": R, "created_at": "2026-11-02T14:05:31Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": "DEPLOYED", "source": "github", "source_revision_config": {"repo_ref": "main"}
    })
}

#[tokio::test]
async fn get_revision_requests_exactly_the_revision_path() {
    let server = Server::start(Arc::new(|_| (StatusCode::OK, revision_json().to_string()))).await;
    let d = Uuid::parse_str(D).unwrap();
    let r = Uuid::parse_str(R).unwrap();
    let revision = client(&server.url)
        .get_revision()
        .deployment_id(d)
        .revision_id(r)
        .send()
        .await
        .unwrap();
    assert_eq!(revision.status(), 200);
    let revision = revision.into_inner();
    assert_eq!(revision.id, r);
    assert_eq!(revision.status, open_enums::RevisionStatus::Deployed);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, format!("/v2/deployments/{D}/revisions/{R}"));
    assert_eq!(seen[0].query, None);
}

#[tokio::test]
async fn get_revision_keeps_a_base_url_path_prefix() {
    let server = Server::start(Arc::new(|_| (StatusCode::OK, revision_json().to_string()))).await;
    let c = client(&format!("{}/api-host", server.url));
    get_revision(&c).await.unwrap();
    assert_eq!(
        server.requests()[0].path,
        format!("/api-host/v2/deployments/{D}/revisions/{R}")
    );
}

/// The base URL may end in a slash (or two), with or without a prefix, with a query; one
/// transport may serve clients with different base URLs (the parsed base it keeps belongs to
/// the first).
#[tokio::test]
async fn request_urls_keep_the_base_url_prefix() {
    let server = Server::start(Arc::new(|_| (StatusCode::OK, revision_json().to_string()))).await;
    for base in ["", "/api-host", "/a/b"] {
        get_revision(&client(&format!("{}{base}", server.url)))
            .await
            .unwrap();
    }
    let paths: Vec<String> = server.requests().into_iter().map(|s| s.path).collect();
    let tail = format!("v2/deployments/{D}/revisions/{R}");
    assert_eq!(
        paths,
        [
            format!("/{tail}"),
            format!("/api-host/{tail}"),
            format!("/a/b/{tail}"),
        ]
    );
}

/// Path parameters of any length, with multi-byte characters, on a long base URL prefix: each
/// arrives encoded as progenitor encodes it.
#[tokio::test]
async fn long_path_parameters_and_prefixes_arrive_whole() {
    let server = Server::start(Arc::new(|_| (StatusCode::NO_CONTENT, String::new()))).await;
    let prefix = format!("/{}", "p".repeat(300));
    let c = client(&format!("{}{prefix}", server.url));
    let cases = [
        ("a".repeat(63) + "é", "short".to_string()),
        ("short".to_string(), "é".repeat(40)),
        ("x".repeat(500), "y/z?".repeat(30)),
        ("\t.".to_string(), "日本".to_string()),
    ];
    for (agent, connection) in &cases {
        let _ = c
            .remove_connection()
            .agent_id(agent.as_str())
            .connection_id(connection.as_str())
            .send()
            .await;
    }
    let paths: Vec<String> = server.requests().into_iter().map(|s| s.path).collect();
    let expected: Vec<String> = cases
        .iter()
        .map(|(agent, connection)| {
            format!(
                "{prefix}/v2/auth/agents/{}/connections/{}",
                progenitor_client::encode_path(agent),
                progenitor_client::encode_path(connection)
            )
        })
        .collect();
    assert_eq!(paths, expected);
}

/// A path parameter that a URL would read as navigation (or drop, when empty) is refused
/// before anything is sent, and so is a backslash (a separator to URL parsers).
#[tokio::test]
async fn dot_empty_and_backslash_segments_are_refused() {
    let server = Server::start(Arc::new(|_| (StatusCode::IM_A_TEAPOT, String::new()))).await;
    let c = client(&server.url);
    for dots in [".", "..", "", "a\\b"] {
        let err = c
            .wait_for_auth_completion()
            .auth_id(dots)
            .send()
            .await
            .unwrap_err();
        let Error::InvalidRequest(message) = err else {
            panic!("{dots}: {err:?}")
        };
        assert!(message.contains("wait_for_auth_completion"), "{message}");
    }
    let err = c
        .update_token_label()
        .token_id("..")
        .body(example::<types::OAuthTokenUpdateRequest>(
            "OAuthTokenUpdateRequest",
        ))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.requests().is_empty(), "nothing was sent");
}

/// A required parameter never set, or set to something that does not convert, is an invalid
/// request naming it, in progenitor's words; nothing is sent.
#[tokio::test]
async fn unset_and_unconvertible_parameters_are_named() {
    let server = Server::start(Arc::new(|_| (StatusCode::OK, revision_json().to_string()))).await;
    let c = client(&server.url);
    let d = Uuid::parse_str(D).unwrap();
    let message = |err: Error<types::ApiErrorBody>| match err {
        Error::InvalidRequest(message) => message,
        other => panic!("{other:?}"),
    };
    let unset = c.get_revision().deployment_id(d).send().await.unwrap_err();
    assert_eq!(message(unset), "revision_id was not initialized");
    let neither = c.get_revision().send().await.unwrap_err();
    assert_eq!(message(neither), "deployment_id was not initialized");
    let garbled = c
        .get_revision()
        .deployment_id("not a uuid")
        .revision_id(d)
        .send()
        .await
        .unwrap_err();
    let garbled = message(garbled);
    assert!(
        garbled.starts_with("conversion to") && garbled.ends_with("for deployment_id failed"),
        "{garbled}"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

/// A base URL that is not a URL is an error of the call, not a panic.
#[tokio::test]
async fn an_invalid_base_url_is_an_error() {
    let c = client("not a url");
    let err = get_revision(&c).await.unwrap_err();
    assert!(matches!(err, Error::CommunicationError(_)), "{err:?}");
}

#[tokio::test]
async fn get_revision_decodes_a_404_detail_typed() {
    let server = Server::start(Arc::new(|_| {
        (
            StatusCode::NOT_FOUND,
            r#"{"detail":"Revision not found"}"#.into(),
        )
    }))
    .await;
    let err = get_revision(&client(&server.url)).await.unwrap_err();
    let Error::ErrorResponse(body) = err else {
        panic!("expected a typed error, got {err:?}")
    };
    assert_eq!(body.status(), 404);
    assert_eq!(
        body.into_inner().detail,
        types::ApiErrorDetail::String("Revision not found".into())
    );
}

#[tokio::test]
async fn get_revision_decodes_422_validation_items_typed() {
    let body = json!({"detail": [{"loc": ["path", "revision_id"], "msg": "Input should be a valid UUID", "type": "uuid_parsing", "input": "x"}]});
    let server = Server::start(Arc::new(move |_| {
        (StatusCode::UNPROCESSABLE_ENTITY, body.to_string())
    }))
    .await;
    let err = get_revision(&client(&server.url)).await.unwrap_err();
    let Error::ErrorResponse(body) = err else {
        panic!("expected a typed error, got {err:?}")
    };
    assert_eq!(body.status(), 422);
    let types::ApiErrorDetail::Array(items) = body.into_inner().detail else {
        panic!("expected validation items")
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].msg, "Input should be a valid UUID");
    assert_eq!(items[0].type_, "uuid_parsing");
    assert_eq!(items[0].input, Some(json!("x")));
}

#[tokio::test]
async fn get_revision_with_an_unknown_status_still_decodes() {
    let mut body = revision_json();
    body["status"] = json!("PAUSED_FOR_REVIEW");
    body["source"] = json!("internal_template");
    body["added_later"] = json!({"x": 1});
    let server = Server::start(Arc::new(move |_| (StatusCode::OK, body.to_string()))).await;
    let revision = get_revision(&client(&server.url))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        revision.status,
        open_enums::RevisionStatus::Unrecognized("PAUSED_FOR_REVIEW".into())
    );
    assert_eq!(
        revision.source,
        open_enums::DeploymentSource::InternalTemplate
    );
}

#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_response() {
    let server = Server::start(Arc::new(|_| {
        (StatusCode::SERVICE_UNAVAILABLE, "<html>down</html>".into())
    }))
    .await;
    let err = get_revision(&client(&server.url)).await.unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedResponse(ref r) if r.status() == 503),
        "{err:?}"
    );
}

/// Strings made of what a path parameter can trip over: dots, slashes, `%`, control
/// characters, backslashes, spaces, and any other character.
fn awkward_id() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        4 => prop::sample::select(vec!['.', '/', '%', '\t', '\n', '\r', '\0', '\\', ' ', '?', '#']),
        1 => any::<char>(),
    ];
    prop::collection::vec(piece, 0..6).prop_map(String::from_iter)
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Any string ID either arrives as exactly one segment that decodes back to it, or (empty,
    /// `.`, `..`) is refused before anything is sent.
    #[test]
    fn any_string_id_is_one_segment_or_refused(agent in awkward_id(), connection in awkward_id()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = Server::start(Arc::new(|_| (StatusCode::NO_CONTENT, String::new()))).await;
            let c = client(&format!("{}/api-host", server.url));
            let result = c
                .remove_connection()
                .agent_id(agent.as_str())
                .connection_id(connection.as_str())
                .send()
                .await;
            let unsendable = |id: &str| ["", ".", ".."].contains(&id);
            if unsendable(&agent) || unsendable(&connection) {
                assert!(matches!(result, Err(Error::InvalidRequest(_))), "{result:?}");
                assert!(server.requests().is_empty(), "nothing is sent");
                return;
            }
            // progenitor does not encode `\`, which the URL parser reads as `/`: such an ID is
            // refused, or sent in the template's shape (never addressing another operation).
            if agent.contains('\\') || connection.contains('\\') {
                if let Some(sent) = server.requests().first() {
                    let shape = "/api-host/v2/auth/agents/{agent_id}/connections/{connection_id}";
                    assert!(matches_template(shape, &sent.path), "{}", sent.path);
                }
                return;
            }
            let requests = server.requests();
            assert_eq!(requests.len(), 1, "{result:?}");
            let segments: Vec<String> = requests[0]
                .path
                .split('/')
                .map(|s| percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned())
                .collect();
            assert_eq!(
                segments,
                ["", "api-host", "v2", "auth", "agents", &agent, "connections", &connection]
            );
        });
    }
}
