//! What `lscp deploy` prints as it goes: one JSON line per event (`-o json`, with a schema in
//! `lscp schema deploy-event`), or for people, steps, an upload bar and a live status on stderr.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use langsmith_control_plane::LogEntry;
use langsmith_control_plane::deploy::DeployEvent;
use langsmith_control_plane::types::{LogType, Revision};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::exit::Failure;
use crate::github::{Fold, FoldStream};
use crate::inert::{self, Inert};
use crate::live::{LiveLine, status_bar};
use crate::output::{self, Output, OutputFormat};

/// One line of `lscp -o json deploy`. Every line has an `event` field saying which kind it is;
/// the last line of a deploy that reached an outcome is the only `result`. Fields may be added
/// in later versions.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventLine {
    /// A step of the deploy begins (found or created the deployment, archived, uploading, ...).
    Step {
        /// What is happening, for people.
        message: String,
    },
    /// Bytes of the source archive sent so far (`--source-dir` only).
    UploadProgress {
        /// Sent so far.
        sent_bytes: u64,
        /// Size of the compressed archive.
        total_bytes: u64,
    },
    /// The revision's first status, or a change of it.
    StatusChange {
        /// The revision.
        revision_id: Uuid,
        /// The API's status, e.g. `BUILDING`.
        status: String,
        /// Seconds since the wait began.
        elapsed_seconds: f64,
    },
    /// A build or deploy log entry (`--logs` only).
    Log {
        /// `build` or `deploy`.
        log_type: String,
        /// The entry as the API sent it (usually `timestamp`, `level`, `message`).
        entry: Map<String, Value>,
    },
    /// Still waiting; sent after 30 s without another event.
    Heartbeat {
        /// Seconds since the wait began.
        elapsed_seconds: f64,
    },
    /// The deployment's page in the LangSmith UI.
    StatusUrl {
        /// The page.
        url: String,
    },
    /// How the deploy ended. Exactly one, always last.
    Result(ResultLine),
}

/// The `result` line.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResultLine {
    /// How it ended; the exit code follows it (0, 3, 5, 4; 0 for `started`).
    pub outcome: Outcome,
    /// The deployment.
    pub deployment_id: Uuid,
    /// Its name.
    pub deployment_name: String,
    /// The revision this deploy started.
    pub revision_id: Uuid,
    /// The revision's last status seen; absent with `--no-wait`, or when a wait timed out before
    /// any status was seen.
    pub status: Option<String>,
    /// The deployment's page in the LangSmith UI.
    pub status_url: String,
    /// Seconds waited, for `timed_out`.
    pub waited_seconds: Option<f64>,
    /// The last entries of the build log (BUILD_FAILED) or deploy log (DEPLOY_FAILED).
    pub failure_log: Vec<Map<String, Value>>,
}

/// How a deploy ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The revision is DEPLOYED (exit 0).
    Deployed,
    /// The revision failed: CREATE_FAILED, BUILD_FAILED or DEPLOY_FAILED (exit 3).
    Failed,
    /// A newer revision replaced it before it went live: SKIPPED (exit 5).
    Superseded,
    /// `--timeout` passed first; the revision goes on (exit 4).
    TimedOut,
    /// `--no-wait`: the revision started (exit 0).
    Started,
}

/// Shows a deploy's events as they come.
pub struct Report {
    printer: Output,
    /// Whether stderr is a terminal that can take bars and a live status line.
    live: bool,
    upload: Option<LiveLine>,
    /// Quarter of the upload last reported on plain stderr.
    upload_quarter: u64,
    status: Option<LiveLine>,
    /// The last status seen, for heartbeats.
    last_status: Option<String>,
    /// When the deploy began.
    started: Instant,
    /// Under GitHub Actions, the log whose lines are being folded (see [`Fold`]).
    fold: Option<(LogType, Fold)>,
}

impl Report {
    pub fn new(printer: Output) -> Self {
        Self {
            printer,
            live: printer.format == OutputFormat::Text && std::io::stderr().is_terminal(),
            upload: None,
            upload_quarter: 0,
            status: None,
            last_status: None,
            started: Instant::now(),
            fold: None,
        }
    }

