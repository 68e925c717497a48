//! What the modules share: a scripted HTTP server on loopback, and readers of our OpenAPI
//! document.

pub mod server;
pub mod spec;
