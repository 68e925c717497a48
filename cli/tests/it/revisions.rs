//! `lscp revision ...` against the mock: list, get, redeploy, logs, and every outcome of a wait
//! with its exit code.

use crate::support;

use std::time::Duration;

use langsmith_control_plane_mock::{MockServer, RetryAfter};
use serde_json::{Value, json};
use support::{Fault, Harness, KEY, RevisionStatus, Timing, arg};

use crate::deploy::running::Running;
use uuid::Uuid;

/// Creates a deployment through `lscp` (its revision starts moving now); returns both IDs.
fn create(h: &Harness, name: &str) -> (String, String) {
    let repo = format!("https://github.com/example/{name}");
    let created = h
        .run(&[
            "-o",
            "json",
            "deployment",
            "create",
            "--name",
            name,
            "--repo-url",
            &repo,
            "--ref",
            "main",
        ])
        .code(0)
        .json();
    let id = |field: &str| created[field].as_str().unwrap().to_string();
    (id("id"), id("latest_revision_id"))
}

/// `lscp revision wait ARGS --interval 100ms`.
fn wait(h: &Harness, args: &[&str]) -> support::Run {
    let mut all = vec!["revision", "wait"];
    all.extend(args);
    all.extend(["--interval", "100ms"]);
    h.run(&all)
}

/// `lscp -o json revision wait D R EXTRA --interval 100ms`: the exit code and the JSON lines.
fn wait_json(h: &Harness, deployment: &str, revision: &str, extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args = vec!["-o", "json", deployment, revision];
    args.extend(extra);
    let run = wait(h, &args);
    (run.code, run.json_lines())
}

#[test]
fn list_prints_revisions_newest_first() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let building = h.seed_revision(deployment.id, RevisionStatus::Building);
    let run = h.run(&["revision", "list", &arg(deployment.id)]);
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("ID"));
    assert!(lines[1].contains(&arg(building.id)) && lines[1].contains("BUILDING"));
    assert!(lines[2].contains("DEPLOYED"));
}

#[test]
fn list_marks_the_active_revision_and_the_replaced_ones_in_text_only() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let first = h.mock.revisions(deployment.id)[0].id;
    // A newer DEPLOYED revision becomes the active one; the first no longer serves.
    let second = h.seed_revision(deployment.id, RevisionStatus::Deployed).id;
    let failed = h
        .seed_revision(deployment.id, RevisionStatus::BuildFailed)
        .id;
    let run = h.run(&["revision", "list", &arg(deployment.id)]);
    run.code(0);
    let row = |id: Uuid| {
        run.stdout
            .lines()
            .find(|line| line.starts_with(&arg(id)))
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", run.stdout))
            .to_string()
    };
    assert!(row(second).contains("DEPLOYED (active)"), "{}", run.stdout);
    assert!(row(first).contains("replaced"), "{}", run.stdout);
    assert!(!row(first).contains("DEPLOYED"), "{}", run.stdout);
    assert!(row(failed).contains("BUILD_FAILED"), "{}", run.stdout);
    let json = h
        .run(&["-o", "json", "revision", "list", &arg(deployment.id)])
        .code(0)
        .json_lines();
    let statuses: Vec<&str> = json.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["BUILD_FAILED", "DEPLOYED", "DEPLOYED"]);
}

#[test]
fn list_filters_by_status_given_in_any_case() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    h.seed_revision(deployment.id, RevisionStatus::BuildFailed);
    h.seed_revision(deployment.id, RevisionStatus::Building);
    let documents = h
        .run(&[
            "revision",
            "ls",
            &arg(deployment.id),
            "--status",
            "deployed,build_failed",
            "-o",
            "json",
        ])
        .code(0)
        .json_lines();
    let statuses: Vec<&str> = documents
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["BUILD_FAILED", "DEPLOYED"]);
    let query = h.mock.requests_for("list_revisions")[0]
        .query
        .clone()
        .unwrap();
    assert!(query.contains("status=DEPLOYED%2CBUILD_FAILED"), "{query}");
}

