//! What can stop a plan, or applying one deployment.

use std::path::PathBuf;

/// What can stop [`Plan::compute`](crate::plan::Plan::compute), or end applying one deployment
/// in [`ApplyOutcome::Error`](crate::apply::ApplyOutcome::Error). Each message is said once:
/// the cause, where there is one, is [`source()`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request to the Control Plane failed, or the facade refused an input before sending
    /// (such as a `source_dir` it cannot archive). Its message and causes are the facade's.
    #[error(transparent)]
    Client(#[from] langsmith_control_plane::Error),

    /// The archive of a `source_dir` could not be read back to hash it.
    #[error("cannot read the archive of {}", dir.display())]
    ArchiveRead {
        /// The source directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// A change the plan worked out does not fit the API's request types (a value the service
    /// holds that its own requests cannot carry back).
    #[error("the planned change does not fit the API")]
    UnfitChange(#[source] serde_json::Error),

    /// The service took a change that starts a revision but named no revision.
    #[error("the service started no revision")]
    NoRevision,

    /// The wait on a new revision ended without an outcome.
    #[error("the wait ended without an outcome")]
    WaitEnded,

    /// The upload of a `source_dir` ended without a result.
    #[error("the upload ended without a result")]
    UploadEnded,
}

impl Error {
    /// What to do about this error, when known: the facade's
    /// [`hint`](langsmith_control_plane::Error::hint) for its errors. Never part of the message.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Client(error) => error.hint(),
            _ => None,
        }
    }
}
