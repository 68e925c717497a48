//! The facade's integration tests, one binary: a module per behaviour, against loopback servers
//! (the mock Control Plane, or the scripted server in `support`).

mod support;

mod any_server_reply;
#[cfg(feature = "upload")]
mod archive;
mod bulk_delete;
mod config;
mod deploy;
#[cfg(feature = "upload")]
mod deploy_source;
mod errors;
mod fault_matrix;
mod pagination;
mod proxy;
mod redaction;
mod retries;
mod spans;
mod waiting;
mod wire;
