//! A hostile server against every facade call. A loopback server driven by proptest answers
//! with any status, any header (notably `Retry-After` of any text and `Location`), lying
//! framing, bodies that are truncated, oversized, deeply nested, mistyped or not UTF-8, delays
//! past the request timeout, closes and resets (`any_server_reply/replies.rs`).
//!
//! Every call must end in `Ok` or a typed `Error` without panicking, within a time derived from
//! the client's timeout and retry deadline; it must report only statuses the server sent, send
//! a POST or PATCH once, follow no redirect, and turn a body past `max_response_bytes` into
//! `Error::Decode`.
//!
//! Knobs: `HOSTILE_CASES` (generated cases in all, default 1,050: 75 per call),
//! `HOSTILE_SEED` (reproduces a run; each failure prints its seed), `HOSTILE_CALL` (runs only
//! the calls whose name contains it). `cargo test --test it any_server_reply -- --ignored` runs a long
//! variant.

mod replies;
mod wire;
use crate::support;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::StreamExt;
use langsmith_control_plane::types::{
    DeploymentCreateRequest, DeploymentPatchRequest, LogType, RevisionStatus,
};
use langsmith_control_plane::{
    Client, Error, RetryPolicy, RevisionOutcome, TransportErrorKind, WaitOptions,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestError, TestRunner};
use serde_json::json;
use uuid::Uuid;

use replies::{RETRY_AFTER, Shape, Tuning};
use wire::{Act, After, Answer, Body, Framing, HostileServer, Piece, Reply, Request};

const RETRIES: u32 = 2;
const WAIT_TIMEOUT: Duration = Duration::from_millis(250);
const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// The client's `max_response_bytes`.
const CAP: usize = 64 * 1024;
/// Scheduling allowance on a busy machine, on top of every time bound.
const SLACK: Duration = Duration::from_secs(1);
/// How long past its bound a call may run before it counts as hung and is stopped.
const HANG: Duration = Duration::from_secs(5);
/// Most body an error may keep: the contract says a few KiB.
const EXCERPT_MOST: usize = 8 * 1024;
/// Page size of the listings, so that short generated pages still page.
const PAGE_SIZE: u32 = 2;

/// The client's timing, which the time bounds are derived from.
#[derive(Clone, Copy, Debug)]
struct Setup {
    request_timeout: Duration,
    /// Deadline of one request's attempts together.
    max_elapsed: Duration,
    /// A wait's timeout.
    wait_timeout: Duration,
}

/// Timeouts short enough to be hit often; a retry after a timed-out attempt still fits.
const BRISK: Setup = Setup {
    request_timeout: Duration::from_millis(300),
    max_elapsed: Duration::from_millis(400),
    wait_timeout: WAIT_TIMEOUT,
};

/// For properties about bodies, not time: a loaded machine must not turn requests into
/// timeouts. A wait still ends soon, as an oversized answer of a status a wait rides out keeps
/// it polling until then.
const PATIENT: Setup = Setup {
    request_timeout: Duration::from_secs(10),
    max_elapsed: Duration::from_secs(10),
    wait_timeout: WAIT_TIMEOUT,
};

/// For verdicts about bodies and redirects, not time: no timeout or deadline that a busy
/// machine could reach, a wait's included.
const NO_RUSH: Setup = Setup {
    request_timeout: Duration::from_secs(10),
    max_elapsed: Duration::from_secs(10),
    wait_timeout: Duration::from_secs(10),
};

/// For `Retry-After` verdicts on a busy machine: room for a prompt retry (or a wait's second
/// poll) to be answered, while the shortest wait the header asks for in whole seconds, one
/// second, is still past every deadline.
const UNHURRIED: Setup = Setup {
    request_timeout: Duration::from_secs(10),
    max_elapsed: Duration::from_millis(900),
    wait_timeout: Duration::from_millis(900),
};

impl Setup {
    fn tuning(self) -> Tuning {
        Tuning {
            cap: CAP,
            request_timeout: self.request_timeout,
        }
    }

    fn client(self, url: &str) -> Client {
        let retry = RetryPolicy::default()
            .max_retries(RETRIES)
            .initial_backoff(Duration::from_millis(5))
            .max_backoff(Duration::from_millis(20))
            .max_elapsed(Some(self.max_elapsed));
        // No CA roots: the server is plain HTTP on loopback, and reading the system's roots for
        // each of the ~1,600 clients these tests build would take most of their CPU. The facade
        // still sets its timeouts, redirect and proxy rules on this builder.
        let http = langsmith_control_plane::http_client_builder().tls_certs_only([]);
        Client::builder()
            .api_key(support::KEY)
            .workspace_id(support::WORKSPACE)
            .base_url(url)
            .http_client(http)
            .connect_timeout(self.request_timeout)
            .request_timeout(self.request_timeout)
            .retry_policy(retry)
            .max_response_bytes(CAP as u64)
            .build()
            .unwrap()
    }
}

