//! Revisions of one deployment: create, get, list, redeploy, logs. (Waiting is on the client:
//! [`Client::wait_for_revision`].)

use futures::StreamExt;
use futures::stream::BoxStream;
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, InputError};
use crate::logs::ListLogs;
use crate::pagination::{Paging, offset_stream};
use crate::types::{Deployment, LogType, Revision, RevisionCreateRequest, RevisionStatus};

/// Operations on the revisions of one deployment; from [`Client::revisions`].
#[derive(Clone, Debug)]
pub struct Revisions<'a> {
    client: &'a Client,
    deployment_id: Uuid,
}

impl Client {
    /// Operations on the revisions of `deployment_id`.
    pub fn revisions(&self, deployment_id: Uuid) -> Revisions<'_> {
        Revisions {
            client: self,
            deployment_id,
        }
    }

    /// One revision and its status: `GET /v2/deployments/{deployment_id}/revisions/{revision_id}`.
    pub async fn get_revision(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
    ) -> Result<Revision, Error> {
        self.revisions(deployment_id).get(revision_id).await
    }
}

impl Revisions<'_> {
    /// Starts a new revision: `POST /v2/deployments/{deployment_id}/revisions`, the way the
    /// service's own tools ship new code. What the body leaves out carries over from the
    /// previous revision: the rest of `source_revision_config`, the build commands, and the
    /// secrets. In-progress revisions are superseded (`SKIPPED`). Wait on the answer's `id`.
    ///
    /// `secrets`, when given, replaces the deployment's secrets. An empty list is refused before
    /// anything is sent ([`Error::InvalidInput`]): the service reads it as "unchanged", so it
    /// cannot clear secrets. A new `source_config.resource_spec` replaces the stored one whole.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, id: uuid::Uuid) -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::types::{RevisionCreateRequest, SourceRevisionConfigRequest};
    /// let request = RevisionCreateRequest {
    ///     source_revision_config: SourceRevisionConfigRequest {
    ///         repo_ref: Some("v2.3.0".into()),
    ///         ..Default::default()
    ///     },
    ///     source_config: None,
    ///     secrets: None,
    ///     secret_references: None,
    /// };
    /// let revision = client.revisions(id).create(request).await?;
    /// let outcome = client.wait_for_revision(id, revision.id, Default::default()).await?;
    /// println!("{:?}", outcome.kind());
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: RevisionCreateRequest) -> Result<Revision, Error> {
        if request.secrets.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::InvalidInput(
                InputError::from(
                    "an empty secrets list changes nothing: the service cannot clear secrets",
                )
                .with_hint("leave secrets out to keep them, or name the ones to keep"),
            ));
        }
        self.client
            .call(async |api| {
                let call = api.create_revision().deployment_id(self.deployment_id);
                call.body(request).send().await
            })
            .await
    }

    /// One revision and its status.
    pub async fn get(&self, revision_id: Uuid) -> Result<Revision, Error> {
        self.client
            .call(async |api| {
                let request = api.get_revision().deployment_id(self.deployment_id);
                request.revision_id(revision_id).send().await
            })
            .await
    }

    /// The newest revision, or `None` when the deployment has none yet.
    pub async fn latest(&self) -> Result<Option<Revision>, Error> {
        let deployment = self.client.deployments().get(self.deployment_id).await?;
        match deployment.latest_revision_id {
            Some(revision_id) => self.get(revision_id).await.map(Some),
            None => Ok(None),
        }
    }

    /// The deployment's revisions, newest first, fetched lazily.
    pub fn list(&self) -> ListRevisions {
        ListRevisions {
            client: self.client.clone(),
            deployment_id: self.deployment_id,
            paging: Paging::default(),
            status: Vec::new(),
        }
    }

    /// Deploys an earlier revision again (a rollback). The response's `latest_revision_id`
    /// names the new revision to wait on.
    pub async fn redeploy(&self, revision_id: Uuid) -> Result<Deployment, Error> {
        self.client
            .call(async |api| {
                let request = api.redeploy_revision().deployment_id(self.deployment_id);
                request.revision_id(revision_id).send().await
            })
            .await
    }

    /// The build or deploy log of a revision.
    pub fn logs(&self, revision_id: Uuid, log_type: LogType) -> ListLogs {
        ListLogs::new(
            self.client.clone(),
            self.deployment_id,
            revision_id,
            log_type,
        )
    }
}

/// A listing of a deployment's revisions (newest first), fetched lazily page by page.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until streamed or collected"]
pub struct ListRevisions {
    client: Client,
    deployment_id: Uuid,
    paging: Paging,
    status: Vec<RevisionStatus>,
}

crate::pagination::listing_methods!(ListRevisions, Revision);

impl ListRevisions {
    /// Only revisions in one of these statuses.
    pub fn status(mut self, statuses: impl IntoIterator<Item = RevisionStatus>) -> Self {
        self.status = statuses.into_iter().collect();
        self
    }

    /// The revisions, one at a time.
    pub fn stream(self) -> BoxStream<'static, Result<Revision, Error>> {
        let path = format!("/v2/deployments/{}/revisions", self.deployment_id);
        let status = (!self.status.is_empty()).then(|| {
            let status: Vec<&str> = self.status.iter().map(RevisionStatus::as_str).collect();
            status.join(",")
        });
        let page = async move |offset, limit| {
            let page = self
                .client
                .call(async |api| {
                    let request = api.list_revisions().deployment_id(self.deployment_id);
                    let mut request = request.offset(offset).limit(limit);
                    if let Some(status) = status.clone() {
                        request = request.status(status);
                    }
                    request.send().await
                })
                .await?;
            Ok(page.resources)
        };
        offset_stream(self.paging, &path, |r: &Revision| r.id, page).boxed()
    }
}
