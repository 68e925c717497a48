//! Deleting many deployments at once against the mock: batches of at most 100, a result per ID
//! (from 200 and 207 answers alike), failures confined to their batch, waiting until gone.

use std::time::Duration;

use langsmith_control_plane::types::DeploymentStatus;
use langsmith_control_plane::{Client, DeleteOutcome, GoneOutcome, RetryPolicy};
use langsmith_control_plane_mock::{Fault, MockServer, Timing, github_deployment_request};
use uuid::Uuid;

async fn mock(timing: Timing) -> MockServer {
    MockServer::builder().timing(timing).start().await.unwrap()
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn seed(mock: &MockServer, count: usize) -> Vec<Uuid> {
    (0..count)
        .map(|i| {
            mock.seed_deployment(github_deployment_request(&format!("preview-{i}")))
                .id
        })
        .collect()
}

/// The number of IDs in each bulk delete request the mock received.
fn batch_sizes(mock: &MockServer) -> Vec<usize> {
    mock.requests_for("delete_deployments")
        .iter()
        .map(|r| {
            r.query
                .as_deref()
                .unwrap_or("")
                .matches("deployment_ids=")
                .count()
        })
        .collect()
}

#[tokio::test]
async fn any_number_of_ids_goes_in_requests_of_at_most_100_with_a_result_per_id() {
    let mock = mock(Timing::realistic()).await;
    let mut ids = seed(&mock, 230);
    ids.push(ids[0]);
    let results = client(&mock).deployments().delete_many(&ids).await;
    assert_eq!(batch_sizes(&mock), [100, 100, 30]);
    assert_eq!(results.len(), 230, "a duplicate ID is deleted once");
    assert!(
        results
            .iter()
            .zip(&ids)
            .all(|(r, id)| r.deployment_id == *id && r.outcome == DeleteOutcome::Deleted)
    );
    assert!(
        mock.deployments()
            .iter()
            .all(|d| d.status == DeploymentStatus::AwaitingDelete)
    );
}

#[tokio::test]
async fn a_partial_answer_fails_only_the_ids_it_names_with_their_reason() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 2);
    let unknown = Uuid::new_v4();
    let client = client(&mock);
    client.deployments().delete_many(&ids[1..]).await;
    let results = client
        .deployments()
        .delete_many(&[ids[0], unknown, ids[1]])
        .await;
    assert_eq!(results[0].outcome, DeleteOutcome::Deleted);
    assert_eq!(
        results[1].outcome,
        DeleteOutcome::Failed {
            reason: format!("Deployment {unknown} not found"),
            status: Some(404),
        }
    );
    assert!(
        matches!(&results[2].outcome, DeleteOutcome::Failed { reason, status: Some(409) }
            if reason.contains("already being deleted")),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn a_failed_request_fails_its_own_batch_and_the_others_go_on() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 150);
    mock.inject(Fault::status(500).on("delete_deployments").times(1));
    let results = client(&mock).deployments().delete_many(&ids).await;
    let (failed, deleted): (Vec<_>, Vec<_>) = results.iter().partition(|r| !r.outcome.is_deleted());
    assert_eq!((failed.len(), deleted.len()), (100, 50));
    assert!(failed.iter().all(|r| r.deployment_id != ids[120]));
    assert!(matches!(
        &failed[0].outcome,
        DeleteOutcome::Failed { status: Some(500), reason } if reason.contains("DELETE /v2/deployments")
    ));
}

#[tokio::test]
async fn an_unreadable_partial_answer_fails_its_ids_without_guessing() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 1);
    mock.inject(Fault::html(207).on("delete_deployments").times(1));
    let results = client(&mock).deployments().delete_many(&ids).await;
    assert!(
        matches!(&results[0].outcome, DeleteOutcome::Failed { status: Some(207), reason }
            if reason.contains("could not be decoded")),
        "{results:?}"
    );
}

#[tokio::test]
async fn no_ids_send_nothing() {
    let mock = mock(Timing::realistic()).await;
    assert!(
        client(&mock)
            .deployments()
            .delete_many(&[])
            .await
            .is_empty()
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn waiting_until_gone_sees_awaiting_delete_then_404() {
    let mut timing = Timing::fast();
    timing.deleting = Duration::from_millis(600);
    let mock = mock(timing).await;
    let ids = seed(&mock, 1);
    let client = client(&mock);
    let still_there = client
        .deployments()
        .wait_until_gone(ids[0], Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(
        still_there,
        GoneOutcome::TimedOut {
            last_status: DeploymentStatus::Ready
        }
    );
    client.deployments().delete_many(&ids).await;
    let gone = client
        .deployments()
        .wait_until_gone(ids[0], Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(gone, GoneOutcome::Gone);
    let reads = mock.requests_for("get_deployment").len();
    assert!(
        reads >= 3,
        "read while AWAITING_DELETE, then the 404: {reads}"
    );
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_counts_its_own_deletions_as_deleted() {
    let mock = mock(Timing::realistic()).await;
    let ids = seed(&mock, 2);
    // The first attempt deletes, then its answer is lost; the retry finds both being deleted.
    mock.inject(Fault::drop_response().on("delete_deployments").times(1));
    let retrying = Client::builder()
        .api_key("test")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let results = retrying.deployments().delete_many(&ids).await;
    assert_eq!(mock.requests_for("delete_deployments").len(), 2);
    assert!(
        results.iter().all(|r| r.outcome.is_deleted()),
        "{results:?}"
    );
    // Without the lost answer, the same 409s are failures.
    let again = retrying.deployments().delete_many(&ids).await;
    assert!(again.iter().all(|r| !r.outcome.is_deleted()), "{again:?}");
}
