//! The expected result of every cell: one row per fault, one entry per operation.
//!
//! Reading a row: `ends(Server(503), 4)` means the call ends in `Error::Server` with status 503
//! after exactly 4 requests; `ok(3)` means it succeeds after 3. Time bounds default to
//! [`QUICK`]; `.slow(at_least, within)` sets both bounds where timeouts or `Retry-After` waits
//! make a cell take longer.

use std::time::Duration;

use langsmith_control_plane::TransportErrorKind::{Body, Connect, Connection, Timeout};
use langsmith_control_plane_mock::{Fault, RetryAfter};

use super::wire::{Op, Wire, cut_body, trickle, unknown_values};
use super::{REQUEST_TIMEOUT, SLOW_HEADERS};

/// How a cell ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The call succeeds (a wait: `RevisionOutcome::Deployed`).
    Ok,
    /// The call succeeds and the unknown enum values come back as `Unrecognized`.
    OkUnknown,
    /// A wait ends in `RevisionOutcome::TimedOut` without having seen a status.
    TimedOut,
    /// `Error::Transport` of this kind.
    Transport(langsmith_control_plane::TransportErrorKind),
    /// `Error::Server` with this status.
    Server(u16),
    /// `Error::RateLimited`, with the `Retry-After` seconds it carried.
    RateLimited(Option<u64>),
    /// `Error::Decode`: the body is not what the API describes.
    Decode,
    /// `Error::Decode` naming the response size limit.
    TooLarge,
}

/// How many requests a cell sends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Attempts {
    Exactly(usize),
    /// A wait that never gets an answer: each poll makes this many attempts, until the timeout.
    PerPoll(usize),
}

#[derive(Clone, Copy, Debug)]
pub struct Expect {
    pub outcome: Outcome,
    pub attempts: Attempts,
    pub at_least: Duration,
    pub within: Duration,
}

/// Bound of the cells without timeouts or `Retry-After` waits (which take well under a second):
/// generous, as the machine is shared and runs other tests at the same time.
pub const QUICK: Duration = Duration::from_secs(3);

impl Expect {
    fn slow(mut self, at_least: Duration, within: Duration) -> Self {
        self.at_least = at_least;
        self.within = within;
        self
    }
}

fn ok(attempts: usize) -> Expect {
    ends(Outcome::Ok, attempts)
}

fn ends(outcome: Outcome, attempts: usize) -> Expect {
    Expect {
        outcome,
        attempts: Attempts::Exactly(attempts),
        at_least: Duration::ZERO,
        within: QUICK,
    }
}

pub struct Row {
    pub fault: &'static str,
    pub wire: Wire,
    /// In the order of [`Op::ALL`]: Get Revision, list, wait, create, redeploy.
    pub cells: [Expect; 5],
}

fn row(fault: &'static str, wire: Wire, cells: [Expect; 5]) -> Row {
    Row { fault, wire, cells }
}

/// For a fault that is retried, per operation (in the order of [`Op::ALL`]): the attempts that
/// meet it, and the retries that follow one of them (the wait's count includes the pause its
/// next poll takes after a poll that failed).
const FAULTY_ATTEMPTS: [u32; 5] = [4, 2, 5, 1, 1];
const RETRIES_AFTER_A_FAULT: [u32; 5] = [3, 2, 5, 0, 0];

/// Get Revision exhausts its retries and gets `error`; the list and the wait recover; a POST
/// that was sent gets `error` at once.
fn retried(fault: &'static str, wire: Wire, error: Outcome) -> Row {
    retried_slowly(fault, wire, error, Duration::ZERO, Duration::ZERO)
}

/// Like [`retried`], each faulty attempt lasting `attempt` and each retry after one waiting
/// `retry_wait`: the lower time bound, with [`QUICK`] to spare above it.
fn retried_slowly(
    fault: &'static str,
    wire: Wire,
    error: Outcome,
    attempt: Duration,
    retry_wait: Duration,
) -> Row {
    let attempts = [4, 4, 6, 1, 1];
    let mut cells = [ends(Outcome::Ok, 0); 5];
    for (i, cell) in cells.iter_mut().enumerate() {
        let outcome = if matches!(i, 1 | 2) {
            Outcome::Ok
        } else {
            error
        };
        let at_least = attempt * FAULTY_ATTEMPTS[i] + retry_wait * RETRIES_AFTER_A_FAULT[i];
        *cell = ends(outcome, attempts[i]).slow(at_least, at_least + QUICK);
    }
    row(fault, wire, cells)
}