fn listener_id() -> Uuid {
    "0f0f0f0f-0000-4000-8000-00000000000a".parse().unwrap()
}

/// Every facade call, each as a caller would make it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    GetRevision,
    GetDeployment,
    ListDeployments,
    CreateDeployment,
    UpdateDeployment,
    DeleteDeployment,
    DeleteDeployments,
    ListRevisions,
    Redeploy,
    Logs,
    GetListener,
    ListListeners,
    OAuthProviders,
    Wait,
}

/// How many requests a call may make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fanout {
    /// One request and its retries.
    One,
    /// One per page, each with its retries.
    Pages,
    /// Polls until the wait's deadline.
    Polls,
}

/// What a call returned, reduced to what the checks need.
#[derive(Debug)]
enum Done {
    Value,
    Items(usize),
    Waited(&'static str),
    /// A bulk delete's per-ID results: how many were reported deleted.
    Deleted(usize),
}

impl Call {
    const ALL: [Call; 14] = [
        Call::GetRevision,
        Call::GetDeployment,
        Call::ListDeployments,
        Call::CreateDeployment,
        Call::UpdateDeployment,
        Call::DeleteDeployment,
        Call::DeleteDeployments,
        Call::ListRevisions,
        Call::Redeploy,
        Call::Logs,
        Call::GetListener,
        Call::ListListeners,
        Call::OAuthProviders,
        Call::Wait,
    ];

    fn method(self) -> &'static str {
        match self {
            Call::CreateDeployment | Call::Redeploy => "POST",
            Call::UpdateDeployment => "PATCH",
            Call::DeleteDeployment | Call::DeleteDeployments => "DELETE",
            _ => "GET",
        }
    }

    fn path(self) -> String {
        let (d, r) = (support::D, support::R);
        match self {
            Call::GetRevision | Call::Wait => format!("/v2/deployments/{d}/revisions/{r}"),
            Call::GetDeployment | Call::UpdateDeployment | Call::DeleteDeployment => {
                format!("/v2/deployments/{d}")
            }
            Call::ListDeployments | Call::CreateDeployment | Call::DeleteDeployments => {
                "/v2/deployments".into()
            }
            Call::ListRevisions => format!("/v2/deployments/{d}/revisions"),
            Call::Redeploy => format!("/v2/deployments/{d}/revisions/{r}/redeploy"),
            Call::Logs => format!("/v2/deployments/{d}/revisions/{r}/logs"),
            Call::GetListener => format!("/v2/listeners/{}", listener_id()),
            Call::ListListeners => "/v2/listeners".into(),
            Call::OAuthProviders => "/v2/auth/providers".into(),
        }
    }

    /// The status the operation documents for success.
    fn success(self) -> u16 {
        match self {
            Call::CreateDeployment => 201,
            Call::DeleteDeployment => 204,
            _ => 200,
        }
    }

    fn shape(self) -> Shape {
        match self {
            Call::GetRevision | Call::Wait => Shape::Revision,
            Call::GetDeployment
            | Call::CreateDeployment
            | Call::UpdateDeployment
            | Call::Redeploy => Shape::Deployment,
            Call::ListDeployments => Shape::DeploymentPage,
            Call::DeleteDeployment => Shape::Nothing,
            Call::DeleteDeployments => Shape::AnyJson,
            Call::ListRevisions => Shape::RevisionPage,
            Call::Logs => Shape::LogPage,
            Call::GetListener => Shape::Listener,
            Call::ListListeners => Shape::ListenerPage,
            Call::OAuthProviders => Shape::OAuthProviders,
        }
    }

    /// Proptest runners for this call, each with its share of the call's cases and a seed of
    /// its own. A run mostly waits on timeouts and deadlines of a few hundred ms, not on the
    /// CPU, so runners at once shorten it, as many cases in all. A wait (it runs to its timeout
    /// whenever no final status comes) and a bulk delete (it reads its deployments again after
    /// an unclear answer, each with its retries) wait longest, and get twice as many.
    fn shards(self) -> u32 {
        match self {
            Call::Wait | Call::DeleteDeployments => 6,
            _ => 3,
        }
    }

    fn fanout(self) -> Fanout {
        match self {
            Call::ListDeployments | Call::ListRevisions | Call::Logs | Call::ListListeners => {
                Fanout::Pages
            }
            Call::Wait => Fanout::Polls,
            _ => Fanout::One,
        }
    }

