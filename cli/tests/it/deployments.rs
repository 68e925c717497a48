//! `lscp deployment ...` against the mock: each command, text and JSON output.

use crate::support;

use std::io::Write;
use std::process::Stdio;

use langsmith_control_plane_mock::MockServer;
use serde_json::json;
use support::{
    Deployment, Harness, KEY, RevisionStatus, Run, Secret, Timing, arg, github_deployment_request,
    spec_file,
};

#[test]
fn list_prints_a_table_with_one_row_per_deployment() {
    let h = Harness::start();
    let first = h.seed("alpha-agent");
    let second = h.seed("beta-agent");
    let run = h.run(&["deployment", "list"]);
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("ID") && lines[0].contains("STATUS"));
    // Newest first, as the API lists them.
    assert!(lines[1].contains(&second.id.to_string()) && lines[1].contains("beta-agent"));
    assert!(lines[2].contains(&first.id.to_string()) && lines[2].contains("READY"));
}

#[test]
fn list_json_prints_one_api_document_per_deployment() {
    let h = Harness::start();
    h.seed("alpha-agent");
    h.seed("beta-agent");
    let documents = h
        .run(&["deployment", "list", "-o", "json"])
        .code(0)
        .json_lines();
    assert_eq!(documents.len(), 2);
    for document in &documents {
        for field in [
            "id",
            "name",
            "status",
            "source",
            "source_config",
            "latest_revision_id",
        ] {
            assert!(
                document.get(field).is_some(),
                "{field} missing in {document}"
            );
        }
    }
    assert_eq!(documents[0]["name"], "beta-agent");
}

#[test]
fn list_prints_twenty_by_default_and_honours_limit_and_all() {
    let h = Harness::start();
    for i in 0..25 {
        h.seed(&format!("agent-{i:02}"));
    }
    let count = |args: &[&str]| h.run(args).code(0).json_lines().len();
    assert_eq!(count(&["-o", "json", "deployment", "list"]), 20);
    assert_eq!(
        count(&["-o", "json", "deployment", "list", "--limit", "3"]),
        3
    );
    assert_eq!(count(&["-o", "json", "deployment", "list", "--all"]), 25);
    let queries: Vec<String> = h
        .mock
        .requests_for("list_deployments")
        .into_iter()
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert!(queries[1].contains("limit=3"), "{queries:?}");
}

#[test]
fn list_filters_by_name() {
    let h = Harness::start();
    h.seed("support-agent");
    h.seed("billing-agent");
    let documents = h
        .run(&[
            "deployment",
            "list",
            "--name-contains",
            "billing",
            "-o",
            "json",
        ])
        .code(0)
        .json_lines();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["name"], "billing-agent");
}

#[test]
fn get_prints_details_with_secret_names_but_never_their_values() {
    let h = Harness::start();
    let mut request = github_deployment_request("support-agent");
    request.secrets = vec![Secret {
        name: "OPENAI_API_KEY".into(),
        value: "sk-do-not-print-me".into(),
    }];
    let deployment = h.seed_request(request);
    let run = h.run(&["deployment", "get", &arg(deployment.id)]);
    run.code(0);
    assert!(run.stdout.contains("support-agent"));
    assert!(run.stdout.contains("OPENAI_API_KEY"));
    assert!(!run.stdout.contains("sk-do-not-print-me"), "{}", run.stdout);
}

const SECRET_VALUE: &str = "sk-do-not-print-me";

/// A deployment with the secret `OPENAI_API_KEY` = [`SECRET_VALUE`].
fn seed_with_secret(h: &Harness, name: &str) -> Deployment {
    let mut request = github_deployment_request(name);
    request.secrets = vec![Secret {
        name: "OPENAI_API_KEY".into(),
        value: SECRET_VALUE.into(),
    }];
    h.seed_request(request)
}

