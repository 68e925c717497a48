//! `lscp` under GitHub Actions (CONTRACT section 8): step outputs, the job summary, annotations,
//! folded logs and secret masks; no text from the server acting as a workflow command; and none
//! of it outside Actions. What the runner would read is parsed here by code written from GitHub's
//! documentation of its formats, independently of lscp's writers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use langsmith_control_plane_mock::{RevisionScript, Timing};
use serde_json::json;

use crate::support::{self, Harness, KEY, RevisionStatus, Run, arg, spec_file};

/// A step's runner files, empty, and lscp run with them under `GITHUB_ACTIONS=true`.
struct Step {
    _dir: tempfile::TempDir,
    output: PathBuf,
    summary: PathBuf,
}

impl Step {
    fn new() -> Step {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let output = dir.path().join("github_output");
        let summary = dir.path().join("step_summary");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        Step {
            _dir: dir,
            output,
            summary,
        }
    }

    /// The files' variables, without `GITHUB_ACTIONS`.
    fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_OUTPUT", self.output.display().to_string()),
            ("GITHUB_STEP_SUMMARY", self.summary.display().to_string()),
        ]
    }

    /// `lscp ARGS` against `h` as a step of a workflow, with more variables in `env`.
    fn run_with(&self, h: &Harness, env: &[(&str, &str)], args: &[&str]) -> Run {
        let files = self.files();
        let mut all: Vec<(&str, &str)> = files.iter().map(|(n, v)| (*n, v.as_str())).collect();
        all.push(("GITHUB_ACTIONS", "true"));
        all.extend_from_slice(env);
        let run = h.run_with(&all, args);
        run.keeps_key_secret();
        run
    }

    fn run(&self, h: &Harness, args: &[&str]) -> Run {
        self.run_with(h, &[], args)
    }

    /// `lscp ARGS` against a server at `url` as a step of a workflow.
    fn run_at(&self, url: &str, args: &[&str]) -> Run {
        let files = self.files();
        let mut env: Vec<(&str, &str)> = files.iter().map(|(n, v)| (*n, v.as_str())).collect();
        env.extend([
            ("GITHUB_ACTIONS", "true"),
            ("LANGSMITH_CONTROL_PLANE_URL", url),
            ("LANGSMITH_API_KEY", KEY),
        ]);
        support::run_with(&env, args)
    }

    fn outputs(&self) -> BTreeMap<String, (String, Form)> {
        parse_outputs(&std::fs::read_to_string(&self.output).unwrap())
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(&self.summary).unwrap()
    }

    /// Both files as they were made: empty.
    #[track_caller]
    fn assert_untouched(&self) {
        assert_eq!(std::fs::read_to_string(&self.output).unwrap(), "");
        assert_eq!(self.summary(), "");
    }
}

/// Which of GitHub's two forms an output was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `name=value`
    Line,
    /// `name<<DELIMITER`, the value's lines, `DELIMITER`
    Delimited,
}

/// `$GITHUB_OUTPUT` as GitHub documents it: `name=value` lines, or `name<<DELIMITER`, the value's
/// lines and the delimiter alone on a line; whichever of `=` and `<<` comes first decides.
fn parse_outputs(text: &str) -> BTreeMap<String, (String, Form)> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        let (name, value, form) = match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                (&line[..e], line[e + 1..].to_string(), Form::Line)
            }
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                assert!(!delimiter.is_empty(), "an empty delimiter: {line:?}");
                let mut value = Vec::new();
                loop {
                    let next = lines.next();
                    let next = next.unwrap_or_else(|| panic!("{delimiter} never ends:\n{text}"));
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                (&line[..h], value.join("\n"), Form::Delimited)
            }
            _ => panic!("not an output: {line:?}\n{text}"),
        };
        outputs.insert(name.to_string(), (value, form));
    }
    outputs
}

/// The tables of a Markdown document, each a list of rows (the header first, the separator
/// left out), each cell trimmed and unescaped: GitHub splits a row at each `|` that no backslash
/// escapes, and a backslash before ASCII punctuation stands for that character.
fn tables(markdown: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            tables.push(Vec::new());
            in_table = true;
        }
        let row = cells(line);
        if row.iter().all(|cell| cell.chars().all(|c| c == '-')) {
            continue;
        }
        tables.last_mut().unwrap().push(row);
    }
    tables
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) if next.is_ascii_punctuation() => cell.push(next),
                Some(next) => cell.extend(['\\', next]),
                None => cell.push('\\'),
            },
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    cells
}

