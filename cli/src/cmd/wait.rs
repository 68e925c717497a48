//! Waiting on a revision: the options, the progress display, and the outcome as an exit code.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::Args;
use futures::StreamExt;
use langsmith_control_plane::types::{Deployment, Revision};
use langsmith_control_plane::{RevisionOutcome, WaitEvent, WaitOptions};
use serde_json::json;
use uuid::Uuid;

use crate::duration::{MAX_INTERVAL, MAX_WAIT, duration_up_to};
use crate::exit::{Exit, Failure};
use crate::github;
use crate::global::Context;
use crate::inert;
use crate::live::{LiveLine, status_bar};
use crate::output::{self, Output, OutputFormat};
use crate::stop::Stop;

/// How long to wait and how often to poll.
#[derive(Debug, Args)]
pub struct WaitTiming {
    /// Give up after this long (exit code 4), e.g. 90s, 30m, at most 7d [default: 30m]
    #[arg(long, value_parser = duration_up_to(MAX_WAIT), value_name = "DURATION")]
    pub timeout: Option<Duration>,
    /// Poll at this fixed interval, e.g. 5s or 100ms, at most 1h [default: by status]
    ///
    /// By default polls back off from 2s to 30s while the revision is queued or building (or in
    /// a status lscp does not know), and come every 2s growing to 8s once it is AWAITING_DEPLOY or
    /// DEPLOYING, the short steps before DEPLOYED, for at most 5 minutes per status. A server's
    /// Retry-After always lengthens the next interval.
    #[arg(long, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION")]
    pub interval: Option<Duration>,
}

impl WaitTiming {
    fn options(&self) -> WaitOptions {
        let mut options = WaitOptions::default();
        if let Some(interval) = self.interval {
            options = options.fixed_interval(interval);
        }
        if let Some(timeout) = self.timeout {
            options = options.timeout(timeout);
        }
        options
    }
}

/// `--wait` with its timing, for commands that start a revision.
#[derive(Debug, Args)]
#[command(next_help_heading = "Waiting")]
pub struct WaitFlag {
    /// Wait until the new revision is deployed, fails, or is superseded; the exit code says which
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub timing: WaitTiming,
}

impl WaitFlag {
    /// Refuses `--timeout`/`--interval` without `--wait`, where they would do nothing.
    pub fn check(&self) -> Result<(), Failure> {
        if !self.wait && (self.timing.timeout.is_some() || self.timing.interval.is_some()) {
            return Err(Failure::usage("--timeout and --interval need --wait"));
        }
        Ok(())
    }

    /// With `--wait`, the stop signals listened to from now on, before the request that starts
    /// the revision: a signal during it stops the wait before its first poll. Without, `None`: a
    /// signal ends lscp as it ends any command.
    pub fn listen(&self) -> Option<Stop> {
        self.wait.then(Stop::listen)
    }

    /// After a create, update or redeploy: waits on the revision the response names, when asked
    /// to, until a signal `stop` (from [`listen`](Self::listen)) listens for.
    pub async fn after(
        &self,
        context: &Context,
        deployment: &Deployment,
        stop: Option<Stop>,
    ) -> Result<Exit, Failure> {
        let Some(mut stop) = stop.filter(|_| self.wait) else {
            return Ok(Exit::Success);
        };
        let revision_id = deployment.latest_revision_id.ok_or_else(|| {
            Failure::error(format!(
                "deployment {} names no new revision to wait on",
                deployment.id
            ))
        })?;
        wait_for(context, deployment.id, revision_id, &self.timing, &mut stop).await
    }
}

/// Waits on one revision, showing its progress, and turns the outcome into an exit code. A
/// signal `stop` listens for (SIGINT, SIGTERM) ends the wait at once with its exit code (130,
/// 143), and nothing more is sent.
pub async fn wait_for(
    context: &Context,
    deployment_id: Uuid,
    revision_id: Uuid,
    timing: &WaitTiming,
    stop: &mut Stop,
) -> Result<Exit, Failure> {
    let mut display = Display::new(context.output, revision_id);
    let events = context
        .client
        .watch_revision(deployment_id, revision_id, timing.options());
    futures::pin_mut!(events);
    loop {
        let event = tokio::select! {
            // A signal first: once one has arrived, the revision is not polled again.
            biased;
            signal = stop.next() => {
                // After a Ctrl-C the terminal has echoed `^C` and moved on a line: the last
                // status stays visible.
                display.clear();
                output::diagnostic(&format!(
                    "stopped waiting; revision {revision_id} keeps going on the service \
                     (`lscp revision wait {deployment_id} {revision_id}` resumes)"
                ));
                return Ok(signal.exit());
            }
            event = events.next() => event,
        };
        match event {
            Some(Ok(WaitEvent::Status(revision))) => display.status(&revision)?,
            Some(Ok(WaitEvent::PollFailed(error))) => display.poll_failed(&error),
            Some(Ok(WaitEvent::Finished(outcome))) => {
                display.clear();
                let exit = finish(context.output, deployment_id, revision_id, &outcome)?;
                let took = display.started.elapsed();
                github::revision::wait_finished(
                    &context.client,
                    deployment_id,
                    revision_id,
                    &outcome,
                    took,
                )
                .await;
                return Ok(exit);
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                display.clear();
                return Err(error.into());
            }
            None => {
                display.clear();
                return Err(Failure::error("the wait ended without an outcome"));
            }
        }
    }
}

