//! The Rust side of the peer benchmarks in BENCHMARKS.md (driven by `scripts/bench/*.sh`).
//!
//! ```text
//! bench_peers get-revision <facade|facade-api|generated|raw|raw-timeout> URL DEPLOYMENT REVISION CALLS CONCURRENCY
//! bench_peers list         <facade|raw|raw-timeout> URL DEPLOYMENT [MAX_ITEMS]
//! bench_peers serve-seeded PORT REVISIONS
//! ```
//!
//! `get-revision` makes CALLS Get Revision calls split over CONCURRENCY tasks (after a warm-up)
//! and prints one JSON line: wall time, requests/s, mean/p50/p99 latency. `list` pages through a
//! deployment's revisions and prints the count and time (peak memory is measured from outside,
//! with `/usr/bin/time -v`). `serve-seeded` serves the mock with one deployment holding REVISIONS
//! revisions and prints `URL DEPLOYMENT_ID` until it is killed.
//!
//! "raw" is what a hand-written client does: one `reqwest::Client` (built like the facade's, same
//! TLS backend and pool) and `serde_json` into the same generated types, no retries, no checks,
//! sending the facade's headers (API key, `Accept`, `User-Agent`) so the server sees the same
//! request from both.
//! "raw-timeout" is raw with the facade's default per-request timeout (30 s), which costs a timer
//! per call: a robust hand-written client needs one too. Two rungs between raw and the facade
//! show where a cost comes from: "generated" is the progenitor client alone (no facade
//! transport), "facade-api" the generated builder run through `Client::call` (the facade's
//! transport and error conversion, without the shortcut).

use std::time::{Duration, Instant};

use langsmith_control_plane::types::{Revision, RevisionStatus, RevisionsList};
use langsmith_control_plane::{Client, RetryPolicy};

/// The largest page the list operations accept.
const MAX_PAGE_SIZE: u32 = 100;

// The clients and constants of the criterion bench, so both measure the same clients.
#[allow(dead_code)]
#[path = "../benches/common/mod.rs"]
mod common;

use common::{KEY, USER_AGENT, facade_at, raw_client};
use uuid::Uuid;

fn usage() -> ! {
    eprintln!(
        "usage: bench_peers get-revision <facade|facade-api|generated|raw|raw-timeout> URL DEPLOYMENT REVISION CALLS CONCURRENCY\n\
         \x20      bench_peers list <facade|raw|raw-timeout> URL DEPLOYMENT [MAX_ITEMS]\n\
         \x20      bench_peers serve-seeded PORT REVISIONS"
    );
    std::process::exit(2)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| usage())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("get-revision") => {
            let runner = Runner::new(&args[1..]);
            let (calls, concurrency): (usize, usize) = (arg(&args, 5), arg(&args, 6));
            runtime(concurrency).block_on(get_revision(runner, calls, concurrency));
        }
        Some("list") => {
            let runner = Runner::new(&args[1..]);
            let max_items: Option<usize> = args.get(4).map(|_| arg(&args, 4));
            runtime(1).block_on(list(runner, max_items));
        }
        Some("serve-seeded") => {
            runtime(1).block_on(serve_seeded(arg(&args, 1), arg(&args, 2)));
        }
        _ => usage(),
    }
}

/// One thread for sequential work; two workers (the machine's cores) for concurrent work.
fn runtime(concurrency: usize) -> tokio::runtime::Runtime {
    if concurrency <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    }
    .enable_all()
    .build()
    .expect("a tokio runtime")
}

/// Which client makes the calls, and against what.
#[derive(Clone)]
enum Runner {
    Facade {
        client: Client,
        deployment: Uuid,
        revision: Uuid,
    },
    /// The generated client alone: `Transport::direct()`, no facade.
    Generated {
        api: langsmith_control_plane_api::Client,
        deployment: Uuid,
        revision: Uuid,
    },
    /// The facade's transport (headers, timeout, retries, tracing) under the generated client,
    /// without the facade's call wrapper.
    FacadeApi {
        client: Client,
        deployment: Uuid,
        revision: Uuid,
    },
    Raw {
        http: reqwest::Client,
        base: String,
        deployment: Uuid,
        revision: Uuid,
        timeout: Option<Duration>,
    },
}

impl Runner {
    fn new(args: &[String]) -> Self {
        let base: String = arg(args, 1);
        let deployment = arg(args, 2);
        let revision = args.get(3).and_then(|a| a.parse().ok()).unwrap_or_default();
        match args.first().map(String::as_str) {
            // The facade as a user gets it: default retry policy, limits and checks.
            Some("facade") => Runner::Facade {
                client: facade_at(&base, RetryPolicy::default()),
                deployment,
                revision,
            },
            Some("generated") => Runner::Generated {
                api: langsmith_control_plane_api::Client::new_with_client(
                    &base,
                    raw_client(),
                    langsmith_control_plane_api::transport::Transport::direct(),
                ),
                deployment,
                revision,
            },
            Some("facade-api") => Runner::FacadeApi {
                client: facade_at(&base, RetryPolicy::default()),
                deployment,
                revision,
            },
            Some(kind @ ("raw" | "raw-timeout")) => Runner::Raw {
                http: raw_client(),
                base: base.trim_end_matches('/').to_string(),
                deployment,
                revision,
                timeout: (kind == "raw-timeout").then_some(Duration::from_secs(30)),
            },
            _ => usage(),
        }
    }

