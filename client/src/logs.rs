//! Revision logs: cursor-paged, optionally followed while the revision is in progress.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, RequestLine};
use crate::pagination::{out_of_bounds, read_pages};
use crate::types::{LogLevel, LogOrder, LogType, LogsResponse};

/// Largest page the logs operation accepts.
const MAX_LOG_PAGE_SIZE: u32 = 1000;

/// Entries a read without `max_items` takes before it stops with an error, so that a server
/// that always has another page cannot keep it going forever.
const LOG_CEILING: usize = 1_000_000;

/// One log entry. The API promises little about its shape, so the fields are kept as sent,
/// with accessors for the common ones.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct LogEntry(pub Map<String, Value>);

impl LogEntry {
    /// The `timestamp` field as text.
    pub fn timestamp(&self) -> Option<&str> {
        self.text("timestamp")
    }
    /// The `message` field.
    pub fn message(&self) -> Option<&str> {
        self.text("message")
    }
    /// The `level` field.
    pub fn level(&self) -> Option<&str> {
        self.text("level")
    }
    /// Any field as text, when it is a string.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }
}

/// A revision's build or deploy log, fetched lazily; from [`Revisions::logs`](crate::Revisions::logs).
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until streamed or collected"]
pub struct ListLogs {
    client: Client,
    deployment_id: Uuid,
    revision_id: Uuid,
    log_type: LogType,
    order: Option<LogOrder>,
    level: Option<LogLevel>,
    query: Option<String>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    page_size: u32,
    max_items: Option<usize>,
    follow: Option<Duration>,
}

impl ListLogs {
    pub(crate) fn new(
        client: Client,
        deployment_id: Uuid,
        revision_id: Uuid,
        log_type: LogType,
    ) -> Self {
        Self {
            client,
            deployment_id,
            revision_id,
            log_type,
            order: None,
            level: None,
            query: None,
            start_time: None,
            end_time: None,
            page_size: 200,
            max_items: None,
            follow: None,
        }
    }
    /// Newest first instead of oldest first.
    pub fn order(mut self, order: LogOrder) -> Self {
        self.order = Some(order);
        self
    }
    /// Only entries at this severity or above.
    pub fn level(mut self, level: LogLevel) -> Self {
        self.level = Some(level);
        self
    }
    /// Only entries matching this text.
    pub fn query(mut self, text: impl Into<String>) -> Self {
        self.query = Some(text.into());
        self
    }
    /// Only entries at or after this time.
    pub fn start_time(mut self, time: DateTime<Utc>) -> Self {
        self.start_time = Some(time);
        self
    }
    /// Only entries before this time.
    pub fn end_time(mut self, time: DateTime<Utc>) -> Self {
        self.end_time = Some(time);
        self
    }
    /// Entries per request, 1 to 1000 (default 200).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }
    /// Stop after this many entries. Without it a read ends with
    /// [`Error::Pagination`] after 1,000,000 entries.
    pub fn max_items(mut self, cap: usize) -> Self {
        self.max_items = Some(cap);
        self
    }
    /// Keep reading new entries, checking every `interval`, until the revision reaches a
    /// final status (then read what is left and end).
    pub fn follow(mut self, interval: Duration) -> Self {
        self.follow = Some(interval);
        self
    }

