//! `lscp deployment ...`: list, get, create, update, delete.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use langsmith_control_plane::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, DeploymentSource,
    DeploymentStatus, DeploymentType, Secret, Sensitive, SourceConfigRequest,
    SourceRevisionConfigRequest,
};
use uuid::Uuid;

use crate::cmd::spec::{RequestType, read_request};
use crate::cmd::wait::WaitFlag;
use crate::exit::{Exit, Failure};
use crate::global::Context;
use crate::output::{self, Output, OutputFormat, or_dash};
use crate::values::{Paging, one_of, uuid};

/// `lscp deployment`.
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// List the workspace's deployments, newest first
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show one deployment
    Get {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
    },
    /// Create a deployment (and its first revision) from a spec file or from flags
    Create(CreateArgs),
    /// Change a deployment; a new ref, image, config path, secrets or sizing start a new revision
    Update(UpdateArgs),
    /// Delete a deployment
    #[command(visible_alias = "rm")]
    Delete {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
        /// Delete its tracing project too
        #[arg(long)]
        delete_tracing_project: bool,
    },
    /// Delete every deployment whose name starts with a prefix (preview deployments), in bulk
    Prune(crate::cmd::prune::PruneArgs),
}

/// `lscp deployment list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only deployments whose name contains this text
    #[arg(long, value_name = "TEXT")]
    name_contains: Option<String>,
    /// Only deployments in this status
    #[arg(long, ignore_case = true, value_parser = one_of(DeploymentStatus::KNOWN, DeploymentStatus::as_str))]
    status: Option<DeploymentStatus>,
    #[command(flatten)]
    paging: Paging,
}

/// `lscp deployment create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Read the request from this JSON file (`-` for stdin), checked against
    /// `lscp schema DeploymentCreateRequest`; the flags below override its fields
    #[arg(long, short = 'f', value_name = "PATH")]
    file: Option<PathBuf>,
    /// Deployment name, unique in the workspace
    #[arg(long)]
    name: Option<String>,
    /// Where the code comes from [default: external_docker with --image, github otherwise]
    #[arg(long, ignore_case = true, value_parser = one_of(DeploymentSource::KNOWN, DeploymentSource::as_str))]
    source: Option<DeploymentSource>,
    #[command(flatten)]
    change: ChangeFlags,
}

/// `lscp deployment update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The deployment
    #[arg(value_parser = uuid)]
    deployment_id: Uuid,
    /// Read the patch from this JSON file (`-` for stdin), checked against
    /// `lscp schema DeploymentPatchRequest`; the flags below override its fields
    #[arg(long, short = 'f', value_name = "PATH")]
    file: Option<PathBuf>,
    #[command(flatten)]
    change: ChangeFlags,
}

/// The flags create and update share: what to set, and whether to wait on the new revision.
#[derive(Debug, Args)]
struct ChangeFlags {
    #[command(flatten)]
    settings: SettingFlags,
    #[command(flatten)]
    revision: RevisionFlags,
    #[command(flatten)]
    secrets: SecretFlags,
    #[command(flatten)]
    wait: WaitFlag,
}

/// Settings that hold across revisions (`source_config`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Deployment settings")]
struct SettingFlags {
    /// Repository URL (github source)
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// Size class
    #[arg(long, ignore_case = true, value_parser = one_of(DeploymentType::KNOWN, DeploymentType::as_str))]
    deployment_type: Option<DeploymentType>,
    /// GitHub integration that grants access to the repository
    #[arg(long, value_parser = uuid, value_name = "UUID")]
    integration_id: Option<Uuid>,
    /// Listener that runs a self-hosted deployment
    #[arg(long, value_parser = uuid, value_name = "UUID")]
    listener_id: Option<Uuid>,
    /// Build a new revision on every push to the ref
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    build_on_push: Option<bool>,
    /// Command that installs dependencies before the build
    #[arg(long, value_name = "COMMAND")]
    install_command: Option<String>,
    /// Command that builds the application
    #[arg(long, value_name = "COMMAND")]
    build_command: Option<String>,
    /// Custom URL to serve the deployment under
    #[arg(long, value_name = "URL")]
    custom_url: Option<String>,
}

/// What the next revision is built from (`source_revision_config`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Revision source")]
struct RevisionFlags {
    /// Git branch, tag or commit to build (github source)
    #[arg(long = "ref", value_name = "REF")]
    repo_ref: Option<String>,
    /// Path of langgraph.json in the repository
    #[arg(long, value_name = "PATH")]
    config_path: Option<String>,
    /// Container image to run (docker sources)
    #[arg(long, value_name = "IMAGE")]
    image: Option<String>,
}

/// Secrets given as flags. Parsed here rather than by clap, so that no error message can echo a
/// secret value.
#[derive(Debug, Args)]
#[command(next_help_heading = "Secrets")]
struct SecretFlags {
    /// A secret as NAME=VALUE, or NAME alone to read the value from the environment variable NAME
    /// (repeatable). On update, the secrets given replace the whole set
    #[arg(long = "secret", value_name = "NAME[=VALUE]")]
    secrets: Vec<Sensitive>,
}

