//! The deploy job in one call: find or create the deployment, ship a git ref, an image or a
//! source directory, and wait for the revision, reporting each step as an event.

use std::collections::HashSet;
#[cfg(feature = "upload")]
use std::path::PathBuf;
#[cfg(feature = "upload")]
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::channel::mpsc;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt, TryStreamExt};
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, InputError};
use crate::logs::LogEntry;
#[cfg(feature = "upload")]
use crate::types::DeploymentPatchRequest;
use crate::types::{
    Deployment, DeploymentCreateRequest, DeploymentSource, DeploymentType, LogOrder, LogType,
    Revision, RevisionCreateRequest, RevisionSourceConfigRequest, RevisionStatus, Secret,
    SecretReference, Sensitive, SourceConfigRequest, SourceRevisionConfigRequest,
};
use crate::waiting::{RevisionOutcome, WaitEvent, WaitOptions};

/// Secret names the service sets itself and refuses from users.
pub const RESERVED_SECRETS: &[&str] = &[
    "LANGCHAIN_TRACING_V2",
    "LANGSMITH_TRACING_V2",
    "LANGCHAIN_ENDPOINT",
    "LANGCHAIN_PROJECT",
    "LANGSMITH_PROJECT",
    "LANGSMITH_LANGGRAPH_GIT_REPO",
    "LANGGRAPH_GIT_REPO_PATH",
    "LANGCHAIN_API_KEY",
    "LANGSMITH_CONTROL_PLANE_API_KEY",
    "POSTGRES_URI",
    "POSTGRES_PASSWORD",
    "DATABASE_URI",
    "LANGSMITH_LANGGRAPH_GIT_REF",
    "LANGSMITH_LANGGRAPH_GIT_REF_SHA",
    "LANGGRAPH_AUTH_TYPE",
    "LANGSMITH_AUTH_ENDPOINT",
    "LANGSMITH_TENANT_ID",
    "LANGSMITH_AUTH_VERIFY_TENANT_ID",
    "LANGSMITH_HOST_PROJECT_ID",
    "LANGSMITH_HOST_PROJECT_NAME",
    "LANGSMITH_HOST_REVISION_ID",
    "LOG_JSON",
    "LOG_DICT_TRACEBACKS",
    "REDIS_URI",
    "LANGCHAIN_CALLBACKS_BACKGROUND",
    "DD_TRACE_PSYCOPG_ENABLED",
    "DD_TRACE_REDIS_ENABLED",
    "LANGSMITH_DEPLOYMENT_NAME",
    "LANGGRAPH_CLOUD_LICENSE_KEY",
];

/// Reserved as well on the hosted service (not self-hosted).
pub const RESERVED_SECRETS_HOSTED: &[&str] = &[
    "LANGSMITH_API_KEY",
    "LANGSMITH_ENDPOINT",
    "POSTGRES_URI_CUSTOM",
    "REDIS_URI_CUSTOM",
    "PATH",
    "PORT",
];

/// What a deploy ships.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Source {
    /// A git ref of a GitHub repository (`github`).
    GitRef {
        /// Branch, tag or commit.
        reference: String,
        /// The repository; needed only to create a deployment.
        repo_url: Option<String>,
        /// The GitHub integration; needed only to create a deployment, where required.
        integration_id: Option<Uuid>,
    },
    /// A container image (`external_docker`).
    Image(String),
    /// The source directory as it is on disk, archived and uploaded (`internal_source`).
    #[cfg(feature = "upload")]
    #[cfg_attr(docsrs, doc(cfg(feature = "upload")))]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The config file, relative to the directory (usually `langgraph.json`).
        config: PathBuf,
    },
    /// A source directory archived beforehand by [`archive`](crate::archive()), uploaded as it is
    /// (`internal_source`): what was hashed or inspected before the deploy is what ships, even
    /// if the directory has changed since. A plan of a deployment file deploys this way.
    #[cfg(feature = "upload")]
    Archived {
        /// The directory it was made from, as the deploy's steps name it.
        path: PathBuf,
        /// The archive.
        archive: Arc<crate::archive::SourceArchive>,
    },
}

