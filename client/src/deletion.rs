//! Deleting many deployments at once (`DELETE /v2/deployments?deployment_ids=...`), reading each
//! ID's result, and waiting until deleted deployments are gone.
//!
//! The API document says the bulk delete responds 200 when every deployment was deleted and 207
//! when only some were, but describes no 207 body. This crate assumes (and the mock does)
//! `{"deleted": [ID, ...], "failed": [{"deployment_id": ID, "status_code": 404, "detail": "..."}]}`;
//! an ID a 207 response does not mention counts as failed.

use std::collections::HashSet;
use std::time::Duration;

use progenitor_client::ResponseValue;
use serde::Deserialize;
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::policy::Backoff;
use crate::types::{ApiErrorBody, DeploymentStatus};

/// IDs one bulk delete request takes (the API's `maxItems`).
pub const MAX_IDS_PER_DELETE: usize = 100;

/// How the deletion of one deployment went; from
/// [`Deployments::delete_many`](crate::Deployments::delete_many).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteResult {
    /// The deployment.
    pub deployment_id: Uuid,
    /// Deleted or not, and why not.
    pub outcome: DeleteOutcome,
}

/// Whether a deployment was deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The service took the deletion: the deployment is `AWAITING_DELETE`, then gone.
    Deleted,
    /// Not deleted.
    Failed {
        /// The service's reason, or the error of the request that carried this ID.
        reason: String,
        /// The HTTP status the service gave for this ID (or the request), when there was one.
        status: Option<u16>,
    },
}

impl DeleteOutcome {
    /// Whether the deployment was deleted.
    pub fn is_deleted(&self) -> bool {
        matches!(self, DeleteOutcome::Deleted)
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
        results.extend(batch.iter().map(|&deployment_id| DeleteResult {
            deployment_id,
            outcome: outcome_of(deployment_id, &response, repeated),
        }));
    }
    results
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

fn outcome_of(id: Uuid, response: &Result<BulkResponse, Error>, repeated: bool) -> DeleteOutcome {
    match response {
        Ok(BulkResponse::All) => DeleteOutcome::Deleted,
        Ok(BulkResponse::Partial(body)) => {
            if let Some(failed) = body.failed.iter().find(|f| f.deployment_id == id) {
                // After a repeated request, "not found" or "already being deleted" most likely
                // comes from our own earlier attempt, whose response was lost: deleted either way.
                if repeated && matches!(failed.status_code, Some(404 | 409)) {
                    tracing::info!(deployment_id = %id, "deployment already deleted by an earlier attempt");
                    return DeleteOutcome::Deleted;
                }
                DeleteOutcome::Failed {
                    reason: failed
                        .detail
                        .clone()
                        .unwrap_or_else(|| "the service did not delete it".into()),
                    status: failed.status_code,
                }
            } else if body.deleted.contains(&id) {
                DeleteOutcome::Deleted
            } else {
                DeleteOutcome::Failed {
                    reason: "the service's partial response does not mention this deployment"
                        .into(),
                    status: Some(207),
                }
            }
        }
        Err(error) => DeleteOutcome::Failed {
            reason: error.to_string(),
            status: error.status(),
        },
    }
}

/// Reads the deployment until it gets 404 or `timeout` passes: at once, then after 250 ms,
/// growing 1.5x to 5 s between reads.
pub(crate) async fn wait_until_gone(
    client: &Client,
    deployment_id: Uuid,
    timeout: Duration,
) -> Result<GoneOutcome, Error> {
    let backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(5)).factor(1.5);
    // A timeout past what the clock can hold never ends the wait.
    let deadline = Instant::now().checked_add(timeout);
    let mut step = 0;
    loop {
        let last_status = match client.deployments().get(deployment_id).await {
            Err(Error::NotFound(_)) => return Ok(GoneOutcome::Gone),
            Err(error) if error.is_retryable() => None,
            Err(error) => return Err(error),
            Ok(deployment) => Some(deployment.status),
        };
        let left = deadline.map_or(Duration::MAX, |d| {
            d.saturating_duration_since(Instant::now())
        });
        if left.is_zero() {
            return Ok(GoneOutcome::TimedOut {
                last_status: last_status.unwrap_or(DeploymentStatus::Unknown),
            });
        }
        tokio::time::sleep(backoff.delay(step).min(left)).await;
        step += 1;
    }
}
