//! When to try again and how long to wait: one backoff type and one retry classifier, shared by
//! the transport's retry loop, [`Error::is_retryable`](crate::Error::is_retryable) and waiting.

use std::time::Duration;

use crate::error::{ConfigError, TransportErrorKind};

/// Waits that start at `initial`, grow by `factor` per step up to `max`, and are each shortened
/// at random by up to `jitter` (a fraction from 0 to 1) so that many clients do not act in step.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
    pub(crate) factor: f64,
    pub(crate) jitter: f64,
}

impl Backoff {
    /// From `initial` doubling to `max`, without jitter.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            factor: 2.0,
            jitter: 0.0,
        }
    }

    /// Always `interval`, without jitter.
    pub fn fixed(interval: Duration) -> Self {
        Self::new(interval, interval).factor(1.0)
    }

    /// Growth factor per step (at least 1).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Largest random shortening of each wait, as a fraction of it (0 to 1).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction;
        self
    }

    /// The first wait, before jitter.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The longest wait, before jitter.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The wait before step `step` (0-based): `initial * factor^step`, at most `max`, jittered.
    pub fn delay(&self, step: u32) -> Duration {
        let exponent = i32::try_from(step).unwrap_or(i32::MAX);
        let grown = self.initial.as_secs_f64() * self.factor.powi(exponent);
        let wait = Duration::try_from_secs_f64(grown).map_or(self.max, |wait| wait.min(self.max));
        wait.mul_f64(1.0 - self.jitter * fastrand::f64())
    }

    pub(crate) fn check(&self, setting: &'static str) -> Result<(), ConfigError> {
        let problem = if !(self.factor.is_finite() && self.factor >= 1.0) {
            "the growth factor must be a finite number >= 1"
        } else if !(0.0..=1.0).contains(&self.jitter) {
            "the jitter must be a fraction from 0 to 1"
        } else if self.initial > self.max {
            "the first wait is longer than the longest wait"
        } else {
            return Ok(());
        };
        Err(ConfigError::new(setting, problem))
    }
}

/// When and how often a failed request is tried again.
///
/// Only requests that can safely be repeated are retried: any request whose connection failed,
/// and GET, HEAD, OPTIONS, PUT and DELETE after a timeout, a broken connection, 429, 502, 503 or
/// 504 (GET and HEAD after a 500 too). `Retry-After` is honoured, but never past
/// [`max_elapsed`](Self::max_elapsed).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    backoff: Backoff,
    max_elapsed: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 3 retries, backoff from 250 ms doubling to at most 10 s with jitter, 60 s overall.
    fn default() -> Self {
        Self {
            max_retries: 3,
            backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(10)).jitter(HALF),
            max_elapsed: Some(Duration::from_secs(60)),
        }
    }
}

/// The retry policy's jitter: each wait between half and all of its value.
const HALF: f64 = 0.5;

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self::default().max_retries(0)
    }
    /// Retries after the first attempt (0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }
    /// The waits between attempts.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }
    /// Wait before the first retry (before jitter).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.backoff.initial = wait;
        self
    }
    /// Longest wait between attempts, unless `Retry-After` asks for more.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.backoff.max = wait;
        self
    }
    /// Growth factor of the wait between attempts (at least 1).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.backoff.factor = factor;
        self
    }
    /// Randomize each wait between half and all of its value, so clients do not retry in step.
    pub fn jitter(mut self, on: bool) -> Self {
        self.backoff.jitter = if on { HALF } else { 0.0 };
        self
    }
    /// Deadline for all attempts of one request together: no retry starts past it, waits
    /// included (the attempt itself is bounded by the request timeout).
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
    /// The wait before retry number `retry` (1-based), without `Retry-After`.
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        self.backoff.delay(retry.saturating_sub(1))
    }
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        self.backoff.check("retry policy")
    }
}

/// What an attempt came to, as far as trying again is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outcome {
    /// A response with this status.
    Status(u16),
    /// No (whole) response.
    Transport(TransportErrorKind),
}

/// The one rule for trying a request again: any method when the connection could not be made
/// (nothing was sent); GET, HEAD, OPTIONS, PUT and DELETE after a timeout, a broken connection
/// or body, 429, 502, 503 or 504; and GET and HEAD after a 500.
pub(crate) fn retryable(method: &str, outcome: Outcome) -> bool {
    let idempotent = matches!(method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE");
    match outcome {
        Outcome::Transport(TransportErrorKind::Connect) => true,
        Outcome::Transport(
            TransportErrorKind::Timeout | TransportErrorKind::Connection | TransportErrorKind::Body,
        ) => idempotent,
        Outcome::Transport(_) => false,
        Outcome::Status(429 | 502 | 503 | 504) => idempotent,
        Outcome::Status(500) => matches!(method, "GET" | "HEAD"),
        Outcome::Status(_) => false,
    }
}

/// `Retry-After` as seconds (whole or not) or an HTTP date; `None` when absent or unreadable.
/// Any size is accepted here: callers cap it by their own deadline.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?)
}

/// The wait a `Retry-After` value asks for (exported only to the fuzz targets, under `cfg(fuzzing)`).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        // Past what a Duration holds is "longer than any deadline", not "no wait".
        return (seconds >= 0.0)
            .then(|| Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classifier_retries_only_what_is_safe_to_repeat() {
        use TransportErrorKind::*;
        assert!(retryable("POST", Outcome::Transport(Connect)));
        assert!(!retryable("POST", Outcome::Transport(Timeout)));
        assert!(!retryable("PATCH", Outcome::Status(503)));
        assert!(retryable("DELETE", Outcome::Status(503)));
        assert!(!retryable("DELETE", Outcome::Status(500)));
        assert!(retryable("GET", Outcome::Status(500)));
        assert!(!retryable("GET", Outcome::Status(501)));
        assert!(!retryable("GET", Outcome::Status(404)));
        assert!(retryable("GET", Outcome::Transport(Body)));
        assert!(!retryable("GET", Outcome::Transport(Other)));
    }

    #[test]
    fn backoff_grows_caps_and_survives_huge_steps() {
        let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let waits: Vec<u64> = (0..5).map(|n| backoff.delay(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 8]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(8));
        let jittered = backoff.clone().jitter(0.5);
        for step in 0..20 {
            let wait = jittered.delay(step);
            assert!(wait >= backoff.delay(step) / 2 && wait <= backoff.delay(step));
        }
    }

    #[test]
    fn retry_after_of_any_size_or_shape_parses_without_panicking() {
        let parse = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("retry-after", value.parse().unwrap());
            retry_after(&headers)
        };
        assert_eq!(parse("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse("-1"), None);
        assert_eq!(parse("1e300"), Some(Duration::MAX));
        assert_eq!(parse("18446744073709551616"), Some(Duration::MAX));
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse("soon"), None);
        assert!(parse("Fri, 31 Dec 9999 23:59:59 GMT").is_some());
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
    }
}
