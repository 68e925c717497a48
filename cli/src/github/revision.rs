//! What `deploy` and `revision wait` tell the runner when their revision's wait ends: step
//! outputs, a summary table (with the failing log's tail), and an annotation unless it went live.

use std::time::Duration;

use langsmith_control_plane::deploy::DeployResult;
use langsmith_control_plane::types::{LogOrder, LogType, RevisionStatus};
use langsmith_control_plane::{Client, LogEntry, RevisionOutcome};
use uuid::Uuid;

use super::commands::{Level, annotate};
use super::files::{Outputs, append_summary};
use super::markdown;
use crate::deploy_report::log_line;
use crate::output;

/// Entries of the failing log read for the summary and the annotation, as `lscp deploy` does.
const FAILURE_TAIL: usize = 30;

/// How a revision ended, for `deploy` and `revision wait`.
#[derive(Debug)]
struct RevisionReport<'a> {
    /// The command, as the summary and the annotation title name it: `lscp deploy`.
    command: &'static str,
    /// The deployment.
    deployment_id: Uuid,
    /// Its name, when known.
    deployment_name: Option<&'a str>,
    /// The revision.
    revision_id: Uuid,
    /// `deployed`, `failed`, `superseded`, `timed_out`, or `started` (`deploy --no-wait`).
    outcome: &'static str,
    /// The last status seen.
    status: Option<&'a str>,
    /// How long the command took.
    duration: Duration,
    /// The deployment's page in the LangSmith UI, when known.
    dashboard_url: Option<&'a str>,
    /// The last entries of the failing log, for a failure.
    failure_log: &'a [LogEntry],
}

impl RevisionReport<'_> {
    /// Writes the step outputs, the summary and, unless it went live, an annotation.
    fn write(&self) {
        let Some(runner) = super::runner::runner() else {
            return;
        };
        Outputs::default()
            .word("deployment_id", self.deployment_id)
            .word("revision_id", self.revision_id)
            .word("outcome", self.outcome)
            .text("dashboard_url", self.dashboard_url.unwrap_or_default())
            .write(runner);
        append_summary(runner, &self.summary());
        self.annotate();
    }

    /// `name (ID)`, or the ID alone.
    fn deployment(&self) -> String {
        match self.deployment_name {
            Some(name) => format!("{name} ({})", self.deployment_id),
            None => self.deployment_id.to_string(),
        }
    }

    fn status(&self) -> &str {
        self.status.unwrap_or("no status seen")
    }

    fn summary(&self) -> String {
        let outcome = match self.outcome {
            "failed" => format!("failed: {}", self.status()),
            "superseded" => "superseded (SKIPPED)".to_string(),
            "timed_out" => format!("timed out (last status {})", self.status()),
            other => other.to_string(),
        };
        let link = self
            .dashboard_url
            .map_or_else(|| "-".to_string(), |url| markdown::link("dashboard", url));
        let row = vec![
            markdown::text(&self.deployment()),
            self.revision_id.to_string(),
            markdown::text(&outcome),
            output::elapsed(self.duration),
            link,
        ];
        let header = ["Deployment", "Revision", "Outcome", "Duration", "Link"];
        let mut summary = format!(
            "### {}\n\n{}\n",
            self.command,
            markdown::table(&header, &[row])
        );
        if !self.failure_log.is_empty() {
            summary.push_str(&format!(
                "The last {} entries of the {} log:\n\n{}\n",
                self.failure_log.len(),
                failed_log(self.status.unwrap_or_default()).as_str(),
                markdown::code_block(&self.failure_log.iter().map(log_line).collect::<Vec<_>>())
            ));
        }
        summary
    }

    fn annotate(&self) {
        let name = self.deployment_name.unwrap_or("deployment");
        let what = format!("deployment {}", self.deployment());
        let revision = self.revision_id;
        match self.outcome {
            "failed" => annotate(
                Level::Error,
                &format!("{}: {name} {}", self.command, self.status()),
                &format!(
                    "{what}: revision {revision} failed with {}{}",
                    self.status(),
                    last_error(self.failure_log)
                        .map(|line| format!("; last error: {line}"))
                        .unwrap_or_default()
                ),
            ),
            "timed_out" => annotate(
                Level::Warning,
                &format!("{}: {name} timed out", self.command),
                &format!(
                    "{what}: gave up waiting on revision {revision} after {}; last status {}; \
                     the revision keeps going on the service",
                    output::elapsed(self.duration),
                    self.status()
                ),
            ),
            "superseded" => annotate(
                Level::Warning,
                &format!("{}: {name} superseded", self.command),
                &format!(
                    "{what}: revision {revision} was superseded by a newer revision (SKIPPED)"
                ),
            ),
            _ => {}
        }
    }
}

