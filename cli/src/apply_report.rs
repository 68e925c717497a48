//! What `lscp apply` prints as it goes: JSON lines on stdout (`-o json`), a live line per
//! deployment on a terminal, or otherwise (a CI log) one plain line per event on stderr, each
//! naming its deployment, with a still-waiting line while a status holds. And the words a plan's
//! actions and changes and an apply's results are told in, on a terminal and in a job summary.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use langsmith_control_plane::types::Revision;
use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOutcome, ApplyReport, ApplyResult};
use langsmith_control_plane_plan::plan::{
    Action, ChangeKind, FieldChange, Plan, PlannedDeployment,
};
use schemars::JsonSchema;
use serde::Serialize;

use crate::exit::Failure;
use crate::inert;
use crate::live::LiveLine;
use crate::output::{self, Output, OutputFormat};

/// How long a deployment's status may hold in a log before a line says it is still waiting.
pub const STILL_WAITING_EVERY: Duration = Duration::from_secs(30);

/// One line of `lscp -o json apply` (schema: `lscp schema apply-event`): the plan first, then
/// the apply's events, the last one `done`. Every line has an `event` field saying which kind it
/// is. Fields may be added in later versions.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ApplyLine<'a> {
    /// The plan about to be applied.
    Plan(PlanLine<'a>),
    /// A step, a status change, a deployment's outcome, or all outcomes (`done`).
    Event(&'a ApplyEvent),
}

/// The first line of `lscp -o json apply`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PlanLine<'a> {
    /// The plan about to be applied, as `lscp plan -o json` prints it.
    Plan {
        /// Every deployment of the file, with its action.
        deployments: &'a [PlannedDeployment],
    },
}

/// Shows apply events as they come.
pub enum Progress {
    /// `-o json`: each event as a JSON line on stdout.
    Json(Output),
    /// A terminal: a live line per deployment.
    Live(MultiProgress, HashMap<String, LiveLine>),
    /// Plain stderr, as in CI.
    Log(ApplyLog),
}

impl Progress {
    /// The display for `printer` and where stderr goes; `still_waiting_every` paces the log.
    pub fn new(printer: Output, plan: &Plan, still_waiting_every: Duration) -> Self {
        if printer.format == OutputFormat::Json {
            return Self::Json(printer);
        }
        if !std::io::stderr().is_terminal() {
            return Self::Log(ApplyLog::new(still_waiting_every));
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix}: {msg} ({elapsed})")
            .expect("a valid template");
        let bars = plan
            .changed()
            .map(|deployment| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.enable_steady_tick(Duration::from_millis(120));
                let line = LiveLine::new(bar);
                line.set_prefix(&deployment.name);
                line.set_message("waiting to start");
                (deployment.name.clone(), line)
            })
            .collect();
        Self::Live(multi, bars)
    }

    /// Shows one event.
    pub fn show(&mut self, event: &ApplyEvent) -> Result<(), Failure> {
        match self {
            Self::Json(printer) => printer.json(&event_json(event)?),
            Self::Log(log) => {
                log.event(event, Instant::now());
                Ok(())
            }
            Self::Live(_, bars) => {
                show_live(bars, event);
                Ok(())
            }
        }
    }

    /// When the next still-waiting line is due, if one can be.
    pub fn next_heartbeat(&self) -> Option<Instant> {
        match self {
            Self::Log(log) => log.next_heartbeat(),
            _ => None,
        }
    }

    /// Prints the still-waiting lines that are due.
    pub fn heartbeat(&mut self) {
        if let Self::Log(log) = self {
            log.heartbeats(Instant::now());
        }
    }

    /// Removes the live lines, if any.
    pub fn clear(&mut self) {
        if let Self::Live(multi, _) = self {
            let _ = multi.clear();
        }
    }
}

