//! Soak: 100,000 Get Revisions and 1,000 create-and-wait runs over one client against the
//! embedded mock, while random faults are injected on Get Revision. Every call must be accounted
//! for, nothing may hang, and resident memory must stay flat.
//!
//! Run it with `scripts/soak.sh` (release mode). Settings come from the environment:
//! `SOAK_SEED` (to repeat a run; printed either way), `SOAK_GETS` (100000), `SOAK_WAITS` (1000),
//! `SOAK_CONCURRENCY` (Get Revisions in flight, 64), `SOAK_WAIT_CONCURRENCY` (waits in flight,
//! 250), `SOAK_DEADLINE_SECS` (600: past it, the run counts as hung).
//!
//! The seed fixes the sequence of faults and the pauses between them; which request meets
//! which fault still depends on scheduling.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use langsmith_control_plane::{Client, Error, RetryPolicy, WaitOptions};
use langsmith_control_plane_mock::{
    Fault, MockServer, RetryAfter, Timing, github_deployment_request,
};

/// Resident memory may grow by this factor after warm-up before the run fails.
const RSS_GROWTH_LIMIT: f64 = 1.5;
/// Faults kept armed: refilled every few milliseconds, never piling up in a slow phase.
const ARMED_AT_MOST: usize = 4;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

struct Settings {
    seed: u64,
    gets: usize,
    waits: usize,
    concurrency: usize,
    wait_concurrency: usize,
    deadline: Duration,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Settings {
    fn from_env() -> Self {
        Self {
            seed: env_number("SOAK_SEED", fastrand::u64(..)),
            gets: env_number("SOAK_GETS", 100_000) as usize,
            waits: env_number("SOAK_WAITS", 1_000) as usize,
            concurrency: env_number("SOAK_CONCURRENCY", 64).max(1) as usize,
            wait_concurrency: env_number("SOAK_WAIT_CONCURRENCY", 250).max(1) as usize,
            deadline: Duration::from_secs(env_number("SOAK_DEADLINE_SECS", 600)),
        }
    }
}

/// Resident memory of this process, in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A random fault, and the name it is counted under.
fn random_fault(rng: &mut fastrand::Rng) -> (&'static str, Fault) {
    match rng.u32(0..100) {
        0..=11 => ("503", Fault::status(503)),
        12..=21 => ("502", Fault::status(502)),
        22..=29 => ("500", Fault::status(500)),
        30..=35 => ("504", Fault::status(504)),
        36..=47 => ("429", Fault::rate_limited()),
        48..=49 => (
            "429 Retry-After: 1",
            Fault::rate_limited().retry_after(RetryAfter::Seconds(1)),
        ),
        50..=59 => ("connection dropped", Fault::drop_connection()),
        60..=67 => ("response dropped", Fault::drop_response()),
        68..=75 => ("HTML 502", Fault::html(502)),
        76..=83 => ("truncated JSON", Fault::truncated_json()),
        84..=89 => ("empty body", Fault::empty_body()),
        90..=95 => ("wrong JSON type", Fault::wrong_json_type()),
        _ => ("slow headers", Fault::latency(REQUEST_TIMEOUT * 3 / 2)),
    }
}

/// Arms random faults on Get Revision until `stop`, and keeps the mock's request log short so
/// the process's memory reflects the client.
async fn inject_faults(
    mock: Arc<MockServer>,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> BTreeMap<&'static str, usize> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut injected = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(rng.u64(1..=4))).await;
        mock.clear_requests();
        for _ in mock.armed_faults().len()..ARMED_AT_MOST {
            let (name, fault) = random_fault(&mut rng);
            mock.inject(fault.on("get_revision"));
            *injected.entry(name).or_insert(0) += 1;
        }
    }
    injected
}

/// The class a result is counted under: `ok`, or the error variant (with its status or kind).
fn class(error: &Error) -> String {
    match error {
        Error::Transport { kind, .. } => format!("Transport({kind:?})"),
        Error::Decode { message, .. } if message.contains("exceeds the limit") => {
            "Decode(size limit)".into()
        }
        Error::Decode { status, .. } => format!("Decode({status})"),
        other => match other.status() {
            Some(status) => format!("{}({status})", variant_name(other)),
            None => variant_name(other).to_string(),
        },
    }
}

fn variant_name(error: &Error) -> &'static str {
    match error {
        Error::Unauthorized(_) => "Unauthorized",
        Error::NotFound(_) => "NotFound",
        Error::Conflict(_) => "Conflict",
        Error::Validation(_) => "Validation",
        Error::RateLimited(_) => "RateLimited",
        Error::Server(_) => "Server",
        Error::Api(_) => "Api",
        Error::RedirectRefused { .. } => "RedirectRefused",
        Error::Pagination { .. } => "Pagination",
        Error::InvalidInput(_) => "InvalidInput",
        Error::Config(_) => "Config",
        _ => "other",
    }
}

/// Calls by class, with the longest call of each class.
#[derive(Default)]
struct Tally(BTreeMap<String, (usize, Duration)>);

impl Tally {
    fn add(&mut self, class: String, took: Duration) {
        let entry = self.0.entry(class).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(took);
    }
    fn total(&self) -> usize {
        self.0.values().map(|(count, _)| count).sum()
    }
    fn print(&self) {
        println!("  {:<24} {:>8}  {:>9}", "outcome", "calls", "longest");
        for (class, (count, longest)) in &self.0 {
            println!("  {class:<24} {count:>8}  {:>7.2} s", longest.as_secs_f64());
        }
        println!("  {:<24} {:>8}", "accounted for", self.total());
    }
}

