//! Deleting many deployments at once against the mock: batches of at most 100, a result per ID
//! (from 200 and 207 answers alike), failures confined to their batch, waiting until gone.

use std::time::Duration;

use langsmith_control_plane::types::DeploymentStatus;
use langsmith_control_plane::{Client, DeleteOutcome, Error, GoneOutcome, RetryPolicy};
use langsmith_control_plane_mock::{Fault, MockServer, Timing, github_deployment_request};
use uuid::Uuid;

async fn mock(timing: Timing) -> MockServer {
    MockServer::builder().timing(timing).start().await.unwrap()
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn seed(mock: &MockServer, count: usize) -> Vec<Uuid> {
    (0..count)
        .map(|i| {
            mock.seed_deployment(github_deployment_request(&format!("preview-{i}")))
                .id
        })
        .collect()
}

/// The number of IDs in each bulk delete request the mock received.
fn batch_sizes(mock: &MockServer) -> Vec<usize> {
    mock.requests_for("delete_deployments")
        .iter()
        .map(|r| {
            r.query
                .as_deref()
                .unwrap_or("")
                .matches("deployment_ids=")
                .count()
        })
        .collect()
}

#[tokio::test]
async fn any_number_of_ids_goes_in_requests_of_at_most_100_with_a_result_per_id() {
    let mock = mock(Timing::realistic()).await;
    let mut ids = seed(&mock, 230);
    ids.push(ids[0]);
    let results = client(&mock).deployments().delete_many(&ids).await;
    assert_eq!(batch_sizes(&mock), [100, 100, 30]);
    assert_eq!(results.len(), 230, "a duplicate ID is deleted once");
    assert!(
        results
            .iter()
            .zip(&ids)
            .all(|(r, id)| r.deployment_id == *id && matches!(r.outcome, DeleteOutcome::Deleted))
    );
    assert!(
        mock.deployments()
            .iter()
            .all(|d| d.status == DeploymentStatus::AwaitingDelete)
    );
}

#[tokio::test]
async fn a_partial_answer_fails_only_the_ids_it_names_with_their_reason() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 2);
    let unknown = Uuid::new_v4();
    let client = client(&mock);
    client.deployments().delete_many(&ids[1..]).await;
    let results = client
        .deployments()
        .delete_many(&[ids[0], unknown, ids[1]])
        .await;
    assert!(matches!(results[0].outcome, DeleteOutcome::Deleted));
    let error = results[1].outcome.error().unwrap();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(
        error.api_error().unwrap().detail,
        Some(format!("Deployment {unknown} not found"))
    );
    assert_eq!(error.status(), Some(404));
    assert!(
        matches!(results[2].outcome.error(), Some(error) if error.status() == Some(409)
            && error.to_string().contains("already being deleted")),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn a_failed_request_fails_its_own_batch_and_the_others_go_on() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 150);
    mock.inject(Fault::status(500).on("delete_deployments").times(1));
    let results = client(&mock).deployments().delete_many(&ids).await;
    let (failed, deleted): (Vec<_>, Vec<_>) = results.iter().partition(|r| !r.outcome.is_deleted());
    assert_eq!((failed.len(), deleted.len()), (100, 50));
    assert!(failed.iter().all(|r| r.deployment_id != ids[120]));
    assert!(matches!(
        &failed[0].outcome,
        DeleteOutcome::Failed { error } if error.status() == Some(500)
            && error.to_string().contains("DELETE /v2/deployments")
    ));
}

#[tokio::test]
async fn an_unreadable_partial_answer_fails_its_ids_without_guessing() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 1);
    mock.inject(Fault::html(207).on("delete_deployments").times(1));
    let results = client(&mock).deployments().delete_many(&ids).await;
    assert!(
        matches!(&results[0].outcome, DeleteOutcome::Failed { error } if error.status() == Some(207)
            && error.to_string().contains("could not be decoded")),
        "{results:?}"
    );
}

