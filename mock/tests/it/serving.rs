//! The server itself: path prefix, unknown paths, request records, start and shutdown, and every
//! path of the OpenAPI document being served.

use crate::support::{Api, KEY};
use langsmith_control_plane_mock::{MAX_RECORDED_BODY, MockServer, REDACTED, operation_ids};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_path_prefix_carries_the_whole_api() {
    let api = Api::with(MockServer::builder().path_prefix("/api-host/")).await;
    assert_eq!(
        api.server.base_url(),
        format!("{}/api-host", api.server.url())
    );
    assert_eq!(api.create("a").await["name"], "a");
    let outside = crate::support::http()
        .get(format!("{}/v2/deployments", api.server.url()))
        .header("X-Api-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);
    assert_eq!(api.server.requests()[0].path, "/api-host/v2/deployments");
}

#[tokio::test]
async fn a_prefix_that_is_not_a_plain_path_is_refused() {
    let error = MockServer::builder()
        .path_prefix("/api host?")
        .start()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_trailing_slash_is_redirected_like_fastapi_does() {
    let api = Api::start().await;
    let answer = api.get("/v2/deployments/?limit=5").await;
    assert_eq!(answer.status, 307);
    assert_eq!(answer.header("location"), Some("/v2/deployments?limit=5"));
}

#[tokio::test]
async fn a_wrong_method_is_405() {
    let api = Api::start().await;
    let answer = api.send(api.request(Method::PUT, "/v2/deployments")).await;
    assert_eq!(
        (answer.status, answer.json()),
        (405, json!({"detail": "Method Not Allowed"}))
    );
}

#[tokio::test]
async fn requests_are_recorded_with_their_operation_and_without_secrets() {
    let api = Api::start().await;
    let mut body =
        serde_json::to_value(langsmith_control_plane_mock::github_deployment_request("a")).unwrap();
    body["secrets"] = json!([{"name": "OPENAI_API_KEY", "value": "sk-very-secret"}]);
    api.send(
        api.request(Method::POST, "/v2/deployments?dry=1")
            .header("Authorization", "Bearer also-secret")
            .json(&body),
    )
    .await;
    api.get("/v2/elsewhere").await;

    let requests = api.server.requests();
    assert_eq!(requests.len(), 2);
    let create = &requests[0];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/v2/deployments")
    );
    assert_eq!(create.operation, Some("create_deployment"));
    assert_eq!(create.query.as_deref(), Some("dry=1"));
    assert_eq!(create.header("x-api-key"), Some(REDACTED));
    assert_eq!(create.header("content-type"), Some("application/json"));
    assert_eq!(
        create.body.as_ref().unwrap()["secrets"][0]["value"],
        REDACTED
    );
    assert_eq!(create.body.as_ref().unwrap()["name"], "a");
    let printed = format!("{requests:?}");
    for secret in [KEY, "sk-very-secret", "also-secret"] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
    assert_eq!(requests[1].operation, None);
    assert_eq!(api.server.requests_for("create_deployment").len(), 1);
    api.server.clear_requests();
    assert!(api.server.requests().is_empty());
}

#[tokio::test]
async fn the_request_log_keeps_only_the_most_recent_requests() {
    let api = Api::with(MockServer::builder().request_log_capacity(3)).await;
    for page in 1..=5 {
        api.get(&format!("/v2/deployments?limit={page}")).await;
    }
    let queries: Vec<Option<String>> = api.server.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(
        queries,
        ["limit=3", "limit=4", "limit=5"].map(|q| Some(q.to_string()))
    );

    let none = Api::with(MockServer::builder().request_log_capacity(0)).await;
    none.get("/v2/deployments").await;
    assert!(none.server.requests().is_empty());
}

/// A JSON body of exactly `len` bytes.
fn padded_body(len: usize) -> String {
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(len - 10));
    assert_eq!(body.len(), len);
    body
}

#[tokio::test]
async fn a_body_over_the_limit_is_recorded_as_its_size_only() {
    let api = Api::start().await;
    for len in [MAX_RECORDED_BODY, MAX_RECORDED_BODY + 1] {
        api.send(
            api.request(Method::POST, "/v2/elsewhere")
                .header("content-type", "application/json")
                .body(padded_body(len)),
        )
        .await;
    }
    let requests = api.server.requests();
    assert_eq!(requests[0].body_len, MAX_RECORDED_BODY);
    assert!(requests[0].body.is_some(), "a body at the limit is kept");
    assert_eq!(requests[1].body_len, MAX_RECORDED_BODY + 1);
    assert_eq!(requests[1].body, None);
}