/// A workflow command as the runner would take it.
#[derive(Debug)]
struct Command {
    name: String,
    properties: BTreeMap<String, String>,
    data: String,
    line: String,
}

/// The runner's unescaping of command data: `%0D`, `%0A`, then `%25`.
fn unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

/// The runner's unescaping of a property value: as data, and `%3A`, `%2C` before `%25`.
fn unescape_property(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// `::NAME PROPERTIES::DATA` at the start of a line (after spaces), as GitHub documents it.
fn parse_command(line: &str) -> Option<Command> {
    let rest = line.trim_start().strip_prefix("::")?;
    let end = rest.find("::")?;
    let (info, data) = (&rest[..end], &rest[end + 2..]);
    let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
    let properties = properties
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), unescape_property(v)))
        .collect();
    Some(Command {
        name: name.to_string(),
        properties,
        data: unescape_data(data),
        line: line.to_string(),
    })
}

/// The commands the runner acts on in one stream: `::` commands, and the old `##[NAME]` form
/// anywhere in a line (reported with a name starting `##[`); after `::stop-commands::TOKEN`,
/// none until `::TOKEN::`.
fn runner_commands(stream: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stream.lines() {
        let command = parse_command(line);
        if let Some(token) = &stopped {
            if command
                .as_ref()
                .is_some_and(|c| c.name.eq_ignore_ascii_case(token))
            {
                stopped = None;
                commands.extend(command);
            }
            continue;
        }
        if let Some(at) = line.find("##[") {
            let name = line[at..].split([' ', ']']).next().unwrap_or_default();
            commands.push(Command {
                name: name.to_string(),
                properties: BTreeMap::new(),
                data: String::new(),
                line: line.to_string(),
            });
            continue;
        }
        if let Some(command) = command {
            if command.name == "stop-commands" {
                stopped = Some(command.data.clone());
            }
            commands.push(command);
        }
    }
    commands
}

fn named<'a>(commands: &'a [Command], name: &str) -> Vec<&'a Command> {
    commands.iter().filter(|c| c.name == name).collect()
}

/// What a hostile log line tries.
const INJECTIONS: &[&str] = &[
    "::error::x",
    "::set-env name=X::y",
    "::add-mask::z",
    "::stop-commands::abc",
    "::endgroup::",
    "##[error]v1",
    "##[set-output name=x;]y",
    "a%0A::error::x",
];

/// The lines of `stream` outside its stop-commands regions (the regions' own markers included).
fn outside_regions(stream: &str) -> Vec<&str> {
    let mut outside = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stream.lines() {
        match &stopped {
            Some(token) if line == format!("::{token}::") => stopped = None,
            Some(_) => continue,
            None => {
                if let Some(token) = line.strip_prefix("::stop-commands::") {
                    stopped = Some(token.to_string());
                }
            }
        }
        outside.push(line);
    }
    assert!(stopped.is_none(), "a region never ends:\n{stream}");
    outside
}

/// No injection at the start of a line outside the regions, and no `##[` there at all.
#[track_caller]
fn assert_no_injection(what: &str, stream: &str) {
    for line in outside_regions(stream) {
        let start = line.trim_start();
        for injection in INJECTIONS {
            let opening = injection.split("::").nth(1).unwrap_or(injection);
            assert!(
                !start.starts_with(&format!("::{opening}")) || is_ours(line),
                "{what}: {line:?} would act"
            );
        }
        assert!(!line.contains("##["), "{what}: {line:?} would act");
    }
}

/// lscp's own commands: annotations titled by lscp, folds and masks, checked elsewhere.
fn is_ours(line: &str) -> bool {
    ["::error title=lscp", "::warning title=lscp", "::add-mask::"]
        .iter()
        .any(|ours| line.starts_with(ours))
        || line.starts_with("::endgroup::") && line.len() == "::endgroup::".len()
        || line.starts_with("::stop-commands::lscp-")
}

/// Each `::group::` opens a stop-commands region whose token ends it, then `::endgroup::`; returns
/// the tokens.
#[track_caller]
fn fold_tokens(stream: &str) -> Vec<String> {
    let lines: Vec<&str> = stream.lines().collect();
    let mut tokens = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        if !line.starts_with("::group::") {
            continue;
        }
        let token = lines[at + 1]
            .strip_prefix("::stop-commands::")
            .unwrap_or_else(|| panic!("a group without a region:\n{stream}"));
        let end = lines[at + 2..]
            .iter()
            .position(|l| *l == format!("::{token}::"))
            .unwrap_or_else(|| panic!("region {token} never ends:\n{stream}"));
        assert_eq!(lines[at + 3 + end], "::endgroup::", "{stream}");
        assert!(token.len() >= 32, "a guessable token: {token}");
        tokens.push(token.to_string());
    }
    tokens
}

