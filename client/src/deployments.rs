//! Deployments: get, list, create, update, delete.

use std::collections::HashMap;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::pagination::{Paging, offset_stream};
use crate::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, DeploymentStatus, DeploymentType,
};

/// Deployment operations; from [`Client::deployments`].
#[derive(Clone, Debug)]
pub struct Deployments<'a> {
    client: &'a Client,
}

impl Client {
    /// Deployment operations.
    pub fn deployments(&self) -> Deployments<'_> {
        Deployments { client: self }
    }
}

impl Deployments<'_> {
    /// One deployment.
    pub async fn get(&self, deployment_id: Uuid) -> Result<Deployment, Error> {
        self.client
            .call(async |api| {
                let request = api.get_deployment().deployment_id(deployment_id);
                request.send().await
            })
            .await
    }

    /// The deployment named exactly `name` (case and all), or `None` when there is none. Reads
    /// every page of the deployments whose name contains `name`; two or more with the very name
    /// are [`Error::AmbiguousName`], naming each.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), langsmith_control_plane::Error> {
    /// match client.deployments().find_by_name("support-agent").await? {
    ///     Some(deployment) => println!("{}", deployment.id),
    ///     None => println!("no deployment is named support-agent"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Deployment>, Error> {
        Ok(self.find_by_names(&[name]).await?.remove(name))
    }

    /// The deployments named exactly as one of `names` (case and all), by name, from one
    /// listing narrowed to the longest text all the names contain; names no deployment has are
    /// left out. A name two or more deployments share is [`Error::AmbiguousName`] (the first
    /// such name in the order of `names`). A plan of many deployments reads them this way.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), langsmith_control_plane::Error> {
    /// let found = client.deployments().find_by_names(&["agent-eu", "agent-us"]).await?;
    /// for (name, deployment) in &found {
    ///     println!("{name}: {}", deployment.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn find_by_names(
        &self,
        names: &[&str],
    ) -> Result<HashMap<String, Deployment>, Error> {
        if names.is_empty() {
            return Ok(HashMap::new());
        }
        let mut listing = self.list();
        let common = longest_common_part(names);
        if !common.is_empty() {
            listing = listing.name_contains(common);
        }
        let mut named: HashMap<String, Vec<Deployment>> = HashMap::new();
        let mut listed = listing.stream();
        while let Some(deployment) = listed.try_next().await? {
            if names.contains(&deployment.name.as_str()) {
                named
                    .entry(deployment.name.clone())
                    .or_default()
                    .push(deployment);
            }
        }
        // The first name (in the order asked) that is shared is the one reported.
        if let Some((name, twins)) = names.iter().find_map(|name| {
            named
                .get_key_value(*name)
                .filter(|(_, found)| found.len() > 1)
        }) {
            return Err(Error::AmbiguousName {
                name: name.clone(),
                ids: twins.iter().map(|d| d.id).collect(),
            });
        }
        Ok(named
            .into_iter()
            .filter_map(|(name, mut found)| found.pop().map(|d| (name, d)))
            .collect())
    }

    /// A listing of the workspace's deployments; filter it, then stream or collect it.
    pub fn list(&self) -> ListDeployments {
        ListDeployments {
            client: self.client.clone(),
            paging: Paging::default(),
            name_contains: None,
            status: None,
            deployment_type: None,
        }
    }

    /// Creates a deployment and its first revision. Wait on the response's `latest_revision_id`
    /// (or call [`Client::wait_for_latest_revision`]) to see it go live.
    pub async fn create(&self, request: DeploymentCreateRequest) -> Result<Deployment, Error> {
        self.client
            .call(async |api| api.create_deployment().body(request).send().await)
            .await
    }

    /// Changes a deployment. A new source revision config, new secrets or new sizing start a new
    /// revision, named by the response's `latest_revision_id`.
    pub async fn update(
        &self,
        deployment_id: Uuid,
        patch: DeploymentPatchRequest,
    ) -> Result<Deployment, Error> {
        self.client
            .call(async |api| {
                let request = api.patch_deployment().deployment_id(deployment_id);
                request.body(patch).send().await
            })
            .await
    }

    /// Sets the name people see (`display_name`) with a PATCH that sends nothing else; it
    /// starts no revision. Create does not take a display name, so a new deployment gets one
    /// this way. The service cannot clear it once set; an empty name is refused before anything
    /// is sent ([`Error::InvalidInput`]).
    pub async fn set_display_name(
        &self,
        deployment_id: Uuid,
        display_name: &str,
    ) -> Result<Deployment, Error> {
        check_display_name(display_name)?;
        let patch = DeploymentPatchRequest {
            display_name: Some(display_name.to_owned()),
            ..DeploymentPatchRequest::default()
        };
        self.update(deployment_id, patch).await
    }

    /// Deletes a deployment; with `delete_tracing_project`, its tracing project too.
    ///
    /// A 404 after a retried attempt that may have reached the service (it deleted, then the
    /// response was lost) counts as deleted: the deployment is gone either way.
    pub async fn delete(
        &self,
        deployment_id: Uuid,
        delete_tracing_project: bool,
    ) -> Result<(), Error> {
        let (result, repeated) = self
            .client
            .run(async |api| {
                let request = api.delete_deployment().deployment_id(deployment_id);
                request
                    .delete_tracing_project(delete_tracing_project)
                    .send()
                    .await
            })
            .await;
        match result {
            Err(Error::NotFound(_)) if repeated => {
                tracing::info!(
                    %deployment_id,
                    "deployment already gone: an earlier attempt of this delete may have removed it"
                );
                Ok(())
            }
            other => other,
        }
    }

    /// Deletes any number of deployments, in requests of at most
    /// [`MAX_IDS_PER_DELETE`](crate::MAX_IDS_PER_DELETE), and tells for each ID (duplicates
    /// dropped, in the order given) whether it was deleted. A request that fails fails its own
    /// IDs, not the others; a deleted deployment is `AWAITING_DELETE` for a while, then gone
    /// (see [`wait_until_gone`](Self::wait_until_gone)). When a response does not say what
    /// became of an ID (a server error, a lost response, a 207 that does not mention it), the
    /// deployment is read again: `AWAITING_DELETE` or gone counts as deleted.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, ids: Vec<uuid::Uuid>) {
    /// for result in client.deployments().delete_many(&ids).await {
    ///     println!("{}: {:?}", result.deployment_id, result.outcome);
    /// }
    /// # }
    /// ```
    pub async fn delete_many(&self, deployment_ids: &[Uuid]) -> Vec<crate::DeleteResult> {
        crate::deletion::delete_many(self.client, deployment_ids).await
    }

    /// Reads a deleted deployment until it is gone (404) or `timeout` passes.
    pub async fn wait_until_gone(
        &self,
        deployment_id: Uuid,
        timeout: std::time::Duration,
    ) -> Result<crate::GoneOutcome, Error> {
        crate::deletion::wait_until_gone(self.client, deployment_id, timeout).await
    }
}

