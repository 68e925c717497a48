//! The deployment file: YAML or JSON, secrets from the environment, and every problem reported
//! at once with its line and column.

use std::path::Path;

use langsmith_control_plane_plan::deployment_file::{DeploymentFileError, DesiredState, Problem};

fn env(name: &str) -> Option<String> {
    match name {
        "OPENAI_KEY" => Some("sk-from-env".into()),
        "DB_PASSWORD" => Some("hunter2".into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<DesiredState, DeploymentFileError> {
    DesiredState::parse(text, "deployments.yaml", Path::new("."), env)
}

fn problems(text: &str) -> Vec<Problem> {
    parse(text).expect_err("the file has problems").problems
}

/// `line:column: hint` of each problem that has a hint (issue 19, 2: advice is not in the
/// message).
fn hints(text: &str) -> Vec<String> {
    problems(text)
        .iter()
        .filter_map(|p| Some(format!("{}:{}: {}", p.line, p.column, p.hint.as_ref()?)))
        .collect()
}

/// `line:column: message` of each problem.
fn lines(text: &str) -> Vec<String> {
    problems(text)
        .iter()
        .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
        .collect()
}

const GOOD: &str = "\
# yaml-language-server: $schema=./deployments.schema.json
deployments:
  - name: support-agent
    source: github
    source_config:
      repo_url: https://github.com/acme/agent
      deployment_type: prod
      custom_url: null
      resource_spec:
        min_scale: 2
        cpu: null
    source_revision_config:
      repo_ref: main
    env:
      LOG_LEVEL: info
    secrets:
      OPENAI_API_KEY: {from_env: OPENAI_KEY}
  - name: worker
    source: external_docker
    source_revision_config: {image_uri: 'registry.example.com/worker:1.2'}
";

#[test]
fn a_good_file_loads_with_secret_values_from_the_environment() {
    let desired = parse(GOOD).unwrap();
    assert_eq!(desired.deployments.len(), 2);
    let agent = &desired.deployments[0];
    assert_eq!(agent.spec.name, "support-agent");
    assert_eq!(agent.spec.env["LOG_LEVEL"], "info");
    assert_eq!(agent.spec.secrets["OPENAI_API_KEY"].from_env, "OPENAI_KEY");
    assert_eq!(agent.cleared_fields(), ["custom_url", "resource_spec.cpu"]);
    assert_eq!(
        agent
            .spec
            .source_config
            .resource_spec
            .as_ref()
            .unwrap()
            .min_scale,
        Some(2)
    );
    let debug = format!("{desired:?}");
    assert!(!debug.contains("sk-from-env"), "{debug}");
}

#[test]
fn json_is_accepted_too() {
    let json = r#"{"deployments": [{"name": "a", "source": "github",
        "source_config": {"repo_url": "https://github.com/acme/a"},
        "source_revision_config": {"repo_ref": "main"}}]}"#;
    assert_eq!(parse(json).unwrap().deployments[0].spec.name, "a");
}

#[test]
fn an_unknown_key_names_itself_its_place_and_the_nearest_valid_key() {
    let text = "\
deployments:
  - name: a
    sorce: github
    source_config:
      repo_rul: https://github.com/acme/a
";
    let found = problems(text);
    let unknown: Vec<String> = found
        .iter()
        .filter(|p| p.message.starts_with("unknown key"))
        .map(|p| format!("{}:{}: {}: {}", p.line, p.column, p.path, p.message))
        .collect();
    assert_eq!(
        unknown,
        [
            "3:5: deployments[0].sorce: unknown key `sorce`; the nearest valid key is `source`",
            "5:7: deployments[0].source_config.repo_rul: unknown key `repo_rul`; the nearest \
             valid key is `repo_url`",
        ]
    );
    // The missing `source` is reported too, at the entry.
    assert!(
        found
            .iter()
            .any(|p| p.line == 2 && p.message.contains("source")),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_at_once_with_its_place() {
    let text = "\
deployments:
  - name: a
    source: github
    source_config:
      build_on_push: maybe
    secrets:
      TOKEN: plain-text-value
      DB: {from_env: DB_PASSWORD}
      MISSING: {from_env: NOT_SET_ANYWHERE}
  - name: a
    source: gitlab
    source_dir: .
";
    assert_eq!(
        lines(text),
        [
            "5:22: want null or boolean, but got string",
            "7:14: secret TOKEN has its value written in the file; secret values come from the \
             environment",
            "9:27: the environment variable NOT_SET_ANYWHERE (for secret MISSING) is not set",
            "10:11: the name \"a\" is taken by deployments[0] (line 2)",
            "11:13: value must be one of 'github', 'external_docker', 'internal_docker', \
             'internal_source', 'internal_template'",
            "12:5: source_dir \".\" is for `source: internal_source` only",
        ]
    );
    assert_eq!(
        hints(text),
        ["7:14: write `TOKEN: {from_env: VARIABLE}` (or move it to `env` if it is not secret)"]
    );
}

#[test]
fn a_syntax_error_is_reported_with_its_place() {
    let found = lines("deployments:\n  - name: a\n   source: [github\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("not valid YAML or JSON"), "{found:?}");
    assert!(
        found[0].starts_with("3:") || found[0].starts_with("4:"),
        "{found:?}"
    );
}

#[test]
fn uploaded_source_needs_an_existing_source_dir_relative_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("agent")).unwrap();
    let text = "\
deployments:
  - {name: a, source: internal_source, source_dir: agent}
  - {name: b, source: internal_source, source_dir: missing}
  - {name: c, source: internal_source}
";
    let file = dir.path().join("deployments.yaml");
    std::fs::write(&file, text).unwrap();
    let error = DesiredState::load(&file).unwrap_err();
    let messages: Vec<&str> = error.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("missing is not a directory"),
        "{messages:?}"
    );
    assert!(messages[1].contains("needs `source_dir`"), "{messages:?}");
    std::fs::write(&file, &text[..text.find("  - {name: b").unwrap()]).unwrap();
    let desired = DesiredState::load(&file).unwrap();
    assert_eq!(
        desired.deployments[0].source_dir(),
        Some(dir.path().join("agent").canonicalize().unwrap().as_path())
    );
}