#[test]
fn a_deploy_sets_its_outputs_in_both_forms_and_a_summary_row() {
    let h = Harness::instant();
    let deployment = h.seed("gha-agent");
    let step = Step::new();
    let run = step.run(
        &h,
        &[
            "deploy",
            "--name",
            "gha-agent",
            "--ref",
            "v2",
            "--interval",
            "100ms",
        ],
    );
    run.code(0);
    let revision = arg(h.mock.revisions(deployment.id)[0].id);
    let outputs = step.outputs();
    assert_eq!(outputs["deployment_id"], (arg(deployment.id), Form::Line));
    assert_eq!(outputs["revision_id"], (revision.clone(), Form::Line));
    assert_eq!(outputs["outcome"], ("deployed".to_string(), Form::Line));
    let (url, form) = &outputs["dashboard_url"];
    assert_eq!(*form, Form::Delimited);
    assert!(url.ends_with(&format!("/host/deployments/{}", deployment.id)));
    run.stdout_has(&format!("dashboard: {url}"));

    let tables = tables(&step.summary());
    assert_eq!(tables.len(), 1, "{}", step.summary());
    let [header, row] = &tables[0][..] else {
        panic!("one row: {:?}", tables[0]);
    };
    assert_eq!(
        header,
        &["Deployment", "Revision", "Outcome", "Duration", "Link"]
    );
    assert_eq!(row[0], format!("gha-agent ({})", deployment.id));
    assert_eq!(row[1], revision);
    assert_eq!(row[2], "deployed");
    assert!(row[3].ends_with('s'), "a duration: {}", row[3]);
    assert_eq!(row[4], format!("[dashboard]({url})"));
    let commands = runner_commands(&run.stderr);
    assert!(named(&commands, "error").is_empty() && named(&commands, "warning").is_empty());
}

#[test]
fn deploy_no_wait_reports_started_also_when_forced_on_without_github_actions() {
    let h = Harness::start();
    h.seed("gha-started");
    let step = Step::new();
    let files = step.files();
    let mut env: Vec<(&str, &str)> = files.iter().map(|(n, v)| (*n, v.as_str())).collect();
    env.push(("LSCP_GITHUB_ACTIONS", "on"));
    let args = [
        "deploy",
        "--name",
        "gha-started",
        "--ref",
        "v2",
        "--no-wait",
    ];
    h.run_with(&env, &args).code(0);
    assert_eq!(step.outputs()["outcome"].0, "started");
    assert_eq!(tables(&step.summary())[0][1][2], "started");
}

#[test]
fn a_failed_build_is_one_error_annotation_with_the_status_and_the_last_error_line() {
    let h = Harness::instant();
    let deployment = h.seed("gha-fails");
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let step = Step::new();
    let run = step.run(
        &h,
        &[
            "deploy",
            "--name",
            "gha-fails",
            "--ref",
            "v2",
            "--interval",
            "100ms",
        ],
    );
    run.code(3);
    let commands = runner_commands(&run.stderr);
    let errors = named(&commands, "error");
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(named(&commands, "warning").is_empty());
    let title = &errors[0].properties["title"];
    assert!(
        title.contains("gha-fails") && title.contains("BUILD_FAILED"),
        "{title}"
    );
    let message = &errors[0].data;
    assert!(message.contains(&arg(deployment.id)), "{message}");
    assert!(
        message.ends_with("last error: Build failed: installing dependencies exited with status 1"),
        "{message}"
    );
    assert_eq!(step.outputs()["outcome"].0, "failed");
    let summary = step.summary();
    assert_eq!(tables(&summary)[0][1][2], "failed: BUILD_FAILED");
    assert!(
        summary.contains("entries of the build log:\n\n```text\n"),
        "{summary}"
    );
    assert!(summary.contains("Build failed: installing dependencies exited with status 1\n```\n"));
}

