//! The in-memory records behind the API, and how they read as the API's types at a given instant.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use langsmith_control_plane_api::open_enums::{DeploymentSource, DeploymentStatus, RevisionStatus};
use langsmith_control_plane_api::types::{
    Deployment, DeploymentCreateRequest, GithubIntegration, GithubRepository, Listener,
    ResourceSpecInput, Revision, Secret, SecretReference, SourceConfig, SourceConfigRequest,
    SourceRevisionConfig, SourceRevisionConfigRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;
use uuid::Uuid;

use crate::world::archive::{self, ArchiveBuild};
use crate::world::auth::AuthState;
use crate::world::lifecycle::{RevisionScript, Timing};
use crate::world::uploads::UploadStore;

/// Everything the mock holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Oldest first.
    pub(crate) deployments: Vec<DeploymentRecord>,
    /// Oldest first.
    pub(crate) listeners: Vec<ListenerRecord>,
    pub(crate) github: Vec<(GithubIntegration, Vec<GithubRepository>)>,
    pub(crate) forge_github: Vec<(GithubIntegration, Vec<GithubRepository>)>,
    pub(crate) auth: AuthState,
    /// Plans for the next revisions created, in order; the timing's full pipeline when empty.
    pub(crate) next_scripts: VecDeque<RevisionScript>,
    pub(crate) timing: Timing,
    pub(crate) uploads: UploadStore,
}

impl State {
    /// Forgets the deployments whose deletion has run its course by `now`.
    pub(crate) fn sweep_deleted(&mut self, now: Instant) {
        self.deployments
            .retain(|d| d.deletion.is_none_or(|deletion| !deletion.is_over(now)));
    }

    /// A deletion that starts `now`, on the server's clock.
    pub(crate) fn deletion(&self, now: Instant) -> Deletion {
        Deletion {
            since: now,
            awaiting_delete: self.timing.deleting,
            awaiting_final_delete: self.timing.final_deleting,
        }
    }

    pub(crate) fn deployment(&self, tenant: Uuid, id: Uuid) -> Option<&DeploymentRecord> {
        self.deployments
            .iter()
            .find(|d| d.id == id && d.tenant_id == tenant)
    }

    pub(crate) fn deployment_mut(
        &mut self,
        tenant: Uuid,
        id: Uuid,
    ) -> Option<&mut DeploymentRecord> {
        self.deployments
            .iter_mut()
            .find(|d| d.id == id && d.tenant_id == tenant)
    }

    /// A deployment of any workspace (for tests driving the server).
    pub(crate) fn any_deployment(&self, id: Uuid) -> Option<&DeploymentRecord> {
        self.deployments.iter().find(|d| d.id == id)
    }

    pub(crate) fn any_deployment_mut(&mut self, id: Uuid) -> Option<&mut DeploymentRecord> {
        self.deployments.iter_mut().find(|d| d.id == id)
    }

    /// Where the workspace's listener `id` is in `listeners`.
    fn listener_index(&self, tenant: Uuid, id: Uuid) -> Option<usize> {
        self.listeners
            .iter()
            .position(|l| l.tenant_id == tenant && l.listener.id == id)
    }

    pub(crate) fn listener(&self, tenant: Uuid, id: Uuid) -> Option<&ListenerRecord> {
        self.listeners.get(self.listener_index(tenant, id)?)
    }

    pub(crate) fn listener_mut(&mut self, tenant: Uuid, id: Uuid) -> Option<&mut ListenerRecord> {
        let index = self.listener_index(tenant, id)?;
        self.listeners.get_mut(index)
    }

    /// Removes the workspace's listener `id`; `None` when there is none.
    pub(crate) fn remove_listener(&mut self, tenant: Uuid, id: Uuid) -> Option<ListenerRecord> {
        let index = self.listener_index(tenant, id)?;
        Some(self.listeners.remove(index))
    }