#[tokio::test]
async fn no_ids_send_nothing() {
    let mock = mock(Timing::realistic()).await;
    assert!(
        client(&mock)
            .deployments()
            .delete_many(&[])
            .await
            .is_empty()
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn waiting_until_gone_sees_awaiting_delete_then_404() {
    // Gone 500 ms after the delete: read at once and 250 ms on (AWAITING_DELETE), then at
    // 625 ms (404), the waits between reads growing from 250 ms by half each time.
    let mut timing = Timing::fast();
    timing.deleting = Duration::from_millis(400);
    let mock = mock(timing).await;
    let ids = seed(&mock, 1);
    let client = client(&mock);
    let still_there = client
        .deployments()
        .wait_until_gone(ids[0], Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(
        still_there,
        GoneOutcome::TimedOut {
            last_status: DeploymentStatus::Ready
        }
    );
    client.deployments().delete_many(&ids).await;
    let gone = client
        .deployments()
        .wait_until_gone(ids[0], Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(gone, GoneOutcome::Gone);
    let reads = mock.requests_for("get_deployment").len();
    assert!(
        reads >= 3,
        "read while AWAITING_DELETE, then the 404: {reads}"
    );
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_counts_its_own_deletions_as_deleted() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 2);
    // The first attempt deletes, then its answer is lost; the retry finds both being deleted.
    mock.inject(Fault::drop_response().on("delete_deployments").times(1));
    let retrying = Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let results = retrying.deployments().delete_many(&ids).await;
    assert_eq!(mock.requests_for("delete_deployments").len(), 2);
    assert!(
        results.iter().all(|r| r.outcome.is_deleted()),
        "{results:?}"
    );
    // Without the lost answer, the same 409s are failures.
    let again = retrying.deployments().delete_many(&ids).await;
    assert!(again.iter().all(|r| !r.outcome.is_deleted()), "{again:?}");
}

/// A loopback proxy in front of `mock` that forwards every request, except that a bulk delete
/// is answered with `status` and the body `answer(deleted IDs, kept IDs)` after forwarding the
/// delete of only the first half of its IDs: a server that fails, or answers in a shape of its
/// own, after deleting some. Returns the base URL to use.
async fn deleting_half_then(
    mock: &MockServer,
    status: u16,
    answer: fn(&[&str], &[&str]) -> String,
) -> String {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::Response;
    let upstream = mock.url();
    // The crate's builder: it installs the TLS provider, which a bare `reqwest::Client::builder()`
    // needs under the `rustls` feature when no client was built before (a test run alone).
    let http = langsmith_control_plane::http_client_builder()
        .no_proxy()
        .build()
        .unwrap();
    let relay = async move |request: Request| -> Response {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let path = parts.uri.path().to_string();
        let query = parts.uri.query().unwrap_or("").to_string();
        let bulk_delete = parts.method == "DELETE" && path.ends_with("/v2/deployments");
        let ids: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "deployment_ids")
            .map(|(_, v)| v.into_owned())
            .collect();
        let half = ids.len().div_ceil(2);
        let sent_query = if bulk_delete {
            ids[..half]
                .iter()
                .map(|id| format!("deployment_ids={id}"))
                .collect::<Vec<_>>()
                .join("&")
        } else {
            query
        };
        let mut forward = http
            .request(
                parts.method.clone(),
                format!("{upstream}{path}?{sent_query}"),
            )
            .body(body);
        for (name, value) in &parts.headers {
            if name != "host" {
                forward = forward.header(name, value);
            }
        }
        let forwarded = forward.send().await.unwrap();
        let (status, body) = if bulk_delete {
            let deleted: Vec<&str> = ids[..half].iter().map(String::as_str).collect();
            let kept: Vec<&str> = ids[half..].iter().map(String::as_str).collect();
            (status, answer(&deleted, &kept).into_bytes())
        } else {
            let status = forwarded.status().as_u16();
            (status, forwarded.bytes().await.unwrap().to_vec())
        };
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let app = axum::Router::new().fallback(relay);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("{origin}{}", &mock.base_url()[mock.url().len()..])
}

fn client_at(base_url: &str) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Whether the first `deleted` results are deleted and the others failed with `status`.
#[track_caller]
fn assert_first_deleted(
    results: &[langsmith_control_plane::DeleteResult],
    deleted: usize,
    status: u16,
) {
    for (n, result) in results.iter().enumerate() {
        if n < deleted {
            assert!(
                matches!(result.outcome, DeleteOutcome::Deleted),
                "result {n}: {results:?}"
            );
        } else {
            assert!(
                matches!(result.outcome.error(), Some(error) if error.status() == Some(status)),
                "result {n}: {results:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_server_error_after_deleting_some_reports_those_deleted_by_reading_them_again() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 6);
    let base = deleting_half_then(&mock, 500, |_, _| {
        r#"{"detail": "Internal Server Error"}"#.into()
    })
    .await;
    let results = client_at(&base).deployments().delete_many(&ids).await;
    assert_eq!(results.len(), 6);
    assert_first_deleted(&results, 3, 500);
    let statuses: Vec<_> = mock
        .deployments()
        .iter()
        .map(|d| d.status.clone())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == DeploymentStatus::AwaitingDelete)
            .count(),
        3,
        "the proxy deleted half: {statuses:?}"
    );
}

#[tokio::test]
async fn a_partial_response_of_another_shape_is_settled_by_reading_each_deployment_again() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 5);
    let other_shape = |deleted: &[&str], kept: &[&str]| {
        serde_json::json!({
            "deleted_ids": deleted,
            "errors": kept.iter().map(|id| serde_json::json!({"id": id, "message": "busy"})).collect::<Vec<_>>(),
        })
        .to_string()
    };
    let base = deleting_half_then(&mock, 207, other_shape).await;
    let results = client_at(&base).deployments().delete_many(&ids).await;
    assert_first_deleted(&results, 3, 207);
}

/// A deployment read as `status` by a scripted server.
fn deployment_in(status: &str) -> crate::support::Reply {
    let mut body = crate::support::deployment(None);
    body["status"] = serde_json::json!(status);
    crate::support::Reply::json(200, body)
}

/// Issue 20, 6: `AWAITING_FINAL_DELETE` is on the way to gone, like `AWAITING_DELETE`: a
/// deployment a failed bulk delete left unsure, read again in that status, was deleted.
#[tokio::test]
async fn a_deployment_awaiting_final_delete_counts_as_deleted_when_read_again() {
    use crate::support::{Reply, Server, d};
    let server = Server::start(|seen, _| match seen.method.as_str() {
        "DELETE" => Reply::json(500, serde_json::json!({"detail": "failed midway"})),
        _ => deployment_in("AWAITING_FINAL_DELETE"),
    })
    .await;
    let client = crate::support::builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let results = client.deployments().delete_many(&[d()]).await;
    assert!(results[0].outcome.is_deleted(), "{results:?}");
    let status = DeploymentStatus::from("AWAITING_FINAL_DELETE".to_string());
    assert!(langsmith_control_plane::is_being_deleted(&status));
    assert!(langsmith_control_plane::is_being_deleted(
        &DeploymentStatus::AwaitingDelete
    ));
    assert!(!langsmith_control_plane::is_being_deleted(
        &DeploymentStatus::Ready
    ));
}

/// Issue 20, 6: waiting for a deleted deployment rides `AWAITING_DELETE` and
/// `AWAITING_FINAL_DELETE` out, and ends on the deployment's own 404 (only the deployment is
/// read, never a revision).
#[tokio::test]
async fn waiting_until_gone_ends_on_the_deployments_404_after_awaiting_final_delete() {
    use crate::support::{Reply, Server, d};
    let server = Server::sequence(vec![
        deployment_in("AWAITING_DELETE"),
        deployment_in("AWAITING_FINAL_DELETE"),
        deployment_in("AWAITING_FINAL_DELETE"),
        Reply::json(404, serde_json::json!({"detail": "Deployment not found"})),
    ])
    .await;
    let client = crate::support::client(&server);
    let gone = client
        .deployments()
        .wait_until_gone(d(), Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(gone, GoneOutcome::Gone);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, vec![format!("/v2/deployments/{}", d()); 4]);
}
