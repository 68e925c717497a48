//! The mock Control Plane over real HTTP on loopback, one module per behaviour: a test starts a
//! server, sends real requests and reads the raw responses ([`support`]).

mod support;

mod deployments;
mod faults;
mod integrations;
mod keys_and_workspaces;
mod listeners;
mod oauth;
mod revision_lifecycle;
mod revision_logs;
mod revisions;
mod serving;
mod uploads;
