//! Build and deploy logs of a revision, written as its script reaches each phase, and read in
//! pages with an opaque string cursor.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use langsmith_control_plane_api::open_enums::{DeploymentSource, LogLevel, RevisionStatus};
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::world::store::RevisionRecord;

/// The two log streams of a revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Build,
    Deploy,
}

/// One line a revision will have written `offset` after its creation.
#[derive(Clone, Debug)]
struct Line {
    offset: Duration,
    stream: Stream,
    level: &'static str,
    message: String,
}

/// What a reader asked for.
#[derive(Debug)]
pub(crate) struct LogQuery {
    pub(crate) stream: Stream,
    pub(crate) descending: bool,
    pub(crate) limit: usize,
    pub(crate) cursor: Option<usize>,
    pub(crate) min_level: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) end: Option<DateTime<Utc>>,
}

/// One page: the entries and the cursor to continue from.
#[derive(Debug)]
pub(crate) struct LogPage {
    pub(crate) logs: Vec<Map<String, Value>>,
    pub(crate) next_offset: Option<String>,
}

/// Reads a cursor made by [`read`]; `None` when it is not one.
pub(crate) fn parse_cursor(raw: &str) -> Option<usize> {
    raw.strip_prefix("log-")?.parse().ok()
}

fn cursor(position: usize) -> String {
    format!("log-{position}")
}

/// One page of a revision's logs as of `now`.
///
/// Positions count the stream's lines in time order, before filtering, so cursors stay valid while
/// the stream grows. Reading forward, `next_offset` is given while more lines exist or may still
/// be written (the revision has not got past that stream yet); reading backward, while older
/// lines exist.
pub(crate) fn read(revision: &RevisionRecord, now: Instant, query: &LogQuery) -> LogPage {
    let lines: Vec<Line> = script_lines(revision)
        .into_iter()
        .filter(|line| line.stream == query.stream)
        .collect();
    let reached = revision.progress(now);
    let halted = revision.halt.is_some();
    let visible = lines
        .iter()
        .take_while(|line| line.offset <= reached)
        .count();
    let still_writing = !halted && visible < lines.len();

    let min_rank = query.min_level.as_deref().map_or(0, rank);
    let needle = query.text.as_deref().map(str::to_lowercase);
    let matches = |position: &usize| {
        let line = &lines[*position];
        let at = revision.at_offset(line.offset);
        rank(line.level) >= min_rank
            && needle
                .as_ref()
                .is_none_or(|n| line.message.to_lowercase().contains(n))
            && query.start.is_none_or(|start| at >= start)
            && query.end.is_none_or(|end| at <= end)
    };

    let (page, more): (Vec<usize>, bool) = if query.descending {
        let before = query.cursor.unwrap_or(visible).min(visible);
        let mut candidates = (0..before).rev().filter(matches);
        let page: Vec<usize> = candidates.by_ref().take(query.limit).collect();
        (page, candidates.next().is_some())
    } else {
        let from = query.cursor.unwrap_or(0);
        let mut candidates = (from..visible).filter(matches);
        let page: Vec<usize> = candidates.by_ref().take(query.limit).collect();
        (page, candidates.next().is_some())
    };

    let next_offset = if query.descending {
        page.last().filter(|_| more).map(|last| cursor(*last))
    } else if more || still_writing {
        let resume = page
            .last()
            .map_or(query.cursor.unwrap_or(0), |last| last + 1);
        Some(cursor(resume))
    } else {
        None
    };
    let logs = page
        .iter()
        .map(|position| {
            let line = &lines[*position];
            let timestamp = revision
                .at_offset(line.offset)
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            Map::from_iter([
                ("timestamp".to_string(), Value::from(timestamp)),
                ("level".to_string(), Value::from(line.level)),
                ("message".to_string(), Value::from(line.message.as_str())),
            ])
        })
        .collect();
    LogPage { logs, next_offset }
}

/// A level's severity: its place in the document's list, lowest first.
fn rank(level: &str) -> usize {
    LogLevel::KNOWN
        .iter()
        .position(|l| l.as_str().eq_ignore_ascii_case(level))
        .unwrap_or(0)
}

/// Every line the revision's script will write, in time order.
fn script_lines(revision: &RevisionRecord) -> Vec<Line> {
    let mut lines = Vec::new();
    let steps: Vec<_> = revision.script.schedule().collect();
    let end = revision.script.total();
    let outcome = revision.script.outcome();
    for (index, (status, begins, ends)) in steps.iter().enumerate() {
        let last = index + 1 == steps.len();
        match status {
            RevisionStatus::Creating | RevisionStatus::Queued => {}
            RevisionStatus::AwaitingBuild => lines.push(line(
                *begins,
                Stream::Build,
                "INFO",
                "Waiting for an available builder",
            )),
            RevisionStatus::Building => {
                let fails_here = last && *outcome == RevisionStatus::BuildFailed;
                spread(
                    &mut lines,
                    Stream::Build,
                    *begins,
                    *ends,
                    build_messages(revision, fails_here),
                );
                if !fails_here {
                    lines.push(line(*ends, Stream::Build, "INFO", "Build succeeded"));
                }
            }
            RevisionStatus::AwaitingDeploy => lines.push(line(
                *begins,
                Stream::Deploy,
                "INFO",
                "Waiting for the deployment to be scheduled",
            )),
            RevisionStatus::Deploying => spread(
                &mut lines,
                Stream::Deploy,
                *begins,
                *ends,
                deploy_messages(last && *outcome == RevisionStatus::DeployFailed),
            ),
            other => lines.push(line(
                *begins,
                Stream::Deploy,
                "INFO",
                &format!("Revision status is now {other}"),
            )),
        }
    }
    lines.extend(outcome_lines(revision, end));
    lines.sort_by_key(|l| l.offset);
    lines
}