/// What a deploy reports as it goes; from [`Deploy::events`].
#[derive(Debug)]
#[non_exhaustive]
pub enum DeployEvent {
    /// A step begins (`found deployment ...`, `archived 12 files`, ...).
    Step(String),
    /// Bytes of the source archive sent so far, of `total`.
    UploadProgress {
        /// Sent so far.
        sent: u64,
        /// Archive size.
        total: u64,
    },
    /// The revision's first status, or a change of it.
    StatusChange {
        /// The revision.
        revision: Revision,
        /// Time since the wait began.
        elapsed: Duration,
    },
    /// A build or deploy log entry.
    Log {
        /// Which log.
        log_type: LogType,
        /// The entry.
        entry: LogEntry,
    },
    /// Still waiting (every 30 s without another event).
    Heartbeat {
        /// Time since the wait began.
        elapsed: Duration,
    },
    /// Where to watch the deployment in the LangSmith UI.
    StatusUrl(String),
    /// The end. Always the last event.
    Finished(Box<DeployResult>),
}

/// How a deploy ended.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeployResult {
    /// The deployment as this deploy last read or changed it. After a new revision of an
    /// existing deployment it is the deployment as found (the service answers that request with
    /// the revision alone), so its `latest_revision_id` may be older than `revision_id`.
    pub deployment: Deployment,
    /// The revision this deploy started.
    pub revision_id: Uuid,
    /// How the wait ended; `None` when the deploy did not wait.
    pub outcome: Option<RevisionOutcome>,
    /// Where to watch the deployment in the LangSmith UI.
    pub status_url: String,
    /// The last lines of the build log (BUILD_FAILED) or deploy log (DEPLOY_FAILED).
    pub failure_log: Vec<LogEntry>,
}

/// A deploy to run; from [`Client::deploy`].
#[derive(Clone, Debug)]
#[must_use = "a deploy does nothing until run or streamed"]
pub struct Deploy {
    client: Client,
    source: Source,
    name: Option<String>,
    deployment_id: Option<Uuid>,
    deployment_type: Option<DeploymentType>,
    display_name: Option<String>,
    /// Name and value; the value's `Debug` is redacted, so a `{:?}` of a deploy shows names only.
    secrets: Vec<(String, Sensitive)>,
    replace_secrets: bool,
    revision_settings: Option<RevisionSourceConfigRequest>,
    secret_references: Option<Vec<SecretReference>>,
    wait: Option<WaitOptions>,
    follow_logs: bool,
    timeout: Option<Duration>,
}

impl Client {
    /// A deploy of `source`: name or ID it, add secrets, then [`run`](Deploy::run) it or
    /// stream its [`events`](Deploy::events).
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::deploy::Source;
    /// let source = Source::GitRef { reference: "main".into(), repo_url: None, integration_id: None };
    /// let result = client.deploy(source).name("support-agent").run().await?;
    /// println!("{:?}", result.outcome.map(|o| o.kind()));
    /// # Ok(()) }
    /// ```
    pub fn deploy(&self, source: Source) -> Deploy {
        Deploy {
            client: self.clone(),
            source,
            name: None,
            deployment_id: None,
            deployment_type: None,
            display_name: None,
            secrets: Vec::new(),
            replace_secrets: false,
            revision_settings: None,
            secret_references: None,
            wait: Some(WaitOptions::default()),
            follow_logs: false,
            timeout: None,
        }
    }

    /// The deployment's page in the LangSmith UI: `smith.langchain.com` for the US host,
    /// `eu.smith.langchain.com` for the EU host, the base URL's origin when self-hosted.
    pub fn dashboard_url(&self, deployment: &Deployment) -> String {
        let base = &self.settings().base_url;
        let dashboard = match base.host_str() {
            Some("api.host.langchain.com") => "https://smith.langchain.com".to_owned(),
            Some("eu.api.host.langchain.com") => "https://eu.smith.langchain.com".to_owned(),
            _ => {
                let prefix = base.path().trim_end_matches('/');
                let prefix = prefix.strip_suffix("/api-host").unwrap_or(prefix);
                format!("{}{prefix}", base.origin().ascii_serialization())
            }
        };
        format!(
            "{dashboard}/o/{}/host/deployments/{}",
            deployment.tenant_id, deployment.id
        )
    }
}

