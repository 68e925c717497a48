//! The fault matrix: Get Revision, a paged list, a wait, create and redeploy, each crossed with
//! every fault in `fault_matrix/table.rs`. Each cell must end as its row says (success, or the
//! named error), after exactly the requests the retry policy allows, within its time bounds,
//! without a panic or a hang, and without sending a POST twice. `docs/FAULTS.md` publishes the
//! same table; a test keeps it current.
//!
//! `FAULT_MATRIX_CELLS=<text>` runs only the cells whose name (`[operation × fault]`) contains it.

mod doc;
use crate::support;
mod table;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use langsmith_control_plane::{Client, Error, RetryPolicy};
use tracing::instrument::WithSubscriber;
use tracing_subscriber::layer::SubscriberExt;

use table::{Attempts, Expect, Outcome, matrix};
use wire::{Ended, Op, Stage, Wire};

pub const RETRIES: u32 = 3;
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(10);
pub const MAX_BACKOFF: Duration = Duration::from_millis(40);
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(500);
/// For the 50 MiB bodies, which are about the size limit: reading 16 MiB at debug speed on a
/// busy machine can take longer than [`REQUEST_TIMEOUT`].
pub const HEAVY_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
pub const SLOW_HEADERS: Duration = Duration::from_secs(2);
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Past the slowest wait that recovers (five `Retry-After: 1` pauses), with room to spare.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(8);
/// With no server, where a wait can only time out: two polls' attempts fit many times over.
pub const NO_SERVER_WAIT_TIMEOUT: Duration = Duration::from_secs(2);
/// A cell still running after this long is a hang.
const HANG: Duration = Duration::from_secs(30);
/// Cells run at the same time; each has its own server and client.
const CONCURRENT_CELLS: usize = 16;

pub fn retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(RETRIES)
        .initial_backoff(INITIAL_BACKOFF)
        .max_backoff(MAX_BACKOFF)
        .max_elapsed(Some(Duration::from_secs(5)))
}

fn client(base_url: &str, request_timeout: Duration) -> Client {
    Client::builder()
        .api_key(support::KEY)
        .base_url(base_url)
        .request_timeout(request_timeout)
        .retry_policy(retry_policy())
        .build()
        .unwrap()
}

/// Counts the client's attempts: one `control_plane.request` span each, even when the
/// connection is refused and the server sees nothing.
#[derive(Clone, Default)]
struct AttemptCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for AttemptCounter {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().name() == "control_plane.request" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// What a cell did.
struct Observed {
    outcome: Result<Outcome, String>,
    sent: usize,
    received: usize,
    created: Option<usize>,
    elapsed: Duration,
}

fn classify(result: Result<Ended, Error>) -> Result<Outcome, String> {
    match result {
        Ok(Ended::Success {
            unknown_values: false,
        }) => Ok(Outcome::Ok),
        Ok(Ended::Success {
            unknown_values: true,
        }) => Ok(Outcome::OkUnknown),
        Ok(Ended::TimedOut) => Ok(Outcome::TimedOut),
        Ok(Ended::Unexpected(what)) => Err(what),
        Err(Error::Transport { kind, .. }) => Ok(Outcome::Transport(kind)),
        Err(Error::Server(api)) => Ok(Outcome::Server(api.status)),
        Err(Error::RateLimited(api)) => Ok(Outcome::RateLimited(
            api.retry_after.map(|wait| wait.as_secs()),
        )),
        // The message must name the limit, so the caller knows what to raise.
        Err(Error::Decode { message, .. }) if message.contains("exceeds the limit") => {
            if message.contains(&format!("limit of {} bytes", 16 * 1024 * 1024)) {
                Ok(Outcome::TooLarge)
            } else {
                Err(format!("size limit message without the limit: {message}"))
            }
        }
        Err(Error::Decode { .. }) => Ok(Outcome::Decode),
        Err(other) => Err(format!("untyped or unexpected error: {other:?}")),
    }
}

/// Taken by the cells of heavy faults, so they run one at a time.
static HEAVY: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

async fn observe(op: Op, wire: Wire) -> Observed {
    let _turn = if wire.is_heavy() {
        Some(HEAVY.acquire().await.unwrap())
    } else {
        None
    };
    let (stage, ids) = Stage::start(wire, op).await;
    // Building a client reads the system's certificates; off the runtime's two workers, so
    // that cells starting do not stall the requests of cells running.
    let base_url = stage.base_url();
    let request_timeout = wire.request_timeout();
    let client = tokio::task::spawn_blocking(move || client(&base_url, request_timeout))
        .await
        .unwrap();
    let counter = AttemptCounter::default();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(counter.clone()));
    let started = Instant::now();
    let result = op
        .run(&client, ids, wire.wait_timeout())
        .with_subscriber(dispatch)
        .await;
    let elapsed = started.elapsed();
    Observed {
        outcome: classify(result),
        sent: counter.0.load(Ordering::SeqCst),
        received: stage.received(op),
        created: stage.created(op, ids),
        elapsed,
    }
}

