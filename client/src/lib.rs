#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod context;
mod deployments;
mod error;
mod listeners;
mod logs;
mod pagination;
mod retry;
mod revisions;
mod waiting;

pub use client::{Client, ClientBuilder, ErrorBody};
pub use config::{ApiKey, BaseUrlSource, EU_BASE_URL, Region, Settings, US_BASE_URL};
pub use deployments::{Deployments, ListDeployments};
pub use error::{
    ApiError, BODY_EXCERPT_LIMIT, ConfigError, Error, RequestLine, TransportErrorKind,
};
/// A `reqwest::ClientBuilder` with this crate's TLS backend ready, for [`ClientBuilder::http_client`].
pub use langsmith_control_plane_api::http::http_client_builder;
pub use listeners::{ListListeners, Listeners};
pub use logs::{ListLogs, LogEntry, MAX_LOG_PAGE_SIZE};
pub use pagination::MAX_PAGE_SIZE;
pub use retry::RetryPolicy;
pub use revisions::{ListRevisions, Revisions};
pub use waiting::{RevisionOutcome, WaitEvent, WaitOptions};

/// The API's types: requests, responses, and open enums (unknown values decode as `Unrecognized`).
pub mod types {
    #[doc(inline)]
    pub use langsmith_control_plane_api::RevisionPhase;
    #[doc(inline)]
    pub use langsmith_control_plane_api::open_enums::*;
    #[doc(inline)]
    pub use langsmith_control_plane_api::types::*;
}

/// The generated bindings, for operations without a shortcut here (use with [`Client::api`]).
pub mod generated {
    #[doc(inline)]
    pub use langsmith_control_plane_api::{Client, ResponseValue, builder};
}
