//! `lscp deploy` against the mock: find or create, ship a ref or an image, wait, and say how it
//! went in text, in JSON event lines and in the exit code; secrets from flags and env files. The
//! GitHub Action that runs it: `action`.

mod action;
pub mod running;
mod stopping;
mod upload_origins;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use langsmith_control_plane_mock::RevisionScript;
use serde_json::Value;

use crate::support::{
    self, Harness, RevisionStatus, Secret, arg, github_deployment_request, spec_file,
};

/// `lscp deploy ARGS --interval 100ms` (a fast poll for the mock's fast clock).
fn deploy(h: &Harness, args: &[&str]) -> support::Run {
    deploy_with(h, &[], args)
}

/// `lscp deploy ARGS --interval 100ms` with more environment variables.
fn deploy_with(h: &Harness, env: &[(&str, &str)], args: &[&str]) -> support::Run {
    let mut all = vec!["deploy"];
    all.extend(args);
    if !args.contains(&"--no-wait") {
        all.extend(["--interval", "100ms"]);
    }
    h.run_with(env, &all)
}

/// The names of the requests the mock received that change something.
fn changes(h: &Harness) -> Vec<String> {
    h.mock
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The `secrets` of a deployment as stored by the mock, by name.
fn stored_secrets(h: &Harness, deployment: uuid::Uuid) -> BTreeMap<String, String> {
    h.mock
        .deployment(deployment)
        .unwrap()
        .secrets
        .into_iter()
        .map(|s| (s.name, s.value.into_exposed()))
        .collect()
}

fn secret(name: &str, value: &str) -> Secret {
    Secret {
        name: name.into(),
        value: value.into(),
    }
}

#[test]
fn a_ref_shipped_to_an_existing_deployment_starts_a_new_revision_and_exits_0_once_deployed() {
    let h = Harness::instant();
    let deployment = h.seed("support-agent");
    let run = deploy(&h, &["--name", "support-agent", "--ref", "release-2"]);
    run.code(0).keeps_key_secret();
    let revisions = h.mock.revisions(deployment.id);
    assert_eq!(revisions.len(), 2);
    let newest = &revisions[0];
    assert_eq!(newest.status, RevisionStatus::Deployed);
    assert_eq!(
        newest.source_revision_config.repo_ref.as_deref(),
        Some("release-2")
    );
    run.stdout_has(&format!("revision {} is DEPLOYED", newest.id))
        .stdout_has(&format!(
            "dashboard: {}/o/{}/host/deployments/{}",
            h.mock.base_url(),
            deployment.tenant_id,
            deployment.id
        ))
        .stderr_has("found deployment support-agent");
    assert!(h.mock.requests_for("create_deployment").is_empty());
}

#[test]
fn a_deployment_given_by_id_gets_the_ref_without_a_name_look_up() {
    let h = Harness::instant();
    let deployment = h.seed("support-agent");
    deploy(&h, &["--deployment-id", &arg(deployment.id), "--ref", "v3"]).code(0);
    assert!(h.mock.requests_for("list_deployments").is_empty());
    assert_eq!(
        h.mock.revisions(deployment.id)[0]
            .source_revision_config
            .repo_ref
            .as_deref(),
        Some("v3")
    );
}

#[test]
fn the_name_comes_from_langsmith_deployment_name_when_not_given() {
    let h = Harness::instant();
    let deployment = h.seed("from-env");
    deploy_with(
        &h,
        &[("LANGSMITH_DEPLOYMENT_NAME", "from-env")],
        &["--ref", "v2"],
    )
    .code(0);
    assert_eq!(h.mock.revisions(deployment.id).len(), 2);
}

/// Issue 19, 2: which flags name the deployment is the hint's to say, after the message.
#[test]
fn a_deploy_naming_no_deployment_is_refused_with_a_hint_naming_the_flags() {
    let h = Harness::start();
    let run = deploy(&h, &["--ref", "main"]);
    run.code(2);
    support::says_message_then_hint(
        &run.stderr,
        "which deployment?",
        "pass --name or --deployment-id (or set LANGSMITH_DEPLOYMENT_NAME)",
    );
    h.assert_no_request();
}

#[test]
fn a_new_name_with_a_ref_and_repository_creates_the_deployment() {
    let h = Harness::instant();
    let run = deploy(
        &h,
        &[
            "--name",
            "new-agent",
            "--ref",
            "main",
            "--repo-url",
            "https://github.com/example/new-agent",
            "--deployment-type",
            "dev_free",
        ],
    );
    run.code(0).stderr_has("created deployment new-agent");
    let created = h.mock.deployments();
    assert_eq!(created.len(), 1);
    let deployment = &created[0];
    assert_eq!(deployment.name, "new-agent");
    assert_eq!(deployment.source.as_str(), "github");
    assert_eq!(
        deployment.source_config.repo_url.as_deref(),
        Some("https://github.com/example/new-agent")
    );
    assert_eq!(
        deployment
            .source_config
            .deployment_type
            .as_ref()
            .map(|t| t.as_str()),
        Some("dev_free")
    );
    // Creating from a ref starts the revision: no second change.
    assert_eq!(changes(&h).len(), 1, "{:?}", changes(&h));
    assert_eq!(
        h.mock.revisions(deployment.id)[0].status,
        RevisionStatus::Deployed
    );
}

#[test]
fn a_new_name_with_a_ref_but_no_repository_is_a_usage_error_that_changes_nothing() {
    let h = Harness::start();
    let run = deploy(&h, &["--name", "nowhere", "--ref", "main"]);
    run.code(2)
        .stderr_has(
            "error: no deployment is named \"nowhere\"; creating it needs the repository URL",
        )
        .stderr_has("hint: pass --repo-url (and --integration-id) to create it from --ref");
    assert!(changes(&h).is_empty(), "{:?}", changes(&h));
}

#[test]
fn an_image_creates_a_docker_deployment_and_exits_0() {
    let h = Harness::instant();
    deploy(
        &h,
        &[
            "--name",
            "image-agent",
            "--image",
            "registry.example/agent:1.2",
        ],
    )
    .code(0);
    let deployment = &h.mock.deployments()[0];
    assert_eq!(deployment.source.as_str(), "external_docker");
    assert_eq!(
        deployment.source_revision_config.image_uri.as_deref(),
        Some("registry.example/agent:1.2")
    );
}

#[test]
fn a_failed_build_prints_the_end_of_the_build_log_and_exits_3() {
    let h = Harness::instant();
    let deployment = h.seed("support-agent");
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let run = deploy(&h, &["--name", "support-agent", "--ref", "broken"]);
    run.code(3)
        .stdout_has("failed: BUILD_FAILED")
        .stderr_has("of the build log:")
        .stderr_has("Build failed: installing dependencies exited with status 1")
        .stderr_has(&format!("lscp revision logs {}", deployment.id));
}

#[test]
fn no_wait_returns_once_the_revision_started() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let run = deploy(&h, &["--name", "support-agent", "--ref", "v2", "--no-wait"]);
    run.code(0).stdout_has("started");
    assert!(h.mock.requests_for("get_revision").is_empty());
    assert_eq!(h.mock.revisions(deployment.id).len(), 2);
    // Waiting options make no sense without a wait.
    deploy(
        &h,
        &[
            "--name",
            "support-agent",
            "--ref",
            "v2",
            "--no-wait",
            "--timeout",
            "5m",
        ],
    )
    .code(2);
}

