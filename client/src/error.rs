//! The one error type of the crate, and its conversion from the generated client's error.

use std::fmt;
use std::time::Duration;

use langsmith_control_plane_api::types::{ApiErrorBody, ApiErrorDetail, ValidationError};
use progenitor_client::ResponseValue;

use crate::policy::{Outcome, retry_after, retryable};
use crate::transport::Seen;

/// How the message of an [`Error::Decode`] for a body over the size limit begins.
const OVERSIZED: &str = "the response body ";

/// The message of an [`Error::Decode`] whose body did not decode; the JSON error is its source.
pub(crate) const NOT_AS_DESCRIBED: &str = "not the JSON the API describes";

/// Longest stretch of an undecodable body kept in an error.
const BODY_EXCERPT_LIMIT: usize = 4096;

/// A setting that cannot be used, found while building a client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {setting}: {message}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The setting, e.g. `api key`, `workspace id`, `base url`, or an environment variable name.
    pub setting: &'static str,
    /// What is wrong with it.
    pub message: String,
    hint: Option<&'static str>,
}

impl ConfigError {
    pub(crate) fn new(setting: &'static str, message: impl Into<String>) -> Self {
        Self {
            setting,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error, with what to do about it.
    pub(crate) fn with_hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// What to do about it, when the crate knows (e.g. where a missing API key can come from).
    /// Never part of the message, so that it is said once.
    pub fn hint(&self) -> Option<&'static str> {
        self.hint
    }
}

/// An argument or local input that cannot be used, found before anything was sent: what is
/// wrong (the message, which is the `Display`), and what to do about it when the crate knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct InputError {
    /// What is wrong, e.g. `page size 500 is out of bounds (1 to 100)`.
    pub message: String,
    hint: Option<&'static str>,
}

impl InputError {
    /// The same error, with what to do about it.
    pub(crate) fn with_hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// What to do about it, when the crate knows. Never part of the message.
    pub fn hint(&self) -> Option<&'static str> {
        self.hint
    }
}

impl From<String> for InputError {
    fn from(message: String) -> Self {
        Self {
            message,
            hint: None,
        }
    }
}

impl From<&str> for InputError {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

/// What of a source directory went over a size cap.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Oversized {
    /// One file, by its name in the archive, over the cap on the source's uncompressed size.
    File(String),
    /// The files to archive, added up, over the cap on the source's uncompressed size.
    Files,
    /// The compressed archive, over what an upload takes; it stopped growing at the cap.
    Archive,
}

/// The request an error belongs to: method and path (never the query, never headers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLine {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// URL path including any base-URL prefix, e.g. `/v2/deployments/{id}`; for a paging error,
    /// the operation's path as the document names it.
    pub path: String,
}

impl RequestLine {
    pub(crate) fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
        }
    }
}

impl fmt::Display for RequestLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.method.is_empty() {
            f.write_str("request")
        } else {
            write!(f, "{} {}", self.method, self.path)
        }
    }
}

/// An error response from the service (any 4xx or 5xx), with what it said.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The request that got this response.
    pub request: RequestLine,
    /// HTTP status.
    pub status: u16,
    /// The `detail` text of a FastAPI error body, when it had one.
    pub detail: Option<String>,
    /// The validation problems of a 422 response.
    pub validation: Vec<ValidationError>,
    /// The body, cut to 4 KiB, when it was not a FastAPI error body.
    pub body: Option<String>,
    /// The wait the service asked for with `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.request, status_text(self.status))?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if !self.validation.is_empty() {
            let items: Vec<String> = self.validation.iter().map(describe_validation).collect();
            write!(f, ": {}", items.join("; "))?;
        }
        if let (None, true, Some(body)) = (&self.detail, self.validation.is_empty(), &self.body) {
            let body = body.trim();
            if !body.is_empty() {
                write!(f, ": {}", one_line(body, 200))?;
            }
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs_f64())?;
        }
        Ok(())
    }
}

impl ApiError {
    /// What to do about a 403 the service explains: an organization key without a workspace,
    /// or a workspace without deployments. Not part of the message; [`Error::hint`] gives it.
    pub fn hint(&self) -> Option<&'static str> {
        let detail = self.detail.as_deref().filter(|_| self.status == 403)?;
        if detail.contains("requires workspace specification") {
            Some(
                "set LANGSMITH_WORKSPACE_ID (or the client's workspace id) to the workspace to act in",
            )
        } else if detail.contains("not enabled") {
            Some("deployments are not enabled for this workspace")
        } else {
            None
        }
    }
}

