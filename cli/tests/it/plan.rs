//! Deployments as code with `lscp`: the deployment file's schema, `lscp plan` and `lscp apply`
//! against the mock.

use crate::support;

use support::run_with;

#[test]
fn schema_prints_the_deployment_file_schema_for_editors() {
    let printed = run_with(&[], &["schema", "deployment-file"]);
    printed.code(0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["title"], "Deployment file");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], serde_json::json!(["deployments"]));
    let entry = &schema["definitions"]["DeploymentSpec"];
    assert_eq!(entry["additionalProperties"], false);
    assert_eq!(
        entry["properties"]["secrets"]["additionalProperties"]["$ref"],
        "#/definitions/SecretFrom"
    );
}

use support::{Harness, KEY, RevisionStatus, spec_file};

const SECRET_VALUE: &str = "sk-never-printed-4711";

/// Two deployments; the agent's secret comes from AGENT_TOKEN.
const FILE: &str = "\
deployments:
  - name: shop-agent
    source: github
    source_config:
      repo_url: https://github.com/acme/agent
      build_command: make
    source_revision_config: {repo_ref: main}
    env: {LOG_LEVEL: info}
    secrets: {TOKEN: {from_env: AGENT_TOKEN}}
  - name: shop-worker
    source: external_docker
    source_revision_config: {image_uri: 'registry.example.com/worker:1'}
";

