//! Path and query parameters read and checked as FastAPI does: every problem of a request is
//! collected (path first, then query, then body) and answered together in one 422.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::http::body::{JsonBody, lax_bool, parse_body};
use crate::problem::{ApiError, Problem, loc};

/// The parameters of one request and the problems found in them so far.
pub(crate) struct Params {
    query: Vec<(String, String)>,
    problems: Vec<Problem>,
}

impl Params {
    pub(crate) fn new(raw_query: Option<&str>) -> Self {
        let query = form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self {
            query,
            problems: Vec::new(),
        }
    }

    /// A path segment that must be a UUID.
    pub(crate) fn path_uuid(&mut self, name: &str, raw: &str) -> Uuid {
        match Uuid::parse_str(raw) {
            Ok(id) => id,
            Err(_) => {
                self.problems.extend(Problem::uuid(loc!["path", name], raw));
                Uuid::nil()
            }
        }
    }

    /// The last value given for `name`, as Starlette reads a scalar parameter.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// A required string; absent is a problem.
    pub(crate) fn required_string(&mut self, name: &str) -> Option<String> {
        let value = self.string(name);
        if value.is_none() {
            self.problems
                .push(Problem::missing(loc!["query", name], Value::Null));
        }
        value
    }

    /// Every value given for `name`.
    fn all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An integer with a default and inclusive bounds.
    pub(crate) fn int(
        &mut self,
        name: &str,
        default: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) -> i64 {
        let Some(raw) = self.string(name) else {
            return default;
        };
        let at = loc!["query", name];
        let Some(value) = parse_int(&raw) else {
            self.problems
                .push(Problem::int_parsing(at, Value::String(raw)));
            return default;
        };
        if let Some(min) = min.filter(|min| value < *min) {
            self.problems
                .push(Problem::too_small(at, Value::String(raw), min.into()));
            return default;
        }
        if let Some(max) = max.filter(|max| value > *max) {
            self.problems
                .push(Problem::too_large(at, Value::String(raw), max.into()));
            return default;
        }
        value
    }

    /// `limit` (1..=`max`, default `default`) and `offset` (>= 0, default 0).
    pub(crate) fn page(&mut self, default: i64, max: i64) -> Page {
        let limit = self.int("limit", default, Some(1), Some(max));
        let offset = self.int("offset", 0, Some(0), None);
        Page {
            limit: to_usize(limit),
            offset: to_usize(offset),
        }
    }

    /// A boolean in pydantic's lax spelling (`true`, `1`, `yes`, `on`...).
    pub(crate) fn bool(&mut self, name: &str) -> Option<bool> {
        let raw = self.string(name)?;
        let parsed = lax_bool(&Value::String(raw.clone()));
        if parsed.is_none() {
            self.problems.push(Problem::bool_parsing(
                loc!["query", name],
                Value::String(raw),
            ));
        }
        parsed
    }

    /// A value out of `allowed`; absent is a problem when `required`.
    pub(crate) fn choice(
        &mut self,
        name: &str,
        allowed: &[&str],
        required: bool,
    ) -> Option<String> {
        let Some(raw) = self.string(name) else {
            if required {
                self.problems
                    .push(Problem::missing(loc!["query", name], Value::Null));
            }
            return None;
        };
        if allowed.contains(&raw.as_str()) {
            return Some(raw);
        }
        let allowed: Vec<Value> = allowed.iter().map(|a| Value::from(*a)).collect();
        self.problems.push(Problem::enumeration(
            loc!["query", name],
            &allowed,
            Value::String(raw),
        ));
        None
    }

