//! What goes on the wire: paths, headers, bodies.

use crate::support;

use std::time::Duration;

use crate::support::{KEY, Reply, Server, WORKSPACE, client, d, r, revision};
use langsmith_control_plane::types::{DeploymentPatchRequest, SourceRevisionConfigRequest};
use langsmith_control_plane::{Client, Error, Region, RetryPolicy};

#[tokio::test]
async fn get_revision_sends_auth_workspace_accept_and_user_agent() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let got = client(&server).get_revision(d(), r()).await.unwrap();
    assert_eq!(got.id, r());
    let seen = &server.requests()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(
        seen.path,
        format!("/v2/deployments/{}/revisions/{}", d(), r())
    );
    assert_eq!(seen.header("x-api-key"), Some(KEY));
    assert_eq!(seen.header("x-tenant-id"), Some(WORKSPACE));
    assert_eq!(seen.header("accept"), Some("application/json"));
    let agent = seen.header("user-agent").unwrap();
    assert!(agent.starts_with("langsmith-control-plane/"), "{agent}");
    assert_eq!(
        seen.header("content-type"),
        None,
        "no body, no content type"
    );
}

#[tokio::test]
async fn no_workspace_header_without_a_workspace() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    assert_eq!(server.requests()[0].header("x-tenant-id"), None);
}

#[tokio::test]
async fn explicit_key_is_sent_over_the_environment_ones() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let env = |name: &str| match name {
        "LANGSMITH_API_KEY" => Some("env-langsmith".to_string()),
        "LANGCHAIN_API_KEY" => Some("env-langchain".to_string()),
        _ => None,
    };
    let client = Client::builder()
        .env_from(env)
        .api_key(KEY)
        .base_url(&server.url)
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));

    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let client = Client::builder()
        .env_from(env)
        .base_url(&server.url)
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    assert_eq!(
        server.requests()[0].header("x-api-key"),
        Some("env-langsmith")
    );
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/api-host/", server.url))
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    assert_eq!(
        server.requests()[0].path,
        format!("/api-host/v2/deployments/{}/revisions/{}", d(), r())
    );
}

#[tokio::test]
async fn a_patch_sends_json_with_a_content_type() {
    let server = Server::sequence(vec![Reply::json(
        200,
        support::deployment(Some(support::R)),
    )])
    .await;
    let patch = DeploymentPatchRequest {
        source_revision_config: Some(SourceRevisionConfigRequest {
            repo_ref: Some("v2.3.0".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let deployment = client(&server)
        .deployments()
        .update(d(), patch)
        .await
        .unwrap();
    assert_eq!(deployment.latest_revision_id, Some(r()));
    let seen = &server.requests()[0];
    assert_eq!(seen.method, "PATCH");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(body["source_revision_config"]["repo_ref"], "v2.3.0");
}

#[tokio::test]
async fn user_agent_suffix_is_appended() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let client = support::builder(&server)
        .user_agent_suffix("ci-pipeline/4.2")
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    assert!(
        server.requests()[0]
            .header("user-agent")
            .unwrap()
            .ends_with(" ci-pipeline/4.2")
    );
}

#[tokio::test]
async fn generated_operations_get_the_same_headers_through_call() {
    let server = Server::sequence(vec![Reply::json(200, "[]")]).await;
    let client = client(&server);
    let providers = client
        .call(async |api| api.list_oauth_providers().send().await)
        .await
        .unwrap();
    assert!(providers.is_empty());
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));
    assert_eq!(server.requests()[0].path, "/v2/auth/providers");
}

#[test]
fn regions_resolve_to_their_hosts() {
    let us = Client::builder()
        .api_key(KEY)
        .region(Region::Us)
        .build()
        .unwrap();
    let eu = Client::builder()
        .api_key(KEY)
        .region(Region::Eu)
        .build()
        .unwrap();
    assert_eq!(us.settings().base_url(), "https://api.host.langchain.com");
    assert_eq!(
        eu.settings().base_url(),
        "https://eu.api.host.langchain.com"
    );
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used() {
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let http = langsmith_control_plane::http_client_builder().user_agent("custom-client/1");
    let client = support::builder(&server).http_client(http).build().unwrap();
    client.get_revision(d(), r()).await.unwrap();
    // Our per-request headers still apply on a caller's client.
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));
}

