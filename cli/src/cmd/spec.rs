//! Request bodies from files: the JSON Schema of each request type (`lscp schema`), and reading a
//! spec file checked against that schema before anything is sent. `lscp schema deploy-event`
//! and `lscp schema apply-event` print the schemas of the lines `lscp -o json deploy` and
//! `lscp -o json apply` write.

use std::io::Read;
use std::path::Path;

use clap::{Args, ValueEnum};
use langsmith_control_plane::types;
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::Plan;
use langsmith_control_plane_schema_kit::boon::ValidationError;
use langsmith_control_plane_schema_kit::{
    Validator, leaves, make_strict, without_null_alternatives,
};
use schemars::schema_for;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exit::{Exit, Failure};

/// `lscp schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The request type. Its schema is strict: fields it does not name are errors, which catches
    /// typos in spec files (the service itself would ignore them). `deploy-event`: a line of
    /// `lscp -o json deploy`; `apply-event`: a line of `lscp -o json apply`
    #[arg(value_enum, ignore_case = true, value_name = "TYPE")]
    pub type_name: RequestType,
}

/// The request bodies whose schema `lscp schema` prints, and two outputs: the deploy and apply
/// event lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "verbatim")]
#[allow(clippy::enum_variant_names)] // the API's type names, which users type
pub enum RequestType {
    /// `lscp deployment create --file`
    DeploymentCreateRequest,
    /// `lscp deployment update --file`
    DeploymentPatchRequest,
    /// Registers a listener
    ListenerCreateRequest,
    /// Changes a listener
    ListenerPatchRequest,
    /// Creates an agent connection
    CreateAgentConnectionRequest,
    /// Starts an authentication
    AuthAuthenticateRequest,
    /// Creates an OAuth provider
    OAuthProviderCreateRequest,
    /// Changes an OAuth provider
    OAuthProviderUpdateRequest,
    /// Finalizes an OAuth flow
    OAuthFinalizeRequest,
    /// Changes an OAuth token
    OAuthTokenUpdateRequest,
    /// Creates an MCP OAuth provider
    McpoAuthProviderCreateRequest,
    /// The deployment file of `lscp plan` and `lscp apply`
    #[value(name = "deployment-file")]
    DeploymentFile,
    /// What `lscp plan -o json` prints
    #[value(name = "plan")]
    Plan,
    /// A line of `lscp -o json deploy` (output, not a request)
    #[value(name = "deploy-event")]
    DeployEvent,
    /// A line of `lscp -o json apply` (output, not a request)
    #[value(name = "apply-event")]
    ApplyEvent,
}

