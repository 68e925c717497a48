//! What a revision status means for someone waiting on it.

use crate::open_enums::RevisionStatus;

/// Position of an in-progress revision in the pipeline, for progress displays ("step 4 of 6").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevisionPhase {
    /// 1-based step number.
    pub step: u8,
    /// Number of in-progress steps before a revision is deployed.
    pub total: u8,
    /// Short label for the step.
    pub label: &'static str,
}

impl RevisionStatus {
    /// Deployed, failed or skipped: the status will not change any more.
    pub fn is_terminal(&self) -> bool {
        self.is_success() || self.is_failure() || self.is_superseded()
    }

    /// `DEPLOYED`.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Deployed)
    }

    /// `CREATE_FAILED`, `BUILD_FAILED` or `DEPLOY_FAILED`.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::CreateFailed | Self::BuildFailed | Self::DeployFailed
        )
    }

    /// `SKIPPED`: a newer revision replaced this one before it went live.
    pub fn is_superseded(&self) -> bool {
        matches!(self, Self::Skipped)
    }

    /// Not terminal: still moving. This includes the passing states `INTERRUPTED` and `UNKNOWN`
    /// and any status this version does not recognize.
    pub fn is_in_progress(&self) -> bool {
        !self.is_terminal()
    }

    /// The pipeline step of an in-progress status; `None` for terminal, passing or unrecognized ones.
    pub fn phase(&self) -> Option<RevisionPhase> {
        let (step, label) = match self {
            Self::Creating => (1, "creating"),
            Self::Queued => (2, "queued"),
            Self::AwaitingBuild => (3, "awaiting build"),
            Self::Building => (4, "building"),
            Self::AwaitingDeploy => (5, "awaiting deploy"),
            Self::Deploying => (6, "deploying"),
            _ => return None,
        };
        Some(RevisionPhase {
            step,
            total: 6,
            label,
        })
    }
}