impl Deploy {
    /// The deployment's name: found by exact name, created when there is none.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// An existing deployment by ID.
    pub fn deployment_id(mut self, id: Uuid) -> Self {
        self.deployment_id = Some(id);
        self
    }
    /// The size class of a deployment this deploy creates.
    pub fn deployment_type(mut self, deployment_type: DeploymentType) -> Self {
        self.deployment_type = Some(deployment_type);
        self
    }
    /// The name people see (`display_name`). Create does not take one, so it is set by a PATCH
    /// of that field alone once the revision has started, and only when it differs. The service
    /// cannot clear a display name; an empty one is refused.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }
    /// A secret to set (merged into the deployment's current ones unless
    /// [`replace_secrets`](Self::replace_secrets)).
    pub fn secret(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.push((name.into(), Sensitive::new(value)));
        self
    }
    /// Replace the deployment's secrets with exactly the ones given. Replacing them with none is
    /// refused before anything is sent: the service reads an empty list as "unchanged", so it
    /// cannot clear secrets.
    pub fn replace_secrets(mut self, replace: bool) -> Self {
        self.replace_secrets = replace;
        self
    }
    /// Build commands and sizing (`install_command`, `build_command`, `resource_spec`) for the
    /// revision this deploy starts and the ones after it. Fields left `None` keep the
    /// deployment's current values (all `None` changes nothing); the service replaces
    /// `resource_spec` whole, so give every sizing field to keep.
    ///
    /// A `PATCH` of these settings starts a revision on the service, so they travel in the very
    /// request that starts this deploy's revision: create-revision's `source_config`, the `PATCH`
    /// that switches a deployment to uploaded source, or the create of a new deployment. (Sent in
    /// an update of their own first, they would build the old code once more.) The deployment
    /// keeps them: they show in its `source_config` afterwards.
    pub fn revision_settings(mut self, settings: RevisionSourceConfigRequest) -> Self {
        self.revision_settings =
            (settings != RevisionSourceConfigRequest::default()).then_some(settings);
        self
    }
    /// The deployment's secret references (variables filled from keys of existing Kubernetes
    /// secrets), replacing its current ones whole; an empty list removes them all, and not
    /// calling this keeps them. Like [`revision_settings`](Self::revision_settings), they travel
    /// in the request that starts this deploy's revision, since a `PATCH` of them starts one.
    pub fn secret_references(
        mut self,
        references: impl IntoIterator<Item = SecretReference>,
    ) -> Self {
        self.secret_references = Some(references.into_iter().collect());
        self
    }
    /// How to wait for the revision; `None` returns once it has started.
    pub fn wait(mut self, options: Option<WaitOptions>) -> Self {
        self.wait = options;
        self
    }
    /// Give up after this long in all: archiving, the requests, the upload and the wait. Past it
    /// before the revision started, the deploy ends in [`Error::DeployTimedOut`]; during the
    /// wait, in [`RevisionOutcome::TimedOut`] (the wait's own timeout still applies when
    /// shorter). No limit by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Stream the build log while building and the deploy log while deploying. After a final
    /// status their last entries still come, for up to 10 s of quiet but never past the wait's
    /// timeout (nor the deploy's); after a timeout only the entries already read come, so the
    /// deploy ends at its timeout.
    pub fn follow_logs(mut self, follow: bool) -> Self {
        self.follow_logs = follow;
        self
    }

    /// Runs the deploy and returns its result.
    pub async fn run(self) -> Result<DeployResult, Error> {
        let events = self.events();
        futures::pin_mut!(events);
        while let Some(event) = events.try_next().await? {
            if let DeployEvent::Finished(result) = event {
                return Ok(*result);
            }
        }
        Err(Error::InvalidInput(
            "the deploy ended without a result".into(),
        ))
    }