    /// The longest the call may take against a script of `replies` replies. One request ends
    /// within the retry deadline plus one attempt's timeout (no retry starts past the deadline).
    /// A listing reads at most one page per reply plus two of the repeated last reply (the
    /// second repeats the first: a repeated page or cursor stops it). A wait ends at its timeout.
    fn bound(self, setup: Setup, replies: usize) -> Duration {
        let request = setup.max_elapsed + setup.request_timeout;
        SLACK
            + match self.fanout() {
                // A bulk delete may then read its deployments again, at the same time.
                Fanout::One if self == Call::DeleteDeployments => request * 2,
                Fanout::One => request,
                Fanout::Pages => request * (replies as u32 + 2),
                Fanout::Polls => setup.wait_timeout,
            }
    }

    async fn run(self, client: Client, wait_timeout: Duration) -> Result<Done, Error> {
        let (d, r) = (support::d(), support::r());
        let deployments = client.deployments();
        let revisions = client.revisions(d);
        Ok(match self {
            Call::GetRevision => client.get_revision(d, r).await.map(|_| Done::Value)?,
            Call::GetDeployment => deployments.get(d).await.map(|_| Done::Value)?,
            Call::ListDeployments => Done::Items(
                deployments
                    .list()
                    .page_size(PAGE_SIZE)
                    .collect()
                    .await?
                    .len(),
            ),
            Call::CreateDeployment => deployments
                .create(create_request())
                .await
                .map(|_| Done::Value)?,
            Call::UpdateDeployment => deployments
                .update(d, patch_request())
                .await
                .map(|_| Done::Value)?,
            Call::DeleteDeployment => deployments.delete(d, false).await.map(|_| Done::Value)?,
            Call::DeleteDeployments => {
                let results = deployments.delete_many(&[d, listener_id()]).await;
                Done::Deleted(results.iter().filter(|r| r.outcome.is_deleted()).count())
            }
            Call::ListRevisions => {
                Done::Items(revisions.list().page_size(PAGE_SIZE).collect().await?.len())
            }
            Call::Redeploy => revisions.redeploy(r).await.map(|_| Done::Value)?,
            Call::Logs => Done::Items(revisions.logs(r, LogType::Build).collect().await?.len()),
            Call::GetListener => client
                .listeners()
                .get(listener_id())
                .await
                .map(|_| Done::Value)?,
            Call::ListListeners => Done::Items(
                client
                    .listeners()
                    .list()
                    .page_size(PAGE_SIZE)
                    .collect()
                    .await?
                    .len(),
            ),
            Call::OAuthProviders => Done::Items(
                client
                    .call(async |api| api.list_oauth_providers().send().await)
                    .await?
                    .len(),
            ),
            Call::Wait => {
                let options = WaitOptions::default()
                    .fixed_interval(POLL_INTERVAL)
                    .jitter(false)
                    .timeout(wait_timeout);
                Done::Waited(client.wait_for_revision(d, r, options).await?.kind())
            }
        })
    }
}

fn create_request() -> DeploymentCreateRequest {
    serde_json::from_value(json!({
        "name": "hostile", "source": "github", "secrets": [],
        "source_config": {"repo_url": "https://github.com/example/hostile", "deployment_type": "dev"},
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"}
    }))
    .unwrap()
}

fn patch_request() -> DeploymentPatchRequest {
    serde_json::from_value(json!({"source_revision_config": {"repo_ref": "release"}})).unwrap()
}

/// A call's end as observed from outside its task.
struct Observed {
    result: Result<Done, Error>,
    /// The error's `Display`, `Debug` and retry verdict, made inside the task so a panic
    /// there counts.
    shown: Option<String>,
    elapsed: Duration,
    requests: Vec<Request>,
}

/// Runs `call` in its own task against a fresh server playing `script`.
async fn observe(call: Call, setup: Setup, script: &[Reply]) -> Result<Observed, String> {
    let server = HostileServer::start(script.to_vec()).await;
    let client = setup.client(&server.url);
    let limit = call.bound(setup, script.len()) + HANG;
    // Timed inside the task, so a busy observer cannot add to the call's time.
    let mut task = tokio::spawn(async move {
        let started = Instant::now();
        let result = call.run(client, setup.wait_timeout).await;
        let elapsed = started.elapsed();
        let shown = result
            .as_ref()
            .err()
            .map(|e| format!("{e} | {e:?} | retryable: {}", e.is_retryable()));
        (result, shown, elapsed)
    });
    let joined = match tokio::time::timeout(limit, &mut task).await {
        Ok(joined) => joined,
        Err(_) => {
            task.abort();
            return Err(format!("still running after {limit:?}: it hangs"));
        }
    };
    let (result, shown, elapsed) = match joined {
        Ok(ended) => ended,
        Err(error) if error.is_panic() => {
            let payload = error.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!("panicked: {message}"));
        }
        Err(error) => return Err(format!("its task failed: {error}")),
    };
    Ok(Observed {
        result,
        shown,
        elapsed,
        requests: server.requests(),
    })
}

