//! The request policy every operation goes through: auth headers, timeouts, retries, tracing.

use std::time::Duration;

use langsmith_control_plane_api::transport::{Execute, ResponseFuture};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::config::{DEFAULT_USER_AGENT, Settings};
use crate::context::Recorded;
use crate::error::{ConfigError, retry_after};

/// When and how often a failed request is tried again.
///
/// Only requests that can safely be repeated are retried: GET and DELETE on connection errors,
/// timeouts, 429, 502, 503 and 504 (and 500 for GET). POST and PATCH are retried only when the
/// connection failed before the request was sent. `Retry-After` is honoured, but never past
/// [`max_elapsed`](Self::max_elapsed).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    jitter: bool,
    max_elapsed: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 3 retries, backoff from 250 ms doubling to at most 10 s with jitter, 60 s overall.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            multiplier: 2.0,
            jitter: true,
            max_elapsed: Some(Duration::from_secs(60)),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
    /// Retries after the first attempt (0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }
    /// Wait before the first retry (before jitter).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }
    /// Longest wait between attempts, unless `Retry-After` asks for more.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }
    /// Growth factor of the wait between attempts (at least 1).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.multiplier = factor;
        self
    }
    /// Randomize each wait between half and all of its value, so clients do not retry in step.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }
    /// Deadline for all attempts of one request together: no retry starts past it, waits included
    /// (the attempt itself is bounded by the request timeout).
    pub fn max_elapsed(mut self, deadline: Option<Duration>) -> Self {
        self.max_elapsed = deadline;
        self
    }
    /// Configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }
    /// Configured overall deadline.
    pub fn deadline(&self) -> Option<Duration> {
        self.max_elapsed
    }

    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if !(self.multiplier.is_finite() && self.multiplier >= 1.0) {
            return Err(ConfigError::new(
                "retry policy",
                "multiplier must be a finite number >= 1",
            ));
        }
        if self.initial_backoff > self.max_backoff {
            return Err(ConfigError::new(
                "retry policy",
                "initial backoff is longer than the maximum backoff",
            ));
        }
        Ok(())
    }

    /// The wait before retry number `retry` (1-based), without `Retry-After`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let base = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = base.min(self.max_backoff.as_secs_f64());
        let wait = if self.jitter {
            capped * (0.5 + fastrand::f64() * 0.5)
        } else {
            capped
        };
        Duration::from_secs_f64(wait)
    }
}

/// Whether a method may be sent twice without changing the outcome.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

fn retryable_status(method: &Method, status: StatusCode) -> bool {
    match status.as_u16() {
        429 | 502 | 503 | 504 => is_idempotent(method),
        500 => matches!(*method, Method::GET | Method::HEAD),
        _ => false,
    }
}

fn retryable_error(method: &Method, error: &reqwest::Error) -> bool {
    // A connect error means the request never left: safe for every method.
    // Reading the body here fails as a body or decode error when the connection breaks mid-body.
    error.is_connect()
        || (is_idempotent(method)
            && (error.is_timeout() || error.is_request() || error.is_body() || error.is_decode()))
}

/// Whether nobody will read this answer's headers: a success inside a facade call, which returns
/// the decoded body alone. Leaving them behind spares the generated code a copy of them.
fn headers_unread(response: &reqwest::Response) -> bool {
    response.status().is_success() && Recorded::in_facade_call()
}

/// Reads the body inside the retry loop, so a connection that breaks mid-body is retried like
/// one that breaks earlier (for requests that may be repeated). A body over `limit` bytes is
/// not kept: the answer comes back empty with the size seen, so a runaway proxy page cannot
/// exhaust memory.
async fn read_whole(
    response: &mut reqwest::Response,
    limit: u64,
) -> reqwest::Result<(reqwest::Response, Option<u64>)> {
    use reqwest::ResponseBuilderExt;
    let (body, oversized) = langsmith_control_plane_api::decode::read_body(response, limit).await?;
    // Built once the body is in (nothing of it is held while reading). The URL is kept for
    // redirect messages; the headers move over (no copy) when they matter.
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let (false, Some(headers)) = (headers_unread(response), builder.headers_mut()) {
        *headers = std::mem::take(response.headers_mut());
    }
    let response = builder
        .body(body)
        .expect("parts taken from a valid response");
    Ok((reqwest::Response::from(response), oversized))
}