/// How a request failed to get a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, DNS, TLS handshake): the request was never sent.
    Connect,
    /// The attempt took longer than the request timeout.
    Timeout,
    /// The connection broke while sending the request or reading the response.
    Connection,
    /// The response's body could not be read to the end.
    Body,
    /// Anything else reqwest reported.
    Other,
}

impl TransportErrorKind {
    /// What kind of failure `error` is. A connect timeout counts as `Connect`: nothing was sent.
    pub(crate) fn of(error: &reqwest::Error) -> Self {
        if error.is_connect() {
            Self::Connect
        } else if error.is_timeout() {
            Self::Timeout
        } else if error.is_body() || error.is_decode() {
            Self::Body
        } else if error.is_request() {
            Self::Connection
        } else {
            Self::Other
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Connection => "connection failed",
            Self::Body => "could not read the response body",
            Self::Other => "request failed",
        })
    }
}

/// Everything that can go wrong talking to the Control Plane.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A client setting is invalid; raised while building the client, before any request.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// An argument cannot be sent (e.g. a page size out of bounds); nothing was sent. Its hint,
    /// when it has one, is the [`InputError`]'s.
    #[error("invalid input: {0}")]
    InvalidInput(InputError),

    /// No response arrived: connection refused or reset, timeout, unreadable body.
    #[error("{request}: {kind}")]
    Transport {
        /// The request.
        request: RequestLine,
        /// What went wrong.
        kind: TransportErrorKind,
        /// reqwest's error (its URL without the query), the cause of this one.
        #[source]
        source: reqwest::Error,
    },

    /// 401 or 403: the key is missing, wrong, or may not act here (organization keys need a workspace).
    #[error("{0}")]
    Unauthorized(Box<ApiError>),

    /// 404: no such deployment, revision or other resource in this workspace.
    #[error("{0}")]
    NotFound(Box<ApiError>),

    /// 409: a resource with the same identity exists.
    #[error("{0}")]
    Conflict(Box<ApiError>),

    /// 422: the service rejected the request's values; see [`ApiError::validation`].
    #[error("{0}")]
    Validation(Box<ApiError>),

    /// 429: too many requests; see [`ApiError::retry_after`].
    #[error("{0}")]
    RateLimited(Box<ApiError>),

    /// 5xx: the service (or a proxy before it) failed.
    #[error("{0}")]
    Server(Box<ApiError>),

    /// Any other 4xx, such as 400 (the request cannot be carried out as asked).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// A response arrived but its body was not what the API describes, or was too large.
    #[error(
        "{request}: {status}: response body could not be decoded ({message}){}",
        excerpt_suffix(body_excerpt)
    )]
    Decode {
        /// The request.
        request: RequestLine,
        /// HTTP status of the response.
        status: u16,
        /// What did not decode, in a fixed phrase (the JSON error itself is the `source`).
        message: String,
        /// The body, cut to 4 KiB.
        body_excerpt: String,
        /// The JSON error, when the body was read but did not decode.
        #[source]
        source: Option<serde_json::Error>,
    },

    /// The service responded with a redirect, which is never followed (the key must not travel elsewhere).
    #[error(
        "{request}: {status}: redirect to {target} refused (the API key is never sent to another address)"
    )]
    RedirectRefused {
        /// The request.
        request: RequestLine,
        /// HTTP status (301, 302, 307, ...).
        status: u16,
        /// Origin of the `Location` target (scheme, host, port), or `an unnamed location`.
        target: String,
    },

    /// Uploading a source archive to its signed URL failed (the URL itself is never shown).
    #[error("upload to {host} failed: {message}")]
    Upload {
        /// Host of the upload URL.
        host: String,
        /// What went wrong: the status and an excerpt of the response, a refusal of the URL, or
        /// a fixed phrase whose cause is the `source`.
        message: String,
        /// The transport error (reqwest's, without the URL) or the I/O error reading the archive.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
        /// What to do about it, when known (how to let a refused URL through); [`Error::hint`]
        /// gives it. Never part of the message.
        hint: Option<&'static str>,
    },

    /// A local file or directory could not be read or written (while archiving a source
    /// directory, or the archive's temporary file); nothing was sent for it.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done, e.g. `read` or `create a temporary file in`.
        action: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A deploy's [`timeout`](crate::deploy::Deploy::timeout) passed before its revision started.
    /// What was already sent stands: the deployment may have been created, the archive uploaded.
    #[error("the deploy timed out after {} s while {step}; what was already sent stands", after.as_secs_f64())]
    DeployTimedOut {
        /// The deploy's timeout.
        after: Duration,
        /// What the deploy was doing, e.g. `uploading the archive`.
        step: String,
    },

    /// The caller cancelled the work (for example a source archive being built) before anything
    /// was sent; not retryable.
    #[error("cancelled before anything was sent")]
    Cancelled,

    /// Two or more deployments of the workspace have the name asked for, so the name alone does
    /// not say which is meant (from [`Deployments::find_by_name`](crate::Deployments::find_by_name),
    /// a deploy by name, a plan). Nothing was changed; not retryable; [`Error::hint`] says what
    /// to do.
    #[error(
        "{} deployments are named {name:?}: {}; the name alone cannot tell which is meant",
        .ids.len(),
        list_ids(.ids)
    )]
    AmbiguousName {
        /// The name.
        name: String,
        /// The deployments that have it, in the order listed.
        ids: Vec<uuid::Uuid>,
    },

    /// A source directory too large to ship: a file, or all of them, over the cap on the
    /// uncompressed size, or the archive over what an upload takes. Found while archiving,
    /// before anything was sent; the hint says to leave out what need not ship.
    #[error("{}", too_large(what, *size, *limit))]
    SourceTooLarge {
        /// What is over the cap.
        what: Oversized,
        /// Its size in bytes (for [`Oversized::Archive`], what was written when it stopped).
        size: u64,
        /// The cap in bytes.
        limit: u64,
    },

    /// The config file to archive with a source directory is not there: `config` is relative
    /// to `dir`. Nothing was written or sent.
    #[error("the config file {} is not in the source directory {}", config.display(), dir.display())]
    ConfigNotInSource {
        /// The config file, as given (relative to `dir`).
        config: std::path::PathBuf,
        /// The source directory.
        dir: std::path::PathBuf,
    },

    /// A file of a source directory shrank while it was archived, so the archive cannot hold
    /// it as it was first seen; nothing was sent. Archiving again may succeed.
    #[error("{name} shrank while being read ({read} of {expected} bytes were there)")]
    SourceFileShrank {
        /// The file, by its name in the archive.
        name: String,
        /// The bytes there were to read.
        read: u64,
        /// The size the file had when the source directory was walked.
        expected: u64,
    },

    /// A deploy names secrets the service sets itself (such as `LANGSMITH_API_KEY`); found
    /// before anything was sent. Not retryable; [`Error::hint`] says what to do.
    #[error("the service sets {} itself; reserved names: {}", .names.join(", "), .reserved.join(", "))]
    ReservedSecretNames {
        /// The secrets given whose names are reserved, in the order given.
        names: Vec<String>,
        /// Every name reserved for the deploy's host.
        reserved: Vec<&'static str>,
    },

    /// A deploy of a git reference to a name no deployment has, without the repository URL
    /// that creating the deployment takes ([`Source::GitRef`](crate::deploy::Source::GitRef)'s
    /// `repo_url`). The deployment was looked up, nothing was changed; [`Error::hint`] says what
    /// to do.
    #[error("no deployment is named {name:?}; creating it needs the repository URL")]
    CreateNeedsRepoUrl {
        /// The name no deployment has.
        name: String,
    },

    /// A paged listing misbehaved (for example a server that ignores the offset).
    #[error("{request}: pagination stopped: {message}")]
    Pagination {
        /// The request.
        request: RequestLine,
        /// What was wrong.
        message: String,
    },
}