impl SecretFlags {
    fn parse(&self) -> Result<Vec<Secret>, Failure> {
        let secrets = crate::secrets::from_flags(&self.secrets)?;
        Ok(secrets
            .into_iter()
            .map(|(name, value)| Secret {
                name,
                value: value.into(),
            })
            .collect())
    }

    /// Adds or replaces each secret given, by name.
    fn merge_into(&self, secrets: &mut Vec<Secret>) -> Result<(), Failure> {
        for secret in self.parse()? {
            secrets.retain(|existing| existing.name != secret.name);
            secrets.push(secret);
        }
        Ok(())
    }
}

impl SettingFlags {
    fn apply(&self, config: &mut SourceConfigRequest) {
        set(&mut config.repo_url, &self.repo_url);
        set(&mut config.deployment_type, &self.deployment_type);
        set(&mut config.integration_id, &self.integration_id);
        set(&mut config.listener_id, &self.listener_id);
        set(&mut config.build_on_push, &self.build_on_push);
        set(&mut config.install_command, &self.install_command);
        set(&mut config.build_command, &self.build_command);
        set(&mut config.custom_url, &self.custom_url);
    }

    fn any(&self) -> bool {
        self.repo_url.is_some()
            || self.deployment_type.is_some()
            || self.integration_id.is_some()
            || self.listener_id.is_some()
            || self.build_on_push.is_some()
            || self.install_command.is_some()
            || self.build_command.is_some()
            || self.custom_url.is_some()
    }
}

impl RevisionFlags {
    fn apply(&self, config: &mut SourceRevisionConfigRequest) {
        set(&mut config.repo_ref, &self.repo_ref);
        set(&mut config.langgraph_config_path, &self.config_path);
        set(&mut config.image_uri, &self.image);
    }

    fn any(&self) -> bool {
        self.repo_ref.is_some() || self.config_path.is_some() || self.image.is_some()
    }
}

fn set<T: Clone>(field: &mut Option<T>, flag: &Option<T>) {
    if let Some(value) = flag {
        *field = Some(value.clone());
    }
}

impl CreateArgs {
    /// The request: the spec file if any, with the flags on top.
    fn request(&self) -> Result<DeploymentCreateRequest, Failure> {
        let mut request = match &self.file {
            Some(path) => read_request(path, RequestType::DeploymentCreateRequest)?,
            None => DeploymentCreateRequest {
                name: String::new(),
                secret_references: None,
                secrets: Vec::new(),
                source: if self.change.revision.image.is_some() {
                    DeploymentSource::ExternalDocker
                } else {
                    DeploymentSource::Github
                },
                source_config: SourceConfigRequest::default(),
                source_revision_config: SourceRevisionConfigRequest::default(),
            },
        };
        if let Some(name) = &self.name {
            request.name = name.clone();
        }
        if request.name.trim().is_empty() {
            return Err(Failure::usage("a deployment needs a name")
                .hint("pass --name, or --file with a spec"));
        }
        if let Some(source) = &self.source {
            request.source = source.clone();
        }
        let change = &self.change;
        change.settings.apply(&mut request.source_config);
        change.revision.apply(&mut request.source_revision_config);
        change.secrets.merge_into(&mut request.secrets)?;
        Ok(request)
    }
}

impl UpdateArgs {
    /// The patch: the spec file if any, with the flags on top. Only the parts of the patch that a
    /// flag touches are set, so that a flag never clears what the file or the deployment has.
    fn patch(&self) -> Result<DeploymentPatchRequest, Failure> {
        let change = &self.change;
        let flags_given =
            change.settings.any() || change.revision.any() || !change.secrets.secrets.is_empty();
        let mut patch = match &self.file {
            Some(path) => read_request(path, RequestType::DeploymentPatchRequest)?,
            None if flags_given => DeploymentPatchRequest::default(),
            None => {
                return Err(Failure::usage("nothing to change")
                    .hint("pass --file or at least one setting flag (see --help)"));
            }
        };
        if change.settings.any() {
            let config = patch.source_config.get_or_insert_with(Default::default);
            change.settings.apply(config);
        }
        if change.revision.any() {
            let config = patch
                .source_revision_config
                .get_or_insert_with(Default::default);
            change.revision.apply(config);
        }
        if !change.secrets.secrets.is_empty() {
            change
                .secrets
                .merge_into(patch.secrets.get_or_insert_with(Vec::new))?;
        }
        Ok(patch)
    }
}

