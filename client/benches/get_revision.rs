//! Get Revision through the facade against raw reqwest + serde_json, same loopback server, same run.
//!
//! `cargo bench -p langsmith-control-plane --bench get_revision`
//! Targets: sequential facade time <= 1.05x raw; 256 concurrent facade throughput >= 0.95x raw.

use std::net::SocketAddr;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use langsmith_control_plane::types::Revision;
use langsmith_control_plane::{Client, RetryPolicy};
use uuid::Uuid;

const KEY: &str = "lsv2_sk_bench_key";
const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

fn revision_body() -> String {
    serde_json::json!({
        "id": R, "created_at": "2026-11-02T14:05:31.123456Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": "DEPLOYED", "source": "github",
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json",
            "image_uri": null, "source_tarball_path": null, "repo_commit_sha": "3f9c2e1d4b5a69788796a5b4c3d2e1f00a1b2c3d"}
    })
    .to_string()
}

/// A server answering every GET with the same revision, on its own runtime thread.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let body = revision_body();
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn facade(addr: SocketAddr) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn raw_client() -> reqwest::Client {
    langsmith_control_plane::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn raw_get(http: &reqwest::Client, url: &str) -> Revision {
    let bytes = http
        .get(url)
        .header("x-api-key", KEY)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn benches(c: &mut Criterion) {
    let addr = start_server();
    let (d, r): (Uuid, Uuid) = (D.parse().unwrap(), R.parse().unwrap());
    let url = format!("http://{addr}/v2/deployments/{D}/revisions/{R}");

    let sequential = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("get_revision_sequential");
    group.measurement_time(Duration::from_secs(8));
    let client = facade(addr);
    group.bench_function("facade", |b| {
        b.to_async(&sequential)
            .iter(|| async { client.get_revision(d, r).await.unwrap() })
    });
    let http = raw_client();
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&sequential)
            .iter(|| async { raw_get(&http, &url).await })
    });
    group.finish();

    let concurrent = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("get_revision_256_concurrent");
    group.throughput(Throughput::Elements(256));
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(30);
    let client = facade(addr);
    group.bench_function("facade", |b| {
        b.to_async(&concurrent).iter(|| async {
            let calls = (0..256).map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.get_revision(d, r).await.unwrap() })
            });
            for call in futures::future::join_all(calls).await {
                call.unwrap();
            }
        })
    });
    let http = raw_client();
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&concurrent).iter(|| async {
            let calls = (0..256).map(|_| {
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move { raw_get(&http, &url).await })
            });
            for call in futures::future::join_all(calls).await {
                call.unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(get_revision, benches);
criterion_main!(get_revision);