#[test]
fn reserved_and_doubled_variable_names_are_refused() {
    let text = "\
deployments:
  - name: a
    source: github
    env: {LANGCHAIN_PROJECT: x, DB: y}
    secrets: {DB: {from_env: DB_PASSWORD}}
";
    let found = lines(text);
    assert!(
        found
            .iter()
            .any(|l| l.starts_with("4:11: LANGCHAIN_PROJECT is set by the service")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|l| l.starts_with("5:15: DB is both in env and in secrets")),
        "{found:?}"
    );
    assert!(!found.iter().any(|l| l.contains("keep one")), "{found:?}");
    assert!(
        hints(text).contains(&"5:15: keep one of them".to_string()),
        "{:?}",
        hints(text)
    );
}

#[test]
fn the_error_lists_every_problem_under_the_file_name() {
    let error = parse("deployments:\n  - {name: a, source: github, envs: {A: b}}\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "deployments.yaml has 1 problem:\n  deployments.yaml:2:31: deployments[0].envs: \
         unknown key `envs`; the nearest valid key is `env`"
    );
}

#[test]
fn the_schema_accepts_the_example_and_names_every_api_field() {
    let schema = DesiredState::json_schema();
    let entry = &schema["definitions"]["DeploymentSpec"]["properties"];
    for key in [
        "name",
        "source",
        "source_config",
        "source_revision_config",
        "secret_references",
        "env",
        "secrets",
        "source_dir",
        "display_name",
    ] {
        assert!(entry.get(key).is_some(), "{key} missing from the schema");
    }
    assert!(
        schema["definitions"]["SourceConfigRequest"]["properties"]
            .get("resource_spec")
            .is_some()
    );
}

#[test]
fn a_spec_built_in_code_is_checked_like_a_file() {
    use langsmith_control_plane_plan::deployment_file::{DeploymentFileSpec, SecretFrom};
    let mut spec: DeploymentFileSpec = serde_json::from_value(serde_json::json!({
        "deployments": [{"name": "a", "source": "external_docker",
                         "source_revision_config": {"image_uri": "registry.example.com/a:1"}}]
    }))
    .unwrap();
    let desired = DesiredState::from_spec(&spec, Path::new("."), env).unwrap();
    assert_eq!(desired.deployments[0].spec, spec.deployments[0]);
    spec.deployments[0].secrets.insert(
        "TOKEN".into(),
        SecretFrom {
            from_env: "NOT_SET_ANYWHERE".into(),
        },
    );
    let error = DesiredState::from_spec(&spec, Path::new("."), env).unwrap_err();
    assert_eq!(error.file, "<spec>");
    assert!(
        error.problems[0].message.contains("NOT_SET_ANYWHERE"),
        "{error}"
    );
}

