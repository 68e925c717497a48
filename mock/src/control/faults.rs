//! Faults the mock can inject to test a client's resilience: slow answers, rate limits, server
//! errors, dropped connections and bodies that do not parse.

use std::time::{Duration, SystemTime};

use axum::body::{Body, to_bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::http::response::json_response;
use crate::operations;

/// One fault: what goes wrong, on which operation, and how many times.
///
/// Built from a constructor naming the kind of fault, then narrowed:
///
/// ```
/// use std::time::Duration;
/// use langsmith_control_plane_mock::{Fault, RetryAfter};
///
/// // The next two Get Revision calls are rate limited, with a hint to retry after 1 s.
/// let fault = Fault::rate_limited().retry_after(RetryAfter::Seconds(1)).on("get_revision").times(2);
/// // Every call, whatever the operation, is answered 300 ms late.
/// let slow = Fault::latency(Duration::from_millis(300)).always();
/// # let _ = (fault, slow);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) operation: Option<String>,
    pub(crate) remaining: Option<u32>,
    pub(crate) retry_after: Option<RetryAfter>,
}

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// The request is handled normally, after this delay. Delays of several matching faults add up,
    /// and combine with one other fault.
    Latency(Duration),
    /// `429 Too Many Requests` with `{"detail": "Too Many Requests"}`; the request is not handled.
    RateLimited,
    /// This status (any, typically 5xx) with `{"detail": "<reason phrase>"}`; the request is not
    /// handled.
    Status(u16),
    /// The connection is closed without a response before the request is handled.
    DropConnection,
    /// The request is handled (its effects happen), then the connection is closed without a response.
    DropResponse,
    /// An HTML error page with this status, as a proxy in front of the service would send; the
    /// request is not handled.
    Html(u16),
    /// The request is handled; its JSON response is cut in half.
    TruncatedJson,
    /// The request is handled; its response keeps status and `Content-Type` but has an empty body.
    EmptyBody,
    /// The request is handled; its JSON response has the wrong type: an object is sent as a one-element
    /// array, anything else as an object `{"unexpected": <value>}`.
    WrongJsonType,
}

/// The `Retry-After` header of a fault's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP date>`, this long after the response is sent (by the wall clock).
    HttpDate(Duration),
}

impl Fault {
    /// A fault of `kind`, on any operation, for the next request only.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            operation: None,
            remaining: Some(1),
            retry_after: None,
        }
    }

    /// Answers late. See [`FaultKind::Latency`].
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    /// `429` without `Retry-After` (add one with [`Fault::retry_after`]).
    pub fn rate_limited() -> Self {
        Self::new(FaultKind::RateLimited)
    }

    /// Answers with `status`, e.g. 500, 502, 503 or 504.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code (100..=999).
    pub fn status(status: u16) -> Self {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is not an HTTP status code"
        );
        Self::new(FaultKind::Status(status))
    }

    /// Closes the connection without a response, before handling the request.
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    /// Handles the request, then closes the connection without a response.
    pub fn drop_response() -> Self {
        Self::new(FaultKind::DropResponse)
    }

    /// An HTML error page with `status`.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code (100..=999).
    pub fn html(status: u16) -> Self {
        assert!(
            StatusCode::from_u16(status).is_ok(),
            "{status} is not an HTTP status code"
        );
        Self::new(FaultKind::Html(status))
    }

    /// The real response's JSON, cut in half.
    pub fn truncated_json() -> Self {
        Self::new(FaultKind::TruncatedJson)
    }

    /// The real response without its body.
    pub fn empty_body() -> Self {
        Self::new(FaultKind::EmptyBody)
    }

    /// The real response's JSON with the wrong type.
    pub fn wrong_json_type() -> Self {
        Self::new(FaultKind::WrongJsonType)
    }

    /// Only on the operation with this ID (e.g. `get_revision`, `list_revisions`,
    /// `create_deployment`, `redeploy_revision`); see [`operation_ids`](crate::operation_ids).
    /// The default is any operation (and requests to unknown paths).
    ///
    /// # Panics
    ///
    /// If `operation_id` is not an operation of the API, to catch typos.
    pub fn on(mut self, operation_id: &str) -> Self {
        assert!(
            operations::is_known(operation_id),
            "`{operation_id}` is not an operation ID of the Control Plane API; see operation_ids()"
        );
        self.operation = Some(operation_id.to_string());
        self
    }

    /// On any operation (the default).
    pub fn on_any(mut self) -> Self {
        self.operation = None;
        self
    }

    /// For the next `count` matching requests (the default is one).
    pub fn times(mut self, count: u32) -> Self {
        self.remaining = Some(count);
        self
    }

    /// For every matching request until [`clear_faults`](crate::MockServer::clear_faults).
    pub fn always(mut self) -> Self {
        self.remaining = None;
        self
    }

    /// Adds a `Retry-After` header to the fault's response (for `429`, `503` and the like).
    pub fn retry_after(mut self, retry_after: RetryAfter) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// What goes wrong.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn matches(&self, operation: Option<&str>) -> bool {
        self.remaining != Some(0)
            && self
                .operation
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == operation)
    }

    fn consume(&mut self) {
        if let Some(remaining) = &mut self.remaining {
            *remaining = remaining.saturating_sub(1);
        }
    }
}