    async fn get_revision(&self) -> Revision {
        match self {
            Runner::Facade {
                client,
                deployment,
                revision,
            } => client.get_revision(*deployment, *revision).await.unwrap(),
            Runner::Generated {
                api,
                deployment,
                revision,
            } => generated_get_revision(api, *deployment, *revision).await,
            Runner::FacadeApi {
                client,
                deployment,
                revision,
            } => client
                .call(async |api| {
                    let request = api.get_revision().deployment_id(*deployment);
                    request.revision_id(*revision).send().await
                })
                .await
                .unwrap(),
            Runner::Raw {
                http,
                base,
                deployment,
                revision,
                timeout,
            } => {
                let url = format!("{base}/v2/deployments/{deployment}/revisions/{revision}");
                let bytes = raw_send(http.get(url), *timeout).await;
                serde_json::from_slice(&bytes).unwrap()
            }
        }
    }

    async fn list(&self, max_items: Option<usize>) -> Vec<Revision> {
        match self {
            Runner::Facade {
                client, deployment, ..
            } => {
                let listing = client.revisions(*deployment).list();
                match max_items {
                    Some(cap) => listing.max_items(cap),
                    None => listing,
                }
                .collect()
                .await
                .unwrap()
            }
            Runner::Raw {
                http,
                base,
                deployment,
                timeout,
                ..
            } => {
                let url = format!("{base}/v2/deployments/{deployment}/revisions");
                let cap = max_items.unwrap_or(usize::MAX);
                let mut all = Vec::new();
                loop {
                    let limit = (MAX_PAGE_SIZE as usize).min(cap - all.len());
                    let query = [("offset", all.len()), ("limit", limit)];
                    let bytes = raw_send(http.get(&url).query(&query), *timeout).await;
                    let page: RevisionsList = serde_json::from_slice(&bytes).unwrap();
                    let short = page.resources.len() < limit;
                    all.extend(page.resources);
                    if short || all.len() >= cap {
                        return all;
                    }
                }
            }
            Runner::Generated { .. } | Runner::FacadeApi { .. } => usage(),
        }
    }
}

/// Get Revision through a generated client (over whichever transport it carries).
async fn generated_get_revision(
    api: &langsmith_control_plane_api::Client,
    deployment: Uuid,
    revision: Uuid,
) -> Revision {
    let request = api.get_revision().deployment_id(deployment);
    request
        .revision_id(revision)
        .send()
        .await
        .unwrap()
        .into_inner()
}

async fn raw_send(request: reqwest::RequestBuilder, timeout: Option<Duration>) -> bytes::Bytes {
    let request = match timeout {
        Some(timeout) => request.timeout(timeout),
        None => request,
    };
    request
        .header("x-api-key", KEY)
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap()
}

async fn get_revision(runner: Runner, calls: usize, concurrency: usize) {
    let concurrency = concurrency.max(1);
    // Warm-up: open the connections and fill the caches, not counted.
    run_calls(&runner, concurrency * 20, concurrency).await;
    let start = Instant::now();
    let mut latencies = run_calls(&runner, calls, concurrency).await;
    let wall = start.elapsed();
    latencies.sort_unstable();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = latencies.iter().sum::<Duration>() / latencies.len() as u32;
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[(latencies.len() * 99).div_ceil(100) - 1];
    println!(
        "{{\"calls\": {}, \"concurrency\": {concurrency}, \"seconds\": {:.4}, \"rps\": {:.1}, \
         \"mean_us\": {:.1}, \"p50_us\": {:.1}, \"p99_us\": {:.1}}}",
        latencies.len(),
        wall.as_secs_f64(),
        latencies.len() as f64 / wall.as_secs_f64(),
        micros(mean),
        micros(p50),
        micros(p99),
    );
}

/// `calls` Get Revisions over `concurrency` tasks, each in a closed loop; returns every latency.
async fn run_calls(runner: &Runner, calls: usize, concurrency: usize) -> Vec<Duration> {
    let workers = (0..concurrency).map(|worker| {
        let runner = runner.clone();
        // Spread the remainder so exactly `calls` calls are made.
        let share = calls / concurrency + usize::from(worker < calls % concurrency);
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let start = Instant::now();
                std::hint::black_box(runner.get_revision().await);
                latencies.push(start.elapsed());
            }
            latencies
        })
    });
    let mut all = Vec::with_capacity(calls);
    for worker in futures::future::join_all(workers).await {
        all.extend(worker.unwrap());
    }
    all
}

async fn list(runner: Runner, max_items: Option<usize>) {
    let start = Instant::now();
    let revisions = runner.list(max_items).await;
    let wall = start.elapsed();
    println!(
        "{{\"items\": {}, \"seconds\": {:.4}}}",
        revisions.len(),
        wall.as_secs_f64()
    );
}

async fn serve_seeded(port: u16, revisions: usize) {
    use langsmith_control_plane_mock::{MockServer, Timing, github_deployment_request};

    let server = MockServer::builder()
        .port(port)
        .timing(Timing::instant())
        .start()
        .await
        .expect("the mock starts");
    let deployment = server.seed_deployment(github_deployment_request("bench-history"));
    // seed_deployment made the first (DEPLOYED) revision; a history of mixed outcomes follows.
    let outcomes = [
        RevisionStatus::Skipped,
        RevisionStatus::BuildFailed,
        RevisionStatus::Deployed,
    ];
    for i in 1..revisions {
        server
            .seed_revision(deployment.id, outcomes[i % outcomes.len()].clone())
            .expect("the deployment exists");
    }
    println!("{} {}", server.base_url(), deployment.id);
    server.run_until_ctrl_c().await.expect("the mock runs");
}
