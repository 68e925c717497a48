//! The commands: each file parses its arguments (clap) and runs them against the facade.

pub mod deploy;
pub mod deployment;
pub mod mock;
pub mod plan;
pub mod prune;
pub mod revision;
pub mod spec;
pub mod wait;
