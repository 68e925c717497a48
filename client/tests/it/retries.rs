//! Retry policy: what is retried, how often, how long it waits, and what is never repeated.

use crate::support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{Reply, Server, client, d, deployment, r, revision};
use langsmith_control_plane::types::DeploymentPatchRequest;
use langsmith_control_plane::{Error, RetryPolicy};
use serde_json::json;

fn unavailable() -> Reply {
    Reply::json(503, json!({"detail": "unavailable"}))
}

#[tokio::test]
async fn a_get_is_retried_through_transient_failures() {
    let server = Server::sequence(vec![
        unavailable(),
        Reply::Close,
        Reply::json(502, "{}"),
        Reply::json(200, revision("BUILDING")),
    ])
    .await;
    let got = client(&server).get_revision(d(), r()).await.unwrap();
    assert_eq!(got.status.as_str(), "BUILDING");
    assert_eq!(server.count(), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn retries_stop_at_the_configured_count() {
    let server = Server::sequence(vec![unavailable()]).await;
    let err = client(&server).get_revision(d(), r()).await.unwrap_err();
    assert!(
        matches!(err, Error::Server(ref api) if api.status == 503),
        "{err:?}"
    );
    assert_eq!(server.count(), 4);

    let server = Server::sequence(vec![unavailable()]).await;
    let client = support::builder(&server)
        .retry_policy(support::fast_retries().max_retries(1))
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap_err();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn no_retries_means_one_attempt() {
    let server = Server::sequence(vec![unavailable()]).await;
    let client = support::builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap_err();
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_500_is_retried_for_get_only() {
    let server = Server::sequence(vec![
        Reply::json(500, "{}"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    client(&server).get_revision(d(), r()).await.unwrap();
    assert_eq!(server.count(), 2);

    let server = Server::sequence(vec![Reply::json(500, "{}")]).await;
    client(&server)
        .deployments()
        .delete(d(), false)
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1, "DELETE is not retried on 500");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = Server::sequence(vec![Reply::json(status, json!({"detail": "no"}))]).await;
        client(&server).get_revision(d(), r()).await.unwrap_err();
        assert_eq!(server.count(), 1, "status {status}");
    }
}

#[tokio::test]
async fn a_post_that_was_sent_is_never_repeated() {
    for reply in [
        unavailable(),
        Reply::json(429, "{}"),
        Reply::json(502, "{}"),
        Reply::Close,
    ] {
        let server = Server::sequence(vec![
            reply.clone(),
            Reply::json(200, deployment(Some(support::R))),
        ])
        .await;
        let err = client(&server)
            .revisions(d())
            .redeploy(r())
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{reply:?} -> {err}");
    }
}

#[tokio::test]
async fn a_patch_that_was_sent_is_never_repeated() {
    for reply in [unavailable(), Reply::Close, Reply::json(504, "{}")] {
        let server = Server::sequence(vec![
            reply.clone(),
            Reply::json(200, deployment(Some(support::R))),
        ])
        .await;
        client(&server)
            .deployments()
            .update(d(), DeploymentPatchRequest::default())
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{reply:?}");
    }
}

#[tokio::test]
async fn a_post_whose_connection_failed_before_sending_is_retried() {
    // Reserve a port, leave it closed so the first attempt is refused, then start serving on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(300))
        .max_backoff(Duration::from_millis(300))
        .jitter(false);
    let client = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(policy)
        .build()
        .unwrap();
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        Server::serve(
            listener,
            Arc::new(|_, _| Reply::json(200, deployment(Some(support::R)))),
        )
    });
    let deployment = client.revisions(d()).redeploy(r()).await.unwrap();
    let server = late.await.unwrap();
    assert_eq!(deployment.latest_revision_id, Some(r()));
    assert_eq!(server.count(), 1, "exactly one POST reached the server");
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = Server::sequence(vec![
        Reply::json(429, json!({"detail": "slow down"})).with_header("retry-after", "1"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let started = Instant::now();
    client(&server).get_revision(d(), r()).await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let server = Server::sequence(vec![
        Reply::json(503, "{}").with_header("retry-after", &when),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let started = Instant::now();
    client(&server).get_revision(d(), r()).await.unwrap();
    let waited = started.elapsed();
    // The date has one-second resolution, so the wait is between 1 and 2 seconds.
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let server = Server::sequence(vec![
        Reply::json(429, json!({"detail": "later"})).with_header("retry-after", "120"),
    ])
    .await;
    let client = support::builder(&server)
        .retry_policy(support::fast_retries().max_elapsed(Some(Duration::from_secs(5))))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.count(), 1);
    let Error::RateLimited(api) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        api.retry_after,
        Some(Duration::from_secs(120)),
        "the caller learns how long to wait"
    );
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("BUILDING")).after(Duration::from_secs(3)),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let client = support::builder(&server)
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let got = client.get_revision(d(), r()).await.unwrap();
    assert_eq!(got.status.as_str(), "DEPLOYED");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_body_cut_short_is_retried_for_get() {
    let server = Server::sequence(vec![
        Reply::CutBody {
            status: 200,
            declared: 400,
            sent: "{\"id\":".into(),
        },
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    client(&server).get_revision(d(), r()).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn an_oversized_error_page_does_not_spoil_the_retry_that_succeeds() {
    // The 502 page is dropped for its size and retried; the answer that follows is what counts.
    let server = Server::sequence(vec![
        Reply::Huge {
            status: 502,
            size: 20 * 1024 * 1024,
        },
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let got = client(&server).get_revision(d(), r()).await;
    assert_eq!(got.unwrap().status.as_str(), "DEPLOYED");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn backoff_waits_grow() {
    let server = Server::sequence(vec![unavailable()]).await;
    let policy = RetryPolicy::default()
        .max_retries(3)
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(200))
        .jitter(false);
    let client = support::builder(&server)
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    client.get_revision(d(), r()).await.unwrap_err();
    // 50 + 100 + 200 ms of backoff (150 ms if it did not grow).
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(350), "{waited:?}");
    assert!(waited < Duration::from_millis(2000), "{waited:?}");
}

/// A `Retry-After` too large to add to a clock reading ends the call with the server's error
/// instead of a panic ("overflow when adding duration to instant").
#[tokio::test]
async fn a_huge_retry_after_is_an_error_not_a_panic() {
    // A wait no deadline allows, however written, is not made; unreadable text is ignored.
    let cases = [
        ("18446744073709551615", 1),
        ("18446744073709551616", 1),
        ("1e300", 1),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 1),
        ("soon", 4),
    ];
    // All at once: each ends with a wait timing out.
    futures::future::join_all(cases.map(|(value, attempts)| async move {
        let server = Server::sequence(vec![
            Reply::json(503, "{}").with_header("retry-after", value),
        ])
        .await;
        let client = support::client(&server);
        let started = Instant::now();
        let err = client.get_revision(d(), r()).await.unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{value}: {err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{value}: waited"
        );
        assert_eq!(
            server.count(),
            attempts,
            "{value}: a wait past the deadline is not made"
        );

        let outcome = client
            .wait_for_revision(
                d(),
                r(),
                langsmith_control_plane::WaitOptions::default().timeout(Duration::from_millis(300)),
            )
            .await
            .unwrap();
        assert_eq!(outcome.kind(), "timed_out", "{value}");
    }))
    .await;
}

/// The first DELETE deletes but its response comes after the request timeout; the retry gets
/// 404. The deployment is gone either way, so the delete succeeds.
#[tokio::test]
async fn a_retried_delete_that_finds_nothing_has_deleted() {
    let server = Server::sequence(vec![
        Reply::json(204, "").after(Duration::from_secs(2)),
        Reply::json(404, json!({"detail": "Deployment not found"})),
    ])
    .await;
    let client = support::builder(&server)
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    client.deployments().delete(d(), false).await.unwrap();
    assert_eq!(server.count(), 2);
}

/// A 404 on the first and only attempt is still "not found".
#[tokio::test]
async fn a_delete_of_a_missing_deployment_is_not_found() {
    let server = Server::sequence(vec![Reply::json(404, json!({"detail": "nope"}))]).await;
    let err = support::client(&server)
        .deployments()
        .delete(d(), false)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}