/// The last lines, written when the revision reaches its final status: for a failure, what
/// failed, so that the tail of the log explains it.
fn outcome_lines(revision: &RevisionRecord, end: Duration) -> Vec<Line> {
    let archive_failure = revision
        .archive
        .as_ref()
        .and_then(|archive| archive.failure.as_deref());
    match revision.script.outcome() {
        RevisionStatus::Deployed => vec![line(
            end,
            Stream::Deploy,
            "INFO",
            "Revision deployed and serving traffic",
        )],
        RevisionStatus::CreateFailed => vec![line(
            end,
            Stream::Build,
            "ERROR",
            "Could not create the revision",
        )],
        RevisionStatus::BuildFailed => match archive_failure {
            Some(reason) => vec![line(end, Stream::Build, "ERROR", reason)],
            None => vec![
                line(
                    end,
                    Stream::Build,
                    "ERROR",
                    "ERROR: No matching distribution found for example-missing-package==9.9.9",
                ),
                line(
                    end,
                    Stream::Build,
                    "ERROR",
                    "Build failed: installing dependencies exited with status 1",
                ),
            ],
        },
        RevisionStatus::DeployFailed => vec![
            line(
                end,
                Stream::Deploy,
                "ERROR",
                "Health check: GET /ok did not succeed within 300 s",
            ),
            line(
                end,
                Stream::Deploy,
                "ERROR",
                "Deployment failed: the server did not pass its health check in time",
            ),
        ],
        other => vec![line(
            end,
            Stream::Deploy,
            "INFO",
            &format!("Revision status is now {other}"),
        )],
    }
}

fn line(offset: Duration, stream: Stream, level: &'static str, message: &str) -> Line {
    Line {
        offset,
        stream,
        level,
        message: message.to_string(),
    }
}

/// Lines evenly spaced from `begins` to just before `ends`.
fn spread(
    lines: &mut Vec<Line>,
    stream: Stream,
    begins: Duration,
    ends: Duration,
    messages: Vec<(&'static str, String)>,
) {
    let count = u32::try_from(messages.len()).unwrap_or(u32::MAX).max(1);
    let step = (ends - begins) / count;
    for (i, (level, message)) in (0..count).zip(messages) {
        lines.push(Line {
            offset: begins + step * i,
            stream,
            level,
            message,
        });
    }
}

/// The build's steps; when it `fails` (installing dependencies), the steps after are not
/// reached, and one that finds its source archive unusable stops after unpacking it.
fn build_messages(revision: &RevisionRecord, fails: bool) -> Vec<(&'static str, String)> {
    let config = &revision.config;
    let fetch = match revision.source {
        DeploymentSource::Github => format!(
            "Cloning {} at {}",
            revision.repo_url.as_deref().unwrap_or("repository"),
            config.repo_ref.as_deref().unwrap_or("HEAD"),
        ),
        DeploymentSource::InternalSource => format!(
            "Unpacking source archive {}",
            config
                .source_tarball_path
                .as_deref()
                .unwrap_or("(uploaded)")
        ),
        _ => format!("Pulling {}", config.image_uri.as_deref().unwrap_or("image")),
    };
    let manifest = config
        .langgraph_config_path
        .as_deref()
        .unwrap_or("langgraph.json");
    let mut messages = vec![("INFO", fetch)];
    if let Some(archive) = &revision.archive {
        messages.extend(archive.lines.iter().map(|l| ("INFO", l.clone())));
        if archive.failure.is_some() {
            return messages;
        }
    }
    messages.extend([
        ("INFO", format!("Reading {manifest}")),
        ("DEBUG", "Build cache: no reusable layers".to_string()),
        (
            "WARNING",
            "No lock file found; resolving dependencies from scratch".to_string(),
        ),
        ("INFO", "Installing dependencies".to_string()),
    ]);
    if !fails {
        messages.extend([
            ("INFO", "Building image".to_string()),
            ("INFO", "Pushing image".to_string()),
        ]);
    }
    messages
}

/// The deployment's steps; when it `fails`, the health check never passes.
fn deploy_messages(fails: bool) -> Vec<(&'static str, String)> {
    let steps: &[(&'static str, &str)] = &[
        ("INFO", "Creating deployment resources"),
        ("INFO", "Pulling image"),
        ("INFO", "Starting API server"),
        ("DEBUG", "Health check: waiting for /ok"),
        ("INFO", "Health check passed"),
    ];
    let reached = if fails { &steps[..4] } else { steps };
    reached
        .iter()
        .map(|(level, message)| (*level, message.to_string()))
        .collect()
}
