//! The hook through which every generated operation sends its request.
//!
//! The generated [`Client`](crate::Client) carries a [`Transport`]. By default it sends each request
//! once with the client's `reqwest::Client`. The facade installs an [`Execute`] implementation that
//! adds headers, retries, timeouts and tracing, so all operations share one policy.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

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
#[derive(Clone)]
pub struct Transport {
    executor: Option<Arc<dyn Execute>>,
}

impl Transport {
    /// Sends each request once, as `reqwest` does.
    pub fn direct() -> Self {
        crate::http::ensure_tls_ready();
        Self { executor: None }
    }

    /// Sends each request through `executor`.
    pub fn with_executor(executor: Arc<dyn Execute>) -> Self {
        crate::http::ensure_tls_ready();
        Self {
            executor: Some(executor),
        }
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

impl Default for Transport {
    fn default() -> Self {
        Self::direct()
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