impl Error {
    /// What to do about this error, when the crate knows: a setting's or an input's own hint
    /// ([`ConfigError::hint`], [`InputError::hint`]), a 403 the service explains
    /// ([`ApiError::hint`]), a source too large or its config missing, a name two deployments
    /// share, reserved secret names, a new deployment without its repository URL. Never part of the message, so that it is said once.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Config(config) => config.hint(),
            Error::InvalidInput(input) => input.hint(),
            Error::Unauthorized(api) => api.hint(),
            Error::Upload { hint, .. } => *hint,
            Error::SourceTooLarge {
                what: Oversized::File(_),
                ..
            } => Some("add it to .gitignore or .dockerignore"),
            Error::SourceTooLarge { .. } => {
                Some("add what need not ship to .gitignore or .dockerignore")
            }
            Error::ConfigNotInSource { .. } => {
                Some("give the config file's path relative to the source directory")
            }
            Error::SourceFileShrank { .. } => {
                Some("archive the directory again once nothing is writing to the file")
            }
            Error::ReservedSecretNames { .. } => Some("leave them out of the deploy's secrets"),
            Error::CreateNeedsRepoUrl { .. } => Some(
                "give the git source its repository URL (and integration ID) to create the \
                 deployment, or deploy to an existing one",
            ),
            Error::AmbiguousName { .. } => Some(
                "rename or delete all but one of them, or name the deployment by its ID where \
                 that is possible",
            ),
            _ => None,
        }
    }

    /// HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } | Error::RedirectRefused { status, .. } => Some(*status),
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The API error, for errors that are responses from the service.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Unauthorized(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::Validation(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed, by the rule the retry loop
    /// follows: connection failures, and for requests safe to repeat, timeouts, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { request, kind, .. } => {
                retryable(&request.method, Outcome::Transport(*kind))
            }
            Error::Decode {
                request, status, ..
            } => retryable(&request.method, Outcome::Status(*status)),
            other => other
                .api_error()
                .is_some_and(|e| retryable(&e.request.method, Outcome::Status(e.status))),
        }
    }

    /// Whether this is a response whose body was over the client's size limit (and was not read).
    pub(crate) fn is_oversized_body(&self) -> bool {
        matches!(self, Error::Decode { message, source: None, .. } if message.starts_with(OVERSIZED))
    }

    /// An error response, classified by status, with what its FastAPI error body said, or
    /// else the body itself cut short (a proxy's page).
    fn from_api(
        request: RequestLine,
        status: u16,
        body: Result<ApiErrorBody, &[u8]>,
        retry_after: Option<Duration>,
    ) -> Self {
        let (detail, validation, body) = match body.map(|body| body.detail) {
            Ok(ApiErrorDetail::String(text)) => (Some(text), Vec::new(), None),
            Ok(ApiErrorDetail::Array(items)) => (None, items, None),
            Err(bytes) => (None, Vec::new(), Some(excerpt(bytes))),
        };
        let error = Box::new(ApiError {
            request,
            status,
            detail,
            validation,
            body,
            retry_after,
        });
        match status {
            401 | 403 => Error::Unauthorized(error),
            404 => Error::NotFound(error),
            409 => Error::Conflict(error),
            422 => Error::Validation(error),
            429 => Error::RateLimited(error),
            500..=599 => Error::Server(error),
            _ => Error::Api(error),
        }
    }

    /// An error response of `status` whose FastAPI `detail` said `detail` (as one item of a
    /// multi-status answer says why it was refused).
    pub(crate) fn refused(request: RequestLine, status: u16, detail: String) -> Self {
        let body = ApiErrorBody {
            detail: ApiErrorDetail::String(detail),
        };
        Error::from_api(request, status, Ok(body), None)
    }

    pub(crate) fn transport(request: RequestLine, mut source: reqwest::Error) -> Self {
        // A query can name private things (a name filter); errors never carry one.
        if let Some(url) = source.url_mut() {
            url.set_query(None);
        }
        Error::Transport {
            request,
            kind: TransportErrorKind::of(&source),
            source,
        }
    }

    /// The result of a generated operation, with what the transport saw of the call.
    pub(crate) async fn from_call<T, E: ErrorBody>(
        result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
        seen: Seen,
        limit: u64,
    ) -> Result<T, Self> {
        use progenitor_client::Error as E;
        let Seen {
            request,
            status,
            oversized,
            ..
        } = seen;
        if let Some(size) = oversized {
            return Err(Error::Decode {
                request,
                status: status.unwrap_or(0),
                message: format!(
                    "{OVERSIZED}({size} bytes or more) exceeds the limit of {limit} bytes"
                ),
                body_excerpt: String::new(),
                source: None,
            });
        }
        let error = match result {
            Ok(value) => return Ok(value.into_inner()),
            Err(error) => error,
        };
        Err(match error {
            E::InvalidRequest(message) | E::Custom(message) => Error::InvalidInput(message.into()),
            E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
                Error::transport(request, e)
            }
            E::ErrorResponse(value) => {
                let status = value.status().as_u16();
                let retry_after = retry_after(value.headers());
                match value.into_inner().into_api_error_body() {
                    Some(body) => Error::from_api(request, status, Ok(body), retry_after),
                    // Not reachable for `()` (an operation documenting no error), kept total anyway.
                    None => {
                        Error::InvalidInput(format!("undocumented error response {status}").into())
                    }
                }
            }
            E::InvalidResponsePayload(bytes, source) => match status.unwrap_or(200) {
                // A documented error status whose body is not a FastAPI error (a proxy's page):
                // still an error of that status, with the body kept.
                status @ 400.. => Error::from_api(request, status, Err(&bytes[..]), None),
                status => Error::Decode {
                    request,
                    status,
                    message: NOT_AS_DESCRIBED.into(),
                    body_excerpt: excerpt(&bytes),
                    source: Some(source),
                },
            },
            E::UnexpectedResponse(response) => Error::from_response(request, response).await,
        })
    }

    /// A response whose status the operation does not document.
    async fn from_response(request: RequestLine, response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            let target = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| response.url().join(location).ok())
                .map(|url| url.origin().ascii_serialization())
                .unwrap_or_else(|| "an unnamed location".to_string());
            return Error::RedirectRefused {
                request,
                status,
                target,
            };
        }
        let retry_after = retry_after(response.headers());
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return Error::transport(request, e),
        };
        if (200..300).contains(&status) {
            return Error::Decode {
                request,
                status,
                message: "the API does not document this success status for the operation".into(),
                body_excerpt: excerpt(&bytes),
                source: None,
            };
        }
        let body = serde_json::from_slice::<ApiErrorBody>(&bytes).map_err(|_| &bytes[..]);
        Error::from_api(request, status, body, retry_after)
    }
}

