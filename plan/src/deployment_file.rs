//! The deployment file: the deployments a workspace should have, in YAML (or JSON), checked as a
//! whole before anything is sent, every problem reported with its line and column.
//!
//! ```yaml
//! # yaml-language-server: $schema=./deployments.schema.json
//! deployments:
//!   - name: support-agent
//!     source: github
//!     source_config:
//!       repo_url: https://github.com/acme/support-agent
//!       deployment_type: prod
//!     source_revision_config:
//!       repo_ref: main
//!       langgraph_config_path: langgraph.json
//!     env:
//!       LOG_LEVEL: info            # plain: shown in plans
//!     secrets:
//!       OPENAI_API_KEY: {from_env: OPENAI_API_KEY}   # read from the environment, never shown
//! ```
//!
//! Each entry uses the API's own field names (those of the create and patch request bodies);
//! `env` and `secrets` both travel in the API's `secrets` list. A `source: internal_source` entry
//! names its code with `source_dir` (relative to the file) instead of an uploaded archive path.
//! Writing `null` for a `source_config` field asks for it to be unset. `display_name` is set
//! after create and changed in place; left out, the current one stays (the service cannot
//! clear it), and an empty one is a problem.

mod check;
mod keys;
mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use langsmith_control_plane::types::{
    DeploymentSource, SecretReference, SourceConfigRequest, SourceRevisionConfigRequest,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use check::Check;

/// The deployment file as written; its JSON Schema is [`DesiredState::json_schema`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Deployment file",
    description = "The deployments a workspace should have (lscp plan / lscp apply)."
)]
pub struct DeploymentFileSpec {
    /// The deployments, each found in the workspace by its name.
    pub deployments: Vec<DeploymentSpec>,
}

/// One deployment as the file describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    /// Deployment name, unique in the workspace: how the deployment is found.
    pub name: String,
    /// Where the code or image comes from.
    pub source: DeploymentSource,
    /// The name shown in the UI (set after create; not empty). Left out, the current one stays:
    /// the service cannot clear it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Settings that hold across revisions (the API's `source_config`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub source_config: SourceConfigRequest,
    /// What revisions are built from (the API's `source_revision_config`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub source_revision_config: SourceRevisionConfigRequest,
    /// Variables filled from existing Kubernetes secrets (replaced whole when changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_references: Option<Vec<SecretReference>>,
    /// Plain environment variables, NAME: value. Shown in plans.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Secret environment variables, NAME: {from_env: VARIABLE}; the value is read from the
    /// environment when the file is loaded and never shown.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, SecretFrom>,
    /// For `source: internal_source`: the directory to upload, relative to the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_dir: Option<PathBuf>,
}

/// Where a secret's value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretFrom {
    /// The environment variable holding the value: letters, digits and `_`, not starting with
    /// a digit (anything else is refused unshown, as a value pasted by mistake).
    pub from_env: String,
}

/// The largest deployment file read, 10 MiB: parsing is far larger in memory and time than the
/// text, so a bigger file is refused before it is parsed.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Whether `name` is a variable name as shells write them: `[A-Za-z_][A-Za-z0-9_]*`. Anything
/// else given as a name is more likely a pasted value, and is refused without being shown.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A deployment file loaded and checked: the specs, with secret values read from the environment.
#[derive(Clone, Debug, Default)]
pub struct DesiredState {
    /// The deployments, in the file's order.
    pub deployments: Vec<DesiredDeployment>,
}

/// One deployment as it should be.
#[derive(Clone)]
pub struct DesiredDeployment {
    /// The entry as written (secret names and variables, never values).
    pub spec: DeploymentSpec,
    /// Secret values by secret name, read from the environment.
    pub(crate) secret_values: BTreeMap<String, String>,
    /// `source_config` fields written as `null`, by name (`custom_url`, `resource_spec.cpu`).
    pub(crate) cleared: Vec<String>,
    /// `source_dir` made absolute.
    pub(crate) source_dir: Option<PathBuf>,
}

impl fmt::Debug for DesiredDeployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesiredDeployment")
            .field("spec", &self.spec)
            .field(
                "secret_values",
                &format_args!("[{} redacted]", self.secret_values.len()),
            )
            .field("cleared", &self.cleared)
            .field("source_dir", &self.source_dir)
            .finish()
    }
}

impl DesiredDeployment {
    /// The `source_config` fields the file writes as `null` (asks to unset).
    pub fn cleared_fields(&self) -> &[String] {
        &self.cleared
    }
    /// The source directory, absolute (for `internal_source`).
    pub fn source_dir(&self) -> Option<&Path> {
        self.source_dir.as_deref()
    }
}

