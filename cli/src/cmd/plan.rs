//! `lscp plan` and `lscp apply`: deployments as code from a deployment file.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use futures::StreamExt;
use langsmith_control_plane::WaitOptions;
use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOptions, ApplyOutcome, ApplyReport};
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::{Action, FieldChange, Plan, PlannedDeployment};

use crate::apply_report::{
    ApplyLine, PlanLine, Progress, STILL_WAITING_EVERY, action_word, change_text, print_errors,
    summary_row,
};
use crate::confirm;
use crate::duration::{MAX_INTERVAL, MAX_WAIT, duration_up_to};
use crate::exit::{Exit, Failure};
use crate::github;
use crate::global::Context;
use crate::inert::Inert;
use crate::output::{self, OutputFormat};

/// `lscp plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The deployment file (YAML or JSON; `lscp schema deployment-file` prints its schema)
    #[arg(long, short = 'f', value_name = "FILE")]
    file: PathBuf,
    /// Exit 10 when there are changes, 0 when there are none (1 on errors, 2 on bad input)
    #[arg(long)]
    exit_code: bool,
}

/// `lscp apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The deployment file (YAML or JSON; `lscp schema deployment-file` prints its schema)
    #[arg(long, short = 'f', value_name = "FILE")]
    file: PathBuf,
    /// Apply without asking (required when stdin is not a terminal, as in CI)
    #[arg(long, short = 'y')]
    yes: bool,
    /// Give up waiting on each new revision after this long (exit code 4), e.g. 30m [default: 30m]
    #[arg(long, value_parser = duration_up_to(MAX_WAIT), value_name = "DURATION")]
    timeout: Option<Duration>,
    /// Poll revisions at this fixed interval, e.g. 5s [default: by status, as `revision wait`]
    #[arg(long, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION")]
    interval: Option<Duration>,
    /// Deployments applied and waited on at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    concurrency: u16,
    /// How long a status holds before a CI log says it is still waiting; hidden, for tests
    #[arg(long, hide = true, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION")]
    heartbeat_interval: Option<Duration>,
}

/// Loads and checks the file: every problem at once, exit 2, before any request. Under GitHub
/// Actions the secret values it read are masked before anything is sent.
fn load(path: &std::path::Path) -> Result<DesiredState, Failure> {
    let desired = DesiredState::load(path).map_err(|e| {
        // Each problem's advice on a line of its own, after the problems (and the schema last).
        let advised = e.problems.iter().filter_map(|problem| {
            let hint = problem.hint.as_ref()?;
            Some(format!(
                "{}:{}:{}: {hint}",
                e.file, problem.line, problem.column
            ))
        });
        advised
            .fold(Failure::usage(e.to_string()), Failure::hint)
            .hint("`lscp schema deployment-file` prints the file's schema")
    })?;
    // The same variables `load` read the values from, in the same process.
    let values: Vec<String> = desired
        .deployments
        .iter()
        .flat_map(|deployment| deployment.spec.secrets.values())
        .filter_map(|secret| std::env::var(&secret.from_env).ok())
        .collect();
    github::mask_secrets(values.iter().map(String::as_str));
    Ok(desired)
}

/// `lscp plan -f FILE [--exit-code]`.
pub async fn run_plan(args: PlanArgs, context: &Context) -> Result<Exit, Failure> {
    let desired = load(&args.file)?;
    let plan = Plan::compute(&context.client, &desired).await?;
    match context.output.format {
        OutputFormat::Json => context.output.json(&plan)?,
        OutputFormat::Text => print_plan(&plan)?,
    }
    github::plan::plan_computed(&plan);
    Ok(if args.exit_code && plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    })
}

