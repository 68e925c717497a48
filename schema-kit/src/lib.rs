//! The JSON Schema helpers the workspace needs in more than one crate, written once.
//!
//! - [`make_strict`]: forbid the keys an object schema does not name (typos in spec files).
//! - [`ref_target`] and [`resolve`]: follow local `$ref`s (`#/definitions/...`,
//!   `#/components/schemas/...`) inside one document.
//! - [`Validator`]: a schema compiled by [boon](https://docs.rs/boon) at a made-up location.
//! - [`leaves`], [`leaves_of_first_alternative`] and [`without_null_alternatives`]: the
//!   problems in boon's error tree, which nests the failures of every keyword and alternative.
//!
//! It depends on `boon` (re-exported) and `serde_json` only, so that the mock Control Plane can use it without
//! depending on the client it tests.
//!
//! ```
//! use langsmith_control_plane_schema_kit::{Validator, leaves, make_strict};
//! use serde_json::json;
//!
//! let mut schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
//! make_strict(&mut schema);
//! let validator = Validator::new("https://example.invalid/spec.json", schema)?;
//! let value = json!({"nmae": "x"});
//! let error = validator.validate(&value).unwrap_err();
//! let problems: Vec<String> = leaves(&error).iter().map(|leaf| leaf.kind.to_string()).collect();
//! assert_eq!(problems, ["additionalProperties 'nmae' not allowed"]);
//! # Ok::<(), Box<boon::CompileError>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The JSON Schema validator these helpers work with, for naming its types
/// ([`ValidationError`](boon::ValidationError), [`Compiler`](boon::Compiler)...) without a
/// dependency of one's own that could drift to another version.
pub use boon;

mod leaves;
mod references;
mod strict;
mod validator;

pub use leaves::{
    is_null_mismatch, leaves, leaves_of_first_alternative, without_null_alternatives,
};
pub use references::{ref_target, resolve};
pub use strict::make_strict;
pub use validator::Validator;
