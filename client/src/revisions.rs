//! Revisions of one deployment: get, list, redeploy, logs. (Waiting is on the client:
//! [`Client::wait_for_revision`].)

use futures::StreamExt;
use futures::stream::BoxStream;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::logs::ListLogs;
use crate::pagination::{Paging, offset_stream};
use crate::types::{Deployment, LogType, Revision, RevisionStatus};

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
