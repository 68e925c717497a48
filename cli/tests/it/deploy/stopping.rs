//! SIGINT (Ctrl-C) and SIGTERM while `deploy --source-dir` archives a large tree: lscp stops
//! promptly, exits 130 or 143, sends nothing at all, and leaves no temporary archive behind.

use std::path::Path;
use std::time::{Duration, Instant};

use super::running::{Ended, Running};
use crate::support::{Harness, KEY};

/// 1,000 files of 64 KiB that gzip cannot shrink (62.5 MiB): a second or more of archiving in a
/// debug build, in small steps, so a stop between two files comes soon after the signal.
fn large_tree() -> tempfile::TempDir {
    tree_of(1000)
}

/// `files` files of 64 KiB that gzip cannot shrink, in directories of 100, and a config.
fn tree_of(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("langgraph.json"),
        r#"{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}"#,
    )
    .unwrap();
    let mut block = vec![0u8; 64 * 1024];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for word in block.chunks_exact_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        word.copy_from_slice(&state.to_le_bytes());
    }
    for file in 0..files {
        let sub = dir.path().join(format!("data/{:02}", file / 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("{:03}.bin", file % 100)), &block).unwrap();
    }
    dir
}

/// `lscp deploy --source-dir TREE` against `base_url` with `TMPDIR` set to `tmp`, started once
/// it says it is archiving.
fn start_deploy(base_url: &str, tree: &Path, tmp: &Path) -> Running {
    let mut command = crate::support::lscp();
    command
        .env("LANGSMITH_CONTROL_PLANE_URL", base_url)
        .env("LANGSMITH_API_KEY", KEY)
        .env("TMPDIR", tmp)
        .args(["deploy", "--name", "big-tree", "--source-dir"])
        .arg(tree);
    let mut running = Running::start(command);
    running.wait_for_line("archiving", Duration::from_secs(60));
    running
}

/// How long archiving the tree takes from the "archiving" step to the end of a run whose
/// first request fails at once (a 401, which is not retried).
fn full_archive_time(tree: &Path) -> Duration {
    let tmp = tempfile::tempdir().unwrap();
    let refusing = crate::support::answering(401, r#"{"detail": "Invalid token"}"#.into());
    let running = start_deploy(&refusing, tree, tmp.path());
    let started = Instant::now();
    let ended = running.end_within(Duration::from_secs(120));
    ended.code(1).stderr_has("archived 1001 files");
    started.elapsed()
}

/// Stops a deploy of `tree` with `signal` `delay` ms into archiving, and checks the stop (but for
/// the requests, which the caller checks once every stop is over).
fn stop_while_archiving(h: &Harness, tree: &Path, full: Duration, signal: &str, delay: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let running = start_deploy(&h.mock.base_url(), tree, tmp.path());
    std::thread::sleep(Duration::from_millis(delay));
    let signalled = Instant::now();
    running.signal(signal);
    let ended: Ended = running.end_within(Duration::from_secs(120));
    let latency = signalled.elapsed();
    let code = if signal == "INT" { 130 } else { 143 };
    ended.code(code).never_shows(KEY);
    assert!(
        !ended.stderr.contains("archived"),
        "archiving ended before the signal ({delay} ms in; a full archive takes {full:?}): \
         the tree is too small for this machine\n{}",
        ended.stderr
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    // Archiving stopped between two files, not at its end.
    assert!(
        latency < full / 2,
        "exited {latency:?} after SIG{signal}, {delay} ms into an archive that takes {full:?}"
    );
}

#[test]
fn sigint_and_sigterm_while_archiving_exit_130_and_143_with_nothing_sent_and_no_archive_left() {
    let tree = large_tree();
    let full = full_archive_time(tree.path());
    let h = Harness::start();
    // At once: each stop has its own process and TMPDIR, and sharing the CPU only slows the
    // archiving that the signals have to interrupt.
    let stops = [
        ("INT", 0),
        ("INT", 200),
        ("INT", 400),
        ("TERM", 0),
        ("TERM", 300),
    ];
    crate::support::concurrently(stops, |(signal, delay)| {
        stop_while_archiving(&h, tree.path(), full, signal, delay);
    });
    // Nothing at all reached the service or the upload origin.
    h.assert_no_request();
    assert!(h.mock.upload_requests().is_empty());
}

/// `lscp apply` of a deployment file whose source directory is 100 files of 64 KiB: a signal
/// while it archives or uploads (while its temporary archive exists) stops it with 130 or 143,
/// and its temporary archive goes with it.
#[test]
fn sigint_and_sigterm_during_apply_exit_130_and_143_and_leave_no_archive() {
    let h = Harness::start();
    let tree = tree_of(100);
    let file = tree.path().join("deployments.yaml");
    std::fs::write(
        &file,
        "deployments:\n  - {name: big-tree, source: internal_source, source_dir: .}\n",
    )
    .unwrap();
    // At once, each with its own TMPDIR.
    crate::support::concurrently([("INT", 130), ("TERM", 143)], |(signal, code)| {
        let tmp = tempfile::tempdir().unwrap();
        let mut command = crate::support::lscp();
        command
            .env("LANGSMITH_CONTROL_PLANE_URL", h.mock.base_url())
            .env("LANGSMITH_API_KEY", KEY)
            .env("TMPDIR", tmp.path())
            .args(["apply", "--yes", "-f"])
            .arg(&file);
        let running = Running::start(command);
        let archive_made = Instant::now() + Duration::from_secs(60);
        while std::fs::read_dir(tmp.path()).unwrap().next().is_none() {
            assert!(Instant::now() < archive_made, "no archive in TMPDIR");
            std::thread::sleep(Duration::from_millis(1));
        }
        running.signal(signal);
        running.end_within(Duration::from_secs(60)).code(code);
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?} in TMPDIR");
    });
}

/// `lscp plan` of a deployment file whose source directory is the large tree: the plan archives
/// it, and a signal while it does stops it between two files (well before the archive would be
/// done), with 130 or 143 and no archive left, as `deploy` does.
#[test]
fn sigint_and_sigterm_while_plan_archives_stop_it_promptly() {
    let h = Harness::start();
    let tree = large_tree();
    let file = tree.path().join("deployments.yaml");
    std::fs::write(
        &file,
        "deployments:\n  - {name: big-tree, source: internal_source, source_dir: .}\n",
    )
    .unwrap();
    let plan = |tmp: &Path| {
        let mut command = crate::support::lscp();
        command
            .env("LANGSMITH_CONTROL_PLANE_URL", h.mock.base_url())
            .env("LANGSMITH_API_KEY", KEY)
            .env("TMPDIR", tmp)
            .args(["plan", "-f"])
            .arg(&file);
        Running::start(command)
    };
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    plan(tmp.path())
        .end_within(Duration::from_secs(120))
        .code(0);
    let full = started.elapsed();
    crate::support::concurrently([("INT", 130), ("TERM", 143)], |(signal, code)| {
        let tmp = tempfile::tempdir().unwrap();
        let running = plan(tmp.path());
        let archiving = Instant::now() + Duration::from_secs(60);
        while std::fs::read_dir(tmp.path()).unwrap().next().is_none() {
            assert!(Instant::now() < archiving, "no archive in TMPDIR");
            std::thread::sleep(Duration::from_millis(1));
        }
        let signalled = Instant::now();
        running.signal(signal);
        running.end_within(Duration::from_secs(60)).code(code);
        let latency = signalled.elapsed();
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?} in TMPDIR");
        assert!(
            latency < full / 2,
            "exited {latency:?} after SIG{signal}; the whole plan takes {full:?}"
        );
    });
}
