//! One `control_plane.request` span per attempt, inside the caller's span, with the operation,
//! method, path, attempt number, status and latency.

use crate::support;

use crate::support::{Reply, Server, d, r, revision};
use tracing::Instrument;
use tracing_subscriber::fmt::format::FmtSpan;

#[tokio::test]
async fn each_attempt_has_a_span_with_its_fields() {
    let (captured, _guard) = support::capture_traces(FmtSpan::CLOSE);

    let server = Server::sequence(vec![
        Reply::json(503, "{}"),
        Reply::json(200, revision("DEPLOYED")),
    ])
    .await;
    let client = support::builder(&server)
        .retry_policy(support::fast_retries())
        .build()
        .unwrap();
    client
        .get_revision(d(), r())
        .instrument(tracing::info_span!("deploy_job"))
        .await
        .unwrap();

    let path = format!("/v2/deployments/{}/revisions/{}", d(), r());
    let text = captured.text();
    let closes: Vec<&str> = text
        .lines()
        .filter(|line| {
            line.contains("control_plane.request{") && line.contains("::transport: close ")
        })
        .collect();
    assert_eq!(closes.len(), 2, "{closes:#?}");
    for (line, (attempt, status)) in closes.iter().zip([(1, 503), (2, 200)]) {
        let fields = format!(
            "deploy_job:control_plane.request{{operation=\"get_revision\" method=GET \
             path={path} attempt={attempt} latency_ms="
        );
        assert!(line.contains(&fields), "{fields}\n{line}");
        assert!(line.contains(&format!(" status={status}}}:")), "{line}");
    }
}