/// A caller's builder that would follow redirects does not: a 307 to another loopback port is
/// refused, and that port never sees the key.
#[tokio::test]
async fn a_caller_supplied_builder_never_follows_a_redirect() {
    let elsewhere = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let target = format!("{}/v2/deployments/{}/revisions/{}", elsewhere.url, d(), r());
    let server = Server::sequence(vec![
        Reply::json(307, "{}").with_header("location", &target),
    ])
    .await;
    let http = langsmith_control_plane::http_client_builder()
        .redirect(reqwest::redirect::Policy::limited(5));
    let client = support::builder(&server)
        .http_client(http)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    assert!(
        matches!(err, Error::RedirectRefused { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(elsewhere.count(), 0, "the redirect target saw a request");
}

/// A response that arrives in many pieces is read whole, whether or not a retry could follow.
#[tokio::test]
async fn a_body_in_many_pieces_is_read_whole() {
    let trickle = || Reply::Trickle {
        status: 200,
        body: revision("DEPLOYED").to_string(),
        every: Duration::from_micros(300),
    };
    // Both at once: a byte takes a millisecond to trickle (the timer's resolution).
    futures::future::join_all([RetryPolicy::none(), RetryPolicy::default()].map(
        |retries| async move {
            let server = Server::sequence(vec![trickle(), trickle()]).await;
            let client = support::builder(&server)
                .retry_policy(retries.clone())
                .build()
                .unwrap();
            let got = client.get_revision(d(), r()).await.unwrap();
            assert_eq!(
                (got.id, got.status.as_str()),
                (r(), "DEPLOYED"),
                "{retries:?}"
            );
            let again = client.get_revision(d(), r()).await.unwrap();
            assert_eq!(again.id, r(), "{retries:?}");
            assert_eq!(server.count(), 2, "{retries:?}");
        },
    ))
    .await;
}

/// The create constructors' bodies are ones the service takes: a GitHub or image deployment
/// starts its first revision from what its constructor was given, uploaded source starts none.
#[tokio::test]
async fn each_create_constructor_is_accepted_and_starts_what_its_source_starts() {
    use langsmith_control_plane::types::{DeploymentCreateRequest, DeploymentSource};
    use langsmith_control_plane_mock::MockServer;

    let mock = MockServer::builder().start().await.unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let deployments = client.deployments();
    let github = DeploymentCreateRequest::github("gh", "https://github.com/acme/gh", "v1.2.0")
        .secret("OPENAI_API_KEY", "sk-1");
    let created = deployments.create(github).await.unwrap();
    assert_eq!(created.source, DeploymentSource::Github);
    let revision = client
        .get_revision(created.id, created.latest_revision_id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        revision.source_revision_config.repo_ref.as_deref(),
        Some("v1.2.0")
    );
    assert_eq!(created.secrets.len(), 1);

    let image = DeploymentCreateRequest::image("img", "ghcr.io/acme/img:1");
    let created = deployments.create(image).await.unwrap();
    let revision = client
        .get_revision(created.id, created.latest_revision_id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        revision.source_revision_config.image_uri.as_deref(),
        Some("ghcr.io/acme/img:1")
    );

    let uploaded = DeploymentCreateRequest::internal_source("src");
    let created = deployments.create(uploaded).await.unwrap();
    assert_eq!(created.source, DeploymentSource::InternalSource);
    assert_eq!(created.latest_revision_id, None);
}

/// Every operation with a string path parameter, through `Client::call`: an empty, `.` or `..`
/// ID is refused before sending; anything else arrives as one segment.
#[tokio::test]
async fn string_path_ids_are_one_segment_or_refused_through_the_facade() {
    let server = Server::sequence(vec![Reply::json(418, "{}")]).await;
    let client = support::client(&server);
    for id in ["", ".", "..", ".\t", "\n", ".\t."] {
        let sent_before = server.count();
        let results = [
            client
                .call(async |api| api.list_connections().agent_id(id).send().await)
                .await
                .map(drop),
            client
                .call(async |api| {
                    api.remove_connection()
                        .agent_id(id)
                        .connection_id(id)
                        .send()
                        .await
                })
                .await
                .map(drop),
            client
                .call(async |api| api.get_oauth_provider().provider_id(id).send().await)
                .await
                .map(drop),
            client
                .call(async |api| api.delete_oauth_provider().provider_id(id).send().await)
                .await
                .map(drop),
            client
                .call(async |api| api.delete_single_oauth_token().token_id(id).send().await)
                .await
                .map(drop),
            client
                .call(async |api| api.wait_for_auth_completion().auth_id(id).send().await)
                .await
                .map(drop),
        ];
        for result in results {
            let err = result.unwrap_err();
            match id {
                "" | "." | ".." => {
                    assert!(matches!(err, Error::InvalidInput(_)), "{id:?}: {err:?}")
                }
                _ => assert_eq!(err.status(), Some(418), "{id:?}: {err:?}"),
            }
        }
        if ["", ".", ".."].contains(&id) {
            assert_eq!(server.count(), sent_before, "{id:?}: nothing is sent");
        }
    }
    // Three sendable IDs, six operations: each request kept its IDs as whole segments.
    let requests = server.requests();
    assert_eq!(requests.len(), 18);
    for seen in requests {
        assert!(
            !seen.path.ends_with('/') && !seen.path.contains("//"),
            "{}",
            seen.path
        );
        assert!(
            seen.path.contains("%09") || seen.path.contains("%0A"),
            "{}",
            seen.path
        );
    }
}