/// Prints the outcome (JSON: one line with an `outcome` field) and picks the exit code.
fn finish(
    printer: Output,
    deployment_id: Uuid,
    revision_id: Uuid,
    outcome: &RevisionOutcome,
) -> Result<Exit, Failure> {
    let exit = match outcome {
        RevisionOutcome::Deployed(_) => Exit::Success,
        RevisionOutcome::Failed(_) => Exit::Failed,
        RevisionOutcome::Superseded(_) => Exit::Superseded,
        RevisionOutcome::TimedOut { .. } => Exit::TimedOut,
        // A kind of outcome this build does not know: not a success.
        _ => Exit::Error,
    };
    let status = outcome.status().map(|s| s.as_str().to_string());
    if printer.format == OutputFormat::Json {
        let waited = match outcome {
            RevisionOutcome::TimedOut { waited, .. } => Some(waited.as_secs_f64()),
            _ => None,
        };
        printer.json(&json!({
            "outcome": outcome.kind(),
            "deployment_id": deployment_id,
            "revision_id": revision_id,
            "status": status,
            "waited_seconds": waited,
            "revision": outcome.revision(),
        }))?;
        return Ok(exit);
    }
    let status = inert::escape(status.as_deref().unwrap_or("unknown")).into_owned();
    match outcome {
        RevisionOutcome::Deployed(_) => {
            output::line(&format!("revision {revision_id} is DEPLOYED"))?;
        }
        RevisionOutcome::Failed(_) => {
            output::line(&format!("revision {revision_id} failed: {status}"))?;
            let log = github::revision::failed_log(&status);
            output::diagnostic(&format!(
                "hint: `lscp revision logs {deployment_id} {revision_id} --type {log}` shows what went wrong"
            ));
        }
        RevisionOutcome::Superseded(_) => {
            output::line(&format!(
                "revision {revision_id} was superseded by a newer revision (SKIPPED)"
            ))?;
        }
        RevisionOutcome::TimedOut { waited, .. } => {
            output::line(&format!(
                "gave up waiting on revision {revision_id} after {}; last status {status}",
                output::elapsed(*waited)
            ))?;
            output::diagnostic("note: the revision keeps going on the service");
        }
        _ => output::line(&format!("revision {revision_id}: {}", outcome.kind()))?,
    }
    Ok(exit)
}

/// Shows status changes as they come: JSON lines on stdout, a live line on a terminal, or one
/// line per change on stderr otherwise (CI logs).
struct Display {
    printer: Output,
    revision_id: Uuid,
    started: Instant,
    bar: Option<LiveLine>,
}

impl Display {
    fn new(printer: Output, revision_id: Uuid) -> Self {
        let live = printer.format == OutputFormat::Text && std::io::stderr().is_terminal();
        let bar = live.then(|| {
            let bar = status_bar();
            bar.set_message(&format!("revision {revision_id}: waiting for its status"));
            bar
        });
        Self {
            printer,
            revision_id,
            started: Instant::now(),
            bar,
        }
    }

    fn status(&mut self, revision: &Revision) -> Result<(), Failure> {
        if self.printer.format == OutputFormat::Json {
            return self.printer.json(revision);
        }
        let text = format!(
            "revision {}: {}",
            self.revision_id,
            output::revision_status(&revision.status)
        );
        match &self.bar {
            Some(bar) => {
                if let Some(phase) = revision.status.phase() {
                    bar.set_position(u64::from(phase.step));
                }
                bar.set_message(&text);
            }
            None => output::diagnostic(&output::stamped(self.started.elapsed(), &text)),
        }
        Ok(())
    }

    fn poll_failed(&self, error: &langsmith_control_plane::Error) {
        // The error and its causes on one line, each said once.
        let error = crate::exit::error_text(error);
        let text = format!("warning: polling failed, still waiting: {error}");
        match &self.bar {
            Some(bar) => bar.println(&text),
            None => output::diagnostic(&text),
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