#[test]
fn a_timed_out_and_a_superseded_revision_are_warnings() {
    let h = Harness::start();
    let deployment = h.seed("gha-waits");
    let id = arg(deployment.id);
    let stuck = arg(h.seed_revision(deployment.id, RevisionStatus::Building).id);
    let step = Step::new();
    let wait = [
        "revision",
        "wait",
        &id,
        &stuck,
        "--timeout",
        "500ms",
        "--interval",
        "100ms",
    ];
    let run = step.run(&h, &wait);
    run.code(4);
    let commands = runner_commands(&run.stderr);
    let warnings = named(&commands, "warning");
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(named(&commands, "error").is_empty());
    assert!(warnings[0].properties["title"].contains("gha-waits timed out"));
    assert!(warnings[0].data.contains("last status BUILDING"));
    let outputs = step.outputs();
    assert_eq!(outputs["outcome"].0, "timed_out");
    assert_eq!(outputs["deployment_id"].0, id);
    assert_eq!(outputs["revision_id"].0, stuck);
    assert!(
        outputs["dashboard_url"]
            .0
            .ends_with(&format!("/deployments/{id}"))
    );
    assert_eq!(
        tables(&step.summary())[0][1][2],
        "timed out (last status BUILDING)"
    );

    let skipped = arg(h.seed_revision(deployment.id, RevisionStatus::Skipped).id);
    let step = Step::new();
    let run = step.run(&h, &["revision", "wait", &id, &skipped]);
    run.code(5);
    let commands = runner_commands(&run.stderr);
    let warnings = named(&commands, "warning");
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].data.contains("superseded"));
    assert_eq!(step.outputs()["outcome"].0, "superseded");
}

#[test]
fn revision_create_with_wait_writes_the_outputs_and_summary_of_revision_wait() {
    let h = Harness::instant();
    let deployment = h.seed("gha-create");
    let id = arg(deployment.id);
    let step = Step::new();
    let create = [
        "revision",
        "create",
        &id,
        "--ref",
        "v2",
        "--wait",
        "--interval",
        "100ms",
    ];
    step.run(&h, &create).code(0);
    let created = step.outputs();
    let revision = arg(h.mock.revisions(deployment.id)[0].id);
    assert_eq!(created["outcome"].0, "deployed");
    assert_eq!(created["revision_id"].0, revision);

    let again = Step::new();
    let wait = ["revision", "wait", &id, &revision, "--interval", "100ms"];
    again.run(&h, &wait).code(0);
    let names = |outputs: &BTreeMap<String, (String, Form)>| -> Vec<String> {
        outputs.keys().cloned().collect()
    };
    assert_eq!(names(&created), names(&again.outputs()));
    assert_eq!(created["deployment_id"], again.outputs()["deployment_id"]);
    // The same table, but for how long each waited.
    let without_duration = |summary: String| {
        let mut tables = tables(&summary);
        for row in &mut tables[0] {
            row.remove(3);
        }
        tables
    };
    assert_eq!(
        without_duration(step.summary()),
        without_duration(again.summary())
    );
}

#[test]
fn streamed_logs_are_folded_and_no_log_line_acts_as_a_command() {
    let h = Harness::instant();
    let mut request = support::github_deployment_request("gha-##[error]name");
    let url = format!(
        "https://github.com/example/agent\n{}",
        INJECTIONS.join("\n")
    );
    request.source_config.repo_url = Some(url);
    let deployment = arg(h.seed_request(request).id);
    let deploy = [
        "deploy",
        "--deployment-id",
        &deployment,
        "--ref",
        "main",
        "--logs",
    ];
    let deploy = [&deploy[..], &["--interval", "100ms"]].concat();
    let mut tokens = Vec::new();
    for _ in 0..2 {
        h.mock.fail_next_revision(RevisionStatus::BuildFailed);
        let step = Step::new();
        let run = step.run(&h, &deploy);
        run.code(3);
        // The build log's lines, with the hostile repository URL, are inside a fold.
        let folded = fold_tokens(&run.stderr);
        assert!(!folded.is_empty(), "no fold:\n{}", run.stderr);
        tokens.extend(folded);
        assert!(
            run.stderr.contains("::group::build log\n"),
            "{}",
            run.stderr
        );
        assert_no_injection("deploy --logs", &run.stderr);
        assert_no_injection("deploy --logs (stdout)", &run.stdout);
        let commands = runner_commands(&run.stderr);
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        for name in &names {
            let known = ["group", "stop-commands", "endgroup", "error"].contains(name)
                || name.starts_with("lscp-");
            assert!(known, "{name} acted:\n{}", run.stderr);
        }
        assert_eq!(named(&commands, "error").len(), 1, "{}", run.stderr);
        assert!(
            named(&commands, "stop-commands")
                .iter()
                .all(|c| c.data.starts_with("lscp-"))
        );
    }
    let distinct: std::collections::BTreeSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), tokens.len(), "a token repeats: {tokens:?}");
}