    /// Runs the deploy as a stream of events ending in [`DeployEvent::Finished`] or an error.
    /// Dropping the stream stops the client only; the service goes on with a started revision.
    ///
    /// Dropping the stream also stops archiving a source directory, between two files, on the
    /// blocking thread that builds it; the temporary archive is removed.
    pub fn events(self) -> BoxStream<'static, Result<DeployEvent, Error>> {
        let (tx, rx) = mpsc::unbounded();
        let driver = async move {
            let events = Events(tx);
            if let Err(error) = self.drive(&events).await {
                let _ = events.0.unbounded_send(Err(error));
            }
        };
        let driver = futures::stream::once(driver).filter_map(|()| async { None });
        futures::stream::select(rx, driver).boxed()
    }

    fn check(&self) -> Result<(), Error> {
        if self.name.is_some() && self.deployment_id.is_some() {
            return Err(Error::InvalidInput(
                InputError::from("both a deployment name and a deployment ID were given")
                    .with_hint("give one of them"),
            ));
        }
        if self.replace_secrets && self.secrets.is_empty() {
            return Err(Error::InvalidInput(
                InputError::from(
                    "replacing the secrets with none would change nothing: the service cannot \
                     clear secrets (it reads an empty list as unchanged)",
                )
                .with_hint("name the secrets to keep"),
            ));
        }
        if let Some(name) = &self.display_name {
            crate::deployments::check_display_name(name)?;
        }
        let hosted = matches!(
            self.client.settings().base_url.host_str(),
            Some("api.host.langchain.com" | "eu.api.host.langchain.com")
        );
        let mut reserved: Vec<&str> = self
            .secrets
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| {
                RESERVED_SECRETS.contains(name)
                    || (hosted && RESERVED_SECRETS_HOSTED.contains(name))
            })
            .collect();
        reserved.dedup();
        if !reserved.is_empty() {
            let all = match hosted {
                true => [RESERVED_SECRETS, RESERVED_SECRETS_HOSTED].concat(),
                false => RESERVED_SECRETS.to_vec(),
            };
            return Err(Error::ReservedSecretNames {
                names: reserved.into_iter().map(str::to_owned).collect(),
                reserved: all,
            });
        }
        Ok(())
    }

    async fn drive(self, events: &Events) -> Result<(), Error> {
        self.check()?;
        let deadline = self.timeout.and_then(|t| Instant::now().checked_add(t));
        let step = Mutex::new("archiving the source");
        let shipping = self.ship(events, &step);
        let shipped = match (deadline, self.timeout) {
            (Some(deadline), Some(after)) => tokio::time::timeout_at(deadline, shipping)
                .await
                .unwrap_or_else(|_| {
                    let step = *step.lock().unwrap_or_else(|e| e.into_inner());
                    Err(Error::DeployTimedOut {
                        after,
                        step: step.to_owned(),
                    })
                })?,
            _ => shipping.await?,
        };
        let Shipped {
            deployment,
            revision_id,
        } = shipped;
        events.step(format!("revision {revision_id}"));
        let status_url = self.client.dashboard_url(&deployment);
        events.send(DeployEvent::StatusUrl(status_url.clone()));
        let mut result = DeployResult {
            deployment,
            revision_id,
            outcome: None,
            status_url,
            failure_log: Vec::new(),
        };
        if let Some(mut options) = self.wait.clone() {
            // The wait gets what is left of the deploy's timeout, if that is shorter.
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                let timeout = options.timeout_duration().min(left);
                options = options.timeout(timeout);
            }
            let outcome = self
                .watch(result.deployment.id, revision_id, options, events)
                .await?;
            let failed_log = match outcome.status() {
                Some(RevisionStatus::BuildFailed) => Some(LogType::Build),
                Some(RevisionStatus::DeployFailed) => Some(LogType::Deploy),
                _ => None,
            };
            if let Some(log_type) = failed_log {
                result.failure_log = self
                    .log_tail(result.deployment.id, revision_id, log_type)
                    .await;
            }
            result.outcome = Some(outcome);
        }
        events.send(DeployEvent::Finished(Box::new(result)));
        Ok(())
    }

    /// Archives (for a directory), finds or creates the deployment, ships the source and sets
    /// the display name. `step` says what it is doing.
    async fn ship(&self, events: &Events, step: &Mutex<&'static str>) -> Result<Shipped, Error> {
        let doing = |what| *step.lock().unwrap_or_else(|e| e.into_inner()) = what;
        #[cfg(feature = "upload")]
        let archive = self.archive(events).await?;
        doing("looking up the deployment");
        let (deployment, created) = match self.find().await? {
            Some(deployment) => {
                events.step(format!(
                    "found deployment {} ({})",
                    deployment.name, deployment.id
                ));
                (deployment, false)
            }
            None => {
                doing("creating the deployment");
                let request = self.create_request(self.secrets_for(None))?;
                let created = self.client.deployments().create(request).await?;
                events.step(format!(
                    "created deployment {} ({})",
                    created.name, created.id
                ));
                (created, true)
            }
        };
        // Creating from a git ref or an image starts the revision; uploaded source comes after.
        let shipped = if created && self.ships_on_create() {
            let revision_id = deployment.latest_revision_id.ok_or_else(|| {
                Error::InvalidInput(
                    format!("deployment {} started no revision", deployment.id).into(),
                )
            })?;
            Shipped {
                deployment,
                revision_id,
            }
        } else {
            let config = match &self.source {
                Source::GitRef { reference, .. } => {
                    revision_config(|c| c.repo_ref = Some(reference.clone()))
                }
                Source::Image(uri) => revision_config(|c| c.image_uri = Some(uri.clone())),
                #[cfg(feature = "upload")]
                Source::Directory { .. } | Source::Archived { .. } => {
                    let archive = archive.as_ref().expect("archived above");
                    self.upload(deployment.id, archive, events, &doing).await?
                }
            };
            doing("starting the revision");
            self.start_revision(deployment, created, config).await?
        };
        doing("setting the display name");
        self.name_it(shipped).await
    }

    /// Starts the revision that builds `config`, sending the secrets only when they change and
    /// the revision settings and secret references given (a deployment this deploy created has
    /// them already).
    async fn start_revision(
        &self,
        deployment: Deployment,
        created: bool,
        config: SourceRevisionConfigRequest,
    ) -> Result<Shipped, Error> {
        let (secrets, settings, secret_references) = match created {
            true => (None, None, None),
            false => (
                self.changed_secrets(&deployment),
                self.revision_settings.clone(),
                self.secret_references.clone(),
            ),
        };
        #[cfg(feature = "upload")]
        if matches!(
            self.source,
            Source::Directory { .. } | Source::Archived { .. }
        ) && deployment.source != DeploymentSource::InternalSource
        {
            // Only a PATCH can switch a deployment to uploaded source (`revision_source`):
            // a new revision keeps the deployment's source kind.
            let patch = DeploymentPatchRequest {
                revision_source: Some(crate::types::RevisionSource::InternalSource),
                source_revision_config: Some(config),
                source_config: settings
                    .map(|s| deployment_settings(SourceConfigRequest::default(), s)),
                secrets,
                secret_references,
                ..DeploymentPatchRequest::default()
            };
            let deployment = self
                .client
                .deployments()
                .update(deployment.id, patch)
                .await?;
            let revision_id = deployment.latest_revision_id.ok_or_else(|| {
                Error::InvalidInput(
                    format!("deployment {} started no revision", deployment.id).into(),
                )
            })?;
            return Ok(Shipped {
                deployment,
                revision_id,
            });
        }
        let request = RevisionCreateRequest {
            source_revision_config: config,
            source_config: settings,
            secrets,
            secret_references,
        };
        let revision = self.client.revisions(deployment.id).create(request).await?;
        Ok(Shipped {
            deployment,
            revision_id: revision.id,
        })
    }

    /// Sets the display name asked for, when the deployment does not have it already.
    async fn name_it(&self, shipped: Shipped) -> Result<Shipped, Error> {
        let Some(name) = &self.display_name else {
            return Ok(shipped);
        };
        if shipped.deployment.display_name.as_deref() == Some(name.as_str()) {
            return Ok(shipped);
        }
        let deployments = self.client.deployments();
        let deployment = deployments
            .set_display_name(shipped.deployment.id, name)
            .await?;
        Ok(Shipped {
            deployment,
            ..shipped
        })
    }

    /// The source directory's archive, built on a blocking thread that stops between files
    /// when the deploy's stream is dropped, or the one given already built; `None` for other
    /// sources.
    #[cfg(feature = "upload")]
    async fn archive(
        &self,
        events: &Events,
    ) -> Result<Option<Arc<crate::archive::SourceArchive>>, Error> {
        let (path, archive) = match &self.source {
            Source::Directory { path, config } => {
                events.step(format!("archiving {}", path.display()));
                let archive = crate::archive::archive_off_thread(path, config).await?;
                (path, Arc::new(archive))
            }
            Source::Archived { path, archive } => (path, archive.clone()),
            _ => return Ok(None),
        };
        events.step(format!(
            "archived {} files ({} bytes) from {}",
            archive.files.len(),
            archive.size,
            path.display()
        ));
        for notice in archive.notices() {
            events.step(notice);
        }
        if archive.size > crate::archive::WARN_ARCHIVE_BYTES {
            events.step(format!(
                "warning: the archive is {} MiB; check .gitignore and .dockerignore",
                archive.size / (1024 * 1024)
            ));
        }
        Ok(Some(archive))
    }

    /// Whether creating the deployment starts its revision (a git ref or an image does).
    fn ships_on_create(&self) -> bool {
        matches!(self.source, Source::GitRef { .. } | Source::Image(_))
    }

    /// Uploads the archive and returns the source revision config that builds from it.
    #[cfg(feature = "upload")]
    async fn upload(
        &self,
        deployment_id: Uuid,
        archive: &crate::archive::SourceArchive,
        events: &Events,
        doing: &impl Fn(&'static str),
    ) -> Result<SourceRevisionConfigRequest, Error> {
        doing("requesting an upload URL");
        let place = self
            .client
            .call(async |api| {
                let request = api.request_upload_url().deployment_id(deployment_id);
                let body = crate::types::UploadUrlRequest {
                    supports_upload_headers: true,
                };
                request.body(body).send().await
            })
            .await?;
        let options = crate::archive::UploadOptions::from(self.client.settings());
        // The signed URL is a credential: only its host is ever shown.
        let target = crate::archive::UploadTarget::parse(
            place.upload_url.expose(),
            options.allow_insecure_http,
        )?;
        doing("uploading the archive");
        events.step(format!(
            "uploading {} bytes to {}",
            archive.size, target.host
        ));
        let headers: Vec<(String, String)> = place
            .upload_headers
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let (total, progress) = (archive.size, events.clone());
        archive
            .upload(place.upload_url.expose(), &headers, &options, move |sent| {
                progress.send(DeployEvent::UploadProgress { sent, total })
            })
            .await?;
        Ok(revision_config(|c| {
            c.source_tarball_path = Some(place.object_path.clone());
            c.langgraph_config_path = Some(archive.config_path.clone());
        }))
    }

    /// The deployment named or identified; `None` when the name is new.
    async fn find(&self) -> Result<Option<Deployment>, Error> {
        if let Some(id) = self.deployment_id {
            return self.client.deployments().get(id).await.map(Some);
        }
        let name = self.name.as_deref().ok_or_else(|| {
            Error::InvalidInput(
                InputError::from("neither a deployment name nor a deployment ID was given")
                    .with_hint("name the deployment, or give its ID"),
            )
        })?;
        self.client.deployments().find_by_name(name).await
    }

    /// The secrets to send to an existing deployment: the given ones over its current ones (or
    /// instead of them when replacing); `None` when none are given or it has them already.
    fn changed_secrets(&self, deployment: &Deployment) -> Option<Vec<Secret>> {
        if self.secrets.is_empty() {
            return None;
        }
        let wanted = self.secrets_for(Some(deployment));
        let pairs = |secrets: &[Secret]| {
            let mut pairs: Vec<(String, String)> = secrets
                .iter()
                .map(|s| (s.name.clone(), s.value.expose().to_owned()))
                .collect();
            pairs.sort();
            pairs
        };
        (pairs(&wanted) != pairs(&deployment.secrets)).then_some(wanted)
    }

    /// The secrets to send: the given ones over the current ones (unless replacing).
    fn secrets_for(&self, existing: Option<&Deployment>) -> Vec<Secret> {
        let mut merged: Vec<Secret> = match (existing, self.replace_secrets) {
            (Some(deployment), false) => deployment.secrets.clone(),
            _ => Vec::new(),
        };
        for (name, value) in &self.secrets {
            merged.retain(|secret| &secret.name != name);
            merged.push(Secret {
                name: name.clone(),
                value: value.clone(),
            });
        }
        merged
    }

    fn create_request(&self, secrets: Vec<Secret>) -> Result<DeploymentCreateRequest, Error> {
        let name = self
            .name
            .clone()
            .ok_or_else(|| Error::InvalidInput("a new deployment needs a name".into()))?;
        let mut source_config = SourceConfigRequest {
            deployment_type: self.deployment_type.clone(),
            ..SourceConfigRequest::default()
        };
        if let Some(settings) = self.revision_settings.clone() {
            source_config = deployment_settings(source_config, settings);
        }
        let (source, source_revision_config) = match &self.source {
            Source::GitRef {
                reference,
                repo_url,
                integration_id,
            } => {
                let repo_url = repo_url
                    .clone()
                    .ok_or_else(|| Error::CreateNeedsRepoUrl { name: name.clone() })?;
                source_config.repo_url = Some(repo_url);
                source_config.integration_id = *integration_id;
                let config = revision_config(|c| c.repo_ref = Some(reference.clone()));
                (DeploymentSource::Github, config)
            }
            Source::Image(uri) => (
                DeploymentSource::ExternalDocker,
                revision_config(|c| c.image_uri = Some(uri.clone())),
            ),
            #[cfg(feature = "upload")]
            Source::Directory { .. } | Source::Archived { .. } => {
                (DeploymentSource::InternalSource, revision_config(|_| {}))
            }
        };
        Ok(DeploymentCreateRequest {
            name,
            secret_references: self.secret_references.clone(),
            secrets,
            source,
            source_config,
            source_revision_config,
        })
    }

    /// Waits, reporting status changes, log entries (when following) and heartbeats.
    async fn watch(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        options: WaitOptions,
        events: &Events,
    ) -> Result<RevisionOutcome, Error> {
        const HEARTBEAT: Duration = Duration::from_secs(30);
        let started = Instant::now();
        // The wait ends by then; its timeout is already within what is left of the deploy's.
        let deadline = started.checked_add(options.timeout_duration());
        let mut watch = self
            .client
            .watch_revision(deployment_id, revision_id, options);
        let follow =
            |log_type, from| Some(self.follow_log(deployment_id, revision_id, log_type, from));
        let mut build_log = if self.follow_logs {
            follow(LogType::Build, None)
        } else {
            None
        };
        let mut deploy_log = None;
        // Followed from the first status at or past the deploy phase: a phase shorter than the
        // poll interval passes between two polls, and its log must not be missed.
        let mut deploy_log_started = false;
        let mut seen_ids = HashSet::new();
        // Once the wait is over, the followed logs are drained (see `drain_until`), then dropped.
        let mut finished = None;
        loop {
            if let Some(outcome) = finished.take_if(|_| build_log.is_none() && deploy_log.is_none())
            {
                return Ok(outcome);
            }
            let drain_until = drain_until(finished.as_ref(), deadline);
            let mut log = |log_type, entry| self.followed(events, &mut seen_ids, log_type, entry);
            tokio::select! {
                event = watch.next(), if finished.is_none() => match event {
                    Some(Ok(WaitEvent::Status(revision))) => {
                        let reached = reached_deploy_phase(&revision.status);
                        if reached && self.follow_logs && !deploy_log_started {
                            deploy_log_started = true;
                            deploy_log = follow(LogType::Deploy, None);
                        }
                        let elapsed = started.elapsed();
                        events.send(DeployEvent::StatusChange { revision, elapsed });
                    }
                    Some(Ok(WaitEvent::PollFailed(error))) => {
                        tracing::debug!(%error, "a poll failed; the wait goes on");
                    }
                    Some(Ok(WaitEvent::Finished(outcome))) => finished = Some(outcome),
                    Some(Err(error)) => return Err(error),
                    None => return Err(Error::InvalidInput("the wait ended without an outcome".into())),
                },
                entry = next_of(&mut build_log) => match log(LogType::Build, entry) {
                    Followed::Keep => {}
                    Followed::Stop => build_log = None,
                    Followed::Restart => build_log = follow(LogType::Build, Some(Utc::now())),
                },
                entry = next_of(&mut deploy_log) => match log(LogType::Deploy, entry) {
                    Followed::Keep => {}
                    Followed::Stop => deploy_log = None,
                    Followed::Restart => deploy_log = follow(LogType::Deploy, Some(Utc::now())),
                },
                () = tokio::time::sleep(HEARTBEAT), if finished.is_none() => {
                    events.send(DeployEvent::Heartbeat { elapsed: started.elapsed() });
                }
                () = tokio::time::sleep_until(drain_until), if finished.is_some() => {
                    flush(&mut build_log, |entry| log(LogType::Build, entry));
                    flush(&mut deploy_log, |entry| log(LogType::Deploy, entry));
                }
            }
        }
    }

    /// Reports one item of a followed log (an entry once, by its `id` when it has one) and says
    /// what becomes of the log.
    fn followed(
        &self,
        events: &Events,
        seen_ids: &mut HashSet<(bool, String)>,
        log_type: LogType,
        entry: Option<Result<LogEntry, Error>>,
    ) -> Followed {
        match entry {
            Some(Ok(entry)) => {
                let id = entry.text("id").map(str::to_owned);
                if id.is_none_or(|id| seen_ids.insert((log_type == LogType::Build, id))) {
                    events.send(DeployEvent::Log { log_type, entry });
                }
                Followed::Keep
            }
            // A page over the size limit cannot be read past: say so, and go on from now.
            Some(Err(error)) if error.is_oversized_body() => {
                let limit = self.client.settings().max_response_bytes();
                events.step(format!(
                    "warning: skipped a page of the {log_type} log over the response size limit \
                     ({}); following it on from now",
                    size_text(limit)
                ));
                Followed::Restart
            }
            // Logs are a help, never a reason to fail the deploy: stop following this one.
            Some(Err(error)) => {
                tracing::debug!(%error, "stopped following a log");
                Followed::Stop
            }
            None => Followed::Stop,
        }
    }

    /// A log followed until the revision is final, from `from` on (all of it when `None`). A log
    /// followed again after a skipped page starts one interval later, so that a page still too
    /// large is not asked for again at once.
    fn follow_log(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        log_type: LogType,
        from: Option<DateTime<Utc>>,
    ) -> LogStream {
        const INTERVAL: Duration = Duration::from_secs(2);
        let mut logs = self
            .client
            .revisions(deployment_id)
            .logs(revision_id, log_type);
        if let Some(from) = from {
            logs = logs.start_time(from);
        }
        let pause = if from.is_some() {
            INTERVAL
        } else {
            Duration::ZERO
        };
        let entries = logs.follow(INTERVAL).stream();
        futures::stream::once(async move {
            tokio::time::sleep(pause).await;
            entries
        })
        .flatten()
        .boxed()
    }

    /// The last 30 lines of a log; empty when it cannot be read (it is a help, not the result).
    async fn log_tail(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        log_type: LogType,
    ) -> Vec<LogEntry> {
        let logs = self
            .client
            .revisions(deployment_id)
            .logs(revision_id, log_type);
        match logs.order(LogOrder::Desc).max_items(30).collect().await {
            Ok(mut tail) => {
                tail.reverse();
                tail
            }
            Err(error) => {
                tracing::debug!(%error, "could not read the failure log");
                Vec::new()
            }
        }
    }
}

