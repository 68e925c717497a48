//! Text from the server is printed inert (CONTRACT section 8): every output path of `lscp`,
//! driven against a server that sends terminal control sequences in names, statuses, log lines
//! and error details, prints them as visible escapes, never raw, on stdout and on stderr; and
//! `-o json` keeps them as JSON escapes that decode to the server's exact strings.

use std::time::Duration;

use langsmith_control_plane_mock::RevisionScript;
use serde_json::{Value, json};

use crate::support::{self, Harness, KEY, RevisionStatus, Run, arg, spec_file};

/// What a hostile server sends: each attack a terminal would act on, then a line break that
/// tries to forge a line of lscp's own output.
const ATTACKS: &str = concat!(
    "\x1b]52;c;cm0gLXJmIH4K\x07", // OSC 52: writes the clipboard
    "\x1b]0;pwned\x07",           // OSC 0: sets the window title
    "\x1b[2J",                    // CSI: erases the screen
    "\rall good",                 // bare CR: overwrites the line
    "\0",                         // NUL
    "\u{9b}31m",                  // C1 CSI: red text
    "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\", // OSC 8: a disguised link
    "\x1bPq#0;2;0;0;0\x1b\\",     // DCS: a sixel image
    "\u{202e}gnp.exe",            // RLO: reverses what follows
    "\u{2066}\u{85}\x7f\u{2069}", // isolate, NEL (C1), DEL
    "\nFORGED error: nothing went wrong", // a whole forged line
);

/// How a forged line would begin if the `\n` in [`ATTACKS`] reached the output raw.
const FORGED: &str = "FORGED";

/// Visible in any output that printed [`ATTACKS`]: OSC 52's payload, whatever the escape of ESC.
const SHOWN: &str = "]52;c;cm0gLXJmIH4K";

fn hostile(prefix: &str) -> String {
    format!("{prefix}{ATTACKS}")
}

/// What may not reach a terminal raw, from the standards and independent of lscp's escaper: C0
/// controls (ECMA-48) but the line feed that ends a line, DEL, C1 controls, and the Unicode
/// bidirectional overrides and isolates (UAX #9).
fn is_active(c: char) -> bool {
    let code = u32::from(c);
    (code < 0x20 && c != '\n')
        || (0x7f..=0x9f).contains(&code)
        || (0x202a..=0x202e).contains(&code)
        || (0x2066..=0x2069).contains(&code)
}

/// Asserts `text` (one stream of `what`) holds nothing active and no forged line.
#[track_caller]
fn assert_stream_inert(what: &str, stream: &str, text: &str) {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| is_active(*c)) {
        let start = text[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what}: {c:?} raw on {stream}, after {:?}\n--- {stream}\n{text:?}",
            &text[start..at]
        );
    }
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with(FORGED),
            "{what}: a forged line on {stream}: {line:?}"
        );
    }
}

/// Asserts neither stream of `run` holds anything active or a forged line, and that the hostile
/// text was printed (escaped) on one of them.
#[track_caller]
fn assert_inert(what: &str, run: &Run) {
    assert_stream_inert(what, "stdout", &run.stdout);
    assert_stream_inert(what, "stderr", &run.stderr);
    assert!(
        run.stdout.contains(SHOWN) || run.stderr.contains(SHOWN),
        "{what}: the server's text was not shown at all\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout,
        run.stderr
    );
    run.keeps_key_secret();
}

/// Asserts JSON lines on stdout carry no raw DEL, C1 or bidi control (serde_json escapes C0 on
/// its own), and returns them parsed.
#[track_caller]
fn assert_json_inert(what: &str, run: &Run) -> Vec<Value> {
    assert_stream_inert(what, "stdout", &run.stdout);
    assert_stream_inert(what, "stderr", &run.stderr);
    run.json_lines()
}

/// A deployment named and configured with hostile text, its first revision DEPLOYED, then one
/// revision stuck for ever in a hostile status: (deployment ID, stuck revision ID, status).
fn hostile_deployment(h: &Harness, name: &str) -> (String, String, String) {
    let mut request = support::github_deployment_request(name);
    request.source_config.repo_url = Some(hostile("https://github.com/example/agent"));
    request.source_revision_config.repo_ref = Some(hostile("ref-"));
    let deployment = h.seed_request(request);
    let status = hostile("PAUSED");
    let stuck = h.seed_revision(deployment.id, RevisionStatus::from(status.as_str()));
    (arg(deployment.id), arg(stuck.id), status)
}

/// Polls see each step of [`script_hostile_failure`] that lasts this long.
const SEEN: Duration = Duration::from_millis(250);

/// The next revision passes through `status` (unknown to lscp), builds, and fails to deploy,
/// `step` in each.
fn script_hostile_failure(h: &Harness, status: &str, step: Duration) {
    h.mock.script_next_revision(
        RevisionScript::new()
            .then(RevisionStatus::Creating, step)
            .then(RevisionStatus::from(status), step)
            .then(RevisionStatus::Building, step)
            .then(RevisionStatus::Deploying, step)
            .ends_with(RevisionStatus::DeployFailed),
    );
}

