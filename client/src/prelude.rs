//! What most programs need, in one import: `use langsmith_control_plane::prelude::*;`.
//!
//! The stream traits that every listing, log and watch needs (`next`, `try_next`,
//! `try_collect`), [`Uuid`], the client, its error, waiting, and the common API types. With it a
//! program needs no other dependency than `tokio`.

#[doc(no_inline)]
pub use futures::{StreamExt, TryStreamExt};
#[doc(no_inline)]
pub use uuid::Uuid;

#[doc(no_inline)]
pub use crate::deploy::Source;
#[doc(no_inline)]
pub use crate::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, LogType, Revision, RevisionStatus,
};
#[doc(no_inline)]
pub use crate::{Client, Error, RevisionOutcome, WaitEvent, WaitOptions};
