//! Paged listings: lazy, exact request counts, caps, misbehaving servers, log cursors.

use crate::support;

use std::sync::Arc;

use futures::StreamExt;
use langsmith_control_plane::Error;
use langsmith_control_plane::types::{LogType, RevisionStatus};

/// The largest page the list operations accept.
const MAX_PAGE_SIZE: u32 = 100;
use crate::support::{Reply, Seen, Server, client, d, r};
use serde_json::{Value, json};

fn revision_n(n: usize) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"), "created_at": "2026-11-02T14:05:31Z",
        "updated_at": "2026-11-02T14:09:12Z", "status": "DEPLOYED", "source": "github", "source_revision_config": {}
    })
}

/// A server holding `total` revisions that honours limit and offset.
async fn revisions_server(total: usize) -> Server {
    Server::start(move |seen: &Seen, _| {
        let limit: usize = seen
            .query_param("limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        let offset: usize = seen
            .query_param("offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let page: Vec<Value> = (offset..total.min(offset + limit))
            .map(revision_n)
            .collect();
        Reply::json(200, json!({"resources": page, "offset": offset}))
    })
    .await
}

#[tokio::test]
async fn two_hundred_fifty_revisions_take_three_requests() {
    let server = revisions_server(250).await;
    let all = client(&server)
        .revisions(d())
        .list()
        .collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(
        all[0].id.to_string(),
        "00000000-0000-4000-8000-000000000000"
    );
    assert_eq!(
        all[249].id.to_string(),
        "00000000-0000-4000-8000-000000000249"
    );
    let asked: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|s| {
            (
                s.query_param("offset").unwrap(),
                s.query_param("limit").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        asked,
        [
            ("0".into(), "100".into()),
            ("100".into(), "100".into()),
            ("200".into(), "100".into())
        ]
    );
}

#[tokio::test]
async fn an_exact_multiple_ends_on_an_empty_page() {
    let server = revisions_server(200).await;
    let all = client(&server)
        .revisions(d())
        .list()
        .collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 200);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn a_cap_never_fetches_more_than_asked() {
    let server = revisions_server(250).await;
    let some = client(&server)
        .revisions(d())
        .list()
        .max_items(120)
        .collect()
        .await
        .unwrap();
    assert_eq!(some.len(), 120);
    let limits: Vec<String> = server
        .requests()
        .iter()
        .map(|s| s.query_param("limit").unwrap())
        .collect();
    assert_eq!(limits, ["100", "20"]);
}

#[tokio::test]
async fn pages_are_fetched_only_as_the_stream_is_read() {
    let server = revisions_server(250).await;
    let client = client(&server);
    let stream = client.revisions(d()).list().page_size(10).stream();
    futures::pin_mut!(stream);
    for _ in 0..15 {
        stream.next().await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 2, "15 items of 10-item pages need 2 pages");
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_is_detected() {
    let server = Server::start(|_, _| {
        let page: Vec<Value> = (0..100).map(revision_n).collect();
        Reply::json(200, json!({"resources": page, "offset": 0}))
    })
    .await;
    let err = client(&server)
        .revisions(d())
        .list()
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert!(err.to_string().contains("ignore the offset"), "{err}");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn an_item_repeated_by_a_shifting_listing_is_yielded_once() {
    // A revision created during the listing pushes the last item of page 1 onto page 2.
    let server = Server::start(|seen: &Seen, _| {
        let offset: usize = seen.query_param("offset").unwrap().parse().unwrap();
        let page: Vec<Value> = if offset == 0 {
            (0..3).map(revision_n).collect()
        } else {
            (2..4).map(revision_n).collect()
        };
        Reply::json(200, json!({"resources": page, "offset": offset}))
    })
    .await;
    let all = client(&server)
        .revisions(d())
        .list()
        .page_size(3)
        .collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
}

#[tokio::test]
async fn the_status_filter_is_sent_comma_separated() {
    let server = revisions_server(0).await;
    client(&server)
        .revisions(d())
        .list()
        .status([RevisionStatus::Building, RevisionStatus::Queued])
        .collect()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].query_param("status").as_deref(),
        Some("BUILDING,QUEUED")
    );
}

#[tokio::test]
async fn deployments_and_listeners_page_the_same_way() {
    let deployment = |n: usize| {
        let mut value = support::deployment(None);
        value["id"] = json!(format!("00000000-0000-4000-8000-{n:012}"));
        value
    };
    let server = Server::start(move |seen: &Seen, _| {
        let limit: usize = seen.query_param("limit").unwrap().parse().unwrap();
        let offset: usize = seen.query_param("offset").unwrap().parse().unwrap();
        let page: Vec<Value> = (offset..130.min(offset + limit)).map(deployment).collect();
        Reply::json(200, json!({"resources": page, "offset": offset}))
    })
    .await;
    let all = client(&server)
        .deployments()
        .list()
        .name_contains("agent")
        .collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 130);
    assert_eq!(server.count(), 2);
    assert_eq!(
        server.requests()[0].query_param("name_contains").as_deref(),
        Some("agent")
    );

    let server = Server::sequence(vec![Reply::json(
        200,
        json!({"resources": [], "offset": 0}),
    )])
    .await;
    assert!(
        client(&server)
            .listeners()
            .list()
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(server.requests()[0].path, "/v2/listeners");
}

#[tokio::test]
async fn page_size_bounds_are_checked() {
    let server = revisions_server(5).await;
    for size in [0, MAX_PAGE_SIZE + 1] {
        let err = client(&server)
            .revisions(d())
            .list()
            .page_size(size)
            .collect()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{size}");
    }
    assert_eq!(server.count(), 0);
}

fn log_page(entries: std::ops::Range<usize>, next: Option<&str>) -> Reply {
    let logs: Vec<Value> =
        entries.map(|n| json!({"timestamp": format!("2026-11-02T14:06:{:02}Z", n % 60), "message": format!("line {n}"), "level": "INFO"})).collect();
    Reply::json(200, json!({"logs": logs, "next_offset": next}))
}

#[tokio::test]
async fn logs_follow_the_cursor_until_it_runs_out() {
    let server = Server::start(
        |seen: &Seen, _| match seen.query_param("offset").as_deref() {
            None => log_page(0..3, Some("c1")),
            Some("c1") => log_page(3..6, Some("c2")),
            Some("c2") => log_page(6..7, None),
            Some(other) => panic!("unexpected cursor {other}"),
        },
    )
    .await;
    let entries = client(&server)
        .revisions(d())
        .logs(r(), LogType::Build)
        .collect()
        .await
        .unwrap();
    let messages: Vec<&str> = entries.iter().map(|e| e.message().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6"
        ]
    );
    assert_eq!(server.count(), 3);
    let first = &server.requests()[0];
    assert_eq!(
        first.path,
        format!("/v2/deployments/{}/revisions/{}/logs", d(), r())
    );
    assert_eq!(first.query_param("type").as_deref(), Some("build"));
}

#[tokio::test]
async fn a_log_cursor_that_does_not_move_is_an_error_not_a_loop() {
    let server = Server::sequence(vec![log_page(0..2, Some("same"))]).await;
    let err = client(&server)
        .revisions(d())
        .logs(r(), LogType::Deploy)
        .collect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn following_logs_reads_new_entries_until_the_revision_is_final() {
    // The log grows between reads; the revision finishes after the second read of the tail.
    let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reads.clone();
    let server = Server::start(move |seen: &Seen, _| {
        if !seen.path.ends_with("/logs") {
            let done = counter.load(std::sync::atomic::Ordering::SeqCst) >= 2;
            return Reply::json(
                200,
                support::revision(if done { "DEPLOYED" } else { "DEPLOYING" }),
            );
        }
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match n {
            0 => log_page(0..2, None),
            1 => log_page(0..3, None),
            _ => log_page(0..5, None),
        }
    })
    .await;
    let entries = client(&server)
        .revisions(d())
        .logs(r(), LogType::Deploy)
        .follow(std::time::Duration::from_millis(10))
        .collect()
        .await
        .unwrap();
    let messages: Vec<&str> = entries.iter().map(|e| e.message().unwrap()).collect();
    assert_eq!(
        messages,
        ["line 0", "line 1", "line 2", "line 3", "line 4"],
        "each entry once"
    );
}

/// Whether a server answers `offset` as where the page started or (as upstream documents it)
/// where the next one starts, the listing is the same: paging counts items itself.
#[tokio::test]
async fn either_meaning_of_the_answered_offset_lists_the_same_items() {
    for next_page_offset in [false, true] {
        let server = Server::start(move |seen: &Seen, _| {
            let limit: usize = seen.query_param("limit").unwrap().parse().unwrap();
            let offset: usize = seen.query_param("offset").unwrap().parse().unwrap();
            let page: Vec<Value> = (offset..250.min(offset + limit)).map(revision_n).collect();
            let answered = if next_page_offset {
                offset + page.len()
            } else {
                offset
            };
            Reply::json(200, json!({"resources": page, "offset": answered}))
        })
        .await;
        let all = client(&server)
            .revisions(d())
            .list()
            .collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 250, "next-page offset: {next_page_offset}");
        let asked: Vec<String> = server
            .requests()
            .iter()
            .map(|s| s.query_param("offset").unwrap())
            .collect();
        assert_eq!(
            asked,
            ["0", "100", "200"],
            "next-page offset: {next_page_offset}"
        );
    }
}

/// `tail(n)` is the end of a log in time order: the last `n` entries of a full read, whatever
/// order was set before, over as many pages as it takes.
#[tokio::test]
async fn a_tail_is_the_last_entries_oldest_first() {
    use langsmith_control_plane::types::LogOrder;
    use langsmith_control_plane_mock::{MockServer, Timing, github_deployment_request};

    let mock = MockServer::builder()
        .timing(Timing::instant())
        .start()
        .await
        .unwrap();
    mock.fail_next_revision(RevisionStatus::BuildFailed);
    let client = langsmith_control_plane::Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let deployment = client
        .deployments()
        .create(github_deployment_request("tail"))
        .await
        .unwrap();
    let revision_id = deployment.latest_revision_id.unwrap();
    let logs = client
        .revisions(deployment.id)
        .logs(revision_id, LogType::Build);
    let all = logs.clone().collect().await.unwrap();
    assert!(all.len() >= 4, "{all:?}");
    for n in [0, 1, 3, all.len(), all.len() + 5] {
        let tail = logs
            .clone()
            .order(LogOrder::Asc)
            .page_size(2)
            .tail(n)
            .await
            .unwrap();
        assert_eq!(tail, all[all.len().saturating_sub(n)..], "tail({n})");
    }
}

/// A server that always sends a full page of new revisions cannot keep a listing going
/// forever: it stops at the ceiling with an error naming it.
#[tokio::test]
async fn endless_full_pages_stop_at_the_ceiling() {
    // 100,000 revisions: written from one revision's text around its ID, as building each as a
    // `Value` took as long, at debug speed, as the client's decoding them.
    let text = support::revision("DEPLOYED").to_string();
    let (before, after) = text.split_at(text.find(support::R).unwrap());
    let (before, after) = (before.to_string(), after[support::R.len()..].to_string());
    let server = Server::start(move |seen, n| {
        let limit: usize = seen.query_param("limit").unwrap().parse().unwrap();
        let page: Vec<String> = (0..limit)
            .map(|i| {
                let id = uuid::Uuid::from_u128((n * limit + i) as u128 + 1);
                format!("{before}{id}{after}")
            })
            .collect();
        Reply::json(
            200,
            format!(r#"{{"resources":[{}],"offset":0}}"#, page.join(",")),
        )
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
