//! `lscp deploy`: find or create a deployment, ship a git ref, an image or a source directory,
//! and wait for the revision. The facade's `Client::deploy` does the work; this file turns flags
//! into it and its events into output and an exit code.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{ArgGroup, Args};
use futures::StreamExt;
use futures::stream::BoxStream;
use langsmith_control_plane::deploy::{DeployEvent, DeployResult, Source};
use langsmith_control_plane::types::{DeploymentType, Sensitive};
use langsmith_control_plane::{Error, RevisionOutcome, WaitOptions};
use uuid::Uuid;

use crate::deploy_report::{EventLine, Outcome, Report, ResultLine, log_line};
use crate::duration::{MAX_INTERVAL, MAX_WAIT, duration_up_to};
use crate::exit::{Exit, Failure};
use crate::github;
use crate::global::Context;
use crate::inert::{self, Inert};
use crate::output::{self, OutputFormat};
use crate::secrets::{self, NamedValue};
use crate::stop::Stop;
use crate::values::{one_of, uuid};

/// The environment variable (and env-file entry) that names the deployment.
const NAME_VARIABLE: &str = "LANGSMITH_DEPLOYMENT_NAME";

/// How long a deploy that waits may take in all when `--timeout` is not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The config file of a source directory when `--config` is not given.
const DEFAULT_CONFIG: &str = "langgraph.json";

/// What a revision is built from: the options `lscp deploy` and `lscp revision create` share.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["git_ref", "image", "source_dir"])))]
pub struct SourceArgs {
    /// Build this git branch, tag or commit of the deployment's GitHub repository
    #[arg(
        long = "ref",
        value_name = "REF",
        help_heading = "Source (exactly one)"
    )]
    git_ref: Option<String>,
    /// Run this container image
    #[arg(long, value_name = "URI", help_heading = "Source (exactly one)")]
    image: Option<String>,
    /// Archive this directory (what git would not commit and .dockerignore excludes left out,
    /// and .git, .venv, node_modules, symlinks and secrets files such as .env and *.pem) and
    /// upload it, at most 200 MiB compressed
    #[arg(long, value_name = "DIR", help_heading = "Source (exactly one)")]
    source_dir: Option<PathBuf>,
    /// The config file, relative to --source-dir [default: langgraph.json]
    #[arg(
        long,
        value_name = "PATH",
        // Not `requires`: clap counts the required group as present through another member.
        conflicts_with_all = ["git_ref", "image"],
        help_heading = "Source (exactly one)"
    )]
    config: Option<PathBuf>,
}

impl SourceArgs {
    /// The source as the facade takes it; the repository and integration only matter for
    /// creating a deployment from a git ref.
    pub fn source(&self, repo_url: Option<String>, integration_id: Option<Uuid>) -> Source {
        if let Some(reference) = &self.git_ref {
            Source::GitRef {
                reference: reference.clone(),
                repo_url,
                integration_id,
            }
        } else if let Some(image) = &self.image {
            Source::Image(image.clone())
        } else {
            Source::Directory {
                // The clap group guarantees one of the three.
                path: self.source_dir.clone().unwrap_or_default(),
                config: self.config.clone().unwrap_or_else(|| DEFAULT_CONFIG.into()),
            }
        }
    }
}

