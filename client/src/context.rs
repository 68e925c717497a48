//! What the transport learned about the request of the call in progress, for error messages.
//!
//! The generated client's errors do not say which request failed, and a documented error status
//! can arrive with a body that does not decode. Each facade call runs inside a task-local scope;
//! the transport writes the method, path and last status into it.

use std::sync::{Arc, Mutex, PoisonError};

use crate::error::RequestLine;

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// Per-call record shared between the caller and the transport.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestContext(Arc<Mutex<Recorded>>);

#[derive(Debug, Default)]
struct Recorded {
    request: RequestLine,
    status: Option<u16>,
    oversized: Option<u64>,
}

impl RequestContext {
    /// Runs `future` with this context visible to the transport.
    pub(crate) async fn scope<F: Future>(&self, future: F) -> F::Output {
        CURRENT.scope(self.clone(), future).await
    }

    pub(crate) fn request_line(&self) -> RequestLine {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .request
            .clone()
    }

    pub(crate) fn status(&self) -> Option<u16> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).status
    }

    /// Size of a body dropped for exceeding the response size limit.
    pub(crate) fn oversized(&self) -> Option<u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .oversized
    }

    /// Called by the transport when it drops a body over the size limit.
    pub(crate) fn record_oversized(size: u64) {
        let _ = CURRENT.try_with(|context| {
            context
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .oversized = Some(size);
        });
    }

    /// Called by the transport; a no-op outside a facade call.
    pub(crate) fn record_request(method: &str, path: &str) {
        let _ = CURRENT.try_with(|context| {
            let mut recorded = context.0.lock().unwrap_or_else(PoisonError::into_inner);
            recorded.request = RequestLine {
                method: method.to_string(),
                path: path.to_string(),
            };
        });
    }

    /// Called by the transport before each attempt: what an earlier attempt recorded (an
    /// oversized body, a status) says nothing about this one.
    pub(crate) fn record_attempt_start() {
        let _ = CURRENT.try_with(|context| {
            let mut recorded = context.0.lock().unwrap_or_else(PoisonError::into_inner);
            recorded.status = None;
            recorded.oversized = None;
        });
    }

    /// Called by the transport after each attempt with the answer's status, if any.
    pub(crate) fn record_attempt(status: Option<u16>) {
        let _ = CURRENT.try_with(|context| {
            let mut recorded = context.0.lock().unwrap_or_else(PoisonError::into_inner);
            recorded.status = status;
        });
    }
}