/// A deployment name and a revision status that try every way into the runner: a command at a
/// line's start, the older form anywhere, an escaped and a raw line break.
const HOSTILE_NAME: &str = "gha-##[group]g %0A::error::n\n::warning::w\r##[error]e";
const HOSTILE_STATUS: &str = "ODD ##[endgroup] %0D%0A::error::s\n::add-mask::m";

#[test]
fn a_deploy_keeps_a_hostile_name_and_status_out_of_every_command_and_fold() {
    let h = Harness::start();
    let deployment = arg(h.seed(HOSTILE_NAME).id);
    let odd = RevisionStatus::Unrecognized(HOSTILE_STATUS.to_string());
    let script = RevisionScript::new()
        .then(odd, std::time::Duration::from_millis(300))
        .ends_with(RevisionStatus::BuildFailed);
    h.mock.script_next_revision(script);
    let step = Step::new();
    let deploy = [
        "deploy",
        "--deployment-id",
        &deployment,
        "--ref",
        "main",
        "--logs",
    ];
    let run = step.run(&h, &[&deploy[..], &["--interval", "100ms"]].concat());
    run.code(3).stderr_has("ODD ##");
    assert_no_injection("deploy (stderr)", &run.stderr);
    assert_no_injection("deploy (stdout)", &run.stdout);
    let commands = runner_commands(&run.stderr);
    for command in &commands {
        let known = ["group", "stop-commands", "endgroup", "error"].contains(&&*command.name)
            || command.name.starts_with("lscp-");
        assert!(known, "{} acted:\n{}", command.line, run.stderr);
        // Titles and messages stay on their line and hold no older command.
        for text in command.properties.values().chain([&command.data]) {
            assert!(!text.contains(['\n', '\r']), "{}", command.line);
            assert!(!text.contains("##["), "{}", command.line);
        }
    }
    assert!(
        !named(&commands, "group").is_empty(),
        "no fold:\n{}",
        run.stderr
    );
    let errors = named(&commands, "error");
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    let title = &errors[0].properties["title"];
    assert!(title.starts_with("lscp deploy: gha-##"), "{title}");
    assert!(
        title.ends_with(r"\r##\u005berror]e BUILD_FAILED"),
        "{title}"
    );
    assert_eq!(step.outputs()["outcome"].0, "failed");
}

/// The last entry at level ERROR of [`hostile_log`].
const LAST_ERROR: &str =
    "last%0A::error::x ##[set-output name=x;]y ```` <b>|</b> [l](javascript:x)";

/// A log page whose fields try to act as workflow commands at the start of a line.
fn hostile_log() -> serde_json::Value {
    json!({"logs": [
        {"timestamp": "::error::x", "level": "INFO", "message": "::set-env name=X::y"},
        {"timestamp": "::add-mask::z", "level": "##[error]v1", "message": "::stop-commands::abc"},
        {"timestamp": "::endgroup::", "level": "ERROR", "message": LAST_ERROR},
    ], "next_offset": null})
}

