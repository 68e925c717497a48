//! Printing results: JSON documents for machines, tables for people. Results go to stdout;
//! diagnostics go to stderr elsewhere.
//!
//! Everything printed here is inert (see [`crate::inert`]): JSON goes through
//! [`inert::JsonFormatter`], table cells through [`inert::escape`], and [`line()`] and
//! [`diagnostic`] escape any control character but the line feed, as a last guard behind the
//! escaping each caller does for server text that must stay on its line. Under GitHub Actions
//! both also pass [`github::guard_lines`], so that no line is taken for a workflow command.

use std::io::{ErrorKind, Write};
use std::time::Duration;

use crate::inert::Inert;
use chrono::{DateTime, Utc};
use clap::ValueEnum;
use comfy_table::{Table, presets};
use futures::{Stream, TryStreamExt};
use langsmith_control_plane::types::{RevisionPhase, RevisionStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exit::Failure;
use crate::{github, inert};

/// `--output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and sentences for people
    Text,
    /// One JSON document per line, in the API's own shape
    Json,
}

/// How this run prints results. Every object goes through [`Output::printable`], so no format
/// can show a secret value unless `--show-secrets` was given (CONTRACT section 8).
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// `--output`.
    pub format: OutputFormat,
    /// `--show-secrets`.
    pub show_secrets: bool,
}

impl Output {
    /// `value` as it may be printed: its JSON, with secret values masked unless asked for.
    fn printable<T: Serialize + ?Sized>(&self, value: &T) -> Result<Value, Failure> {
        let mut value = serde_json::to_value(value)
            .map_err(|e| Failure::error(format!("could not encode the response as JSON: {e}")))?;
        if !self.show_secrets {
            crate::redact::mask_secrets(&mut value);
        }
        Ok(value)
    }

    /// The typed object back from its printable JSON, for text renderers: they only ever see the
    /// masked copy.
    fn decode<T: DeserializeOwned>(value: Value) -> Result<T, Failure> {
        serde_json::from_value(value).map_err(|e| {
            Failure::error(format!("could not prepare the response for printing: {e}"))
        })
    }

    /// One JSON document on one line of stdout, for callers that chose JSON themselves.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), Failure> {
        json_line(&self.printable(value)?)
    }

    /// One object: its JSON document, or what `text` prints from it.
    pub fn object<T: Serialize + DeserializeOwned>(
        &self,
        item: &T,
        text: impl FnOnce(&T) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let value = self.printable(item)?;
        match self.format {
            OutputFormat::Json => json_line(&value),
            OutputFormat::Text => text(&Self::decode(value)?),
        }
    }

    /// Prints a listing as it arrives: a JSON line per item, or, once all are in, a table of
    /// `row(item)` under `header` (or `empty` on stderr when there are none).
    pub async fn list<T, E>(
        &self,
        stream: impl Stream<Item = Result<T, E>>,
        header: &[&str],
        empty: &str,
        row: impl Fn(&T) -> Vec<String>,
    ) -> Result<(), Failure>
    where
        T: Serialize + DeserializeOwned,
        Failure: From<E>,
    {
        futures::pin_mut!(stream);
        let mut rows = Vec::new();
        while let Some(item) = stream.try_next().await? {
            let value = self.printable(&item)?;
            match self.format {
                OutputFormat::Json => json_line(&value)?,
                OutputFormat::Text => rows.push(row(&Self::decode(value)?)),
            }
        }
        if self.format == OutputFormat::Text {
            if rows.is_empty() {
                diagnostic(empty);
            } else {
                table(header, rows)?;
            }
        }
        Ok(())
    }
}

/// `value` as one line of JSON with nothing in it a terminal acts on; the one encoder of every
/// JSON document lscp prints.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    inert::to_json(value)
        .map_err(|e| Failure::error(format!("could not encode the output as JSON: {e}")))
}

/// Writes `value` as one line of JSON to stdout.
fn json_line(value: &Value) -> Result<(), Failure> {
    line(&json_text(value)?)
}

/// Writes `text` and a newline to stdout, its control characters but line feeds escaped.
pub fn line(text: &str) -> Result<(), Failure> {
    let text = inert::escape_keeping_lines(text);
    let text = github::guard_lines(&text);
    bytes(format!("{text}\n").as_bytes())
}

/// Writes `data` to stdout. A closed pipe (`lscp ... | head`) is not an error and does not stop
/// the command: its exit code must still report the outcome (CONTRACT section 8).
pub fn bytes(data: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(data).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("could not write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes `text` and a newline to stderr, its control characters but line feeds escaped.
/// Unlike `eprintln!`, a closed or failing stderr is ignored: there is nowhere left to report
/// it, and it must not change the exit code.
pub fn diagnostic(text: &str) {
    let text = inert::escape_keeping_lines(text);
    let text = github::guard_lines(&text);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A table with a header row and no borders, like `kubectl get`. Each cell is escaped whole: a
/// line break in a cell would otherwise split its row.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Result<(), Failure> {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row.iter().map(|cell| inert::escape(cell)));
    }
    line(&render(table))
}

/// A two-column table of one object's fields, each value escaped whole; fields without a value
/// are left out.
pub fn details(fields: Vec<(&str, Option<String>)>) -> Result<(), Failure> {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    for (name, value) in fields {
        if let Some(value) = value {
            table.add_row(vec![format!("{name}:"), inert::escape(&value).into_owned()]);
        }
    }
    line(&render(table))
}

/// Two spaces between columns, none before the first or after the last.
fn render(mut table: Table) -> String {
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table.trim_fmt()
}

/// A time for people: `2026-08-01 12:00:03 UTC`.
pub fn time(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A duration for people, to the second (or the millisecond below one second).
pub fn elapsed(duration: Duration) -> String {
    let rounded = if duration < Duration::from_secs(1) {
        Duration::from_millis(duration.as_millis() as u64)
    } else {
        Duration::from_secs(duration.as_secs())
    };
    humantime::format_duration(rounded).to_string()
}

/// A line of a log read later (a CI log): `[1m 2s] text`, the time since the wait began first.
pub fn stamped(since_start: Duration, text: &str) -> String {
    format!("[{}] {text}", elapsed(since_start))
}

/// A revision status with its progress: `BUILDING (step 4 of 6, building)`, or the status alone
/// when it has no step (`DEPLOYED`, a failure, a status this build does not know).
pub fn revision_status(status: &RevisionStatus) -> String {
    format!("{}{}", Inert(status), phase(status.phase().as_ref()))
}

/// A revision's progress after its status: ` (step 2 of 6, building)`, or nothing without a
/// phase.
fn phase(phase: Option<&RevisionPhase>) -> String {
    phase
        .map(|p| format!(" (step {} of {}, {})", p.step, p.total, p.label))
        .unwrap_or_default()
}

/// `-` for a missing value in a table cell.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}
