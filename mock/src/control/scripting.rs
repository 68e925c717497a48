//! What a test can do to a running [`MockServer`]: seed data, script revisions, inject faults, and
//! look at the state and the requests received.

use langsmith_control_plane_api::open_enums::RevisionStatus;
use langsmith_control_plane_api::types::{
    Deployment, DeploymentCreateRequest, GithubIntegration, GithubRepository, Revision,
};
use tokio::time::Instant;
use uuid::Uuid;

use crate::control::faults::Fault;
use crate::control::recorded::RecordedRequest;
use crate::server::MockServer;
use crate::world::lifecycle::RevisionScript;
use crate::world::store::{revision_config, source_config};
use crate::world::uploads::UploadRequest;

impl MockServer {
    /// Adds a deployment to the default workspace with its first revision already `DEPLOYED`.
    /// The request is taken as is: none of the API's 400/422 checks apply.
    pub fn seed_deployment(&self, request: DeploymentCreateRequest) -> Deployment {
        let mut state = self.app.state();
        let config = source_config(&request.source_config);
        let revision = revision_config(&request.source_revision_config);
        let plan = RevisionScript::new().into();
        state.insert_deployment(self.tenant_id(), request, (config, revision), Some(plan))
    }

    /// Appends a revision that reports `status` from the start and for ever, built from the same
    /// configuration as the newest one, without superseding the others (to seed a history, or a
    /// revision stuck in some status). `None` when the deployment does not exist.
    pub fn seed_revision(&self, deployment_id: Uuid, status: RevisionStatus) -> Option<Revision> {
        let mut state = self.app.state();
        let deployment = state.any_deployment_mut(deployment_id)?;
        let config = deployment.latest_config();
        let script = RevisionScript::new().ends_with(status);
        let revision = deployment.push_revision(config, script.into());
        Some(revision.to_api(Instant::now()))
    }

    /// Makes a revision report `status` from now on, whatever its script says. Returns `false` when
    /// the deployment or revision does not exist.
    pub fn set_revision_status(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        status: RevisionStatus,
    ) -> bool {
        let mut state = self.app.state();
        let revision = state
            .any_deployment_mut(deployment_id)
            .and_then(|d| d.revisions.iter_mut().find(|r| r.id == revision_id));
        match revision {
            Some(revision) => {
                revision.halt = Some((revision.elapsed(Instant::now()), status));
                true
            }
            None => false,
        }
    }

    /// Makes the next revision created (by create, PATCH or redeploy, in any deployment) fail:
    /// `CREATE_FAILED` after `CREATING`, `BUILD_FAILED` after `BUILDING`, `DEPLOY_FAILED` after
    /// `DEPLOYING`, on the server's [`Timing`](crate::Timing). Calls queue up: the second call
    /// scripts the revision after that one.
    pub fn fail_next_revision(&self, failure: RevisionStatus) {
        let mut state = self.app.state();
        let script = RevisionScript::fails(failure, &state.timing);
        state.next_scripts.push_back(script);
    }

    /// Makes the next revision created follow `script` (queued like
    /// [`fail_next_revision`](MockServer::fail_next_revision)).
    pub fn script_next_revision(&self, script: RevisionScript) {
        self.app.state().next_scripts.push_back(script);
    }

    /// Sets when a deployment was created (to make it look old). Returns `false` when the
    /// deployment does not exist.
    pub fn set_deployment_created_at(
        &self,
        deployment_id: Uuid,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        let mut state = self.app.state();
        match state.any_deployment_mut(deployment_id) {
            Some(deployment) => {
                deployment.created_at = created_at;
                true
            }
            None => false,
        }
    }

    /// A deployment as the API would answer it now, in any workspace.
    pub fn deployment(&self, deployment_id: Uuid) -> Option<Deployment> {
        let state = self.app.state();
        let deployment = state.any_deployment(deployment_id)?;
        Some(deployment.to_api(Instant::now()))
    }

    /// Every deployment of every workspace, newest first.
    pub fn deployments(&self) -> Vec<Deployment> {
        let now = Instant::now();
        self.app
            .state()
            .deployments
            .iter()
            .rev()
            .map(|d| d.to_api(now))
            .collect()
    }

    /// A deployment's revisions as the API would answer them now, newest first (empty when the
    /// deployment does not exist).
    pub fn revisions(&self, deployment_id: Uuid) -> Vec<Revision> {
        let now = Instant::now();
        let state = self.app.state();
        state
            .any_deployment(deployment_id)
            .map(|d| d.revisions.iter().rev().map(|r| r.to_api(now)).collect())
            .unwrap_or_default()
    }

    /// Adds a GitHub app installation and its repositories to `/v1/integrations/github/...`.
    pub fn add_github_integration(
        &self,
        integration: GithubIntegration,
        repositories: Vec<GithubRepository>,
    ) {
        self.app.state().github.push((integration, repositories));
    }

    /// Adds an installation and its repositories to `/v1/integrations/forge/github/...`.
    pub fn add_forge_github_integration(
        &self,
        integration: GithubIntegration,
        repositories: Vec<GithubRepository>,
    ) {
        self.app
            .state()
            .forge_github
            .push((integration, repositories));
    }

    /// Arms a fault. Faults apply in the order they were injected; see [`Fault`].
    pub fn inject(&self, fault: Fault) {
        self.app.faults().push(fault);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.app.faults().clear();
    }

    /// The faults still armed, with their remaining counts.
    pub fn armed_faults(&self) -> Vec<Fault> {
        self.app.faults().clone()
    }

    /// The requests received so far, oldest first: the most recent ones, as many as
    /// [`MockServerBuilder::request_log_capacity`](crate::MockServerBuilder::request_log_capacity)
    /// allows (default 1,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.app.requests().iter().cloned().collect()
    }

    /// The requests received for one operation (e.g. `get_revision`), oldest first, out of those
    /// [`requests`](Self::requests) returns.
    pub fn requests_for(&self, operation_id: &str) -> Vec<RecordedRequest> {
        self.app
            .requests()
            .iter()
            .filter(|r| r.operation == Some(operation_id))
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.app.requests().clear();
    }

    /// The requests the upload origin (see [`upload_origin`](Self::upload_origin)) received,
    /// oldest first, accepted or not: the most recent ones, as many as
    /// [`request_log_capacity`](crate::MockServerBuilder::request_log_capacity) allows.
    pub fn upload_requests(&self) -> Vec<UploadRequest> {
        self.app.state().uploads.requests()
    }

    /// The credential headers the upload origin has ever received, lower case, in order of
    /// first sight: `x-api-key`, `x-tenant-id`, `authorization`, `cookie`... Values are never
    /// kept. Empty when every client kept its LangSmith credentials to the API, as it should: a
    /// signed upload URL needs none, and storage is another origin.
    pub fn credentials_seen_by_upload_origin(&self) -> Vec<String> {
        self.app.state().uploads.credentials_seen()
    }

    /// The bytes uploaded to `object_path` (as `request_upload_url` named it); `None` when
    /// nothing was. The most recent uploads are kept, up to 16 archives.
    pub fn uploaded_archive(&self, object_path: &str) -> Option<Vec<u8>> {
        let bytes = self.app.state().uploads.bytes(object_path)?;
        Some(bytes.to_vec())
    }

    /// The object paths of the archives kept, oldest upload first.
    pub fn uploaded_archives(&self) -> Vec<String> {
        self.app.state().uploads.object_paths()
    }
}