    /// Time since the deploy began.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn json(&self) -> bool {
        self.printer.format == OutputFormat::Json
    }

    /// Shows one event; `Finished` is left to the caller.
    pub fn event(&mut self, event: &DeployEvent) -> Result<(), Failure> {
        if !matches!(event, DeployEvent::Log { .. }) {
            // Status lines and steps show outside the folded log.
            self.fold = None;
        }
        match event {
            DeployEvent::Step(message) => self.step(message),
            DeployEvent::UploadProgress { sent, total } => self.upload(*sent, *total),
            DeployEvent::StatusChange { revision, elapsed } => self.status(revision, *elapsed),
            DeployEvent::Log { log_type, entry } => self.log(log_type, entry),
            DeployEvent::Heartbeat { elapsed } => self.heartbeat(*elapsed),
            DeployEvent::StatusUrl(url) => {
                if self.json() {
                    return self
                        .printer
                        .json(&EventLine::StatusUrl { url: url.clone() });
                }
                self.say(&format!("dashboard: {url}"));
                Ok(())
            }
            // A kind of event this build does not know: nothing to show.
            _ => Ok(()),
        }
    }

    fn step(&mut self, message: &str) -> Result<(), Failure> {
        if self.json() {
            return self.printer.json(&EventLine::Step {
                message: message.to_string(),
            });
        }
        self.say(message);
        Ok(())
    }

    fn upload(&mut self, sent: u64, total: u64) -> Result<(), Failure> {
        if self.json() {
            return self.printer.json(&EventLine::UploadProgress {
                sent_bytes: sent,
                total_bytes: total,
            });
        }
        if self.live {
            let bar = self.upload.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "uploading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
                    )
                    .expect("a valid template")
                    .progress_chars("=> "),
                );
                LiveLine::new(bar)
            });
            bar.set_position(sent);
            if sent >= total {
                bar.finish_and_clear();
                self.upload = None;
                self.say(&format!("uploaded {total} bytes"));
            }
        } else {
            // Plain stderr (a CI log): a line per quarter, not one per chunk.
            let quarter = (sent.saturating_mul(4) / total.max(1)).min(4);
            if quarter > self.upload_quarter {
                self.upload_quarter = quarter;
                output::diagnostic(&format!(
                    "uploaded {sent} of {total} bytes ({}%)",
                    quarter * 25
                ));
            }
        }
        Ok(())
    }

    fn status(&mut self, revision: &Revision, elapsed: Duration) -> Result<(), Failure> {
        let status = revision.status.as_str().to_string();
        self.last_status = Some(status.clone());
        if self.json() {
            return self.printer.json(&EventLine::StatusChange {
                revision_id: revision.id,
                status,
                elapsed_seconds: elapsed.as_secs_f64(),
            });
        }
        let text = output::revision_status(&revision.status);
        if !self.live {
            output::diagnostic(&output::stamped(
                elapsed,
                &format!("revision {}: {text}", revision.id),
            ));
            return Ok(());
        }
        let bar = self.status.get_or_insert_with(status_bar);
        if let Some(phase) = revision.status.phase() {
            bar.set_position(u64::from(phase.step));
        }
        bar.set_message(&text);
        Ok(())
    }

    fn log(&mut self, log_type: &LogType, entry: &LogEntry) -> Result<(), Failure> {
        if self.json() {
            return self.printer.json(&EventLine::Log {
                log_type: log_type.as_str().to_string(),
                entry: entry.0.clone(),
            });
        }
        if self
            .fold
            .as_ref()
            .is_none_or(|(folded, _)| folded != log_type)
        {
            // The fold of another log ends before this one opens.
            self.fold = None;
            let title = format!("{log_type} log");
            self.fold = Fold::open(&title, FoldStream::Stderr).map(|fold| (log_type.clone(), fold));
        }
        self.say(&format!("[{log_type}] {}", log_line(entry)));
        Ok(())
    }

    fn heartbeat(&mut self, elapsed: Duration) -> Result<(), Failure> {
        if self.json() {
            return self.printer.json(&EventLine::Heartbeat {
                elapsed_seconds: elapsed.as_secs_f64(),
            });
        }
        // On a terminal the spinner's clock already shows it.
        if !self.live {
            let status = self.last_status.as_deref().unwrap_or("no status yet");
            output::diagnostic(&output::stamped(
                elapsed,
                &format!("still waiting ({})", Inert(status)),
            ));
        }
        Ok(())
    }

    /// A line on stderr, above the live status line when there is one; a line break or control
    /// character in it (from the service, in steps and log lines) is escaped.
    pub fn say(&self, text: &str) {
        let text = inert::escape(text);
        match &self.status {
            Some(bar) => bar.println(&text),
            None => output::diagnostic(&text),
        }
    }

    /// Removes the bars, leaving what was printed above them, and ends a fold.
    pub fn clear(&mut self) {
        self.fold = None;
        for bar in [self.upload.take(), self.status.take()]
            .into_iter()
            .flatten()
        {
            bar.finish_and_clear();
        }
    }
}

/// A log entry for people: `timestamp LEVEL message`, on one line whatever the service put in
/// its fields (a line break in a message is shown as `\n`, and cannot forge a line).
pub fn log_line(entry: &LogEntry) -> String {
    format!(
        "{} {:<7} {}",
        Inert(entry.timestamp().unwrap_or("-")),
        Inert(entry.level().unwrap_or("-")),
        Inert(entry.message().unwrap_or_default())
    )
}