/// The facade's [`Execute`] implementation, installed into the generated client.
pub(crate) struct RequestPolicy {
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Set on each request when the `reqwest::Client` was supplied by the caller; a client this
    /// crate builds carries the timeout itself, which spares every request an extension map.
    per_request_timeout: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: u64,
}

impl RequestPolicy {
    /// `own_client`: the `reqwest::Client` was built with `settings.request_timeout` as its timeout.
    pub(crate) fn new(settings: &Settings, own_client: bool) -> Self {
        let mut headers = vec![(
            HeaderName::from_static("x-api-key"),
            settings.api_key.header_value(),
        )];
        if let Some(workspace) = settings.workspace_id {
            let value = HeaderValue::from_str(&workspace.to_string())
                .expect("a UUID is a valid header value");
            headers.push((HeaderName::from_static("x-tenant-id"), value));
        }
        // Without a suffix the agent is a constant: a static value costs nothing to clone.
        let agent = if settings.user_agent == DEFAULT_USER_AGENT {
            HeaderValue::from_static(DEFAULT_USER_AGENT)
        } else {
            HeaderValue::from_str(&settings.user_agent).expect("checked: printable ASCII")
        };
        headers.push((reqwest::header::USER_AGENT, agent));
        Self {
            headers,
            per_request_timeout: (!own_client).then_some(settings.request_timeout),
            retry: settings.retry.clone(),
            max_response_bytes: settings.max_response_bytes,
        }
    }

    /// The request as every attempt sends it: the policy's headers, and the timeout when the
    /// `reqwest::Client` does not carry it.
    fn prepare(&self, request: &mut reqwest::Request) {
        for (name, value) in &self.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        if let Some(timeout) = self.per_request_timeout
            && request.timeout().is_none()
        {
            *request.timeout_mut() = Some(timeout);
        }
    }