    /// The entries, one at a time.
    pub fn stream(self) -> BoxStream<'static, Result<LogEntry, Error>> {
        let invalid = out_of_bounds("log page size", self.page_size, MAX_LOG_PAGE_SIZE);
        let max_items = self.max_items;
        // The cursor of the page to read next (`None`: the first) and every cursor followed so
        // far: one coming back means the server is going in circles.
        let (mut cursor, mut cursors) = (None, HashSet::new());
        // Entries at the start of that page already yielded; whether all there is now was read;
        // whether the revision is final, so the read under way is the last one followed.
        let (mut skip, mut exhausted, mut last_round) = (0, false, false);
        let next_page = async move |buffer: &mut VecDeque<LogEntry>, yielded| {
            // All read and still following: decide before sleeping whether the next read is the last.
            if let Some(interval) = self.follow.filter(|_| exhausted) {
                let revision = self
                    .client
                    .get_revision(self.deployment_id, self.revision_id)
                    .await?;
                if revision.status.is_terminal() {
                    last_round = true;
                } else {
                    tokio::time::sleep(interval).await;
                }
                exhausted = false;
            }
            if self.max_items.is_none() && yielded >= LOG_CEILING {
                return Err(Error::Pagination {
                    request: self.request_line(),
                    message: format!(
                        "stopped after {LOG_CEILING} entries, the ceiling of a log read \
                         without a maximum; set max_items to read further"
                    ),
                });
            }
            let wanted = self
                .max_items
                .map_or(usize::MAX, |cap| cap - yielded + skip);
            let limit = (self.page_size as usize)
                .min(wanted)
                .clamp(1, MAX_LOG_PAGE_SIZE as usize);
            let page = self.page(cursor.clone(), limit as u64).await?;
            let received = page.logs.len();
            buffer.extend(page.logs.into_iter().skip(skip).map(LogEntry));
            match page.next_offset {
                Some(next) if received > 0 => {
                    if !cursors.insert(next.clone()) {
                        return Err(Error::Pagination {
                            request: self.request_line(),
                            message: format!(
                                "the cursor {next:?} came back a second time; stopping instead of looping"
                            ),
                        });
                    }
                    cursor = Some(next);
                    skip = 0;
                }
                _ => {
                    // End of what exists now. When following, re-read this page later and skip what was seen.
                    skip = skip.max(received);
                    exhausted = true;
                }
            }
            Ok(!exhausted || (self.follow.is_some() && !last_round))
        };
        read_pages(invalid, max_items, next_page).boxed()
    }

    /// All entries (up to [`max_items`](Self::max_items)) in one vector.
    pub async fn collect(self) -> Result<Vec<LogEntry>, Error> {
        self.stream().try_collect().await
    }

    /// The last `n` entries, oldest first: the end of a log, where a failed build says why.
    /// Filters apply; [`order`](Self::order), [`max_items`](Self::max_items) and
    /// [`follow`](Self::follow) do not (it reads newest first, stops after `n`, and reverses).
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client, d: langsmith_control_plane::Uuid, r: langsmith_control_plane::Uuid) -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::types::LogType;
    /// for entry in client.revisions(d).logs(r, LogType::Build).tail(50).await? {
    ///     eprintln!("{}", entry.message().unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn tail(mut self, n: usize) -> Result<Vec<LogEntry>, Error> {
        self.order = Some(LogOrder::Desc);
        self.max_items = Some(n);
        self.follow = None;
        let mut entries = self.collect().await?;
        entries.reverse();
        Ok(entries)
    }

    fn request_line(&self) -> RequestLine {
        let path = format!(
            "/v2/deployments/{}/revisions/{}/logs",
            self.deployment_id, self.revision_id
        );
        RequestLine::new("GET", &path)
    }

    /// The page at `cursor` (`None`: the first page).
    async fn page(&self, cursor: Option<String>, limit: u64) -> Result<LogsResponse, Error> {
        self.client
            .call(async |api| {
                let request = api.list_revision_logs().deployment_id(self.deployment_id);
                let mut request = request
                    .revision_id(self.revision_id)
                    .type_(self.log_type.clone())
                    .limit(limit);
                if let Some(order) = &self.order {
                    request = request.order(order.clone());
                }
                if let Some(level) = &self.level {
                    request = request.level(level.clone());
                }
                if let Some(query) = &self.query {
                    request = request.query(query.clone());
                }
                if let Some(time) = self.start_time {
                    request = request.start_time(time);
                }
                if let Some(time) = self.end_time {
                    request = request.end_time(time);
                }
                if let Some(cursor) = cursor {
                    request = request.offset(cursor);
                }
                request.send().await
            })
            .await
    }
}