#[test]
fn a_timeout_before_the_outcome_exits_4() {
    // A revision that takes minutes, and a timeout that leaves finding the deployment and
    // starting the revision time enough on a loaded machine, so that it ends the wait.
    let h = Harness::with(
        langsmith_control_plane_mock::MockServer::builder().timing(support::Timing::realistic()),
    );
    h.seed("support-agent");
    let run = deploy(
        &h,
        &["--name", "support-agent", "--ref", "v2", "--timeout", "1s"],
    );
    run.code(4).stdout_has("gave up waiting");
}

/// `--logs` on a revision that builds for an hour, with a 1 s timeout: lscp ends at the timeout
/// (exit 4), not after a drain of the logs, with the build log read so far shown, and the job
/// summary and the annotation give the time stdout gives.
#[test]
fn a_timeout_while_following_logs_exits_4_on_time_saying_one_time_everywhere() {
    let h = Harness::start();
    h.seed("support-agent");
    h.mock.script_next_revision(
        RevisionScript::new().then(RevisionStatus::Building, Duration::from_secs(3600)),
    );
    let dir = tempfile::tempdir().unwrap();
    let (summary, outputs) = (dir.path().join("summary"), dir.path().join("outputs"));
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&outputs, "").unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
    ];
    let started = Instant::now();
    let run = deploy_with(
        &h,
        &env,
        &[
            "--name",
            "support-agent",
            "--ref",
            "v2",
            "--logs",
            "--timeout",
            "1s",
        ],
    );
    let took = started.elapsed();
    run.code(4).stderr_has("[build] ");
    assert!(took < Duration::from_secs(4), "lscp took {took:?}");
    // `... gave up waiting on revision R after 1s; last status BUILDING`
    let after = run
        .stdout
        .split_once(" after ")
        .and_then(|(_, rest)| rest.split_once(';'))
        .map(|(after, _)| after.to_owned())
        .unwrap_or_else(|| panic!("no time on stdout: {}", run.stdout));
    let summary = std::fs::read_to_string(&summary).unwrap();
    let row = summary
        .lines()
        .find(|line| line.contains("timed out"))
        .unwrap_or_else(|| panic!("no timed-out row: {summary}"));
    assert!(
        row.contains(&format!("| {after} |")),
        "{after} on stdout: {row}"
    );
    let warning = run
        .stderr
        .lines()
        .find(|line| line.starts_with("::warning "))
        .unwrap_or_else(|| panic!("no warning: {}", run.stderr));
    assert!(
        warning.contains(&format!(" after {after};")),
        "{after} on stdout: {warning}"
    );
}