/// `lscp deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The deployment, by exact name; created when no deployment has it [default:
    /// LANGSMITH_DEPLOYMENT_NAME, then that entry of --env-file, then the --source-dir's name]
    #[arg(long, value_name = "NAME", conflicts_with = "deployment_id")]
    name: Option<String>,
    /// An existing deployment, by ID
    #[arg(long, value_parser = uuid, value_name = "UUID")]
    deployment_id: Option<Uuid>,

    #[command(flatten)]
    source: SourceArgs,

    /// Repository URL, for creating the deployment from --ref
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = ["image", "source_dir"],
        help_heading = "Creating a deployment"
    )]
    repo_url: Option<String>,
    /// GitHub integration with access to the repository, for creating it from --ref
    #[arg(long, value_parser = uuid, value_name = "UUID", conflicts_with_all = ["image", "source_dir"], help_heading = "Creating a deployment")]
    integration_id: Option<Uuid>,
    /// The name people see; set after create (which does not take one), and only when it
    /// differs. The service cannot clear it once set
    #[arg(long, value_name = "TEXT", help_heading = "Creating a deployment")]
    display_name: Option<String>,
    /// Size class of a deployment this creates (an existing one keeps its own)
    #[arg(
        long,
        ignore_case = true,
        value_parser = one_of(DeploymentType::KNOWN, DeploymentType::as_str),
        help_heading = "Creating a deployment"
    )]
    deployment_type: Option<DeploymentType>,

    /// A secret as NAME=VALUE, or NAME alone to take the value of the environment variable NAME
    /// (repeatable; wins over --env-file). Merged into the deployment's secrets by name
    #[arg(long = "secret", value_name = "NAME[=VALUE]", help_heading = "Secrets")]
    secrets: Vec<Sensitive>,
    /// Secrets from a dotenv file: KEY=VALUE lines, `export`, quotes and # comments; empty values
    /// are skipped, and a LANGSMITH_DEPLOYMENT_NAME entry names the deployment instead
    #[arg(long, value_name = "FILE", help_heading = "Secrets")]
    env_file: Option<PathBuf>,
    /// Replace the deployment's secrets with exactly those given (at least one: the service
    /// cannot clear secrets)
    #[arg(long, help_heading = "Secrets")]
    replace_secrets: bool,

    /// Print the build and deploy logs while waiting
    #[arg(long, conflicts_with = "no_wait", help_heading = "Waiting")]
    logs: bool,
    /// Return once the revision has started (exit 0) instead of waiting for its outcome
    #[arg(long, help_heading = "Waiting")]
    no_wait: bool,
    /// Give up after this long in all, archiving, upload and wait included (exit code 4), e.g.
    /// 90s, 30m, at most 7d [default: 30m]
    #[arg(long, value_parser = duration_up_to(MAX_WAIT), value_name = "DURATION", conflicts_with = "no_wait", help_heading = "Waiting")]
    timeout: Option<Duration>,
    /// Poll at this fixed interval, e.g. 5s or 100ms, at most 1h [default: by status, as in
    /// `lscp revision wait --help`]
    #[arg(long, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION", conflicts_with = "no_wait", help_heading = "Waiting")]
    interval: Option<Duration>,
}

/// Runs `lscp deploy`.
pub async fn run(args: DeployArgs, context: &Context) -> Result<Exit, Failure> {
    // Listening before any work: a signal at any point stops the deploy with nothing more sent.
    let stop = Stop::listen();
    // Everything the arguments alone can refuse is refused before the client sends anything.
    let mut secrets = match &args.env_file {
        Some(path) => secrets::from_env_file(path)?,
        None => Vec::new(),
    };
    let file_name = take_entry(&mut secrets, NAME_VARIABLE);
    secrets.retain(|(name, value)| {
        if value.is_empty() {
            output::diagnostic(&format!("note: {name} is empty in the env file; not sent"));
        }
        !value.is_empty()
    });
    secrets.extend(secrets::from_flags(&args.secrets)?);
    if args.replace_secrets && secrets.is_empty() {
        return Err(Failure::usage(
            "--replace-secrets needs at least one --secret or --env-file entry: the service \
             cannot clear secrets (it reads an empty list as unchanged)",
        ));
    }
    if args.display_name.as_deref() == Some("") {
        return Err(Failure::usage(
            "--display-name must not be empty (the service cannot clear a display name)",
        ));
    }
    github::mask_secrets(secrets.iter().map(|(_, value)| value.as_str()));
    let name = match args.deployment_id {
        Some(_) => None,
        None => Some(args.deployment_name(file_name)?),
    };

    let source = (args.source).source(args.repo_url.clone(), args.integration_id);
    let mut deploy = context.client.deploy(source);
    deploy = match (args.deployment_id, name) {
        (Some(id), _) => deploy.deployment_id(id),
        (None, Some(name)) => deploy.name(name),
        (None, None) => deploy,
    };
    if let Some(deployment_type) = &args.deployment_type {
        deploy = deploy.deployment_type(deployment_type.clone());
    }
    if let Some(display_name) = &args.display_name {
        deploy = deploy.display_name(display_name.clone());
    }
    for (name, value) in secrets {
        deploy = deploy.secret(name, value);
    }
    deploy = deploy
        .replace_secrets(args.replace_secrets)
        .follow_logs(args.logs)
        .wait((!args.no_wait).then(|| args.wait_options()));
    if !args.no_wait {
        deploy = deploy.timeout(args.timeout.unwrap_or(DEFAULT_TIMEOUT));
    }

    follow(&args, context, stop, deploy.events()).await
}