#[test]
fn list_shortens_a_commit_to_seven_characters_even_when_they_are_multibyte() {
    let deployment = Uuid::new_v4();
    let page = json!({"offset": 0, "resources": [{
        "id": Uuid::new_v4(),
        "status": "DEPLOYED",
        "source": "github",
        // Two bytes per character: the seventh byte is inside a character.
        "source_revision_config": {"repo_ref": "main", "repo_commit_sha": "ééééééééé"},
        "created_at": "2026-08-01T12:00:00Z",
        "updated_at": "2026-08-01T12:00:03Z",
    }]});
    // The deployment, which text output reads for its active revision.
    let mock = Harness::start();
    let found = serde_json::to_string(&mock.seed("support-agent")).unwrap();
    let url = support::serving(move |path| match path.ends_with("/revisions") {
        true => (200, page.to_string()),
        false => (200, found.clone()),
    });
    support::run_with(
        &[
            ("LANGSMITH_CONTROL_PLANE_URL", &url),
            ("LANGSMITH_API_KEY", KEY),
        ],
        &["revision", "list", &arg(deployment)],
    )
    .code(0)
    .stdout_has("main@ééééééé ");
}

#[test]
fn get_shows_the_status_and_its_pipeline_step() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let revision = h.seed_revision(deployment.id, RevisionStatus::Building);
    let run = h.run(&["revision", "get", &arg(deployment.id), &arg(revision.id)]);
    run.code(0);
    run.stdout_has("BUILDING (step 4 of 6, building)");
    let document = h
        .run(&[
            "revision",
            "get",
            &arg(deployment.id),
            &arg(revision.id),
            "-o",
            "json",
        ])
        .code(0)
        .json();
    assert_eq!(document["id"], arg(revision.id));
    assert_eq!(document["status"], "BUILDING");
}

#[test]
fn wait_exits_0_once_the_revision_is_deployed() {
    let h = Harness::instant();
    let (deployment, revision) = create(&h, "deploys");
    let (code, lines) = wait_json(&h, &deployment, &revision, &[]);
    assert_eq!(code, 0);
    let outcome = lines.last().unwrap();
    assert_eq!(outcome["outcome"], "deployed");
    assert_eq!(outcome["status"], "DEPLOYED");
    assert_eq!(outcome["revision"]["id"], revision.as_str());
}

#[test]
fn wait_without_a_revision_waits_on_the_latest_one() {
    let h = Harness::instant();
    let (deployment, revision) = create(&h, "latest");
    let run = wait(&h, &["-o", "json", &deployment]);
    run.code(0);
    assert_eq!(
        run.json_lines().last().unwrap()["revision_id"],
        revision.as_str()
    );
}

#[test]
fn wait_exits_3_when_the_revision_fails() {
    let h = Harness::instant();
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let (deployment, revision) = create(&h, "fails");
    let (code, lines) = wait_json(&h, &deployment, &revision, &[]);
    assert_eq!(code, 3);
    let outcome = lines.last().unwrap();
    assert_eq!(outcome["outcome"], "failed");
    assert_eq!(outcome["status"], "BUILD_FAILED");
}

#[test]
fn wait_in_text_mode_names_the_failure_and_points_at_the_log() {
    let h = Harness::instant();
    h.mock.fail_next_revision(RevisionStatus::DeployFailed);
    let (deployment, revision) = create(&h, "fails-late");
    let run = wait(&h, &[&deployment, &revision]);
    run.code(3);
    run.stdout_has("failed: DEPLOY_FAILED");
    run.stderr_has("--type deploy");
}

#[test]
fn wait_exits_4_when_the_timeout_passes_first() {
    let h = Harness::start();
    let deployment = h.seed("stuck");
    let stuck = h.seed_revision(deployment.id, RevisionStatus::Building);
    let (code, lines) = wait_json(
        &h,
        &arg(deployment.id),
        &arg(stuck.id),
        &["--timeout", "300ms"],
    );
    assert_eq!(code, 4);
    let outcome = lines.last().unwrap();
    assert_eq!(outcome["outcome"], "timed_out");
    assert_eq!(outcome["status"], "BUILDING");
    assert!(outcome["waited_seconds"].as_f64().unwrap() >= 0.3);
}

