//! Injected faults as a client sees them on the wire.

use std::time::Duration;

use crate::support::{Api, deployment_path};
use langsmith_control_plane_mock::{Fault, FaultKind, RetryAfter};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test(start_paused = true)]
async fn latency_delays_the_answer_of_the_chosen_operation() {
    let api = Api::start().await;
    let deployment = api.create("a").await;
    api.server
        .inject(Fault::latency(Duration::from_secs(30)).on("get_deployment"));

    let other = tokio::time::Instant::now();
    assert_eq!(api.get("/v2/deployments").await.status, 200);
    assert_eq!(
        other.elapsed(),
        Duration::ZERO,
        "other operations are not delayed"
    );

    let started = tokio::time::Instant::now();
    let answer = api.get(&deployment_path(&deployment)).await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(30));

    let again = tokio::time::Instant::now();
    api.get(&deployment_path(&deployment)).await;
    assert_eq!(again.elapsed(), Duration::ZERO, "once by default");
}

#[tokio::test]
async fn rate_limiting_answers_429_with_or_without_retry_after() {
    let api = Api::start().await;
    api.server
        .inject(Fault::rate_limited().retry_after(RetryAfter::Seconds(7)));
    api.server.inject(Fault::rate_limited());
    let first = api.get("/v2/deployments").await;
    assert_eq!(
        (first.status, first.json()),
        (429, json!({"detail": "Too Many Requests"}))
    );
    assert_eq!(first.header("retry-after"), Some("7"));
    let second = api.get("/v2/deployments").await;
    assert_eq!(second.status, 429);
    assert_eq!(second.header("retry-after"), None);
    assert_eq!(api.get("/v2/deployments").await.status, 200);
}

#[tokio::test]
async fn retry_after_can_be_an_http_date() {
    let api = Api::start().await;
    api.server
        .inject(Fault::status(503).retry_after(RetryAfter::HttpDate(Duration::from_secs(120))));
    let answer = api.get("/v2/deployments").await;
    assert_eq!(answer.status, 503);
    let date = answer.header("retry-after").unwrap();
    let parsed =
        chrono::NaiveDateTime::parse_from_str(date, "%a, %d %b %Y %H:%M:%S GMT").expect(date);
    let ahead = parsed.and_utc() - chrono::Utc::now();
    assert!((100..=121).contains(&ahead.num_seconds()), "{date}");
}

#[tokio::test]
async fn server_errors_answer_any_status_and_skip_the_handler() {
    let api = Api::start().await;
    for status in [500, 502, 503, 504] {
        api.server
            .inject(Fault::status(status).on("create_deployment"));
    }
    let body =
        serde_json::to_value(langsmith_control_plane_mock::github_deployment_request("a")).unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let answer = api.post("/v2/deployments", body.clone()).await;
        seen.push((
            answer.status,
            answer.json()["detail"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(
        seen,
        [
            (500, "Internal Server Error".to_string()),
            (502, "Bad Gateway".to_string()),
            (503, "Service Unavailable".to_string()),
            (504, "Gateway Timeout".to_string()),
        ]
    );
    assert!(api.server.deployments().is_empty(), "nothing was created");
    assert_eq!(api.post("/v2/deployments", body).await.status, 201);
}

/// Sends a create request that the server is set to leave unanswered; returns the client's error.
async fn create_without_answer(api: &Api) -> reqwest::Error {
    let body = langsmith_control_plane_mock::github_deployment_request("a");
    let request = api.request(Method::POST, "/v2/deployments").json(&body);
    let error = request
        .send()
        .await
        .expect_err("the connection is closed without an answer");
    assert!(error.is_request(), "{error:?}");
    error
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_and_changes_nothing() {
    let api = Api::start().await;
    api.server
        .inject(Fault::drop_connection().on("create_deployment"));
    let error = create_without_answer(&api).await;
    assert!(!error.is_timeout(), "{error:?}");
    assert!(api.server.deployments().is_empty());
    assert_eq!(
        api.server.requests_for("create_deployment")[0].fault,
        Some(FaultKind::DropConnection)
    );
    assert_eq!(
        api.get("/v2/deployments").await.status,
        200,
        "the server still serves"
    );
}

#[tokio::test]
async fn a_dropped_response_loses_the_answer_but_not_the_effect() {
    let api = Api::start().await;
    api.server
        .inject(Fault::drop_response().on("create_deployment"));
    create_without_answer(&api).await;
    assert_eq!(
        api.server.deployments().len(),
        1,
        "created although the client never heard"
    );
}

#[tokio::test]
async fn an_html_error_page_comes_with_its_status() {
    let api = Api::start().await;
    api.server.inject(Fault::html(502));
    let answer = api.get("/v2/deployments").await;
    assert_eq!(answer.status, 502);
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(answer.text.contains("<title>502 Bad Gateway</title>"));
}

#[tokio::test]
async fn truncated_json_is_the_real_answer_cut_short() {
    let api = Api::start().await;
    let deployment = api.create("a").await;
    api.server
        .inject(Fault::truncated_json().on("get_deployment"));
    let answer = api.get(&deployment_path(&deployment)).await;
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_str::<Value>(&answer.text).is_err());
    let whole = api.get(&deployment_path(&deployment)).await.text;
    assert!(whole.starts_with(&answer.text) && answer.text.len() == whole.len() / 2);
}

#[tokio::test]
async fn an_empty_body_keeps_status_and_content_type() {
    let api = Api::start().await;
    api.server
        .inject(Fault::empty_body().on("list_deployments"));
    let answer = api.get("/v2/deployments").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.text, "");
}

#[tokio::test]
async fn the_wrong_json_type_wraps_objects_in_an_array() {
    let api = Api::start().await;
    api.server.inject(Fault::wrong_json_type().times(2));
    let listed = api.get("/v2/deployments").await.json();
    assert_eq!(listed, json!([{"resources": [], "offset": 0}]));
    let integrations = api.get("/v1/integrations/github/install").await.json();
    assert_eq!(integrations, json!({"unexpected": []}));
}

#[tokio::test]
async fn counts_and_targets_decide_which_requests_fail() {
    let api = Api::start().await;
    api.server
        .inject(Fault::status(503).on("list_listeners").times(2));
    assert_eq!(
        api.get("/v2/deployments").await.status,
        200,
        "another operation"
    );
    assert_eq!(api.server.armed_faults()[0].kind(), &FaultKind::Status(503));
    assert_eq!(api.get("/v2/listeners").await.status, 503);
    assert_eq!(api.get("/v2/listeners").await.status, 503);
    assert_eq!(api.get("/v2/listeners").await.status, 200);
    assert!(api.server.armed_faults().is_empty());

    api.server.inject(Fault::status(500).always());
    for _ in 0..5 {
        assert_eq!(api.get("/v2/listeners").await.status, 500);
    }
    api.server.clear_faults();
    assert_eq!(api.get("/v2/listeners").await.status, 200);
}

#[tokio::test]
async fn faults_answer_before_the_key_is_checked_like_a_proxy_would() {
    let api = Api::start().await;
    api.server.inject(Fault::status(502));
    assert_eq!(
        api.send(api.bare(Method::GET, "/v2/deployments"))
            .await
            .status,
        502
    );
}