/// Follows the deploy's events to its result, printing each; a signal stops it at once.
async fn follow(
    args: &DeployArgs,
    context: &Context,
    mut stop: Stop,
    mut events: BoxStream<'static, Result<DeployEvent, Error>>,
) -> Result<Exit, Failure> {
    let mut report = Report::new(context.output);
    // Whether the deploy has reported progress past its checks and look-up (steps such as
    // "archived" or "found" do not count); before that, its refusals are usage errors.
    let mut progressed = false;
    let mut revision_seen: Option<Uuid> = None;
    loop {
        let event = tokio::select! {
            // A signal first: once it has arrived, the deploy is not polled again, and
            // dropping its stream (on return) stops whatever it was doing.
            biased;
            signal = stop.next() => {
                report.clear();
                output::diagnostic(&interrupted(revision_seen));
                return Ok(signal.exit());
            }
            event = events.next() => event,
        };
        match event {
            Some(Ok(DeployEvent::Finished(result))) => {
                report.clear();
                // One time for stdout, the job summary and the annotation alike.
                let took = report.elapsed();
                let exit = finish(context, &result, took)?;
                github::revision::deploy_finished(&result, took);
                return Ok(exit);
            }
            Some(Ok(event)) => {
                progressed |= !matches!(event, DeployEvent::Step(_));
                if let DeployEvent::StatusChange { revision, .. } = &event {
                    revision_seen = Some(revision.id);
                }
                report.event(&event)?;
            }
            Some(Err(error)) => {
                report.clear();
                return Err(args.failure(error, progressed));
            }
            None => {
                report.clear();
                return Err(Failure::error("the deploy ended without a result"));
            }
        }
    }
}

impl DeployArgs {
    /// `--name`, then `LANGSMITH_DEPLOYMENT_NAME`, then the env file's entry, then the source
    /// directory's name made into a valid deployment name.
    fn deployment_name(&self, from_file: Option<String>) -> Result<String, Failure> {
        let from_env = std::env::var(NAME_VARIABLE).ok();
        let given = [self.name.clone(), from_env, from_file]
            .into_iter()
            .flatten()
            .map(|name| name.trim().to_string())
            .find(|name| !name.is_empty());
        if let Some(name) = given {
            return Ok(name);
        }
        if let Some(dir) = &self.source.source_dir
            && let Some(name) = directory_name(dir)
        {
            return Ok(name);
        }
        Err(Failure::usage("which deployment? no name or ID was given")
            .hint("pass --name or --deployment-id (or set LANGSMITH_DEPLOYMENT_NAME)"))
    }

    fn wait_options(&self) -> WaitOptions {
        let mut options = WaitOptions::default();
        if let Some(interval) = self.interval {
            options = options.fixed_interval(interval);
        }
        options.timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
    }

    /// The failure for an error of the deploy. Before it reports progress the deploy has only
    /// checked its input and looked the deployment up, so a refusal then is a usage error: a
    /// reserved secret name, a directory without its config, an archive over the size limit, a
    /// new deployment without what creating it needs. A name two deployments share is not one:
    /// the input was fine, the workspace is ambiguous (exit 1, as for `plan` and `apply`).
    fn failure(&self, error: Error, progressed: bool) -> Failure {
        if progressed {
            return Failure::from(error);
        }
        // lscp's own hint where it knows the flags, by the error's type.
        let hint = match &error {
            Error::CreateNeedsRepoUrl { .. } => {
                "pass --repo-url (and --integration-id) to create it from --ref"
            }
            Error::ReservedSecretNames { .. } => {
                "the service sets these itself: leave them out of --secret and --env-file"
            }
            // A local file that cannot be read, before anything was sent.
            Error::Io { .. } => return Failure::from(error).with_usage_exit(),
            _ => return refused_input(error).unwrap_or_else(Failure::from),
        };
        Failure::usage(inert::escape(&error.to_string())).hint(hint)
    }
}

/// A refusal of the input to ship, found before anything was sent, as a usage error (exit 2)
/// with its hint: lscp's own where it knows the flag (`--config`), by the error's type, else the
/// library's. Any other error is given back.
pub fn refused_input(error: Error) -> Result<Failure, Error> {
    Ok(match error {
        Error::InvalidInput(input) => {
            let failure = Failure::usage(inert::escape(&input.message));
            match input.hint() {
                Some(hint) => failure.hint(hint),
                None => failure,
            }
        }
        Error::ConfigNotInSource { .. } => Failure::usage(inert::escape(&error.to_string()))
            .hint("pass --config with the config file's path relative to --source-dir"),
        Error::SourceTooLarge { .. } | Error::SourceFileShrank { .. } => {
            Failure::from(error).with_usage_exit()
        }
        other => return Err(other),
    })
}

/// Removes the entry `name` from `entries`, returning its value.
fn take_entry(entries: &mut Vec<NamedValue>, name: &str) -> Option<String> {
    let index = entries.iter().position(|(n, _)| n == name)?;
    Some(entries.remove(index).1)
}

