//! Bad input is a usage error (exit code 2), found before any request, with a message naming what
//! was wrong.

use crate::support;

use support::{Harness, Run, spec_file};

const DEPLOYMENT: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
const REVISION: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

/// Runs `args`, expects exit code 2 with `needle` on stderr, and no request at the mock.
#[track_caller]
fn rejected(args: &[&str], needle: &str) -> Run {
    let h = Harness::start();
    let run = h.run(args);
    run.code(2).keeps_key_secret();
    run.stderr_has(needle);
    assert_eq!(run.stdout, "", "nothing on stdout");
    h.assert_no_request();
    run
}

#[test]
fn an_invalid_deployment_id_is_refused() {
    rejected(
        &["deployment", "get", "not-a-uuid"],
        "invalid value 'not-a-uuid' for '<DEPLOYMENT_ID>': not a UUID",
    );
    rejected(&["deployment", "delete", "123"], "not a UUID");
    rejected(&["revision", "list", "x"], "not a UUID");
}

#[test]
fn an_invalid_revision_id_is_refused() {
    rejected(
        &["revision", "get", DEPLOYMENT, "nope"],
        "'<REVISION_ID>': not a UUID",
    );
    rejected(
        &["revision", "wait", DEPLOYMENT, "nope"],
        "'[REVISION_ID]': not a UUID",
    );
    rejected(
        &["revision", "redeploy", DEPLOYMENT, "nope"],
        "'<REVISION_ID>': not a UUID",
    );
}

#[test]
fn an_invalid_workspace_id_on_the_command_line_is_refused() {
    rejected(
        &["deployment", "list", "--workspace-id", "acme"],
        "'--workspace-id': not a UUID",
    );
}

#[test]
fn bad_durations_are_refused_with_examples() {
    rejected(
        &["revision", "wait", DEPLOYMENT, "--timeout", "soon"],
        "'--timeout <DURATION>'",
    );
    rejected(
        &["revision", "wait", DEPLOYMENT, "--interval", "5 parsecs"],
        "such as 100ms, 90s, 30m",
    );
    rejected(
        &["revision", "wait", DEPLOYMENT, "--timeout", "0s"],
        "must be longer than zero",
    );
    rejected(
        &["deployment", "list", "--request-timeout=-1s"],
        "'--request-timeout <DURATION>'",
    );
}

#[test]
fn durations_beyond_their_maximum_are_refused_naming_the_option_and_the_maximum() {
    // Years overflow a deadline (this one panicked); a day more than the maximum is just refused.
    let huge = "500000000000y";
    let cases: [(&[&str], &str); 8] = [
        (
            &["revision", "wait", DEPLOYMENT, REVISION, "--timeout", huge],
            "--timeout",
        ),
        (
            &["revision", "wait", DEPLOYMENT, "--timeout", "8d"],
            "--timeout",
        ),
        (
            &["revision", "wait", DEPLOYMENT, "--interval", huge],
            "--interval",
        ),
        (
            &[
                "deployment",
                "update",
                DEPLOYMENT,
                "--ref",
                "v2",
                "--wait",
                "--timeout",
                huge,
            ],
            "--timeout",
        ),
        (
            &[
                "revision",
                "redeploy",
                DEPLOYMENT,
                REVISION,
                "--wait",
                "--interval",
                huge,
            ],
            "--interval",
        ),
        (
            &[
                "revision",
                "logs",
                DEPLOYMENT,
                REVISION,
                "--type",
                "build",
                "--follow",
                "--interval",
                huge,
            ],
            "--interval",
        ),
        (
            &["deployment", "list", "--request-timeout", huge],
            "--request-timeout",
        ),
        (
            &["--request-timeout", "61m", "deployment", "get", DEPLOYMENT],
            "--request-timeout",
        ),
    ];
    for (args, option) in cases {
        let maximum = if option == "--timeout" { "7days" } else { "1h" };
        let run = rejected(args, &format!("'{option} <DURATION>'"));
        run.stderr_has(&format!("longer than the maximum of {maximum}"));
    }
}

#[test]
fn durations_at_their_maximum_are_accepted() {
    let h = Harness::start();
    let deployment = h.seed("patient");
    let revision = deployment.latest_revision_id.unwrap().to_string();
    let deployment = deployment.id.to_string();
    h.run(&[
        "--request-timeout",
        "1h",
        "revision",
        "wait",
        &deployment,
        &revision,
        "--timeout",
        "7d",
        "--interval",
        "1h",
    ])
    .code(0);
}

