#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod apply;
pub mod deployment_file;
mod error;
pub mod plan;

pub use error::Error;