/// The lines of `lscp -o json deploy ARGS`, each checked against `lscp schema deploy-event`.
fn json_events(h: &Harness, args: &[&str], code: i32) -> Vec<Value> {
    json_events_with(h, &[], args, code)
}

/// [`json_events`] with more environment variables.
fn json_events_with(h: &Harness, env: &[(&str, &str)], args: &[&str], code: i32) -> Vec<Value> {
    let mut all = vec!["-o", "json"];
    all.extend(args);
    let run = deploy_with(h, env, &all);
    run.code(code).keeps_key_secret();
    let lines = run.json_lines();
    let schema: Value =
        serde_json::from_str(&h.run(&["schema", "deploy-event"]).code(0).stdout).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("https://lscp.invalid/deploy-event.json", schema)
        .unwrap();
    let index = compiler
        .compile("https://lscp.invalid/deploy-event.json", &mut schemas)
        .unwrap();
    for line in &lines {
        if let Err(e) = schemas.validate(line, index) {
            panic!("{line} does not match the schema: {e}");
        }
    }
    lines
}

/// Asserts the lines end in exactly one `result` and returns it.
fn the_result(lines: &[Value]) -> &Value {
    let results: Vec<&Value> = lines.iter().filter(|l| l["event"] == "result").collect();
    assert_eq!(results.len(), 1, "{lines:#?}");
    assert_eq!(lines.last(), Some(results[0]), "result is not last");
    results[0]
}

#[test]
fn json_output_is_event_lines_ending_in_one_result() {
    // BUILDING holds for several polls, and the pipeline is over in 850 ms; the logs are first
    // read after 1 s, whole, rather than followed every 2 s while they grow.
    let phase = std::time::Duration::from_millis;
    let mut timing = support::Timing::uniform(phase(50));
    timing.building = phase(600);
    let h = Harness::with(langsmith_control_plane_mock::MockServer::builder().timing(timing));
    let deployment = h.seed("support-agent");
    let held = support::logs_held(&h.mock.base_url(), phase(1000));
    let lines = json_events_with(
        &h,
        &[("LANGSMITH_CONTROL_PLANE_URL", &held)],
        &["--name", "support-agent", "--ref", "v2", "--logs"],
        0,
    );
    let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    for kind in ["step", "status_url", "status_change", "log"] {
        assert!(kinds.contains(&kind), "no {kind} event: {kinds:?}");
    }
    let result = the_result(&lines);
    let revision = &h.mock.revisions(deployment.id)[0];
    assert_eq!(result["outcome"], "deployed");
    assert_eq!(result["status"], "DEPLOYED");
    assert_eq!(result["deployment_id"], arg(deployment.id));
    assert_eq!(result["revision_id"], arg(revision.id));
    assert!(
        result["status_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/host/deployments/{}", deployment.id))
    );
    let statuses: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "status_change")
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.last(), Some(&"DEPLOYED"));
    assert!(statuses.contains(&"BUILDING"), "{statuses:?}");
}

#[test]
fn json_output_of_a_failure_carries_the_log_tail_in_the_result() {
    let h = Harness::instant();
    h.seed("support-agent");
    h.mock.fail_next_revision(RevisionStatus::DeployFailed);
    let lines = json_events(&h, &["--name", "support-agent", "--ref", "v2"], 3);
    let result = the_result(&lines);
    assert_eq!(result["outcome"], "failed");
    assert_eq!(result["status"], "DEPLOY_FAILED");
    let log = result["failure_log"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("health check")),
        "{log:#?}"
    );
}

#[test]
fn json_output_with_no_wait_ends_in_a_started_result() {
    let h = Harness::start();
    h.seed("support-agent");
    let lines = json_events(
        &h,
        &["--name", "support-agent", "--image", "agent:2", "--no-wait"],
        0,
    );
    let result = the_result(&lines);
    assert_eq!(result["outcome"], "started");
    assert!(result["status"].is_null());
}

#[test]
fn a_reserved_secret_name_is_refused_before_any_request() {
    let h = Harness::start();
    let run = deploy(
        &h,
        &[
            "--name",
            "support-agent",
            "--ref",
            "main",
            "--secret",
            "LANGCHAIN_PROJECT=sk-reserved-value",
        ],
    );
    run.code(2)
        .stderr_has("LANGCHAIN_PROJECT")
        .stderr_has("reserved names: ")
        .stderr_has("POSTGRES_URI")
        .stderr_has(
            "hint: the service sets these itself: leave them out of --secret and --env-file",
        );
    assert!(!run.stderr.contains("sk-reserved-value"));
    h.assert_no_request();
}

