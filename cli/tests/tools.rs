//! Commands that need no service: `schema`, `completions`, `mock`, and the exit codes of clap.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use support::{KEY, Run, lscp};

fn run(args: &[&str]) -> Run {
    let mut command = lscp();
    command.args(args);
    Run::of(command)
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

/// `lscp mock` in the background, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn mock_prints_its_url_and_serves_the_api_until_stopped() {
    let mut command = lscp();
    command
        .args(["mock", "--port", "0", "--path-prefix", "/api-host"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut served = Served(command.spawn().unwrap());
    let mut first_line = String::new();
    BufReader::new(served.0.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line.trim();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/api-host"),
        "{url}"
    );

    let mut create = lscp();
    create
        .env("LANGSMITH_CONTROL_PLANE_URL", url)
        .env("LANGSMITH_API_KEY", KEY)
        .args([
            "deployment",
            "create",
            "--name",
            "demo",
            "--repo-url",
            "https://github.com/x/y",
            "--ref",
            "main",
        ])
        .args(["--wait", "--interval", "100ms", "--timeout", "30s"]);
    Run::of(create).code(0);

    // SIGTERM stops it cleanly.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &served.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = served.0.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "lscp mock did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