/// Statuses the script can have put on the wire as a parseable status line.
fn served(script: &[Reply]) -> Vec<u16> {
    script
        .iter()
        .filter_map(|reply| match &reply.act {
            Act::Answer(answer)
                if answer.status.len() == 3
                    && answer.status.bytes().all(|b| b.is_ascii_digit()) =>
            {
                answer.status.parse().ok()
            }
            _ => None,
        })
        .collect()
}

/// The properties every call keeps against every script.
fn check(call: Call, setup: Setup, script: &[Reply], seen: &Observed) -> Result<(), String> {
    let bound = call.bound(setup, script.len());
    if seen.elapsed > bound {
        return Err(format!(
            "took {:?}, past its bound of {bound:?}",
            seen.elapsed
        ));
    }
    let statuses = served(script);
    match &seen.result {
        Ok(Done::Waited("timed_out")) => {}
        // A bulk delete reports each ID; failures are results, not errors.
        Ok(Done::Deleted(0)) => {}
        // Deleted by a 200 or 207, or (a response that did not tell) by a read that finds the
        // deployment gone or AWAITING_DELETE.
        Ok(Done::Deleted(_))
            if call == Call::DeleteDeployments
                && [200, 207, 404].iter().any(|s| statuses.contains(s)) => {}
        // A DELETE that finds nothing on a repeated attempt may count as done: an earlier
        // attempt can have deleted before its answer was lost.
        Ok(_)
            if call == Call::DeleteDeployment
                && statuses.contains(&404)
                && seen.requests.len() > 1 => {}
        Ok(done) if !statuses.contains(&call.success()) => {
            return Err(format!(
                "succeeded ({done:?}) though the server never answered {}",
                call.success()
            ));
        }
        Ok(Done::Items(count)) if call.fanout() == Fanout::Pages && call != Call::Logs => {
            // Items repeated across pages are skipped, so a listing holds each ID at most once.
            if *count > replies::IDS.len() {
                return Err(format!(
                    "listed {count} items, more than the {} IDs the server knows",
                    replies::IDS.len()
                ));
            }
        }
        Ok(_) => {}
        Err(error @ (Error::Config(_) | Error::InvalidInput(_))) => {
            return Err(format!("a valid call was refused: {error}"));
        }
        Err(error @ Error::Pagination { .. }) if call.fanout() != Fanout::Pages => {
            return Err(format!(
                "a call that does not page reported paging: {error}"
            ));
        }
        // The server accepts every connection: calling a later failure a connect error would
        // also let a POST be sent again.
        Err(
            error @ Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            },
        ) => {
            return Err(format!(
                "a connect error from a server that accepts: {error}"
            ));
        }
        Err(error) => {
            if let Some(status) = error.status()
                && !statuses.contains(&status)
            {
                return Err(format!(
                    "reported status {status}, which the server never sent: {error}"
                ));
            }
            let kept = match error {
                Error::Decode { body_excerpt, .. } => body_excerpt.len(),
                other => other
                    .api_error()
                    .and_then(|e| e.body.as_ref())
                    .map_or(0, String::len),
            };
            if kept > EXCERPT_MOST {
                return Err(format!(
                    "the error keeps {kept} bytes of body, not an excerpt"
                ));
            }
        }
    }
    if let Some(shown) = &seen.shown
        && shown.contains(support::KEY)
    {
        return Err(format!("the error shows the API key: {shown}"));
    }
    let path = call.path();
    // A bulk delete whose response does not tell may read each of its deployments again.
    let reads_again = |r: &Request| {
        call == Call::DeleteDeployments
            && r.method == "GET"
            && [support::d(), listener_id()]
                .iter()
                .any(|id| r.path == format!("/v2/deployments/{id}"))
    };
    if let Some(other) = seen
        .requests
        .iter()
        .find(|r| (r.method != call.method() || r.path != path) && !reads_again(r))
    {
        return Err(format!(
            "sent {} {} besides {} {path}: a redirect followed, or the wrong operation",
            other.method,
            other.path,
            call.method()
        ));
    }
    let sent = seen.requests.len();
    let most = match (call.fanout(), call.method()) {
        // POST and PATCH are never repeated once sent, and loopback always connects.
        (Fanout::One, "POST" | "PATCH") => 1,
        // The delete, then a read of each of its two deployments, each with its retries.
        (Fanout::One, _) if call == Call::DeleteDeployments => 3 * (1 + RETRIES as usize),
        (Fanout::One, _) => 1 + RETRIES as usize,
        (Fanout::Pages, _) => (script.len() + 2) * (1 + RETRIES as usize),
        (Fanout::Polls, _) => usize::MAX,
    };
    // The server logs a request before answering it; one that timed out may be logged late.
    let answered = match &seen.result {
        Ok(done) => !matches!(done, Done::Waited("timed_out")),
        Err(error) => error.status().is_some(),
    };
    if (answered && sent == 0) || sent > most {
        return Err(format!("sent {sent} requests, expected 1 to {most}"));
    }
    Ok(())
}