/// A proxy in front of `h` whose logs are first read once [`script_hostile_failure`] with
/// [`SEEN`] is over (1 s), whole: `deploy --logs` then ends at once, not 2 s later.
fn logs_after_the_failure(h: &Harness) -> String {
    support::logs_held(&h.mock.base_url(), Duration::from_millis(1200))
}

#[test]
fn deployment_and_revision_tables_and_details_escape_server_text() {
    let h = Harness::start();
    let name = hostile("evil-");
    let (deployment, stuck, _) = hostile_deployment(&h, &name);
    let listed = h.run(&["deployment", "list"]);
    assert_inert("deployment list", listed.code(0));
    assert_inert(
        "deployment get",
        h.run(&["deployment", "get", &deployment]).code(0),
    );
    assert_inert(
        "revision list",
        h.run(&["revision", "list", &deployment]).code(0),
    );
    let got = h.run(&["revision", "get", &deployment, &stuck]);
    assert_inert("revision get", got.code(0));
    let updated = h.run(&["deployment", "update", &deployment, "--ref", "v2"]);
    assert_inert("deployment update", updated.code(0));
}

#[test]
fn revision_logs_escape_each_entry_also_when_followed() {
    let h = Harness::start();
    let (deployment, _, status) = hostile_deployment(&h, "logs-agent");
    // Only the logs are read here, once the revision has failed.
    script_hostile_failure(&h, &status, Duration::ZERO);
    h.run(&[
        "deploy",
        "--deployment-id",
        &deployment,
        "--ref",
        "main",
        "--interval",
        "100ms",
    ])
    .code(3);
    let revision = h.mock.revisions(deployment.parse().unwrap())[0]
        .id
        .to_string();
    for log in ["build", "deploy"] {
        let read = ["revision", "logs", &deployment, &revision, "--type", log];
        assert_inert(&format!("revision logs {log}"), h.run(&read).code(0));
        let mut follow = read.to_vec();
        follow.extend(["--follow", "--interval", "100ms"]);
        assert_inert(
            &format!("revision logs {log} --follow"),
            h.run(&follow).code(0),
        );
    }
}

#[test]
fn deploy_escapes_steps_statuses_log_lines_and_the_failure_tail() {
    let h = Harness::start();
    // Two hostile deployments, deployed at once: one with its logs, one with the failure tail
    // only. Their revisions follow the same script, whichever is created first.
    let names = [hostile("evil-"), hostile("evil-tail-")];
    let deployments = names.each_ref().map(|name| hostile_deployment(&h, name));
    let status = deployments[0].2.clone();
    script_hostile_failure(&h, &status, SEEN);
    script_hostile_failure(&h, &status, SEEN);
    let deploy = |deployment: &str, env: &[(&str, &str)], extra: &[&str]| {
        let args = ["deploy", "--deployment-id", deployment, "--ref", "main"];
        h.run_with(env, &[&args[..], &["--interval", "100ms"], extra].concat())
    };
    let held = logs_after_the_failure(&h);
    let held = [("LANGSMITH_CONTROL_PLANE_URL", held.as_str())];
    let (with_logs, tail_only) = std::thread::scope(|scope| {
        let with_logs = scope.spawn(|| deploy(&deployments[0].0, &held, &["--logs"]));
        let tail_only = deploy(&deployments[1].0, &[], &[]);
        (with_logs.join().expect("the deploy ran"), tail_only)
    });
    assert_inert("deploy --logs", with_logs.code(3));
    // Each hostile source reached the output: the name in the steps, the status, the build log
    // (the repository URL), the deploy log's tail (the status again).
    assert!(
        with_logs.stderr.contains("found deployment evil-"),
        "{}",
        with_logs.stderr
    );
    assert!(with_logs.stderr.contains("PAUSED"), "{}", with_logs.stderr);
    assert!(
        with_logs
            .stderr
            .contains("Cloning https://github.com/example/agent")
    );
    assert_inert("deploy (failure tail)", tail_only.code(3));
    assert!(tail_only.stderr.contains("Revision status is now PAUSED"));
}

#[test]
fn revision_wait_escapes_a_status_it_does_not_know() {
    let h = Harness::start();
    let (deployment, stuck, _) = hostile_deployment(&h, "wait-agent");
    let run = h.run(&[
        "revision",
        "wait",
        &deployment,
        &stuck,
        "--timeout",
        "500ms",
        "--interval",
        "100ms",
    ]);
    assert_inert("revision wait", run.code(4));
}