/// `event`'s JSON line, each error outcome's `hint` the one the text report gives: lscp's
/// where it has one (it knows the flags), else the library's.
fn event_json(event: &ApplyEvent) -> Result<serde_json::Value, Failure> {
    let mut line = serde_json::to_value(ApplyLine::Event(event))
        .map_err(|e| Failure::error(format!("could not encode the output as JSON: {e}")))?;
    match event {
        ApplyEvent::Finished { outcome, .. } => set_hint(&mut line["outcome"], outcome),
        ApplyEvent::Done(report) => {
            if let Some(results) = line["results"].as_array_mut() {
                for (json, result) in results.iter_mut().zip(&report.results) {
                    set_hint(json, &result.outcome);
                }
            }
        }
        _ => {}
    }
    Ok(line)
}

/// Sets the `hint` of an error outcome's JSON to lscp's.
fn set_hint(json: &mut serde_json::Value, outcome: &ApplyOutcome) {
    if let (ApplyOutcome::Error { error, .. }, Some(fields)) = (outcome, json.as_object_mut()) {
        fields.insert("hint".into(), crate::exit::plan_hint(error).into());
    }
}

fn show_live(bars: &HashMap<String, LiveLine>, event: &ApplyEvent) {
    let (name, message) = match event {
        ApplyEvent::Step { name, message } => (name, message.clone()),
        ApplyEvent::Status { name, revision } => (
            name,
            format!(
                "revision {}: {}",
                revision.id,
                output::revision_status(&revision.status)
            ),
        ),
        ApplyEvent::Finished { name, outcome } => (name, outcome.kind().to_string()),
        _ => return,
    };
    if let Some(bar) = bars.get(name) {
        if matches!(event, ApplyEvent::Finished { .. }) {
            bar.finish_with_message(&message);
        } else {
            bar.set_message(&message);
        }
    }
}

/// Apply events as plain lines on stderr: `[ELAPSED] NAME: what happened`, the time counted
/// from the start of applying so that the lines of all deployments share one clock.
pub struct ApplyLog {
    started: Instant,
    still_waiting_every: Duration,
    /// Deployments with an event and no outcome yet, by name (an order for the heartbeats).
    running: BTreeMap<String, Running>,
}

/// One deployment being applied.
struct Running {
    /// Its first event: the start of the duration its outcome line gives.
    since: Instant,
    /// Its last line, from which the next still-waiting line is timed.
    last_line: Instant,
    /// Its revision's last status.
    status: Option<String>,
}