/// Runs a call, timing it.
async fn timed<T>(call: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let output = call.await;
    (output, started.elapsed())
}

struct Memory {
    start: u64,
    warm: u64,
    middle: u64,
    end: u64,
}

async fn get_revisions(
    client: &Client,
    settings: &Settings,
    ids: (uuid::Uuid, uuid::Uuid),
    memory: &mut Memory,
) -> Tally {
    let mut tally = Tally::default();
    let calls = futures::stream::iter(0..settings.gets)
        .map(|_| timed(client.get_revision(ids.0, ids.1)))
        .buffer_unordered(settings.concurrency);
    futures::pin_mut!(calls);
    while let Some((result, took)) = calls.next().await {
        tally.add(result.map_or_else(|e| class(&e), |_| "ok".into()), took);
        let done = tally.total();
        if done == (settings.gets / 10).max(1) {
            memory.warm = rss_kib();
        } else if done == settings.gets / 2 {
            memory.middle = rss_kib();
        }
    }
    tally
}

/// Creates a deployment and waits on its first revision; faults meet the polls.
async fn create_and_wait(client: &Client, n: usize) -> String {
    let request = github_deployment_request(&format!("soak-{n}"));
    let deployment = match client.deployments().create(request).await {
        Ok(deployment) => deployment,
        Err(error) => return format!("create: {}", class(&error)),
    };
    let options = WaitOptions::default()
        .fixed_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(60));
    match client.wait_for_latest_revision(&deployment, options).await {
        Ok(outcome) => outcome.kind().to_string(),
        Err(error) => class(&error),
    }
}

async fn waits(client: &Client, settings: &Settings) -> Tally {
    let mut tally = Tally::default();
    let runs = futures::stream::iter(0..settings.waits)
        .map(|n| timed(create_and_wait(client, n)))
        .buffer_unordered(settings.wait_concurrency);
    futures::pin_mut!(runs);
    while let Some((class, took)) = runs.next().await {
        tally.add(class, took);
    }
    tally
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[tokio::main]
async fn main() -> ExitCode {
    let settings = Settings::from_env();
    println!(
        "soak: seed {} (SOAK_SEED={} repeats it)",
        settings.seed, settings.seed
    );
    let mock = Arc::new(
        MockServer::builder()
            .timing(Timing::fast())
            .start()
            .await
            .expect("the mock starts on loopback"),
    );
    let client = Client::builder()
        .api_key("soak-key")
        .workspace_id(mock.tenant_id())
        .base_url(mock.base_url())
        .request_timeout(REQUEST_TIMEOUT)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(50)),
        )
        .build()
        .expect("valid settings");
    let seeded = mock.seed_deployment(github_deployment_request("soak-get"));
    let ids = (seeded.id, seeded.latest_revision_id.expect("seeded"));

    let mut memory = Memory {
        start: rss_kib(),
        warm: 0,
        middle: 0,
        end: 0,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let injector = tokio::spawn(inject_faults(mock.clone(), settings.seed, stop.clone()));
    let started = Instant::now();
    let work = async {
        let gets = get_revisions(&client, &settings, ids, &mut memory);
        let (gets, waits) = tokio::join!(gets, waits(&client, &settings));
        (gets, waits, started.elapsed())
    };
    let Ok((gets, waits, elapsed)) = tokio::time::timeout(settings.deadline, work).await else {
        println!(
            "FAIL: calls still running after {:?}: a hang",
            settings.deadline
        );
        return ExitCode::FAILURE;
    };
    stop.store(true, Ordering::Relaxed);
    let injected = injector.await.expect("the injector does not panic");
    let unconsumed = mock.armed_faults().len();
    memory.end = rss_kib();

    let mut failures = Vec::new();
    println!(
        "Get Revision: {} calls, {} in flight, {:.1} s for the whole run ({:.0} Get Revisions/s)",
        settings.gets,
        settings.concurrency,
        elapsed.as_secs_f64(),
        settings.gets as f64 / elapsed.as_secs_f64()
    );
    gets.print();
    if gets.total() != settings.gets {
        failures.push(format!(
            "{} of {} Get Revisions accounted for",
            gets.total(),
            settings.gets
        ));
    }
    println!(
        "Create + wait: {} runs, {} in flight (mock timing: DEPLOYED after 600 ms; polls every 100 ms)",
        settings.waits, settings.wait_concurrency
    );
    waits.print();
    if waits.total() != settings.waits {
        failures.push(format!(
            "{} of {} waits accounted for",
            waits.total(),
            settings.waits
        ));
    }
    let total_injected: usize = injected.values().sum();
    println!(
        "Faults injected on get_revision: {total_injected} ({} consumed)",
        total_injected - unconsumed
    );
    for (name, count) in &injected {
        println!("  {name:<24} {count:>8}");
    }
    let growth = memory.end as f64 / memory.warm.max(1) as f64;
    println!(
        "Resident memory: start {}, after warm-up (10% of Get Revisions) {}, middle {}, end {}; \
         end / warm-up = {growth:.2} (limit {RSS_GROWTH_LIMIT})",
        mib(memory.start),
        mib(memory.warm),
        mib(memory.middle),
        mib(memory.end)
    );
    if growth > RSS_GROWTH_LIMIT {
        failures.push(format!("resident memory grew {growth:.2}x after warm-up"));
    }
    if failures.is_empty() {
        println!("PASS");
        ExitCode::SUCCESS
    } else {
        println!("FAIL: {}", failures.join("; "));
        ExitCode::FAILURE
    }
}