#[test]
fn wait_exits_5_when_a_newer_revision_supersedes_it() {
    // A slow clock, so the first revision is surely still in progress when the update lands.
    let h = Harness::with(MockServer::builder().timing(Timing::uniform(Duration::from_secs(2))));
    let (deployment, first) = create(&h, "superseded");
    h.run(&["deployment", "update", &deployment, "--ref", "v2"])
        .code(0);
    let (code, lines) = wait_json(&h, &deployment, &first, &[]);
    assert_eq!(code, 5);
    assert_eq!(lines.last().unwrap()["outcome"], "superseded");
    assert_eq!(lines.last().unwrap()["status"], "SKIPPED");
}

#[test]
fn wait_on_an_unknown_revision_exits_1_at_once() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let run = wait(&h, &[&arg(deployment.id), &arg(Uuid::new_v4())]);
    run.code(1);
    run.stderr_has("404");
    assert_eq!(
        h.mock.requests_for("get_revision").len(),
        1,
        "a 404 is not retried"
    );
}

#[test]
fn wait_goes_on_through_polling_errors_and_says_so() {
    let h = Harness::instant();
    let (deployment, revision) = create(&h, "flaky");
    // More 503s than the client retries within one poll: the wait sees one failed poll. They
    // ask for no wait before a retry, so the client's backoff (about 2 s in all) is skipped.
    h.mock.inject(
        Fault::status(503)
            .retry_after(RetryAfter::Seconds(0))
            .on("get_revision")
            .times(4),
    );
    let run = wait(&h, &[&deployment, &revision]);
    run.code(0);
    run.stderr_has("polling failed, still waiting");
}

#[test]
fn wait_off_a_terminal_logs_each_status_change_on_stderr() {
    // BUILDING from 60 ms to 660 ms after the create: still on when the wait starts, even late.
    let mut timing = Timing::uniform(Duration::from_millis(20));
    timing.building = Duration::from_millis(600);
    let h = Harness::with(MockServer::builder().timing(timing));
    let (deployment, revision) = create(&h, "logged");
    let run = wait(&h, &[&deployment, &revision]);
    run.code(0);
    run.stderr_has("BUILDING (step 4 of 6, building)");
    assert_eq!(
        run.stdout.trim(),
        format!("revision {revision} is DEPLOYED")
    );
}

#[test]
fn redeploy_starts_a_new_revision_and_waits_on_it() {
    let h = Harness::instant();
    let deployment = h.seed("rollback");
    let old = deployment.latest_revision_id.unwrap();
    let run = h.run(&[
        "-o",
        "json",
        "revision",
        "redeploy",
        &arg(deployment.id),
        &arg(old),
        "--wait",
        "--interval",
        "100ms",
    ]);
    run.code(0);
    let lines = run.json_lines();
    let new_revision = lines[0]["latest_revision_id"].clone();
    assert_ne!(new_revision, arg(old).as_str());
    assert_eq!(lines.last().unwrap()["revision_id"], new_revision);
    assert_eq!(h.mock.requests_for("redeploy_revision").len(), 1);
}

#[test]
fn logs_print_one_line_per_entry() {
    let h = Harness::instant();
    let (deployment, revision) = create(&h, "logs");
    wait(&h, &[&deployment, &revision]).code(0);
    let text = h.run(&[
        "revision",
        "logs",
        &deployment,
        &revision,
        "--type",
        "build",
    ]);
    text.code(0);
    assert!(text.stdout.lines().count() > 1, "{}", text.stdout);
    let entries = h
        .run(&[
            "revision",
            "logs",
            &deployment,
            &revision,
            "--type",
            "deploy",
            "-o",
            "json",
        ])
        .code(0)
        .json_lines();
    assert!(!entries.is_empty());
    for entry in &entries {
        assert!(
            entry["message"].is_string() && entry["timestamp"].is_string(),
            "{entry}"
        );
    }
}

