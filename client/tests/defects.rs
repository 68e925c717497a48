//! Regressions of defects found by trying the client against a hostile server: each test failed
//! before its fix.

mod support;

use std::time::{Duration, Instant};

use langsmith_control_plane::{Error, RetryPolicy, WaitOptions};
use serde_json::json;
use support::{Reply, Server, d, r, revision};

/// A `Retry-After` too large to add to a clock reading ends the call with the server's error
/// instead of a panic ("overflow when adding duration to instant").
#[tokio::test]
async fn a_huge_retry_after_is_an_error_not_a_panic() {
    // A wait no deadline allows, however written, is not made; unreadable text is ignored.
    for (value, attempts) in [
        ("18446744073709551615", 1),
        ("18446744073709551616", 1),
        ("1e300", 1),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 1),
        ("soon", 4),
    ] {
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
                WaitOptions::default().timeout(Duration::from_millis(300)),
            )
            .await
            .unwrap();
        assert_eq!(outcome.kind(), "timed_out", "{value}");
    }
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

/// A wait's timeout is a deadline: a poll still in flight is cut there, whatever the request
/// timeout (it took 21 s with a 2 s wait and a 5 s request timeout).
#[tokio::test]
async fn a_wait_ends_at_its_deadline_with_a_poll_in_flight() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("BUILDING")).after(Duration::from_secs(10)),
    ])
    .await;
    let client = support::builder(&server)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let outcome = client
        .wait_for_revision(
            d(),
            r(),
            WaitOptions::default().timeout(Duration::from_millis(500)),
        )
        .await
        .unwrap();
    assert_eq!(outcome.kind(), "timed_out");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

/// A server that always sends a full page of new revisions cannot keep a listing going
/// forever: it stops at the ceiling with an error naming it.
#[tokio::test]
async fn endless_full_pages_stop_at_the_ceiling() {
    let server = Server::start(|seen, n| {
        let limit: usize = seen.query_param("limit").unwrap().parse().unwrap();
        let page: Vec<_> = (0..limit)
            .map(|i| {
                let mut item = revision("DEPLOYED");
                item["id"] = json!(uuid::Uuid::from_u128((n * limit + i) as u128 + 1));
                item
            })
            .collect();
        Reply::json(200, json!({"resources": page, "offset": 0}))
    })
    .await;
    let client = support::client(&server);
    let listing = client.revisions(d()).list();
    let err = listing.collect().await.unwrap_err();
    let Error::Pagination { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("100000"), "{message}");
    assert_eq!(server.count(), 1000);
    assert_eq!(langsmith_control_plane::ListRevisions::CEILING, 100_000);
}

/// Log cursors that cycle A, B, A, B are caught at the first repeat.
#[tokio::test]
async fn cycling_log_cursors_stop_the_read() {
    let server = Server::start(|_, n| {
        let next = if n % 2 == 0 { "A" } else { "B" };
        Reply::json(
            200,
            json!({"logs": [{"message": format!("line {n}")}], "next_offset": next}),
        )
    })
    .await;
    let err = support::client(&server)
        .revisions(d())
        .logs(r(), langsmith_control_plane::types::LogType::Build)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert_eq!(server.count(), 3);
}

/// Error text names the path, never the query (a name filter can be private).
#[tokio::test]
async fn errors_carry_no_query() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .deployments()
        .list()
        .name_contains("private-project-name")
        .collect()
        .await
        .unwrap_err();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    assert!(text.contains("/v2/deployments"), "{text}");
    assert!(!text.contains("private-project-name"), "{text}");
}

/// A base URL that does not parse is not echoed: it may hold a password.
#[test]
fn a_bad_base_url_is_not_echoed() {
    let err = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url("https://user:hunter2@[not-a-host")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(err.to_string().contains("base url"), "{err}");
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