/// Runs a deployment command.
pub async fn run(command: DeploymentCommand, context: &Context) -> Result<Exit, Failure> {
    let deployments = context.client.deployments();
    match command {
        DeploymentCommand::List(args) => {
            let mut listing = deployments.list();
            if let Some(text) = args.name_contains {
                listing = listing.name_contains(text);
            }
            if let Some(status) = args.status {
                listing = listing.status(status);
            }
            if let Some(cap) = args.paging.max_items() {
                listing = listing.max_items(cap);
            }
            print_list(context.output, listing.stream()).await?;
        }
        DeploymentCommand::Get { deployment_id } => {
            print_one(context.output, &deployments.get(deployment_id).await?)?;
        }
        DeploymentCommand::Create(args) => {
            args.change.wait.check()?;
            let request = args.request()?;
            crate::github::mask_secrets(request.secrets.iter().map(|s| s.value.expose()));
            let stop = args.change.wait.listen();
            let deployment = deployments.create(request).await?;
            report_change(context.output, "created", &deployment)?;
            return args.change.wait.after(context, &deployment, stop).await;
        }
        DeploymentCommand::Update(args) => {
            args.change.wait.check()?;
            let patch = args.patch()?;
            let sent = patch.secrets.iter().flatten().map(|s| s.value.expose());
            crate::github::mask_secrets(sent);
            let stop = args.change.wait.listen();
            let deployment = deployments.update(args.deployment_id, patch).await?;
            report_change(context.output, "updated", &deployment)?;
            return args.change.wait.after(context, &deployment, stop).await;
        }
        DeploymentCommand::Delete {
            deployment_id,
            delete_tracing_project,
        } => {
            deployments
                .delete(deployment_id, delete_tracing_project)
                .await?;
            if context.output.format == OutputFormat::Text {
                output::line(&format!("deleted deployment {deployment_id}"))?;
            }
        }
        DeploymentCommand::Prune(args) => return crate::cmd::prune::run(args, context).await,
    }
    Ok(Exit::Success)
}

/// Prints deployments as they arrive: a JSON line each, or a table once all are in.
async fn print_list(
    printer: Output,
    stream: impl futures::Stream<Item = Result<Deployment, langsmith_control_plane::Error>>,
) -> Result<(), Failure> {
    printer
        .list(
            stream,
            &[
                "ID",
                "NAME",
                "DISPLAY NAME",
                "STATUS",
                "SOURCE",
                "LATEST REVISION",
                "UPDATED",
            ],
            "no deployments",
            |deployment| {
                vec![
                    deployment.id.to_string(),
                    deployment.name.clone(),
                    or_dash(deployment.display_name.as_ref()),
                    deployment.status.to_string(),
                    deployment.source.to_string(),
                    or_dash(deployment.latest_revision_id),
                    output::time(&deployment.updated_at),
                ]
            },
        )
        .await
}

fn print_one(printer: Output, deployment: &Deployment) -> Result<(), Failure> {
    printer.object(deployment, print_details)
}

/// A deployment's fields for people; `deployment` has its secret values masked as asked.
fn print_details(deployment: &Deployment) -> Result<(), Failure> {
    let config = &deployment.source_config;
    let revision = &deployment.source_revision_config;
    let secrets: Vec<String> = deployment
        .secrets
        .iter()
        .map(|s| format!("{}={}", s.name, s.value.expose()))
        .collect();
    output::details(vec![
        ("ID", Some(deployment.id.to_string())),
        ("Name", Some(deployment.name.clone())),
        ("Display name", deployment.display_name.clone()),
        ("Status", Some(deployment.status.to_string())),
        ("Source", Some(deployment.source.to_string())),
        (
            "Type",
            config.deployment_type.as_ref().map(ToString::to_string),
        ),
        ("Repository", config.repo_url.clone()),
        ("Branch", config.repo_branch.clone()),
        ("Template", config.template_id.clone()),
        ("Ref", revision.repo_ref.clone()),
        ("Commit", revision.repo_commit_sha.clone()),
        ("Config path", revision.langgraph_config_path.clone()),
        ("Image", revision.image_uri.clone()),
        ("Custom URL", config.custom_url.clone()),
        (
            "Active revision",
            deployment.active_revision_id.map(|id| id.to_string()),
        ),
        (
            "Latest revision",
            deployment.latest_revision_id.map(|id| id.to_string()),
        ),
        ("Secrets", (!secrets.is_empty()).then(|| secrets.join(", "))),
        ("Workspace", Some(deployment.tenant_id.to_string())),
        ("Created", Some(output::time(&deployment.created_at))),
        ("Updated", Some(output::time(&deployment.updated_at))),
    ])
}

/// After create or update: the deployment (JSON) or a sentence naming the new revision.
fn report_change(printer: Output, verb: &str, deployment: &Deployment) -> Result<(), Failure> {
    printer.object(deployment, |deployment| {
        let revision = deployment
            .latest_revision_id
            .map(|id| format!("; revision {id}"))
            .unwrap_or_default();
        output::line(&format!(
            "{verb} deployment {} ({}){revision}",
            crate::inert::Inert(&deployment.name),
            deployment.id
        ))
    })
}