impl RequestType {
    /// The strict JSON Schema (draft-07) of this request body (of an event line: not strict).
    pub fn schema(self) -> Value {
        let root = match self {
            Self::DeploymentCreateRequest => schema_for!(types::DeploymentCreateRequest),
            Self::DeploymentPatchRequest => schema_for!(types::DeploymentPatchRequest),
            Self::ListenerCreateRequest => schema_for!(types::ListenerCreateRequest),
            Self::ListenerPatchRequest => schema_for!(types::ListenerPatchRequest),
            Self::CreateAgentConnectionRequest => {
                schema_for!(types::CreateAgentConnectionRequest)
            }
            Self::AuthAuthenticateRequest => schema_for!(types::AuthAuthenticateRequest),
            Self::OAuthProviderCreateRequest => schema_for!(types::OAuthProviderCreateRequest),
            Self::OAuthProviderUpdateRequest => schema_for!(types::OAuthProviderUpdateRequest),
            Self::OAuthFinalizeRequest => schema_for!(types::OAuthFinalizeRequest),
            Self::OAuthTokenUpdateRequest => schema_for!(types::OAuthTokenUpdateRequest),
            Self::McpoAuthProviderCreateRequest => {
                schema_for!(types::McpoAuthProviderCreateRequest)
            }
            Self::DeploymentFile => return DesiredState::json_schema(),
            Self::Plan => return Plan::json_schema(),
            // Output lines may gain fields in later versions: not strict.
            Self::DeployEvent => {
                let root = schema_for!(crate::deploy_report::EventLine);
                return serde_json::to_value(root).expect("a schema always encodes as JSON");
            }
            Self::ApplyEvent => {
                let root = schema_for!(crate::apply_report::ApplyLine<'static>);
                return serde_json::to_value(root).expect("a schema always encodes as JSON");
            }
        };
        let mut schema = serde_json::to_value(root).expect("a schema always encodes as JSON");
        make_strict(&mut schema);
        schema
    }

    fn name(self) -> String {
        self.to_possible_value()
            .map(|value| value.get_name().to_string())
            .unwrap_or_default()
    }
}

/// `lscp schema <TYPE>`: the schema, indented, on stdout.
pub fn print_schema(args: &SchemaArgs) -> Result<Exit, Failure> {
    let text = serde_json::to_string_pretty(&args.type_name.schema())
        .map_err(|e| Failure::error(format!("could not encode the schema: {e}")))?;
    crate::output::line(&text)?;
    Ok(Exit::Success)
}

/// Reads a request body from `path` (`-` for stdin), checks it against the schema of `kind`, and
/// decodes it. Every failure is a usage error naming the file and, for schema violations, the
/// JSON path of each problem.
pub fn read_request<T: DeserializeOwned>(path: &Path, kind: RequestType) -> Result<T, Failure> {
    let shown = path.display();
    let text = read_text(path)
        .map_err(|e| Failure::usage(format!("cannot read spec file {shown}: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "spec file {shown} is not valid JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let problems = validate(kind, &value)?;
    if !problems.is_empty() {
        return Err(Failure::usage(format!(
            "spec file {shown} does not match the {} schema:\n  {}",
            kind.name(),
            problems.join("\n  ")
        ))
        .hint(format!("`lscp schema {}` prints the schema", kind.name())));
    }
    serde_json::from_value(value)
        .map_err(|e| Failure::usage(format!("spec file {shown} cannot be used: {e}")))
}

fn read_text(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// The schema violations of `value`, one line each: `at /json/path: what is wrong`.
fn validate(kind: RequestType, value: &Value) -> Result<Vec<String>, Failure> {
    let location = format!("https://lscp.invalid/schemas/{}.json", kind.name());
    let validator = Validator::new(&location, kind.schema())
        .map_err(|e| Failure::error(format!("the {} schema does not compile: {e}", kind.name())))?;
    Ok(match validator.validate(value) {
        Ok(()) => Vec::new(),
        Err(error) => describe(&error),
    })
}

/// The leaves of boon's error tree, which name the actual problems, one line each. An `anyOf`
/// between a type and `null` (how optional fields are written) fails on both branches; the
/// `null` branch's complaint says nothing useful, so it is dropped when there is another.
fn describe(error: &ValidationError<'_, '_>) -> Vec<String> {
    let mut lines: Vec<String> = without_null_alternatives(leaves(error))
        .iter()
        .map(|leaf| {
            let path = leaf.instance_location.to_string();
            let path = if path.is_empty() {
                "/".to_string()
            } else {
                path
            };
            format!("at {path}: {}", leaf.kind)
        })
        .collect();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_request_schema_compiles_and_is_strict() {
        let requests = RequestType::value_variants()
            .iter()
            .filter(|kind| ![RequestType::DeployEvent, RequestType::ApplyEvent].contains(kind));
        for kind in requests {
            let schema = kind.schema();
            assert_eq!(schema["additionalProperties"], json!(false), "{kind:?}");
            validate(*kind, &json!({})).expect("compiles");
        }
    }

    #[test]
    fn the_deploy_event_schema_accepts_each_kind_of_line_and_refuses_a_wrong_one() {
        use crate::deploy_report::{EventLine, Outcome, ResultLine};
        let id = uuid::Uuid::nil();
        let lines = [
            EventLine::Step {
                message: "found deployment".into(),
            },
            EventLine::UploadProgress {
                sent_bytes: 1,
                total_bytes: 2,
            },
            EventLine::StatusChange {
                revision_id: id,
                status: "BUILDING".into(),
                elapsed_seconds: 1.5,
            },
            EventLine::Log {
                log_type: "build".into(),
                entry: serde_json::Map::new(),
            },
            EventLine::Heartbeat {
                elapsed_seconds: 30.0,
            },
            EventLine::StatusUrl { url: "u".into() },
            EventLine::Result(ResultLine {
                outcome: Outcome::Started,
                deployment_id: id,
                deployment_name: "agent".into(),
                revision_id: id,
                status: None,
                status_url: "u".into(),
                waited_seconds: None,
                failure_log: Vec::new(),
            }),
        ];
        for line in &lines {
            let value = serde_json::to_value(line).unwrap();
            assert!(
                validate(RequestType::DeployEvent, &value)
                    .unwrap()
                    .is_empty(),
                "{value}"
            );
        }
        let wrong = json!({"event": "result", "outcome": "exploded"});
        assert!(
            !validate(RequestType::DeployEvent, &wrong)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn problems_name_their_json_path() {
        let problems = validate(
            RequestType::DeploymentCreateRequest,
            &json!({"name": "x", "secrets": [], "source": "github",
                    "source_config": {"repo_url": 5}, "source_revision_config": {}}),
        )
        .unwrap();
        assert_eq!(
            problems,
            ["at /source_config/repo_url: want null or string, but got number"]
        );
    }
}
