//! Argument fuzzing: whatever the command line, `lscp` ends with one of its exit codes and, when
//! it fails, says why on stderr. It never panics (exit 101), hangs, or dies of a signal.
//!
//! Each case runs the real binary against the mock, whose revisions are final at once, so that
//! arguments valid enough to be sent end quickly instead of waiting. The arguments follow each
//! command's grammar loosely (its options, values of the right kind, IDs that exist) so that most
//! cases get past clap into lscp's own checks and the requests, mixed with arbitrary text, control
//! characters, huge numbers, missing values and stray words.
//!
//! 300 cases by default; `LSCP_FUZZ_CASES=5000` for a longer hunt.

use crate::support;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use langsmith_control_plane_mock::MockServer;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use support::{Harness, Timing, arg, github_deployment_request, spec_file};
use uuid::Uuid;

/// What an option or positional argument takes, to offer it mostly fitting values.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Switch,
    Time,
    /// `--request-timeout`: never so short that requests to the mock time out. A wait rides out
    /// failed polls until its `--timeout` (30 minutes by default), rightly, but that reads as a
    /// hang here.
    RequestTimeout,
    Count,
    /// A deployment, then a revision: mostly one of the deployment's own.
    DeploymentAndRevision,
    DeploymentId,
    /// `deployment delete`: deployments kept for it, so the others survive for later cases.
    DisposableId,
    /// `--workspace-id`, `--integration-id`, `--listener-id`.
    OtherId,
    Text,
    /// `--base-url`: only the mock is valid.
    BaseUrl,
    RepoUrl,
    Secret,
    File,
    Bool,
    Format,
    /// `--region`: only invalid values, since a valid one would reach the real service.
    Region,
    DeploymentStatus,
    RevisionStatus,
    Source,
    DeploymentType,
    LogType,
    LogLevel,
    Shell,
    Schema,
}

use Kind::*;

/// A command: its words, its positional arguments, and its options.
type CommandSpec = (
    &'static [&'static str],
    &'static [Kind],
    &'static [(&'static str, Kind)],
);

/// Every command but `mock`, which with valid arguments serves until it is stopped.
const COMMANDS: &[CommandSpec] = &[
    (
        &["deployment", "list"],
        &[],
        &[
            ("--name-contains", Text),
            ("--status", DeploymentStatus),
            ("--limit", Count),
            ("--all", Switch),
        ],
    ),
    (&["deployment", "get"], &[DeploymentId], &[]),
    (
        &["deployment", "create"],
        &[],
        &[
            ("--file", File),
            ("-f", File),
            ("--name", Text),
            ("--source", Source),
            ("--repo-url", RepoUrl),
            ("--deployment-type", DeploymentType),
            ("--integration-id", OtherId),
            ("--listener-id", OtherId),
            ("--build-on-push", Bool),
            ("--install-command", Text),
            ("--build-command", Text),
            ("--custom-url", RepoUrl),
            ("--ref", Text),
            ("--config-path", Text),
            ("--image", Text),
            ("--secret", Secret),
            ("--wait", Switch),
            ("--timeout", Time),
            ("--interval", Time),
        ],
    ),
    (
        &["deployment", "update"],
        &[DeploymentId],
        &[
            ("--file", File),
            ("-f", File),
            ("--repo-url", RepoUrl),
            ("--deployment-type", DeploymentType),
            ("--build-on-push", Bool),
            ("--ref", Text),
            ("--image", Text),
            ("--secret", Secret),
            ("--wait", Switch),
            ("--timeout", Time),
            ("--interval", Time),
        ],
    ),
    (
        &["deployment", "delete"],
        &[DisposableId],
        &[("--delete-tracing-project", Switch)],
    ),
    (
        &["revision", "list"],
        &[DeploymentId],
        &[
            ("--status", RevisionStatus),
            ("--limit", Count),
            ("--all", Switch),
        ],
    ),
    (&["revision", "get"], &[DeploymentAndRevision], &[]),
    (
        &["revision", "wait"],
        &[DeploymentAndRevision],
        &[("--timeout", Time), ("--interval", Time)],
    ),
    (
        &["revision", "redeploy"],
        &[DeploymentAndRevision],
        &[
            ("--wait", Switch),
            ("--timeout", Time),
            ("--interval", Time),
        ],
    ),
    (
        &["revision", "logs"],
        &[DeploymentAndRevision],
        &[
            ("--type", LogType),
            ("--follow", Switch),
            ("--interval", Time),
            ("--level", LogLevel),
            ("--query", Text),
            ("--newest-first", Switch),
            ("--limit", Count),
        ],
    ),
    (
        &["deploy"],
        &[],
        &[
            ("--name", Text),
            ("--deployment-id", DeploymentId),
            ("--ref", Text),
            ("--image", Text),
            ("--source-dir", File),
            ("--config", Text),
            ("--repo-url", RepoUrl),
            ("--integration-id", OtherId),
            ("--deployment-type", DeploymentType),
            ("--secret", Secret),
            ("--env-file", File),
            ("--replace-secrets", Switch),
            ("--logs", Switch),
            ("--no-wait", Switch),
            ("--timeout", Time),
            ("--interval", Time),
        ],
    ),
    (&["schema"], &[Schema], &[]),
    (&["completions"], &[Shell], &[]),
    // Global options alone.
    (&[], &[], &[]),
];

