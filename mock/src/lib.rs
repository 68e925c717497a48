//! An in-memory LangSmith Deployment Control Plane, served over real HTTP on loopback.
//!
//! Test code that creates deployments, waits on revisions and reads logs against this server
//! instead of the real service. It speaks the service's JSON: the same paths (optionally under a
//! prefix such as `/api-host`), status codes, FastAPI error bodies, pagination and newest-first
//! order. It checks `X-Api-Key` and `X-Tenant-Id`, moves each new revision through `CREATING`,
//! `QUEUED`, `AWAITING_BUILD`, `BUILDING`, `AWAITING_DEPLOY` and `DEPLOYING` to `DEPLOYED` on a
//! configurable clock ([`Timing`]), writes build and deploy logs as it goes, and marks a revision
//! `SKIPPED` when a newer one supersedes it. Tests can script failures ([`RevisionScript`]),
//! inject faults ([`Fault`]) and read back the requests received ([`RecordedRequest`]).
//!
//! It depends on the generated types of `langsmith-control-plane-api` only, never on the client
//! crate it is meant to test (the examples use the client's re-exports of those types, as a
//! program using the client does).
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # langsmith_control_plane_api::http::ensure_tls_ready();
//! use langsmith_control_plane::types::{Deployment, Revision, RevisionStatus};
//! use langsmith_control_plane_mock::{Fault, MockServer, Timing, github_deployment_request};
//!
//! let server = MockServer::builder().timing(Timing::instant()).start().await?;
//! // The first revision created fails its build, and the first status poll is answered 503.
//! server.fail_next_revision(RevisionStatus::BuildFailed);
//! server.inject(Fault::status(503).on("get_revision"));
//!
//! let http = reqwest::Client::new();
//! let deployment: Deployment = http
//!     .post(format!("{}/v2/deployments", server.base_url()))
//!     .header("X-Api-Key", "any-key")
//!     .json(&github_deployment_request("support-agent"))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let revision_url = format!(
//!     "{}/v2/deployments/{}/revisions/{}",
//!     server.base_url(),
//!     deployment.id,
//!     deployment.latest_revision_id.expect("create starts a revision"),
//! );
//! let first = http.get(&revision_url).header("X-Api-Key", "any-key").send().await?;
//! assert_eq!(first.status(), 503);
//! let revision: Revision = http.get(&revision_url).header("X-Api-Key", "any-key").send().await?.json().await?;
//! assert_eq!(revision.status, RevisionStatus::BuildFailed);
//!
//! assert_eq!(server.requests_for("get_revision").len(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! # Serving from a command-line tool
//!
//! ```no_run
//! # async fn serve(port: u16) -> std::io::Result<()> {
//! use langsmith_control_plane_mock::{MockServer, Timing};
//!
//! let server = MockServer::builder().port(port).timing(Timing::realistic()).start().await?;
//! println!("{}", server.base_url());
//! server.run_until_ctrl_c().await
//! # }
//! ```
//!
//! # Behaviour worth knowing
//!
//! - Statuses are computed from tokio's clock on every read, so under `tokio::time::pause()` a
//!   test moves revisions forward with `tokio::time::advance` (start the server on the paused
//!   runtime, e.g. in `#[tokio::test(start_paused = true)]`).
//! - Any non-empty `X-Api-Key` is accepted unless [`MockServerBuilder::api_key`] names the ones to
//!   accept. `X-Tenant-Id` selects a workspace: each workspace sees only its own deployments and
//!   listeners; requests without it use [`MockServer::tenant_id`].
//! - A deployment's status is `AWAITING_DATABASE` while its first revision is `CREATING`, then
//!   `READY`; `active_revision_id` is the newest `DEPLOYED` revision.
//! - Log entries are objects with `timestamp`, `level` and `message`. Reading forward,
//!   `next_offset` stays set while the revision may still write to that stream, so a follower can
//!   keep polling with it; it is `null` once the stream is complete.
//! - [`MockServer::requests`] keeps the most recent requests only (1,000 by default, see
//!   [`MockServerBuilder::request_log_capacity`]), and their bodies only when they carried an
//!   accepted `X-Api-Key` and are at most [`MAX_RECORDED_BODY`] bytes, so a long-running mock's
//!   memory stays bounded.
//! - Deployments list newest first. The `{}`-typed answers of the document (bulk delete, OAuth
//!   deletions) are `null`.
//! - The bulk delete (`DELETE /v2/deployments?deployment_ids=...`) takes each ID on its own: a
//!   deleted deployment is `AWAITING_DELETE` for [`Timing::deleting`], then gone (404). When any
//!   ID is unknown (404) or already being deleted (409), the response is `207` with
//!   `{"deleted": [ID...], "failed": [{"deployment_id", "status_code", "detail"}]}`, a shape the
//!   API document leaves undescribed (the client assumes the same). The single `DELETE` removes
//!   the deployment at once.
//! - Uploaded source (`internal_source`) goes as the service has it: a deployment created without
//!   `source_tarball_path` has no revision; `request_upload_url` hands out a signed URL on a second
//!   listener, [`MockServer::upload_origin`] (another port, so another origin), which takes one
//!   `PUT` of a `.tar.gz` with `Content-Type: application/gzip`, its `Content-Length` and the
//!   `upload_headers` handed out (or `X-Goog-Content-Length-Range: 0,209715200` when none were),
//!   up to [`MockServerBuilder::upload_limit`]; a PATCH naming the object path then starts a
//!   revision whose build log lists every file of the archive and says whether the config file
//!   is there. A missing, unreadable or config-less archive ends the revision `BUILD_FAILED`,
//!   with the reason as the last build log line. [`MockServer::upload_requests`] and
//!   [`MockServer::credentials_seen_by_upload_origin`] show what reached the upload origin.
//! - Scripted failures write logs whose last lines say what failed: the build log for
//!   `BUILD_FAILED` and `CREATE_FAILED`, the deploy log for `DEPLOY_FAILED`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod control;
mod http;
mod operations;
mod problem;
mod server;
mod state;
mod world;

pub use control::faults::{Fault, FaultKind, RetryAfter};
pub use control::fixtures::github_deployment_request;
pub use control::recorded::{MAX_RECORDED_BODY, REDACTED, RecordedRequest};
pub use operations::operation_ids;
pub use server::{MockServer, MockServerBuilder};
pub use world::lifecycle::{RevisionScript, Timing};
pub use world::uploads::UploadRequest;

#[cfg(test)]
mod tests {
    #[test]
    fn the_server_handle_can_be_shared_across_tasks() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<super::MockServer>();
        shareable::<super::MockServerBuilder>();
        shareable::<super::RecordedRequest>();
        shareable::<super::Fault>();
        shareable::<super::UploadRequest>();
    }
}
