//! `Plan::compute` for a file of 50 deployments against the mock: the requests it makes, and its
//! time against the least a plan must do (one listing, then the 50 revision reads all at once);
//! then the requests of an apply right after an apply.
//!
//! `cargo bench -p langsmith-control-plane-plan --bench plan`
//!
//! The output is markdown; it ends with the targets, whether each is met, and fails if one is not.

use std::time::{Duration, Instant};

use futures::StreamExt;
use langsmith_control_plane::Client;
use langsmith_control_plane_mock::{MockServer, Timing, github_deployment_request};
use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOptions};
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::Plan;

const DEPLOYMENTS: usize = 50;
const OTHERS: usize = 30;
const ROUNDS: usize = 60;

fn file() -> String {
    let mut yaml = String::from("deployments:\n");
    for i in 0..DEPLOYMENTS {
        yaml.push_str(&format!(
            "  - name: fleet-{i:02}\n    source: github\n    source_config:\n      \
             repo_url: https://github.com/acme/fleet\n      deployment_type: dev\n    \
             source_revision_config: {{repo_ref: main}}\n    env: {{REGION: eu, SLOT: '{i}'}}\n    \
             secrets: {{TOKEN: {{from_env: BENCH_TOKEN}}}}\n"
        ));
    }
    yaml
}

/// The least a plan must read: the listing, then every latest revision at once.
async fn reads_in_parallel(client: &Client) {
    let listed = client
        .deployments()
        .list()
        .name_contains("fleet-")
        .collect()
        .await
        .unwrap();
    let reads = listed.iter().filter_map(|d| {
        let revision_id = d.latest_revision_id?;
        Some(client.get_revision(d.id, revision_id))
    });
    for read in futures::future::join_all(reads).await {
        read.unwrap();
    }
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn p90(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() * 9 / 10]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let mock = MockServer::builder()
        .timing(Timing::instant())
        .request_log_capacity(10_000)
        .start()
        .await
        .unwrap();
    for i in 0..OTHERS {
        mock.seed_deployment(github_deployment_request(&format!("other-{i}")));
    }
    let client = Client::builder()
        .api_key("bench")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let desired = DesiredState::parse(&file(), "fleet.yaml", ".".as_ref(), |name| {
        (name == "BENCH_TOKEN").then(|| "bench-secret".to_string())
    })
    .unwrap();
    let first = Plan::compute(&client, &desired).await.unwrap();
    let events: Vec<ApplyEvent> = first
        .apply(&client, ApplyOptions::default())
        .collect()
        .await;
    let Some(ApplyEvent::Done(report)) = events.last() else {
        panic!("apply ended without a report");
    };
    assert!(report.worst().is_none(), "{report:?}");

    // Requests of one plan of the applied file.
    mock.clear_requests();
    let plan = Plan::compute(&client, &desired).await.unwrap();
    assert!(!plan.has_changes());
    let lists = mock.requests_for("list_deployments").len();
    let reads = mock.requests_for("get_revision").len();
    let total = mock.requests().len();

    // Time: plan and the parallel reads, taking turns.
    let (mut planned, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        Plan::compute(&client, &desired).await.unwrap();
        reads_in_parallel(&client).await;
    }
    for _ in 0..ROUNDS {
        let start = Instant::now();
        Plan::compute(&client, &desired).await.unwrap();
        planned.push(start.elapsed());
        let start = Instant::now();
        reads_in_parallel(&client).await;
        baseline.push(start.elapsed());
    }
    let (plan_median, base_median) = (median(&mut planned), median(&mut baseline));
    let ratio = plan_median.as_secs_f64() / base_median.as_secs_f64();

    // Apply right after apply.
    mock.clear_requests();
    let again = Plan::compute(&client, &desired).await.unwrap();
    let events: Vec<ApplyEvent> = again
        .apply(&client, ApplyOptions::default())
        .collect()
        .await;
    assert!(matches!(events.last(), Some(ApplyEvent::Done(_))));
    let apply_requests = mock.requests();
    let writes = apply_requests.iter().filter(|r| r.method != "GET").count();

    println!(
        "### Plan of {DEPLOYMENTS} deployments ({OTHERS} others in the workspace), {ROUNDS} rounds\n"
    );
    println!("| | requests | median | p90 |");
    println!("|---|---:|---:|---:|");
    println!(
        "| `Plan::compute` | {total} ({lists} listing, {reads} revision reads) | {} | {} |",
        ms(plan_median),
        ms(p90(&mut planned))
    );
    println!(
        "| listing + {DEPLOYMENTS} revision reads all at once | {} | {} | {} |",
        1 + DEPLOYMENTS,
        ms(base_median),
        ms(p90(&mut baseline))
    );
    println!("\n### Apply right after apply\n");
    println!(
        "| requests | writes (POST, PATCH, PUT, DELETE) |\n|---:|---:|\n| {} | {writes} |",
        apply_requests.len()
    );
    let lists_allowed = DEPLOYMENTS.div_ceil(100);
    let targets = [
        (
            format!("listings <= 1 per 100 deployments ({lists_allowed})"),
            lists.to_string(),
            lists <= lists_allowed,
        ),
        (
            format!("reads <= 1 per deployment ({DEPLOYMENTS})"),
            reads.to_string(),
            reads <= DEPLOYMENTS && total == lists + reads,
        ),
        (
            "plan time <= 2x the parallel reads (median)".into(),
            format!("{ratio:.2}x"),
            ratio <= 2.0,
        ),
        (
            "apply after apply: 0 writes".into(),
            writes.to_string(),
            writes == 0,
        ),
    ];
    println!("\n### Targets\n\n| target | measured | met |\n|---|---|---|");
    let mut all = true;
    for (target, measured, met) in &targets {
        println!(
            "| {target} | {measured} | {} |",
            if *met { "yes" } else { "NO" }
        );
        all &= met;
    }
    assert!(all, "a target is not met");
}
