//! The GitHub Action (action.yml, install/action.yml and their scripts under action/): its deploy
//! step run by bash against the mock as the runner would run it, its install step's checks, and
//! its inputs kept in step with `lscp deploy`'s flags. The release path of the install step runs
//! end to end in scripts/release_smoke.sh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::support::{self, Harness, KEY, RevisionStatus};

/// The repository's root, where action.yml is.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A runner's files for one step: its temporary directory and the file of step outputs.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        Runner {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn output_file(&self) -> PathBuf {
        self.dir.path().join("output")
    }

    /// `bash action/SCRIPT` with only PATH and HOME inherited, the runner's variables, and `env`.
    fn run(&self, script: &str, env: &[(&str, &str)]) -> support::Run {
        let temp = self.dir.path().join("temp");
        std::fs::create_dir_all(&temp).expect("RUNNER_TEMP");
        let mut command = Command::new("bash");
        command
            .arg(root().join("action").join(script))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_PATH", self.dir.path().join("path"))
            .envs(env.iter().copied())
            .stdin(Stdio::null());
        support::Run::of(command)
    }

    /// The step outputs written, in GitHub's `name=value` and `name<<DELIMITER` forms.
    fn outputs(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.output_file()).unwrap_or_default();
        let mut outputs = BTreeMap::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some((name, delimiter)) = line.split_once("<<") {
                let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                outputs.insert(name.to_string(), value.join("\n"));
            } else {
                let (name, value) = line.split_once('=').expect("name=value or name<<DELIMITER");
                outputs.insert(name.to_string(), value.to_string());
            }
        }
        outputs
    }
}

/// The deploy step against `h`'s mock with `inputs` (INPUT_* variables) and more `env`.
fn deploy_step(h: &Harness, runner: &Runner, env: &[(&str, &str)]) -> support::Run {
    let base_url = h.mock.base_url().to_string();
    let mut all = vec![
        ("LSCP", env!("CARGO_BIN_EXE_lscp")),
        ("LANGSMITH_CONTROL_PLANE_URL", base_url.as_str()),
        ("LANGSMITH_API_KEY", KEY),
    ];
    all.extend_from_slice(env);
    runner.run("deploy.sh", &all)
}

#[test]
fn the_deploy_step_ships_with_secrets_named_in_its_input_and_writes_the_step_outputs() {
    let h = Harness::instant();
    let runner = Runner::new();
    let run = deploy_step(
        &h,
        &runner,
        &[
            ("INPUT_NAME", "support-agent"),
            ("INPUT_IMAGE", "registry.example/agent:7"),
            ("INPUT_DEPLOYMENT_TYPE", "dev"),
            (
                "INPUT_SECRETS",
                "OPENAI_API_KEY\n\n  # a comment\n  SEARCH_KEY  \n",
            ),
            ("INPUT_WAIT", "true"),
            ("INPUT_LOGS", "false"),
            ("OPENAI_API_KEY", "sk-action-1"),
            ("SEARCH_KEY", "search-2"),
        ],
    );
    run.code(0).keeps_key_secret();
    let deployments = h.mock.deployments();
    assert_eq!(deployments.len(), 1);
    let deployment = &deployments[0];
    assert_eq!(deployment.name, "support-agent");
    let secrets: BTreeMap<_, _> = deployment
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), s.value.expose()))
        .collect();
    assert_eq!(
        secrets,
        BTreeMap::from([
            ("OPENAI_API_KEY", "sk-action-1"),
            ("SEARCH_KEY", "search-2")
        ])
    );
    let revision = &h.mock.revisions(deployment.id)[0];
    let outputs = runner.outputs();
    let dashboard = format!(
        "{}/o/{}/host/deployments/{}",
        h.mock.base_url(),
        deployment.tenant_id,
        deployment.id
    );
    assert_eq!(
        outputs,
        BTreeMap::from([
            ("deployment_id".to_string(), deployment.id.to_string()),
            ("revision_id".to_string(), revision.id.to_string()),
            ("outcome".to_string(), "deployed".to_string()),
            ("dashboard_url".to_string(), dashboard),
        ])
    );
    // The value appears only where the runner is told to mask it, before anything is sent.
    let shown: Vec<&str> = run
        .stdout
        .lines()
        .chain(run.stderr.lines())
        .filter(|line| line.contains("sk-action-1"))
        .collect();
    assert_eq!(shown, ["::add-mask::sk-action-1"], "{}", run.stderr);
}

