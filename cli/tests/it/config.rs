//! Where settings come from (CONTRACT section 2), global options anywhere on the line, and the API
//! key kept out of every output at every verbosity.

use crate::support;

use std::time::Duration;

use langsmith_control_plane_mock::MockServer;
use support::{Fault, Harness, KEY, closed_port_url, run_with};

const WORKSPACE_A: &str = "11111111-1111-4111-8111-111111111111";
const WORKSPACE_B: &str = "22222222-2222-4222-8222-222222222222";

/// A mock that accepts only [`KEY`].
fn strict_mock() -> Harness {
    Harness::with(MockServer::builder().api_key(KEY))
}

/// Runs `lscp deployment list EXTRA` with `env` against a fresh mock; the `X-Tenant-Id` it sent.
fn tenant_sent(env: &[(&str, &str)], extra: &[&str]) -> Option<String> {
    let h = Harness::start();
    let mut args = vec!["deployment", "list"];
    args.extend(extra);
    h.run_with(env, &args).code(0);
    let requests = h.mock.requests();
    assert_eq!(requests.len(), 1);
    requests[0].header("x-tenant-id").map(str::to_string)
}

#[test]
fn global_options_work_before_and_after_the_subcommand() {
    let h = Harness::start();
    h.seed("anywhere");
    let url = h.mock.base_url();
    for args in [
        vec![
            "--base-url",
            &url,
            "-o",
            "json",
            "--api-key",
            KEY,
            "deployment",
            "list",
        ],
        vec![
            "deployment",
            "list",
            "--base-url",
            &url,
            "-o",
            "json",
            "--api-key",
            KEY,
        ],
        vec![
            "deployment",
            "--output",
            "json",
            "list",
            "--base-url",
            &url,
            "--api-key",
            KEY,
        ],
    ] {
        let listed = run_with(&[], &args).code(0).json_lines();
        assert_eq!(listed.len(), 1, "{args:?}");
    }
}

#[test]
fn command_line_values_beat_the_environment() {
    let h = strict_mock();
    run_with(
        &[
            ("LANGSMITH_CONTROL_PLANE_URL", &closed_port_url()),
            ("LANGSMITH_API_KEY", "a-wrong-key"),
        ],
        &[
            "deployment",
            "list",
            "--base-url",
            &h.mock.base_url(),
            "--api-key",
            KEY,
        ],
    )
    .code(0);
}

#[test]
fn langchain_api_key_is_read_when_langsmith_api_key_is_unset() {
    let h = strict_mock();
    run_with(
        &[
            ("LANGSMITH_CONTROL_PLANE_URL", &h.mock.base_url()),
            ("LANGCHAIN_API_KEY", KEY),
        ],
        &["deployment", "list"],
    )
    .code(0);
}

#[test]
fn langsmith_api_key_beats_langchain_api_key() {
    let h = strict_mock();
    h.run_with(
        &[("LANGCHAIN_API_KEY", "a-wrong-key")],
        &["deployment", "list"],
    )
    .code(0);
}

#[test]
fn a_missing_key_is_a_configuration_error_before_any_request() {
    let h = Harness::start();
    let run = run_with(
        &[("LANGSMITH_CONTROL_PLANE_URL", &h.mock.base_url())],
        &["deployment", "list"],
    );
    run.code(1);
    run.stderr_has("LANGSMITH_API_KEY");
    // Issue 19, 2: the message says what is wrong, the hint where a key comes from.
    support::says_message_then_hint(
        &run.stderr,
        "error: invalid api key: is not set",
        "pass an API key, or set LANGSMITH_API_KEY (or LANGCHAIN_API_KEY)",
    );
    h.assert_no_request();
}

#[test]
fn a_wrong_key_is_an_error_that_suggests_what_to_check() {
    let h = Harness::with(MockServer::builder().api_key("the-only-accepted-key"));
    let run = h.run(&["deployment", "list"]);
    run.code(1).keeps_key_secret();
    run.stderr_has("401");
    run.stderr_has("hint: check the API key");
}

#[test]
fn the_tenant_id_variable_selects_the_workspace() {
    let sent = tenant_sent(&[("LANGSMITH_TENANT_ID", WORKSPACE_A)], &[]);
    assert_eq!(sent.as_deref(), Some(WORKSPACE_A));
}

#[test]
fn workspace_variables_that_disagree_are_an_error_before_any_request() {
    let h = Harness::start();
    let run = h.run_with(
        &[
            ("LANGSMITH_WORKSPACE_ID", WORKSPACE_A),
            ("LANGSMITH_TENANT_ID", WORKSPACE_B),
        ],
        &["deployment", "list"],
    );
    run.code(1);
    run.stderr_has("LANGSMITH_WORKSPACE_ID and LANGSMITH_TENANT_ID");
    h.assert_no_request();
}