#[test]
fn a_secret_named_alone_needs_its_environment_variable() {
    let h = Harness::start();
    let run = deploy(
        &h,
        &[
            "--name",
            "a",
            "--ref",
            "main",
            "--secret",
            "NOT_SET_ANYWHERE",
        ],
    );
    run.code(2).stderr_has("NOT_SET_ANYWHERE");
    h.assert_no_request();
}

#[test]
fn a_secret_value_given_where_a_name_belongs_is_refused_without_being_echoed() {
    let h = Harness::start();
    let pasted = "sk-proj-Pasted0Secret0Value";
    for flag in [pasted.to_string(), format!("{pasted}==")] {
        let run = deploy(
            &h,
            &[
                "--name", "a", "--ref", "main", "--secret", "GOOD=1", "--secret", &flag,
            ],
        );
        run.code(2)
            .stderr_has("--secret number 2: the value given does not look like a variable name");
        support::says_message_then_hint(
            &run.stderr,
            "--secret number 2: the value given does not look like a variable name",
            "write NAME=VALUE, or NAME alone to read the environment variable NAME",
        );
        assert!(
            !run.stderr.contains("sk-proj") && !run.stdout.contains("sk-proj"),
            "the value is echoed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    h.assert_no_request();
}

#[test]
fn an_env_file_name_that_is_not_a_variable_name_is_refused_by_line_without_being_echoed() {
    let h = Harness::start();
    let file = spec_file("GOOD=1\nsk.proj.Pasted0Secret=x\n");
    let run = deploy(
        &h,
        &[
            "--name",
            "a",
            "--ref",
            "main",
            "--env-file",
            file.path().to_str().unwrap(),
        ],
    );
    run.code(2)
        .stderr_has("line 2: the name does not look like a variable name");
    assert!(!run.stderr.contains("Pasted0Secret"), "{}", run.stderr);
    h.assert_no_request();
}

/// A deployment with the secrets `KEEP=kept` and `ROTATE=old-value`.
fn seed_with_secrets(h: &Harness) -> support::Deployment {
    let mut request = github_deployment_request("support-agent");
    request.secrets = vec![secret("KEEP", "kept"), secret("ROTATE", "old-value")];
    h.seed_request(request)
}

/// The body of the one `POST .../revisions` the deploy sent (it sent no PATCH).
fn revision_body(h: &Harness) -> Value {
    assert!(h.mock.requests_for("patch_deployment").is_empty());
    let posts = h.mock.requests_for("create_revision");
    assert_eq!(posts.len(), 1);
    posts[0].body.clone().expect("the body is recorded")
}

/// The secret names of the one new revision the deploy started.
fn shipped_secret_names(h: &Harness) -> Vec<String> {
    let body = revision_body(h);
    let mut names: Vec<String> = body["secrets"]
        .as_array()
        .expect("the request carries secrets")
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn secrets_given_are_merged_into_the_deployments_own_by_name() {
    let h = Harness::instant();
    let deployment = seed_with_secrets(&h);
    let run = deploy_with(
        &h,
        &[("FROM_ENV", "sk-env-value")],
        &[
            "--name",
            "support-agent",
            "--ref",
            "v2",
            "--secret",
            "ROTATE=sk-new-value",
            "--secret",
            "FROM_ENV",
        ],
    );
    run.code(0);
    for value in ["sk-new-value", "sk-env-value", "kept"] {
        assert!(!run.stdout.contains(value) && !run.stderr.contains(value));
    }
    assert_eq!(shipped_secret_names(&h), ["FROM_ENV", "KEEP", "ROTATE"]);
    assert_eq!(
        stored_secrets(&h, deployment.id),
        BTreeMap::from([
            ("FROM_ENV".into(), "sk-env-value".into()),
            ("KEEP".into(), "kept".into()),
            ("ROTATE".into(), "sk-new-value".into()),
        ])
    );
}

#[test]
fn replace_secrets_sends_exactly_the_secrets_given() {
    let h = Harness::instant();
    let deployment = seed_with_secrets(&h);
    deploy(
        &h,
        &[
            "--name",
            "support-agent",
            "--ref",
            "v2",
            "--secret",
            "ONLY=sk-only",
            "--replace-secrets",
        ],
    )
    .code(0);
    assert_eq!(shipped_secret_names(&h), ["ONLY"]);
    assert_eq!(
        stored_secrets(&h, deployment.id),
        BTreeMap::from([("ONLY".into(), "sk-only".into())])
    );
}

#[test]
fn without_secrets_the_new_revision_leaves_the_deployments_own_alone() {
    let h = Harness::instant();
    let deployment = seed_with_secrets(&h);
    deploy(&h, &["--name", "support-agent", "--ref", "v2"]).code(0);
    assert_eq!(
        revision_body(&h),
        serde_json::json!({"source_revision_config": {"repo_ref": "v2"}}),
        "only what changed"
    );
    assert_eq!(stored_secrets(&h, deployment.id).len(), 2);
}

#[test]
fn replace_secrets_with_nothing_to_replace_is_refused_before_any_request() {
    let h = Harness::start();
    let deployment = seed_with_secrets(&h);
    let run = deploy(
        &h,
        &[
            "--name",
            "support-agent",
            "--ref",
            "v2",
            "--replace-secrets",
        ],
    );
    run.code(2).stderr_has("cannot clear secrets");
    h.assert_no_request();
    assert_eq!(stored_secrets(&h, deployment.id).len(), 2);
}

#[test]
fn an_image_and_a_directory_ship_to_an_existing_deployment_as_new_revisions() {
    let h = Harness::instant();
    let mut image = github_deployment_request("img");
    image.source = langsmith_control_plane::types::DeploymentSource::ExternalDocker;
    image.source_config.repo_url = None;
    image.source_revision_config = Default::default();
    image.source_revision_config.image_uri = Some("registry/agent:1".into());
    let image = h.seed_request(image);
    deploy(&h, &["--name", "img", "--image", "registry/agent:2"]).code(0);
    assert_eq!(
        revision_body(&h),
        serde_json::json!({"source_revision_config": {"image_uri": "registry/agent:2"}})
    );
    assert_eq!(
        h.mock.revisions(image.id)[0].status,
        RevisionStatus::Deployed
    );

    let dir = source_dir();
    let path = dir.path().to_str().unwrap();
    deploy(&h, &["--name", "from-dir", "--source-dir", path]).code(0);
    deploy(&h, &["--name", "from-dir", "--source-dir", path]).code(0);
    let posts = h.mock.requests_for("create_revision");
    assert_eq!(posts.len(), 3, "the image, then both directory deploys");
    let config = &posts[2].body.as_ref().unwrap()["source_revision_config"];
    assert!(config["source_tarball_path"].is_string(), "{config}");
    assert!(h.mock.requests_for("patch_deployment").is_empty());
}

#[test]
fn display_name_is_set_by_a_patch_after_create_and_shown_by_get() {
    let h = Harness::instant();
    let run = deploy(
        &h,
        &[
            "--name",
            "named",
            "--ref",
            "main",
            "--repo-url",
            "https://github.com/acme/named",
            "--display-name",
            "Named agent",
        ],
    );
    run.code(0);
    let create = h.mock.requests_for("create_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert!(create.get("display_name").is_none(), "create takes none");
    let patches = h.mock.requests_for("patch_deployment");
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].body.clone().unwrap(),
        serde_json::json!({"display_name": "Named agent"})
    );
    let id = h.mock.deployments()[0].id;
    h.run(&["deployment", "get", &arg(id)])
        .code(0)
        .stdout_has("Named agent");

    let empty = deploy(
        &h,
        &["--name", "named", "--ref", "v2", "--display-name", ""],
    );
    empty.code(2).stderr_has("--display-name must not be empty");
}

#[test]
fn an_env_file_supplies_secrets_and_may_name_the_deployment() {
    let h = Harness::instant();
    let deployment = seed_with_secrets(&h);
    let file = spec_file(
        "# local settings\n\
         \n\
         export OPENAI_API_KEY=sk-exported\n\
         QUOTED=\"two words\"\n\
         LITERAL='$not_expanded'\n\
         EMPTY=\n\
         ROTATE=from-file\n\
         LANGSMITH_DEPLOYMENT_NAME=support-agent\n",
    );
    let run = deploy(
        &h,
        &[
            "--ref",
            "v2",
            "--env-file",
            file.path().to_str().unwrap(),
            "--secret",
            "ROTATE=from-flag",
        ],
    );
    run.code(0).stderr_has("EMPTY is empty");
    assert_eq!(
        stored_secrets(&h, deployment.id),
        BTreeMap::from([
            ("KEEP".into(), "kept".into()),
            ("LITERAL".into(), "$not_expanded".into()),
            ("OPENAI_API_KEY".into(), "sk-exported".into()),
            ("QUOTED".into(), "two words".into()),
            ("ROTATE".into(), "from-flag".into()),
        ])
    );
}

#[test]
fn a_bad_env_file_line_is_named_by_number_without_its_text() {
    let h = Harness::start();
    let file = spec_file("GOOD=1\nthis line leaks sk-in-a-bad-line\n");
    let run = deploy(
        &h,
        &[
            "--name",
            "a",
            "--ref",
            "main",
            "--env-file",
            file.path().to_str().unwrap(),
        ],
    );
    run.code(2).stderr_has("line 2");
    assert!(!run.stderr.contains("sk-in-a-bad-line"), "{}", run.stderr);
    h.assert_no_request();
}

#[test]
fn a_reserved_name_in_an_env_file_is_refused_before_any_request() {
    let h = Harness::start();
    let file = spec_file("POSTGRES_URI=postgres://secret@db\n");
    deploy(
        &h,
        &[
            "--name",
            "a",
            "--ref",
            "main",
            "--env-file",
            file.path().to_str().unwrap(),
        ],
    )
    .code(2)
    .stderr_has("POSTGRES_URI");
    h.assert_no_request();
}

#[test]
fn sources_are_exactly_one_and_a_deployment_must_be_named() {
    let h = Harness::start();
    deploy(&h, &["--name", "a"]).code(2);
    deploy(&h, &["--name", "a", "--ref", "main", "--image", "x:1"]).code(2);
    // Options of one source with another source.
    deploy(
        &h,
        &[
            "--name",
            "a",
            "--repo-url",
            "https://github.com/x/y",
            "--image",
            "x:1",
        ],
    )
    .code(2);
    deploy(&h, &["--name", "a", "--config", "l.json", "--ref", "main"]).code(2);
    deploy(
        &h,
        &[
            "--name",
            "a",
            "--integration-id",
            &arg(uuid::Uuid::new_v4()),
            "--source-dir",
            ".",
        ],
    )
    .code(2);
    deploy(
        &h,
        &[
            "--name",
            "a",
            "--deployment-id",
            &arg(uuid::Uuid::new_v4()),
            "--ref",
            "main",
        ],
    )
    .code(2);
    deploy(&h, &["--ref", "main"])
        .code(2)
        .stderr_has("--name or --deployment-id");
    h.assert_no_request();
}

#[test]
fn an_unknown_deployment_id_is_an_error_exit_1() {
    let h = Harness::start();
    deploy(
        &h,
        &[
            "--deployment-id",
            &arg(uuid::Uuid::new_v4()),
            "--ref",
            "main",
        ],
    )
    .code(1)
    .stderr_has("404");
}

/// A directory with a `langgraph.json`, as `lscp deploy --source-dir` takes it.
fn source_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("langgraph.json"),
        r#"{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("agent.py"), "graph = None\n").unwrap();
    dir
}

/// `size` bytes that gzip cannot shrink: 1 MiB of xorshift output, repeated. Gzip finds
/// repeats only within its 32 KiB window, so the copies do not shrink either, and the test
/// spends no time on more random bytes.
fn write_incompressible(path: &std::path::Path, size: u64) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunk = vec![0u8; 1 << 20];
    for word in chunk.chunks_exact_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        word.copy_from_slice(&state.to_le_bytes());
    }
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        file.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
}