    /// Adds a deployment of `tenant`, with a first revision that follows `plan` unless it is
    /// `None`, and returns it as the API answers it.
    pub(crate) fn insert_deployment(
        &mut self,
        tenant: Uuid,
        request: DeploymentCreateRequest,
        (config, revision): (SourceConfig, SourceRevisionConfig),
        plan: Option<RevisionPlan>,
    ) -> Deployment {
        let now = Utc::now();
        let mut record = DeploymentRecord {
            id: Uuid::new_v4(),
            tenant_id: tenant,
            name: request.name,
            source: request.source,
            source_config: config,
            secrets: request.secrets,
            secret_references: request.secret_references,
            created_at: now,
            updated_at: now,
            display_name: None,
            revisions: Vec::new(),
            deletion: None,
        };
        if let Some(plan) = plan {
            record.start_revision(revision, plan);
        }
        let deployment = record.to_api(Instant::now());
        self.deployments.push(record);
        deployment
    }

    /// The plan for the next revision: a scripted one, or the full pipeline.
    pub(crate) fn next_script(&mut self) -> RevisionScript {
        self.next_scripts
            .pop_front()
            .unwrap_or_else(|| RevisionScript::deploys(&self.timing))
    }

    /// The plan for the next revision, built from `config` of a `source` deployment. One built
    /// from an uploaded archive lists the archive; when the archive is missing, unreadable or
    /// lacks the config file, the build fails whatever was scripted (the script is used up).
    pub(crate) fn plan_revision(
        &mut self,
        source: &DeploymentSource,
        config: &SourceRevisionConfig,
    ) -> RevisionPlan {
        let script = self.next_script();
        let object_path = match (source, &config.source_tarball_path) {
            (DeploymentSource::InternalSource, Some(path)) => path,
            _ => return script.into(),
        };
        let config_path = config
            .langgraph_config_path
            .as_deref()
            .unwrap_or(archive::DEFAULT_CONFIG);
        let build =
            archive::build_from(object_path, config_path, self.uploads.listing(object_path));
        let script = match build.failure {
            Some(_) => RevisionScript::fails(RevisionStatus::BuildFailed, &self.timing),
            None => script,
        };
        RevisionPlan {
            script,
            archive: Some(build),
        }
    }
}

/// How a new revision will go: its script, and what it finds in its source archive, if any.
#[derive(Debug)]
pub(crate) struct RevisionPlan {
    pub(crate) script: RevisionScript,
    pub(crate) archive: Option<ArchiveBuild>,
}

impl From<RevisionScript> for RevisionPlan {
    fn from(script: RevisionScript) -> Self {
        Self {
            script,
            archive: None,
        }
    }
}

/// A deployment and its revisions.
#[derive(Debug)]
pub(crate) struct DeploymentRecord {
    pub(crate) id: Uuid,
    pub(crate) tenant_id: Uuid,
    pub(crate) name: String,
    pub(crate) source: DeploymentSource,
    pub(crate) source_config: SourceConfig,
    pub(crate) secrets: Vec<Secret>,
    pub(crate) secret_references: Option<Vec<SecretReference>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    /// Set by an update only (create does not take it); never cleared.
    pub(crate) display_name: Option<String>,
    /// Oldest first.
    pub(crate) revisions: Vec<RevisionRecord>,
    /// Once deleted: `AWAITING_DELETE`, then `AWAITING_FINAL_DELETE`, then gone.
    pub(crate) deletion: Option<Deletion>,
}

/// A deletion under way, and how long each of its statuses lasts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deletion {
    since: Instant,
    awaiting_delete: Duration,
    awaiting_final_delete: Duration,
}

impl Deletion {
    /// The deployment's status at `now` while being deleted.
    fn status(&self, now: Instant) -> DeploymentStatus {
        if now.saturating_duration_since(self.since) < self.awaiting_delete {
            DeploymentStatus::AwaitingDelete
        } else {
            DeploymentStatus::AwaitingFinalDelete
        }
    }

    /// Whether the deployment is gone at `now`.
    fn is_over(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.since)
            >= self
                .awaiting_delete
                .saturating_add(self.awaiting_final_delete)
    }
}

impl DeploymentRecord {
    /// Adds a revision built from `config` that follows `plan`. Revisions still in progress
    /// become `SKIPPED`: the newest revision always wins.
    pub(crate) fn start_revision(
        &mut self,
        config: SourceRevisionConfig,
        plan: RevisionPlan,
    ) -> &RevisionRecord {
        let now = Instant::now();
        for older in &mut self.revisions {
            let (status, _) = older.status_at(now);
            if !status.is_terminal() {
                older.halt = Some((older.elapsed(now), RevisionStatus::Skipped));
            }
        }
        self.push_revision(config, plan)
    }