#[test]
fn unknown_flags_and_values_are_refused() {
    rejected(
        &["deployment", "list", "--colour"],
        "unexpected argument '--colour'",
    );
    rejected(
        &["deployment", "list", "--status", "HAPPY"],
        "possible values",
    );
    rejected(
        &["revision", "logs", DEPLOYMENT, REVISION, "--type", "audit"],
        "[possible values: build, deploy]",
    );
    rejected(&["revision", "logs", DEPLOYMENT, REVISION], "--type <TYPE>");
    rejected(&["deployment", "list", "--limit", "0"], "'--limit <N>'");
    rejected(
        &["deployment", "list", "--limit", "5", "--all"],
        "cannot be used with",
    );
}

#[test]
fn an_unreadable_spec_file_is_refused() {
    rejected(
        &["deployment", "create", "--file", "/nonexistent/spec.json"],
        "cannot read spec file /nonexistent/spec.json",
    );
}

#[test]
fn a_spec_file_that_is_not_json_is_refused_with_its_position() {
    let file = spec_file("{\"name\": \"x\",\n  oops }");
    rejected(
        &["deployment", "create", "-f", file.path().to_str().unwrap()],
        "is not valid JSON",
    );
    let run = rejected(
        &["deployment", "create", "-f", file.path().to_str().unwrap()],
        "line 2",
    );
    run.stderr_has("column");
}

#[test]
fn a_spec_file_that_breaks_the_schema_is_refused_naming_each_path() {
    let file = spec_file(
        r#"{"name": "x", "secrets": [{"name": "A"}], "source": "github",
            "source_config": {"integration_id": "not-a-uuid", "deployment_type": "huge"},
            "source_revision_config": {"repo_reff": "main"}}"#,
    );
    let run = rejected(
        &["deployment", "create", "-f", file.path().to_str().unwrap()],
        "does not match the DeploymentCreateRequest schema",
    );
    for path in [
        "at /secrets/0: missing properties 'value'",
        "at /source_config/integration_id:",
        "at /source_config/deployment_type:",
        "at /source_revision_config: additionalProperties 'repo_reff' not allowed",
    ] {
        run.stderr_has(path);
    }
    run.stderr_has("lscp schema DeploymentCreateRequest");
}

#[test]
fn a_patch_file_is_checked_against_the_patch_schema() {
    let file = spec_file(r#"{"name": "renamed"}"#);
    rejected(
        &[
            "deployment",
            "update",
            DEPLOYMENT,
            "-f",
            file.path().to_str().unwrap(),
        ],
        "DeploymentPatchRequest schema:\n  at /: additionalProperties 'name' not allowed",
    );
}

#[test]
fn create_needs_a_name_and_update_needs_a_change() {
    let run = rejected(
        &[
            "deployment",
            "create",
            "--repo-url",
            "https://github.com/x/y",
        ],
        "needs a name",
    );
    support::says_message_then_hint(
        &run.stderr,
        "a deployment needs a name",
        "pass --name, or --file with a spec",
    );
    let run = rejected(&["deployment", "update", DEPLOYMENT], "nothing to change");
    support::says_message_then_hint(
        &run.stderr,
        "nothing to change",
        "pass --file or at least one setting flag (see --help)",
    );
}

#[test]
fn wait_options_need_wait() {
    rejected(
        &[
            "deployment",
            "update",
            DEPLOYMENT,
            "--ref",
            "v2",
            "--timeout",
            "1m",
        ],
        "need --wait",
    );
}

#[test]
fn a_secret_from_an_unset_variable_is_refused_without_echoing_values() {
    rejected(
        &[
            "deployment",
            "create",
            "--name",
            "x",
            "--secret",
            "LSCP_TEST_UNSET_VARIABLE",
        ],
        "environment variable LSCP_TEST_UNSET_VARIABLE is not set",
    );
    let run = rejected(
        &[
            "deployment",
            "create",
            "--name",
            "x",
            "--secret",
            "=hunter2",
        ],
        "needs a name",
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn base_url_and_region_together_are_refused() {
    let run = rejected(
        &[
            "deployment",
            "list",
            "--base-url",
            "http://127.0.0.1:1",
            "--region",
            "eu",
        ],
        "--base-url and --region",
    );
    support::says_message_then_hint(
        &run.stderr,
        "--base-url and --region both name the service",
        "pass one of them",
    );
}