#[test]
fn a_source_directory_over_the_size_limit_is_refused_before_any_request() {
    let h = Harness::start();
    let dir = source_dir();
    let limit = langsmith_control_plane::MAX_ARCHIVE_BYTES;
    write_incompressible(&dir.path().join("weights.bin"), limit + (1 << 20));
    let run = deploy(
        &h,
        &[
            "--name",
            "big",
            "--source-dir",
            dir.path().to_str().unwrap(),
        ],
    );
    run.code(2).stderr_has("over 200 MiB");
    support::says_message_then_hint(
        &run.stderr,
        "the source archive is over 200 MiB",
        "add what need not ship to .gitignore or .dockerignore",
    );
    h.assert_no_request();
}

#[test]
fn a_source_directory_without_its_config_is_refused_before_any_request() {
    let h = Harness::start();
    let dir = source_dir();
    let run = deploy(
        &h,
        &[
            "--name",
            "agent",
            "--source-dir",
            dir.path().to_str().unwrap(),
            "--config",
            "missing.json",
        ],
    );
    run.code(2).stderr_has("missing.json");
    // lscp's own hint, by the error's type: it knows the flag; the library's message does not.
    support::says_message_then_hint(
        &run.stderr,
        "the config file missing.json is not in the source directory",
        "pass --config with the config file's path relative to --source-dir",
    );
    assert!(!run.stderr.contains("(pass --config)"), "{}", run.stderr);
    h.assert_no_request();
}

