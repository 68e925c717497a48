//! `lscp` end to end: the built binary run against the mock Control Plane (or a scripted server),
//! one module per behaviour, in one test binary.

mod support;

mod closed_streams;
mod config;
mod deploy;
mod deployments;
mod fuzz_arguments;
mod github_actions;
mod input;
mod plan;
mod prune;
mod revisions;
mod terminal_safety;
mod tools;