/// A body past the cap must end the call in `Error::Decode` that holds no more than an excerpt.
/// A wait may instead time out: a `Decode` with a retryable status keeps it polling.
fn check_oversized(call: Call, seen: &Observed) -> Result<(), String> {
    match &seen.result {
        Err(Error::Decode { body_excerpt, .. }) if body_excerpt.len() <= EXCERPT_MOST => Ok(()),
        Ok(Done::Waited("timed_out")) if call == Call::Wait => Ok(()),
        // A bulk delete reports an unreadable response as a failure of each ID.
        Ok(Done::Deleted(0)) if call == Call::DeleteDeployments => Ok(()),
        Ok(done) => Err(format!("an oversized body was accepted: {done:?}")),
        Err(error) => Err(format!(
            "an oversized body ended in another error: {}",
            seen.shown.as_deref().unwrap_or(&error.to_string())
        )),
    }
}

/// A failure's reason with how the call ended and what the server received.
fn with_outcome(reason: String, seen: &Observed) -> String {
    let ended = match (&seen.result, &seen.shown) {
        (Ok(done), _) => format!("Ok({done:?})"),
        (Err(_), Some(shown)) => shown.clone(),
        (Err(error), None) => error.to_string(),
    };
    format!(
        "{reason}\n  ended after {:?}: {ended}\n  the server read {} requests",
        seen.elapsed,
        seen.requests.len()
    )
}

/// How a call ended, in a word, for the run's summary.
fn label(result: &Result<Done, Error>) -> String {
    match result {
        Ok(Done::Waited(kind)) => format!("ok {kind}"),
        Ok(_) => "ok".into(),
        Err(Error::Transport { kind, .. }) => format!("transport {kind:?}"),
        Err(error) => {
            let debug = format!("{error:?}");
            debug[..debug.find([' ', '(', '{']).unwrap_or(debug.len())].to_lowercase()
        }
    }
}

fn describe(script: &[Reply]) -> String {
    script
        .iter()
        .enumerate()
        .map(|(n, reply)| format!("  reply {n}: {reply:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
    )
}

/// A property over generated scripts: [`Call::shards`] proptest runners per call, all at once
/// (each on its own thread, sharing one runtime).
fn run_property(
    name: &str,
    setup: Setup,
    cases_per_call: u32,
    scripts: impl Fn(Call) -> BoxedStrategy<Vec<Reply>> + Sync,
    extra: impl Fn(Call, &Observed) -> Result<(), String> + Sync,
) {
    let seed = env_number("HOSTILE_SEED").unwrap_or_else(|| fastrand::u64(..));
    let only = std::env::var("HOSTILE_CALL").unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let calls: Vec<(usize, Call)> = Call::ALL
        .into_iter()
        .enumerate()
        .filter(|(_, call)| format!("{call:?}").contains(&only))
        .collect();
    let started = Instant::now();
    let tally = Mutex::new(BTreeMap::<String, usize>::new());
    let shard = Shard {
        handle: runtime.handle(),
        setup,
        tally: &tally,
    };
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runners: Vec<_> = calls
            .iter()
            .flat_map(|&(index, call)| (0..call.shards()).map(move |part| (index, call, part)))
            .map(|(index, call, part)| {
                // The call's cases split as evenly as they go; the runners' seeds all differ.
                let shards = call.shards();
                let cases = cases_per_call / shards + u32::from(part < cases_per_call % shards);
                let mixed = ((index as u64) << 8 | u64::from(part))
                    .wrapping_add(1)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15);
                let (scripts, extra, shard) = (&scripts, &extra, &shard);
                scope.spawn(move || shard.run(call, cases, seed ^ mixed, scripts(call), extra))
            })
            .collect();
        runners
            .into_iter()
            .filter_map(|runner| runner.join().expect("a runner thread panicked"))
            .collect()
    });
    eprintln!(
        "{name}: {} cases ({cases_per_call} for each of {} calls) in {:?}, seed {seed}; ended {:?}",
        cases_per_call as usize * calls.len(),
        calls.len(),
        started.elapsed(),
        tally.into_inner().unwrap()
    );
    assert!(
        failures.is_empty(),
        "{name}: {} of {} runners failed (HOSTILE_SEED={seed} reproduces; HOSTILE_CALL=<name> runs one call)\n\n{}",
        failures.len(),
        calls.iter().map(|(_, call)| call.shards()).sum::<u32>(),
        failures.join("\n\n")
    );
}

/// What the runners of one property share.
struct Shard<'a> {
    handle: &'a tokio::runtime::Handle,
    setup: Setup,
    tally: &'a Mutex<BTreeMap<String, usize>>,
}

