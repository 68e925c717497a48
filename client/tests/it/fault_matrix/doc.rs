//! `docs/FAULTS.md`, written from the same table the test checks.

use std::fmt::Write;
use std::time::Duration;

use super::table::{Attempts, Expect, Outcome, Row, faulty_requests};
use super::wire::Op;
use super::{
    HEAVY_REQUEST_TIMEOUT, NO_SERVER_WAIT_TIMEOUT, POLL_INTERVAL, REQUEST_TIMEOUT, RETRIES,
    SLOW_HEADERS, WAIT_TIMEOUT, retry_policy,
};

pub fn render(matrix: &[Row]) -> String {
    let mut doc = String::new();
    let policy = retry_policy();
    let _ = writeln!(
        doc,
        "# Fault matrix\n\n\
         What a caller of `langsmith-control-plane` gets when the network or the service misbehaves, \
         for five operations crossed with {faults} faults ({cells} cells). Each cell is checked by \
         `client/tests/it/fault_matrix.rs`, which also checks that this file matches its table; after \
         changing the table, regenerate it with\n\n\
         ```sh\nUPDATE_FAULTS_DOC=1 cargo test -p langsmith-control-plane --test it fault_matrix\n```\n\n\
         Every cell is also checked to end without a panic or a hang, and a POST that reached the \
         server is never sent again (on the mock, at most one deployment or revision is created).",
        faults = matrix.len(),
        cells = matrix.len() * Op::ALL.len(),
    );
    let _ = writeln!(
        doc,
        "\n## Settings\n\n\
         - Retry policy: {RETRIES} retries, backoff {initial} ms doubling to {max} ms with jitter, \
         {deadline} s overall deadline (`RetryPolicy::default().max_retries({RETRIES})...`).\n\
         - Request timeout: {timeout} ms per attempt ({heavy} s for the 50 MiB bodies, which are \
         about the size limit); default response size limit (16 MiB).\n\
         - Wait: polls every {poll} ms, times out after {wait} s ({no_server} s with no server, \
         where it can only time out).\n\
         - Slow headers: the mock answers {slow} s late. Slow body: the head arrives at once, \
         the body one byte every 50 ms.",
        initial = super::INITIAL_BACKOFF.as_millis(),
        max = super::MAX_BACKOFF.as_millis(),
        deadline = policy.deadline().unwrap_or_default().as_secs(),
        timeout = REQUEST_TIMEOUT.as_millis(),
        poll = POLL_INTERVAL.as_millis(),
        heavy = HEAVY_REQUEST_TIMEOUT.as_secs(),
        wait = WAIT_TIMEOUT.as_secs(),
        no_server = NO_SERVER_WAIT_TIMEOUT.as_secs(),
        slow = SLOW_HEADERS.as_secs(),
    );
    let _ = writeln!(doc, "\n## Which requests meet the fault\n");
    for op in Op::ALL {
        let requests = match faulty_requests(op) {
            None => "every request".to_string(),
            Some(n) => format!("the first {n} requests"),
        };
        let _ = writeln!(doc, "- {}: {requests}. {}", op.title(), op_note(op));
    }
    let _ = writeln!(
        doc,
        "\n## Outcomes\n\n\
         Each cell reads *outcome · requests sent · time bound*. `ok` is a success (for the wait: \
         `RevisionOutcome::Deployed`); other outcomes name the `Error` variant. Requests are counted \
         at the client and, except for refused connections, at the server, and the two counts agree.\n"
    );
    let _ = write!(doc, "| Fault | Server |");
    for op in Op::ALL {
        let _ = write!(doc, " {} |", op.title());
    }
    let _ = write!(doc, "\n|---|---|");
    for _ in Op::ALL {
        let _ = write!(doc, "---|");
    }
    doc.push('\n');
    for row in matrix {
        let _ = write!(doc, "| {} | {} |", row.fault, row.wire.name());
        for cell in &row.cells {
            let _ = write!(doc, " {} |", describe(cell));
        }
        doc.push('\n');
    }
    let _ = writeln!(doc, "\n{}", summary(matrix));
    doc
}

fn op_note(op: Op) -> &'static str {
    match op {
        Op::Get => "The cell shows where retries stop and which error the caller gets.",
        Op::List => {
            "`revisions(d).list().page_size(2).collect()` over 3 revisions: 2 pages when nothing fails."
        }
        Op::Wait => {
            "`wait_for_revision` on a deployed revision: one poll uses up its 4 attempts, the next recovers."
        }
        Op::Create | Op::Redeploy => "A POST repeated even once would meet the fault again.",
    }
}

pub fn outcome_name(outcome: Outcome) -> String {
    match outcome {
        Outcome::Ok => "ok".into(),
        Outcome::OkUnknown => "ok, values kept as `Unrecognized`".into(),
        Outcome::TimedOut => "`TimedOut`".into(),
        Outcome::Transport(kind) => format!("`Transport({kind:?})`"),
        Outcome::Server(status) => format!("`Server({status})`"),
        Outcome::RateLimited(Some(s)) => format!("`RateLimited` (retry after {s} s)"),
        Outcome::RateLimited(None) => "`RateLimited`".into(),
        Outcome::Decode => "`Decode`".into(),
        Outcome::TooLarge => "`Decode` (size limit)".into(),
    }
}

fn describe(cell: &Expect) -> String {
    let attempts = match cell.attempts {
        Attempts::Exactly(n) => n.to_string(),
        Attempts::PerPoll(n) => format!("{n} per poll"),
    };
    let mut time = format!("≤ {}", seconds(cell.within));
    if !cell.at_least.is_zero() {
        time = format!("{} – {}", seconds(cell.at_least), seconds(cell.within));
    }
    format!("{} · {attempts} · {time}", outcome_name(cell.outcome))
}

fn seconds(d: Duration) -> String {
    let text = format!("{:.1}", d.as_secs_f64());
    format!("{} s", text.trim_end_matches(".0"))
}

fn summary(matrix: &[Row]) -> String {
    let cells: Vec<&Expect> = matrix.iter().flat_map(|row| &row.cells).collect();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for cell in &cells {
        let name = match cell.outcome {
            Outcome::Ok | Outcome::OkUnknown => "success".to_string(),
            Outcome::TimedOut => "wait timed out".to_string(),
            other => outcome_name(other),
        };
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(n, c)| format!("{n}: {c}")).collect();
    format!("{} cells. {}.", cells.len(), parts.join("; "))
}