#[tokio::test]
async fn a_request_without_an_accepted_key_is_recorded_without_its_body() {
    let api = Api::with(MockServer::builder().api_key(KEY)).await;
    let small = json!({"name": "a"}).to_string();
    let big = padded_body(4 * 1024 * 1024);
    let attempts = [
        api.bare(Method::POST, "/v2/deployments")
            .body(small.clone()),
        api.bare(Method::POST, "/v2/deployments")
            .header("X-Api-Key", "lsv2_other")
            .body(small.clone()),
        api.bare(Method::POST, "/v2/deployments").body(big.clone()),
    ];
    for attempt in attempts {
        let answer = api
            .send(attempt.header("content-type", "application/json"))
            .await;
        assert_eq!(answer.status, 401);
    }
    let recorded: Vec<(Option<Value>, usize)> = api
        .server
        .requests()
        .into_iter()
        .map(|r| (r.body, r.body_len))
        .collect();
    assert_eq!(
        recorded,
        [(None, small.len()), (None, small.len()), (None, big.len())]
    );
}

#[tokio::test]
async fn shutdown_closes_the_port_and_drop_does_too() {
    let server = MockServer::start().await;
    let url = format!("{}/v2/deployments", server.base_url());
    let http = crate::support::http();
    assert!(http.get(&url).send().await.is_ok());
    server.shutdown().await;
    assert!(http.get(&url).send().await.unwrap_err().is_connect());

    let dropped = MockServer::start().await;
    let url = format!("{}/v2/deployments", dropped.base_url());
    drop(dropped);
    tokio::task::yield_now().await;
    assert!(http.get(&url).send().await.unwrap_err().is_connect());
}

#[tokio::test]
async fn a_chosen_port_is_used() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let server = MockServer::builder().port(port).start().await.unwrap();
    assert_eq!(server.addr().port(), port);
    assert_eq!(server.url(), format!("http://127.0.0.1:{port}"));
    let busy = MockServer::builder().port(port).start().await.unwrap_err();
    assert_eq!(busy.kind(), std::io::ErrorKind::AddrInUse);
}

#[tokio::test]
async fn run_until_serves_until_the_signal() {
    let server = MockServer::start().await;
    let url = format!("{}/v2/listeners", server.base_url());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let http = crate::support::http();
    assert_eq!(
        http.get(&url)
            .header("X-Api-Key", KEY)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    stop.send(()).unwrap();
    serving.await.unwrap();
    assert!(http.get(&url).send().await.unwrap_err().is_connect());
}

/// The vendored OpenAPI document, read at test time.
fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/control-plane.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the OpenAPI document")).unwrap()
}

#[tokio::test]
async fn the_operations_are_those_of_the_document() {
    let document = document();
    let mut documented: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str().map(str::to_string))
        .collect();
    documented.sort();
    let mut served: Vec<String> = operation_ids().map(str::to_string).collect();
    served.sort();
    assert_eq!(served, documented);
}

#[tokio::test]
async fn every_documented_path_and_method_is_served() {
    let api = Api::start().await;
    let document = document();
    let id = "5f8a1ab0-8f57-4f43-9b1e-6a2c4a1c7a10";
    for (template, item) in document["paths"].as_object().unwrap() {
        let path: String = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    id
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let answer = api.send(api.request(method.clone(), &path)).await;
            let what = format!("{method} {template} ({})", operation["operationId"]);
            assert!(
                answer.status != 405 && answer.status < 500,
                "{what}: {answer:?}"
            );
            assert_ne!(
                answer.text, r#"{"detail":"Not Found"}"#,
                "{what} is not routed"
            );
            // Success codes are exactly the documented ones; errors may be any FastAPI-shaped 4xx
            // (the service answers 404 for unknown resources where the document lists only 422).
            let documented = operation["responses"]
                .as_object()
                .unwrap()
                .contains_key(&answer.status.to_string());
            if answer.status < 400 {
                assert!(documented, "{what}: undocumented {}", answer.status);
            } else {
                let detail = &answer.json()["detail"];
                assert!(
                    detail.is_string() || detail.is_array(),
                    "{what}: {answer:?}"
                );
            }
        }
    }
}
