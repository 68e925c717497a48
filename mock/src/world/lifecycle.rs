//! How a revision moves through its statuses: the clock ([`Timing`]) and the plan ([`RevisionScript`]).
//!
//! A revision's status is never stored as it moves: it is computed on every read from the time elapsed
//! on tokio's clock since the revision was created. Tests that call `tokio::time::pause()` therefore
//! see a minute-long build finish as soon as they advance the clock.

use std::time::Duration;

use langsmith_control_plane_api::open_enums::RevisionStatus;

/// How long a new revision spends in each in-progress status before moving on.
///
/// Start from a preset and adjust single phases:
///
/// ```
/// use std::time::Duration;
/// use langsmith_control_plane_mock::Timing;
///
/// let mut timing = Timing::realistic();
/// timing.building = Duration::from_secs(300);
/// assert_eq!(timing.total(), Duration::from_secs(2 + 3 + 2 + 300 + 2 + 20));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timing {
    /// Time in `CREATING`.
    pub creating: Duration,
    /// Time in `QUEUED`.
    pub queued: Duration,
    /// Time in `AWAITING_BUILD`.
    pub awaiting_build: Duration,
    /// Time in `BUILDING`.
    pub building: Duration,
    /// Time in `AWAITING_DEPLOY`.
    pub awaiting_deploy: Duration,
    /// Time in `DEPLOYING`.
    pub deploying: Duration,
    /// Time a deployment deleted by the bulk delete stays `AWAITING_DELETE` before it is gone.
    pub deleting: Duration,
}

impl Timing {
    /// 100 ms per phase: a revision is `DEPLOYED` 600 ms after it was created. The default, for
    /// tests on a real clock and for demos that should show every status briefly.
    pub fn fast() -> Self {
        Self::uniform(Duration::from_millis(100))
    }

    /// Roughly the pace of the real service for a small GitHub deployment (about 75 s), for tests
    /// on a paused clock and for demos of progress displays.
    pub fn realistic() -> Self {
        Self {
            creating: Duration::from_secs(2),
            queued: Duration::from_secs(3),
            awaiting_build: Duration::from_secs(2),
            building: Duration::from_secs(45),
            awaiting_deploy: Duration::from_secs(2),
            deploying: Duration::from_secs(20),
            deleting: Duration::from_secs(10),
        }
    }

    /// No time at all: every new revision is `DEPLOYED` (or failed, as scripted) at once.
    pub fn instant() -> Self {
        Self::uniform(Duration::ZERO)
    }

    /// The same duration for each of the six phases (and for deleting).
    pub fn uniform(phase: Duration) -> Self {
        Self {
            creating: phase,
            queued: phase,
            awaiting_build: phase,
            building: phase,
            awaiting_deploy: phase,
            deploying: phase,
            deleting: phase,
        }
    }

    /// The in-progress statuses in pipeline order, each with its duration.
    pub fn phases(&self) -> [(RevisionStatus, Duration); 6] {
        [
            (RevisionStatus::Creating, self.creating),
            (RevisionStatus::Queued, self.queued),
            (RevisionStatus::AwaitingBuild, self.awaiting_build),
            (RevisionStatus::Building, self.building),
            (RevisionStatus::AwaitingDeploy, self.awaiting_deploy),
            (RevisionStatus::Deploying, self.deploying),
        ]
    }

    /// Time from creation to `DEPLOYED`.
    pub fn total(&self) -> Duration {
        self.phases().iter().map(|(_, d)| *d).sum()
    }
}

impl Default for Timing {
    /// [`Timing::fast`].
    fn default() -> Self {
        Self::fast()
    }
}

/// The statuses one revision will report, in order, each for a while, and the status it ends in.
///
/// The final status holds for ever, whatever it is: a failure, `DEPLOYED`, or a status the client
/// does not know (to test how it copes with a value the service added later).
///
/// ```
/// use std::time::Duration;
/// use langsmith_control_plane::types::RevisionStatus;
/// use langsmith_control_plane_mock::RevisionScript;
///
/// // Pauses in a status this client version has never heard of, then goes live.
/// let script = RevisionScript::new()
///     .then(RevisionStatus::Creating, Duration::from_secs(1))
///     .then(RevisionStatus::from("PAUSED_FOR_REVIEW"), Duration::from_secs(5))
///     .then(RevisionStatus::Deploying, Duration::from_secs(1))
///     .ends_with(RevisionStatus::Deployed);
/// assert_eq!(script.total(), Duration::from_secs(7));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RevisionScript {
    steps: Vec<(RevisionStatus, Duration)>,
    outcome: RevisionStatus,
}

