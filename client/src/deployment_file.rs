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
//! Writing `null` for a `source_config` field asks for it to be unset.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::types::{
    DeploymentSource, SecretReference, SourceConfigRequest, SourceRevisionConfigRequest,
};

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
        let (value, places) = read_yaml(text).map_err(|p| fail(vec![p]))?;
        let mut check = Check {
            places: &places,
            problems: Vec::new(),
            reported: Vec::new(),
        };
        check.literal_secrets(&value);
        check.unknown_keys(&value, &schema_document());
        check.schema(&value);
        let resolved = check.meaning(&value, base_dir, &env);
        if !check.problems.is_empty() {
            let mut problems = check.problems;
            problems.sort_by_key(|p| (p.line, p.column));
            problems.dedup();
            return Err(fail(problems));
        }
        let spec: DeploymentFileSpec =
            serde_json::from_value(value).map_err(|e| fail(vec![whole_file(e.to_string())]))?;
        let deployments = spec
            .deployments
            .into_iter()
            .zip(resolved)
            .map(
                |(spec, (secret_values, cleared, source_dir))| DesiredDeployment {
                    spec,
                    secret_values,
                    cleared,
                    source_dir,
                },
            )
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
    }
}

fn schema_document() -> Value {
    let schema = schemars::schema_for!(DeploymentFileSpec);
    let mut schema = serde_json::to_value(schema).expect("a schema encodes as JSON");
    make_strict(&mut schema);
    schema
}

/// Forbids keys a schema does not name, in every object schema that lists its properties.
pub(crate) fn make_strict(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.contains_key("properties") && !object.contains_key("additionalProperties") {
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
    for key in ["properties", "definitions"] {
        if let Some(Value::Object(members)) = object.get_mut(key) {
            members.values_mut().for_each(make_strict);
        }
    }
    for key in ["items", "additionalProperties", "anyOf", "allOf", "oneOf"] {
        match object.get_mut(key) {
            Some(Value::Array(schemas)) => schemas.iter_mut().for_each(make_strict),
            Some(other) => make_strict(other),
            None => {}
        }
    }
}

/// Where each node is: by JSON pointer, the (line, column) of its key and of its value.
#[derive(Default)]
struct Places {
    keys: HashMap<String, (usize, usize)>,
    values: HashMap<String, (usize, usize)>,
}

impl Places {
    /// The value's place, else its key's, else that of the nearest enclosing node.
    fn of_value(&self, pointer: &str) -> (usize, usize) {
        self.find(pointer, &self.values)
    }
    /// The key's place, else the value's.
    fn of_key(&self, pointer: &str) -> (usize, usize) {
        self.find(pointer, &self.keys)
    }
    fn find(&self, pointer: &str, first: &HashMap<String, (usize, usize)>) -> (usize, usize) {
        let mut pointer = pointer;
        loop {
            if let Some(place) = first
                .get(pointer)
                .or_else(|| self.values.get(pointer))
                .or_else(|| self.keys.get(pointer))
            {
                return *place;
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => return (1, 1),
            }
        }
    }
}

fn place(node: &MarkedYamlOwned) -> (usize, usize) {
    (node.span.start.line(), node.span.start.col() + 1)
}

/// The single YAML (or JSON) document as JSON, with the place of every node.
fn read_yaml(text: &str) -> Result<(Value, Places), Problem> {
    let documents = MarkedYamlOwned::load_from_str(text).map_err(|e| Problem {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        path: String::new(),
        message: format!("not valid YAML or JSON: {}", e.info()),
    })?;
    let mut documents = documents.into_iter();
    let (Some(document), None) = (documents.next(), documents.next()) else {
        return Err(whole_file(
            "expected one document with a top-level `deployments:` list".into(),
        ));
    };
    let mut places = Places::default();
    let value = to_json(&document, "", &mut places)?;
    Ok((value, places))
}

fn to_json(node: &MarkedYamlOwned, pointer: &str, places: &mut Places) -> Result<Value, Problem> {
    let at = place(node);
    places.values.insert(pointer.to_string(), at);
    let problem = |message: String| Problem {
        line: at.0,
        column: at.1,
        path: dotted(pointer),
        message,
    };
    Ok(match &node.data {
        YamlDataOwned::Value(scalar) => scalar_json(scalar).ok_or_else(|| {
            problem("a number that is not finite (.nan, .inf) is not a valid value".into())
        })?,
        YamlDataOwned::Representation(text, ..) => Value::String(text.clone()),
        YamlDataOwned::Tagged(_, inner) => to_json(inner, pointer, places)?,
        YamlDataOwned::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{pointer}/{i}"), places))
                .collect::<Result<_, _>>()?,
        ),
        YamlDataOwned::Mapping(members) => {
            let mut object = Map::new();
            for (key, value) in members {
                let name = match &key.data {
                    YamlDataOwned::Value(ScalarOwned::String(s)) => s.clone(),
                    YamlDataOwned::Value(scalar) => match scalar_json(scalar) {
                        Some(Value::Null) | None => {
                            return Err(problem("a key must be a name".into()));
                        }
                        Some(other) => other.to_string(),
                    },
                    YamlDataOwned::Representation(text, ..) => text.clone(),
                    _ => return Err(problem("a key must be a name".into())),
                };
                let member = format!("{pointer}/{}", escape(&name));
                places.keys.insert(member.clone(), place(key));
                let value = to_json(value, &member, places)?;
                object.insert(name, value);
            }
            Value::Object(object)
        }
        YamlDataOwned::Alias(_) => return Err(problem("aliases (*name) are not supported".into())),
        YamlDataOwned::BadValue => return Err(problem("this value cannot be read".into())),
    })
}

