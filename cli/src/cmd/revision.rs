//! `lscp revision ...`: list, get, create, wait, redeploy, logs.

use std::time::Duration;

use clap::{Args, Subcommand};
use futures::{StreamExt, TryStreamExt};
use langsmith_control_plane::deploy::DeployEvent;
use langsmith_control_plane::types::{LogLevel, LogOrder, LogType, Revision, RevisionStatus};
use uuid::Uuid;

use crate::cmd::deploy::SourceArgs;
use crate::cmd::wait::{WaitFlag, WaitTiming, wait_for};
use crate::duration::{MAX_INTERVAL, duration_up_to};
use crate::exit::{Exit, Failure};
use crate::global::Context;
use crate::inert;
use crate::output::{self, Output, OutputFormat, or_dash};
use crate::stop::Stop;
use crate::values::{Paging, one_of, uuid};

/// `lscp revision`.
#[derive(Debug, Subcommand)]
pub enum RevisionCommand {
    /// List a deployment's revisions, newest first
    #[command(visible_alias = "ls")]
    List {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
        /// Only revisions in these statuses (repeat, or separate with commas)
        #[arg(
            long,
            ignore_case = true,
            value_delimiter = ',',
            value_parser = one_of(RevisionStatus::KNOWN, RevisionStatus::as_str)
        )]
        status: Vec<RevisionStatus>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one revision and its status
    Get {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
        /// The revision
        #[arg(value_parser = uuid)]
        revision_id: Uuid,
    },
    /// Start a revision of an existing deployment from a git ref, an image or a source
    /// directory (`POST .../revisions`); unlike `lscp deploy`, never creates the deployment
    Create(CreateArgs),
    /// Wait until a revision is deployed (exit 0), fails (3), times out (4) or is superseded (5)
    Wait {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
        /// The revision [default: the deployment's latest revision]
        #[arg(value_parser = uuid)]
        revision_id: Option<Uuid>,
        #[command(flatten)]
        timing: WaitTiming,
    },
    /// Deploy an earlier revision again, as a new revision (a rollback)
    Redeploy {
        /// The deployment
        #[arg(value_parser = uuid)]
        deployment_id: Uuid,
        /// The revision to deploy again
        #[arg(value_parser = uuid)]
        revision_id: Uuid,
        #[command(flatten)]
        wait: WaitFlag,
    },
    /// Print a revision's build or deploy log
    Logs(LogsArgs),
}

/// `lscp revision create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The deployment
    #[arg(value_parser = uuid)]
    deployment_id: Uuid,
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    wait: WaitFlag,
}

/// `lscp revision logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The deployment
    #[arg(value_parser = uuid)]
    deployment_id: Uuid,
    /// The revision
    #[arg(value_parser = uuid)]
    revision_id: Uuid,
    /// Which log
    #[arg(long = "type", value_name = "TYPE", ignore_case = true, value_parser = one_of(LogType::KNOWN, LogType::as_str))]
    log_type: LogType,
    /// Keep printing new entries until the revision reaches a final status
    #[arg(long)]
    follow: bool,
    /// How often to check for new entries with --follow, at most 1h
    #[arg(long, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION", default_value = "2s", requires = "follow")]
    interval: Duration,
    /// Only entries at this level or above
    #[arg(long, ignore_case = true, value_parser = one_of(LogLevel::KNOWN, LogLevel::as_str))]
    level: Option<LogLevel>,
    /// Only entries matching this text
    #[arg(long, value_name = "TEXT")]
    query: Option<String>,
    /// Newest entries first
    #[arg(long, conflicts_with = "follow")]
    newest_first: bool,
    /// Print at most N entries
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    limit: Option<u32>,
}

/// Runs a revision command.
pub async fn run(command: RevisionCommand, context: &Context) -> Result<Exit, Failure> {
    let client = &context.client;
    match command {
        RevisionCommand::List {
            deployment_id,
            status,
            paging,
        } => {
            // Text marks the revision that serves traffic, which only the deployment knows.
            let active = match context.output.format {
                OutputFormat::Text => {
                    client
                        .deployments()
                        .get(deployment_id)
                        .await?
                        .active_revision_id
                }
                OutputFormat::Json => None,
            };
            let mut listing = client.revisions(deployment_id).list().status(status);
            if let Some(cap) = paging.max_items() {
                listing = listing.max_items(cap);
            }
            context
                .output
                .list(
                    listing.stream(),
                    &["ID", "STATUS", "FROM", "CREATED", "UPDATED"],
                    "no revisions",
                    |revision| row(revision, active),
                )
                .await?;
        }
        RevisionCommand::Get {
            deployment_id,
            revision_id,
        } => {
            let revision = client.get_revision(deployment_id, revision_id).await?;
            print_one(context.output, &revision)?;
        }
        RevisionCommand::Wait {
            deployment_id,
            revision_id,
            timing,
        } => {
            // Listening before any request: a signal during the first stops the wait before
            // it polls.
            let mut stop = Stop::listen();
            let revision_id = match revision_id {
                Some(id) => id,
                None => latest_revision(context, deployment_id).await?,
            };
            return wait_for(context, deployment_id, revision_id, &timing, &mut stop).await;
        }
        RevisionCommand::Redeploy {
            deployment_id,
            revision_id,
            wait,
        } => {
            wait.check()?;
            let stop = wait.listen();
            let deployment = client
                .revisions(deployment_id)
                .redeploy(revision_id)
                .await?;
            context.output.object(&deployment, |deployment| {
                output::line(&format!(
                    "redeploying revision {revision_id} as revision {}",
                    or_dash(deployment.latest_revision_id)
                ))
            })?;
            return wait.after(context, &deployment, stop).await;
        }
        RevisionCommand::Create(args) => return create(context, args).await,
        RevisionCommand::Logs(args) => return print_logs(context, args).await,
    }
    Ok(Exit::Success)
}

