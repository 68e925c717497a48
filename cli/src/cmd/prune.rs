//! `lscp deployment prune`: delete the deployments a name prefix selects (preview deployments),
//! in bulk, reporting each one.

use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use futures::StreamExt;
use langsmith_control_plane::types::Deployment;
use langsmith_control_plane::{DeleteOutcome, GoneOutcome, is_being_deleted};
use serde_json::json;

use crate::apply_report::STILL_WAITING_EVERY;
use crate::confirm;
use crate::duration::{MAX_INTERVAL, MAX_WAIT, duration_up_to};
use crate::exit::{Exit, Failure};
use crate::global::Context;
use crate::inert::Inert;
use crate::output::{self, Output, OutputFormat};
use crate::stop::Stop;

/// The longest `--older-than`: a century.
const MAX_AGE: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// Deletions waited on at once with `--wait`.
const PARALLEL_WAITS: usize = 8;

/// `lscp deployment prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete the deployments whose name starts with this text (case-sensitive)
    #[arg(long, value_name = "PREFIX")]
    name_prefix: String,
    /// Only those created longer ago than this, e.g. 7d, 12h
    #[arg(long, value_parser = duration_up_to(MAX_AGE), value_name = "DURATION")]
    older_than: Option<Duration>,
    /// Keep the deployment with this exact name (repeatable)
    #[arg(long, value_name = "NAME", num_args = 1..)]
    except: Vec<String>,
    /// List what would be deleted, delete nothing
    #[arg(long, conflicts_with = "yes")]
    dry_run: bool,
    /// Delete without asking (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    yes: bool,
    /// Wait until each deleted deployment is gone (AWAITING_DELETE, then not found); every 30s a
    /// line on stderr names those still going
    #[arg(long)]
    wait: bool,
    /// With --wait, give up after this long (exit code 4), e.g. 5m [default: 10m]
    #[arg(long, requires = "wait", value_parser = duration_up_to(MAX_WAIT), value_name = "DURATION")]
    timeout: Option<Duration>,
    /// How often a CI log says which deletions are still going; hidden, for tests
    #[arg(long, hide = true, requires = "wait", value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION")]
    heartbeat_interval: Option<Duration>,
}

/// Runs the prune.
pub async fn run(args: PruneArgs, context: &Context) -> Result<Exit, Failure> {
    if args.name_prefix.trim().is_empty() {
        return Err(Failure::usage(
            "--name-prefix must not be empty: it would select every deployment",
        ));
    }
    if !args.dry_run {
        confirm::require_terminal_or_yes(args.yes, "delete deployments")?;
    }
    let (mut selected, deleting) = select(&args, context).await?;
    // A listing whose pages shift may name a deployment twice; each is deleted and reported once,
    // so that the results (one per distinct ID, in order) pair with the deployments.
    let mut seen = std::collections::HashSet::new();
    selected.retain(|deployment| seen.insert(deployment.id));
    let printer = context.output;
    for deployment in &deleting {
        report(printer, deployment, "already_deleting", None)?;
    }
    if selected.is_empty() {
        if printer.format == OutputFormat::Text {
            output::diagnostic(&format!(
                "no deployment to delete: none whose name starts with {:?} matches",
                args.name_prefix
            ));
        }
        return Ok(Exit::Success);
    }
    if args.dry_run {
        for deployment in &selected {
            report(printer, deployment, "would_delete", None)?;
        }
        return Ok(Exit::Success);
    }
    if !args.yes {
        confirm_deletion(&selected)?;
    }
    let (exit, deleted) = delete(printer, context, &selected).await?;
    if args.wait && !deleted.is_empty() {
        return wait_until_gone(&args, printer, context, deleted, exit).await;
    }
    Ok(exit)
}

/// Lists the deployments on stderr and asks before deleting them.
fn confirm_deletion(selected: &[Deployment]) -> Result<(), Failure> {
    for deployment in selected {
        output::diagnostic(&format!(
            "  {} ({})",
            Inert(&deployment.name),
            deployment.id
        ));
    }
    let question = match selected.len() {
        1 => "Delete this deployment?".to_string(),
        count => format!("Delete these {count} deployments?"),
    };
    if !confirm::ask(false, &question)? {
        return Err(Failure::error("not confirmed; nothing was deleted"));
    }
    Ok(())
}

/// Deletes the deployments in bulk, a line each; the exit code so far and those deleted.
async fn delete<'a>(
    printer: Output,
    context: &Context,
    selected: &'a [Deployment],
) -> Result<(Exit, Vec<&'a Deployment>), Failure> {
    let ids: Vec<_> = selected.iter().map(|d| d.id).collect();
    let results = context.client.deployments().delete_many(&ids).await;
    let mut exit = Exit::Success;
    let mut deleted = Vec::new();
    for (deployment, result) in selected.iter().zip(&results) {
        let reason = match &result.outcome {
            DeleteOutcome::Deleted => {
                report(printer, deployment, "deleted", None)?;
                deleted.push(deployment);
                continue;
            }
            DeleteOutcome::Failed { error } => crate::exit::error_text(error.as_ref()),
            other => format!("{other:?}"),
        };
        report(printer, deployment, "failed", Some(&reason))?;
        exit = Exit::Error;
    }
    Ok((exit, deleted))
}