/// The faults that apply to one request.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) delay: Duration,
    pub(crate) fault: Option<Fault>,
}

/// Takes the faults for a request of `operation` from `armed`, counting them down.
pub(crate) fn plan(armed: &mut Vec<Fault>, operation: Option<&str>) -> Plan {
    let mut plan = Plan::default();
    for fault in armed.iter_mut().filter(|f| f.matches(operation)) {
        match fault.kind {
            FaultKind::Latency(delay) => {
                plan.delay += delay;
                fault.consume();
            }
            _ if plan.fault.is_none() => {
                plan.fault = Some(fault.clone());
                fault.consume();
            }
            _ => {}
        }
    }
    armed.retain(|f| f.remaining != Some(0));
    plan
}

/// What to do with the request after the delay.
pub(crate) enum Action {
    /// Handle it, then pass the response through [`Fault::distort`] if there is a fault.
    Handle,
    /// Respond with this instead of handling the request.
    Respond(Response),
    /// Close the connection without a response.
    Drop,
}

impl Fault {
    /// What happens before the request would be handled.
    pub(crate) fn before_handling(&self) -> Action {
        let response = match self.kind {
            FaultKind::RateLimited => detail_response(StatusCode::TOO_MANY_REQUESTS),
            FaultKind::Status(status) => detail_response(code(status)),
            FaultKind::Html(status) => html_response(code(status)),
            FaultKind::DropConnection => return Action::Drop,
            _ => return Action::Handle,
        };
        Action::Respond(self.with_retry_after(response))
    }

    /// The handled request's response as the fault changes it; `None` to drop the connection instead.
    pub(crate) async fn distort(&self, response: Response) -> Option<Response> {
        let transform: fn(&[u8]) -> Vec<u8> = match self.kind {
            FaultKind::DropResponse => return None,
            FaultKind::TruncatedJson => |body| match body.len() {
                0 => b"{\"".to_vec(),
                len => body[..len / 2].to_vec(),
            },
            FaultKind::EmptyBody => |_| Vec::new(),
            FaultKind::WrongJsonType => |body| {
                let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let wrong = match value {
                    object @ Value::Object(_) => json!([object]),
                    other => json!({ "unexpected": other }),
                };
                serde_json::to_vec(&wrong).unwrap_or_default()
            },
            _ => return Some(response),
        };
        let (mut parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let distorted = transform(&bytes);
        parts.headers.remove(CONTENT_LENGTH);
        parts
            .headers
            .entry(CONTENT_TYPE)
            .or_insert(HeaderValue::from_static("application/json"));
        Some(self.with_retry_after(Response::from_parts(parts, Body::from(distorted))))
    }

    fn with_retry_after(&self, mut response: Response) -> Response {
        let value = match self.retry_after {
            Some(RetryAfter::Seconds(seconds)) => seconds.to_string(),
            Some(RetryAfter::HttpDate(after)) => http_date(SystemTime::now() + after),
            None => return response,
        };
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}

fn code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn detail_response(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    json_response(status, &json!({ "detail": reason }))
}

fn html_response(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// An IMF-fixdate, the HTTP date format: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_run_down_and_spent_faults_are_removed() {
        let mut armed = vec![Fault::status(503).on("get_revision").times(2)];
        assert!(plan(&mut armed, Some("list_revisions")).fault.is_none());
        assert!(plan(&mut armed, Some("get_revision")).fault.is_some());
        assert!(plan(&mut armed, Some("get_revision")).fault.is_some());
        assert!(plan(&mut armed, Some("get_revision")).fault.is_none());
        assert!(armed.is_empty());
    }

    #[test]
    fn latencies_add_up_and_combine_with_one_other_fault() {
        let mut armed = vec![
            Fault::latency(Duration::from_millis(100)),
            Fault::latency(Duration::from_millis(50)).always(),
            Fault::status(500),
            Fault::status(502),
        ];
        let first = plan(&mut armed, None);
        assert_eq!(first.delay, Duration::from_millis(150));
        assert_eq!(first.fault.map(|f| f.kind), Some(FaultKind::Status(500)));
        let second = plan(&mut armed, None);
        assert_eq!(second.delay, Duration::from_millis(50));
        assert_eq!(second.fault.map(|f| f.kind), Some(FaultKind::Status(502)));
    }

    #[test]
    #[should_panic(expected = "not an operation ID")]
    fn typos_in_operation_ids_are_caught() {
        let _ = Fault::status(500).on("get_revison");
    }

    #[test]
    fn http_dates_use_the_imf_format() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