/// `lscp revision create`: the deploy job's shipping (archive and upload included) on an
/// existing deployment, without its find-or-create; then the wait of `lscp revision wait`.
async fn create(context: &Context, args: CreateArgs) -> Result<Exit, Failure> {
    args.wait.check()?;
    // Listening before any work: a signal stops archiving or uploading with nothing more sent.
    let mut stop = Stop::listen();
    let deployment_id = args.deployment_id;
    let shipping = context
        .client
        .deploy(args.source.source(None, None))
        .deployment_id(deployment_id)
        .wait(None);
    let mut events = shipping.events();
    let result = loop {
        let event = tokio::select! {
            biased;
            signal = stop.next() => {
                output::diagnostic("stopped; whatever was already sent to the service stands");
                return Ok(signal.exit());
            }
            event = events.next() => event,
        };
        match event {
            Some(Ok(DeployEvent::Finished(result))) => break result,
            Some(Ok(DeployEvent::Step(step))) => output::diagnostic(&inert::escape(&step)),
            Some(Ok(_)) => {}
            // Refused before anything was sent: a directory without its config, an archive over
            // the size limit.
            Some(Err(error)) => {
                return Err(crate::cmd::deploy::refused_input(error).unwrap_or_else(Failure::from));
            }
            None => return Err(Failure::error("the revision was not started")),
        }
    };
    let revision = context
        .client
        .get_revision(deployment_id, result.revision_id)
        .await?;
    print_one(context.output, &revision)?;
    if !args.wait.wait {
        return Ok(Exit::Success);
    }
    wait_for(
        context,
        deployment_id,
        revision.id,
        &args.wait.timing,
        &mut stop,
    )
    .await
}

async fn latest_revision(context: &Context, deployment_id: Uuid) -> Result<Uuid, Failure> {
    let deployment = context.client.deployments().get(deployment_id).await?;
    deployment.latest_revision_id.ok_or_else(|| {
        Failure::error(format!(
            "deployment {deployment_id} has no revision to wait on"
        ))
    })
}

/// Prints the log's entries; with `--follow` until the revision ends. A stop signal ends it
/// at once with its exit code, nothing more sent.
async fn print_logs(context: &Context, args: LogsArgs) -> Result<Exit, Failure> {
    let mut stop = Stop::listen();
    let title = format!("{} log of revision {}", args.log_type, args.revision_id);
    let mut listing = context
        .client
        .revisions(args.deployment_id)
        .logs(args.revision_id, args.log_type);
    if let Some(level) = args.level {
        listing = listing.level(level);
    }
    if let Some(text) = args.query {
        listing = listing.query(text);
    }
    if args.newest_first {
        listing = listing.order(LogOrder::Desc);
    }
    if let Some(cap) = args.limit {
        listing = listing.max_items(cap as usize);
    }
    if args.follow {
        listing = listing.follow(args.interval);
    }
    let stream = listing.stream();
    futures::pin_mut!(stream);
    // Under GitHub Actions the entries are folded, and no line of theirs can act as a command.
    let _fold = (context.output.format == OutputFormat::Text)
        .then(|| crate::github::Fold::open(&title, crate::github::FoldStream::Stdout));
    loop {
        let entry = tokio::select! {
            biased;
            signal = stop.next() => return Ok(signal.exit()),
            entry = stream.try_next() => entry?,
        };
        let Some(entry) = entry else {
            return Ok(Exit::Success);
        };
        context.output.object(&entry, |entry| {
            output::line(&crate::deploy_report::log_line(entry))
        })?;
    }
}

/// What a revision was built from, in one cell: the ref (and commit), or the image.
fn built_from(revision: &Revision) -> String {
    let config = &revision.source_revision_config;
    match (&config.repo_ref, &config.repo_commit_sha, &config.image_uri) {
        // By characters: the service's text is not guaranteed ASCII, and a byte slice panics.
        (Some(git_ref), Some(sha), _) => {
            format!("{git_ref}@{}", sha.chars().take(7).collect::<String>())
        }
        (Some(git_ref), None, _) => git_ref.clone(),
        (None, _, Some(image)) => image.clone(),
        _ => revision.source.to_string(),
    }
}

/// A revision's row. With the deployment's active revision known, that one reads
/// `DEPLOYED (active)` and the other DEPLOYED ones, which no longer serve, `replaced`.
fn row(revision: &Revision, active: Option<Uuid>) -> Vec<String> {
    let status = match active {
        Some(active) if revision.id == active => format!("{} (active)", revision.status),
        Some(_) if revision.status == RevisionStatus::Deployed => "replaced".to_string(),
        _ => revision.status.to_string(),
    };
    vec![
        revision.id.to_string(),
        status,
        built_from(revision),
        output::time(&revision.created_at),
        output::time(&revision.updated_at),
    ]
}

fn print_one(printer: Output, revision: &Revision) -> Result<(), Failure> {
    printer.object(revision, print_details)
}

/// A revision's fields for people.
fn print_details(revision: &Revision) -> Result<(), Failure> {
    let config = &revision.source_revision_config;
    output::details(vec![
        ("ID", Some(revision.id.to_string())),
        ("Status", Some(output::revision_status(&revision.status))),
        ("Source", Some(revision.source.to_string())),
        ("Ref", config.repo_ref.clone()),
        ("Commit", config.repo_commit_sha.clone()),
        ("Config path", config.langgraph_config_path.clone()),
        ("Image", config.image_uri.clone()),
        ("Created", Some(output::time(&revision.created_at))),
        ("Updated", Some(output::time(&revision.updated_at))),
    ])
}
