//! Facade over the generated Control Plane bindings. Filled in by the facade issue.
#![forbid(unsafe_code)]

#[doc(inline)]
pub use langsmith_control_plane_api::types;