/// Every way the cell differs from its row; empty when it passes.
fn check(op: Op, wire: Wire, expect: &Expect, seen: &Observed) -> Vec<String> {
    let mut problems = Vec::new();
    match &seen.outcome {
        Ok(outcome) if *outcome == expect.outcome => {}
        Ok(outcome) => problems.push(format!("ended {outcome:?}, expected {:?}", expect.outcome)),
        Err(what) => problems.push(what.clone()),
    }
    let attempts_ok = match expect.attempts {
        Attempts::Exactly(n) => seen.sent == n,
        // Every poll but the last makes `n` attempts; the last one is cut at the wait's deadline.
        Attempts::PerPoll(n) => seen.sent >= 2 * n,
    };
    if !attempts_ok {
        problems.push(format!(
            "{} requests sent, expected {:?}",
            seen.sent, expect.attempts
        ));
    }
    let reached = if matches!(wire, Wire::Refused) {
        0
    } else {
        seen.sent
    };
    if seen.received != reached {
        problems.push(format!(
            "the server received {} requests, the client sent {}",
            seen.received, seen.sent
        ));
    }
    if op.is_post() && seen.received > 1 {
        problems.push(format!("a POST was sent {} times", seen.received));
    }
    if let Some(created) = seen.created.filter(|&n| n > 1) {
        problems.push(format!("the POST took effect {created} times"));
    }
    if seen.elapsed < expect.at_least || seen.elapsed > expect.within {
        problems.push(format!(
            "took {:?}, expected {:?} to {:?}",
            seen.elapsed, expect.at_least, expect.within
        ));
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_ends_as_the_table_says() {
    let cells: Vec<(String, Op, Wire, Expect)> = matrix()
        .into_iter()
        .flat_map(|row| {
            Op::ALL.into_iter().zip(row.cells).map(move |(op, expect)| {
                (
                    format!("[{} × {}]", op.title(), row.fault),
                    op,
                    row.wire,
                    expect,
                )
            })
        })
        .filter(|(name, ..)| {
            std::env::var("FAULT_MATRIX_CELLS").map_or(true, |only| name.contains(&only))
        })
        .collect();
    let total = cells.len();
    let failures: Vec<String> = futures::stream::iter(cells)
        .map(|(name, op, wire, expect)| async move {
            let cell = tokio::spawn(tokio::time::timeout(HANG, observe(op, wire)));
            let problems = match cell.await {
                Ok(Ok(seen)) => check(op, wire, &expect, &seen),
                Ok(Err(_)) => vec![format!("still running after {HANG:?}: a hang")],
                Err(join) if join.is_panic() => vec![format!("panicked: {join}")],
                Err(join) => vec![format!("did not finish: {join}")],
            };
            (!problems.is_empty()).then(|| format!("{name}: {}", problems.join("; ")))
        })
        .buffer_unordered(CONCURRENT_CELLS)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {total} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_published_matrix_matches_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/FAULTS.md");
    let rendered = doc::render(&matrix());
    if std::env::var_os("UPDATE_FAULTS_DOC").is_some() {
        std::fs::write(path, &rendered).unwrap();
        return;
    }
    let published = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        published == rendered,
        "docs/FAULTS.md differs from the table in client/tests/it/fault_matrix/table.rs; \
         regenerate it with UPDATE_FAULTS_DOC=1 cargo test -p langsmith-control-plane --test it fault_matrix"
    );
}
