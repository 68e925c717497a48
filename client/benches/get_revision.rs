//! Get Revision through the facade against raw reqwest + serde_json, same loopback server, same run.
//!
//! `cargo bench -p langsmith-control-plane --bench get_revision`
//! Targets: sequential facade time <= 1.05x raw; 256 concurrent facade throughput >= 0.95x raw.

mod common;

use std::time::Duration;

use common::{D, R, facade, raw_client, raw_get, start_server};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use langsmith_control_plane::RetryPolicy;
use uuid::Uuid;

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
    let client = facade(addr, RetryPolicy::none());
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
    let client = facade(addr, RetryPolicy::none());
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
