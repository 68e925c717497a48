//! Requests made and detection lag while waiting on a simulated 14-minute build, for the default
//! wait policy and for fixed 1 s, 3 s and 5 s polling. Runs on tokio's paused clock against a
//! loopback server whose revision turns DEPLOYED 14 minutes after the wait starts.
//!
//! `cargo bench -p langsmith-control-plane --bench wait_simulation`
//! Targets for the default policy: at most 40 requests, detection lag at most 30 s.

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

async fn simulate(options: WaitOptions) -> (usize, Duration) {
    let start = Instant::now();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let status = if start.elapsed() >= BUILD {
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
    let http = langsmith_control_plane::http_client_builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
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
    (requests.load(Ordering::SeqCst), start.elapsed() - BUILD)
}

fn main() {
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
    for (name, options) in policies {
        let (requests, lag) = runtime.block_on(simulate(options));
        println!("{name:<28} {requests:>9} {:>15.1}s", lag.as_secs_f64());
    }
}