#[test]
fn logs_follow_until_the_revision_is_final() {
    let h = Harness::start();
    let (deployment, revision) = create(&h, "follow");
    let read = [
        "-o",
        "json",
        "revision",
        "logs",
        &deployment,
        &revision,
        "--type",
        "build",
    ];
    let mut follow = read.to_vec();
    follow.extend(["--follow", "--interval", "100ms"]);
    let followed = h.run(&follow).code(0).json_lines();
    let complete = h.run(&read).code(0).json_lines();
    assert_eq!(
        followed, complete,
        "following reads the whole log, each entry once"
    );
}

/// `lscp -o json revision create D ARGS`: the run.
fn create_revision(h: &Harness, deployment: Uuid, args: &[&str]) -> support::Run {
    let id = arg(deployment);
    let mut all = vec!["-o", "json", "revision", "create", id.as_str()];
    all.extend(args);
    h.run(&all)
}

#[test]
fn create_starts_a_revision_with_post_revisions_and_waits_like_revision_wait() {
    let h = Harness::instant();
    let deployment = h.seed("shipping");
    let run = create_revision(
        &h,
        deployment.id,
        &["--ref", "v2", "--wait", "--interval", "100ms"],
    );
    run.code(0).keeps_key_secret();
    let lines = run.json_lines();
    let revision = lines[0]["id"].as_str().unwrap().to_string();
    assert_eq!(lines[0]["source_revision_config"]["repo_ref"], "v2");
    let last = lines.last().unwrap();
    assert_eq!(last["revision_id"], revision.as_str());
    assert_eq!(last["outcome"], "deployed", "{last}");
    assert!(h.mock.requests_for("patch_deployment").is_empty());
    let posts = h.mock.requests_for("create_revision");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].body.clone().unwrap(),
        json!({"source_revision_config": {"repo_ref": "v2"}})
    );
    assert!(h.mock.requests_for("create_deployment").is_empty());
    assert!(h.mock.requests_for("list_deployments").is_empty());
}

#[test]
fn create_without_wait_prints_the_started_revision() {
    let h = Harness::start();
    let deployment = h.seed("no-wait");
    let run = h.run(&["revision", "create", &arg(deployment.id), "--ref", "v3"]);
    run.code(0);
    let newest = &h.mock.revisions(deployment.id)[0];
    assert_eq!(
        newest.source_revision_config.repo_ref.as_deref(),
        Some("v3")
    );
    run.stdout_has(&newest.id.to_string());
}

#[test]
fn create_ships_an_image_and_a_source_directory() {
    let h = Harness::instant();
    let mut request = support::github_deployment_request("img");
    request.source = langsmith_control_plane::types::DeploymentSource::ExternalDocker;
    request.source_config.repo_url = None;
    request.source_revision_config = Default::default();
    request.source_revision_config.image_uri = Some("registry/agent:1".into());
    let image = h.seed_request(request);
    create_revision(&h, image.id, &["--image", "registry/agent:2"]).code(0);
    assert_eq!(
        h.mock.revisions(image.id)[0]
            .source_revision_config
            .image_uri
            .as_deref(),
        Some("registry/agent:2")
    );

    let mut request = support::github_deployment_request("dir");
    request.source = langsmith_control_plane::types::DeploymentSource::InternalSource;
    request.source_config.repo_url = None;
    request.source_revision_config = Default::default();
    let dir_deployment = h.seed_request(request);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("langgraph.json"), r#"{"graphs": {}}"#).unwrap();
    std::fs::write(dir.path().join("agent.py"), "print('hi')\n").unwrap();
    let run = create_revision(
        &h,
        dir_deployment.id,
        &[
            "--source-dir",
            dir.path().to_str().unwrap(),
            "--wait",
            "--interval",
            "100ms",
        ],
    );
    run.code(0).stderr_has("archived 2 files");
    assert_eq!(h.mock.upload_requests().len(), 1);
    let posts = h.mock.requests_for("create_revision");
    assert_eq!(posts.len(), 2);
    let config = &posts[1].body.as_ref().unwrap()["source_revision_config"];
    assert_eq!(config["langgraph_config_path"], "langgraph.json");
    assert!(config["source_tarball_path"].is_string(), "{config}");
    assert!(h.mock.requests_for("patch_deployment").is_empty());
}

