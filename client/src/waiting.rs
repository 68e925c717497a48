//! Waiting on a revision until it is deployed, fails, is superseded, or the wait times out.
//!
//! One entry point per need: [`Client::wait_for_revision`] for the outcome,
//! [`Client::watch_revision`] for the same wait as a stream of events (progress displays), and
//! [`Client::wait_for_latest_revision`] for the revision a create, update or redeploy response
//! names. The first and the last drive the second.
//!
//! A transient failure (network, 429, 5xx) is reported by the innermost layer that gives up on
//! it: each poll is one request under the client's [`RetryPolicy`](crate::RetryPolicy), which
//! retries it unseen by the wait (a `debug` trace line per retry); only a poll whose retries all
//! failed becomes a [`WaitEvent::PollFailed`], and the wait goes on. With
//! [`RetryPolicy::none`](crate::RetryPolicy::none) every transient failure is a `PollFailed`.
//!
//! Dropping a wait (or the stream of [`Client::watch_revision`]) stops only the polling: the
//! service goes on building and deploying the revision.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::policy::Backoff;
use crate::poll::{Polled, Poller};
use crate::types::{Deployment, Revision, RevisionStatus};

/// How to poll while waiting.
///
/// By default the schedule follows the revision's status. While it is queued, building, or in any
/// status this crate does not know, the wait polls at once, then after 2 s, growing 1.5x per poll
/// to a 30 s cap (the *slow* schedule). Once it is `AWAITING_DEPLOY` or `DEPLOYING`, the short
/// steps just before `DEPLOYED`, it polls after 2 s, growing 1.5x to an 8 s cap (the *fast*
/// schedule), for at most 5 minutes per status from the first time the wait sees it; a status
/// that lasts longer goes back to the slow schedule. Every interval is shortened by up to 10% at
/// random, and a `Retry-After` from the service lengthens the next one.
///
/// [`fixed_interval`](Self::fixed_interval), [`backoff`](Self::backoff) and
/// [`backoff_only`](Self::backoff_only) give one schedule whatever the status.
///
/// **Request budget.** A 30-minute wait (the default timeout) makes at most 160 polls, each one
/// request (plus the client's [`RetryPolicy`](crate::RetryPolicy) retries of a poll that fails).
/// Slow intervals, even shortened the full 10%, last at least 1.8, 2.7, 4.05, 6.1, 9.1, 13.7 and
/// 20.5 s, then 27 s: at most 72 of them fit in 30 minutes (the last cut at the deadline), so a wait that
/// never sees a short status makes at most 73 polls. Fast intervals are chosen only within 5
/// minutes of each of the two short statuses and last at least 1.8, 2.7, 4.05, 6.1, then 7.2 s:
/// at most 87 of them. Polling every 5 s makes 361.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitOptions {
    /// The slow schedule, or the only one when `fast` is `None`.
    backoff: Backoff,
    fast: Option<FastPhases>,
    timeout: Duration,
}

/// The fast schedule of the short statuses before `DEPLOYED`, and how long each may use it.
#[derive(Clone, Debug, PartialEq)]
struct FastPhases {
    backoff: Backoff,
    /// Past this long since the wait first saw a short status, it is polled on the slow schedule.
    window: Duration,
}

/// The waiting jitter: each interval shortened by up to 10%.
const TENTH: f64 = 0.1;

/// The slow schedule: 2 s growing 1.5x to 30 s.
fn slow() -> Backoff {
    Backoff::new(Duration::from_secs(2), Duration::from_secs(30))
        .factor(1.5)
        .jitter(TENTH)
}

/// The statuses polled fast: short, and just before `DEPLOYED`.
fn is_short_phase(status: &RevisionStatus) -> bool {
    matches!(
        status,
        RevisionStatus::AwaitingDeploy | RevisionStatus::Deploying
    )
}

