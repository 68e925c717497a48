//! Carrying out a [`Plan`]: each deployment's change, then a wait for each new revision, several
//! deployments at once, reported as events. One deployment's failure does not stop the others.

mod change;
mod upload;

use std::sync::Arc;

use futures::channel::mpsc;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use langsmith_control_plane::types::Revision;
use langsmith_control_plane::{Client, RevisionOutcome, WaitEvent, WaitOptions};
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::Error;
use crate::plan::{Plan, PlannedDeployment, Work};

/// How to apply a plan.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// How to wait on each new revision.
    pub wait: WaitOptions,
    /// Deployments applied and waited on at once (at least 1).
    pub concurrency: usize,
}

impl Default for ApplyOptions {
    /// The default wait, four deployments at once.
    fn default() -> Self {
        Self {
            wait: WaitOptions::default(),
            concurrency: 4,
        }
    }
}

impl ApplyOptions {
    /// How to wait on each new revision.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }
    /// Deployments applied and waited on at once.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }
}

/// What applying reports as it goes; the last event is always [`ApplyEvent::Done`]. Its JSON
/// (with an `event` field naming the kind) is what `lscp -o json apply` prints.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApplyEvent {
    /// A step of one deployment: `created`, `updated`, `uploading ...`.
    Step {
        /// The deployment.
        name: String,
        /// What happened.
        message: String,
    },
    /// A revision's first status, or a change of it.
    Status {
        /// The deployment.
        name: String,
        /// The revision.
        revision: Box<Revision>,
    },
    /// One deployment is done.
    Finished {
        /// The deployment.
        name: String,
        /// How it ended.
        outcome: ApplyOutcome,
    },
    /// Every deployment is done.
    Done(ApplyReport),
}

/// How applying one deployment ended.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApplyOutcome {
    /// Nothing to do.
    Unchanged {
        /// The deployment.
        deployment_id: Option<Uuid>,
    },
    /// Settings changed; no revision started.
    Updated {
        /// The deployment.
        deployment_id: Uuid,
    },
    /// The new revision is `DEPLOYED`.
    Deployed {
        /// The deployment.
        deployment_id: Uuid,
        /// The revision.
        revision_id: Uuid,
    },
    /// The new revision failed.
    Failed {
        /// The deployment.
        deployment_id: Uuid,
        /// The revision.
        revision_id: Uuid,
        /// Where it failed: `BUILD_FAILED`, ...
        status: String,
    },
    /// The wait's timeout passed; the revision keeps going on the service.
    TimedOut {
        /// The deployment.
        deployment_id: Uuid,
        /// The revision.
        revision_id: Uuid,
        /// The last status seen.
        last_status: Option<String>,
    },
    /// A newer revision replaced it (`SKIPPED`).
    Superseded {
        /// The deployment.
        deployment_id: Uuid,
        /// The revision.
        revision_id: Uuid,
    },
    /// A request failed; the change may be partly made.
    Error {
        /// The deployment, when known.
        deployment_id: Option<Uuid>,
        /// The error. In JSON, `message`: what it says, then each cause it does not already
        /// say, joined by `: `; and `hint`: what to do about it ([`Error::hint`]), or null.
        #[serde(flatten, serialize_with = "error_fields")]
        #[schemars(with = "ErrorFields")]
        error: Arc<Error>,
    },
}

/// The JSON of an [`ApplyOutcome::Error`]'s error.
#[derive(Serialize, JsonSchema)]
struct ErrorFields {
    /// What the error says, then each cause it does not already say, joined by `: `.
    message: String,
    /// What to do about it, when known; never part of the message.
    hint: Option<&'static str>,
}

/// Outcomes are equal when their JSON is: an error by what it says.
impl PartialEq for ApplyOutcome {
    fn eq(&self, other: &Self) -> bool {
        serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }
}

/// An error's message and causes, and its hint, as [`ErrorFields`].
fn error_fields<S: Serializer>(error: &Arc<Error>, serializer: S) -> Result<S::Ok, S::Error> {
    let fields = ErrorFields {
        message: error_text(error),
        hint: error.hint(),
    };
    fields.serialize(serializer)
}

/// An error's message and each cause in its chain that the text so far does not already say.
fn error_text(error: &Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let said = inner.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        cause = inner.source();
    }
    text
}

impl ApplyOutcome {
    /// How bad it is, for the worst outcome of a run: 0 fine, then superseded, timed out,
    /// failed, error.
    pub fn severity(&self) -> u8 {
        match self {
            ApplyOutcome::Unchanged { .. }
            | ApplyOutcome::Updated { .. }
            | ApplyOutcome::Deployed { .. } => 0,
            ApplyOutcome::Superseded { .. } => 1,
            ApplyOutcome::TimedOut { .. } => 2,
            ApplyOutcome::Failed { .. } => 3,
            ApplyOutcome::Error { .. } => 4,
        }
    }

    /// A short word: `unchanged`, `updated`, `deployed`, `failed`, `timed_out`, `superseded`,
    /// `error`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApplyOutcome::Unchanged { .. } => "unchanged",
            ApplyOutcome::Updated { .. } => "updated",
            ApplyOutcome::Deployed { .. } => "deployed",
            ApplyOutcome::Failed { .. } => "failed",
            ApplyOutcome::TimedOut { .. } => "timed_out",
            ApplyOutcome::Superseded { .. } => "superseded",
            ApplyOutcome::Error { .. } => "error",
        }
    }
}

/// Every deployment's outcome, in the plan's order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
pub struct ApplyReport {
    /// Each deployment of the plan.
    pub results: Vec<ApplyResult>,
}

/// How one deployment of the plan ended.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ApplyResult {
    /// The deployment's name.
    pub name: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: ApplyOutcome,
}