/// `--wait`: follows each deleted deployment until it is gone, a line each; while any is still
/// going, a line on stderr every `--heartbeat-interval` names them, so that a CI log does not
/// look hung. A stop signal ends the wait at once with its exit code, nothing more sent.
async fn wait_until_gone(
    args: &PruneArgs,
    printer: Output,
    context: &Context,
    deleted: Vec<&Deployment>,
    mut exit: Exit,
) -> Result<Exit, Failure> {
    let timeout = args.timeout.unwrap_or(Duration::from_secs(10 * 60));
    let every = args.heartbeat_interval.unwrap_or(STILL_WAITING_EVERY);
    let mut stop = Stop::listen();
    let started = Instant::now();
    let mut going = deleted.clone();
    let waits = futures::stream::iter(deleted.into_iter().map(|deployment| async move {
        let gone = context
            .client
            .deployments()
            .wait_until_gone(deployment.id, timeout)
            .await;
        (deployment, gone)
    }))
    .buffer_unordered(PARALLEL_WAITS);
    futures::pin_mut!(waits);
    let mut next_line = started + every;
    loop {
        let next = tokio::select! {
            biased;
            signal = stop.next() => {
                output::diagnostic("stopped waiting; the deletions already accepted go on");
                return Ok(signal.exit());
            }
            next = waits.next() => next,
            () = tokio::time::sleep_until(next_line.into()) => {
                output::diagnostic(&still_waiting(started.elapsed(), &going));
                next_line += every;
                continue;
            }
        };
        let Some((deployment, gone)) = next else {
            break;
        };
        going.retain(|d| d.id != deployment.id);
        match gone {
            Ok(GoneOutcome::Gone) => report(printer, deployment, "gone", None)?,
            Ok(GoneOutcome::TimedOut { last_status }) => {
                let reason = format!("still {last_status} after {}", output::elapsed(timeout));
                report(printer, deployment, "timed_out", Some(&reason))?;
                if exit == Exit::Success {
                    exit = Exit::TimedOut;
                }
            }
            Ok(other) => report(printer, deployment, "unknown", Some(&format!("{other:?}")))?,
            Err(error) => {
                let reason = crate::exit::error_text(&error);
                report(printer, deployment, "wait_failed", Some(&reason))?;
                exit = Exit::Error;
            }
        }
    }
    Ok(exit)
}

/// `[30s] still waiting for 2 deployments to be gone: pr-1 (ID), pr-2 (ID)`.
fn still_waiting(since_start: Duration, going: &[&Deployment]) -> String {
    let names: Vec<String> = going
        .iter()
        .map(|d| format!("{} ({})", Inert(&d.name), d.id))
        .collect();
    let count = match going.len() {
        1 => "1 deployment".to_string(),
        count => format!("{count} deployments"),
    };
    let text = format!("still waiting for {count} to be gone: {}", names.join(", "));
    output::stamped(since_start, &text)
}

/// The deployments to delete (newest first), and the matching ones already being deleted.
async fn select(
    args: &PruneArgs,
    context: &Context,
) -> Result<(Vec<Deployment>, Vec<Deployment>), Failure> {
    let listed = context
        .client
        .deployments()
        .list()
        .name_contains(args.name_prefix.clone())
        .collect()
        .await?;
    let cutoff = match args.older_than {
        Some(age) => {
            let age = chrono::Duration::from_std(age)
                .map_err(|_| Failure::usage("--older-than is too long"))?;
            Some(Utc::now() - age)
        }
        None => None,
    };
    let matching = listed.into_iter().filter(|d| {
        d.name.starts_with(&args.name_prefix)
            && !args.except.contains(&d.name)
            && cutoff.is_none_or(|cutoff| d.created_at < cutoff)
    });
    Ok(matching.partition(|d| !is_being_deleted(&d.status)))
}

/// One line per deployment: `RESULT NAME (ID)[: reason]`, or a JSON object.
fn report(
    printer: Output,
    deployment: &Deployment,
    result: &str,
    reason: Option<&str>,
) -> Result<(), Failure> {
    if printer.format == OutputFormat::Json {
        return printer.json(&json!({
            "deployment_id": deployment.id,
            "name": deployment.name,
            "result": result,
            "reason": reason,
        }));
    }
    let word = result.replace('_', " ");
    let name = Inert(&deployment.name);
    let line = match reason {
        Some(reason) => format!("{word} {name} ({}): {}", deployment.id, Inert(reason)),
        None => format!("{word} {name} ({})", deployment.id),
    };
    output::line(&line)
}
