//! The checks of a deployment file: secrets written in it, unknown keys, the JSON Schema, and
//! what the schema cannot say. Every problem is collected, each with its place.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use langsmith_control_plane::deploy::RESERVED_SECRETS;
use langsmith_control_plane_schema_kit::{Validator, boon, leaves, without_null_alternatives};
use serde_json::{Map, Value};

use super::keys::{allowed_keys, child_schema, items_schema, unknown_key_message};
use super::yaml::{Places, dotted, escape};
use super::{Problem, is_variable_name};

/// Where the file's schema is registered for boon; never fetched.
const SCHEMA_LOCATION: &str = "https://lscp.invalid/schemas/deployment-file.json";

/// The problems found so far, and the subtrees already reported (no second complaint there).
pub(super) struct Check<'a> {
    places: &'a Places,
    problems: Vec<Problem>,
    reported: Vec<String>,
}

/// What one entry resolves to beyond its spec.
pub(super) struct Resolved {
    /// Secret values by secret name, read from the environment.
    pub(super) secret_values: BTreeMap<String, String>,
    /// `source_config` fields written as `null`.
    pub(super) cleared: Vec<String>,
    /// `source_dir`, absolute.
    pub(super) source_dir: Option<PathBuf>,
}

impl<'a> Check<'a> {
    pub(super) fn new(places: &'a Places) -> Self {
        Self {
            places,
            problems: Vec::new(),
            reported: Vec::new(),
        }
    }