/// The log that tells why a revision with `status` failed.
pub fn failed_log(status: &str) -> LogType {
    match status {
        "DEPLOY_FAILED" => LogType::Deploy,
        _ => LogType::Build,
    }
}

/// The message of the log's last error entry (level `ERROR` or worse), or of its last entry.
pub(super) fn last_error(log: &[LogEntry]) -> Option<&str> {
    let is_error = |entry: &&LogEntry| {
        entry.level().is_some_and(|level| {
            ["ERROR", "CRITICAL", "FATAL"]
                .iter()
                .any(|bad| level.eq_ignore_ascii_case(bad))
        })
    };
    let entry = log.iter().rev().find(is_error).or(log.last())?;
    entry.message()
}

/// `lscp deploy` ended with `result` after `duration`.
pub fn deploy_finished(result: &DeployResult, duration: Duration) {
    let status = result
        .outcome
        .as_ref()
        .and_then(RevisionOutcome::status)
        .map(RevisionStatus::as_str);
    RevisionReport {
        command: "lscp deploy",
        deployment_id: result.deployment.id,
        deployment_name: Some(&result.deployment.name),
        revision_id: result.revision_id,
        outcome: result
            .outcome
            .as_ref()
            .map_or("started", RevisionOutcome::kind),
        status,
        duration,
        dashboard_url: Some(&result.status_url),
        failure_log: &result.failure_log,
    }
    .write();
}

/// A wait on a revision ended with `outcome` after `duration`. Reads the deployment (for its name
/// and page) and, for a failure, the failing log's last entries; a read that fails leaves them
/// out.
pub async fn wait_finished(
    client: &Client,
    deployment_id: Uuid,
    revision_id: Uuid,
    outcome: &RevisionOutcome,
    duration: Duration,
) {
    if !super::runner::active() {
        return;
    }
    let deployment = client.deployments().get(deployment_id).await.ok();
    let status = outcome.status().map(RevisionStatus::as_str);
    let tail = match outcome {
        RevisionOutcome::Failed(_) => {
            let status = status.unwrap_or_default();
            failure_tail(client, deployment_id, revision_id, status).await
        }
        _ => Vec::new(),
    };
    let url = deployment.as_ref().map(|d| client.dashboard_url(d));
    RevisionReport {
        command: "lscp wait",
        deployment_id,
        deployment_name: deployment.as_ref().map(|d| d.name.as_str()),
        revision_id,
        outcome: outcome.kind(),
        status,
        duration,
        dashboard_url: url.as_deref(),
        failure_log: &tail,
    }
    .write();
}

/// The last entries of the log that tells why the revision failed with `status`, oldest first.
pub(super) async fn failure_tail(
    client: &Client,
    deployment_id: Uuid,
    revision_id: Uuid,
    status: &str,
) -> Vec<LogEntry> {
    let logs = client
        .revisions(deployment_id)
        .logs(revision_id, failed_log(status));
    let mut tail = logs
        .order(LogOrder::Desc)
        .max_items(FAILURE_TAIL)
        .collect()
        .await
        .unwrap_or_default();
    tail.reverse();
    tail
}
