//! HTTP plumbing: serving connections, the router and its gate, reading parameters and bodies
//! as FastAPI does, and writing responses in the document's shape.

pub(crate) mod body;
pub(crate) mod document;
pub(crate) mod gate;
pub(crate) mod listener;
pub(crate) mod params;
pub(crate) mod response;
pub(crate) mod router;
pub(crate) mod wire;