/// Why a deployment file cannot be used: every problem found, each with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeploymentFileError {
    /// The file as named by the caller (or `<input>`).
    pub file: String,
    /// The problems, in the order of the file.
    pub problems: Vec<Problem>,
}

impl std::error::Error for DeploymentFileError {}

impl fmt::Display for DeploymentFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "{} has {count} problem{}:",
            self.file,
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {}:{problem}", self.file)?;
        }
        Ok(())
    }
}

/// One problem in a deployment file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// Where in the document: `deployments[0].source_config.repo_url` (empty for the whole).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when the checker knows (e.g. the form a secret takes). Not part of
    /// the message nor of the `Display`, so that a caller says it once, apart.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl DesiredState {
    /// Reads and checks the file at `path`, reading secret values from the process environment.
    pub fn load(path: &Path) -> Result<Self, DeploymentFileError> {
        let shown = path.display().to_string();
        let text = read_capped(path).map_err(|message| DeploymentFileError {
            file: shown.clone(),
            problems: vec![whole_file(message)],
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, &shown, base, |name| std::env::var(name).ok())
    }

    /// Checks the YAML or JSON `text` (named `file` in problems); `source_dir`s are relative to
    /// `base_dir`, and `env` gives the environment variables secrets come from.
    pub fn parse(
        text: &str,
        file: &str,
        base_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, DeploymentFileError> {
        let fail = |problems| DeploymentFileError {
            file: file.to_string(),
            problems,
        };
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(fail(vec![whole_file(too_large(Some(text.len() as u64)))]));
        }
        let (value, places) = yaml::read(text).map_err(|p| fail(vec![p]))?;
        let schema = schema_document();
        let mut check = Check::new(&places);
        check.literal_secrets(&value);
        check.unknown_keys(&value, &schema);
        check.schema(&value, schema);
        let resolved = check.meaning(&value, base_dir, &env);
        let problems = check.into_problems();
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        let spec: DeploymentFileSpec =
            serde_json::from_value(value).map_err(|e| fail(vec![whole_file(e.to_string())]))?;
        let deployments = spec
            .deployments
            .into_iter()
            .zip(resolved)
            .map(|(spec, resolved)| DesiredDeployment {
                spec,
                secret_values: resolved.secret_values,
                cleared: resolved.cleared,
                source_dir: resolved.source_dir,
            })
            .collect();
        Ok(Self { deployments })
    }

    /// Checks a file built in code as [`parse`](Self::parse) checks text; problems are placed
    /// in its JSON rendering, named `<spec>`.
    pub fn from_spec(
        spec: &DeploymentFileSpec,
        base_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, DeploymentFileError> {
        // Only a path that is not UTF-8 (a `source_dir`) fails to encode.
        let text = serde_json::to_string_pretty(spec).map_err(|e| DeploymentFileError {
            file: "<spec>".into(),
            problems: vec![whole_file(format!("cannot be checked: {e}"))],
        })?;
        Self::parse(&text, "<spec>", base_dir, env)
    }

    /// The JSON Schema (draft-07) of the file, strict (unknown keys are errors), for editors:
    /// `lscp schema deployment-file > deployments.schema.json`, then start the file with
    /// `# yaml-language-server: $schema=./deployments.schema.json`.
    pub fn json_schema() -> Value {
        schema_document()
    }
}

/// The file's text, reading at most one byte past [`MAX_FILE_BYTES`] (a device or a pipe that
/// never ends is cut off there).
fn read_capped(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the file: {e}");
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(std::fs::metadata(path).ok().map(|m| m.len())));
    }
    String::from_utf8(bytes).map_err(|_| "cannot read the file: it is not UTF-8 text".into())
}

/// Why a file over the cap is refused; `size` when known (a regular file's length).
fn too_large(size: Option<u64>) -> String {
    let size = match size.filter(|size| *size > MAX_FILE_BYTES) {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {MAX_FILE_BYTES} bytes"),
    };
    format!(
        "the file is {size}, over the limit of {} MiB for a deployment file; it was not parsed",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// A problem with the file as a whole, placed at its start.
fn whole_file(message: String) -> Problem {
    Problem {
        line: 1,
        column: 1,
        path: String::new(),
        message,
        hint: None,
    }
}

/// The file's JSON Schema, strict: a key it does not name is an error.
fn schema_document() -> Value {
    let schema = schemars::schema_for!(DeploymentFileSpec);
    let mut schema = serde_json::to_value(schema).expect("a schema encodes as JSON");
    langsmith_control_plane_schema_kit::make_strict(&mut schema);
    schema
}