#[test]
fn revision_logs_and_a_failed_wait_keep_hostile_server_text_inert() {
    let h = Harness::start();
    let name = "evil, name: %0A::error::x";
    let deployment = h.seed(name);
    let revision = h.seed_revision(deployment.id, RevisionStatus::BuildFailed);
    let (deployment_json, revision_json) = (
        serde_json::to_string(&deployment).unwrap(),
        serde_json::to_string(&revision).unwrap(),
    );
    let url = support::serving(move |path| match path {
        p if p.ends_with("/logs") => (200, hostile_log().to_string()),
        p if p.contains("/revisions/") => (200, revision_json.clone()),
        _ => (200, deployment_json.clone()),
    });
    let (id, rev) = (arg(deployment.id), arg(revision.id));

    let mut tokens = Vec::new();
    for _ in 0..2 {
        let step = Step::new();
        let logs = step.run_at(&url, &["revision", "logs", &id, &rev, "--type", "build"]);
        logs.code(0);
        assert_no_injection("revision logs", &logs.stdout);
        let commands = runner_commands(&logs.stdout);
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 4, "{}", logs.stdout);
        assert_eq!(
            [names[0], names[1], names[3]],
            ["group", "stop-commands", "endgroup"]
        );
        tokens.extend(fold_tokens(&logs.stdout));
        // Every entry was printed, inside the region, and escaped even there, for runners
        // that do not know `stop-commands`.
        assert_eq!(logs.stdout.lines().count(), 3 + 4, "{}", logs.stdout);
        for line in logs.stdout.lines().filter(|line| !is_ours(line)) {
            let is_fold = line.starts_with("::group::") || line.starts_with("::lscp-");
            assert!(is_fold || !line.trim_start().starts_with("::"), "{line:?}");
            assert!(!line.contains("##["), "{line:?}");
        }
    }
    assert_ne!(tokens[0], tokens[1], "the same token twice");

    let step = Step::new();
    let wait = step.run_at(&url, &["revision", "wait", &id, &rev]);
    wait.code(3);
    assert_no_injection("revision wait", &wait.stderr);
    let commands = runner_commands(&wait.stderr);
    let [error] = &commands[..] else {
        panic!("one command expected:\n{}", wait.stderr);
    };
    assert_eq!(error.name, "error", "{}", error.line);
    assert_eq!(error.properties.len(), 1, "{}", error.line);
    assert_eq!(
        error.properties["title"],
        format!("lscp wait: {name} BUILD_FAILED")
    );
    // As sent, but for the older command form broken (`##[` as `##\u005b`).
    let shown = LAST_ERROR.replace("##[", r"##\u005b");
    assert!(
        error.data.ends_with(&format!("; last error: {shown}")),
        "{}",
        error.data
    );

    let summary = step.summary();
    let table = &tables(&summary)[0];
    assert_eq!(table.len(), 2, "{summary}");
    assert_eq!(table[1][0], format!("{name} ({id})"));
    // The log is in one code block whose fence no line closes, and nothing outside it is HTML.
    let fence = "`````text";
    let (before, block) = summary.split_once(&format!("\n{fence}\n")).expect(&summary);
    let (block, after) = block.split_once("\n`````\n").expect(&summary);
    assert_eq!(after.trim(), "", "{summary}");
    assert_eq!(block.lines().count(), 3, "{block}");
    assert!(
        block.lines().any(|line| line.ends_with(LAST_ERROR)),
        "{block}"
    );
    assert!(
        !before.contains("<b>") && !before.contains("javascript"),
        "{before}"
    );
}

/// Asserts every line of `text` holding a piece of a secret in `values` is that piece's mask.
#[track_caller]
fn assert_only_masked(what: &str, text: &str, values: &[&str]) {
    for value in values {
        for piece in value.split('\n') {
            for line in text.lines().filter(|line| line.contains(piece)) {
                assert!(
                    line == format!("::add-mask::{piece}") || line.starts_with("::add-mask::"),
                    "{what}: a secret in {line:?}"
                );
            }
        }
    }
}

#[test]
fn every_secret_sent_is_masked_first_and_shown_nowhere_else() {
    let h = Harness::instant();
    let deployment = arg(h.seed("gha-secrets").id);
    let values = [
        "flag-secret-0001",
        "env-var-secret-0002",
        "file-secret-line-one\nfile-secret-line-two",
    ];
    let env_file = spec_file("MULTI=\"file-secret-line-one\\nfile-secret-line-two\"\n");
    let step = Step::new();
    let run = step.run_with(
        &h,
        &[("FROM_ENV", values[1])],
        &[
            "deploy",
            "--name",
            "gha-secrets",
            "--ref",
            "v2",
            "--interval",
            "100ms",
            "--secret",
            &format!("FLAG={}", values[0]),
            "--secret",
            "FROM_ENV",
            "--env-file",
            env_file.path().to_str().unwrap(),
        ],
    );
    run.code(0);
    let masks: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("::add-mask::"))
        .collect();
    for piece in values.iter().flat_map(|v| v.split('\n')) {
        assert!(
            masks.contains(&piece),
            "{piece} not masked:\n{}",
            run.stderr
        );
    }
    // Announced before anything else happens.
    let first_other = run
        .stderr
        .lines()
        .position(|l| !l.starts_with("::add-mask::"));
    assert_eq!(first_other, Some(masks.len()), "{}", run.stderr);
    assert_only_masked("deploy stderr", &run.stderr, &values);
    assert_only_masked("deploy stdout", &run.stdout, &values);
    assert_only_masked(
        "outputs",
        &std::fs::read_to_string(&step.output).unwrap(),
        &values,
    );
    assert_only_masked("summary", &step.summary(), &values);

    let file = spec_file(
        "deployments:\n  - name: gha-secrets\n    source: github\n    \
         source_config: {repo_url: https://github.com/example/gha-secrets}\n    \
         source_revision_config: {repo_ref: main}\n    \
         secrets: {TOKEN: {from_env: APPLY_SECRET}}\n",
    );
    let applied = "apply-secret-0003";
    let step = Step::new();
    let path = file.path().to_str().unwrap();
    let args = ["apply", "-f", path, "--yes", "--interval", "100ms"];
    let run = step.run_with(&h, &[("APPLY_SECRET", applied)], &args);
    run.code(0);
    assert!(
        run.stderr.starts_with(&format!("::add-mask::{applied}\n")),
        "{}",
        run.stderr
    );
    assert_only_masked("apply stderr", &run.stderr, &[applied]);
    assert_only_masked("apply stdout", &run.stdout, &[applied]);
    assert_only_masked("apply summary", &step.summary(), &[applied]);

    let updated = "update-secret-0005";
    let secret = format!("UPDATED={updated}");
    let args = ["deployment", "update", &deployment, "--secret", &secret];
    let run = Step::new().run(&h, &args);
    run.code(0);
    assert!(
        run.stderr.starts_with(&format!("::add-mask::{updated}\n")),
        "{}",
        run.stderr
    );
    assert_only_masked("update stderr", &run.stderr, &[updated]);
    assert_only_masked("update stdout", &run.stdout, &[updated]);
}