/// `lscp -o json deploy ARGS`'s result line, after checking the exit code.
fn deploy_result(h: &Harness, args: &[&str], code: i32) -> Value {
    let mut all = vec!["-o", "json"];
    all.extend(args);
    let run = deploy(h, &all);
    run.code(code).keeps_key_secret();
    the_result(&run.json_lines()).clone()
}

/// The files a revision's build log lists as archived.
fn archived_files(h: &Harness, result: &Value) -> Vec<String> {
    let (deployment, revision) = (
        result["deployment_id"].as_str().unwrap(),
        result["revision_id"].as_str().unwrap(),
    );
    let log = h
        .run(&[
            "-o", "json", "revision", "logs", deployment, revision, "--type", "build",
        ])
        .code(0)
        .json_lines();
    let mut files: Vec<String> = log
        .iter()
        .filter_map(|entry| entry["message"].as_str()?.strip_prefix("archive file: "))
        .map(str::to_string)
        .collect();
    files.sort();
    files
}

#[test]
fn a_new_deployment_from_a_directory_is_named_after_it_uploaded_and_deployed() {
    let h = Harness::instant();
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("My_Agent");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("langgraph.json"), r#"{"graphs": {}}"#).unwrap();
    std::fs::write(dir.join("agent.py"), "graph = None\n").unwrap();
    let run = deploy(&h, &["--source-dir", dir.to_str().unwrap()]);
    run.code(0)
        .keeps_key_secret()
        .stderr_has("created deployment my-agent")
        .stderr_has("archived 2 files");
    let deployment = &h.mock.deployments()[0];
    assert_eq!(deployment.name, "my-agent");
    assert_eq!(deployment.source.as_str(), "internal_source");
    assert_eq!(
        h.mock.revisions(deployment.id)[0].status,
        RevisionStatus::Deployed
    );
    // The archive went to the upload origin, with no LangSmith credential, and its signed URL
    // was never printed.
    let uploads = h.mock.upload_requests();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(
        (uploads[0].method.as_str(), uploads[0].status),
        ("PUT", 200)
    );
    assert!(uploads[0].credential_headers().is_empty(), "{uploads:?}");
    assert!(h.mock.credentials_seen_by_upload_origin().is_empty());
    for stream in [&run.stdout, &run.stderr] {
        assert!(!stream.contains(&h.mock.upload_origin()), "{stream}");
        assert!(!stream.contains(&uploads[0].path), "{stream}");
    }
}