    /// A date-time (RFC 3339).
    pub(crate) fn datetime(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let raw = self.string(name)?;
        match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(time) => Some(time.with_timezone(&Utc)),
            Err(error) => {
                self.problems.push(Problem::datetime_parsing(
                    loc!["query", name],
                    Value::String(raw),
                    &error,
                ));
                None
            }
        }
    }

    /// A repeated UUID parameter (`?id=a&id=b`), required, with at most `max_items` entries.
    pub(crate) fn uuid_list(&mut self, name: &str, max_items: usize) -> Vec<Uuid> {
        let raw: Vec<String> = self.all(name).into_iter().map(str::to_string).collect();
        if raw.is_empty() {
            self.problems
                .push(Problem::missing(loc!["query", name], Value::Null));
            return Vec::new();
        }
        if raw.len() > max_items {
            let msg = format!(
                "List should have at most {max_items} items after validation, not {}",
                raw.len()
            );
            let problem = Problem::new(
                "too_long",
                loc!["query", name],
                msg,
                Value::from(raw.clone()),
            )
            .with_ctx("field_type", "List")
            .with_ctx("max_length", max_items)
            .with_ctx("actual_length", raw.len());
            self.problems.push(problem);
            return Vec::new();
        }
        let mut ids = Vec::with_capacity(raw.len());
        for (index, value) in raw.iter().enumerate() {
            match Uuid::parse_str(value) {
                Ok(id) => ids.push(id),
                Err(_) => self
                    .problems
                    .extend(Problem::uuid(loc!["query", name, index], value)),
            }
        }
        ids
    }

    /// The JSON request body, checked against its operation's schema and decoded as `T`.
    pub(crate) fn body<T: DeserializeOwned>(&mut self, body: &JsonBody) -> Option<T> {
        parse_body(body, &mut self.problems)
    }

    /// The request body once every parameter is checked; `Err` with a 422 response when any
    /// problem was found.
    pub(crate) fn done<T>(self, body: Option<T>) -> Result<T, ApiError> {
        self.finish()?;
        // The body is only `None` when a problem was recorded for it.
        body.ok_or_else(|| ApiError::validation(Vec::new()))
    }

    /// `Err` with a 422 response when any problem was found.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.problems))
        }
    }
}

/// An integer as pydantic reads one from a query string. Python integers have no size limit, so
/// one beyond `i64` is still an integer: it saturates (an offset past every page, a limit above
/// its bound) rather than failing to parse, which would be a 422 for a value the document allows.
fn parse_int(raw: &str) -> Option<i64> {
    let text = raw.trim();
    if let Ok(value) = text.parse::<i64>() {
        return Some(value);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let is_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    is_integer.then_some(if negative { i64::MIN } else { i64::MAX })
}

/// The page a list request asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Page {
    limit: usize,
    offset: usize,
}

impl Page {
    /// The items of this page, out of all of them in order.
    pub(crate) fn select<T>(self, items: impl Iterator<Item = T>) -> Vec<T> {
        items.skip(self.offset).take(self.limit).collect()
    }

    /// The `offset` field of a response holding `len` items: where the next page starts, as the
    /// service answers it (the offset asked for plus the items in this page).
    pub(crate) fn next_offset(self, len: usize) -> i64 {
        i64::try_from(self.offset.saturating_add(len)).unwrap_or(i64::MAX)
    }
}

/// Path segments that must be UUIDs, for requests with no other parameter.
pub(crate) fn path_uuids<const N: usize>(
    segments: [(&str, &str); N],
) -> Result<[Uuid; N], ApiError> {
    let mut params = Params::new(None);
    let ids = segments.map(|(name, raw)| params.path_uuid(name, raw));
    params.finish()?;
    Ok(ids)
}

/// The JSON body of a request with no other checked parameter.
pub(crate) fn body_only<T: DeserializeOwned>(body: &JsonBody) -> Result<T, ApiError> {
    let mut params = Params::new(None);
    let parsed = params.body(body);
    params.done(parsed)
}

/// Splits `a,b, c` into its non-empty parts.
pub(crate) fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn to_usize(value: i64) -> usize {
    usize::try_from(value).unwrap_or(0)
}

/// The known values of an open enum, for [`Params::choice`].
macro_rules! known_values {
    ($enum:ty) => {
        <$enum>::KNOWN
            .iter()
            .map(<$enum>::as_str)
            .collect::<Vec<&str>>()
    };
}
pub(crate) use known_values;
