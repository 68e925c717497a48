//! Deleting many deployments at once (`DELETE /v2/deployments?deployment_ids=...`), reading each
//! ID's result, and waiting until deleted deployments are gone.
//!
//! The API document says the bulk delete responds 200 when every deployment was deleted and 207
//! when only some were, but describes no 207 body. This crate assumes (and the mock does)
//! `{"deleted": [ID, ...], "failed": [{"deployment_id": ID, "status_code": 404, "detail": "..."}]}`.
//!
//! A response that does not say what became of an ID (a 207 that does not mention it, a 5xx, a
//! lost or unreadable response) may come after the service deleted some: each such deployment is
//! read again, and one that is `AWAITING_DELETE`, `AWAITING_FINAL_DELETE` or gone (404) counts
//! as deleted.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use progenitor_client::ResponseValue;
use serde::Deserialize;
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, RequestLine};
use crate::policy::Backoff;
use crate::poll::{Polled, Poller};
use crate::types::{ApiErrorBody, DeploymentStatus};

/// IDs one bulk delete request takes (the API's `maxItems`).
pub const MAX_IDS_PER_DELETE: usize = 100;

/// How the deletion of one deployment went; from
/// [`Deployments::delete_many`](crate::Deployments::delete_many).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeleteResult {
    /// The deployment.
    pub deployment_id: Uuid,
    /// Deleted or not, and why not.
    pub outcome: DeleteOutcome,
}

/// Whether a deployment was deleted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The service took the deletion: the deployment is `AWAITING_DELETE`, then gone.
    Deleted,
    /// Not deleted.
    Failed {
        /// Why: the service's answer for this ID as an error of its status (its `detail` in
        /// [`ApiError::detail`](crate::ApiError::detail)), or the error of the request that
        /// carried this ID (shared by the IDs of that request).
        error: Arc<Error>,
    },
}

impl DeleteOutcome {
    /// Whether the deployment was deleted.
    pub fn is_deleted(&self) -> bool {
        matches!(self, DeleteOutcome::Deleted)
    }

    /// The error, when the deployment was not deleted.
    pub fn error(&self) -> Option<&Error> {
        match self {
            DeleteOutcome::Deleted => None,
            DeleteOutcome::Failed { error } => Some(error),
        }
    }
}

/// How waiting for a deleted deployment to disappear ended; from
/// [`Deployments::wait_until_gone`](crate::Deployments::wait_until_gone).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GoneOutcome {
    /// Reading the deployment gets 404.
    Gone,
    /// The timeout passed while the deployment still existed.
    TimedOut {
        /// Its status at the last read.
        last_status: DeploymentStatus,
    },
}

/// The 207 body this crate assumes (see the module documentation).
#[derive(Debug, Deserialize)]
struct PartialDeletion {
    #[serde(default)]
    deleted: Vec<Uuid>,
    #[serde(default)]
    failed: Vec<FailedDeletion>,
}

#[derive(Debug, Deserialize)]
struct FailedDeletion {
    deployment_id: Uuid,
    #[serde(default)]
    status_code: Option<u16>,
    #[serde(default)]
    detail: Option<String>,
}

/// The response to one bulk delete request.
#[derive(Debug)]
enum BulkResponse {
    All,
    Partial(PartialDeletion),
}

/// Deletes `ids` (duplicates dropped) in requests of at most [`MAX_IDS_PER_DELETE`], one result
/// per ID in the order given. A request that fails fails its own IDs only.
pub(crate) async fn delete_many(client: &Client, ids: &[Uuid]) -> Vec<DeleteResult> {
    let mut seen = HashSet::new();
    let unique: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let mut results = Vec::with_capacity(unique.len());
    for batch in unique.chunks(MAX_IDS_PER_DELETE) {
        let (response, repeated) = delete_batch(client, batch).await;
        let response = response.map_err(Arc::new);
        let said: Vec<(Uuid, Said)> = batch
            .iter()
            .map(|&deployment_id| {
                (
                    deployment_id,
                    outcome_of(deployment_id, &response, repeated),
                )
            })
            .collect();
        let settled = futures::stream::iter(said)
            .map(|(deployment_id, said)| settle(client, deployment_id, said))
            .buffered(PARALLEL_READS);
        results.extend(settled.collect::<Vec<_>>().await);
    }
    results
}

/// Deployments read at once to settle what a response left unsure.
const PARALLEL_READS: usize = 8;

/// What a bulk response tells of one ID.
enum Said {
    /// Deleted, or failed for a reason the service gave (or before it could delete anything).
    Settled(DeleteOutcome),
    /// Not told: the service may have deleted it before failing. The failure stands unless
    /// reading the deployment again shows it deleted.
    Unsure(DeleteOutcome),
}

/// The result for one ID: as the response said, or, when it left that unsure, as reading the
/// deployment again shows.
async fn settle(client: &Client, deployment_id: Uuid, said: Said) -> DeleteResult {
    let outcome = match said {
        Said::Settled(outcome) => outcome,
        Said::Unsure(failure) => read_again(client, deployment_id, failure).await,
    };
    DeleteResult {
        deployment_id,
        outcome,
    }
}

/// Settles an ID the response left unsure by reading its deployment: being deleted (see
/// [`is_being_deleted`]) or gone (404) is deleted; still there, or unreadable, keeps the response's `failure`.
async fn read_again(client: &Client, deployment_id: Uuid, failure: DeleteOutcome) -> DeleteOutcome {
    let deleted = match client.deployments().get(deployment_id).await {
        Ok(deployment) => is_being_deleted(&deployment.status),
        Err(Error::NotFound(_)) => true,
        Err(error) => {
            tracing::debug!(%deployment_id, %error, "could not read the deployment again");
            false
        }
    };
    if deleted {
        tracing::info!(%deployment_id, "deleted, as reading it again shows, although the response did not say so");
        DeleteOutcome::Deleted
    } else {
        failure
    }
}