impl ApplyReport {
    /// The worst outcome, if any is not fine.
    pub fn worst(&self) -> Option<&ApplyOutcome> {
        self.results
            .iter()
            .map(|result| &result.outcome)
            .filter(|o| o.severity() > 0)
            .max_by_key(|o| o.severity())
    }
}

impl Plan {
    /// Applies the plan: creates and changes deployments, then waits for every new revision,
    /// up to `options.concurrency` deployments at once. The stream ends with
    /// [`ApplyEvent::Done`]. Dropping it stops the client only: revisions already started go on.
    ///
    /// A deployment whose file names a `source_dir` gets the archive the plan made and hashed,
    /// not a new one: see [`Plan::compute`].
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, plan: langsmith_control_plane_plan::plan::Plan) {
    /// use futures::StreamExt;
    /// use langsmith_control_plane_plan::apply::{ApplyEvent, ApplyOptions};
    /// let mut events = plan.apply(&client, ApplyOptions::default());
    /// while let Some(event) = events.next().await {
    ///     if let ApplyEvent::Done(report) = event {
    ///         println!("worst: {:?}", report.worst().map(|o| o.kind()));
    ///     }
    /// }
    /// # }
    /// ```
    pub fn apply(&self, client: &Client, options: ApplyOptions) -> BoxStream<'static, ApplyEvent> {
        let (tx, rx) = mpsc::unbounded();
        let client = client.clone();
        let deployments = self.deployments.clone();
        let driver = async move {
            let concurrency = options.concurrency.max(1);
            let wait = options.wait;
            let mut outcomes: Vec<(usize, String, ApplyOutcome)> =
                futures::stream::iter(deployments.into_iter().enumerate())
                    .map(|(index, planned)| {
                        let events = Events {
                            tx: tx.clone(),
                            name: planned.name.clone(),
                        };
                        let (client, wait) = (client.clone(), wait.clone());
                        async move {
                            let outcome = apply_one(&client, &planned, wait, &events).await;
                            events.send(ApplyEvent::Finished {
                                name: planned.name.clone(),
                                outcome: outcome.clone(),
                            });
                            (index, planned.name, outcome)
                        }
                    })
                    .buffer_unordered(concurrency)
                    .collect()
                    .await;
            outcomes.sort_by_key(|(index, ..)| *index);
            let report = ApplyReport {
                results: outcomes
                    .into_iter()
                    .map(|(_, name, outcome)| ApplyResult { name, outcome })
                    .collect(),
            };
            let _ = tx.unbounded_send(ApplyEvent::Done(report));
        };
        let driver = futures::stream::once(driver).filter_map(|()| async { None });
        futures::stream::select(rx, driver).boxed()
    }
}

struct Events {
    tx: mpsc::UnboundedSender<ApplyEvent>,
    name: String,
}

impl Events {
    fn send(&self, event: ApplyEvent) {
        let _ = self.tx.unbounded_send(event);
    }
    fn step(&self, message: impl Into<String>) {
        self.send(ApplyEvent::Step {
            name: self.name.clone(),
            message: message.into(),
        });
    }
}

async fn apply_one(
    client: &Client,
    planned: &PlannedDeployment,
    wait: WaitOptions,
    events: &Events,
) -> ApplyOutcome {
    match &planned.work {
        Work::Nothing => ApplyOutcome::Unchanged {
            deployment_id: planned.deployment_id,
        },
        Work::Create(new) => match change::create(client, new, events).await {
            Ok(created) => {
                watch(client, created.id, created.latest_revision_id, wait, events).await
            }
            Err((id, e)) => failed(id, e),
        },
        Work::Change(change) => change::run(client, change, wait, events).await,
        Work::Upload(work) => upload::run(client, work, wait, events).await,
    }
}

/// The outcome of a deployment whose change stopped on `error`.
fn failed(deployment_id: Option<Uuid>, error: impl Into<Error>) -> ApplyOutcome {
    ApplyOutcome::Error {
        deployment_id,
        error: Arc::new(error.into()),
    }
}

/// Waits on the revision a create or update started, reporting each status.
async fn watch(
    client: &Client,
    deployment_id: Uuid,
    revision_id: Option<Uuid>,
    wait: WaitOptions,
    events: &Events,
) -> ApplyOutcome {
    let Some(revision_id) = revision_id else {
        return failed(Some(deployment_id), Error::NoRevision);
    };
    let mut statuses = client.watch_revision(deployment_id, revision_id, wait);
    loop {
        match statuses.try_next().await {
            Ok(Some(WaitEvent::Status(revision))) => events.send(ApplyEvent::Status {
                name: events.name.clone(),
                revision: Box::new(revision),
            }),
            Ok(Some(WaitEvent::Finished(outcome))) => {
                return from_wait(deployment_id, revision_id, outcome);
            }
            Ok(Some(_)) => {}
            Ok(None) => return failed(Some(deployment_id), Error::WaitEnded),
            Err(e) => return failed(Some(deployment_id), e),
        }
    }
}

fn from_wait(deployment_id: Uuid, revision_id: Uuid, outcome: RevisionOutcome) -> ApplyOutcome {
    let status = outcome.status().map(|s| s.to_string());
    match outcome {
        RevisionOutcome::Deployed(_) => ApplyOutcome::Deployed {
            deployment_id,
            revision_id,
        },
        RevisionOutcome::Superseded(_) => ApplyOutcome::Superseded {
            deployment_id,
            revision_id,
        },
        RevisionOutcome::TimedOut { .. } => ApplyOutcome::TimedOut {
            deployment_id,
            revision_id,
            last_status: status,
        },
        _ => ApplyOutcome::Failed {
            deployment_id,
            revision_id,
            status: status.unwrap_or_else(|| "unknown".into()),
        },
    }
}