    /// Sends attempt number `attempt` of `request`: its span, a copy of the request kept when a
    /// retry may follow, and the response future (`reqwest` builds it at once; it sends when
    /// polled). Nothing here waits, so the boxed future of [`run`](Self::run) never holds a
    /// whole request besides the copy.
    fn send<'a>(
        &self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
        attempt: u32,
    ) -> Attempt<impl Future<Output = reqwest::Result<reqwest::Response>> + use<'a>> {
        let spare = if attempt <= self.retry.max_retries {
            request.try_clone()
        } else {
            None
        };
        let span = tracing::info_span!(
            "control_plane.request",
            operation,
            method = %request.method(),
            path = %request.url().path(),
            attempt,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        Attempt {
            response: client.execute(request),
            spare,
            span,
            number: attempt,
        }
    }

    /// Awaits one attempt's answer; reads its body unless no retry can follow and its declared
    /// length is within the limit. Reports the attempt to the span and the call's record.
    async fn settle(
        &self,
        response: impl Future<Output = reqwest::Result<reqwest::Response>>,
        last_chance: bool,
        span: &tracing::Span,
    ) -> reqwest::Result<reqwest::Response> {
        // Latency is only reported to tracing: with nothing listening no clock is read.
        let sent_at =
            (!span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG)).then(Instant::now);
        let mut latency = None;
        let mut oversized = None;
        let result = async {
            let mut response = response.await?;
            latency = sent_at.map(|sent_at| sent_at.elapsed());
            // On an attempt no other can follow, a body whose length is declared within
            // the limit (the connection cannot deliver more) is left for the generated code
            // to read: reading it here would only mean rebuilding the response around it.
            if last_chance
                && response
                    .content_length()
                    .is_some_and(|length| length <= self.max_response_bytes)
            {
                if headers_unread(&response) {
                    *response.headers_mut() = reqwest::header::HeaderMap::new();
                }
                return Ok(response);
            }
            let (response, dropped) = read_whole(&mut response, self.max_response_bytes).await?;
            oversized = dropped;
            Ok(response)
        }
        .instrument(span.clone())
        .await;
        let status = result.as_ref().ok().map(|r| r.status());
        Recorded::record_attempt(status.map(|s| s.as_u16()), oversized);
        if let Some(sent_at) = sent_at {
            // Time until the answer's status and headers arrived (or the attempt failed).
            let latency = latency.unwrap_or_else(|| sent_at.elapsed());
            span.record("latency_ms", latency.as_secs_f64() * 1000.0);
            if let Some(status) = status {
                span.record("status", status.as_u16());
            }
            let latency_ms = latency.as_millis() as u64;
            span.in_scope(|| match &result {
                Ok(response) => {
                    tracing::debug!(status = response.status().as_u16(), latency_ms, "answered")
                }
                Err(error) => tracing::debug!(error = %error, latency_ms, "failed"),
            });
        }
        result
    }

    /// The wait before another attempt, or `None` when `result` is final.
    fn retry_wait(
        &self,
        method: &Method,
        result: &reqwest::Result<reqwest::Response>,
        attempt: u32,
        deadline: Option<Instant>,
        span: &tracing::Span,
    ) -> Option<Duration> {
        let wait = match result {
            Ok(response) if retryable_status(method, response.status()) => {
                retry_after(response.headers()).unwrap_or_else(|| self.retry.backoff(attempt))
            }
            Err(error) if retryable_error(method, error) => self.retry.backoff(attempt),
            _ => return None,
        };
        if deadline.is_some_and(|deadline| Instant::now() + wait > deadline) {
            span.in_scope(|| {
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "not retrying: the wait would pass the deadline"
                )
            });
            return None;
        }
        span.in_scope(|| match result {
            Ok(response) => tracing::debug!(
                status = response.status().as_u16(),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            ),
            Err(error) => {
                tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "retrying")
            }
        });
        Some(wait)
    }

    /// Sends `request` (prepared) and, as long as the policy allows, tries again. Everything
    /// that does not wait happens before the returned future exists, which holds only what
    /// crosses a wait: the copy for a retry, the span, and the attempt under way.
    fn run<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a {
        Recorded::record_request(request.method(), request.url().path());
        // The start is read only when a retry could follow and would have to respect a deadline.
        let deadline = match self.retry.max_elapsed {
            Some(limit) if self.retry.max_retries > 0 => Some(Instant::now() + limit),
            _ => None,
        };
        let Attempt {
            mut response,
            mut spare,
            mut span,
            mut number,
        } = self.send(client, request, operation, 1);
        async move {
            loop {
                let wait = {
                    let result = self.settle(response, spare.is_none(), &span).await;
                    // The copy exists exactly when a retry may follow; it knows the method.
                    let Some(method) = spare.as_ref().map(reqwest::Request::method) else {
                        return result;
                    };
                    match self.retry_wait(method, &result, number, deadline, &span) {
                        Some(wait) => wait,
                        None => return result,
                    }
                };
                // Boxed: retries are rare, and an inline timer would enlarge every call's future.
                Box::pin(tokio::time::sleep(wait)).await;
                response = {
                    let next = spare.take().expect("a retry has its copy");
                    let attempt = self.send(client, next, operation, number + 1);
                    (spare, span, number) = (attempt.spare, attempt.span, attempt.number);
                    attempt.response
                };
            }
        }
    }
}

/// One attempt under way: the answer to come, the copy for a retry, its span and number.
struct Attempt<F> {
    response: F,
    spare: Option<reqwest::Request>,
    span: tracing::Span,
    number: u32,
}

impl Execute for RequestPolicy {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> ResponseFuture<'a> {
        self.prepare(&mut request);
        Box::pin(self.run(client, request, operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Explicit, resolve};

    /// The transport's future is boxed once per call. Kept within 1 KiB, it stays in the sizes
    /// allocators serve from per-thread caches (glibc's tcache ends at 1,032 bytes); above that,
    /// every call takes an arena lock, which two workers then contend for. It was 2,152 bytes
    /// when it held the request, its copy and an inline retry timer all at once.
    #[test]
    fn the_boxed_transport_future_stays_small() {
        let explicit = Explicit {
            api_key: Some("lsv2_sk_size".into()),
            ..Explicit::default()
        };
        let settings = resolve(&explicit, &|_: &str| None).expect("settings");
        let policy = RequestPolicy::new(&settings, true);
        let client = langsmith_control_plane_api::http::http_client_builder()
            .build()
            .expect("a reqwest client");
        let request = reqwest::Request::new(Method::GET, "http://127.0.0.1:9/v2".parse().unwrap());
        let future = policy.run(&client, request, "get_revision");
        let size = std::mem::size_of_val(&future);
        assert!(size <= 1024, "the transport future takes {size} bytes");
    }
}