/// A body that is not what the API describes: never retried, whatever the method. A wait
/// rides out two such answers in a row and ends with the third.
fn undecodable(fault: &'static str, wire: Wire, outcome: Outcome) -> Row {
    let mut cells = [ends(outcome, 1); 5];
    cells[2] = ends(outcome, 3);
    row(fault, wire, cells)
}

/// The bound of a cell that reads 16 MiB on each of up to 6 attempts.
pub const HEAVY_BOUND: Duration = Duration::from_secs(10);

/// Reading 16 MiB before giving up takes a while at debug speed on a busy machine: up to
/// [`HEAVY_BOUND`] for a cell of this row (its attempts are still counted exactly).
fn heavy(mut row: Row) -> Row {
    for cell in &mut row.cells {
        cell.within = HEAVY_BOUND;
    }
    row
}

/// Every fault the matrix covers, in the order of the published table.
pub fn matrix() -> Vec<Row> {
    use Outcome::*;
    let timed_out = Transport(Timeout);
    let connect = ends(Transport(Connect), 4);
    let one_second = Duration::from_secs(1);
    vec![
        row(
            "connection refused",
            Wire::Refused,
            [
                connect,
                connect,
                Expect {
                    outcome: TimedOut,
                    attempts: Attempts::PerPoll(4),
                    at_least: Wire::Refused.wait_timeout(),
                    within: Wire::Refused.wait_timeout() + QUICK,
                },
                connect,
                connect,
            ],
        ),
        retried(
            "reset before the response",
            Wire::Mock(Fault::drop_response),
            Transport(Connection),
        ),
        retried("reset mid-body", Wire::Scripted(cut_body), Transport(Body)),
        retried("500", Wire::Mock(|| Fault::status(500)), Server(500)),
        retried("502", Wire::Mock(|| Fault::status(502)), Server(502)),
        retried("503", Wire::Mock(|| Fault::status(503)), Server(503)),
        retried("504", Wire::Mock(|| Fault::status(504)), Server(504)),
        retried_slowly(
            "429 with Retry-After: 1",
            Wire::Mock(|| Fault::rate_limited().retry_after(RetryAfter::Seconds(1))),
            RateLimited(Some(1)),
            Duration::ZERO,
            one_second,
        ),
        retried(
            "429 without Retry-After",
            Wire::Mock(Fault::rate_limited),
            RateLimited(None),
        ),
        retried_slowly(
            "slow headers (past the request timeout)",
            Wire::Mock(|| Fault::latency(SLOW_HEADERS)),
            timed_out,
            REQUEST_TIMEOUT,
            Duration::ZERO,
        ),
        retried_slowly(
            "slow body (trickles past the request timeout)",
            Wire::Scripted(trickle),
            timed_out,
            REQUEST_TIMEOUT,
            Duration::ZERO,
        ),
        undecodable("truncated JSON", Wire::Mock(Fault::truncated_json), Decode),
        retried(
            "HTML error page (502)",
            Wire::Mock(|| Fault::html(502)),
            Server(502),
        ),
        undecodable("empty body", Wire::Mock(Fault::empty_body), Decode),
        undecodable(
            "wrong JSON type",
            Wire::Mock(Fault::wrong_json_type),
            Decode,
        ),
        heavy(undecodable(
            "50 MiB body",
            Wire::Huge { error_page: false },
            TooLarge,
        )),
        heavy(retried(
            "50 MiB error page (502)",
            Wire::Huge { error_page: true },
            TooLarge,
        )),
        row(
            "unknown enum values",
            Wire::Scripted(unknown_values),
            [
                ends(OkUnknown, 1),
                ends(OkUnknown, 2),
                ok(6),
                ends(OkUnknown, 1),
                ends(OkUnknown, 1),
            ],
        ),
    ]
}

/// Which requests of each operation the fault answers.
pub fn faulty_requests(op: Op) -> Option<usize> {
    match op {
        // Every request, so the cell shows where retries stop and what the caller gets.
        Op::Get => None,
        // The first page's first two attempts: the listing recovers within its retries.
        Op::List => Some(2),
        // One poll's four attempts and one more: the wait outlives a failed poll.
        Op::Wait => Some(5),
        // Two requests: a POST repeated even once would meet the fault again, and show.
        Op::Create | Op::Redeploy => Some(2),
    }
}
