//! Waiting on a revision: every outcome, transient errors, timing, and the watch stream.
//! The clock is paused, so waits of many minutes take milliseconds.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use langsmith_control_plane::{Backoff, Error, RevisionOutcome, WaitEvent, WaitOptions};
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

/// When each poll came (seconds since the server started) and the status it was answered.
type Polls = Arc<Mutex<Vec<(f64, String)>>>;

/// A revision that spends `life` (status, seconds) in turn from the moment the server starts,
/// then is DEPLOYED; the server notes every poll.
async fn timeline(life: &[(&'static str, f64)]) -> (Server, Polls) {
    let life = life.to_vec();
    recorded(move |elapsed, _| {
        let mut end = 0.0;
        for (status, length) in &life {
            end += length;
            if elapsed < end {
                return Reply::json(200, revision(status));
            }
        }
        Reply::json(200, revision("DEPLOYED"))
    })
    .await
}

/// A server answering `script(seconds since start, request number)`, noting every poll.
async fn recorded(script: impl Fn(f64, usize) -> Reply + Send + Sync + 'static) -> (Server, Polls) {
    let start = tokio::time::Instant::now();
    let polls: Polls = Arc::default();
    let log = polls.clone();
    let server = Server::start(move |_, n| {
        let elapsed = start.elapsed().as_secs_f64();
        let reply = script(elapsed, n);
        let status = match &reply {
            Reply::Full {
                status: 200, body, ..
            } => {
                let body: serde_json::Value = serde_json::from_str(body).unwrap();
                body["status"].as_str().unwrap_or_default().to_string()
            }
            Reply::Full { status, .. } => status.to_string(),
            _ => "?".into(),
        };
        log.lock().unwrap().push((elapsed, status));
        reply
    })
    .await;
    (server, polls)
}

/// The intervals between polls, to the millisecond.
fn intervals(polls: &Polls) -> Vec<f64> {
    let polls = polls.lock().unwrap();
    polls
        .windows(2)
        .map(|pair| ((pair[1].0 - pair[0].0) * 1000.0).round() / 1000.0)
        .collect()
}

fn statuses_seen(polls: &Polls) -> Vec<String> {
    polls
        .lock()
        .unwrap()
        .iter()
        .map(|(_, s)| s.clone())
        .collect()
}

/// The slow schedule without jitter: 2 s growing 1.5x, then 30 s (tokio's timers round up to
/// the next millisecond: 15.1875 s and 22.78125 s sleep 15.188 s and 22.782 s).
const SLOW: [f64; 8] = [2.0, 3.0, 4.5, 6.75, 10.125, 15.188, 22.782, 30.0];
/// The fast schedule without jitter: 2 s growing 1.5x, then 8 s.
const FAST: [f64; 5] = [2.0, 3.0, 4.5, 6.75, 8.0];

#[tokio::test(start_paused = true)]
async fn slow_while_queued_and_building_fast_once_awaiting_deploy_or_deploying() {
    let (server, polls) = timeline(&[
        ("QUEUED", 20.0),
        ("BUILDING", 100.0),
        ("AWAITING_DEPLOY", 20.0),
        ("DEPLOYING", 40.0),
    ])
    .await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
    // Slow until the poll at 124.3 s sees AWAITING_DEPLOY, fast from then on (not restarting at
    // DEPLOYING, first seen at 140.6 s): DEPLOYED at 180 s is seen at 180.6 s.
    let mut expected = SLOW.to_vec();
    expected.push(30.0);
    expected.extend(FAST);
    expected.extend([8.0; 4]);
    assert_eq!(intervals(&polls), expected);
    let seen = statuses_seen(&polls);
    assert_eq!(seen[9], "AWAITING_DEPLOY");
    assert_eq!(seen[13], "DEPLOYING");
    assert_eq!(seen.last().unwrap(), "DEPLOYED");
    let last = polls.lock().unwrap().last().unwrap().0;
    assert!((last - 180.6).abs() < 0.01, "DEPLOYED seen at {last}");
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_starts_while_deploying_polls_fast_at_once() {
    let (server, polls) = timeline(&[("DEPLOYING", 20.0)]).await;
    client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    // 0, 2, 5, 9.5, 16.25, 24.25: DEPLOYED at 20 s seen 4.25 s late (the old default: 6.4 s).
    assert_eq!(intervals(&polls), [2.0, 3.0, 4.5, 6.75, 8.0]);
}

#[tokio::test(start_paused = true)]
async fn a_short_status_that_overstays_goes_back_to_the_slow_schedule() {
    // AWAITING_DEPLOY for 7 minutes, far past its 5-minute window; then DEPLOYING, with a
    // window of its own.
    let (server, polls) = timeline(&[
        ("BUILDING", 10.0),
        ("AWAITING_DEPLOY", 420.0),
        ("DEPLOYING", 60.0),
    ])
    .await;
    client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    let seen = statuses_seen(&polls);
    let times: Vec<f64> = polls.lock().unwrap().iter().map(|(t, _)| *t).collect();
    let gaps = intervals(&polls);
    let first_awaiting = seen.iter().position(|s| s == "AWAITING_DEPLOY").unwrap();
    let first_deploying = seen.iter().position(|s| s == "DEPLOYING").unwrap();
    assert_eq!(times[first_awaiting], 16.25);
    // Fast for 5 minutes of AWAITING_DEPLOY: from 16.25 s to the poll at 320.5 s.
    let overstayed = times.iter().position(|t| *t > 16.25 + 300.0).unwrap();
    assert_eq!(times[overstayed], 320.5);
    assert_eq!(gaps[first_awaiting..first_awaiting + 5], FAST);
    assert!(
        gaps[first_awaiting + 4..overstayed]
            .iter()
            .all(|g| *g == 8.0)
    );
    // Then slow, at the interval the poll count has reached: 30 s.
    assert_eq!(gaps[overstayed..first_deploying], [30.0; 4]);
    // DEPLOYING, first seen at 440.5 s, is polled fast (the fast schedule has grown to 8 s).
    assert_eq!(times[first_deploying], 440.5);
    assert_eq!(gaps[first_deploying..], [8.0; 7]);
    assert_eq!(seen.last().unwrap(), "DEPLOYED");
}

#[tokio::test(start_paused = true)]
async fn statuses_that_are_not_short_keep_the_slow_schedule() {
    let (server, polls) = timeline(&[
        ("CREATING", 10.0),
        ("AWAITING_BUILD", 10.0),
        ("PAUSED_FOR_REVIEW", 60.0),
        ("INTERRUPTED", 30.0),
        ("UNKNOWN", 30.0),
    ])
    .await;
    client(&server)
        .wait_for_revision(d(), r(), quick())
        .await
        .unwrap();
    let seen = statuses_seen(&polls);
    for status in [
        "CREATING",
        "AWAITING_BUILD",
        "PAUSED_FOR_REVIEW",
        "INTERRUPTED",
        "UNKNOWN",
    ] {
        assert!(
            seen.iter().any(|s| s == status),
            "{status} not seen: {seen:?}"
        );
    }
    let mut expected = SLOW.to_vec();
    expected.extend([30.0; 2]);
    assert_eq!(intervals(&polls), expected);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_stretches_the_fast_schedule_which_then_resumes() {
    let replies = [
        Reply::json(200, revision("DEPLOYING")),
        Reply::json(200, revision("DEPLOYING")),
        Reply::json(429, json!({"detail": "slow"})).with_header("retry-after", "20"),
        Reply::json(200, revision("DEPLOYING")),
        Reply::json(200, revision("DEPLOYED")),
    ];
    let (server, polls) = recorded(move |_, n| replies[n.min(4)].clone()).await;
    let client = builder(&server)
        .retry_policy(langsmith_control_plane::RetryPolicy::none())
        .build()
        .unwrap();
    let outcome = client.wait_for_revision(d(), r(), quick()).await.unwrap();
    assert!(outcome.is_deployed(), "{outcome:?}");
    // 2 and 3 s, then 20 s instead of 4.5, then the fast schedule goes on (6.75 s).
    assert_eq!(intervals(&polls), [2.0, 3.0, 20.0, 6.75]);
    assert_eq!(statuses_seen(&polls)[2], "429");
}

#[tokio::test(start_paused = true)]
async fn one_schedule_whatever_the_status_when_asked() {
    let life = [("DEPLOYING", 100.0)];
    let (server, polls) = timeline(&life).await;
    let options = WaitOptions::backoff_only().jitter(false);
    client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    assert_eq!(intervals(&polls), [&SLOW[..], &[30.0]].concat());

    let (server, polls) = timeline(&life).await;
    let options = quick().fixed_interval(Duration::from_secs(7));
    client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    assert_eq!(intervals(&polls), [7.0; 15]);

    // A fast schedule of one's own, and a window of nothing: never fast.
    let (server, polls) = timeline(&[("BUILDING", 6.0), ("DEPLOYING", 10.0)]).await;
    let options = quick().fast_backoff(Backoff::fixed(Duration::from_secs(1)));
    client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    assert_eq!(
        intervals(&polls),
        [2.0, 3.0, 4.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    );

    let (server, polls) = timeline(&[("DEPLOYING", 30.0)]).await;
    let options = quick().fast_for(Duration::ZERO);
    client(&server)
        .wait_for_revision(d(), r(), options)
        .await
        .unwrap();
    assert_eq!(intervals(&polls), SLOW[..6]);
}

#[tokio::test(start_paused = true)]
async fn a_thirty_minute_wait_stays_within_the_documented_budget() {
    // The most fast polling a wait can be made to do: each short status for its whole window,
    // then one of them until the timeout. Jitter on: intervals as short as they get.
    let (server, polls) = timeline(&[("AWAITING_DEPLOY", 300.0), ("DEPLOYING", 3600.0)]).await;
    let outcome = client(&server)
        .wait_for_revision(d(), r(), WaitOptions::default())
        .await
        .unwrap();
    assert_eq!(outcome.kind(), "timed_out");
    let count = polls.lock().unwrap().len();
    // 160 is the bound the WaitOptions docs give; polling every 8 s throughout would be 226.
    assert!(count <= 160, "{count} polls in 30 minutes");
    assert!(
        count >= 100,
        "{count} polls: the short statuses were not polled fast"
    );
}

/// Which layer reports a transient failure during a wait: the client's retry policy retries it
/// inside the poll, unseen by the watch; a poll whose retries all failed is one `PollFailed`.
#[tokio::test(start_paused = true)]
async fn a_failure_a_retry_cures_is_not_reported_one_that_outlasts_the_retries_is() {
    use langsmith_control_plane::types::DeploymentCreateRequest;
    use langsmith_control_plane::{Client, RetryPolicy};
    use langsmith_control_plane_mock::{Fault, MockServer, Timing};

    // (retries, 503s in a row, polls reported failed)
    for (retries, faults, reported) in [(3, 1, 0), (3, 4, 1), (0, 1, 1), (0, 2, 2)] {
        let mock = MockServer::builder()
            .timing(Timing::fast())
            .start()
            .await
            .unwrap();
        let client = Client::builder()
            .api_key("test")
            .base_url(mock.base_url())
            .http_client(langsmith_control_plane::http_client_builder().pool_max_idle_per_host(0))
            .retry_policy(RetryPolicy::default().max_retries(retries))
            .build()
            .unwrap();
        let request = DeploymentCreateRequest::image("waited", "ghcr.io/acme/agent:1");
        let deployment = client.deployments().create(request).await.unwrap();
        mock.inject(Fault::status(503).on("get_revision").times(faults));
        let options = quick().fixed_interval(Duration::from_secs(1));
        let revision_id = deployment.latest_revision_id.unwrap();
        let events: Vec<WaitEvent> = client
            .watch_revision(deployment.id, revision_id, options)
            .map(Result::unwrap)
            .collect()
            .await;
        let failed: Vec<Option<u16>> = events
            .iter()
            .filter_map(|event| match event {
                WaitEvent::PollFailed(error) => Some(error.status()),
                _ => None,
            })
            .collect();
        let case = format!("{retries} retries, {faults} faults");
        assert_eq!(failed, vec![Some(503); reported], "{case}");
        assert!(
            matches!(events.last(), Some(WaitEvent::Finished(outcome)) if outcome.is_deployed()),
            "{case}: {events:?}"
        );
        let sent = mock.requests_for("get_revision").len();
        assert!(sent > faults as usize, "{case}: {sent} polls and retries");
    }
}