#[test]
fn a_value_pasted_where_a_variable_name_belongs_is_refused_without_being_echoed() {
    let pasted = "sk-proj-Pasted0Secret0Value";
    let text = format!(
        "deployments:\n  - name: a\n    source: github\n    secrets:\n      K: {{from_env: \"{pasted}\"}}\n"
    );
    let looked_up = std::cell::RefCell::new(Vec::new());
    let error = DesiredState::parse(&text, "deployments.yaml", Path::new("."), |name| {
        looked_up.borrow_mut().push(name.to_string());
        None
    })
    .unwrap_err();
    let shown = format!("{error}\n{error:?}");
    assert!(!shown.contains(pasted), "the value is echoed: {shown}");
    assert!(
        !looked_up.borrow().iter().any(|name| name == pasted),
        "the value was looked up as a variable"
    );
    assert_eq!(
        error.problems.len(),
        1,
        "one problem, not also `is not set`: {shown}"
    );
    let problem = &error.problems[0];
    assert_eq!((problem.line, problem.column), (5, 21), "{shown}");
    assert_eq!(problem.path, "deployments[0].secrets.K.from_env");
    assert_eq!(
        problem.message,
        "the value given for K does not look like a variable name ([A-Za-z_][A-Za-z0-9_]*)"
    );
    assert_eq!(
        problem.hint.as_deref(),
        Some("write `K: {from_env: VARIABLE}`")
    );
}

#[test]
fn variable_names_are_letters_digits_and_underscores_not_starting_with_a_digit() {
    use langsmith_control_plane_plan::deployment_file::is_variable_name;
    for good in ["A", "_", "OPENAI_API_KEY", "a1_b2", "_9"] {
        assert!(is_variable_name(good), "{good}");
    }
    for bad in ["", "9A", "sk-abc", "A.B", "A B", "Ä", "A=B", "A\n"] {
        assert!(!is_variable_name(bad), "{bad:?}");
    }
}

/// A deployment file of exactly `size` bytes: a valid document, then a comment filling it.
fn file_of_size(dir: &Path, size: usize) -> std::path::PathBuf {
    let head = "deployments: []\n#";
    let path = dir.join("huge.yaml");
    let mut text = String::with_capacity(size);
    text.push_str(head);
    text.push_str(&"x".repeat(size - head.len()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_file_over_10_mib_is_refused_before_parsing_naming_its_size_and_the_cap() {
    use langsmith_control_plane_plan::deployment_file::MAX_FILE_BYTES;
    assert_eq!(MAX_FILE_BYTES, 10 * 1024 * 1024);
    let dir = tempfile::tempdir().unwrap();
    let path = file_of_size(dir.path(), MAX_FILE_BYTES as usize + 1);
    let error = DesiredState::load(&path).unwrap_err();
    assert_eq!(error.file, path.display().to_string());
    let text = error.to_string();
    assert!(text.contains("huge.yaml"), "{text}");
    assert!(text.contains("10485761 bytes"), "the size: {text}");
    assert!(text.contains("10 MiB"), "the cap: {text}");
}

#[test]
fn a_file_of_exactly_10_mib_is_read() {
    use langsmith_control_plane_plan::deployment_file::MAX_FILE_BYTES;
    let dir = tempfile::tempdir().unwrap();
    let path = file_of_size(dir.path(), MAX_FILE_BYTES as usize);
    let desired = DesiredState::load(&path).unwrap();
    assert!(desired.deployments.is_empty());
}

#[cfg(unix)]
#[test]
fn an_endless_file_is_refused_after_reading_just_past_the_cap() {
    let error = DesiredState::load(Path::new("/dev/zero")).unwrap_err();
    assert!(
        error.to_string().contains("more than 10485760 bytes"),
        "{error}"
    );
}

#[test]
fn text_over_10_mib_is_refused_by_parse_too() {
    use langsmith_control_plane_plan::deployment_file::MAX_FILE_BYTES;
    let mut text = String::from("deployments: []\n#");
    text.push_str(&"x".repeat(MAX_FILE_BYTES as usize));
    let error = parse(&text).unwrap_err();
    assert!(error.to_string().contains("10 MiB"), "{error}");
}

#[test]
fn the_schema_is_strict_everywhere_it_names_keys() {
    let schema = DesiredState::json_schema();
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let entry = &schema["definitions"]["DeploymentSpec"];
    assert_eq!(
        entry["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    assert_eq!(
        schema["definitions"]["SourceConfigRequest"]["additionalProperties"],
        serde_json::Value::Bool(false)
    );
}

#[test]
fn an_empty_display_name_is_a_problem_at_its_line() {
    let text = "deployments:\n  - name: a\n    source: external_docker\n    display_name: ''\n";
    let found = lines(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("4:19: the display name must not be empty"),
        "{found:?}"
    );
    assert!(!found[0].contains("leave display_name out"), "{found:?}");
    assert_eq!(
        hints(text),
        ["4:19: leave display_name out to keep the current one"]
    );
    let named = "deployments:\n  - name: a\n    source: external_docker\n    display_name: Shop\n";
    let state = parse(named).unwrap();
    assert_eq!(
        state.deployments[0].spec.display_name.as_deref(),
        Some("Shop")
    );
    let schema = DesiredState::json_schema();
    let field = &schema["definitions"]["DeploymentSpec"]["properties"]["display_name"];
    assert!(field.to_string().contains("string"), "{field}");
}