type LogStream = BoxStream<'static, Result<LogEntry, Error>>;

/// What shipping produced: the deployment, and the revision this deploy started.
struct Shipped {
    deployment: Deployment,
    revision_id: Uuid,
}

/// What becomes of a followed log after one of its items.
enum Followed {
    /// Go on reading it.
    Keep,
    /// It ended, or failed: stop following it.
    Stop,
    /// A page was skipped: follow it again, from now.
    Restart,
}

/// `16 MiB`, or the bytes when not a whole number of MiB.
fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Whether a revision in `status` has reached its deploy phase, and so may have a deploy log.
fn reached_deploy_phase(status: &RevisionStatus) -> bool {
    matches!(
        status,
        RevisionStatus::Deploying | RevisionStatus::Deployed | RevisionStatus::DeployFailed
    )
}

/// The next entry of a followed log; never ready when the log is not followed.
async fn next_of(log: &mut Option<LogStream>) -> Option<Result<LogEntry, Error>> {
    match log {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    }
}

/// Until when the followed logs may still deliver entries once the wait ended in `finished`.
/// After a final status they get to deliver their last ones (each ends after one read past it),
/// for at most `DRAIN` of quiet and never past the wait's `deadline` (within the deploy's
/// timeout). After a timeout, not at all: only the entries already read are delivered, so the
/// deploy ends when its timeout says.
fn drain_until(finished: Option<&RevisionOutcome>, deadline: Option<Instant>) -> Instant {
    const DRAIN: Duration = Duration::from_secs(10);
    let now = Instant::now();
    match finished {
        Some(RevisionOutcome::TimedOut { .. }) | None => now,
        Some(_) => {
            let quiet = now + DRAIN;
            deadline.map_or(quiet, |deadline| deadline.min(quiet))
        }
    }
}

