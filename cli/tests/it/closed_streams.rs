//! A closed stdout or stderr (`lscp ... | head -1`, a log collector that went away) never panics
//! and never changes the exit code (CONTRACT section 8).

use crate::support;

use std::process::Stdio;

use support::{Harness, RevisionStatus, arg};
use uuid::Uuid;

/// The write end of a pipe whose read end is already closed: every write to it fails with EPIPE,
/// with no race against the reader.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer.into()
}

#[derive(Clone, Copy, Debug)]
enum Closed {
    Stdout,
    Stderr,
    Both,
}

/// Runs `lscp ARGS` against the mock with the `closed` streams; the other one is discarded.
fn exit_code(h: &Harness, closed: Closed, args: &[&str]) -> i32 {
    let (stdout, stderr) = match closed {
        Closed::Stdout => (closed_pipe(), Stdio::null()),
        Closed::Stderr => (Stdio::null(), closed_pipe()),
        Closed::Both => (closed_pipe(), closed_pipe()),
    };
    let status = h
        .lscp()
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .expect("lscp runs");
    status
        .code()
        .unwrap_or_else(|| panic!("lscp {args:?} was killed by a signal: {status}"))
}

/// A deployment with one revision per wait outcome; `(args, expected exit code)` for each.
fn wait_outcomes(h: &Harness) -> Vec<(Vec<String>, i32)> {
    let deployment = h.seed("outcomes");
    let revision = |status| arg(h.seed_revision(deployment.id, status).id);
    let deployed = arg(deployment.latest_revision_id.unwrap());
    let failed = revision(RevisionStatus::BuildFailed);
    let superseded = revision(RevisionStatus::Skipped);
    let stuck = revision(RevisionStatus::Building);
    let wait = |revision: &str, extra: &[&str]| {
        let mut args = vec!["revision", "wait", &arg(deployment.id), revision]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        args.extend(
            ["--interval", "100ms"]
                .iter()
                .chain(extra)
                .map(|s| s.to_string()),
        );
        args
    };
    vec![
        (wait(&deployed, &[]), 0),
        (wait(&failed, &[]), 3),
        (wait(&stuck, &["--timeout", "300ms"]), 4),
        (wait(&superseded, &[]), 5),
        (wait(&arg(Uuid::new_v4()), &[]), 1),
    ]
}

/// Every wait outcome, in both formats, with `closed` streams, keeps its exit code. The waits
/// run at once: each ends on its own clock.
fn assert_wait_codes_survive(closed: Closed) {
    let h = Harness::start();
    let runs = wait_outcomes(&h).into_iter().flat_map(|(args, expected)| {
        ["text", "json"].map(|format| (format, args.clone(), expected))
    });
    support::concurrently(runs, |(format, args, expected)| {
        let mut all: Vec<&str> = vec!["--output", format];
        all.extend(args.iter().map(String::as_str));
        assert_eq!(
            exit_code(&h, closed, &all),
            expected,
            "lscp {all:?} with {closed:?} closed"
        );
    });
}

#[test]
fn a_closed_stdout_keeps_the_exit_code_of_every_wait_outcome() {
    assert_wait_codes_survive(Closed::Stdout);
}

#[test]
fn a_closed_stderr_keeps_the_exit_code_of_every_wait_outcome() {
    assert_wait_codes_survive(Closed::Stderr);
}

#[test]
fn closed_stdout_and_stderr_together_keep_the_exit_code_of_every_wait_outcome() {
    assert_wait_codes_survive(Closed::Both);
}

#[test]
fn errors_keep_their_exit_code_when_stderr_is_closed() {
    let h = Harness::start();
    let deployment = arg(h.seed("errors").id);
    let cases: [(&[&str], i32); 5] = [
        // Refused by lscp's own checks, by clap, and by the service.
        (&["deployment", "update", &deployment], 2),
        (&["deployment", "get", "not-a-uuid"], 2),
        (&["deployment", "get", &arg(Uuid::new_v4())], 1),
        // An empty listing says so on stderr.
        (
            &["deployment", "list", "--name-contains", "nothing-matches"],
            0,
        ),
        // Request tracing goes to stderr too.
        (&["-vv", "deployment", "get", &deployment], 0),
    ];
    let runs = cases
        .into_iter()
        .flat_map(|(args, expected)| [Closed::Stderr, Closed::Both].map(|c| (args, expected, c)));
    support::concurrently(runs, |(args, expected, closed)| {
        assert_eq!(
            exit_code(&h, closed, args),
            expected,
            "lscp {args:?} with {closed:?} closed"
        );
    });
}
