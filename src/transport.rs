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
    base: OnceLock<(String, Url)>,
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

    /// `base_url` parsed: once per transport, then cloned (a clone is one copy of the text,
    /// where a parse validates the scheme and host again). A transport shared by clients with
    /// different base URLs parses the others every time.
    pub(crate) fn base_url(&self, base_url: &str) -> Result<Url, String> {
        if let Some((text, url)) = self.base.get()
            && text == base_url
        {
            return Ok(url.clone());
        }
        let url = Url::parse(base_url)
            .map_err(|e| format!("the base URL {base_url:?} is not a valid URL: {e}"))?;
        let _ = self.base.set((base_url.to_owned(), url.clone()));
        Ok(url)
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