    /// The problems, in the order of the file, each once.
    pub(super) fn into_problems(self) -> Vec<Problem> {
        let mut problems = self.problems;
        problems.sort_by_key(|p| (p.line, p.column));
        problems.dedup();
        problems
    }

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
            hint: None,
        });
        self.reported.push(pointer.to_string());
    }
    /// Gives the problem just reported what to do about it.
    fn advise(&mut self, hint: String) {
        if let Some(problem) = self.problems.last_mut() {
            problem.hint = Some(hint);
        }
    }
    fn already_reported(&self, pointer: &str) -> bool {
        self.reported
            .iter()
            .any(|r| pointer == r || pointer.starts_with(&format!("{r}/")))
    }

    /// Secrets written with their value instead of `{from_env: VARIABLE}`.
    pub(super) fn literal_secrets(&mut self, value: &Value) {
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
                             come from the environment"
                        ),
                    );
                    self.advise(format!(
                        "write `{name}: {{from_env: VARIABLE}}` (or move it to `env` if it is \
                         not secret)"
                    ));
                }
            }
        }
    }

    /// Keys the schema does not name, each with the nearest valid key.
    pub(super) fn unknown_keys(&mut self, value: &Value, root: &Value) {
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

    /// Types, allowed values and required keys, by the JSON Schema `schema`.
    pub(super) fn schema(&mut self, value: &Value, schema: Value) {
        let validator = match Validator::new(SCHEMA_LOCATION, schema) {
            Ok(validator) => validator,
            Err(e) => {
                self.at_value("", format!("the file's schema does not compile: {e}"));
                return;
            }
        };
        let Err(error) = validator.validate(value) else {
            return;
        };
        // Unknown keys are left out: `unknown_keys` reports them with a suggestion.
        let problems: Vec<_> = leaves(&error)
            .into_iter()
            .filter(|leaf| !matches!(leaf.kind, boon::ErrorKind::AdditionalProperties { .. }))
            .collect();
        for leaf in without_null_alternatives(problems) {
            let pointer = leaf.instance_location.to_string();
            if !self.already_reported(&pointer) {
                self.at_value(&pointer, leaf.kind.to_string());
            }
        }
    }

    /// What the schema cannot say: unique names, secrets from set variables, reserved names,
    /// `source_dir` for uploaded source only, and `null` fields. Returns, per entry, the secret
    /// values, the fields to unset and the absolute source directory.
    pub(super) fn meaning(
        &mut self,
        value: &Value,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Resolved> {
        let mut resolved = Vec::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, entry) in entries(value) {
            self.unique_name(i, entry, &mut names);
            self.display_name(i, entry);
            resolved.push(Resolved {
                secret_values: self.secret_values(i, entry, env),
                source_dir: self.source_dir(i, entry, base_dir),
                cleared: cleared(entry),
            });
        }
        resolved
    }

    /// A name that is empty, or that an earlier entry has.
    fn unique_name<'v>(
        &mut self,
        i: usize,
        entry: &'v Map<String, Value>,
        names: &mut HashMap<&'v str, usize>,
    ) {
        let Some(name) = entry.get("name").and_then(Value::as_str) else {
            return;
        };
        let pointer = format!("/deployments/{i}/name");
        if name.trim().is_empty() {
            self.at_value(&pointer, "the name must not be empty".into());
        } else if let Some(first) = names.insert(name, i) {
            let (line, _) = self.places.of_value(&format!("/deployments/{first}/name"));
            self.at_value(
                &pointer,
                format!("the name {name:?} is taken by deployments[{first}] (line {line})"),
            );
        }
    }

    /// A display name that is empty: the service refuses it, and cannot clear one.
    fn display_name(&mut self, i: usize, entry: &Map<String, Value>) {
        let Some(name) = entry.get("display_name").and_then(Value::as_str) else {
            return;
        };
        if name.is_empty() {
            let message = "the display name must not be empty (the service refuses an empty \
                           one and cannot clear a display name)";
            self.at_value(&format!("/deployments/{i}/display_name"), message.into());
            self.advise("leave display_name out to keep the current one".into());
        }
    }

    /// The entry's secret values, read from the environment; reserved names, names in both
    /// `env` and `secrets`, and variables that are unset or not variable names are problems.
    fn secret_values(
        &mut self,
        i: usize,
        entry: &Map<String, Value>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> BTreeMap<String, String> {
        let mut secret_values = BTreeMap::new();
        let env_names: Vec<&String> = entry
            .get("env")
            .and_then(Value::as_object)
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        for name in &env_names {
            self.reserved(&format!("/deployments/{i}/env/{}", escape(name)), name);
        }
        let Some(Value::Object(secrets)) = entry.get("secrets") else {
            return secret_values;
        };
        for (name, secret) in secrets {
            let pointer = format!("/deployments/{i}/secrets/{}", escape(name));
            self.reserved(&pointer, name);
            if env_names.contains(&name) {
                let message = format!("{name} is both in env and in secrets");
                self.at_key(&pointer, message);
                self.advise("keep one of them".into());
            }
            let Some(variable) = secret.get("from_env").and_then(Value::as_str) else {
                continue;
            };
            if let Some(value) = self.secret_value(&pointer, name, variable, env) {
                secret_values.insert(name.clone(), value);
            }
        }
        secret_values
    }

    /// The value of secret `name` from the environment variable `variable`.
    fn secret_value(
        &mut self,
        pointer: &str,
        name: &str,
        variable: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let at = format!("{pointer}/from_env");
        // A pasted value is neither looked up nor shown.
        if !is_variable_name(variable) {
            self.at_value(
                &at,
                format!(
                    "the value given for {name} does not look like a variable name \
                     ([A-Za-z_][A-Za-z0-9_]*)"
                ),
            );
            self.advise(format!("write `{name}: {{from_env: VARIABLE}}`"));
            return None;
        }
        let value = env(variable);
        if value.is_none() {
            self.at_value(
                &at,
                format!("the environment variable {variable} (for secret {name}) is not set"),
            );
        }
        value
    }

    /// `source_dir`, made absolute: for `internal_source` only, which needs it, and an existing
    /// directory relative to `base_dir`.
    fn source_dir(
        &mut self,
        i: usize,
        entry: &Map<String, Value>,
        base_dir: &Path,
    ) -> Option<PathBuf> {
        let source = entry.get("source").and_then(Value::as_str);
        let uploaded = source == Some("internal_source");
        match entry.get("source_dir") {
            Some(Value::String(dir)) if !uploaded => {
                self.at_key(
                    &format!("/deployments/{i}/source_dir"),
                    format!("source_dir {dir:?} is for `source: internal_source` only"),
                );
                None
            }
            Some(Value::String(dir)) => {
                let path = base_dir.join(dir);
                if path.is_dir() {
                    return Some(path.canonicalize().unwrap_or(path));
                }
                self.at_value(
                    &format!("/deployments/{i}/source_dir"),
                    format!("source_dir {} is not a directory", path.display()),
                );
                None
            }
            _ => {
                if uploaded {
                    self.at_value(
                        &format!("/deployments/{i}/source"),
                        "`source: internal_source` needs `source_dir`, the directory to upload"
                            .into(),
                    );
                }
                None
            }
        }
    }

    fn reserved(&mut self, pointer: &str, name: &str) {
        if RESERVED_SECRETS.contains(&name) {
            self.at_key(
                pointer,
                format!("{name} is set by the service itself and cannot be given"),
            );
        }
    }
}

/// The `source_config` fields written as `null`, by name (`custom_url`, `resource_spec.cpu`).
fn cleared(entry: &Map<String, Value>) -> Vec<String> {
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
    cleared
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
