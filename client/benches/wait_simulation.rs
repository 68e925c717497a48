//! Requests made and detection lag while waiting on a simulated 14-minute build, for the default
//! wait policy and for fixed 1 s, 3 s and 5 s polling. Runs on tokio's paused clock against a
//! loopback server whose revision turns DEPLOYED 14 minutes after the wait starts.
//!
//! `cargo bench -p langsmith-control-plane --bench wait_simulation`
//! Targets for the default policy: at most 40 requests, detection lag at most 30 s.
//!
//! A build of exactly 14 minutes ends on a poll of every fixed interval (840 s is a multiple of
//! 1, 3 and 5 s), so fixed polling shows no lag there; the second table spreads the build's end
//! over 61 lengths from 14:00 to 14:29.4 in 0.49 s steps (phases that do not repeat) and gives
//! the mean and worst lag.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use langsmith_control_plane::{Client, RetryPolicy, WaitOptions};
use tokio::time::Instant;

const BUILD: Duration = Duration::from_secs(14 * 60);
const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

fn revision(status: &str) -> String {
    serde_json::json!({
        "id": R, "created_at": "2026-11-02T14:05:31Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": status, "source": "github", "source_revision_config": {}
    })
    .to_string()
}

async fn simulate(options: WaitOptions, build: Duration) -> (usize, Duration) {
    let start = Instant::now();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let status = if start.elapsed() >= build {
                "DEPLOYED"
            } else {
                "BUILDING"
            };
            ([("content-type", "application/json")], revision(status))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
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
    assert!(outcome.is_deployed());
    (requests.load(Ordering::SeqCst), start.elapsed() - build)
}

fn main() {
    // The default policy's jitter draws from fastrand's thread-local generator: same seed, same table.
    fastrand::seed(14);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    println!(
        "{:<28} {:>9} {:>16}",
        "policy (14-minute build)", "requests", "detection lag"
    );
    let policies = [
        ("default (2 s -> 30 s cap)", WaitOptions::default()),
        (
            "fixed 1 s",
            WaitOptions::default()
                .fixed_interval(Duration::from_secs(1))
                .jitter(false),
        ),
        (
            "fixed 3 s",
            WaitOptions::default()
                .fixed_interval(Duration::from_secs(3))
                .jitter(false),
        ),
        (
            "fixed 5 s",
            WaitOptions::default()
                .fixed_interval(Duration::from_secs(5))
                .jitter(false),
        ),
    ];
    for (name, options) in &policies {
        let (requests, lag) = runtime.block_on(simulate(options.clone(), BUILD));
        println!("{name:<28} {requests:>9} {:>15.1}s", lag.as_secs_f64());
    }

    println!(
        "\n{:<28} {:>9} {:>10} {:>10}",
        "policy (61 builds, 14-14.5m)", "requests", "mean lag", "worst lag"
    );
    let builds: Vec<Duration> = (0..=60)
        .map(|step| BUILD + Duration::from_millis(490 * step))
        .collect();
    for (name, options) in &policies {
        let runs: Vec<(usize, Duration)> = builds
            .iter()
            .map(|build| runtime.block_on(simulate(options.clone(), *build)))
            .collect();
        let requests = runs.iter().map(|(n, _)| n).sum::<usize>() as f64 / runs.len() as f64;
        let mean = runs.iter().map(|(_, lag)| lag.as_secs_f64()).sum::<f64>() / runs.len() as f64;
        let worst = runs.iter().map(|(_, lag)| *lag).max().unwrap_or_default();
        println!(
            "{name:<28} {requests:>9.1} {mean:>9.1}s {:>9.1}s",
            worst.as_secs_f64()
        );
    }
}