/// What a line says about one deployment.
enum Note<'a> {
    Step(&'a str),
    Status(&'a Revision),
    StillWaiting(Option<&'a str>),
    /// The outcome, and how long the deployment took when its start was seen.
    Finished(&'a ApplyOutcome, Option<Duration>),
}

impl ApplyLog {
    /// A log whose clock starts now.
    pub fn new(still_waiting_every: Duration) -> Self {
        Self {
            started: Instant::now(),
            still_waiting_every,
            running: BTreeMap::new(),
        }
    }

    /// Prints the line for `event`, seen at `now`.
    pub fn event(&mut self, event: &ApplyEvent, now: Instant) {
        let (name, note) = match event {
            ApplyEvent::Step { name, message } => (name, Note::Step(message)),
            ApplyEvent::Status { name, revision } => {
                self.running_at(name, now).status = Some(revision.status.to_string());
                (name, Note::Status(revision))
            }
            ApplyEvent::Finished { name, outcome } => {
                let took = self.running.remove(name).map(|r| now - r.since);
                self.print(now, name, Note::Finished(outcome, took));
                return;
            }
            // `Done`: the summary follows on stdout. A kind of event this build does not know:
            // nothing to show.
            _ => return,
        };
        self.running_at(name, now).last_line = now;
        self.print(now, name, note);
    }

    /// When the next still-waiting line is due: the interval after the oldest last line.
    pub fn next_heartbeat(&self) -> Option<Instant> {
        let oldest = self.running.values().map(|r| r.last_line).min()?;
        Some(oldest + self.still_waiting_every)
    }

    /// Prints a still-waiting line for each deployment without a line for an interval.
    pub fn heartbeats(&mut self, now: Instant) {
        let every = self.still_waiting_every;
        let due: Vec<(String, Option<String>)> = self
            .running
            .iter_mut()
            .filter(|(_, r)| now >= r.last_line + every)
            .map(|(name, r)| {
                r.last_line = now;
                (name.clone(), r.status.clone())
            })
            .collect();
        for (name, status) in &due {
            self.print(now, name, Note::StillWaiting(status.as_deref()));
        }
    }

    fn running_at(&mut self, name: &str, now: Instant) -> &mut Running {
        self.running
            .entry(name.to_string())
            .or_insert_with(|| Running {
                since: now,
                last_line: now,
                status: None,
            })
    }

    fn print(&self, now: Instant, name: &str, note: Note<'_>) {
        output::diagnostic(&log_line(now - self.started, name, note));
    }
}

/// The one place a log line is put together: every value from the service or the deployment
/// file (names, statuses, messages) that reaches a CI log passes through here.
fn log_line(since_start: Duration, name: &str, note: Note<'_>) -> String {
    let text = match note {
        Note::Step(message) => message.to_string(),
        Note::Status(revision) => format!(
            "revision {}: {}",
            revision.id,
            output::revision_status(&revision.status)
        ),
        Note::StillWaiting(status) => {
            format!("still waiting ({})", status.unwrap_or("no status yet"))
        }
        Note::Finished(outcome, took) => finished(outcome, took),
    };
    // Escaped whole: names, step messages, statuses and error text all come from outside.
    output::stamped(since_start, &inert::escape(&format!("{name}: {text}")))
}

/// An outcome for people, its word first: `deployed after 1m 2s (revision ...)`.
fn finished(outcome: &ApplyOutcome, took: Option<Duration>) -> String {
    let word = match outcome {
        ApplyOutcome::Unchanged { .. } => return "no change".into(),
        ApplyOutcome::TimedOut { .. } => "timed out",
        other => other.kind(),
    };
    let after = took
        .map(|took| format!("{word} after {}", output::elapsed(took)))
        .unwrap_or_else(|| word.to_string());
    match outcome {
        ApplyOutcome::Deployed { revision_id, .. } => format!("{after} (revision {revision_id})"),
        ApplyOutcome::Failed {
            revision_id,
            status,
            ..
        } => format!("{after}: revision {revision_id} is {status}"),
        ApplyOutcome::TimedOut {
            revision_id,
            last_status,
            ..
        } => format!(
            "{after}: revision {revision_id} still {}; it keeps going on the service",
            last_status.as_deref().unwrap_or("without a status")
        ),
        ApplyOutcome::Superseded { revision_id, .. } => {
            format!("{after}: a newer revision replaced revision {revision_id} (SKIPPED)")
        }
        ApplyOutcome::Error { error, .. } => format!("{after}: {error}"),
        _ => after,
    }
}

/// Each deployment that ended in an error, on stderr as lscp reports an error that ends a
/// command: `error: NAME: MESSAGE`, then its causes, then its hint, each once and escaped.
pub fn print_errors(report: &ApplyReport) {
    for result in &report.results {
        if let ApplyOutcome::Error { error, .. } = &result.outcome {
            for line in Failure::from(error.as_ref()).about(&result.name).lines() {
                crate::exit::diagnostic(&line);
            }
        }
    }
}

/// An action for people: `create`, `update in place`, `new revision`, `no change`.
pub fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update in place",
        Action::NewRevision => "new revision",
        Action::NoChange => "no change",
    }
}

/// A change without its field: `old -> new`, and `  (new revision)` when it starts one and
/// `mark_revision` asks.
pub fn change_text(change: &FieldChange, mark_revision: bool) -> Result<String, Failure> {
    let value = |v: &Option<serde_json::Value>| match v {
        Some(v) => output::json_text(v),
        None => Ok("(unset)".to_string()),
    };
    let text = match (change.hidden, change.change) {
        (true, ChangeKind::Add) => "(secret, set)".to_string(),
        (true, _) => "(secret, changed)".to_string(),
        (false, ChangeKind::Add) => value(&change.new)?,
        (false, ChangeKind::Modify) if change.old.is_none() => {
            format!("(not shown) -> {}", value(&change.new)?)
        }
        (false, _) => format!("{} -> {}", value(&change.old)?, value(&change.new)?),
    };
    let revision = if mark_revision && change.starts_revision {
        "  (new revision)"
    } else {
        ""
    };
    Ok(format!("{text}{revision}"))
}

/// A deployment's row of the summary: name, outcome, deployment ID, detail.
pub fn summary_row(result: &ApplyResult) -> Vec<String> {
    let (name, outcome) = (&result.name, &result.outcome);
    let (deployment, detail) = match outcome {
        ApplyOutcome::Unchanged { deployment_id } => {
            (output::or_dash(*deployment_id), String::new())
        }
        ApplyOutcome::Updated { deployment_id } => (deployment_id.to_string(), String::new()),
        ApplyOutcome::Deployed {
            deployment_id,
            revision_id,
        }
        | ApplyOutcome::Superseded {
            deployment_id,
            revision_id,
        } => (deployment_id.to_string(), format!("revision {revision_id}")),
        ApplyOutcome::Failed {
            deployment_id,
            revision_id,
            status,
        } => (
            deployment_id.to_string(),
            format!("revision {revision_id} {status}"),
        ),
        ApplyOutcome::TimedOut {
            deployment_id,
            revision_id,
            last_status,
        } => (
            deployment_id.to_string(),
            format!(
                "revision {revision_id} still {}",
                last_status.as_deref().unwrap_or("unknown")
            ),
        ),
        ApplyOutcome::Error {
            deployment_id,
            error,
        } => (output::or_dash(*deployment_id), error.to_string()),
        _ => (String::new(), String::new()),
    };
    vec![name.clone(), outcome.kind().to_string(), deployment, detail]
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn step(name: &str) -> ApplyEvent {
        ApplyEvent::Step {
            name: name.into(),
            message: "created".into(),
        }
    }

    #[test]
    fn a_deployment_gets_a_still_waiting_line_only_after_an_interval_without_one() {
        let mut log = ApplyLog::new(Duration::from_secs(30));
        let start = log.started;
        assert_eq!(log.next_heartbeat(), None, "nothing runs yet");
        log.event(&step("a"), start);
        log.event(&step("b"), start + Duration::from_secs(10));
        assert_eq!(log.next_heartbeat(), Some(start + Duration::from_secs(30)));
        log.heartbeats(start + Duration::from_secs(30));
        // `a` had its line; `b` is due 30 s after its own last line.
        assert_eq!(log.next_heartbeat(), Some(start + Duration::from_secs(40)));
        let finished = ApplyEvent::Finished {
            name: "b".into(),
            outcome: ApplyOutcome::Updated {
                deployment_id: Uuid::nil(),
            },
        };
        log.event(&finished, start + Duration::from_secs(35));
        assert_eq!(log.next_heartbeat(), Some(start + Duration::from_secs(60)));
    }

    #[test]
    fn an_outcome_line_names_the_deployment_and_how_long_it_took() {
        let id = Uuid::nil();
        let failed = ApplyOutcome::Failed {
            deployment_id: id,
            revision_id: id,
            status: "BUILD_FAILED".into(),
        };
        let line = log_line(
            Duration::from_secs(62),
            "support-agent",
            Note::Finished(&failed, Some(Duration::from_secs(61))),
        );
        assert_eq!(
            line,
            format!("[1m 2s] support-agent: failed after 1m 1s: revision {id} is BUILD_FAILED")
        );
        let unchanged = ApplyOutcome::Unchanged {
            deployment_id: None,
        };
        assert_eq!(
            log_line(Duration::ZERO, "x", Note::Finished(&unchanged, None)),
            "[0s] x: no change"
        );
    }
}