impl Shard<'_> {
    /// Runs `cases` scripts against `call` from `seed`; the shrunk failure, if one fails.
    fn run(
        &self,
        call: Call,
        cases: u32,
        seed: u64,
        scripts: BoxedStrategy<Vec<Reply>>,
        extra: &impl Fn(Call, &Observed) -> Result<(), String>,
    ) -> Option<String> {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 300,
            rng_seed: RngSeed::Fixed(seed),
            // Not the default ChaCha: at debug speed it took a tenth of the run's CPU.
            rng_algorithm: RngAlgorithm::XorShift,
            ..Config::default()
        };
        let setup = self.setup;
        let outcome = TestRunner::new(config).run(&scripts, |script| {
            let seen = self
                .handle
                .block_on(observe(call, setup, &script))
                .map_err(TestCaseError::fail)?;
            *self
                .tally
                .lock()
                .unwrap()
                .entry(label(&seen.result))
                .or_default() += 1;
            check(call, setup, &script, &seen)
                .and_then(|()| extra(call, &seen))
                .map_err(|reason| TestCaseError::fail(with_outcome(reason, &seen)))
        });
        match outcome {
            Ok(()) => None,
            Err(TestError::Fail(reason, script)) => Some(format!(
                "{call:?} ({} {}): {reason}\n{}",
                call.method(),
                call.path(),
                describe(&script)
            )),
            Err(TestError::Abort(reason)) => Some(format!("{call:?}: aborted: {reason}")),
        }
    }
}

fn cases_per_call(default_total: u64) -> u32 {
    let total = env_number("HOSTILE_CASES").unwrap_or(default_total);
    total.div_ceil(Call::ALL.len() as u64) as u32
}

#[test]
fn every_call_ends_typed_and_on_time_against_a_hostile_server() {
    run_property(
        "hostile replies",
        BRISK,
        cases_per_call(1_050),
        |call| replies::script(call.shape(), call.success(), BRISK.tuning()).boxed(),
        |_, _| Ok(()),
    );
}

#[test]
#[ignore = "long: 28,000 cases; run with --ignored"]
fn every_call_ends_typed_and_on_time_through_a_long_hostile_run() {
    run_property(
        "hostile replies (long)",
        BRISK,
        cases_per_call(28_000),
        |call| replies::script(call.shape(), call.success(), BRISK.tuning()).boxed(),
        |_, _| Ok(()),
    );
}

#[test]
fn a_body_past_the_cap_is_a_decode_error_however_it_is_framed() {
    let total = env_number("HOSTILE_CASES").map_or(280, |n| n / 5);
    run_property(
        "oversized bodies",
        PATIENT,
        total.div_ceil(Call::ALL.len() as u64) as u32,
        |call| replies::oversized_script(call.shape(), call.success(), PATIENT.tuning()).boxed(),
        check_oversized,
    );
}

/// A complete answer with a true length, kept open.
fn plain(status: u16, headers: &[(&str, &str)], body: Body) -> Reply {
    Reply {
        delay: Duration::ZERO,
        act: Act::Answer(Answer {
            interim: None,
            version: "HTTP/1.1".into(),
            status: status.to_string(),
            reason: "Hostile".into(),
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
                .collect(),
            framing: Framing::Length,
            body,
            pause: Duration::ZERO,
            after: After::KeepOpen,
        }),
    }
}

fn healthy(call: Call) -> Reply {
    plain(call.success(), &[], replies::healthy_body(call.shape()))
}