impl Default for WaitOptions {
    /// The status-aware schedule described on [`WaitOptions`]; give up after 30 minutes.
    fn default() -> Self {
        Self {
            backoff: slow(),
            fast: Some(FastPhases {
                backoff: Backoff::new(Duration::from_secs(2), Duration::from_secs(8))
                    .factor(1.5)
                    .jitter(TENTH),
                window: Duration::from_secs(5 * 60),
            }),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitOptions {
    /// The slow schedule for every status: at once, then after 2 s, growing 1.5x to a 30 s cap,
    /// with jitter; give up after 30 minutes. (The default before the schedule followed the
    /// status.)
    pub fn backoff_only() -> Self {
        Self::default().backoff(slow())
    }
    /// The intervals between polls (the first poll is immediate), whatever the status: no fast
    /// schedule.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self.fast = None;
        self
    }
    /// Wait between the first and second poll (of the slow schedule).
    pub fn first_interval(mut self, interval: Duration) -> Self {
        self.backoff.initial = interval;
        self
    }
    /// Longest wait between polls (of the slow schedule).
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.backoff.max = interval;
        self
    }
    /// Poll at a fixed interval whatever the status (no growth, no fast schedule; jitter as set).
    pub fn fixed_interval(self, interval: Duration) -> Self {
        let jitter = self.backoff.jitter;
        self.backoff(Backoff::fixed(interval).jitter(jitter))
    }
    /// Growth factor of the interval per poll (of the slow schedule; at least 1).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.backoff.factor = factor;
        self
    }
    /// The intervals while the revision is `AWAITING_DEPLOY` or `DEPLOYING` (turning the fast
    /// schedule on with a 5-minute window if [`backoff`](Self::backoff) or
    /// [`fixed_interval`](Self::fixed_interval) had turned it off).
    pub fn fast_backoff(mut self, backoff: Backoff) -> Self {
        let window = self.fast.map_or(Duration::from_secs(5 * 60), |f| f.window);
        self.fast = Some(FastPhases { backoff, window });
        self
    }
    /// How long each short status is polled on the fast schedule, from the first time the wait
    /// sees it; after that, on the slow one. `Duration::ZERO` never polls fast. No effect once
    /// [`backoff`](Self::backoff) or [`fixed_interval`](Self::fixed_interval) has set one
    /// schedule for every status.
    pub fn fast_for(mut self, window: Duration) -> Self {
        if let Some(fast) = &mut self.fast {
            fast.window = window;
        }
        self
    }
    /// Give up after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Shorten each interval by up to 10% at random, so many waiters do not poll in step.
    pub fn jitter(mut self, on: bool) -> Self {
        let fraction = if on { TENTH } else { 0.0 };
        self.backoff.jitter = fraction;
        if let Some(fast) = &mut self.fast {
            fast.backoff.jitter = fraction;
        }
        self
    }
    /// The overall timeout.
    pub fn timeout_duration(&self) -> Duration {
        self.timeout
    }

    fn check(&self) -> Result<(), Error> {
        let fast = self.fast.as_ref().map(|f| &f.backoff);
        for backoff in std::iter::once(&self.backoff).chain(fast) {
            if backoff.initial().is_zero() || backoff.max().is_zero() {
                return Err(Error::InvalidInput(
                    "wait intervals must be greater than zero".into(),
                ));
            }
            backoff.check("wait options").map_err(|e| {
                Error::InvalidInput(format!("wait intervals: {}", e.message).into())
            })?;
        }
        Ok(())
    }
}

/// How a wait ended.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RevisionOutcome {
    /// The revision is `DEPLOYED`.
    Deployed(Revision),
    /// The revision failed; its status says where (`CREATE_FAILED`, `BUILD_FAILED`, `DEPLOY_FAILED`).
    Failed(Revision),
    /// The revision was `SKIPPED`: a newer revision replaced it before it went live.
    Superseded(Revision),
    /// The timeout passed first. The revision keeps going on the service.
    TimedOut {
        /// The last revision state seen, if any poll succeeded.
        last_seen: Option<Revision>,
        /// How long the wait lasted.
        waited: Duration,
    },
}

impl RevisionOutcome {
    /// Whether the revision is deployed.
    pub fn is_deployed(&self) -> bool {
        matches!(self, RevisionOutcome::Deployed(_))
    }

    /// The last revision state seen.
    pub fn revision(&self) -> Option<&Revision> {
        match self {
            RevisionOutcome::Deployed(r)
            | RevisionOutcome::Failed(r)
            | RevisionOutcome::Superseded(r) => Some(r),
            RevisionOutcome::TimedOut { last_seen, .. } => last_seen.as_ref(),
        }
    }

