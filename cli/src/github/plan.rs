//! What `plan` and `apply` tell the runner: the plan's changes as a summary table; the apply's
//! worst outcome and counts as step outputs, a row per deployment, an annotation for each
//! deployment that did not make it.

use langsmith_control_plane::Client;
use langsmith_control_plane_plan::apply::{ApplyOutcome, ApplyReport};
use langsmith_control_plane_plan::plan::{Action, Plan};

use super::commands::{Level, annotate};
use super::files::{Outputs, append_summary};
use super::markdown;
use super::revision::{failure_tail, last_error};
use crate::apply_report::{action_word, change_text, summary_row};

/// `lscp plan` computed `plan`: its changes as a summary table, a row per field.
pub fn plan_computed(plan: &Plan) {
    let Some(runner) = super::runner::runner() else {
        return;
    };
    let mut rows = Vec::new();
    for deployment in &plan.deployments {
        let name = markdown::text(&deployment.name);
        let action = action_word(deployment.action);
        let mut row = |field: &str, change: &str| {
            rows.push(vec![
                name.clone(),
                action.to_string(),
                markdown::text(field),
                markdown::text(change),
            ]);
        };
        if deployment.changes.is_empty() && deployment.blocked.is_empty() {
            row("", "");
        }
        for change in &deployment.changes {
            let mark = deployment.action != Action::Create;
            // Only JSON encoding can fail, and the plan came from JSON.
            let text = change_text(change, mark).unwrap_or_default();
            row(&change.field, &text);
        }
        for blocked in &deployment.blocked {
            row(&blocked.field, &format!("not changed: {}", blocked.reason));
        }
    }
    let header = ["Deployment", "Action", "Field", "Change"];
    append_summary(
        runner,
        &format!(
            "### lscp plan: {}\n\n{}\n",
            counts(plan),
            markdown::table(&header, &rows)
        ),
    );
}

/// `1 to create, 2 to update in place, 0 new revisions, 3 unchanged`.
fn counts(plan: &Plan) -> String {
    format!(
        "{} to create, {} to update in place, {} new revision{}, {} unchanged",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::NewRevision),
        if plan.count(Action::NewRevision) == 1 {
            ""
        } else {
            "s"
        },
        plan.count(Action::NoChange),
    )
}

/// Every kind of apply outcome, each a step output with its count.
const APPLY_OUTCOMES: [&str; 7] = [
    "unchanged",
    "updated",
    "deployed",
    "failed",
    "timed_out",
    "superseded",
    "error",
];

/// `lscp apply` found nothing to change in `plan`.
pub fn apply_unchanged(plan: &Plan) {
    let Some(runner) = super::runner::runner() else {
        return;
    };
    let unchanged = plan.deployments.len();
    apply_outputs(
        "success",
        |kind| if kind == "unchanged" { unchanged } else { 0 },
    )
    .write(runner);
    append_summary(
        runner,
        &format!("### lscp apply: no changes\n\n{unchanged} deployments already match the file.\n"),
    );
}

/// The outputs of an apply: `outcome` and a count per kind.
fn apply_outputs(outcome: &str, count: impl Fn(&str) -> usize) -> Outputs {
    let mut outputs = Outputs::default();
    outputs.word("outcome", outcome);
    for kind in APPLY_OUTCOMES {
        outputs.word(kind, count(kind));
    }
    outputs
}

/// `lscp apply` ended with `report`: outputs, the result per deployment as a summary table, and
/// an annotation for each deployment that did not make it (reading each failed revision's log
/// for its last error line).
pub async fn apply_finished(client: &Client, report: &ApplyReport) {
    let Some(runner) = super::runner::runner() else {
        return;
    };
    let worst = report.worst().map_or("success", ApplyOutcome::kind);
    let count = |kind: &str| {
        report
            .results
            .iter()
            .filter(|r| r.outcome.kind() == kind)
            .count()
    };
    apply_outputs(worst, count).write(runner);
    let rows: Vec<Vec<String>> = report
        .results
        .iter()
        .map(|result| {
            summary_row(result)
                .iter()
                .map(|cell| markdown::text(cell))
                .collect()
        })
        .collect();
    let header = ["Deployment", "Outcome", "Deployment ID", "Detail"];
    append_summary(
        runner,
        &format!(
            "### lscp apply: {worst}\n\n{}\n",
            markdown::table(&header, &rows)
        ),
    );
    for result in &report.results {
        annotate_apply(client, &result.name, &result.outcome).await;
    }
}

/// The annotation for one deployment's apply outcome, if it did not make it.
async fn annotate_apply(client: &Client, name: &str, outcome: &ApplyOutcome) {
    let title = |what: &str| format!("lscp apply: {name} {what}");
    match outcome {
        ApplyOutcome::Failed {
            deployment_id,
            revision_id,
            status,
        } => {
            let tail = failure_tail(client, *deployment_id, *revision_id, status).await;
            let last = last_error(&tail)
                .map(|line| format!("; last error: {line}"))
                .unwrap_or_default();
            annotate(
                Level::Error,
                &title(status),
                &format!(
                    "deployment {name} ({deployment_id}): revision {revision_id} failed with \
                     {status}{last}"
                ),
            );
        }
        ApplyOutcome::TimedOut {
            deployment_id,
            revision_id,
            last_status,
        } => annotate(
            Level::Warning,
            &title("timed out"),
            &format!(
                "deployment {name} ({deployment_id}): gave up waiting on revision {revision_id}; \
                 last status {}; the revision keeps going on the service",
                last_status.as_deref().unwrap_or("unknown")
            ),
        ),
        ApplyOutcome::Superseded {
            deployment_id,
            revision_id,
        } => annotate(
            Level::Warning,
            &title("superseded"),
            &format!(
                "deployment {name} ({deployment_id}): revision {revision_id} was superseded by a \
                 newer revision (SKIPPED)"
            ),
        ),
        ApplyOutcome::Error { error, .. } => {
            annotate(
                Level::Error,
                &title("error"),
                &format!("deployment {name}: {error}"),
            );
        }
        _ => {}
    }
}