#[test]
fn a_directory_is_archived_by_its_ignore_rules() {
    let h = Harness::instant();
    let dir = source_dir();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(".gitignore", "notes.txt\nbuild/\n");
    write(".dockerignore", "*.log\n!keep.log\n");
    write("notes.txt", "private\n");
    write("build/out.bin", "artifact\n");
    write("debug.log", "noise\n");
    write("keep.log", "wanted\n");
    write("src/tool.py", "def tool(): ...\n");
    write("node_modules/pkg/index.js", "module.exports = 1\n");
    write(".venv/lib/site.py", "import os\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("agent.py"), root.join("link.py")).unwrap();
    let result = deploy_result(
        &h,
        &["--name", "ignoring", "--source-dir", root.to_str().unwrap()],
        0,
    );
    assert_eq!(result["outcome"], "deployed");
    assert_eq!(
        archived_files(&h, &result),
        [
            ".dockerignore",
            ".gitignore",
            "agent.py",
            "keep.log",
            "langgraph.json",
            "src/tool.py"
        ]
    );
}

#[test]
fn a_directory_deploy_reports_its_upload_in_json() {
    let h = Harness::instant();
    h.seed("support-agent");
    let dir = source_dir();
    let lines = json_events(
        &h,
        &[
            "--name",
            "support-agent",
            "--source-dir",
            dir.path().to_str().unwrap(),
        ],
        0,
    );
    let progress: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "upload_progress")
        .collect();
    let last = progress.last().expect("upload progress");
    assert_eq!(last["sent_bytes"], last["total_bytes"]);
    assert_eq!(the_result(&lines)["outcome"], "deployed");
}

#[test]
fn an_organization_key_without_a_workspace_is_told_to_set_one() {
    let h =
        Harness::with(langsmith_control_plane_mock::MockServer::builder().organization_key(true));
    deploy(&h, &["--name", "a", "--ref", "main"])
        .code(1)
        .stderr_has("requires workspace specification")
        .stderr_has("set LANGSMITH_WORKSPACE_ID");
}

#[test]
fn a_workspace_without_deployments_is_told_they_are_not_enabled() {
    let h = Harness::with(
        langsmith_control_plane_mock::MockServer::builder().deployments_enabled(false),
    );
    deploy(&h, &["--name", "a", "--ref", "main"])
        .code(1)
        .stderr_has("LangSmith Deployment is not enabled");
}