fn scalar_json(scalar: &ScalarOwned) -> Option<Value> {
    Some(match scalar {
        ScalarOwned::Null => Value::Null,
        ScalarOwned::Boolean(b) => Value::Bool(*b),
        ScalarOwned::Integer(i) => Value::from(*i),
        ScalarOwned::FloatingPoint(f) => Value::from(serde_json::Number::from_f64(f.into_inner())?),
        ScalarOwned::String(s) => Value::String(s.clone()),
    })
}

/// A JSON pointer token.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `/deployments/0/source_config` as `deployments[0].source_config`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// The problems found so far, and the subtrees already reported (no second complaint there).
struct Check<'a> {
    places: &'a Places,
    problems: Vec<Problem>,
    reported: Vec<String>,
}

type Resolved = (BTreeMap<String, String>, Vec<String>, Option<PathBuf>);

impl Check<'_> {
    fn at_value(&mut self, pointer: &str, message: String) {
        let (line, column) = self.places.of_value(pointer);
        self.push(line, column, pointer, message);
    }
    fn at_key(&mut self, pointer: &str, message: String) {
        let (line, column) = self.places.of_key(pointer);
        self.push(line, column, pointer, message);
    }
    fn push(&mut self, line: usize, column: usize, pointer: &str, message: String) {
        self.problems.push(Problem {
            line,
            column,
            path: dotted(pointer),
            message,
        });
        self.reported.push(pointer.to_string());
    }
    fn already_reported(&self, pointer: &str) -> bool {
        self.reported
            .iter()
            .any(|r| pointer == r || pointer.starts_with(&format!("{r}/")))
    }

    /// Secrets written with their value instead of `{from_env: VARIABLE}`.
    fn literal_secrets(&mut self, value: &Value) {
        for (i, entry) in entries(value) {
            let Some(Value::Object(secrets)) = entry.get("secrets") else {
                continue;
            };
            for (name, secret) in secrets {
                if matches!(secret, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                    self.at_value(
                        &format!("/deployments/{i}/secrets/{}", escape(name)),
                        format!(
                            "secret {name} has its value written in the file; secret values \
                             come from the environment: `{name}: {{from_env: VARIABLE}}` (or \
                             move it to `env` if it is not secret)"
                        ),
                    );
                }
            }
        }
    }

    /// Keys the schema does not name, each with the nearest valid key.
    fn unknown_keys(&mut self, value: &Value, root: &Value) {
        let mut stack = vec![(String::new(), value, root)];
        while let Some((pointer, value, schema)) = stack.pop() {
            match value {
                Value::Object(members) => {
                    let allowed = allowed_keys(schema, root);
                    for (key, member) in members {
                        let member_pointer = format!("{pointer}/{}", escape(key));
                        match child_schema(schema, root, key) {
                            Some(child) => stack.push((member_pointer, member, child)),
                            None => {
                                if let Some(allowed) = &allowed {
                                    let message = unknown_key_message(key, allowed);
                                    self.at_key(&member_pointer, message);
                                }
                            }
                        }
                    }
                }
                Value::Array(items) => {
                    if let Some(item_schema) = items_schema(schema, root) {
                        for (i, item) in items.iter().enumerate() {
                            stack.push((format!("{pointer}/{i}"), item, item_schema));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Types, allowed values and required keys, by the JSON Schema.
    fn schema(&mut self, value: &Value) {
        let location = "https://lscp.invalid/schemas/deployment-file.json";
        let mut compiler = boon::Compiler::new();
        let mut schemas = boon::Schemas::new();
        let compiled = match compiler.add_resource(location, schema_document()) {
            Ok(()) => compiler.compile(location, &mut schemas),
            Err(e) => Err(e),
        };
        let index = match compiled {
            Ok(index) => index,
            Err(e) => {
                self.at_value("", format!("the file's schema does not compile: {e}"));
                return;
            }
        };
        let Err(error) = schemas.validate(value, index) else {
            return;
        };
        let mut leaves = Vec::new();
        collect_leaves(&error, &mut leaves);
        let useful: Vec<_> = leaves
            .iter()
            .filter(|(_, message)| !message.contains("want null, but got"))
            .collect();
        let chosen = if useful.is_empty() {
            leaves.iter().collect()
        } else {
            useful
        };
        for (pointer, message) in chosen {
            if !self.already_reported(pointer) {
                self.at_value(pointer, message.clone());
            }
        }
    }

    /// What the schema cannot say: unique names, secrets from set variables, reserved names,
    /// `source_dir` for uploaded source only, and `null` fields. Returns, per entry, the secret
    /// values, the fields to unset and the absolute source directory.
    fn meaning(
        &mut self,
        value: &Value,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Resolved> {
        let mut resolved = Vec::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, entry) in entries(value) {
            let at = |field: &str| format!("/deployments/{i}/{field}");
            if let Some(name) = entry.get("name").and_then(Value::as_str) {
                if name.trim().is_empty() {
                    self.at_value(&at("name"), "the name must not be empty".into());
                } else if let Some(first) = names.insert(name, i) {
                    let (line, _) = self.places.of_value(&format!("/deployments/{first}/name"));
                    self.at_value(
                        &at("name"),
                        format!("the name {name:?} is taken by deployments[{first}] (line {line})"),
                    );
                }
            }
            let mut secret_values = BTreeMap::new();
            let env_names: Vec<&String> = entry
                .get("env")
                .and_then(Value::as_object)
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            for name in &env_names {
                self.reserved(&at(&format!("env/{}", escape(name))), name);
            }
            if let Some(Value::Object(secrets)) = entry.get("secrets") {
                for (name, secret) in secrets {
                    let pointer = at(&format!("secrets/{}", escape(name)));
                    self.reserved(&pointer, name);
                    if env_names.contains(&name) {
                        self.at_key(
                            &pointer,
                            format!("{name} is both in env and in secrets; keep one"),
                        );
                    }
                    let Some(variable) = secret.get("from_env").and_then(Value::as_str) else {
                        continue;
                    };
                    // A pasted value is neither looked up nor shown.
                    if !is_variable_name(variable) {
                        self.at_value(
                            &format!("{pointer}/from_env"),
                            format!(
                                "the value given for {name} does not look like a variable name \
                                 ([A-Za-z_][A-Za-z0-9_]*): write `{name}: {{from_env: VARIABLE}}`"
                            ),
                        );
                        continue;
                    }
                    match env(variable) {
                        Some(value) => {
                            secret_values.insert(name.clone(), value);
                        }
                        None => self.at_value(
                            &format!("{pointer}/from_env"),
                            format!(
                                "the environment variable {variable} (for secret {name}) is not set"
                            ),
                        ),
                    }
                }
            }
            let source = entry.get("source").and_then(Value::as_str);
            let source_dir = match entry.get("source_dir") {
                Some(Value::String(dir)) if source != Some("internal_source") => {
                    self.at_key(
                        &at("source_dir"),
                        format!("source_dir {dir:?} is for `source: internal_source` only"),
                    );
                    None
                }
                Some(Value::String(dir)) => {
                    let path = base_dir.join(dir);
                    if path.is_dir() {
                        Some(path.canonicalize().unwrap_or(path))
                    } else {
                        self.at_value(
                            &at("source_dir"),
                            format!("source_dir {} is not a directory", path.display()),
                        );
                        None
                    }
                }
                _ => {
                    if source == Some("internal_source") {
                        self.at_value(
                            &at("source"),
                            "`source: internal_source` needs `source_dir`, the directory to upload"
                                .into(),
                        );
                    }
                    None
                }
            };
            let mut cleared = Vec::new();
            if let Some(Value::Object(config)) = entry.get("source_config") {
                for (key, field) in config {
                    if field.is_null() {
                        cleared.push(key.clone());
                    }
                }
                if let Some(Value::Object(spec)) = config.get("resource_spec") {
                    for (key, field) in spec {
                        if field.is_null() {
                            cleared.push(format!("resource_spec.{key}"));
                        }
                    }
                }
            }
            resolved.push((secret_values, cleared, source_dir));
        }
        resolved
    }

    fn reserved(&mut self, pointer: &str, name: &str) {
        if crate::deploy::RESERVED_SECRETS.contains(&name) {
            self.at_key(
                pointer,
                format!("{name} is set by the service itself and cannot be given"),
            );
        }
    }
}

/// The entries of the `deployments` list, with their index.
fn entries(value: &Value) -> impl Iterator<Item = (usize, &Map<String, Value>)> {
    value
        .get("deployments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, entry)| entry.as_object().map(|o| (i, o)))
}

fn unknown_key_message(key: &str, allowed: &[String]) -> String {
    let nearest = allowed
        .iter()
        .min_by_key(|candidate| strsim::levenshtein(key, candidate));
    match nearest {
        Some(nearest) => format!("unknown key `{key}`; the nearest valid key is `{nearest}`"),
        None => format!("unknown key `{key}`; no key is valid here"),
    }
}

/// The schema a `$ref` points at (only local `#/definitions/...` references occur).
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference.strip_prefix('#') {
                Some(pointer) => match root.pointer(pointer) {
                    Some(target) => schema = target,
                    None => return schema,
                },
                None => return schema,
            },
            None => return schema,
        }
    }
    schema
}

/// The schema itself and the branches of its `allOf`, `anyOf` and `oneOf`, references resolved.
fn branches<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let schema = resolve(schema, root);
    let mut all = vec![schema];
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for part in parts {
                all.extend(branches(part, root));
            }
        }
    }
    all
}