/// One unchanged deployment, one created that deploys, one created whose build fails.
const APPLY_FILE: &str = "\
deployments:
  - name: gha-same
    source: github
    source_config: {repo_url: https://github.com/example/gha-same}
    source_revision_config: {repo_ref: main}
  - name: gha-new
    source: github
    source_config: {repo_url: https://github.com/acme/new, deployment_type: dev}
    source_revision_config: {repo_ref: main}
  - name: gha-broken
    source: github
    source_config: {repo_url: https://github.com/acme/broken, deployment_type: dev}
    source_revision_config: {repo_ref: main}
";

#[test]
fn apply_sets_the_worst_outcome_and_counts_and_a_row_per_deployment() {
    let h = Harness::instant();
    h.seed("gha-same");
    h.mock
        .script_next_revision(RevisionScript::deploys(&Timing::instant()));
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let file = spec_file(APPLY_FILE);
    let path = file.path().to_str().unwrap();
    let step = Step::new();
    let args = [
        "apply",
        "-f",
        path,
        "--yes",
        "--interval",
        "100ms",
        "--concurrency",
        "1",
    ];
    let run = step.run(&h, &args);
    run.code(3);
    let outputs = step.outputs();
    let count = |name: &str| outputs[name].0.clone();
    assert_eq!(count("outcome"), "failed");
    let counts = [
        "unchanged",
        "updated",
        "deployed",
        "failed",
        "timed_out",
        "superseded",
        "error",
    ]
    .map(count);
    assert_eq!(counts, ["1", "0", "1", "1", "0", "0", "0"]);

    let table = &tables(&step.summary())[0];
    assert_eq!(
        table[0],
        ["Deployment", "Outcome", "Deployment ID", "Detail"]
    );
    let outcomes: Vec<(&str, &str)> = table[1..]
        .iter()
        .map(|row| (row[0].as_str(), row[1].as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("gha-same", "unchanged"),
            ("gha-new", "deployed"),
            ("gha-broken", "failed")
        ]
    );
    let commands = runner_commands(&run.stderr);
    let errors = named(&commands, "error");
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert_eq!(
        errors[0].properties["title"],
        "lscp apply: gha-broken BUILD_FAILED"
    );
    assert!(
        errors[0].data.ends_with("exited with status 1"),
        "{}",
        errors[0].data
    );

    // Nothing left to change: a success, every deployment unchanged.
    let step = Step::new();
    let file = spec_file(&APPLY_FILE[..APPLY_FILE.find("  - name: gha-new").unwrap()]);
    let path = file.path().to_str().unwrap();
    step.run(&h, &["apply", "-f", path, "--yes"]).code(0);
    assert_eq!(step.outputs()["outcome"].0, "success");
    assert_eq!(step.outputs()["unchanged"].0, "1");
}

#[test]
fn plan_shows_its_changes_per_deployment_and_field_in_the_summary() {
    let h = Harness::start();
    h.seed("gha-planned");
    let file = spec_file(
        "deployments:\n  - name: gha-planned\n    source: github\n    \
         source_config: {repo_url: https://github.com/example/gha-planned}\n    \
         source_revision_config: {repo_ref: release|<b>}\n    \
         secrets: {TOKEN: {from_env: PLAN_SECRET}}\n  - name: gha-created\n    \
         source: external_docker\n    \
         source_revision_config: {image_uri: 'registry.example.com/a:1'}\n",
    );
    let step = Step::new();
    let path = file.path().to_str().unwrap();
    let run = step.run_with(
        &h,
        &[("PLAN_SECRET", "plan-secret-0004")],
        &["plan", "-f", path],
    );
    run.code(0);
    let summary = step.summary();
    assert!(
        summary.starts_with("### lscp plan: 1 to create, 0 to update in place, 1 new revision")
    );
    let table = &tables(&summary)[0];
    assert_eq!(table[0], ["Deployment", "Action", "Field", "Change"]);
    let rows: Vec<[&str; 4]> = table[1..]
        .iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()])
        .collect();
    assert!(
        rows.contains(&[
            "gha-planned",
            "new revision",
            "source_revision_config.repo_ref",
            "\"main\" -> \"release|<b>\"  (new revision)"
        ]),
        "{rows:?}"
    );
    assert!(rows.contains(&[
        "gha-planned",
        "new revision",
        "secrets.TOKEN",
        "(secret, set)  (new revision)"
    ]));
    assert!(
        rows.iter()
            .any(|r| r[0] == "gha-created" && r[1] == "create"),
        "{rows:?}"
    );
    assert_only_masked("plan summary", &summary, &["plan-secret-0004"]);
}

/// `text` with each line's leading `[elapsed]` stamp made the same.
fn unstamped(text: &str) -> String {
    let lines = text
        .lines()
        .map(|line| match (line.starts_with('['), line.find("] ")) {
            (true, Some(end)) => format!("[T]{}", &line[end + 1..]),
            _ => line.to_string(),
        });
    lines.collect::<Vec<_>>().join("\n")
}

#[test]
fn outside_github_actions_the_output_is_unchanged_and_no_runner_file_is_written() {
    let h = Harness::instant();
    let deployment = h.seed("gha-outside");
    let first = arg(h.mock.revisions(deployment.id)[0].id);
    let failed = arg(h
        .seed_revision(deployment.id, RevisionStatus::BuildFailed)
        .id);
    let id = arg(deployment.id);
    let plan_file = spec_file(
        "deployments:\n  - name: gha-outside\n    source: github\n    \
         source_config: {repo_url: https://github.com/example/gha-outside}\n    \
         source_revision_config: {repo_ref: other}\n",
    );
    let plan = plan_file.path().to_str().unwrap();
    let step = Step::new();
    let files = step.files();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let with = |extra: &[(&'static str, &'static str)]| [&files[..], extra].concat();
    let settings = [
        with(&[]),
        with(&[("GITHUB_ACTIONS", "false")]),
        with(&[("GITHUB_ACTIONS", "true"), ("LSCP_GITHUB_ACTIONS", "off")]),
    ];
    let commands: [&[&str]; 4] = [
        &["revision", "wait", &id, &failed, "--interval", "100ms"],
        &["revision", "logs", &id, &first, "--type", "build"],
        &["plan", "-f", plan],
        &[
            "-o", "json", "revision", "logs", &id, &first, "--type", "deploy",
        ],
    ];
    // The commands at once; each one's runs one after the other.
    support::concurrently(commands, |args| {
        let alone = h.run(args);
        for env in &settings {
            let run = h.run_with(env, args);
            assert_eq!(run.code, alone.code, "{args:?} {env:?}");
            assert_eq!(run.stdout, alone.stdout, "{args:?} {env:?}");
            assert_eq!(
                unstamped(&run.stderr),
                unstamped(&alone.stderr),
                "{args:?} {env:?}"
            );
        }
        // `--github-actions off` wins over GITHUB_ACTIONS=true too.
        let off = [&["--github-actions", "off"][..], args].concat();
        let run = h.run_with(&with(&[("GITHUB_ACTIONS", "true")]), &off);
        assert_eq!(run.stdout, alone.stdout, "{args:?} --github-actions off");
    });
    // A deploy with logs, a failure and secrets: no command, no mask, no file.
    h.mock.fail_next_revision(RevisionStatus::BuildFailed);
    let args = ["deploy", "--deployment-id", &id, "--ref", "v3", "--logs"];
    let args = [
        &args[..],
        &["--interval", "100ms", "--secret", "S=outside-secret"],
    ]
    .concat();
    let run = h.run_with(&settings[0], &args);
    run.code(3);
    for line in run.stdout.lines().chain(run.stderr.lines()) {
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
    step.assert_untouched();
}