#[test]
fn json_output_masks_secret_values_in_every_command_that_prints_a_deployment() {
    let h = Harness::instant();
    let deployment = seed_with_secret(&h, "support-agent");
    let id = arg(deployment.id);
    let revision = arg(deployment.latest_revision_id.unwrap());
    let secret_flag = format!("OPENAI_API_KEY={SECRET_VALUE}");
    let commands: [&[&str]; 6] = [
        &["deployment", "get", &id],
        &["deployment", "list"],
        &["deployment", "update", &id, "--ref", "v2"],
        &["revision", "redeploy", &id, &revision],
        &[
            "deployment",
            "create",
            "--name",
            "fresh",
            "--image",
            "ghcr.io/x/y:1",
            "--secret",
            &secret_flag,
        ],
        &[
            "deployment",
            "update",
            &id,
            "--secret",
            &secret_flag,
            "--wait",
            "--interval",
            "100ms",
        ],
    ];
    for args in commands {
        let run = h.run(&[&["-o", "json"], args].concat());
        run.code(0);
        assert!(
            !run.stdout.contains(SECRET_VALUE) && !run.stderr.contains(SECRET_VALUE),
            "{args:?} printed the secret:\n{}{}",
            run.stdout,
            run.stderr
        );
        assert_eq!(
            run.json_lines()[0]["secrets"],
            json!([{"name": "OPENAI_API_KEY", "value": "***"}]),
            "{args:?}"
        );
    }
}

#[test]
fn show_secrets_prints_secret_values_in_json_and_text() {
    let h = Harness::start();
    let id = arg(seed_with_secret(&h, "support-agent").id);
    let document = h
        .run(&["--show-secrets", "-o", "json", "deployment", "get", &id])
        .code(0)
        .json();
    assert_eq!(
        document["secrets"],
        json!([{"name": "OPENAI_API_KEY", "value": SECRET_VALUE}])
    );
    h.run(&["deployment", "get", &id, "--show-secrets"])
        .code(0)
        .stdout_has(&format!("OPENAI_API_KEY={SECRET_VALUE}"));
    h.run(&["deployment", "get", &id])
        .code(0)
        .stdout_has("OPENAI_API_KEY=***");
}

#[test]
fn get_json_is_the_deployment_as_the_api_sent_it() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let document = h
        .run(&["deployment", "get", &arg(deployment.id), "--output", "json"])
        .code(0)
        .json();
    assert_eq!(
        document,
        serde_json::to_value(h.mock.deployment(deployment.id)).unwrap()
    );
}

#[test]
fn create_from_flags_sends_the_request_they_describe() {
    let h = Harness::start();
    let run = h.run(&[
        "deployment",
        "create",
        "--name",
        "support-agent",
        "--repo-url",
        "https://github.com/example/support-agent",
        "--ref",
        "release",
        "--config-path",
        "agents/langgraph.json",
        "--deployment-type",
        "prod",
        "--secret",
        "OPENAI_API_KEY=sk-flag-secret",
    ]);
    run.code(0);
    assert!(
        run.stdout.starts_with("created deployment support-agent"),
        "{}",
        run.stdout
    );
    let sent = h.mock.requests_for("create_deployment");
    assert_eq!(sent.len(), 1);
    let body = sent[0].body.clone().unwrap();
    assert_eq!(body["name"], "support-agent");
    assert_eq!(body["source"], "github");
    assert_eq!(
        body["source_config"]["repo_url"],
        "https://github.com/example/support-agent"
    );
    assert_eq!(body["source_config"]["deployment_type"], "prod");
    assert_eq!(body["source_revision_config"]["repo_ref"], "release");
    assert_eq!(
        body["source_revision_config"]["langgraph_config_path"],
        "agents/langgraph.json"
    );
    assert_eq!(body["secrets"][0]["name"], "OPENAI_API_KEY");
    assert!(!run.stdout.contains("sk-flag-secret") && !run.stderr.contains("sk-flag-secret"));
}

