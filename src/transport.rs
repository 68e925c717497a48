//! The hook through which every generated operation sends its request.
//!
//! The generated [`Client`](crate::Client) carries a [`Transport`]. By default it sends each request
//! once with the client's `reqwest::Client`. The facade installs an [`Execute`] implementation that
//! adds retries, deadlines and tracing, so all 40 operations share one policy.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use reqwest::Url;

/// A boxed, sendable future of a response.
pub type ResponseFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one operation's request, possibly several times.
pub trait Execute: Send + Sync + 'static {
    /// Sends `request` (for the operation named `operation_id`) with `client`.
    ///
    /// Work that does not wait may happen in the call itself, before the future is polled: the
    /// facade's policy sets its headers, opens the tracing span and starts `reqwest`'s request
    /// timeout there, so its future holds only what crosses a wait.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ResponseFuture<'a>;
}

/// What the generated client uses to send requests: the plain client, or an [`Execute`] policy.
#[derive(Clone, Default)]
pub struct Transport {
    executor: Option<Arc<dyn Execute>>,
    /// The client's base URL as text and parsed, so that requests do not parse it again.
    base: OnceLock<(String, RoomyBase)>,
}

impl Transport {
    /// Sends each request once, as `reqwest` does.
    pub fn direct() -> Self {
        Self::default()
    }

    /// Sends each request through `executor`.
    pub fn with_executor(executor: Arc<dyn Execute>) -> Self {
        Self {
            executor: Some(executor),
            base: OnceLock::new(),
        }
    }

    /// `base_url` parsed once per transport, as a copy ready for a request's path: see
    /// [`RoomyBase`]. A transport shared by clients with different base URLs parses the others
    /// every time.
    pub(crate) fn base_url(&self, base_url: &str) -> Result<RoomyBase, String> {
        if let Some((text, base)) = self.base.get()
            && text == base_url
        {
            return Ok(base.clone());
        }
        let url = Url::parse(base_url)
            .map_err(|e| format!("the base URL {base_url:?} is not a valid URL: {e}"))?;
        let base = RoomyBase::new(url);
        let _ = self.base.set((base_url.to_owned(), base.clone()));
        Ok(base)
    }

    /// Sends `request` for `operation_id`.
    pub fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ResponseFuture<'a> {
        match &self.executor {
            Some(executor) => executor.execute(client, request, operation_id),
            None => Box::pin(client.execute(request)),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.executor.is_some() {
            "Transport(policy)"
        } else {
            "Transport(direct)"
        })
    }
}

/// A base URL whose text carries room for a request's path.
///
/// Pushing a path onto a plain copy of the base URL grows its text several times (a copy is
/// exactly as long as the original), and under concurrent load every reallocation is a chance
/// to wait on the allocator's lock. This copy ends in one placeholder segment of
/// [`ROOM`](Self::ROOM) bytes: a clone of it is allocated once at a size that holds the
/// request's path, and [`into_path`](Self::into_path) drops the placeholder before the path is
/// pushed. A URL that cannot take a path segment (not a base) is kept as it is.
#[derive(Clone, Debug)]
pub(crate) struct RoomyBase {
    url: Url,
    padded: bool,
}

impl RoomyBase {
    /// Bytes of room: more than the longest path of the API with its query.
    const ROOM: usize = 192;

    fn new(mut url: Url) -> Self {
        // An empty path (possible with a scheme `url` does not know) is left as it is: a segment
        // pushed and popped would leave a `/` behind.
        let padded = match (url.path().is_empty(), url.path_segments_mut()) {
            (false, Ok(mut path)) => {
                path.push(&"_".repeat(Self::ROOM));
                true
            }
            _ => false,
        };
        Self { url, padded }
    }

    /// The base URL exactly as parsed, its text holding room for a path: popping the
    /// placeholder restores the path it was pushed onto.
    pub(crate) fn into_path(self) -> Url {
        let mut url = self.url;
        if self.padded
            && let Ok(mut path) = url.path_segments_mut()
        {
            path.pop();
        }
        url
    }
}
