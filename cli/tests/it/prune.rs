//! `lscp deployment prune` against the mock: selection by prefix, age and exceptions; never
//! without --yes off a terminal; bulk deletes of at most 100; a line per ID; --wait.

use crate::support;

use std::time::Duration;

use langsmith_control_plane_mock::MockServer;
use support::{Fault, Harness, KEY, Timing};

use crate::deploy::running::Running;

fn names(run: &support::Run, result: &str) -> Vec<String> {
    let mut names: Vec<String> = run
        .json_lines()
        .into_iter()
        .filter(|line| line["result"] == result)
        .map(|line| line["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn delete_requests(h: &Harness) -> Vec<usize> {
    h.mock
        .requests_for("delete_deployments")
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

#[test]
fn a_dry_run_lists_by_prefix_age_and_exceptions_and_deletes_nothing() {
    let h = Harness::start();
    for name in ["pr-1", "pr-2", "pr-3", "main", "my-pr-4"] {
        h.seed(name);
    }
    let old = h.seed("pr-old");
    h.mock
        .set_deployment_created_at(old.id, chrono::Utc::now() - chrono::Duration::days(8));
    let run = h.run(&[
        "-o",
        "json",
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--except",
        "pr-2",
        "--dry-run",
    ]);
    run.code(0);
    assert_eq!(names(&run, "would_delete"), ["pr-1", "pr-3", "pr-old"]);
    let aged = h.run(&[
        "-o",
        "json",
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--older-than",
        "7d",
        "--dry-run",
    ]);
    assert_eq!(names(&aged, "would_delete"), ["pr-old"]);
    assert!(delete_requests(&h).is_empty());
    assert_eq!(h.mock.deployments().len(), 6);
}

#[test]
fn without_yes_off_a_terminal_nothing_is_sent_and_the_exit_code_is_2() {
    let h = Harness::start();
    h.seed("pr-1");
    let run = h.run(&["deployment", "prune", "--name-prefix", "pr-"]);
    run.code(2).keeps_key_secret();
    run.stderr_has("without --yes").stderr_has("not a terminal");
    h.assert_no_request();
}

#[test]
fn an_empty_prefix_is_a_usage_error() {
    let h = Harness::start();
    h.run(&["deployment", "prune", "--name-prefix", " ", "--yes"])
        .code(2)
        .stderr_has("every deployment");
    h.assert_no_request();
}

#[test]
fn yes_deletes_in_batches_of_at_most_100_and_reports_each() {
    let h = Harness::with(MockServer::builder().timing(Timing::realistic()));
    for i in 0..120 {
        h.seed(&format!("pr-{i}"));
    }
    h.seed("main");
    let run = h.run(&[
        "-o",
        "json",
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--yes",
    ]);
    run.code(0).keeps_key_secret();
    assert_eq!(names(&run, "deleted").len(), 120);
    let mut sizes = delete_requests(&h);
    sizes.sort();
    assert_eq!(sizes, [20, 100]);
    let left: Vec<_> = h
        .mock
        .deployments()
        .into_iter()
        .filter(|d| d.status.as_str() != "AWAITING_DELETE")
        .map(|d| d.name)
        .collect();
    assert_eq!(left, ["main"]);
    // Already being deleted: reported, not deleted again.
    let again = h.run(&["deployment", "prune", "--name-prefix", "pr-", "--yes"]);
    again.code(0).stdout_has("already deleting pr-7 (");
    assert_eq!(delete_requests(&h).len(), 2);
}

#[test]
fn a_failed_deletion_is_reported_and_exits_1() {
    let h = Harness::start();
    h.seed("pr-1");
    h.mock
        .inject(Fault::status(500).on("delete_deployments").times(1));
    let run = h.run(&["deployment", "prune", "--name-prefix", "pr-", "--yes"]);
    run.code(1).keeps_key_secret();
    run.stdout_has("failed pr-1 (").stdout_has("500");
}

#[test]
fn a_server_error_after_deleting_half_reports_the_deleted_half_as_deleted() {
    // Deleted deployments stay AWAITING_DELETE for 10 s, not 100 ms: they are still there to
    // count after a slow run.
    let h = Harness::with(MockServer::builder().timing(Timing::realistic()));
    for name in ["pr-1", "pr-2", "pr-3", "pr-4"] {
        h.seed(name);
    }
    // A service that deletes the first half of a bulk delete's IDs, then fails.
    let base = support::relaying(&h.mock.base_url(), |request| {
        if request.method != "DELETE" || !request.path().ends_with("/v2/deployments") {
            return request.forward();
        }
        let ids = request.query_values("deployment_ids");
        let half: Vec<String> = ids[..ids.len() / 2]
            .iter()
            .map(|id| format!("deployment_ids={id}"))
            .collect();
        request.forward_to(&format!("{}?{}", request.path(), half.join("&")));
        (500, br#"{"detail": "Internal Server Error"}"#.to_vec())
    });
    let run = h.run_with(
        &[("LANGSMITH_CONTROL_PLANE_URL", &base)],
        &[
            "-o",
            "json",
            "deployment",
            "prune",
            "--name-prefix",
            "pr-",
            "--yes",
        ],
    );
    run.code(1).keeps_key_secret();
    let mut deleting: Vec<String> = h
        .mock
        .deployments()
        .into_iter()
        .filter(|d| d.status == langsmith_control_plane::types::DeploymentStatus::AwaitingDelete)
        .map(|d| d.name)
        .collect();
    deleting.sort();
    assert_eq!(deleting.len(), 2, "the proxy deleted half");
    assert_eq!(names(&run, "deleted"), deleting, "{}", run.stdout);
    assert_eq!(names(&run, "failed").len(), 2, "{}", run.stdout);
}

#[test]
fn wait_follows_each_deployment_until_it_is_gone() {
    // Gone 200 ms after the delete: before the second poll (250 ms) if the first sees it going.
    let mut timing = Timing::fast();
    timing.deleting = Duration::from_millis(100);
    let h = Harness::with(MockServer::builder().timing(timing));
    h.seed("pr-1");
    h.seed("pr-2");
    let run = h.run(&[
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--yes",
        "--wait",
    ]);
    run.code(0);
    run.stdout_has("deleted pr-1 (")
        .stdout_has("gone pr-1 (")
        .stdout_has("gone pr-2 (");
    assert!(h.mock.deployments().is_empty());
    assert!(!run.stdout.contains(KEY));
}

#[test]
fn wait_that_outlasts_its_timeout_exits_4() {
    let h = Harness::with(MockServer::builder().timing(Timing::realistic()));
    h.seed("pr-1");
    let run = h.run(&[
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--yes",
        "--wait",
        "--timeout",
        "300ms",
    ]);
    run.code(4)
        .stdout_has("timed out pr-1 (")
        .stdout_has("AWAITING_DELETE");
}

#[test]
fn wait_says_every_interval_which_deployments_are_still_going() {
    // Gone 1.1 s after the delete (seen at the poll 1.19 s in): 3 heartbeats before.
    let mut timing = Timing::fast();
    timing.deleting = Duration::from_millis(1000);
    let h = Harness::with(MockServer::builder().timing(timing));
    let one = h.seed("pr-1");
    let two = h.seed("pr-2");
    let run = h.run(&[
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--yes",
        "--wait",
        "--heartbeat-interval",
        "300ms",
    ]);
    run.code(0)
        .stdout_has("gone pr-1 (")
        .stdout_has("gone pr-2 (");
    let waiting: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("still waiting"))
        .collect();
    assert!(waiting.len() >= 2, "{}", run.stderr);
    let first = waiting[0];
    assert!(
        first.contains("still waiting for 2 deployments to be gone: "),
        "{}",
        run.stderr
    );
    for name in [format!("pr-1 ({})", one.id), format!("pr-2 ({})", two.id)] {
        assert!(first.contains(&name), "{name} in {}", run.stderr);
    }
    assert!(waiting[0].starts_with('['), "stamped: {}", run.stderr);
    assert!(!run.stdout.contains("still waiting"), "{}", run.stdout);
}

#[test]
fn wait_says_nothing_more_when_the_deployments_go_before_the_interval() {
    let mut timing = Timing::fast();
    timing.deleting = Duration::from_millis(100);
    let h = Harness::with(MockServer::builder().timing(timing));
    h.seed("pr-1");
    let run = h.run(&[
        "deployment",
        "prune",
        "--name-prefix",
        "pr-",
        "--yes",
        "--wait",
    ]);
    run.code(0).stdout_has("gone pr-1 (");
    assert!(!run.stderr.contains("still waiting"), "{}", run.stderr);
}

#[test]
fn the_heartbeat_interval_for_tests_is_not_in_the_help() {
    let help = support::run_with(&[], &["deployment", "prune", "--help"]);
    help.code(0);
    assert!(!help.stdout.contains("heartbeat"), "{}", help.stdout);
}

/// `--wait` stops on SIGINT and SIGTERM as every wait does: at once, exit 130 and 143.
#[test]
fn sigint_and_sigterm_while_waiting_exit_130_and_143() {
    let h = Harness::with(MockServer::builder().timing(Timing::realistic()));
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let prefix = format!("pr-{signal}");
        h.seed(&prefix);
        let mut command = h.lscp();
        command.args([
            "deployment",
            "prune",
            "--name-prefix",
            &prefix,
            "--yes",
            "--wait",
        ]);
        command.args(["--heartbeat-interval", "100ms"]);
        let mut running = Running::start(command);
        running.wait_for_line("still waiting", Duration::from_secs(30));
        running.signal(signal);
        running
            .end_within(Duration::from_secs(10))
            .code(code)
            .stderr_has("stopped waiting");
    }
}