#[test]
fn workspace_variables_that_agree_are_fine() {
    let both = [
        ("LANGSMITH_WORKSPACE_ID", WORKSPACE_A),
        ("LANGSMITH_TENANT_ID", WORKSPACE_A),
    ];
    assert_eq!(tenant_sent(&both, &[]).as_deref(), Some(WORKSPACE_A));
}

#[test]
fn the_workspace_flag_beats_the_variables() {
    let both = [
        ("LANGSMITH_WORKSPACE_ID", WORKSPACE_B),
        ("LANGSMITH_TENANT_ID", WORKSPACE_B),
    ];
    let sent = tenant_sent(&both, &["--workspace-id", WORKSPACE_A]);
    assert_eq!(sent.as_deref(), Some(WORKSPACE_A));
}

#[test]
fn the_base_url_is_derived_from_langsmith_endpoint() {
    // Self-hosted LangSmith: the API at /api/v1, the Control Plane at /api-host.
    let h = Harness::with(MockServer::builder().path_prefix("/api-host"));
    run_with(
        &[
            ("LANGSMITH_API_KEY", KEY),
            ("LANGSMITH_ENDPOINT", &format!("{}/api/v1", h.mock.url())),
        ],
        &["deployment", "list"],
    )
    .code(0);
    assert_eq!(h.mock.requests()[0].path, "/api-host/v2/deployments");
}

#[test]
fn the_control_plane_url_beats_langsmith_endpoint() {
    let h = Harness::start();
    h.run_with(
        &[("LANGSMITH_ENDPOINT", &closed_port_url())],
        &["deployment", "list"],
    )
    .code(0);
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let remote = "http://control-plane.example.com";
    let run = run_with(
        &[("LANGSMITH_API_KEY", KEY)],
        &["deployment", "list", "--base-url", remote],
    );
    run.code(1);
    run.stderr_has("plain http");
}

#[test]
fn an_unreachable_service_is_a_transport_error() {
    let closed = closed_port_url();
    let run = run_with(
        &[("LANGSMITH_API_KEY", KEY)],
        &["deployment", "list", "--base-url", &closed],
    );
    run.code(1).keeps_key_secret();
    run.stderr_has("could not connect");
    // Issue 19, 2: the message, then each cause once on its own line, then the hint.
    run.stderr_has("caused by: ")
        .stderr_has("hint: check the base URL");
    says_each_clause_once(&run.stderr);
    assert_eq!(
        run.stderr.matches("Connection refused").count(),
        1,
        "{}",
        run.stderr
    );
}

/// Issue 19, 2: no clause of lscp's error report (message, causes, hint; each line cut at `: `
/// and `; `) comes twice.
fn says_each_clause_once(stderr: &str) {
    let mut seen = std::collections::HashSet::new();
    for line in stderr.lines() {
        let line = ["error: ", "caused by: ", "hint: "]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))
            .unwrap_or(line);
        for clause in line.split(": ").flat_map(|part| part.split("; ")) {
            let clause = clause.trim();
            assert!(
                clause.is_empty() || seen.insert(clause.to_owned()),
                "{clause:?} said twice in:\n{stderr}"
            );
        }
    }
}

#[test]
fn https_is_built_in() {
    // A TLS client opens with a handshake record (first byte 0x16); a build without TLS refuses
    // an https URL before connecting at all ("scheme is not http").
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let (first_bytes, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut byte = [0u8; 1];
            if std::io::Read::read_exact(&mut stream, &mut byte).is_ok() {
                let _ = first_bytes.send(byte[0]);
            }
        }
    });
    let run = run_with(
        &[("LANGSMITH_API_KEY", KEY)],
        &["deployment", "list", "--base-url", &url],
    );
    run.code(1).keeps_key_secret();
    assert!(!run.stderr.contains("scheme is not http"), "{}", run.stderr);
    assert_eq!(
        received.recv_timeout(Duration::from_secs(5)),
        Ok(0x16),
        "no TLS handshake arrived; stderr:\n{}",
        run.stderr
    );
}

/// Runs `lscp deployment list` against a server that answers 403 with `detail`.
fn forbidden(detail: &str) -> support::Run {
    let body = serde_json::json!({ "detail": detail }).to_string();
    let url = support::answering(403, body);
    run_with(
        &[
            ("LANGSMITH_API_KEY", KEY),
            ("LANGSMITH_CONTROL_PLANE_URL", &url),
        ],
        &["deployment", "list"],
    )
}