/// Error body types of generated operations: [`ApiErrorBody`], or `()` for operations that
/// document no error. Sealed: it exists only as a bound of [`Client::call`](crate::Client::call).
pub trait ErrorBody: sealed::Sealed {
    #[doc(hidden)]
    fn into_api_error_body(self) -> Option<ApiErrorBody>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ApiErrorBody {}
    impl Sealed for () {}
}

impl ErrorBody for ApiErrorBody {
    fn into_api_error_body(self) -> Option<ApiErrorBody> {
        Some(self)
    }
}

impl ErrorBody for () {
    fn into_api_error_body(self) -> Option<ApiErrorBody> {
        None
    }
}

pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(BODY_EXCERPT_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > BODY_EXCERPT_LIMIT {
        text.push_str(&format!("... ({} bytes in all)", bytes.len()));
    }
    text
}

/// The message of an [`Error::SourceTooLarge`].
fn too_large(what: &Oversized, size: u64, limit: u64) -> String {
    let gib = limit / (1024 * 1024 * 1024);
    match what {
        Oversized::File(name) => format!(
            "{name} is {size} bytes, over the {gib} GiB cap on the source's uncompressed size"
        ),
        Oversized::Files => format!(
            "the files to archive add up to {size} bytes, over the {gib} GiB cap on the \
             source's uncompressed size"
        ),
        Oversized::Archive => format!(
            "the source archive is over {} MiB ({size} bytes or more), more than an upload takes",
            limit / (1024 * 1024)
        ),
    }
}

/// `a, b and c`.
fn list_ids(ids: &[uuid::Uuid]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    match ids.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => ids.join(""),
    }
}

fn one_line(text: &str, limit: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}...", &flat[..cut]),
        None => flat,
    }
}

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status).map(|s| s.canonical_reason()) {
        Ok(Some(reason)) => format!("{status} {reason}"),
        _ => status.to_string(),
    }
}

fn describe_validation(item: &ValidationError) -> String {
    let location: Vec<String> = item
        .loc
        .iter()
        .map(|part| match serde_json::to_value(part) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => "?".into(),
        })
        .collect();
    format!("{}: {}", location.join("."), item.msg)
}

/// `: excerpt`, or nothing for an empty excerpt.
fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt}")
    }
}