impl RevisionScript {
    /// No steps yet, ending `DEPLOYED`.
    pub fn new() -> Self {
        Self {
            steps: Vec::new(),
            outcome: RevisionStatus::Deployed,
        }
    }

    /// Every in-progress status for its time in `timing`, then `DEPLOYED`.
    pub fn deploys(timing: &Timing) -> Self {
        Self {
            steps: timing.phases().to_vec(),
            outcome: RevisionStatus::Deployed,
        }
    }

    /// The pipeline of `timing` up to the phase that `failure` belongs to, then `failure`:
    /// `CREATE_FAILED` after `CREATING`, `BUILD_FAILED` after `BUILDING`, `DEPLOY_FAILED` after
    /// `DEPLOYING`. Any other status is reported after the whole pipeline, as its outcome.
    pub fn fails(failure: RevisionStatus, timing: &Timing) -> Self {
        let last_phase = match failure {
            RevisionStatus::CreateFailed => RevisionStatus::Creating,
            RevisionStatus::BuildFailed => RevisionStatus::Building,
            _ => RevisionStatus::Deploying,
        };
        let phases = timing.phases();
        let end = phases
            .iter()
            .position(|(status, _)| *status == last_phase)
            .map_or(phases.len(), |index| index + 1);
        Self {
            steps: phases[..end].to_vec(),
            outcome: failure,
        }
    }

    /// Adds a step: report `status` for `duration`.
    pub fn then(mut self, status: RevisionStatus, duration: Duration) -> Self {
        self.steps.push((status, duration));
        self
    }

    /// Sets the status reported once every step is over.
    pub fn ends_with(mut self, outcome: RevisionStatus) -> Self {
        self.outcome = outcome;
        self
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[(RevisionStatus, Duration)] {
        &self.steps
    }

    /// The final status.
    pub fn outcome(&self) -> &RevisionStatus {
        &self.outcome
    }

    /// Time from creation to the final status.
    pub fn total(&self) -> Duration {
        self.steps.iter().map(|(_, d)| *d).sum()
    }

    /// The status after `elapsed`, and when (as time since creation) it was entered.
    pub(crate) fn status_after(&self, elapsed: Duration) -> (RevisionStatus, Duration) {
        let mut start = Duration::ZERO;
        for (status, duration) in &self.steps {
            let end = start + *duration;
            if elapsed < end {
                return (status.clone(), start);
            }
            start = end;
        }
        (self.outcome.clone(), start)
    }

    /// When (as time since creation) each step starts and ends, and the outcome's start.
    pub(crate) fn schedule(&self) -> impl Iterator<Item = (&RevisionStatus, Duration, Duration)> {
        self.steps
            .iter()
            .scan(Duration::ZERO, |start, (status, d)| {
                let begins = *start;
                *start += *d;
                Some((status, begins, *start))
            })
    }
}

impl Default for RevisionScript {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn status_moves_through_the_steps_and_holds_the_outcome() {
        let script = RevisionScript::deploys(&Timing::uniform(S(10)));
        assert_eq!(script.status_after(S(0)), (RevisionStatus::Creating, S(0)));
        assert_eq!(
            script.status_after(S(35)),
            (RevisionStatus::Building, S(30))
        );
        assert_eq!(
            script.status_after(S(59)),
            (RevisionStatus::Deploying, S(50))
        );
        assert_eq!(
            script.status_after(S(60)),
            (RevisionStatus::Deployed, S(60))
        );
        assert_eq!(
            script.status_after(S(6000)),
            (RevisionStatus::Deployed, S(60))
        );
    }

    #[test]
    fn failures_stop_after_their_phase() {
        let timing = Timing::uniform(S(1));
        let at = |failure: RevisionStatus| RevisionScript::fails(failure, &timing).total();
        assert_eq!(at(RevisionStatus::CreateFailed), S(1));
        assert_eq!(at(RevisionStatus::BuildFailed), S(4));
        assert_eq!(at(RevisionStatus::DeployFailed), S(6));
        let build = RevisionScript::fails(RevisionStatus::BuildFailed, &timing);
        assert_eq!(build.status_after(S(4)).0, RevisionStatus::BuildFailed);
    }

    #[test]
    fn zero_length_steps_are_passed_at_once() {
        let script = RevisionScript::deploys(&Timing::instant());
        assert_eq!(script.status_after(S(0)).0, RevisionStatus::Deployed);
    }
}