/// Runs hand-written cases at once; each must pass the common checks and its own.
async fn run_cases(
    setup: Setup,
    cases: Vec<(Call, Vec<Reply>)>,
    expect: impl Fn(Call, &[Reply], &Observed) -> Result<(), String>,
) {
    let total = cases.len();
    let runs = cases.into_iter().map(|(call, script)| async move {
        let seen = observe(call, setup, &script).await;
        (call, script, seen)
    });
    // Most cases wait on a deadline more than they use the CPU; a bounded number at a time,
    // so that on a busy machine they do not push one another past their timeouts.
    let failures: Vec<String> = futures::stream::iter(runs)
        .buffer_unordered(24)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .filter_map(|(call, script, seen)| {
            let verdict = seen.and_then(|seen| {
                check(call, setup, &script, &seen)
                    .and_then(|()| expect(call, &script, &seen))
                    .map_err(|reason| with_outcome(reason, &seen))
            });
            verdict
                .err()
                .map(|reason| format!("{call:?}: {reason}\n{}", describe(&script)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// What a `Retry-After` value asks of a client that has less than a second left for retries
/// ([`UNHURRIED`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asks {
    /// A wait past the deadline (seconds of any size, a future date): no retry may come sooner.
    TooLong,
    /// No wait, or one the client cannot read (then its own backoff applies): a retry comes.
    Soon,
    /// Not the header's syntax, readable either way (`1.5`, `+3`, `1e300`, `inf`).
    Either,
}

fn asks(value: &str) -> Asks {
    const TOO_LONG: &[&str] = &[
        "1",
        "2",
        "30",
        "3600",
        "18446744073709551615",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        " 1 ",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        wire::SOON,
    ];
    const EITHER: &[&str] = &["1.5", "+3", "1e300", "inf", "-inf", "-1.5"];
    if TOO_LONG.contains(&value) {
        Asks::TooLong
    } else if EITHER.contains(&value) {
        Asks::Either
    } else {
        Asks::Soon
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_of_any_text_is_obeyed_within_the_deadline_or_not_at_all() {
    let calls = [
        Call::GetRevision,
        Call::DeleteDeployment,
        Call::CreateDeployment,
        Call::ListRevisions,
        Call::Wait,
    ];
    // Each value with both statuses, spread over the calls so every pairing recurs.
    let mut cases = Vec::new();
    for (n, value) in RETRY_AFTER.iter().enumerate() {
        for (m, status) in [429, 503].into_iter().enumerate() {
            for call in [
                calls[(n + m) % calls.len()],
                calls[(n + m + 2) % calls.len()],
            ] {
                let busy = plain(
                    status,
                    &[("retry-after", value)],
                    Body::bytes(r#"{"detail": "slow down"}"#),
                );
                cases.push((call, vec![busy, healthy(call)]));
            }
        }
    }
    run_cases(UNHURRIED, cases, |call, script, seen| {
        let Act::Answer(busy) = &script[0].act else {
            unreachable!("the first reply answers")
        };
        let value = String::from_utf8_lossy(&busy.headers[0].1).into_owned();
        let sent = seen.requests.len();
        let refused = |result: &Result<Done, Error>| match result {
            Err(error) => error.status().map(|s| s.to_string()) == Some(busy.status.clone()),
            Ok(_) => false,
        };
        match (call.method(), asks(&value), &seen.result) {
            (_, Asks::Either, _) => Ok(()),
            ("POST", _, result) if refused(result) && sent == 1 => Ok(()),
            ("POST", _, _) => Err("a POST answered 429/503 must not be repeated".into()),
            (_, Asks::TooLong, Ok(Done::Waited("timed_out"))) if sent == 1 => Ok(()),
            (_, Asks::TooLong, result) if call != Call::Wait && refused(result) && sent == 1 => {
                Ok(())
            }
            (_, Asks::TooLong, _) => Err(format!(
                "Retry-After {value:?} asks for more than the deadline allows, yet {sent} \
                 requests were sent"
            )),
            (_, Asks::Soon, Ok(Done::Waited("deployed")) | Ok(Done::Value | Done::Items(_)))
                if sent == 2 =>
            {
                Ok(())
            }
            (_, Asks::Soon, _) => Err(format!(
                "Retry-After {value:?} allows a prompt retry, which should have succeeded"
            )),
        }
    })
    .await;
}

/// Nesting a recursive decoder would follow into a stack overflow (an abort, not a panic).
fn nested_bodies() -> Vec<Body> {
    let repeat = |unit: &str, count| Piece::Repeat(unit.as_bytes().to_vec(), count);
    vec![
        Body(vec![repeat("[", 10_000)]),
        Body(vec![repeat("[", 10_000), repeat("]", 10_000)]),
        Body(vec![
            repeat(r#"{"a":"#, 10_000),
            Piece::Bytes(b"1".to_vec()),
            repeat("}", 10_000),
        ]),
        Body(vec![
            Piece::Bytes(br#"{"detail":"#.to_vec()),
            repeat("[", 10_000),
            repeat("]", 10_000),
            Piece::Bytes(b"}".to_vec()),
        ]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_levels_of_nesting_are_refused_not_recursed_into() {
    let mut cases = Vec::new();
    for (n, call) in Call::ALL.into_iter().enumerate() {
        // A 204 has no body: the bytes would only spoil the connection.
        if call.success() == 204 {
            continue;
        }
        for (m, body) in nested_bodies().into_iter().enumerate() {
            let status = if (n + m) % 2 == 0 {
                call.success()
            } else {
                404
            };
            cases.push((call, vec![plain(status, &[], body)]));
        }
    }
    run_cases(NO_RUSH, cases, |call, script, seen| {
        let Act::Answer(answer) = &script[0].act else {
            unreachable!("the reply answers")
        };
        match (answer.status.as_str(), &seen.result) {
            ("404", Err(Error::NotFound(error))) => match &error.body {
                Some(body) if body.len() <= EXCERPT_MOST => Ok(()),
                other => Err(format!(
                    "the 404 keeps {:?} bytes of body",
                    other.as_ref().map(String::len)
                )),
            },
            (_, Err(Error::Decode { body_excerpt, .. })) if body_excerpt.len() <= EXCERPT_MOST => {
                Ok(())
            }
            // Every member of a log page is optional and unknown ones are skipped, so an
            // object of unknown members is an empty page.
            (_, Ok(Done::Items(0))) if call == Call::Logs && answer.body.starts_with(b"{") => {
                Ok(())
            }
            // A bulk delete reports each ID as failed instead of returning an error.
            (_, Ok(Done::Deleted(0))) if call == Call::DeleteDeployments => Ok(()),
            _ => Err(format!(
                "expected NotFound for 404 and Decode otherwise, got {:?}",
                seen.shown.as_deref().unwrap_or("success")
            )),
        }
        .map_err(|reason| format!("{call:?}: {reason}"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_refused_and_never_followed() {
    let locations = [
        "/v2/elsewhere",
        "{origin}/v2/deployments",
        "https://attacker.example/collect",
        "//attacker.example/collect",
        "http://[::1",
        "",
    ];
    let calls = [
        Call::GetRevision,
        Call::CreateDeployment,
        Call::DeleteDeployment,
        Call::Logs,
        Call::OAuthProviders,
        Call::Wait,
    ];
    // Every status with every location, the calls taking turns.
    let mut cases = Vec::new();
    for (n, status) in [300, 301, 302, 303, 305, 307, 308].into_iter().enumerate() {
        for (m, location) in locations.into_iter().enumerate() {
            let call = calls[(n + m) % calls.len()];
            let body = replies::healthy_body(call.shape());
            let redirect = plain(status, &[("location", location)], body);
            cases.push((call, vec![redirect, healthy(call)]));
        }
    }
    run_cases(NO_RUSH, cases, |_, script, seen| {
        let Act::Answer(answer) = &script[0].act else {
            unreachable!("the first reply answers")
        };
        match &seen.result {
            Err(Error::RedirectRefused { status, .. })
                if status.to_string() == answer.status && seen.requests.len() == 1 =>
            {
                Ok(())
            }
            _ => Err(format!(
                "expected the redirect refused after one request, got {:?} after {}",
                seen.shown.as_deref().unwrap_or("success"),
                seen.requests.len()
            )),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revisions_in_statuses_this_client_does_not_know_decode_and_keep_a_wait_going() {
    let statuses = [
        "PAUSED",
        "deployed",
        "DEPLOYED ",
        "",
        "\u{1F680}",
        "INTERRUPTED",
        "UNKNOWN",
    ];
    // All at once: each waits out its timeout.
    futures::future::join_all(statuses.map(decodes_and_keeps_a_wait_going)).await;
}

async fn decodes_and_keeps_a_wait_going(status: &str) {
    let body = replies::revision(support::R, status).to_string();
    let server = HostileServer::start(vec![plain(200, &[], Body::bytes(body))]).await;
    let client = BRISK.client(&server.url);
    let revision = client
        .get_revision(support::d(), support::r())
        .await
        .unwrap();
    assert_eq!(revision.status.as_str(), status);
    assert!(
        !revision.status.is_terminal(),
        "{status:?} counted as final"
    );
    let options = WaitOptions::default()
        .fixed_interval(POLL_INTERVAL)
        .timeout(WAIT_TIMEOUT);
    let outcome = client
        .wait_for_revision(support::d(), support::r(), options)
        .await
        .unwrap();
    match outcome {
        RevisionOutcome::TimedOut {
            last_seen: Some(last),
            ..
        } => assert_eq!(last.status, RevisionStatus::from(status)),
        other => panic!("a wait on {status:?} ended {other:?}"),
    }
    assert!(
        server.requests().len() > 2,
        "the wait stopped polling {status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_ends_at_its_deadline_while_a_poll_hangs_or_the_server_asks_for_hours() {
    let building = || replies::revision(support::R, "BUILDING").to_string();
    let hanging = Reply {
        delay: Duration::from_secs(4),
        ..plain(200, &[], Body::bytes(building()))
    };
    let busy = |status| plain(status, &[("retry-after", "3600")], Body::default());
    let slow_building = Reply {
        delay: Duration::from_millis(100),
        ..plain(200, &[], Body::bytes(building()))
    };
    let cases = vec![
        (Call::Wait, vec![hanging]),
        (Call::Wait, vec![busy(429)]),
        (Call::Wait, vec![busy(503)]),
        (Call::Wait, vec![slow_building]),
    ];
    // Attempts may take 10 s here: only the wait's own deadline can end it in time.
    run_cases(PATIENT, cases, |_, _, seen| match &seen.result {
        Ok(Done::Waited("timed_out")) => Ok(()),
        _ => Err("expected the wait to time out".into()),
    })
    .await;
}