async fn delete_batch(client: &Client, ids: &[Uuid]) -> (Result<BulkResponse, Error>, bool) {
    let ids = ids.to_vec();
    client
        .run(async |api| {
            let sent = api.delete_deployments().deployment_ids(ids).send().await;
            match sent {
                Ok(value) => {
                    let (status, headers) = (value.status(), value.headers().clone());
                    Ok(ResponseValue::new(BulkResponse::All, status, headers))
                }
                // The generated operation knows only 200; 207 arrives as an undocumented response.
                Err(progenitor_client::Error::UnexpectedResponse(response))
                    if response.status().as_u16() == 207 =>
                {
                    let (status, headers) = (response.status(), response.headers().clone());
                    let bytes = response
                        .bytes()
                        .await
                        .map_err(progenitor_client::Error::<ApiErrorBody>::ResponseBodyError)?;
                    match serde_json::from_slice(&bytes) {
                        Ok(body) => Ok(ResponseValue::new(
                            BulkResponse::Partial(body),
                            status,
                            headers,
                        )),
                        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(bytes, e)),
                    }
                }
                Err(other) => Err(other),
            }
        })
        .await
}

/// The request of a bulk delete, as its errors name it.
fn bulk_request() -> RequestLine {
    RequestLine::new("DELETE", "/v2/deployments")
}

fn outcome_of(id: Uuid, response: &Result<BulkResponse, Arc<Error>>, repeated: bool) -> Said {
    match response {
        Ok(BulkResponse::All) => Said::Settled(DeleteOutcome::Deleted),
        Ok(BulkResponse::Partial(body)) => {
            if let Some(failed) = body.failed.iter().find(|f| f.deployment_id == id) {
                // After a repeated request, "not found" or "already being deleted" most likely
                // comes from our own earlier attempt, whose response was lost: deleted either way.
                if repeated && matches!(failed.status_code, Some(404 | 409)) {
                    tracing::info!(deployment_id = %id, "deployment already deleted by an earlier attempt");
                    return Said::Settled(DeleteOutcome::Deleted);
                }
                let detail = failed
                    .detail
                    .clone()
                    .unwrap_or_else(|| "the service did not delete it".into());
                let status = failed.status_code.unwrap_or(207);
                Said::Settled(failed_with(Error::refused(bulk_request(), status, detail)))
            } else if body.deleted.contains(&id) {
                Said::Settled(DeleteOutcome::Deleted)
            } else {
                Said::Unsure(failed_with(Error::Decode {
                    request: bulk_request(),
                    status: 207,
                    message: "the partial response does not mention this deployment".into(),
                    body_excerpt: String::new(),
                    source: None,
                }))
            }
        }
        Err(error) => {
            let failure = DeleteOutcome::Failed {
                error: error.clone(),
            };
            // A 4xx refuses the request as a whole, before anything is deleted.
            match error.api_error() {
                Some(api) if (400..500).contains(&api.status) => Said::Settled(failure),
                _ => Said::Unsure(failure),
            }
        }
    }
}

fn failed_with(error: Error) -> DeleteOutcome {
    DeleteOutcome::Failed {
        error: Arc::new(error),
    }
}

/// Whether a deployment with `status` is on its way to gone: `AWAITING_DELETE` or
/// `AWAITING_FINAL_DELETE` (the last step before reads answer 404).
pub fn is_being_deleted(status: &DeploymentStatus) -> bool {
    *status == DeploymentStatus::AwaitingDelete || status.as_str() == "AWAITING_FINAL_DELETE"
}

/// Reads the deployment until its read answers 404 or `timeout` passes: at once, then after
/// 250 ms, growing 1.5x to 5 s between reads. Only the deployment's own 404 ends it: a
/// revision can answer 404 while its deployment exists, so no revision is read here.
/// `AWAITING_DELETE` and `AWAITING_FINAL_DELETE` are the way there; failed reads are ridden out
/// as any wait's are (see [`Poller`]).
pub(crate) async fn wait_until_gone(
    client: &Client,
    deployment_id: Uuid,
    timeout: Duration,
) -> Result<GoneOutcome, Error> {
    let backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(5)).factor(1.5);
    let mut poller = Poller::new(Instant::now(), timeout);
    let mut last_status = DeploymentStatus::Unknown;
    loop {
        let interval = backoff.delay(poller.polls().saturating_sub(1));
        let read = async {
            match client.deployments().get(deployment_id).await {
                Ok(deployment) => Ok(Some(deployment.status)),
                Err(Error::NotFound(_)) => Ok(None),
                Err(error) => Err(error),
            }
        };
        match poller.poll(interval, read).await {
            Polled::Got(None) => return Ok(GoneOutcome::Gone),
            Polled::Got(Some(status)) => {
                if !is_being_deleted(&status) {
                    tracing::debug!(%deployment_id, %status, "the deployment is not being deleted (yet)");
                }
                last_status = status;
            }
            Polled::Transient(error) => {
                tracing::debug!(%deployment_id, %error, "a read of the deleted deployment failed");
            }
            Polled::Failed(error) => return Err(error),
            Polled::Deadline => return Ok(GoneOutcome::TimedOut { last_status }),
        }
    }
}
