//! Waiting on a revision: every outcome, transient errors, timing, and the watch stream.
//! The clock is paused, so waits of many minutes take milliseconds.

mod support;

use std::time::Duration;

use futures::StreamExt;
use langsmith_control_plane::{Error, RevisionOutcome, WaitEvent, WaitOptions};
use serde_json::json;
use support::{
    Reply, Server, d, deployment, paused_clock_builder as builder, paused_clock_client as client,
    r, revision,
};

fn statuses(list: &[&str]) -> Vec<Reply> {
    list.iter().map(|s| Reply::json(200, revision(s))).collect()
}

fn quick() -> WaitOptions {
    WaitOptions::default().jitter(false)
}

#[tokio::test(start_paused = true)]
async fn a_deployed_revision_ends_the_wait_with_success() {
    let server = Server::sequence(statuses(&[
        "QUEUED",
        "BUILDING",
        "BUILDING",
        "DEPLOYING",
        "DEPLOYED",
    ]))
    .await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
    assert_eq!(outcome.kind(), "deployed");
    assert_eq!(server.count(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_failed_revision_ends_the_wait_with_its_status() {
    let server = Server::sequence(statuses(&["BUILDING", "BUILD_FAILED"])).await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    let RevisionOutcome::Failed(revision) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(revision.status.as_str(), "BUILD_FAILED");
}

#[tokio::test(start_paused = true)]
async fn a_skipped_revision_is_superseded() {
    let server = Server::sequence(statuses(&["QUEUED", "SKIPPED"])).await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    assert!(
        matches!(outcome, RevisionOutcome::Superseded(_)),
        "{outcome:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_timeout_reports_the_last_status_seen() {
    let server = Server::sequence(statuses(&["BUILDING"])).await;
    let options = quick().timeout(Duration::from_secs(10 * 60));
    let started = tokio::time::Instant::now();
    let outcome = client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    let RevisionOutcome::TimedOut { last_seen, waited } = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(last_seen.as_ref().unwrap().status.as_str(), "BUILDING");
    assert_eq!(*waited, Duration::from_secs(600));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(600),
        "ends at the deadline, not after it"
    );
    assert_eq!(outcome.kind(), "timed_out");
}

#[tokio::test(start_paused = true)]
async fn passing_and_unknown_statuses_keep_the_wait_going() {
    let server = Server::sequence(statuses(&[
        "INTERRUPTED",
        "UNKNOWN",
        "PAUSED_FOR_REVIEW",
        "DEPLOYED",
    ]))
    .await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
    assert_eq!(server.count(), 4);
}

#[tokio::test(start_paused = true)]
async fn transient_errors_do_not_end_the_wait() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("BUILDING")),
        Reply::json(503, "{}"),
        Reply::json(503, "{}"),
        Reply::json(503, "{}"),
        Reply::json(503, "{}"),
        Reply::Close,
        Reply::json(429, json!({"detail": "slow"})).with_header("retry-after", "45"),
        Reply::json(500, "{}"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let client = builder(&server)
        .retry_policy(langsmith_control_plane::RetryPolicy::none())
        .build()
        .unwrap();
    let outcome = client.wait_for_revision(d(), r(), quick()).await.unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_stretches_the_next_poll() {
    let server = Server::sequence(vec![
        Reply::json(429, json!({"detail": "slow"})).with_header("retry-after", "45"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let client = builder(&server)
        .retry_policy(langsmith_control_plane::RetryPolicy::none())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.wait_for_revision(d(), r(), quick()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(45));
}

#[tokio::test(start_paused = true)]
async fn not_found_and_unauthorized_end_the_wait_at_once() {
    for status in [401, 403, 404] {
        let server = Server::sequence(vec![
            Reply::json(200, revision("BUILDING")),
            Reply::json(status, json!({"detail": "no"})),
        ])
        .await;
        let err = client(&server)
            .wait_for_revision(d(), r(), quick())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.count(), 2, "no polls after a {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn polls_back_off_from_two_seconds_to_the_cap() {
    let server = Server::sequence(statuses(&["BUILDING"])).await;
    let options = quick().timeout(Duration::from_secs(14 * 60));
    client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    // Immediate poll, then 2, 3, 4.5, 6.75, 10.1, 15.2, 22.8 s, then every 30 s.
    let polls = server.count();
    assert!((30..=40).contains(&polls), "{polls} polls in 14 minutes");
}

#[tokio::test(start_paused = true)]
async fn a_fourteen_minute_build_is_detected_within_thirty_seconds() {
    let build = Duration::from_secs(14 * 60);
    let start = tokio::time::Instant::now();
    let server = Server::start(move |_, _| {
        let status = if start.elapsed() >= build {
            "DEPLOYED"
        } else {
            "BUILDING"
        };
        Reply::json(200, revision(status))
    })
    .await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), WaitOptions::default())
        .await
        .unwrap();
    assert!(outcome.is_deployed());
    let lag = start.elapsed() - build;
    assert!(
        lag <= Duration::from_secs(30),
        "detected {lag:?} after the build finished"
    );
    assert!(server.count() <= 40, "{} requests", server.count());
}

#[tokio::test(start_paused = true)]
async fn the_watch_reports_each_change_once_then_the_outcome() {
    let server = Server::sequence(statuses(&[
        "QUEUED", "QUEUED", "BUILDING", "BUILDING", "DEPLOYED",
    ]))
    .await;
    let events: Vec<_> = client(&server)
        .watch_revision(d(), r(), quick())
        .collect()
        .await;
    let described: Vec<String> = events
        .iter()
        .map(|e| match e {
            Ok(WaitEvent::Status(rev)) => rev.status.to_string(),
            Ok(WaitEvent::Finished(outcome)) => format!("finished:{}", outcome.kind()),
            Ok(WaitEvent::PollFailed(err)) => format!("poll failed: {err}"),
            Ok(_) => "other".into(),
            Err(err) => format!("error: {err}"),
        })
        .collect();
    assert_eq!(
        described,
        ["QUEUED", "BUILDING", "DEPLOYED", "finished:deployed"]
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_watch_stops_polling() {
    let server = Server::sequence(statuses(&["QUEUED", "BUILDING"])).await;
    let client = client(&server);
    {
        let mut watch = Box::pin(client.watch_revision(d(), r(), quick()));
        assert!(matches!(watch.next().await, Some(Ok(WaitEvent::Status(_)))));
    }
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn waiting_on_a_deployments_latest_revision() {
    let server = Server::sequence(statuses(&["DEPLOYED"])).await;
    let deployment: langsmith_control_plane::types::Deployment =
        serde_json::from_value(deployment(Some(support::R))).unwrap();
    let outcome = client(&server)
        .wait_for_latest_revision(&deployment, quick())
        .await
        .unwrap();
    assert!(outcome.is_deployed());
    assert_eq!(
        server.requests()[0].path,
        format!("/v2/deployments/{}/revisions/{}", d(), r())
    );

    let empty: langsmith_control_plane::types::Deployment =
        serde_json::from_value(support::deployment(None)).unwrap();
    let err = client(&server)
        .wait_for_latest_revision(&empty, quick())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[tokio::test(start_paused = true)]
async fn invalid_wait_options_are_rejected_before_polling() {
    let server = Server::sequence(statuses(&["DEPLOYED"])).await;
    let options = WaitOptions::default().first_interval(Duration::ZERO);
    let err = client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_garbled_answer_or_two_do_not_end_the_wait() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("BUILDING")),
        Reply::json(200, "{\"id\": "),
        Reply::html(200, "<html>captive portal</html>"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
}

#[tokio::test(start_paused = true)]
async fn a_garbled_answer_that_persists_ends_the_wait_with_the_decode_error() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("BUILDING")),
        Reply::json(200, "[]"),
    ])
    .await;
    let err = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
    assert_eq!(server.count(), 4, "one good poll, then three garbled ones");
}