/// `lscp apply -f FILE [--yes] [--timeout D]`.
pub async fn run_apply(args: ApplyArgs, context: &Context) -> Result<Exit, Failure> {
    let desired = load(&args.file)?;
    confirm::require_terminal_or_yes(args.yes, "apply changes")?;
    let plan = Plan::compute(&context.client, &desired).await?;
    let printer = context.output;
    match printer.format {
        OutputFormat::Json => printer.json(&ApplyLine::Plan(PlanLine::Plan {
            deployments: &plan.deployments,
        }))?,
        OutputFormat::Text => print_plan(&plan)?,
    }
    if !plan.has_changes() {
        github::plan::apply_unchanged(&plan);
        return Ok(Exit::Success);
    }
    if !confirm::ask(args.yes, "Apply these changes?")? {
        return Err(Failure::error("not confirmed; nothing was changed"));
    }
    let mut wait = WaitOptions::default();
    if let Some(interval) = args.interval {
        wait = wait.fixed_interval(interval);
    }
    if let Some(timeout) = args.timeout {
        wait = wait.timeout(timeout);
    }
    let options = ApplyOptions::default()
        .wait(wait)
        .concurrency(usize::from(args.concurrency));
    let every = args.heartbeat_interval.unwrap_or(STILL_WAITING_EVERY);
    let mut display = Progress::new(printer, &plan, every);
    let mut events = plan.apply(&context.client, options);
    let mut report = ApplyReport::default();
    loop {
        let event = match display.next_heartbeat() {
            Some(due) => tokio::select! {
                event = events.next() => event,
                () = tokio::time::sleep_until(due.into()) => {
                    display.heartbeat();
                    continue;
                }
            },
            None => events.next().await,
        };
        let Some(event) = event else { break };
        display.show(&event)?;
        if let ApplyEvent::Done(done) = event {
            report = done;
        }
    }
    display.clear();
    if printer.format == OutputFormat::Text {
        print_summary(&report)?;
        print_errors(&report);
    }
    github::plan::apply_finished(&context.client, &report).await;
    Ok(match report.worst() {
        None => Exit::Success,
        Some(ApplyOutcome::Superseded { .. }) => Exit::Superseded,
        Some(ApplyOutcome::TimedOut { .. }) => Exit::TimedOut,
        Some(ApplyOutcome::Failed { .. }) => Exit::Failed,
        Some(_) => Exit::Error,
    })
}

/// The plan for people: a block per deployment, then the counts.
fn print_plan(plan: &Plan) -> Result<(), Failure> {
    for deployment in &plan.deployments {
        output::line(&heading(deployment))?;
        for change in &deployment.changes {
            output::line(&format!(
                "    {}",
                describe(change, deployment.action != Action::Create)?
            ))?;
        }
        for blocked in &deployment.blocked {
            output::line(&format!(
                "    ! {}: not changed: {}",
                Inert(&blocked.field),
                Inert(&blocked.reason)
            ))?;
        }
        if let Some(revision) = deployment
            .latest_revision
            .as_ref()
            .filter(|r| r.in_progress)
        {
            let effect = if deployment.action == Action::NewRevision {
                "; applying now supersedes it"
            } else {
                ""
            };
            output::line(&format!(
                "    note: the latest revision {} is still {}{effect}",
                revision.id,
                Inert(&revision.status)
            ))?;
        }
    }
    output::line(&format!(
        "\nPlan: {} to create, {} to update in place, {} new revision{}, {} unchanged.",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::NewRevision),
        if plan.count(Action::NewRevision) == 1 {
            ""
        } else {
            "s"
        },
        plan.count(Action::NoChange),
    ))
}

fn heading(deployment: &PlannedDeployment) -> String {
    let mark = match deployment.action {
        Action::Create => "+",
        Action::Update | Action::NewRevision => "~",
        Action::NoChange => "=",
    };
    let what = action_word(deployment.action);
    let name = Inert(&deployment.name);
    match deployment.deployment_id {
        Some(id) => format!("{mark} {name} ({id}): {what}"),
        None => format!("{mark} {name}: {what}"),
    }
}

/// `field: old -> new`, values as JSON (inert); secrets only say whether they change.
fn describe(change: &FieldChange, mark_revision: bool) -> Result<String, Failure> {
    Ok(format!(
        "{}: {}",
        Inert(&change.field),
        change_text(change, mark_revision)?
    ))
}

fn print_summary(report: &ApplyReport) -> Result<(), Failure> {
    let rows = report.results.iter().map(summary_row);
    output::line("")?;
    output::table(&["NAME", "OUTCOME", "DEPLOYMENT", "DETAIL"], rows)
}