#[test]
fn a_failed_deploy_still_writes_its_outputs_and_exits_as_lscp_did() {
    let h = Harness::instant();
    h.seed("support-agent");
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let runner = Runner::new();
    let run = deploy_step(
        &h,
        &runner,
        &[("INPUT_NAME", "support-agent"), ("INPUT_REF", "broken")],
    );
    run.code(3);
    let outputs = runner.outputs();
    assert_eq!(outputs["outcome"], "failed");
    assert!(!outputs["revision_id"].is_empty());
}

#[test]
fn wait_false_returns_once_started_and_says_so_in_outcome() {
    let h = Harness::start();
    let deployment = h.seed("support-agent");
    let runner = Runner::new();
    deploy_step(
        &h,
        &runner,
        &[
            ("INPUT_DEPLOYMENT_ID", &deployment.id.to_string()),
            ("INPUT_REF", "v2"),
            ("INPUT_WAIT", "false"),
        ],
    )
    .code(0);
    assert_eq!(runner.outputs()["outcome"], "started");
    assert!(h.mock.requests_for("get_revision").is_empty());
}

#[test]
fn a_secrets_line_with_a_value_is_refused_unechoed_before_any_request() {
    let h = Harness::instant();
    let runner = Runner::new();
    let run = deploy_step(
        &h,
        &runner,
        &[
            ("INPUT_NAME", "support-agent"),
            ("INPUT_IMAGE", "agent:1"),
            (
                "INPUT_SECRETS",
                "SEARCH_KEY\nOPENAI_API_KEY=sk-pasted-by-mistake",
            ),
        ],
    );
    run.code(2).stdout_has("input secrets, line 2");
    assert!(!run.stdout.contains("sk-pasted") && !run.stderr.contains("sk-pasted"));
    h.assert_no_request();
    assert!(runner.outputs().is_empty());
}

#[test]
fn a_true_false_input_with_another_value_is_refused_before_any_request() {
    let h = Harness::instant();
    let runner = Runner::new();
    let run = deploy_step(
        &h,
        &runner,
        &[
            ("INPUT_NAME", "support-agent"),
            ("INPUT_IMAGE", "agent:1"),
            ("INPUT_WAIT", "yes"),
        ],
    );
    run.code(2).stdout_has("input wait must be true or false");
    h.assert_no_request();
}

/// A loopback "release" whose archive does not match its .sha256; records the paths asked for.
fn tampered_release() -> (String, Arc<Mutex<Vec<String>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let url = support::serving(move |path| {
        log.lock().unwrap().push(path.to_string());
        if path.ends_with(".sha256") {
            (200, format!("{} *archive\n", "0".repeat(64)))
        } else if path.ends_with(".tar.xz") || path.ends_with(".zip") {
            (200, "not the release's archive".to_string())
        } else {
            (404, String::new())
        }
    });
    (url, asked)
}

#[test]
fn the_install_step_refuses_an_archive_whose_checksum_differs_and_runs_no_installer() {
    let (url, asked) = tampered_release();
    let runner = Runner::new();
    let run = runner.run("install.sh", &[("LSCP_RELEASE_URL", &url)]);
    run.code(1)
        .stdout_has("does not match the release's checksum");
    let asked = asked.lock().unwrap();
    assert!(
        asked.iter().all(|path| !path.contains("installer")),
        "{asked:?}"
    );
    assert!(asked.iter().any(|path| path.ends_with(".sha256")));
    assert!(runner.outputs().is_empty());
}

#[test]
fn the_install_step_refuses_a_bad_version_plain_http_off_loopback_and_a_foreign_cargo_version() {
    let runner = Runner::new();
    runner
        .run("install.sh", &[("INPUT_LSCP_VERSION", "latest")])
        .code(1)
        .stdout_has("input lscp-version: not a version");
    runner
        .run(
            "install.sh",
            &[("LSCP_RELEASE_URL", "http://releases.example/lscp")],
        )
        .code(1)
        .stdout_has("not https (plain http only on loopback)");
    runner
        .run(
            "install.sh",
            &[("INPUT_INSTALL", "cargo"), ("INPUT_LSCP_VERSION", "99.0.0")],
        )
        .code(1)
        .stdout_has("install: cargo builds this action's own source");
    assert!(runner.outputs().is_empty());
}

