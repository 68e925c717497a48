//! Requests made and detection lag while waiting on simulated builds, for the default wait policy
//! (by phase), the backoff it replaced, and fixed 1 s, 3 s and 5 s polling. Runs on tokio's paused
//! clock against a loopback server whose revision moves through its statuses as time passes.
//!
//! `cargo bench -p langsmith-control-plane --bench wait_simulation`
//!
//! Two simulations. Binary: the revision is `BUILDING`, then `DEPLOYED` after 14 minutes (and
//! after 61 lengths from 14:00 to 14:29.4 in 0.49 s steps, so that fixed polling does not always
//! land on the end), showing no phases to follow. Phased: `QUEUED` 0-2 min, `BUILDING` 6-14 min,
//! `AWAITING_DEPLOY` 10-60 s, `DEPLOYING` 30 s-3 min, then `DEPLOYED`: the low, middle and high
//! length of each phase (81 combinations), each moved by a seeded amount (up to 2% of its range)
//! so that the ends do not all fall on a poll. The output is markdown; it ends with the targets
//! for the default policy, whether each is met, and fails if one is not.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use langsmith_control_plane::{Client, RetryPolicy, WaitOptions};
use tokio::time::Instant;

const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

/// The statuses a revision goes through, each for how long, before `DEPLOYED`.
type Life = Vec<(&'static str, Duration)>;

/// Requests made and how long after `DEPLOYED` the wait noticed.
#[derive(Clone, Copy)]
struct Run {
    requests: usize,
    lag: Duration,
}

fn revision(status: &str) -> String {
    serde_json::json!({
        "id": R, "created_at": "2026-11-02T14:05:31Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": status, "source": "github", "source_revision_config": {}
    })
    .to_string()
}

/// The status `elapsed` into `life`.
fn status_at(life: &[(&'static str, Duration)], elapsed: Duration) -> &'static str {
    let mut end = Duration::ZERO;
    for (status, length) in life {
        end += *length;
        if elapsed < end {
            return status;
        }
    }
    "DEPLOYED"
}

async fn simulate(options: WaitOptions, life: Life) -> Run {
    let start = Instant::now();
    let total: Duration = life.iter().map(|(_, length)| *length).sum();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let life = Arc::new(life);
    let app = axum::Router::new().fallback(move || {
        let (counter, life) = (counter.clone(), life.clone());
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let status = status_at(&life, start.elapsed());
            ([("content-type", "application/json")], revision(status))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    // No connection pooling: on a paused clock, kept-alive connections stall after a sleep.
    let http = langsmith_control_plane::http_client_builder().pool_max_idle_per_host(0);
    let client = Client::builder()
        .api_key("bench")
        .base_url(url)
        .http_client(http)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let outcome = client
        .wait_for_revision(D.parse().unwrap(), R.parse().unwrap(), options)
        .await
        .unwrap();
    server.abort();
    assert!(outcome.is_deployed());
    Run {
        requests: requests.load(Ordering::SeqCst),
        lag: start.elapsed() - total,
    }
}

/// Mean requests, most requests, mean lag and worst lag of some runs.
struct Summary {
    requests: f64,
    most: usize,
    mean_lag: f64,
    worst_lag: f64,
}

fn summarize(runs: &[Run]) -> Summary {
    let n = runs.len() as f64;
    Summary {
        requests: runs.iter().map(|r| r.requests).sum::<usize>() as f64 / n,
        most: runs.iter().map(|r| r.requests).max().unwrap_or(0),
        mean_lag: runs.iter().map(|r| r.lag.as_secs_f64()).sum::<f64>() / n,
        worst_lag: runs.iter().map(|r| r.lag.as_secs_f64()).fold(0.0, f64::max),
    }
}

fn fixed(seconds: u64) -> WaitOptions {
    WaitOptions::default()
        .fixed_interval(Duration::from_secs(seconds))
        .jitter(false)
}

/// The phased lives: low, middle and high length of each phase, moved inwards (or around the
/// middle) by up to 2% of its range, seeded, so the ends fall at different points between polls.
fn phased_lives() -> Vec<Life> {
    let ranges: [(&str, u64, u64); 4] = [
        ("QUEUED", 0, 120),
        ("BUILDING", 360, 840),
        ("AWAITING_DEPLOY", 10, 60),
        ("DEPLOYING", 30, 180),
    ];
    let mut rng = fastrand::Rng::with_seed(15);
    let mut lives = Vec::new();
    for combination in 0..3usize.pow(4) {
        let life = ranges
            .iter()
            .enumerate()
            .map(|(phase, (status, low, high))| {
                let level = (combination / 3usize.pow(phase as u32)) % 3;
                let nudge = rng.f64() * 0.02;
                let fraction = match level {
                    0 => nudge,
                    1 => 0.49 + nudge,
                    _ => 1.0 - nudge,
                };
                let seconds = *low as f64 + (high - low) as f64 * fraction;
                (*status, Duration::from_secs_f64(seconds))
            })
            .collect();
        lives.push(life);
    }
    lives
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    // The jitter draws from fastrand's thread-local generator, seeded per run: same table each
    // time, and every policy meets the same draws on the same simulated build.
    let run = |seed: u64, options: &WaitOptions, life: Life| {
        fastrand::seed(seed);
        runtime.block_on(simulate(options.clone(), life))
    };
    let policies = vec![
        ("default (by phase)", WaitOptions::default()),
        (
            "backoff only (the old default)",
            WaitOptions::backoff_only(),
        ),
        ("fixed 3 s", fixed(3)),
        ("fixed 5 s", fixed(5)),
    ];
    let binary_policies = {
        let mut all = policies.clone();
        all.push(("fixed 1 s", fixed(1)));
        all
    };

    let build = Duration::from_secs(14 * 60);
    println!("### Binary: BUILDING, then DEPLOYED at 14:00\n");
    println!("| policy | requests | detection lag |\n|---|---:|---:|");
    for (name, options) in &binary_policies {
        let r = run(14, options, vec![("BUILDING", build)]);
        println!("| {name} | {} | {:.1} s |", r.requests, r.lag.as_secs_f64());
    }

    println!("\n### Binary: 61 builds, 14:00 to 14:29.4\n");
    println!("| policy | requests (mean) | requests (most) | mean lag | worst lag |");
    println!("|---|---:|---:|---:|---:|");
    let mut binary_default = None;
    for (name, options) in &binary_policies {
        let runs: Vec<Run> = (0..=60u64)
            .map(|step| {
                let length = build + Duration::from_millis(490 * step);
                run(100 + step, options, vec![("BUILDING", length)])
            })
            .collect();
        let s = summarize(&runs);
        println!(
            "| {name} | {:.1} | {} | {:.1} s | {:.1} s |",
            s.requests, s.most, s.mean_lag, s.worst_lag
        );
        binary_default.get_or_insert(s);
    }

    let lives = phased_lives();
    println!(
        "\n### Phased: {} combinations of QUEUED 0-2 min, BUILDING 6-14 min, \
         AWAITING_DEPLOY 10-60 s, DEPLOYING 30 s-3 min\n",
        lives.len()
    );
    println!(
        "| policy | requests (mean) | requests (most) | most over the old default | mean lag | worst lag |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let per_policy: Vec<Vec<Run>> = policies
        .iter()
        .map(|(_, options)| {
            lives
                .iter()
                .enumerate()
                .map(|(i, life)| run(1000 + i as u64, options, life.clone()))
                .collect()
        })
        .collect();
    // Index 1 is the old default: every policy's excess over it, combination by combination.
    let excess = |runs: &[Run]| {
        runs.iter()
            .zip(&per_policy[1])
            .map(|(a, b)| a.requests as i64 - b.requests as i64)
            .max()
            .unwrap_or(0)
    };
    for ((name, _), runs) in policies.iter().zip(&per_policy) {
        let s = summarize(runs);
        println!(
            "| {name} | {:.1} | {} | {:+} | {:.1} s | {:.1} s |",
            s.requests,
            s.most,
            excess(runs),
            s.mean_lag,
            s.worst_lag
        );
    }

    let phased = summarize(&per_policy[0]);
    let binary = binary_default.expect("the default ran");
    let targets = [
        (
            "phased: mean detection lag <= 5 s",
            format!("{:.1} s", phased.mean_lag),
            phased.mean_lag <= 5.0,
        ),
        (
            "phased: worst detection lag <= 15 s",
            format!("{:.1} s", phased.worst_lag),
            phased.worst_lag <= 15.0,
        ),
        (
            "phased: at most 60 requests on average",
            format!("{:.1}", phased.requests),
            phased.requests <= 60.0,
        ),
        (
            "phased: never more than the old default + 30 requests",
            format!("{:+} at most", excess(&per_policy[0])),
            excess(&per_policy[0]) <= 30,
        ),
        (
            "binary: <= 40 requests",
            format!("{} at most", binary.most),
            binary.most <= 40,
        ),
        (
            "binary: <= 30 s detection lag",
            format!("{:.1} s at worst", binary.worst_lag),
            binary.worst_lag <= 30.0,
        ),
    ];
    println!("\n### Targets for the default policy\n");
    println!("| target | measured | met |\n|---|---|---|");
    for (target, measured, met) in &targets {
        println!(
            "| {target} | {measured} | {} |",
            if *met { "yes" } else { "NO" }
        );
    }
    assert!(
        targets.iter().all(|(_, _, met)| *met),
        "a target of the default wait policy is not met"
    );
}
