//! Generated bindings for the LangSmith Deployment Control Plane API.
//!
//! `build.rs` runs [progenitor](https://docs.rs/progenitor) over the vendored document
//! `openapi/control-plane.json`. Most programs want the facade crate `langsmith-control-plane`,
//! which adds configuration, retries, typed errors, waiting and pagination on top of this one.
//!
//! What lives here besides the generated code is only what must sit next to it:
//! the open enums the generated types point at ([`open_enums`]), the request transport hook
//! ([`transport`]) and helpers on [`RevisionStatus`](open_enums::RevisionStatus).
#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod decode;
pub mod http;
pub mod open_enums;
#[doc(hidden)]
pub mod path;
mod revision_status;
pub mod transport;

pub use revision_status::RevisionPhase;

mod generated {
    #![allow(missing_docs, unused_imports, clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;

impl progenitor_client::ClientHooks<transport::Transport> for Client {
    // A plain function handing back the transport's future: as an `async fn` it would keep the
    // request a second time inside every operation's future, and copy it once more per call.
    fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        self.inner.execute(&self.client, request, info.operation_id)
    }
}