/// The input names of an action.yml (two-space keys under `inputs:`).
fn action_inputs(path: &str) -> Vec<String> {
    let text = read(path);
    let mut inputs = Vec::new();
    let mut in_inputs = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() && !line.starts_with('#') {
            in_inputs = line == "inputs:";
        } else if in_inputs && line.starts_with("  ") && !line.starts_with("   ") {
            inputs.push(line.trim().trim_end_matches(':').to_string());
        }
    }
    inputs
}

#[test]
fn every_input_of_the_action_is_a_deploy_flag_passed_by_its_scripts() {
    let help = support::lscp()
        .args(["deploy", "--help"])
        .output()
        .expect("lscp runs");
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let action = read("action.yml");
    let deploy_script = read("action/deploy.sh");
    let install_script = read("action/install.sh");
    // Inputs that are not one `--flag VALUE` of `lscp deploy`, and what they become.
    let special = BTreeMap::from([
        ("secrets", "--secret"),
        ("wait", "--no-wait"),
        ("lscp-version", ""),
        ("install", ""),
    ]);
    let inputs = action_inputs("action.yml");
    assert!(inputs.len() >= 10, "{inputs:?}");
    for input in &inputs {
        let variable = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass input {input} as {variable}"
        );
        let flag = match special.get(input.as_str()) {
            Some(flag) => flag.to_string(),
            None => format!("--{input}"),
        };
        let script = if flag.is_empty() {
            &install_script
        } else {
            assert!(
                help.contains(&flag),
                "lscp deploy has no {flag} (input {input})"
            );
            &deploy_script
        };
        assert!(
            script.contains(&variable),
            "no script reads {variable} (input {input})"
        );
    }
    assert_eq!(
        action_inputs("install/action.yml"),
        ["lscp-version", "install"]
    );
}

/// The `owner/name` of `[workspace.package] repository` in Cargo.toml.
fn repository() -> (String, String) {
    let manifest = read("Cargo.toml");
    let section = manifest
        .split("[workspace.package]")
        .nth(1)
        .expect("[workspace.package]");
    let field = |key: &str| {
        section
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key} = \"")))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{key} in [workspace.package]"))
            .to_string()
    };
    let url = field("repository");
    let slug = url
        .strip_prefix("https://github.com/")
        .expect("a GitHub repository");
    (slug.to_string(), field("version"))
}

#[test]
fn the_examples_and_readme_use_the_action_of_the_manifests_repository_at_its_version() {
    let (slug, version) = repository();
    let name = slug.split('/').nth(1).unwrap().to_string();
    let mut uses = 0;
    for path in [
        "examples/github/deploy.yml",
        "examples/github/preview.yml",
        "README.md",
    ] {
        for line in read(path).lines().filter(|line| line.contains(&name)) {
            if line.contains(&format!(
                "https://github.com/{slug}/releases/download/v{version}/"
            )) {
                continue; // the installer's URL, for people
            }
            if line.contains("path = \"../") {
                continue; // a path dependency on a checkout's folder, not the repository's URL
            }
            let reference = line
                .split("uses: ")
                .nth(1)
                .unwrap_or_else(|| panic!("{path}: the repository outside a `uses:`: {line}"));
            let reference = reference.split_whitespace().next().unwrap();
            let ok = [slug.clone(), format!("{slug}/install")]
                .iter()
                .any(|action| reference == format!("{action}@v{version}"));
            assert!(ok, "{path}: {reference} is not {slug}[/install]@v{version}");
            uses += 1;
        }
    }
    assert!(uses >= 5, "{uses} uses of the action found");
    // Nothing else names it: the scripts and dist read it from Cargo.toml.
    for path in [
        "action.yml",
        "install/action.yml",
        "action/install.sh",
        "action/deploy.sh",
        "dist-workspace.toml",
        ".github/workflows/release.yml",
        "scripts/release_smoke.sh",
    ] {
        assert!(!read(path).contains(&name), "{path} names {name}");
    }
}