/// The keys an object schema names; `None` when it takes any key (a map).
fn allowed_keys(schema: &Value, root: &Value) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let mut named = false;
    for branch in branches(schema, root) {
        if let Some(Value::Object(properties)) = branch.get("properties") {
            named = true;
            keys.extend(properties.keys().cloned());
        }
        if branch
            .get("additionalProperties")
            .is_some_and(|extra| extra.is_object() || *extra == Value::Bool(true))
        {
            return None;
        }
    }
    named.then_some(keys)
}

/// The schema of member `key`: a named property, or the map's value schema.
fn child_schema<'a>(schema: &'a Value, root: &'a Value, key: &str) -> Option<&'a Value> {
    let all = branches(schema, root);
    all.iter()
        .find_map(|branch| branch.get("properties").and_then(|p| p.get(key)))
        .or_else(|| {
            all.iter()
                .find_map(|branch| branch.get("additionalProperties").filter(|e| e.is_object()))
        })
}

fn items_schema<'a>(schema: &'a Value, root: &'a Value) -> Option<&'a Value> {
    branches(schema, root)
        .into_iter()
        .find_map(|branch| branch.get("items").filter(|i| i.is_object()))
}

/// Each leaf of boon's error tree (the actual problems) as (instance pointer, message); unknown
/// keys are left out, as [`Check::unknown_keys`] reports them with a suggestion.
fn collect_leaves(error: &boon::ValidationError<'_, '_>, out: &mut Vec<(String, String)>) {
    if error.causes.is_empty() {
        if !matches!(error.kind, boon::ErrorKind::AdditionalProperties { .. }) {
            out.push((error.instance_location.to_string(), error.kind.to_string()));
        }
        return;
    }
    for cause in &error.causes {
        collect_leaves(cause, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_dotted_paths() {
        assert_eq!(
            dotted("/deployments/0/secrets/A~1B"),
            "deployments[0].secrets.A/B"
        );
        assert_eq!(dotted(""), "");
    }

    #[test]
    fn the_schema_is_strict_everywhere_it_names_keys() {
        let schema = DesiredState::json_schema();
        assert_eq!(schema["additionalProperties"], Value::Bool(false));
        let entry = &schema["definitions"]["DeploymentSpec"];
        assert_eq!(entry["additionalProperties"], Value::Bool(false));
        assert_eq!(
            schema["definitions"]["SourceConfigRequest"]["additionalProperties"],
            Value::Bool(false)
        );
    }
}