/// Options every command accepts, before or after its words.
const GLOBAL_OPTIONS: &[(&str, Kind)] = &[
    ("--base-url", BaseUrl),
    ("--region", Region),
    ("--api-key", Text),
    ("--workspace-id", OtherId),
    ("-o", Format),
    ("--output", Format),
    ("--request-timeout", RequestTimeout),
    ("--show-secrets", Switch),
    ("--allow-insecure-http", Switch),
    ("-v", Switch),
    ("-vv", Switch),
];

/// Longer than any case should take; a case that runs past it is reported as a hang.
const HANG: Duration = Duration::from_secs(20);

/// `LSCP_FUZZ_CASES`, or 300.
fn config() -> Config {
    let cases = std::env::var("LSCP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    Config {
        cases,
        failure_persistence: None,
        // Each shrinking step runs the binary again: bound the time spent on a failure.
        max_shrink_time: 120_000,
        ..Config::default()
    }
}

/// Text with control characters, unicode, and numbers too large for any type.
fn arbitrary() -> BoxedStrategy<String> {
    prop_oneof![
        "[^\\x00]{0,12}",
        "[\\x01-\\x7f]{0,12}",
        "-?[0-9]{10,40}(ns|ms|s|m|h|d|w|y)?",
    ]
    .boxed()
}

/// The IDs, spec files and URL that exist in this run.
#[derive(Clone, Debug)]
struct Known {
    /// Deployments and their first revisions.
    deployments: Vec<(String, String)>,
    disposable: Vec<String>,
    workspace: String,
    specs: Vec<String>,
    mock_url: String,
}

