#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "upload")]
mod archive;
mod client;
mod config;
mod deletion;
pub mod deploy;
mod deployments;
mod error;
mod listeners;
mod logs;
mod pagination;
mod policy;
mod poll;
pub mod prelude;
mod revisions;
mod transport;
mod waiting;

#[cfg(feature = "upload")]
#[cfg_attr(docsrs, doc(cfg(feature = "upload")))]
pub use archive::{
    MAX_ARCHIVE_BYTES, MAX_IGNORE_FILE_BYTES, MAX_UNCOMPRESSED_BYTES, SourceArchive, UploadOptions,
    archive, archive_cancellable, archive_off_thread,
};
pub use client::{Client, ClientBuilder};
pub use config::{ApiKey, BaseUrlSource, Region, Settings};
pub use deletion::{
    DeleteOutcome, DeleteResult, GoneOutcome, MAX_IDS_PER_DELETE, is_being_deleted,
};
pub use deployments::{Deployments, ListDeployments};
pub use error::{
    ApiError, ConfigError, Error, ErrorBody, InputError, Oversized, RequestLine, TransportErrorKind,
};
/// A `reqwest::ClientBuilder` with this crate's TLS backend ready, for [`ClientBuilder::http_client`].
pub use langsmith_control_plane_api::http::http_client_builder;
pub use listeners::{ListListeners, Listeners};
pub use logs::{ListLogs, LogEntry};
/// For the fuzz targets only (`cargo fuzz` sets `--cfg fuzzing`); not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub use policy::parse_retry_after;
pub use policy::{Backoff, RetryPolicy};
pub use revisions::{ListRevisions, Revisions};
/// Deployment and revision IDs (the `uuid` crate's type, so no dependency on it is needed).
#[doc(no_inline)]
pub use uuid::Uuid;
pub use waiting::{RevisionOutcome, WaitEvent, WaitOptions};

/// The API's types: requests, responses, and open enums (unknown values decode as `Unrecognized`).
///
/// To create a deployment, start from a constructor per source:
/// [`DeploymentCreateRequest::github`](types::DeploymentCreateRequest::github),
/// [`image`](types::DeploymentCreateRequest::image) or
/// [`internal_source`](types::DeploymentCreateRequest::internal_source). The `builder` module
/// holds progenitor's builders, which check required fields only at run time. Secret values,
/// client secrets, tokens and signed URLs are [`Sensitive`](types::Sensitive): their `Debug`
/// shows `[redacted]`.
pub mod types {
    #[doc(inline)]
    pub use langsmith_control_plane_api::RevisionPhase;
    #[doc(inline)]
    pub use langsmith_control_plane_api::Sensitive;
    #[doc(inline)]
    pub use langsmith_control_plane_api::open_enums::*;
    #[doc(inline)]
    pub use langsmith_control_plane_api::types::*;
}

/// The generated bindings, for operations without a shortcut here (use with [`Client::call`]).
pub mod generated {
    #[doc(inline)]
    pub use langsmith_control_plane_api::{Client, ResponseValue, builder};
}