#[test]
fn a_403_for_an_organization_key_says_to_set_the_workspace() {
    let run = forbidden("This API key is org-scoped and requires workspace specification");
    run.code(1)
        .keeps_key_secret()
        .stderr_has("requires workspace specification")
        .stderr_has("hint: this API key belongs to an organization: set LANGSMITH_WORKSPACE_ID");
    // One hint, lscp's: the library's is no longer inside the message (issue 19, 2).
    says_each_clause_once(&run.stderr);
    assert_eq!(
        run.stderr.matches("LANGSMITH_WORKSPACE_ID").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn a_403_for_a_disabled_product_says_it_is_not_enabled() {
    forbidden("LangSmith Deployment is not enabled for this organization")
        .code(1)
        .stderr_has("hint: LangSmith Deployment is not enabled for the organization");
}

#[test]
fn another_403_gets_the_general_hint() {
    forbidden("Forbidden")
        .code(1)
        .stderr_has("hint: check the API key");
}

#[test]
fn the_request_timeout_bounds_each_request() {
    let h = Harness::start();
    h.mock
        .inject(Fault::latency(Duration::from_secs(5)).on("create_deployment"));
    let run = h.run(&[
        "deployment",
        "create",
        "--name",
        "slow",
        "--repo-url",
        "https://github.com/example/slow",
        "--ref",
        "main",
        "--request-timeout",
        "200ms",
    ]);
    run.code(1);
    run.stderr_has("timed out");
}

#[test]
fn verbose_output_traces_each_request() {
    let h = Harness::start();
    let run = h.run(&["deployment", "list", "-v"]);
    run.code(0);
    for needle in [
        "control_plane.request",
        "list_deployments",
        "attempt=1",
        "status=200",
        "response",
    ] {
        run.stderr_has(needle);
    }
    let quiet = h.run(&["deployment", "list"]);
    assert!(
        !quiet.stderr.contains("control_plane.request"),
        "{}",
        quiet.stderr
    );
}

#[test]
fn the_key_never_appears_in_any_output_at_any_verbosity() {
    let h = Harness::start();
    let deployment = h.seed("secret-keeper");
    let id = deployment.id.to_string();
    let revision = deployment.latest_revision_id.unwrap().to_string();
    let unauthorized = Harness::with(MockServer::builder().api_key("another-key"));
    let unreachable = closed_port_url();
    let runs: Vec<(&str, Vec<&str>, &Harness)> = vec![
        ("list", vec!["deployment", "list"], &h),
        ("get", vec!["deployment", "get", &id], &h),
        (
            "wait",
            vec!["revision", "wait", &id, &revision, "--interval", "100ms"],
            &h,
        ),
        (
            "404",
            vec!["deployment", "get", "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01"],
            &h,
        ),
        ("401", vec!["deployment", "list"], &unauthorized),
        (
            "transport",
            vec!["deployment", "list", "--base-url", &unreachable],
            &h,
        ),
        (
            "usage",
            vec!["deployment", "get", "bad-id", "--api-key", KEY],
            &h,
        ),
        (
            "config",
            vec![
                "deployment",
                "list",
                "--api-key",
                KEY,
                "--workspace-id",
                "bad",
            ],
            &h,
        ),
    ];
    let verbosities = [None, Some("-v"), Some("-vv"), Some("-vvv")];
    let each = verbosities
        .into_iter()
        .flat_map(|verbosity| runs.iter().map(move |run| (verbosity, run)));
    // At once: the transport errors wait out the client's retries.
    support::concurrently(each, |(verbosity, (what, args, harness))| {
        let args = [&args[..], verbosity.as_slice()].concat();
        let run = harness.run(&args);
        assert_ne!(
            run.code, 101,
            "{what} {verbosity:?} panicked:\n{}",
            run.stderr
        );
        run.keeps_key_secret();
        if verbosity.is_some() && *what == "list" {
            run.stderr_has("control_plane.request");
        }
    });
}

#[test]
fn a_malformed_key_is_refused_without_being_echoed() {
    let h = Harness::start();
    let malformed = format!("{KEY} trailing");
    let run = h.run(&["deployment", "list", "--api-key", &malformed]);
    run.code(1).keeps_key_secret();
    run.stderr_has("invalid api key");
    h.assert_no_request();
}

#[test]
fn help_shows_the_variables_but_never_the_key() {
    let h = Harness::start();
    for args in [
        vec!["--help"],
        vec!["deployment", "list", "--help"],
        vec!["-h"],
    ] {
        let run = h.run(&args);
        run.code(0).keeps_key_secret();
        run.stdout_has("LANGSMITH_API_KEY");
    }
}

#[test]
fn a_key_that_starts_with_a_dash_is_a_value_not_flags() {
    let h = Harness::with(MockServer::builder().api_key("-dash-key"));
    h.run(&["deployment", "list", "--api-key", "-dash-key"])
        .code(0);
}
