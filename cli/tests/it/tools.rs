//! Commands that need no service: `schema`, `completions`, `mock`, help, and the exit codes of
//! clap. The `lscp mock` tests that serve run in builds with the `mock` feature
//! (`cargo test -p langsmith-control-plane-cli --features mock`); without it, the test of what
//! `lscp mock` says instead runs.

use crate::support;

#[cfg(feature = "mock")]
use std::io::{BufRead, BufReader};
#[cfg(feature = "mock")]
use std::process::{Child, Stdio};
#[cfg(feature = "mock")]
use std::time::Duration;

#[cfg(feature = "mock")]
use support::{KEY, lscp};
use support::{Run, run_with};

fn run(args: &[&str]) -> Run {
    run_with(&[], args)
}

#[test]
fn schema_prints_the_strict_json_schema_of_a_request_type() {
    let printed = run(&["schema", "DeploymentCreateRequest"]);
    printed.code(0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["title"], "DeploymentCreateRequest");
    assert_eq!(schema["additionalProperties"], false);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        required.contains(&"name") && required.contains(&"source"),
        "{required:?}"
    );
}

#[test]
fn schema_names_are_matched_in_any_case() {
    let patch = run(&["schema", "deploymentpatchrequest"]);
    patch.code(0);
    assert!(
        patch
            .stdout
            .contains("\"title\": \"DeploymentPatchRequest\"")
    );
    run(&["schema", "ListenerCreateRequest"]).code(0);
}

#[test]
fn an_unknown_schema_name_lists_the_valid_ones_and_exits_2() {
    let unknown = run(&["schema", "Deployment"]);
    unknown.code(2);
    for name in [
        "DeploymentCreateRequest",
        "DeploymentPatchRequest",
        "ListenerCreateRequest",
    ] {
        unknown.stderr_has(name);
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(&["completions", shell]);
        script.code(0);
        assert!(script.stdout.contains("lscp"), "{shell}");
    }
    run(&["completions", "tcsh"]).code(2);
}

#[test]
fn version_and_help_exit_0_and_usage_errors_exit_2() {
    assert!(run(&["--version"]).code(0).stdout.starts_with("lscp "));
    let help = run(&["--help"]);
    help.code(0);
    help.stdout_has("Exit codes:");
    run(&[]).code(2);
    run(&["deploy"]).code(2);
}

#[test]
fn schema_deploy_event_describes_every_kind_of_line() {
    let printed = run(&["schema", "deploy-event"]);
    printed.code(0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(schema["title"], "EventLine");
    let text = printed.stdout;
    for kind in [
        "step",
        "upload_progress",
        "status_change",
        "log",
        "heartbeat",
        "status_url",
        "result",
    ] {
        assert!(
            text.contains(&format!("\"{kind}\"")),
            "no {kind} in\n{text}"
        );
    }
    for outcome in ["deployed", "failed", "superseded", "timed_out", "started"] {
        assert!(text.contains(&format!("\"{outcome}\"")), "no {outcome}");
    }
}

#[test]
fn global_options_are_described_once_under_the_root_help() {
    let root = run(&["--help"]);
    root.code(0).stdout_has("Global options:");
    assert_eq!(root.stdout.matches("--api-key <KEY>").count(), 1);
    for args in [
        &["deploy", "--help"][..],
        &["deployment", "list", "--help"],
        &["revision", "wait", "--help"],
        &["help", "revision", "logs"],
    ] {
        let help = run(args);
        help.code(0);
        for option in ["--api-key <KEY>", "--base-url <URL>", "--output <FORMAT>"] {
            assert!(
                !help.stdout.contains(option),
                "{args:?} repeats {option}:\n{}",
                help.stdout
            );
        }
        help.stdout_has("`lscp --help` describes them");
    }
}

#[test]
fn global_options_are_still_accepted_after_a_subcommand() {
    // Hidden in the subcommand's help, parsed there all the same: valid values pass, and a bad
    // one is refused as a value, not as an unknown argument.
    run(&["schema", "deploy-event", "--output", "json", "-v"]).code(0);
    let refused = run(&["deploy", "--ref", "main", "--name", "a", "--region", "mars"]);
    refused
        .code(2)
        .stderr_has("invalid value 'mars' for '--region");
}

#[cfg(not(feature = "mock"))]
#[test]
fn mock_says_how_to_get_a_build_with_it() {
    run(&["mock"])
        .code(1)
        .stderr_has("built without the embedded mock")
        .stderr_has("--features mock");
}

/// `lscp mock ARGS` in the background (killed when dropped), and the URL it printed.
#[cfg(feature = "mock")]
struct Served(Child);

#[cfg(feature = "mock")]
impl Served {
    fn start(args: &[&str]) -> (Served, String) {
        let mut command = lscp();
        command
            .arg("mock")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut served = Served(command.spawn().unwrap());
        let mut first_line = String::new();
        BufReader::new(served.0.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        (served, first_line.trim().to_string())
    }

    /// Sends `signal` (`INT`, `TERM`) and returns the exit code.
    fn stop(mut self, signal: &str) -> Option<i32> {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "lscp mock ignored SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(feature = "mock")]
impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(feature = "mock")]
#[test]
fn mock_prints_its_url_and_serves_the_api_until_ctrl_c() {
    let (served, url) = Served::start(&["--port", "0", "--path-prefix", "/api-host"]);
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/api-host"),
        "{url}"
    );
    let create = [
        "deployment",
        "create",
        "--name",
        "demo",
        "--repo-url",
        "https://github.com/x/y",
        "--ref",
        "main",
        "--wait",
        "--interval",
        "100ms",
        "--timeout",
        "30s",
    ];
    let env = [
        ("LANGSMITH_CONTROL_PLANE_URL", url.as_str()),
        ("LANGSMITH_API_KEY", KEY),
    ];
    run_with(&env, &create).code(0);
    assert_eq!(served.stop("INT"), Some(0));
}

#[cfg(feature = "mock")]
#[test]
fn mock_stops_cleanly_on_sigterm() {
    let (served, _) = Served::start(&["--timing", "realistic"]);
    assert_eq!(served.stop("TERM"), Some(0));
}