/// Delivers the entries of a followed log already read (without waiting for more), then stops
/// following it.
fn flush(
    log: &mut Option<LogStream>,
    mut deliver: impl FnMut(Option<Result<LogEntry, Error>>) -> Followed,
) {
    while let Some(item) = log.as_mut().and_then(|stream| stream.next().now_or_never()) {
        if !matches!(deliver(item), Followed::Keep) {
            break;
        }
    }
    *log = None;
}

/// `config` with the revision `settings` set in it, as a deployment-wide request carries them.
fn deployment_settings(
    config: SourceConfigRequest,
    settings: RevisionSourceConfigRequest,
) -> SourceConfigRequest {
    SourceConfigRequest {
        install_command: settings.install_command,
        build_command: settings.build_command,
        resource_spec: settings.resource_spec,
        ..config
    }
}

fn revision_config(
    fill: impl FnOnce(&mut SourceRevisionConfigRequest),
) -> SourceRevisionConfigRequest {
    let mut config = SourceRevisionConfigRequest::default();
    fill(&mut config);
    config
}

/// The sending side of a deploy's event stream.
#[derive(Clone)]
struct Events(mpsc::UnboundedSender<Result<DeployEvent, Error>>);

impl Events {
    /// A closed stream (the caller stopped listening) is fine: sending is best effort.
    fn send(&self, event: DeployEvent) {
        let _ = self.0.unbounded_send(Ok(event));
    }
    fn step(&self, text: String) {
        self.send(DeployEvent::Step(text));
    }
}