/// A directory's name as a deployment name: lowercase letters, digits and hyphens, which is what
/// the service accepts. `None` when nothing usable is left.
fn directory_name(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let raw = dir.file_name()?.to_string_lossy().to_lowercase();
    let mut name = String::new();
    for c in raw.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-');
    (!name.is_empty()).then(|| name.to_string())
}

/// What a stop signal leaves behind.
fn interrupted(revision: Option<Uuid>) -> String {
    match revision {
        Some(revision) => format!(
            "stopped waiting; revision {revision} keeps going on the service \
             (`lscp revision wait` resumes)"
        ),
        None => "stopped; whatever was already sent to the service stands".to_string(),
    }
}

/// Prints the result of a deploy that `took` this long and picks the exit code. A timed-out one
/// gave up after `took`, the whole deploy's time (what `--timeout` bounds); the JSON result line
/// gives the wait's own time in `waited_seconds`.
fn finish(context: &Context, result: &DeployResult, took: Duration) -> Result<Exit, Failure> {
    let (outcome, exit) = match &result.outcome {
        None => (Outcome::Started, Exit::Success),
        Some(RevisionOutcome::Deployed(_)) => (Outcome::Deployed, Exit::Success),
        Some(RevisionOutcome::Failed(_)) => (Outcome::Failed, Exit::Failed),
        Some(RevisionOutcome::Superseded(_)) => (Outcome::Superseded, Exit::Superseded),
        Some(RevisionOutcome::TimedOut { .. }) => (Outcome::TimedOut, Exit::TimedOut),
        Some(other) => {
            return Err(Failure::error(format!(
                "the wait ended in an outcome this version does not know: {}",
                other.kind()
            )));
        }
    };
    let deployment = &result.deployment;
    let revision = result.revision_id;
    let status = result
        .outcome
        .as_ref()
        .and_then(RevisionOutcome::status)
        .map(|s| s.as_str().to_string());
    let waited = match &result.outcome {
        Some(RevisionOutcome::TimedOut { waited, .. }) => Some(*waited),
        _ => None,
    };
    if context.output.format == OutputFormat::Json {
        context.output.json(&EventLine::Result(ResultLine {
            outcome,
            deployment_id: deployment.id,
            deployment_name: deployment.name.clone(),
            revision_id: revision,
            status,
            status_url: result.status_url.clone(),
            waited_seconds: waited.map(|w| w.as_secs_f64()),
            failure_log: result.failure_log.iter().map(|e| e.0.clone()).collect(),
        }))?;
        return Ok(exit);
    }
    if !result.failure_log.is_empty() {
        let log = match status.as_deref() {
            Some("DEPLOY_FAILED") => "deploy",
            _ => "build",
        };
        output::diagnostic(&format!(
            "the last {} entries of the {log} log:",
            result.failure_log.len()
        ));
        for entry in &result.failure_log {
            output::diagnostic(&format!("  {}", log_line(entry)));
        }
    }
    let status = inert::escape(status.as_deref().unwrap_or("no status seen")).into_owned();
    let what = format!("deployment {} ({})", Inert(&deployment.name), deployment.id);
    output::line(&match outcome {
        Outcome::Deployed => format!("{what}: revision {revision} is DEPLOYED"),
        Outcome::Failed => format!("{what}: revision {revision} failed: {status}"),
        Outcome::Superseded => {
            format!("{what}: revision {revision} was superseded by a newer revision (SKIPPED)")
        }
        Outcome::TimedOut => format!(
            "{what}: gave up waiting on revision {revision} after {}; last status {status}",
            output::elapsed(took)
        ),
        Outcome::Started => format!("{what}: revision {revision} started"),
    })?;
    output::line(&format!("dashboard: {}", result.status_url))?;
    match outcome {
        Outcome::Started | Outcome::TimedOut => output::diagnostic(&format!(
            "note: the revision goes on; `lscp revision wait {} {revision}` waits for it",
            deployment.id
        )),
        Outcome::Failed => output::diagnostic(&format!(
            "hint: `lscp revision logs {} {revision} --type build` (or --type deploy) shows the whole log",
            deployment.id
        )),
        _ => {}
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_name_becomes_a_valid_deployment_name() {
        assert_eq!(
            directory_name(Path::new("/src/My Agent_v2")).as_deref(),
            Some("my-agent-v2")
        );
        assert_eq!(
            directory_name(Path::new("/src/--support--")).as_deref(),
            Some("support")
        );
        assert_eq!(directory_name(Path::new("/src/___")), None);
    }

    #[test]
    fn the_size_limit_in_the_help_is_the_facades() {
        assert_eq!(
            langsmith_control_plane::MAX_ARCHIVE_BYTES,
            200 * 1024 * 1024
        );
    }
}