    /// Adds a revision without touching the others (for seeding a history).
    pub(crate) fn push_revision(
        &mut self,
        config: SourceRevisionConfig,
        plan: RevisionPlan,
    ) -> &RevisionRecord {
        let created_at = Utc::now();
        self.updated_at = created_at;
        self.revisions.push(RevisionRecord {
            id: Uuid::new_v4(),
            created_at,
            started: Instant::now(),
            source: self.source.clone(),
            repo_url: self.source_config.repo_url.clone(),
            config,
            script: plan.script,
            archive: plan.archive,
            halt: None,
        });
        self.revisions.last().expect("just pushed")
    }

    /// Applies an update's secrets. A non-empty list replaces them; an empty list, like none,
    /// leaves them as they are (the service cannot clear secrets). References are replaced
    /// whenever given, an empty list included.
    pub(crate) fn update_secrets(
        &mut self,
        secrets: Option<Vec<Secret>>,
        references: Option<Vec<SecretReference>>,
    ) {
        if let Some(secrets) = secrets.filter(|s| !s.is_empty()) {
            self.secrets = secrets;
        }
        if let Some(references) = references {
            self.secret_references = Some(references);
        }
    }

    pub(crate) fn revision(&self, id: Uuid) -> Option<&RevisionRecord> {
        self.revisions.iter().find(|r| r.id == id)
    }

    /// What the next revision builds from when a request changes only some fields.
    pub(crate) fn latest_config(&self) -> SourceRevisionConfig {
        self.revisions
            .last()
            .map(|r| SourceRevisionConfig {
                repo_commit_sha: None,
                ..r.config.clone()
            })
            .unwrap_or_default()
    }

    /// The deployment's status at `now`: the database is provisioned while the first revision
    /// is being created.
    pub(crate) fn status(&self, now: Instant) -> DeploymentStatus {
        if let Some(deletion) = &self.deletion {
            return deletion.status(now);
        }
        let provisioning = self
            .revisions
            .first()
            .is_some_and(|first| first.status_at(now).0 == RevisionStatus::Creating);
        if provisioning {
            DeploymentStatus::AwaitingDatabase
        } else {
            DeploymentStatus::Ready
        }
    }

    pub(crate) fn to_api(&self, now: Instant) -> Deployment {
        let latest = self.revisions.last();
        let active = self
            .revisions
            .iter()
            .rev()
            .find(|r| r.status_at(now).0 == RevisionStatus::Deployed);
        let mut source_config = self.source_config.clone();
        // A github deployment reports the branch it tracks: the ref its newest revision builds.
        if self.source == DeploymentSource::Github {
            source_config.repo_branch = latest.and_then(|r| r.config.repo_ref.clone());
        }
        Deployment {
            active_revision_id: active.map(|r| r.id),
            created_at: self.created_at,
            display_name: self.display_name.clone(),
            id: self.id,
            image_version: None,
            latest_revision_id: latest.map(|r| r.id),
            name: self.name.clone(),
            secret_references: self.secret_references.clone(),
            secrets: self.secrets.clone(),
            source: self.source.clone(),
            source_config,
            source_revision_config: latest.map(|r| r.config_at(now)).unwrap_or_default(),
            status: self.status(now),
            tenant_id: self.tenant_id,
            updated_at: self.updated_at,
        }
    }
}

/// One revision: when it started and the plan its status follows.
#[derive(Debug)]
pub(crate) struct RevisionRecord {
    pub(crate) id: Uuid,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) started: Instant,
    pub(crate) source: DeploymentSource,
    pub(crate) repo_url: Option<String>,
    /// As requested; the commit is filled in on read once the build has started.
    pub(crate) config: SourceRevisionConfig,
    pub(crate) script: RevisionScript,
    /// What the build found in the uploaded source archive (`internal_source` revisions).
    pub(crate) archive: Option<ArchiveBuild>,
    /// A status forced at a point in the revision's life (superseded, or set by a test).
    pub(crate) halt: Option<(Duration, RevisionStatus)>,
}