    /// The last status seen.
    pub fn status(&self) -> Option<&RevisionStatus> {
        self.revision().map(|r| &r.status)
    }

    /// A short word for logs and JSON: `deployed`, `failed`, `superseded` or `timed_out`.
    pub fn kind(&self) -> &'static str {
        match self {
            RevisionOutcome::Deployed(_) => "deployed",
            RevisionOutcome::Failed(_) => "failed",
            RevisionOutcome::Superseded(_) => "superseded",
            RevisionOutcome::TimedOut { .. } => "timed_out",
        }
    }

    fn from_terminal(revision: Revision) -> Self {
        if revision.status.is_success() {
            RevisionOutcome::Deployed(revision)
        } else if revision.status.is_superseded() {
            RevisionOutcome::Superseded(revision)
        } else {
            RevisionOutcome::Failed(revision)
        }
    }
}

/// What a watch reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitEvent {
    /// The first status seen, or a change of status.
    Status(Revision),
    /// A poll failed in a way that may pass (network, 429, 5xx, or an undecodable response that is
    /// not yet the third in a row) after the client's [`RetryPolicy`](crate::RetryPolicy) retried
    /// it as often as allowed; the wait goes on. A failure that a retry cured is not reported.
    PollFailed(Error),
    /// The wait is over. Always the last event.
    Finished(RevisionOutcome),
}

impl Client {
    /// Waits until revision `revision_id` of `deployment_id` is deployed, fails, is superseded,
    /// or `options`' timeout passes. Transient polling errors (network, 429, 5xx, and up to two
    /// undecodable responses in a row, as a proxy may send) do not end the
    /// wait; others (401, 403, 404, ...) are returned at once. It runs
    /// [`watch_revision`](Self::watch_revision) and keeps only the outcome.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, d: langsmith_control_plane::Uuid, r: langsmith_control_plane::Uuid) -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::{RevisionOutcome, WaitOptions};
    /// match client.wait_for_revision(d, r, WaitOptions::default()).await? {
    ///     RevisionOutcome::Deployed(revision) => println!("live: {}", revision.id),
    ///     other => eprintln!("not deployed: {}", other.kind()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_revision(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        options: WaitOptions,
    ) -> Result<RevisionOutcome, Error> {
        let mut events = self.watch_revision(deployment_id, revision_id, options);
        while let Some(event) = events.next().await {
            if let WaitEvent::Finished(outcome) = event? {
                return Ok(outcome);
            }
        }
        unreachable!("a watch always ends with Finished or an error")
    }

    /// Waits on the revision a create, update or redeploy response named (`latest_revision_id`):
    /// [`wait_for_revision`](Self::wait_for_revision) with that revision.
    pub async fn wait_for_latest_revision(
        &self,
        deployment: &Deployment,
        options: WaitOptions,
    ) -> Result<RevisionOutcome, Error> {
        let revision_id = deployment.latest_revision_id.ok_or_else(|| {
            Error::InvalidInput(
                format!(
                    "deployment {} has no latest revision to wait on",
                    deployment.id
                )
                .into(),
            )
        })?;
        self.wait_for_revision(deployment.id, revision_id, options)
            .await
    }

    /// The wait of [`wait_for_revision`](Self::wait_for_revision) as a stream: each status
    /// change, each poll that failed after its retries ([`WaitEvent::PollFailed`]), and finally
    /// the outcome. The stream ends after [`WaitEvent::Finished`] or an error; dropping it stops
    /// polling at once.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, d: langsmith_control_plane::Uuid, r: langsmith_control_plane::Uuid) -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::prelude::*;
    /// let mut events = client.watch_revision(d, r, WaitOptions::default());
    /// while let Some(event) = events.try_next().await? {
    ///     match event {
    ///         WaitEvent::Status(revision) => println!("{}", revision.status),
    ///         WaitEvent::PollFailed(error) => eprintln!("still waiting: {error}"),
    ///         WaitEvent::Finished(outcome) => println!("{}", outcome.kind()),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch_revision(
        &self,
        deployment_id: Uuid,
        revision_id: Uuid,
        options: WaitOptions,
    ) -> BoxStream<'static, Result<WaitEvent, Error>> {
        let watch = Watch {
            client: self.clone(),
            deployment_id,
            revision_id,
            options,
            started: None,
            poller: None,
            last: None,
            fast_polls: 0,
            short_since: Vec::new(),
            pending: None,
            finished: false,
        };
        futures::stream::unfold(watch, |mut watch| async move {
            let event = watch.next_event().await?;
            Some((event, watch))
        })
        .boxed()
    }
}