#[test]
fn create_with_an_image_defaults_to_an_external_docker_source() {
    let h = Harness::start();
    h.run(&[
        "deployment",
        "create",
        "--name",
        "img",
        "--image",
        "ghcr.io/example/agent:1",
    ])
    .code(0);
    let body = h.mock.requests_for("create_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(body["source"], "external_docker");
    assert_eq!(
        body["source_revision_config"]["image_uri"],
        "ghcr.io/example/agent:1"
    );
}

#[test]
fn a_secret_named_alone_takes_its_value_from_the_environment() {
    let h = Harness::start();
    let mut command = h.lscp();
    command
        .args(["-o", "json", "deployment", "create", "--name", "env-secret"])
        .args([
            "--repo-url",
            "https://github.com/example/a",
            "--ref",
            "main",
            "--secret",
            "DB_PASSWORD",
        ])
        .env("DB_PASSWORD", "from-the-environment");
    let created = Run::of(command).code(0).json();
    let id = created["id"].as_str().unwrap().parse().unwrap();
    let stored = h.mock.deployment(id).unwrap();
    assert_eq!(stored.secrets[0].name, "DB_PASSWORD");
    assert_eq!(stored.secrets[0].value, "from-the-environment");
}

#[test]
fn create_from_a_file_lets_flags_override_its_fields() {
    let h = Harness::start();
    let spec = serde_json::to_string(&github_deployment_request("from-file")).unwrap();
    let file = spec_file(&spec);
    let path = file.path().to_str().unwrap();
    h.run(&["deployment", "create", "--file", path, "--ref", "v2"])
        .code(0);
    let body = h.mock.requests_for("create_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(body["name"], "from-file");
    assert_eq!(
        body["source_config"]["repo_url"],
        "https://github.com/example/from-file"
    );
    assert_eq!(body["source_revision_config"]["repo_ref"], "v2");
}

#[test]
fn create_reads_the_spec_from_stdin_with_a_dash() {
    let h = Harness::start();
    let mut child = h
        .lscp()
        .args(["deployment", "create", "-f", "-", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let spec = serde_json::to_vec(&github_deployment_request("from-stdin")).unwrap();
    child.stdin.take().unwrap().write_all(&spec).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["name"], "from-stdin");
}

#[test]
fn create_with_wait_prints_the_deployment_each_status_and_the_outcome() {
    // CREATING outlasts the first poll also on a loaded machine; the other phases are short.
    let mut timing = Timing::uniform(std::time::Duration::from_millis(20));
    timing.creating = std::time::Duration::from_millis(400);
    let h = Harness::with(MockServer::builder().timing(timing));
    let run = h.run(&[
        "-o",
        "json",
        "deployment",
        "create",
        "--name",
        "waited",
        "--repo-url",
        "https://github.com/example/waited",
        "--ref",
        "main",
        "--wait",
        "--interval",
        "100ms",
    ]);
    run.code(0);
    let lines = run.json_lines();
    let deployment = &lines[0];
    let revision_id = deployment["latest_revision_id"].clone();
    assert_eq!(deployment["name"], "waited");
    let statuses: Vec<&str> = lines[1..lines.len() - 1]
        .iter()
        .map(|revision| {
            assert_eq!(revision["id"], revision_id);
            revision["status"].as_str().unwrap()
        })
        .collect();
    assert_eq!(statuses.first(), Some(&"CREATING"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"DEPLOYED"), "{statuses:?}");
    let mut deduped = statuses.clone();
    deduped.dedup();
    assert_eq!(deduped, statuses, "one line per change, not per poll");
    let outcome = lines.last().unwrap();
    assert_eq!(outcome["outcome"], "deployed");
    assert_eq!(outcome["status"], "DEPLOYED");
    assert_eq!(outcome["revision_id"], revision_id);
    assert_eq!(outcome["deployment_id"], deployment["id"]);
}

#[test]
fn update_from_flags_patches_and_starts_a_new_revision() {
    let h = Harness::instant();
    let deployment = h.seed("support-agent");
    let run = h.run(&[
        "deployment",
        "update",
        &arg(deployment.id),
        "--ref",
        "v2",
        "--wait",
        "--interval",
        "100ms",
    ]);
    run.code(0);
    run.stdout_has("updated deployment support-agent");
    run.stdout_has("is DEPLOYED");
    let patch = h.mock.requests_for("patch_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(patch, json!({"source_revision_config": {"repo_ref": "v2"}}));
    assert_eq!(h.mock.revisions(deployment.id).len(), 2);
}

#[test]
fn update_from_a_file_sends_the_patch_it_holds() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let file = spec_file(r#"{"source_config": {"build_on_push": true}}"#);
    h.run(&[
        "deployment",
        "update",
        &arg(deployment.id),
        "-f",
        file.path().to_str().unwrap(),
    ])
    .code(0);
    let patch = h.mock.requests_for("patch_deployment")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(patch, json!({"source_config": {"build_on_push": true}}));
}

#[test]
fn delete_starts_the_deletion_which_ends_in_404() {
    // The realistic clock: 10 s AWAITING_DELETE, then AWAITING_FINAL_DELETE, then gone.
    let h = Harness::with(MockServer::builder().timing(Timing::realistic()));
    let deployment = h.seed("short-lived");
    let run = h.run(&["deployment", "delete", &arg(deployment.id)]);
    run.code(0);
    run.stdout_has("deleted deployment");
    let status = h.mock.deployment(deployment.id).unwrap().status;
    assert_eq!(status.as_str(), "AWAITING_DELETE");
    h.run(&["deployment", "get", &arg(deployment.id)])
        .code(0)
        .stdout_has("AWAITING_DELETE");

    let h = Harness::with(MockServer::builder().timing(Timing::instant()));
    let deployment = h.seed("gone-at-once");
    h.run(&["deployment", "delete", &arg(deployment.id)])
        .code(0);
    h.run(&["deployment", "get", &arg(deployment.id)]).code(1);
}

#[test]
fn get_and_list_show_the_display_name() {
    let h = Harness::start();
    let named = h.seed("named-agent");
    h.seed("plain-agent");
    let patch = json!({"display_name": "Named agent"}).to_string();
    let file = spec_file(&patch);
    h.run(&[
        "deployment",
        "update",
        &arg(named.id),
        "--file",
        file.path().to_str().unwrap(),
    ])
    .code(0);
    let list = h.run(&["deployment", "list"]);
    list.code(0);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].contains("DISPLAY NAME"), "{}", list.stdout);
    let row = |name: &str| *lines.iter().find(|l| l.contains(name)).unwrap();
    assert!(
        row("named-agent").contains("Named agent"),
        "{}",
        list.stdout
    );
    assert!(row("plain-agent").contains(" - "), "{}", list.stdout);
    h.run(&["deployment", "get", &arg(named.id)])
        .code(0)
        .stdout_has("Display name")
        .stdout_has("Named agent")
        .stdout_has("Branch");
    let json = h
        .run(&["-o", "json", "deployment", "get", &arg(named.id)])
        .code(0)
        .json();
    assert_eq!(json["display_name"], "Named agent");
}

#[test]
fn delete_in_json_mode_prints_nothing_on_stdout() {
    let h = Harness::start();
    let deployment = h.seed("short-lived");
    let run = h.run(&["-o", "json", "deployment", "rm", &arg(deployment.id)]);
    run.code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn an_unknown_deployment_is_an_error_with_the_api_detail() {
    let h = Harness::start();
    let run = h.run(&["deployment", "get", "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01"]);
    run.code(1).keeps_key_secret();
    run.stderr_has("404");
    assert_eq!(run.stdout, "");
    assert!(!run.stderr.contains(KEY));
}

#[test]
fn create_with_wait_exits_3_when_the_new_revision_fails() {
    let h = Harness::instant();
    h.mock.fail_next_revision(RevisionStatus::CreateFailed);
    let run = h.run(&[
        "deployment",
        "create",
        "--name",
        "doomed",
        "--repo-url",
        "https://github.com/example/doomed",
        "--ref",
        "main",
        "--wait",
        "--interval",
        "100ms",
    ]);
    run.code(3).stdout_has("failed: CREATE_FAILED");
}