#[test]
fn api_error_details_and_validation_messages_are_escaped() {
    let detail = json!({ "detail": hostile("Deployment ") }).to_string();
    let validation = json!({ "detail": [{
        "loc": ["body", hostile("name-")],
        "msg": hostile("value is not valid: "),
        "type": "value_error",
    }]})
    .to_string();
    let id = arg(uuid::Uuid::new_v4());
    let get = ["--request-timeout", "5s", "deployment", "get", &id];
    // A wait rides out 5xx polls (each after the client's own retries, at once here as the
    // server asks), reporting each one with what the service said.
    let wait = [
        "revision",
        "wait",
        &id,
        &id,
        "--timeout",
        "1s",
        "--interval",
        "100ms",
    ];
    let answers = [
        (
            "400 detail",
            support::answering(400, detail.clone()),
            &get[..],
        ),
        ("404 detail", support::answering(404, detail), &get),
        ("422 validation", support::answering(422, validation), &get),
        (
            "502 plain body",
            support::answering_retry_at_once(502, hostile("Bad gateway ")),
            &get,
        ),
        (
            "200 undecodable body",
            support::answering_with(hostile("{\"id\": ")),
            &get,
        ),
        (
            "503 while waiting",
            support::answering_retry_at_once(
                503,
                json!({ "detail": hostile("Busy ") }).to_string(),
            ),
            &wait,
        ),
    ];
    support::concurrently(answers, |(what, url, args)| {
        let run = support::run_with(
            &[
                ("LANGSMITH_CONTROL_PLANE_URL", &url),
                ("LANGSMITH_API_KEY", KEY),
            ],
            args,
        );
        let code = if args[0] == "revision" { 4 } else { 1 };
        assert_inert(what, run.code(code));
    });
}

/// A deployment file for the seeded `plain-agent`, with another repository URL.
const PLAN_FILE: &str = "\
deployments:
  - name: plain-agent
    source: github
    source_config:
      repo_url: https://github.com/acme/agent
    source_revision_config: {repo_ref: main}
";

#[test]
fn plan_and_apply_escape_the_servers_values_and_statuses() {
    let h = Harness::start();
    let (_, _, status) = hostile_deployment(&h, "plain-agent");
    let file = spec_file(PLAN_FILE);
    let path = file.path().to_str().unwrap();
    assert_inert("plan", h.run(&["plan", "-f", path]).code(0));
    // The new revision stops in the hostile status until apply gives up on it.
    h.mock.script_next_revision(
        RevisionScript::new()
            .then(RevisionStatus::Creating, Duration::from_millis(100))
            .ends_with(RevisionStatus::from(status.as_str())),
    );
    let applied = h.run(&[
        "apply",
        "-f",
        path,
        "--yes",
        "--timeout",
        "500ms",
        "--interval",
        "100ms",
    ]);
    assert_inert("apply", applied.code(4));
}

#[test]
fn prune_escapes_the_names_it_reports() {
    let h = Harness::instant();
    h.seed(&hostile("pr-"));
    let prefix = ["deployment", "prune", "--name-prefix", "pr-"];
    let dry = h.run(&[&prefix[..], &["--dry-run"]].concat());
    assert_inert("prune --dry-run", dry.code(0));
    let run = h.run(&[&prefix[..], &["--yes", "--wait", "--timeout", "5s"]].concat());
    assert_inert("prune --yes --wait", run.code(0));
}

#[test]
fn json_output_escapes_del_c1_and_bidi_and_decodes_to_the_servers_strings() {
    let h = Harness::start();
    let name = hostile("evil-");
    let (deployment, stuck, status) = hostile_deployment(&h, &name);
    let repo_url = hostile("https://github.com/example/agent");

    let listed = assert_json_inert("json list", &h.run(&["-o", "json", "deployment", "list"]));
    assert_eq!(listed[0]["name"], name.as_str());
    let got = assert_json_inert(
        "json get",
        &h.run(&["-o", "json", "deployment", "get", &deployment]),
    );
    assert_eq!(got[0]["source_config"]["repo_url"], repo_url.as_str());
    let revision = assert_json_inert(
        "json revision get",
        &h.run(&["-o", "json", "revision", "get", &deployment, &stuck]),
    );
    assert_eq!(revision[0]["status"], status.as_str());

    script_hostile_failure(&h, &status, SEEN);
    let args = [
        "-o",
        "json",
        "deploy",
        "--deployment-id",
        &deployment,
        "--ref",
        "main",
        "--logs",
        "--interval",
        "100ms",
    ];
    let held = logs_after_the_failure(&h);
    let events = assert_json_inert(
        "json deploy",
        &h.run_with(&[("LANGSMITH_CONTROL_PLANE_URL", &held)], &args),
    );
    let messages: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "log")
        .filter_map(|e| e["entry"]["message"].as_str())
        .collect();
    assert!(
        messages.contains(&format!("Cloning {repo_url} at main").as_str()),
        "{messages:?}"
    );
    let result = events.last().unwrap();
    assert_eq!(result["event"], "result");
    assert_eq!(result["deployment_name"], name.as_str());
    let tail: Vec<&str> = result["failure_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        tail.contains(&format!("Revision status is now {status}").as_str()),
        "{tail:?}"
    );
}
