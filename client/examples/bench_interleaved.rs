//! The concurrent Get Revision comparison of `benches/get_revision.rs`, interleaved.
//!
//! ```text
//! cargo run --release -p langsmith-control-plane --example bench_interleaved [ROUNDS] [CONCURRENCY] [none|default]
//! ```
//!
//! Same server (axum on its own thread, one fixed revision), same clients (the facade with retries
//! off, raw reqwest + serde_json; `default` gives the facade its default retry policy instead,
//! which keeps a copy of each request for a retry), same batches (CONCURRENCY spawned Get Revisions on a 2-worker
//! runtime) as the criterion benchmark. Criterion measures one client for seconds, then the
//! other; on a shared machine the load can change in between. Here the clients alternate batch by
//! batch (the order flips every round), so both see the same minutes, and the ratio of each
//! round's pair is taken. Prints one JSON line: batches, the median and quartiles of the per-round
//! throughput ratio facade/raw, and each client's total requests per second.

#[path = "../benches/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{D, R, facade, raw_client, raw_get, start_server};
use langsmith_control_plane::types::Revision;
use langsmith_control_plane::{Client, RetryPolicy};
use uuid::Uuid;

#[derive(Clone)]
enum Side {
    Facade(Client),
    Raw(reqwest::Client, String),
}

impl Side {
    async fn get(&self, d: Uuid, r: Uuid) -> Revision {
        match self {
            Side::Facade(client) => client.get_revision(d, r).await.expect("a revision"),
            Side::Raw(http, url) => raw_get(http, url).await,
        }
    }

    /// One batch of `concurrency` spawned calls; its wall time.
    async fn batch(&self, concurrency: usize, d: Uuid, r: Uuid) -> Duration {
        let started = Instant::now();
        let calls = (0..concurrency).map(|_| {
            let side = self.clone();
            tokio::spawn(async move { side.get(d, r).await })
        });
        for call in futures::future::join_all(calls).await {
            std::hint::black_box(call.expect("the call ran"));
        }
        started.elapsed()
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| {
        args.get(i).map_or(default, |a| {
            a.parse().expect("ROUNDS and CONCURRENCY are numbers")
        })
    };
    let (rounds, concurrency) = (number(0, 400), number(1, 256));
    let retries = match args.get(2).map(String::as_str) {
        None | Some("none") => RetryPolicy::none(),
        Some("default") => RetryPolicy::default(),
        Some(other) => panic!("the retry policy is none or default, not {other:?}"),
    };
    let addr = start_server();
    let (d, r): (Uuid, Uuid) = (D.parse().expect("a UUID"), R.parse().expect("a UUID"));
    let facade = Side::Facade(facade(addr, retries.clone()));
    let raw = Side::Raw(
        raw_client(),
        format!("http://{addr}/v2/deployments/{D}/revisions/{R}"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        for _ in 0..20 {
            facade.batch(concurrency, d, r).await;
            raw.batch(concurrency, d, r).await;
        }
        let (mut facade_total, mut raw_total) = (Duration::ZERO, Duration::ZERO);
        let mut ratios = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let (f, w) = if round % 2 == 0 {
                let f = facade.batch(concurrency, d, r).await;
                (f, raw.batch(concurrency, d, r).await)
            } else {
                let w = raw.batch(concurrency, d, r).await;
                (facade.batch(concurrency, d, r).await, w)
            };
            facade_total += f;
            raw_total += w;
            // Throughput ratio: the same number of calls, so raw time over facade time.
            ratios.push(w.as_secs_f64() / f.as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let per_second = |total: Duration| (rounds * concurrency) as f64 / total.as_secs_f64();
        println!(
            "{{\"rounds\": {rounds}, \"concurrency\": {concurrency}, \"facade_retries\": {}, \
             \"ratio_median\": {:.4}, \
             \"ratio_q1\": {:.4}, \"ratio_q3\": {:.4}, \"ratio_of_totals\": {:.4}, \
             \"facade_rps\": {:.0}, \"raw_rps\": {:.0}}}",
            retries.retries(),
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
            raw_total.as_secs_f64() / facade_total.as_secs_f64(),
            per_second(facade_total),
            per_second(raw_total),
        );
    });
}
