//! What the fuzz targets check, shared by them: every type of the API decodes from any bytes
//! without panicking and, when it decodes, survives re-encoding unchanged ([`decoding`]); open
//! enums keep any string ([`open_enums`]); JSON values and mutations of the schema examples for
//! structure-aware inputs ([`json`], [`mutation`]); the normalizer is idempotent
//! ([`normalizing`]).

pub mod decoding;
pub mod json;
pub mod mutation;
pub mod normalizing;
pub mod open_enums;
