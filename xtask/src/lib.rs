//! Spec tooling for the LangSmith Deployment Control Plane bindings (`cargo xtask ...`).
//!
//! - [`update`]: fetch or read the upstream OpenAPI 3.1 document and [`normalize`] it into the
//!   3.0.3 form progenitor reads, keeping this project's own prose ([`prose`]).
//! - [`check`]: the vendored document is valid 3.0.3, normalized, and generates.
//! - [`diff`]: what changed between two documents, breaking changes marked.
//! - [`codegen`]: the generated Rust, for review.
//! - [`overlay`]: the facts our document has that upstream does not publish, as an OpenAPI
//!   Overlay 1.0 document that `update` applies and `check` finds applied; targets are
//!   [`jsonpath`] queries.
//! - [`imports`]: the file-level import graph of a crate's sources and its cycles, for the test
//!   that keeps the workspace's layout without circles.

pub mod check;
pub mod codegen;
pub mod diff;
pub mod imports;
pub mod json;
pub mod jsonpath;
pub mod normalize;
pub mod overlay;
pub mod prose;
pub mod update;
pub mod walk;

/// The generator build.rs runs, included by path so `spec check` and `codegen` run the same code.
#[path = "../../build/generate.rs"]
pub mod generate;

use std::path::PathBuf;

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The vendored document.
pub fn vendored_spec() -> PathBuf {
    workspace_root().join("openapi/control-plane.json")
}

/// The overlay `spec update` applies and `spec check` finds applied.
pub fn vendored_overlay() -> PathBuf {
    workspace_root().join("openapi/overlay.json")
}