/// IDs that name nothing, or are no UUID.
const UNKNOWN_IDS: &[&str] = &["6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01", "not-a-uuid", ""];

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// Values of `kind`: mostly valid ones (to get past clap into lscp's own checks and the
/// requests), then ones at or past the edge of what it accepts, now and then anything at all.
fn value(kind: Kind, known: &Known) -> BoxedStrategy<String> {
    let (valid, edge): (Vec<String>, &[&str]) = match kind {
        Switch => return Just(String::new()).boxed(),
        Time => (
            strings(&["100ms", "2s", "1h", "7d", "1h 30m", "1ns"]),
            &[
                "0s",
                "8d",
                "-1s",
                "1.5s",
                "5 parsecs",
                // Past what a deadline can hold.
                "500000000000y",
                "18446744073709551615s",
                "99999999999w",
            ],
        ),
        RequestTimeout => (
            strings(&["2s", "30s", "1h"]),
            &["0s", "61m", "-1s", "500000000000y", "5 parsecs"],
        ),
        Count => (
            strings(&["1", "3", "20", "4294967295"]),
            &["0", "-1", "4294967296", "1e3"],
        ),
        DeploymentAndRevision => unreachable!("two values: see `positional`"),
        DeploymentId => (
            known.deployments.iter().map(|(d, _)| d.clone()).collect(),
            UNKNOWN_IDS,
        ),
        DisposableId => (known.disposable.clone(), UNKNOWN_IDS),
        OtherId => (vec![known.workspace.clone()], UNKNOWN_IDS),
        Text => (
            strings(&["agent", "main", "é", "🦀", "agent-2"]),
            &["", " ", "\u{202e}", "\u{1b}[31m", "-x", "\u{7}"],
        ),
        // Only the mock is reachable: lscp must send nothing anywhere else.
        BaseUrl => (
            vec![known.mock_url.clone()],
            &[
                "http://",
                "ftp://example.invalid",
                "not a url",
                "http://[::1",
            ],
        ),
        RepoUrl => (
            strings(&["https://github.com/example/agent"]),
            &["", "not a url"],
        ),
        Secret => (
            strings(&["A=b", "É=é", "A==", "PATH"]),
            &["=x", "A=\u{7}", " = ", "LSCP_FUZZ_UNSET_VARIABLE"],
        ),
        File => (known.specs.clone(), &["-", "/nonexistent/spec.json", "."]),
        Bool => (strings(&["true", "false"]), &["yes", "1"]),
        Format => (strings(&["json", "text"]), &["JSON", "yaml"]),
        // No valid region: it would send requests to the real service.
        Region => (strings(&["mars", "EU "]), &["", "u s"]),
        DeploymentStatus => (
            strings(&["READY", "ready", "AWAITING_DATABASE"]),
            &["nope", ""],
        ),
        RevisionStatus => (
            strings(&["DEPLOYED", "build_failed", "DEPLOYED,SKIPPED"]),
            &[",", "nope"],
        ),
        Source => (strings(&["github", "external_docker", "GITHUB"]), &["svn"]),
        DeploymentType => (strings(&["dev", "prod", "PROD"]), &["huge"]),
        LogType => (strings(&["build", "deploy", "BUILD"]), &["runtime"]),
        LogLevel => (strings(&["info", "ERROR", "debug"]), &["loud"]),
        Shell => (
            strings(&["bash", "zsh", "fish", "powershell", "elvish"]),
            &["tcsh"],
        ),
        Schema => (
            strings(&[
                "DeploymentCreateRequest",
                "deploymentpatchrequest",
                "deploy-event",
                "apply-event",
            ]),
            &["Deployment"],
        ),
    };
    prop_oneof![15 => select(valid), 4 => select(strings(edge)), 1 => arbitrary()].boxed()
}

/// The values of one positional argument of `kind`.
fn positional(kind: Kind, known: &Known) -> BoxedStrategy<Vec<String>> {
    let DeploymentAndRevision = kind else {
        return value(kind, known).prop_map(|value| vec![value]).boxed();
    };
    let revisions: Vec<String> = known.deployments.iter().map(|(_, r)| r.clone()).collect();
    let mismatched = (value(DeploymentId, known), select(revisions));
    prop_oneof![
        8 => select(known.deployments.clone()).prop_map(|(d, r)| vec![d, r]),
        1 => mismatched.prop_map(|(d, r)| vec![d, r]),
        1 => (value(DeploymentId, known), arbitrary()).prop_map(|(d, r)| vec![d, r]),
    ]
    .boxed()
}

/// One option as it may be written: `--flag value`, `--flag=value`, or `--flag` with its value
/// missing.
fn option(flag: &'static str, kind: Kind, known: &Known) -> BoxedStrategy<Vec<String>> {
    if let Switch = kind {
        return Just(vec![flag.to_string()]).boxed();
    }
    (value(kind, known), 0..20u8)
        .prop_map(move |(value, form)| match form {
            0 => vec![flag.to_string()],
            1 | 2 => vec![format!("{flag}={value}")],
            _ => vec![flag.to_string(), value],
        })
        .boxed()
}

/// A stray argument: a command word, `--help`, `--`, or anything. Never `mock`, which would
/// serve after global options alone.
fn stray() -> BoxedStrategy<Vec<String>> {
    let words: Vec<String> = COMMANDS
        .iter()
        .flat_map(|(words, _, _)| words.iter())
        .chain(&["--help", "--version", "--", "-", "-h"])
        .map(|w| w.to_string())
        .collect();
    prop_oneof![select(words), arbitrary()]
        .prop_map(|s| vec![s])
        .boxed()
}

