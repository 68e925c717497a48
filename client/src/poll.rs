//! The one poll loop behind every wait (a revision until it settles, a deleted deployment until
//! it is gone): the pause between polls with any `Retry-After` the service asked for, a
//! deadline that also cuts a poll in flight, and which failed polls are worth another.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// Undecodable responses in a row that end a wait with [`Error::Decode`] (the ones before it are
/// ridden out as transient).
const GARBLED_POLLS_FATAL: u32 = 3;

/// What one poll came to.
pub(crate) enum Polled<T> {
    /// The poll answered.
    Got(T),
    /// The poll failed, but another may succeed: a retryable error (after the client's own
    /// retries), or one of a few undecodable bodies in a row (usually a proxy's hiccup).
    Transient(Error),
    /// The poll failed for good; the wait ends with this error.
    Failed(Error),
    /// The deadline passed, before the poll or while it was in flight.
    Deadline,
}

/// The state of one poll loop.
pub(crate) struct Poller {
    /// `None` when the timeout reaches past what the clock can count: no deadline.
    deadline: Option<Instant>,
    polls: u32,
    /// A `Retry-After` the service asked for, honoured by the next pause.
    min_wait: Duration,
    /// Undecodable responses in a row.
    garbled: u32,
}

impl Poller {
    /// A loop that ends `timeout` after `started`.
    pub(crate) fn new(started: Instant, timeout: Duration) -> Self {
        Self {
            deadline: started.checked_add(timeout),
            polls: 0,
            min_wait: Duration::ZERO,
            garbled: 0,
        }
    }

    /// Polls made so far.
    pub(crate) fn polls(&self) -> u32 {
        self.polls
    }

    /// Polls once with `poll`; from the second poll on, first pauses for `interval` (or the
    /// longer `Retry-After` the last failure asked for), never past the deadline.
    pub(crate) async fn poll<T>(
        &mut self,
        interval: Duration,
        poll: impl Future<Output = Result<T, Error>>,
    ) -> Polled<T> {
        if self.polls > 0 {
            let now = Instant::now();
            let left = self
                .deadline
                .map_or(Duration::MAX, |d| d.saturating_duration_since(now));
            if left.is_zero() {
                return Polled::Deadline;
            }
            tokio::time::sleep(interval.max(self.min_wait).min(left)).await;
            self.min_wait = Duration::ZERO;
        }
        self.polls += 1;
        // A poll in flight is cut at the deadline: the timeout is a deadline, not a hint.
        let polled = match self.deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, poll).await {
                Ok(polled) => polled,
                Err(_) => return Polled::Deadline,
            },
            None => poll.await,
        };
        self.classify(polled)
    }

    fn classify<T>(&mut self, polled: Result<T, Error>) -> Polled<T> {
        match polled {
            Ok(value) => {
                self.garbled = 0;
                Polled::Got(value)
            }
            Err(error) if error.is_retryable() => {
                self.garbled = 0;
                if let Some(wait) = error.api_error().and_then(|e| e.retry_after) {
                    self.min_wait = wait;
                }
                Polled::Transient(error)
            }
            // Ride out a few garbled bodies in a row, but report one that persists instead of
            // hiding it behind a timeout.
            Err(error @ Error::Decode { .. }) if self.garbled + 1 < GARBLED_POLLS_FATAL => {
                self.garbled += 1;
                Polled::Transient(error)
            }
            Err(error) => Polled::Failed(error),
        }
    }
}
