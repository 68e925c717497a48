//! Sends one call: the client's headers and timeout, the response size cap, a span per
//! attempt, and the retry loop. Installed into the generated client as its [`Execute`] hook.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use langsmith_control_plane_api::transport::{Execute, ResponseFuture};
use reqwest::header::HeaderMap;
use reqwest::{Method, Request, Response};
use tokio::time::Instant;
use tracing::Instrument;

use crate::config::Settings;
use crate::error::{RequestLine, TransportErrorKind};
use crate::policy::{Outcome, retry_after, retryable};

/// The longest `Retry-After` honoured by a policy without an overall deadline.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// What every call of one client shares.
pub(crate) struct Sender {
    pub settings: Settings,
    /// Set on every request: key, workspace, user agent.
    pub headers: HeaderMap,
}

/// What the transport saw of one call, for that call's error: the request, and the status of the
/// last response with the size of a body dropped for exceeding the cap.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub request: RequestLine,
    pub status: Option<u16>,
    pub oversized: Option<u64>,
    /// A retry followed an attempt that may have reached the server (anything but a failed
    /// connect), so the last response may be to a repeat of a request already carried out.
    pub repeated: bool,
}

/// The transport of one facade call: the client's [`Sender`], and the call's own [`Seen`],
/// which the facade reads when the call ends.
pub(crate) struct CallTransport {
    pub sender: Arc<Sender>,
    pub seen: Mutex<Seen>,
}

impl Execute for CallTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: Request,
        operation: &'static str,
    ) -> ResponseFuture<'a> {
        Box::pin(self.sender.send(client, request, operation, &self.seen))
    }
}

fn note(seen: &Mutex<Seen>, change: impl FnOnce(&mut Seen)) {
    change(&mut seen.lock().unwrap_or_else(PoisonError::into_inner));
}

impl Sender {
    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
        seen: &Mutex<Seen>,
    ) -> reqwest::Result<Response> {
        for (name, value) in &self.headers {
            request.headers_mut().insert(name, value.clone());
        }
        let method = request.method().clone();
        let path = request.url().path().to_owned();
        note(seen, |seen| {
            seen.request = RequestLine::new(method.as_str(), &path)
        });
        let retry = &self.settings.retry;
        let deadline = Instant::now().checked_add(retry.deadline().unwrap_or(LONGEST_RETRY_AFTER));
        let mut attempt = 1;
        loop {
            // The attempt's locals end with this block, so they take no room while waiting.
            let (wait, next) = {
                // Boxed: the copy waits out the attempt, and inline it would double the request's
                // room in every call's future.
                let spare = (attempt <= retry.retries())
                    .then(|| request.try_clone().map(Box::new))
                    .flatten();
                let span = tracing::info_span!(
                    "control_plane.request",
                    operation,
                    method = %method,
                    path = %path,
                    attempt,
                    status = tracing::field::Empty,
                    latency_ms = tracing::field::Empty,
                );
                let started = Instant::now();
                let limit = self.settings.max_response_bytes;
                let mut attempt_future =
                    std::pin::pin!(read_capped(client.execute(request), limit).instrument(span));
                let result = attempt_future.as_mut().await;
                let span = attempt_future.span();
                let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
                span.record("latency_ms", latency_ms);
                let result = match result {
                    Ok((response, oversized)) => {
                        let status = response.status().as_u16();
                        span.record("status", status);
                        note(seen, |seen| {
                            (seen.status, seen.oversized) = (Some(status), oversized)
                        });
                        span.in_scope(|| tracing::debug!(status, latency_ms, "response"));
                        Ok(response)
                    }
                    Err(error) => {
                        note(seen, |seen| (seen.status, seen.oversized) = (None, None));
                        span.in_scope(|| tracing::debug!(error = %error, latency_ms, "failed"));
                        Err(error)
                    }
                };
                let Some(next) = spare else {
                    return result;
                };
                let Some(wait) = self.retry_wait(&method, &result, attempt, deadline) else {
                    return result;
                };
                let delivered = !matches!(&result, Err(e) if TransportErrorKind::of(e) == TransportErrorKind::Connect);
                note(seen, |seen| seen.repeated |= delivered);
                span.in_scope(|| tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying"));
                (wait, next)
            };
            // Boxed: retries are rare, and an inline timer would enlarge every call's future.
            Box::pin(tokio::time::sleep(wait)).await;
            request = *next;
            attempt += 1;
        }
    }

    /// The wait before another attempt, or `None` when `result` is final: not retryable, or the
    /// wait (backoff or `Retry-After`) would end past the deadline.
    fn retry_wait(
        &self,
        method: &Method,
        result: &reqwest::Result<Response>,
        attempt: u32,
        deadline: Option<Instant>,
    ) -> Option<Duration> {
        let (outcome, asked) = match result {
            Ok(response) => (
                Outcome::Status(response.status().as_u16()),
                retry_after(response.headers()),
            ),
            Err(error) => (Outcome::Transport(TransportErrorKind::of(error)), None),
        };
        if !retryable(method.as_str(), outcome) {
            return None;
        }
        let wait = asked.unwrap_or_else(|| self.settings.retry.delay(attempt));
        let left = deadline.map_or(Duration::ZERO, |d| {
            d.saturating_duration_since(Instant::now())
        });
        if wait > left {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "not retrying: the wait would pass the deadline"
            );
            return None;
        }
        Some(wait)
    }
}

/// Awaits the response and reads its body whole, so that a connection breaking mid-body is
/// retried like one breaking earlier. A body over `limit` bytes (declared or delivered) is
/// dropped: the response comes back empty with the size that passed the limit.
async fn read_capped(
    response: impl Future<Output = reqwest::Result<Response>>,
    limit: u64,
) -> reqwest::Result<(Response, Option<u64>)> {
    use reqwest::ResponseBuilderExt;
    let mut response = response.await?;
    let mut body = Vec::new();
    let mut oversized = response.content_length().filter(|&length| length > limit);
    while oversized.is_none() {
        // `chunk()` does not name the URL in its errors as the response's other readers do.
        let chunk = response.chunk().await;
        let Some(chunk) = chunk.map_err(|e| e.with_url(response.url().clone()))? else {
            break;
        };
        let size = body.len() as u64 + chunk.len() as u64;
        if size > limit {
            oversized = Some(size);
            body = Vec::new();
        } else {
            body.extend_from_slice(&chunk);
        }
    }
    let mut rebuilt = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone())
        .body(body)
        .expect("parts taken from a valid response");
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    Ok((Response::from(rebuilt), oversized))
}

#[cfg(test)]
mod tests {
    /// The transport's future is boxed once per call; within 1 KiB it stays in the allocator's
    /// per-thread cache (BENCHMARKS.md section 1b has why that matters under load).
    #[test]
    fn the_boxed_transport_future_stays_within_a_kibibyte() {
        let client = crate::Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let sender = super::Sender {
            settings: client.settings().clone(),
            headers: Default::default(),
        };
        let http = reqwest::Client::new();
        let seen = std::sync::Mutex::default();
        let url = "http://127.0.0.1:9/".parse().unwrap();
        let request = reqwest::Request::new(reqwest::Method::GET, url);
        let future = sender.send(&http, request, "get_revision", &seen);
        assert!(
            std::mem::size_of_val(&future) <= 1024,
            "{}",
            std::mem::size_of_val(&future)
        );
    }
}