/// Issue 19, 2: a source directory without its config is refused before anything is sent,
/// the message then lscp's hint (it knows the flag), as for `deploy`.
#[test]
fn create_refuses_a_source_directory_without_its_config_with_a_hint() {
    let h = Harness::start();
    let deployment = h.seed("no-config");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("agent.py"), "print('hi')\n").unwrap();
    let run = create_revision(
        &h,
        deployment.id,
        &["--source-dir", dir.path().to_str().unwrap()],
    );
    run.code(2);
    support::says_message_then_hint(
        &run.stderr,
        "the config file langgraph.json is not in the source directory",
        "pass --config with the config file's path relative to --source-dir",
    );
    assert!(h.mock.requests_for("create_revision").is_empty());
    assert!(h.mock.upload_requests().is_empty());
}

#[test]
fn create_never_creates_a_deployment_and_checks_its_arguments() {
    let h = Harness::start();
    let unknown = Uuid::new_v4();
    create_revision(&h, unknown, &["--ref", "main"]).code(1);
    assert!(h.mock.requests_for("create_deployment").is_empty());
    assert!(h.mock.requests_for("create_revision").is_empty());

    let deployment = h.seed("args");
    create_revision(&h, deployment.id, &[]).code(2);
    create_revision(&h, deployment.id, &["--ref", "a", "--image", "b:1"]).code(2);
    create_revision(&h, deployment.id, &["--ref", "a", "--timeout", "1m"])
        .code(2)
        .stderr_has("--timeout and --interval need --wait");
    assert!(h.mock.requests_for("create_revision").is_empty());
}

/// Starts `lscp ARGS` against the mock and sends `signal` once `ready` holds for the mock's
/// requests, then checks the stop: exit `code` within a few seconds, no request after the signal.
fn stop_when(
    h: &Harness,
    args: &[&str],
    ready: impl Fn(&Harness) -> bool,
    signal: &str,
    code: i32,
) {
    let mut command = h.lscp();
    command.args(args);
    let running = Running::start(command);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !ready(h) {
        assert!(
            std::time::Instant::now() < deadline,
            "lscp {args:?} never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = h.mock.requests().len();
    running.signal(signal);
    // The next poll is an hour away: only the signal can end it this soon.
    let ended = running.end_within(Duration::from_secs(10));
    ended.code(code);
    assert_eq!(h.mock.requests().len(), sent, "a request after SIG{signal}");
}

/// Issue: `revision wait` stops on SIGTERM as on Ctrl-C, at once, with nothing more sent.
#[test]
fn sigint_and_sigterm_during_a_wait_exit_130_and_143_with_nothing_more_sent() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let stuck = h.seed_revision(deployment.id, RevisionStatus::Building);
    let (deployment, stuck) = (arg(deployment.id), arg(stuck.id));
    let args = ["revision", "wait", &deployment, &stuck, "--interval", "1h"];
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let polls = h.mock.requests_for("get_revision").len();
        let polled = |h: &Harness| h.mock.requests_for("get_revision").len() > polls;
        stop_when(&h, &args, polled, signal, code);
    }
}

/// `revision logs --follow` waits for the revision's end, and stops on a signal the same way.
#[test]
fn sigint_and_sigterm_while_following_a_log_exit_130_and_143_with_nothing_more_sent() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let stuck = h.seed_revision(deployment.id, RevisionStatus::Building);
    let (deployment, stuck) = (arg(deployment.id), arg(stuck.id));
    let args = [
        "revision",
        "logs",
        &deployment,
        &stuck,
        "--type",
        "build",
        "--follow",
        "--interval",
        "1h",
    ];
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        // Following: the log read, then the revision's status read before the long sleep.
        let polls = h.mock.requests_for("get_revision").len();
        let following = |h: &Harness| h.mock.requests_for("get_revision").len() > polls;
        stop_when(&h, &args, following, signal, code);
    }
}
