//! The simulated Control Plane: deployments, revisions moving through their statuses on the
//! clock, their logs, listeners, integrations, OAuth state, and the uploaded source archives.

pub(crate) mod archive;
pub(crate) mod auth;
pub(crate) mod lifecycle;
pub(crate) mod logs;
pub(crate) mod store;
pub(crate) mod uploads;