struct Watch {
    client: Client,
    deployment_id: Uuid,
    revision_id: Uuid,
    options: WaitOptions,
    started: Option<Instant>,
    /// The poll loop, from the first poll on.
    poller: Option<Poller>,
    last: Option<Revision>,
    /// Intervals taken on the fast schedule: it grows over the whole wait, never restarts.
    fast_polls: u32,
    /// When the wait first saw each short status (`AWAITING_DEPLOY`, `DEPLOYING`).
    short_since: Vec<(RevisionStatus, Instant)>,
    pending: Option<WaitEvent>,
    finished: bool,
}

impl Watch {
    async fn next_event(&mut self) -> Option<Result<WaitEvent, Error>> {
        if let Some(event) = self.pending.take() {
            return Some(Ok(event));
        }
        if self.finished {
            return None;
        }
        if self.started.is_none()
            && let Err(e) = self.options.check()
        {
            self.finished = true;
            return Some(Err(e));
        }
        let started = *self.started.get_or_insert_with(Instant::now);
        let mut poller = self
            .poller
            .take()
            .unwrap_or_else(|| Poller::new(started, self.options.timeout));
        let event = loop {
            let polls = poller.polls();
            let interval = match polls {
                0 => Duration::ZERO,
                _ => self.interval(Instant::now(), polls),
            };
            let poll = self
                .client
                .get_revision(self.deployment_id, self.revision_id);
            match poller.poll(interval, poll).await {
                Polled::Got(revision) => match self.seen(revision) {
                    Some(event) => break Ok(event),
                    None => continue,
                },
                Polled::Transient(error) => break Ok(WaitEvent::PollFailed(error)),
                Polled::Failed(error) => {
                    self.finished = true;
                    break Err(error);
                }
                Polled::Deadline => break Ok(self.time_out(started)),
            }
        };
        self.poller = Some(poller);
        Some(event)
    }

    /// Takes in a polled revision: the event it makes (a status change, the outcome), or none
    /// when nothing changed.
    fn seen(&mut self, revision: Revision) -> Option<WaitEvent> {
        if is_short_phase(&revision.status)
            && !self.short_since.iter().any(|(s, _)| *s == revision.status)
        {
            self.short_since
                .push((revision.status.clone(), Instant::now()));
        }
        let changed = self
            .last
            .as_ref()
            .is_none_or(|last| last.status != revision.status);
        if revision.status.is_terminal() {
            self.finished = true;
            if changed {
                let outcome = RevisionOutcome::from_terminal(revision.clone());
                self.pending = Some(WaitEvent::Finished(outcome));
                return Some(WaitEvent::Status(revision));
            }
            return Some(WaitEvent::Finished(RevisionOutcome::from_terminal(
                revision,
            )));
        }
        if changed {
            self.last = Some(revision.clone());
            return Some(WaitEvent::Status(revision));
        }
        self.last = Some(revision);
        None
    }

    /// The wait before the next poll: fast while the last status seen is a short one that has
    /// not yet outstayed its window, slow otherwise (the slow step counts every poll, fast ones
    /// too, so leaving the fast schedule usually resumes at the slow cap, not at 2 s).
    fn interval(&mut self, now: Instant, polls: u32) -> Duration {
        if let (Some(fast), Some(last)) = (&self.options.fast, &self.last) {
            let since = self.short_since.iter().find(|(s, _)| *s == last.status);
            if let Some((_, since)) = since
                && now.duration_since(*since) < fast.window
            {
                self.fast_polls = self.fast_polls.saturating_add(1);
                return fast.backoff.delay(self.fast_polls - 1);
            }
        }
        self.options.backoff.delay(polls - 1)
    }

    fn time_out(&mut self, started: Instant) -> WaitEvent {
        self.finished = true;
        WaitEvent::Finished(RevisionOutcome::TimedOut {
            last_seen: self.last.take(),
            waited: started.elapsed(),
        })
    }
}