fn plan(h: &Harness, file: &std::path::Path, extra: &[&str]) -> support::Run {
    let mut args = vec!["plan", "-f", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    h.run_with(&[("AGENT_TOKEN", SECRET_VALUE)], &args)
}

fn apply(h: &Harness, file: &std::path::Path, extra: &[&str]) -> support::Run {
    let mut args = vec!["apply", "-f", file.to_str().unwrap(), "--interval", "50ms"];
    args.extend_from_slice(extra);
    let run = h.run_with(&[("AGENT_TOKEN", SECRET_VALUE)], &args);
    assert!(
        !run.stdout.contains(SECRET_VALUE) && !run.stderr.contains(SECRET_VALUE),
        "a secret value was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run.keeps_key_secret();
    run
}

fn writes(h: &Harness) -> Vec<String> {
    h.mock
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn plan_on_an_empty_workspace_creates_everything_and_exit_code_says_10() {
    let h = Harness::start();
    let file = spec_file(FILE);
    let run = plan(&h, file.path(), &["--exit-code"]);
    run.code(10);
    run.stdout_has("+ shop-agent: create")
        .stdout_has("source_config.build_command: \"make\"")
        .stdout_has("env.LOG_LEVEL: \"info\"")
        .stdout_has("secrets.TOKEN: (secret, set)")
        .stdout_has("Plan: 2 to create, 0 to update in place, 0 new revisions, 0 unchanged.");
    assert!(!run.stdout.contains(SECRET_VALUE));
    assert!(writes(&h).is_empty());
    plan(&h, file.path(), &[]).code(0);
    let json = plan(&h, file.path(), &["-o", "json"]);
    let document = json.code(0).json();
    assert_eq!(document["deployments"][1]["action"], "create");
    assert_eq!(document["deployments"][0]["name"], "shop-agent");
}

#[test]
fn apply_then_plan_shows_no_change_and_a_second_apply_writes_nothing() {
    let h = Harness::instant();
    let file = spec_file(FILE);
    let run = apply(&h, file.path(), &["--yes"]);
    run.code(0);
    run.stdout_has("shop-agent").stdout_has("deployed");
    assert_eq!(h.mock.deployments().len(), 2);
    let after = plan(&h, file.path(), &["--exit-code"]);
    after
        .code(0)
        .stdout_has("= shop-agent (")
        .stdout_has("no change");
    h.mock.clear_requests();
    apply(&h, file.path(), &["--yes"]).code(0);
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
}

#[test]
fn drift_from_the_ui_shows_and_apply_puts_the_file_back() {
    let h = Harness::instant();
    let file = spec_file(FILE);
    apply(&h, file.path(), &["--yes"]).code(0);
    let agent = h
        .mock
        .deployments()
        .into_iter()
        .find(|d| d.name == "shop-agent")
        .unwrap();
    // "The UI": a PATCH through the API.
    h.run(&[
        "deployment",
        "update",
        &agent.id.to_string(),
        "--build-command",
        "make all",
    ])
    .code(0);
    let drift = plan(&h, file.path(), &["--exit-code"]);
    drift.code(10);
    drift
        .stdout_has(&format!("~ shop-agent ({}): new revision", agent.id))
        .stdout_has("source_config.build_command: \"make all\" -> \"make\"");
    // A build command ships with a new revision.
    apply(&h, file.path(), &["--yes"])
        .code(0)
        .stdout_has("deployed");
    plan(&h, file.path(), &["--exit-code"]).code(0);
}

#[test]
fn one_failed_build_among_three_exits_3_and_the_others_deploy() {
    let h = Harness::instant();
    let three = format!(
        "{FILE}  - name: shop-extra\n    source: external_docker\n    source_revision_config: {{image_uri: 'registry.example.com/extra:1'}}\n"
    );
    let file = spec_file(&three);
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let run = apply(&h, file.path(), &["--yes", "--concurrency", "1"]);
    run.code(3);
    let summary: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("shop-"))
        .collect();
    assert_eq!(summary.len(), 3, "{}", run.stdout);
    assert!(
        summary[0].contains("failed") && summary[0].contains("BUILD_FAILED"),
        "{summary:?}"
    );
    assert!(
        summary[1].contains("deployed") && summary[2].contains("deployed"),
        "{summary:?}"
    );
}

/// Issue 19, 2: a deployment whose create meets a dropped connection ends in an error that
/// has a cause and a hint; apply says each once, after the summary, as every command reports
/// its error, and its JSON carries the hint apart from the message.
#[test]
fn a_deployment_that_ends_in_an_error_shows_its_cause_and_hint_once_each() {
    const HINT: &str = "check the base URL (--base-url, --region) and the network";
    let file = spec_file(FILE);
    let failing = || {
        let h = Harness::start();
        h.mock
            .inject(support::Fault::drop_connection().on("create_deployment"));
        h
    };
    let h = failing();
    let run = apply(&h, file.path(), &["--yes", "--concurrency", "1"]);
    run.code(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let errors: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("error: shop-agent: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    let causes: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("caused by: "))
        .collect();
    assert!(!causes.is_empty(), "{}", run.stderr);
    for cause in &causes {
        let count = lines.iter().filter(|l| l.contains(&cause[11..])).count();
        assert_eq!(count, 1, "{cause} is said more than once:\n{}", run.stderr);
        assert!(!errors[0].contains(&cause[11..]), "{}", run.stderr);
    }
    let hints = run.stderr.matches(HINT).count();
    assert_eq!(hints, 1, "{}", run.stderr);
    support::says_message_then_hint(&run.stderr, "error: shop-agent: ", HINT);
    assert!(!errors[0].contains(HINT), "{}", run.stderr);

    let h = failing();
    let run = apply(
        &h,
        file.path(),
        &["--yes", "--concurrency", "1", "-o", "json"],
    );
    run.code(1);
    let lines = run.json_lines();
    let finished = lines
        .iter()
        .find(|l| l["event"] == "finished" && l["outcome"]["outcome"] == "error")
        .expect("a deployment ends in an error");
    assert_eq!(finished["outcome"]["hint"], HINT);
    let message = finished["outcome"]["message"].as_str().unwrap();
    assert!(!message.contains(HINT), "{message}");
    let done = lines.last().unwrap();
    let result = done["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["outcome"] == "error")
        .expect("the results name the error");
    assert_eq!(result["hint"], HINT);
    assert_eq!(result["message"], message);
}

#[test]
fn apply_without_yes_off_a_terminal_sends_nothing_and_exits_2() {
    let h = Harness::start();
    let file = spec_file(FILE);
    let run = apply(&h, file.path(), &[]);
    run.code(2).stderr_has("without --yes");
    h.assert_no_request();
}

#[test]
fn a_bad_file_reports_every_problem_and_sends_nothing() {
    let h = Harness::start();
    let file = spec_file(
        "deployments:\n  - name: a\n    sorce: github\n    secrets: {T: literal}\n  - name: a\n    source: github\n",
    );
    let path = file.path().to_str().unwrap();
    for args in [vec!["plan", "-f", path], vec!["apply", "-f", path, "--yes"]] {
        let run = h.run(&args);
        run.code(2);
        run.stderr_has(
            ":3:5: deployments[0].sorce: unknown key `sorce`; the nearest valid key is `source`",
        )
        .stderr_has(":4:18: deployments[0].secrets.T: secret T has its value written")
        .stderr_has(":5:11: deployments[1].name: the name \"a\" is taken")
        .stderr_has("lscp schema deployment-file");
        // Issue 19, 2: a problem's advice is a hint line after the problems, said once.
        support::says_message_then_hint(
            &run.stderr,
            "has 4 problems:",
            &format!(
                "{path}:4:18: write `T: {{from_env: VARIABLE}}` (or move it to `env` if it is not secret)"
            ),
        );
    }
    h.assert_no_request();
}

#[test]
fn two_deployments_sharing_the_name_end_deploy_plan_and_apply_with_exit_1_naming_both() {
    let h = Harness::start();
    let first = h.seed("shop-agent").id.to_string();
    let second = h.seed("shop-agent").id.to_string();
    let file = spec_file(FILE);
    let path = file.path().to_str().unwrap();
    let env = [("AGENT_TOKEN", SECRET_VALUE)];
    let runs = [
        h.run(&["deploy", "--name", "shop-agent", "--ref", "main"]),
        h.run_with(&env, &["plan", "-f", path]),
        h.run_with(&env, &["apply", "-f", path, "--yes"]),
    ];
    for run in &runs {
        run.code(1)
            .stderr_has(&first)
            .stderr_has(&second)
            .stderr_has("\"shop-agent\"")
            .stderr_has("hint: ");
    }
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
}

#[test]
fn json_apply_prints_the_plan_then_one_event_per_line_then_the_results() {
    let h = Harness::instant();
    let file = spec_file(FILE);
    let run = apply(&h, file.path(), &["--yes", "-o", "json"]);
    run.code(0);
    let lines = run.json_lines();
    assert_eq!(lines[0]["event"], "plan");
    assert_eq!(lines[0]["deployments"][0]["action"], "create");
    let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"status") && kinds.contains(&"finished"),
        "{kinds:?}"
    );
    let done = lines.last().unwrap();
    assert_eq!(done["event"], "done");
    assert_eq!(done["results"][0]["name"], "shop-agent");
    assert_eq!(done["results"][0]["outcome"], "deployed");
    assert!(!run.stdout.contains(KEY));
}

#[test]
fn every_line_of_json_apply_follows_the_schema_apply_event() {
    let printed = run_with(&[], &["schema", "apply-event"]);
    printed.code(0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(schema["title"], "ApplyLine");
    let location = "https://lscp.invalid/apply-event.json";
    let mut compiler = boon::Compiler::new();
    let mut schemas = boon::Schemas::new();
    compiler.add_resource(location, schema).unwrap();
    let index = compiler.compile(location, &mut schemas).unwrap();
    let h = Harness::instant();
    let file = spec_file(FILE);
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let run = apply(&h, file.path(), &["--yes", "-o", "json"]);
    run.code(3);
    let mut kinds = std::collections::BTreeSet::new();
    for line in run.json_lines() {
        if let Err(error) = schemas.validate(&line, index) {
            panic!("{line}\ndoes not follow the schema: {error}");
        }
        kinds.insert(line["event"].as_str().unwrap().to_string());
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["done", "finished", "plan", "status", "step"]
    );
    let wrong = serde_json::json!({"event": "finished", "name": "a", "outcome": "exploded"});
    assert!(schemas.validate(&wrong, index).is_err());
}

#[test]
fn schema_plan_describes_what_plan_prints() {
    let schema = run_with(&[], &["schema", "plan"]);
    schema.code(0);
    let schema: serde_json::Value = serde_json::from_str(&schema.stdout).unwrap();
    let entry = &schema["definitions"]["PlannedDeployment"]["properties"];
    for key in [
        "name",
        "deployment_id",
        "action",
        "changes",
        "blocked",
        "latest_revision",
    ] {
        assert!(entry.get(key).is_some(), "{key}");
    }
    assert_eq!(
        schema["definitions"]["PlannedDeployment"]["additionalProperties"],
        false
    );
}

/// Runs `lscp ARGS` on a pseudo-terminal (util-linux `script`), typing `answer` on it.
fn on_a_terminal(h: &Harness, args: &[&str], answer: &str) -> support::Run {
    let mut line = String::from(env!("CARGO_BIN_EXE_lscp"));
    for arg in args {
        line.push_str(&format!(" '{arg}'"));
    }
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .env("LANGSMITH_CONTROL_PLANE_URL", h.mock.base_url())
        .env("LANGSMITH_API_KEY", KEY)
        .env("AGENT_TOKEN", SECRET_VALUE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command
        .spawn()
        .expect("util-linux `script` runs a pseudo-terminal");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    support::Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn on_a_terminal_apply_asks_first_and_shows_a_line_per_deployment() {
    let h = Harness::instant();
    let file = spec_file(FILE);
    let path = file.path().to_str().unwrap();
    let args = ["apply", "-f", path, "--interval", "50ms"];
    let declined = on_a_terminal(&h, &args, "n\n");
    declined.code(1);
    declined
        .stdout_has("Apply these changes? [y/N]")
        .stdout_has("nothing was changed");
    assert!(writes(&h).is_empty());
    let accepted = on_a_terminal(&h, &args, "y\n");
    accepted.code(0);
    accepted
        .stdout_has("shop-agent: revision ")
        .stdout_has("shop-worker: deployed");
    assert!(!accepted.stdout.contains(SECRET_VALUE));
    assert_eq!(h.mock.deployments().len(), 2);
}

#[test]
fn on_a_terminal_prune_asks_first() {
    let h = Harness::start();
    h.seed("pr-1");
    let args = ["deployment", "prune", "--name-prefix", "pr-"];
    on_a_terminal(&h, &args, "no\n")
        .code(1)
        .stdout_has("pr-1 (")
        .stdout_has("Delete this deployment? [y/N]");
    assert!(h.mock.requests_for("delete_deployments").is_empty());
    on_a_terminal(&h, &args, "yes\n")
        .code(0)
        .stdout_has("deleted pr-1 (");
    assert_eq!(h.mock.requests_for("delete_deployments").len(), 1);
}

/// The three deployment names of [`FILE`] plus `shop-extra`.
const NAMES: [&str; 3] = ["shop-agent", "shop-worker", "shop-extra"];

/// A progress line of a CI log, `[ELAPSED] NAME: TEXT`, split into name and text; panics (showing
/// the whole log) on a line that does not name one of `names`.
#[track_caller]
fn progress_line<'a>(line: &'a str, names: &[&str], log: &str) -> (&'a str, &'a str) {
    let parsed = line
        .strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
        .and_then(|(elapsed, rest)| {
            humantime::parse_duration(elapsed).ok()?;
            rest.split_once(": ")
        })
        .filter(|(name, _)| names.contains(name));
    parsed
        .unwrap_or_else(|| panic!("{line:?} names no deployment as `[elapsed] name: ...`:\n{log}"))
}

#[test]
fn in_a_ci_log_apply_prints_plain_lines_each_naming_its_deployment_and_ending_in_its_outcome() {
    // CREATING outlasts each first poll also on a loaded machine; the other phases are short.
    let mut timing = support::Timing::uniform(std::time::Duration::from_millis(20));
    timing.creating = std::time::Duration::from_millis(400);
    let h = Harness::with(langsmith_control_plane_mock::MockServer::builder().timing(timing));
    let three = format!(
        "{FILE}  - name: shop-extra\n    source: external_docker\n    source_revision_config: {{image_uri: 'registry.example.com/extra:1'}}\n"
    );
    let file = spec_file(&three);
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    // Stderr is a pipe here, as in CI; text is the default output.
    let run = apply(&h, file.path(), &["--yes"]);
    run.code(3);
    let log = &run.stderr;
    let mut last: std::collections::HashMap<&str, &str> = Default::default();
    let mut steps: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for line in log.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_err() && !line.contains('{'),
            "a JSON object on stderr: {line}"
        );
        let (name, text) = progress_line(line, &NAMES, log);
        last.insert(name, text);
        if let Some((_, step)) = text.split_once("(step ") {
            steps.entry(name).or_default().push(step);
        }
        if text.starts_with("created") {
            assert!(!steps.contains_key(name), "created after a status:\n{log}");
        }
    }
    for name in NAMES {
        let statuses = &steps[name];
        assert!(
            statuses
                .first()
                .is_some_and(|s| s.starts_with("1 of 6, creating)")),
            "{name} starts with step 1 of 6:\n{log}"
        );
    }
    let failed: Vec<&str> = NAMES
        .into_iter()
        .filter(|name| {
            last[name].starts_with("failed after ") && last[name].contains("BUILD_FAILED")
        })
        .collect();
    assert_eq!(failed.len(), 1, "one failed build:\n{log}");
    for name in NAMES.into_iter().filter(|name| *name != failed[0]) {
        assert!(
            last[name].starts_with("deployed after "),
            "{name} ends deployed:\n{log}"
        );
    }
    // The summary on stdout agrees.
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with(failed[0]))
        .unwrap();
    assert!(row.contains("BUILD_FAILED"), "{}", run.stdout);
}

#[test]
fn while_a_status_holds_apply_says_it_is_still_waiting_at_most_once_per_interval() {
    use langsmith_control_plane_mock::RevisionScript;
    use std::time::Duration;
    let h = Harness::start();
    let file = spec_file(
        "deployments:\n  - name: shop-worker\n    source: external_docker\n    source_revision_config: {image_uri: 'registry.example.com/worker:1'}\n",
    );
    // BUILDING holds for 1.4 s; the other statuses change faster than the interval.
    h.mock.script_next_revision(
        RevisionScript::new()
            .then(RevisionStatus::Creating, Duration::from_millis(100))
            .then(RevisionStatus::Building, Duration::from_millis(1400))
            .then(RevisionStatus::Deploying, Duration::from_millis(100))
            .ends_with(RevisionStatus::Deployed),
    );
    let run = apply(&h, file.path(), &["--yes", "--heartbeat-interval", "400ms"]);
    run.code(0);
    let log = &run.stderr;
    let waiting: Vec<&str> = log
        .lines()
        .map(|line| progress_line(line, &["shop-worker"], log).1)
        .filter(|text| text.starts_with("still waiting"))
        .collect();
    assert!(
        waiting.iter().all(|text| text.contains("BUILDING")),
        "only the status that held for longer than the interval:\n{log}"
    );
    // 1.4 s at one line per 400 ms: 3, or 4 when a poll is late; fewer than 2 means none repeat.
    assert!(
        (2..=4).contains(&waiting.len()),
        "{} still-waiting lines:\n{log}",
        waiting.len()
    );
}

#[test]
fn the_heartbeat_interval_for_tests_is_not_in_the_help() {
    let help = run_with(&[], &["apply", "--help"]);
    help.code(0);
    assert!(!help.stdout.contains("heartbeat"), "{}", help.stdout);
}
