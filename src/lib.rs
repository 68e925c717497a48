//! Generated bindings for the LangSmith Deployment Control Plane API.
//!
//! `build.rs` runs [progenitor](https://docs.rs/progenitor) over the vendored document
//! `openapi/control-plane.json`. Most programs want the facade crate `langsmith-control-plane`,
//! which adds configuration, retries, typed errors, waiting and pagination on top of this one.
//!
//! What lives here besides the generated code is only what must sit next to it:
//! the open enums the generated types point at ([`open_enums`]), the request transport hook
//! ([`transport`]), the redacting string the generated types use for secret values and tokens
//! ([`Sensitive`]), helpers on [`RevisionStatus`](open_enums::RevisionStatus), constructors
//! of [`DeploymentCreateRequest`](types::DeploymentCreateRequest), and the document itself
//! ([`OPENAPI_DOCUMENT`]).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod http;
pub mod open_enums;
// Before `generated`: rustdoc lists impl blocks in the order it meets them, and these
// constructors should come before the generated `builder()`.
mod requests;
mod revision_status;
pub mod sensitive;
pub mod transport;

pub use revision_status::RevisionPhase;
pub use sensitive::Sensitive;

/// The OpenAPI document these bindings were generated from (`openapi/control-plane.json`), as
/// text: for tools that need what the types do not carry, such as the bounds and nullability of
/// each field (the mock Control Plane validates requests against it).
pub const OPENAPI_DOCUMENT: &str = include_str!("../openapi/control-plane.json");

mod generated {
    #![allow(missing_docs, unused_imports, clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

/// The path template of every operation, by operation ID.
pub mod operations {
    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

pub use generated::*;

impl progenitor_client::ClientHooks<transport::Transport> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // progenitor sends the document's version; the Control Plane has no such header.
        request.headers_mut().remove("api-version");
        check_path(request.url(), info.operation_id)
            .map_err(progenitor_client::Error::InvalidRequest)
    }

    fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        self.inner.execute(&self.client, request, info.operation_id)
    }
}

/// Refuses a request whose path no longer matches its operation's template: a path parameter
/// that was empty, `.` or `..` is encoded as is by progenitor and then removed or resolved by
/// the URL parser, which would address another resource (`DELETE /v2/auth/tokens/..`).
fn check_path(url: &reqwest::Url, operation_id: &str) -> Result<(), String> {
    let Some((_, template)) = operations::OPERATION_PATHS
        .iter()
        .find(|(id, _)| *id == operation_id)
    else {
        return Ok(());
    };
    // The template must match the end of the sent path (the base URL's own path comes before):
    // a segment removed or added by the URL parser shifts a literal or empties a parameter.
    let expected: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let mut sent: Vec<&str> = url.path().rsplit('/').take(expected.len()).collect();
    sent.reverse();
    let fits = sent.len() == expected.len()
        && expected
            .iter()
            .zip(sent)
            .all(|(expected, sent)| match expected.starts_with('{') {
                true => !sent.is_empty(),
                false => sent == *expected,
            });
    match fits {
        true => Ok(()),
        false => Err(format!(
            "a path parameter of {operation_id} ({template}) is empty, `.` or `..`, \
             which cannot be sent as a path segment"
        )),
    }
}