/// A mock whose builds take 1 s, seeded with `agent`, behind a proxy that answers the first
/// build-log read with a page over the 16 MiB response limit; the proxy's base URL.
///
/// The build writes its lines well after that first read, and its revision is DEPLOYED before
/// the log is followed again from the warning on (2 s later), so that read is the last one.
/// DEPLOYING takes no time: seen, it would start following the deploy log for 2 s more.
fn oversized_first_build_log_page() -> (Harness, String) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut timing = support::Timing::fast();
    timing.building = std::time::Duration::from_secs(1);
    timing.deploying = std::time::Duration::ZERO;
    let h = Harness::with(langsmith_control_plane_mock::MockServer::builder().timing(timing));
    h.seed("agent");
    let sent_oversized = AtomicBool::new(false);
    let base = support::relaying(&h.mock.base_url(), move |request| {
        let build_log =
            request.path().ends_with("/logs") && request.query_values("type") == ["build"];
        if build_log && !sent_oversized.swap(true, Ordering::SeqCst) {
            let entry = format!(r#"{{"message": "{}"}}"#, "x".repeat(1 << 20));
            let page = format!(r#"{{"logs": [{}]}}"#, vec![entry; 17].join(","));
            return (200, page.into_bytes());
        }
        request.forward()
    });
    (h, base)
}

#[test]
fn deploy_logs_says_an_oversized_log_page_was_skipped_and_goes_on_following() {
    let (h, base) = oversized_first_build_log_page();
    let run = deploy_with(
        &h,
        &[("LANGSMITH_CONTROL_PLANE_URL", &base)],
        &["--name", "agent", "--ref", "main", "--logs"],
    );
    run.code(0).keeps_key_secret();
    let warning = run
        .stderr
        .find("warning: skipped a page of the build log")
        .unwrap_or_else(|| panic!("no warning:\n{}", run.stderr));
    assert!(
        run.stderr[warning..].contains("over the response size limit (16 MiB)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr[warning..].contains("[build]") && run.stderr.contains("Build succeeded"),
        "the build log goes on after the warning:\n{}",
        run.stderr
    );
}

#[test]
fn deploy_logs_in_json_reports_the_skipped_page_as_a_warning_step() {
    let (h, base) = oversized_first_build_log_page();
    let run = deploy_with(
        &h,
        &[("LANGSMITH_CONTROL_PLANE_URL", &base)],
        &["-o", "json", "--name", "agent", "--ref", "main", "--logs"],
    );
    run.code(0).keeps_key_secret();
    let lines = run.json_lines();
    let warning = lines
        .iter()
        .position(|l| {
            l["event"] == "step"
                && l["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("warning: skipped a page of the build log"))
        })
        .unwrap_or_else(|| panic!("no warning step:\n{}", run.stdout));
    assert!(
        lines[warning..]
            .iter()
            .any(|l| l["event"] == "log" && l["log_type"] == "build"),
        "build log entries after the warning:\n{}",
        run.stdout
    );
}

/// Issue 18, 13: a config the ignore rules leave out is refused, exit 2, before any request.
#[test]
fn a_config_left_out_by_the_ignore_rules_is_refused_before_any_request() {
    let h = Harness::start();
    let dir = source_dir();
    std::fs::write(dir.path().join(".gitignore"), "langgraph.json\n").unwrap();
    let run = deploy(
        &h,
        &[
            "--name",
            "agent",
            "--source-dir",
            dir.path().to_str().unwrap(),
        ],
    );
    run.code(2)
        .stderr_has("langgraph.json is left out by the ignore rules");
    h.assert_no_request();
}

/// Issue 18, 10: secrets files are left out with one summary line; `-v` lists each.
#[test]
fn secrets_files_are_left_out_in_one_line_and_listed_at_v() {
    let h = Harness::instant();
    let dir = source_dir();
    std::fs::write(dir.path().join(".env"), "OPENAI_API_KEY=sk-not-real\n").unwrap();
    std::fs::write(dir.path().join("k.pem"), "-----BEGIN PRIVATE KEY-----\n").unwrap();
    let source = dir.path().to_str().unwrap();
    let run = deploy(&h, &["--name", "quiet", "--source-dir", source]);
    run.code(0)
        .stderr_has("left out 2 secrets files (.env, k.pem); a .dockerignore negation ships one");
    assert!(
        !run.stderr.contains("left out a secrets file"),
        "{}",
        run.stderr
    );
    let run = deploy(&h, &["-v", "--name", "listed", "--source-dir", source]);
    run.code(0)
        .stderr_has("left out a secrets file file=.env")
        .stderr_has("left out a secrets file file=k.pem");
    let result = deploy_result(&h, &["--name", "json", "--source-dir", source], 0);
    assert_eq!(archived_files(&h, &result), ["agent.py", "langgraph.json"]);
}

#[test]
fn file_names_in_the_v_trace_are_escaped_and_forge_no_line() {
    // `-v` lists each left-out secrets file through the request tracing; a name is outside
    // text, and each trace event is escaped whole.
    let h = Harness::instant();
    let dir = source_dir();
    let hostile = ".env.\x1b]0;pwned\x07\r\u{9b}31m\u{202e}\nFORGED line";
    std::fs::write(dir.path().join(hostile), "KEY=1\n").unwrap();
    let source = dir.path().to_str().unwrap();
    let run = deploy(&h, &["-v", "--name", "traced", "--source-dir", source]);
    run.code(0).stderr_has(
        r"left out a secrets file file=.env.\u{1b}]0;pwned\u{7}\r\u{9b}31m\u{202e}\nFORGED line",
    );
    let raw =
        |c: char| (c < ' ' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{202e}';
    assert!(!run.stderr.contains(raw), "{:?}", run.stderr);
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("FORGED")),
        "{}",
        run.stderr
    );
}