/// A listing of deployments, fetched lazily page by page.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until streamed or collected"]
pub struct ListDeployments {
    client: Client,
    paging: Paging,
    name_contains: Option<String>,
    status: Option<DeploymentStatus>,
    deployment_type: Option<DeploymentType>,
}

crate::pagination::listing_methods!(ListDeployments, Deployment);

impl ListDeployments {
    /// Only deployments whose name contains `text`.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }
    /// Only deployments in `status`.
    pub fn status(mut self, status: DeploymentStatus) -> Self {
        self.status = Some(status);
        self
    }
    /// Only deployments of this size class.
    pub fn deployment_type(mut self, deployment_type: DeploymentType) -> Self {
        self.deployment_type = Some(deployment_type);
        self
    }

    /// The deployments, one at a time, fetching pages as they are needed.
    pub fn stream(self) -> BoxStream<'static, Result<Deployment, Error>> {
        let page = async move |offset, limit| {
            let page = self
                .client
                .call(async |api| {
                    let mut request = api.list_deployments().offset(offset).limit(limit);
                    if let Some(text) = self.name_contains.clone() {
                        request = request.name_contains(text);
                    }
                    if let Some(status) = &self.status {
                        request = request.status(status.to_string());
                    }
                    if let Some(kind) = self.deployment_type.clone() {
                        request = request.deployment_type(kind);
                    }
                    request.send().await
                })
                .await?;
            Ok(page.resources)
        };
        offset_stream(self.paging, "/v2/deployments", |d: &Deployment| d.id, page).boxed()
    }
}

/// The longest text every name contains (to narrow a listing to those names).
fn longest_common_part<'a>(names: &[&'a str]) -> &'a str {
    let Some(shortest) = names.iter().min_by_key(|n| n.len()) else {
        return "";
    };
    let starts: Vec<usize> = shortest.char_indices().map(|(i, _)| i).collect();
    let mut best = "";
    for (n, &start) in starts.iter().enumerate() {
        for &end in starts[n + 1..].iter().chain([&shortest.len()]).rev() {
            let part = &shortest[start..end];
            if part.len() <= best.len() {
                break;
            }
            if names.iter().all(|name| name.contains(part)) {
                best = part;
                break;
            }
        }
    }
    best
}

/// A display name must not be empty (the service refuses one, and cannot clear a name).
pub(crate) fn check_display_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::InvalidInput(
            "a display name must not be empty (the service cannot clear one once set)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_part_of_names_narrows_the_listing() {
        assert_eq!(
            longest_common_part(&["acme-support", "acme-billing", "acme-sup"]),
            "acme-"
        );
        assert_eq!(
            longest_common_part(&["pr-12-agent", "pr-7-agent"]),
            "-agent"
        );
        assert_eq!(longest_common_part(&["a", "b"]), "");
        assert_eq!(longest_common_part(&["só-x", "só-y"]), "só-");
        assert_eq!(longest_common_part(&["agent"]), "agent");
    }
}