/// A command line: global options, the command's words, then its positional arguments with its
/// options before, between and after them, and now and then a stray argument or a missing one.
fn command_line(known: Known) -> impl Strategy<Value = Vec<String>> {
    (0..COMMANDS.len()).prop_flat_map(move |index| {
        let (words, positionals, options) = COMMANDS[index];
        // The command's own options more often than the many global ones, and `--region`, always
        // refused (see `Region`), rarely.
        let weighted = |weight: u32| {
            let known = &known;
            move |(flag, kind): &(&'static str, Kind)| {
                let weight = if let Region = kind { 1 } else { weight };
                (weight, option(flag, *kind, known))
            }
        };
        let globals: Vec<_> = GLOBAL_OPTIONS.iter().map(weighted(2)).collect();
        let anywhere: Vec<_> = options
            .iter()
            .map(weighted(6))
            .chain(GLOBAL_OPTIONS.iter().map(weighted(2)))
            .collect();
        let positionals: Vec<_> = positionals
            .iter()
            .map(|kind| positional(*kind, &known))
            .collect();
        let anywhere = prop_oneof![25 => Union::new_weighted(anywhere), 1 => stray()];
        (
            proptest::collection::vec(Union::new_weighted(globals), 0..2),
            positionals,
            proptest::collection::vec(anywhere, 0..4),
            proptest::collection::vec(any::<prop::sample::Index>(), 4),
            proptest::bool::weighted(0.05),
        )
            .prop_map(move |(before, positionals, options, at, drop_one)| {
                let mut positionals: Vec<String> = positionals.into_iter().flatten().collect();
                if drop_one {
                    positionals.pop();
                }
                let mut tail: Vec<Vec<String>> = positionals.into_iter().map(|p| vec![p]).collect();
                for (option, at) in options.into_iter().zip(at) {
                    let at = at.index(tail.len() + 1);
                    tail.insert(at, option);
                }
                let words = words.iter().map(|w| vec![w.to_string()]);
                before
                    .into_iter()
                    .chain(words)
                    .chain(tail)
                    .flatten()
                    .collect()
            })
    })
}

/// Runs `lscp ARGS` against the mock; its exit status and stderr, or an error if it hung.
fn run(h: &Harness, args: &[String]) -> Result<(std::process::ExitStatus, String), String> {
    let mut child = h
        .lscp()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lscp starts");
    // Drained aside, so a long message cannot block the child while this thread waits.
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("lscp can be waited on") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {HANG:?}"));
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    Ok((status, reader.join().expect("the reader finishes")))
}

#[test]
fn any_command_line_ends_with_an_exit_code_of_the_contract_and_never_a_panic() {
    let workspace = Uuid::new_v4();
    let h = Harness::with(
        MockServer::builder()
            .timing(Timing::instant())
            .tenant_id(workspace),
    );
    let create =
        spec_file(&serde_json::to_string(&github_deployment_request("from-spec")).unwrap());
    let patch = spec_file(r#"{"source_revision_config": {"repo_ref": "v2"}}"#);
    let deployments = (0..3)
        .map(|i| {
            let deployment = h.seed(&format!("fuzzed-{i}"));
            (
                arg(deployment.id),
                arg(deployment.latest_revision_id.unwrap()),
            )
        })
        .collect();
    let disposable = (0..8)
        .map(|i| arg(h.seed(&format!("disposable-{i}")).id))
        .collect();
    let known = Known {
        deployments,
        disposable,
        workspace: arg(workspace),
        specs: [&create, &patch]
            .map(|file| file.path().to_str().unwrap().to_string())
            .to_vec(),
        mock_url: h.mock.base_url(),
    };
    // Two runners at once, with half the cases each (and seeds of their own): most of a case
    // is lscp starting up, which leaves a second core idle otherwise.
    let cases = config().cases;
    support::concurrently([cases / 2, cases - cases / 2], |cases| {
        let mut runner = TestRunner::new(Config { cases, ..config() });
        let outcome = runner.run(&command_line(known.clone()), |args| {
            let (status, stderr) = run(&h, &args).map_err(TestCaseError::fail)?;
            let code = status
                .code()
                .ok_or_else(|| TestCaseError::fail(format!("killed by a signal: {status}")))?;
            prop_assert!(
                (0..=5).contains(&code),
                "exit code {code} is not one of the contract's; stderr:\n{stderr}"
            );
            prop_assert!(!stderr.contains("panicked"), "stderr:\n{stderr}");
            if code == 1 || code == 2 {
                prop_assert!(
                    stderr.contains("error"),
                    "exit code {code} without an error on stderr:\n{stderr}"
                );
            }
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{failure}");
        }
    });
}