impl RevisionRecord {
    pub(crate) fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }

    /// The status at `now`, and when (as time since creation) it was entered.
    pub(crate) fn status_at(&self, now: Instant) -> (RevisionStatus, Duration) {
        let elapsed = self.elapsed(now);
        match &self.halt {
            Some((at, status)) if elapsed >= *at => (status.clone(), *at),
            _ => self.script.status_after(elapsed),
        }
    }

    /// How far the revision got: its age, or the moment it was halted.
    pub(crate) fn progress(&self, now: Instant) -> Duration {
        let elapsed = self.elapsed(now);
        self.halt
            .as_ref()
            .map_or(elapsed, |(at, _)| elapsed.min(*at))
    }

    /// The revision's source configuration, with the commit once the build has started.
    fn config_at(&self, now: Instant) -> SourceRevisionConfig {
        let mut config = self.config.clone();
        if self.source == DeploymentSource::Github && self.progress(now) >= self.build_start() {
            config.repo_commit_sha = Some(self.commit_sha());
        }
        config
    }

    /// When the build starts (as time since creation); at once when the script has no build.
    pub(crate) fn build_start(&self) -> Duration {
        self.script
            .schedule()
            .find(|(status, _, _)| **status == RevisionStatus::Building)
            .map_or(Duration::ZERO, |(_, begins, _)| begins)
    }

    /// A stable, plausible commit hash for this revision.
    pub(crate) fn commit_sha(&self) -> String {
        let hex = self.id.simple().to_string();
        format!("{hex}{}", &hex[..8])
    }

    pub(crate) fn at_offset(&self, offset: Duration) -> DateTime<Utc> {
        self.created_at + chrono::Duration::from_std(offset).unwrap_or_default()
    }

    pub(crate) fn to_api(&self, now: Instant) -> Revision {
        let (status, since) = self.status_at(now);
        Revision {
            created_at: self.created_at,
            id: self.id,
            source: self.source.clone(),
            source_revision_config: self.config_at(now),
            status,
            updated_at: self.at_offset(since),
        }
    }
}

/// A listener and the workspace it belongs to.
#[derive(Debug)]
pub(crate) struct ListenerRecord {
    pub(crate) tenant_id: Uuid,
    pub(crate) listener: Listener,
}

/// A revision's source configuration as requested.
pub(crate) fn revision_config(request: &SourceRevisionConfigRequest) -> SourceRevisionConfig {
    SourceRevisionConfig {
        image_uri: request.image_uri.clone(),
        langgraph_config_path: request.langgraph_config_path.clone(),
        repo_commit_sha: None,
        repo_ref: request.repo_ref.clone(),
        source_tarball_path: request.source_tarball_path.clone(),
    }
}

/// `base` with the fields set in `patch` replaced; nested objects are merged the same way.
pub(crate) fn merged<T: Serialize + DeserializeOwned + Clone, P: Serialize>(
    base: &T,
    patch: &P,
) -> T {
    fn merge(base: &mut Value, patch: Value) {
        match (base, patch) {
            (Value::Object(base), Value::Object(patch)) => {
                for (key, value) in patch {
                    match base.get_mut(&key) {
                        Some(existing) if existing.is_object() && value.is_object() => {
                            merge(existing, value)
                        }
                        _ => {
                            base.insert(key, value);
                        }
                    }
                }
            }
            (base, patch) => *base = patch,
        }
    }
    let mut value = serde_json::to_value(base).unwrap_or(Value::Null);
    merge(
        &mut value,
        serde_json::to_value(patch).unwrap_or(Value::Null),
    );
    // Request and response types share their field names; should one ever not fit, keep `base`.
    serde_json::from_value(value).unwrap_or_else(|_| base.clone())
}

/// `config` with the settings of an update: fields `patch` sets replace, and a `null` (like an
/// absent field) changes nothing; the sizing, when given, replaces the stored one whole, as the
/// service does.
pub(crate) fn updated_config<P: Serialize>(
    config: &SourceConfig,
    patch: &P,
    sizing: Option<&ResourceSpecInput>,
) -> SourceConfig {
    let mut config = merged(config, patch);
    if let Some(spec) = sizing {
        config.resource_spec = Some(merged(&Default::default(), spec));
    }
    config
}

/// The deployment-wide settings as requested, in the shape the service reports them.
pub(crate) fn source_config(request: &SourceConfigRequest) -> SourceConfig {
    merged(&SourceConfig::default(), request)
}
