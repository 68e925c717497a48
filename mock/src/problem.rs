//! Error responses in FastAPI's shapes: `{"detail": "text"}`, and for 422 `{"detail": [problems]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use langsmith_control_plane_api::types::{ValidationError, ValidationErrorLocItem};
use serde_json::{Map, Value, json};

use crate::http::response::json_response;

/// An error response of the API.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: Value,
}

impl ApiError {
    /// A response with a sentence as its detail.
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: Value::String(detail.into()),
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// A 422 response listing every problem found.
    pub(crate) fn validation(problems: Vec<Problem>) -> Self {
        let detail = problems.into_iter().map(Problem::into_value).collect();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: Value::Array(detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &json!({ "detail": self.detail }))
    }
}

/// One problem of a 422 response, as pydantic reports it.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    kind: &'static str,
    loc: Vec<ValidationErrorLocItem>,
    msg: String,
    input: Value,
    ctx: Map<String, Value>,
}

impl Problem {
    pub(crate) fn new(
        kind: &'static str,
        loc: Vec<ValidationErrorLocItem>,
        msg: impl Into<String>,
        input: Value,
    ) -> Self {
        Self {
            kind,
            loc,
            msg: msg.into(),
            input,
            ctx: Map::new(),
        }
    }

    /// Adds an entry to `ctx` (the bound that was exceeded, the parser's message...).
    pub(crate) fn with_ctx(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.ctx.insert(key.to_string(), value.into());
        self
    }

    /// A required value that is absent.
    pub(crate) fn missing(loc: Vec<ValidationErrorLocItem>, input: Value) -> Self {
        Self::new("missing", loc, "Field required", input)
    }

    /// A string that is not a UUID; the message is the `uuid` crate's, as in pydantic.
    pub(crate) fn uuid(loc: Vec<ValidationErrorLocItem>, input: &str) -> Option<Self> {
        let error = uuid_error(input)?;
        let msg = format!("Input should be a valid UUID, {error}");
        Some(Self::new("uuid_parsing", loc, msg, Value::from(input)).with_ctx("error", error))
    }

    /// A string that does not read as an integer.
    pub(crate) fn int_parsing(loc: Vec<ValidationErrorLocItem>, input: Value) -> Self {
        let msg = "Input should be a valid integer, unable to parse string as an integer";
        Self::new("int_parsing", loc, msg, input)
    }

    /// A string that does not read as a boolean.
    pub(crate) fn bool_parsing(loc: Vec<ValidationErrorLocItem>, input: Value) -> Self {
        let msg = "Input should be a valid boolean, unable to interpret input";
        Self::new("bool_parsing", loc, msg, input)
    }

    /// A string that does not read as a date-time; `error` is the parser's message.
    pub(crate) fn datetime_parsing(
        loc: Vec<ValidationErrorLocItem>,
        input: Value,
        error: &impl std::fmt::Display,
    ) -> Self {
        let msg = format!("Input should be a valid datetime or date, {error}");
        Self::new("datetime_from_date_parsing", loc, msg, input)
            .with_ctx("error", error.to_string())
    }

    /// A value outside an enumeration: `Input should be 'a', 'b' or 'c'`.
    pub(crate) fn enumeration(
        loc: Vec<ValidationErrorLocItem>,
        allowed: &[Value],
        input: Value,
    ) -> Self {
        let quoted: Vec<String> = allowed
            .iter()
            .filter_map(Value::as_str)
            .map(|a| format!("'{a}'"))
            .collect();
        let expected = match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        Self::new("enum", loc, format!("Input should be {expected}"), input)
            .with_ctx("expected", expected)
    }

    /// A number below its lower bound.
    pub(crate) fn too_small(loc: Vec<ValidationErrorLocItem>, input: Value, ge: Value) -> Self {
        let msg = format!(
            "Input should be greater than or equal to {}",
            bound_text(&ge)
        );
        Self::new("greater_than_equal", loc, msg, input).with_ctx("ge", ge)
    }

    /// A number above its upper bound.
    pub(crate) fn too_large(loc: Vec<ValidationErrorLocItem>, input: Value, le: Value) -> Self {
        let msg = format!("Input should be less than or equal to {}", bound_text(&le));
        Self::new("less_than_equal", loc, msg, input).with_ctx("le", le)
    }

    /// Where the problem is: `["body", "secrets", 0, "value"]`.
    pub(crate) fn loc(&self) -> &[ValidationErrorLocItem] {
        &self.loc
    }

    pub(crate) fn into_value(self) -> Value {
        let problem = ValidationError {
            ctx: self.ctx,
            input: Some(self.input),
            loc: self.loc,
            msg: self.msg,
            type_: self.kind.to_string(),
        };
        serde_json::to_value(problem).unwrap_or(Value::Null)
    }
}

/// Why `input` is not a UUID, worded as pydantic words it (its parser is the `uuid` crate as of
/// 1.x before the messages changed; the crate linked here words them differently).
fn uuid_error(input: &str) -> Option<String> {
    if uuid::Uuid::parse_str(input).is_ok() {
        return None;
    }
    let (body, offset, simple) =
        if let Some(inner) = input.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            (inner, 1, false)
        } else if let Some(rest) = input.strip_prefix("urn:uuid:") {
            (rest, "urn:uuid:".len(), false)
        } else {
            (input, 0, true)
        };
    let mut hyphens = Vec::new();
    for (index, character) in body.char_indices() {
        if character == '-' {
            hyphens.push(index);
        } else if !character.is_ascii_hexdigit() {
            return Some(format!(
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], \
                 found `{character}` at {}",
                index + offset + 1
            ));
        }
    }
    if hyphens.is_empty() && simple {
        return Some(format!(
            "invalid length: expected length 32 for simple format, found {}",
            input.len()
        ));
    }
    if hyphens.len() != 4 {
        return Some(format!(
            "invalid group count: expected 5, found {}",
            hyphens.len() + 1
        ));
    }
    const GROUP_STARTS: [usize; 5] = [0, 9, 14, 19, 24];
    const GROUP_LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    let found = (0..4)
        .find(|&group| hyphens[group] != GROUP_STARTS[group + 1] - 1)
        .map_or((4, body.len().saturating_sub(GROUP_STARTS[4])), |group| {
            (group, hyphens[group].saturating_sub(GROUP_STARTS[group]))
        });
    let (group, length) = found;
    Some(format!(
        "invalid group length in group {group}: expected {}, found {length}",
        GROUP_LENGTHS[group]
    ))
}

/// Python prints float bounds with a fraction (`8.0`), integer bounds without.
fn bound_text(bound: &Value) -> String {
    match bound.as_f64() {
        Some(f) if bound.is_f64() => format!("{f:?}"),
        _ => bound.to_string(),
    }
}

/// Builds a `loc` list: `loc!["path", "deployment_id"]`, `loc!["body", "secrets", 0]`.
macro_rules! loc {
    ($($item:expr),* $(,)?) => {
        vec![$($crate::problem::LocItem::item($item)),*]
    };
}
pub(crate) use loc;

/// Converts strings and indexes into `loc` entries.
pub(crate) trait LocItem {
    fn item(self) -> ValidationErrorLocItem;
}

impl LocItem for &str {
    fn item(self) -> ValidationErrorLocItem {
        ValidationErrorLocItem::String(self.to_string())
    }
}

impl LocItem for String {
    fn item(self) -> ValidationErrorLocItem {
        ValidationErrorLocItem::String(self)
    }
}

impl LocItem for usize {
    fn item(self) -> ValidationErrorLocItem {
        ValidationErrorLocItem::Integer(i64::try_from(self).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_problem_carries_the_parser_message() {
        let problem = Problem::uuid(loc!["path", "deployment_id"], "nope").expect("not a uuid");
        let value = problem.into_value();
        assert_eq!(value["type"], "uuid_parsing");
        assert_eq!(value["loc"], json!(["path", "deployment_id"]));
        assert_eq!(value["input"], "nope");
        let error = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1";
        assert_eq!(
            value["msg"],
            format!("Input should be a valid UUID, {error}")
        );
        assert_eq!(value["ctx"], json!({ "error": error }));
    }

    #[test]
    fn uuid_errors_name_length_group_count_and_group_length() {
        assert_eq!(
            uuid_error("1234").as_deref(),
            Some("invalid length: expected length 32 for simple format, found 4")
        );
        assert_eq!(
            uuid_error("12-34").as_deref(),
            Some("invalid group count: expected 5, found 2")
        );
        assert_eq!(
            uuid_error("5f8a1ab0-8f57-4f43-9b1e-6a2c4a1c7a1").as_deref(),
            Some("invalid group length in group 4: expected 12, found 11")
        );
        assert_eq!(
            uuid_error("5f8a1ab-08f57-4f43-9b1e-6a2c4a1c7a10").as_deref(),
            Some("invalid group length in group 0: expected 8, found 7")
        );
        assert_eq!(
            uuid_error("{5f8a1ab0-8f57-4f43-9b1e-6a2c4a1c7a1x}")
                .as_deref()
                .map(|e| e.ends_with("found `x` at 37")),
            Some(true)
        );
    }

    #[test]
    fn valid_uuid_is_no_problem() {
        assert!(
            Problem::uuid(loc!["path", "id"], "5f8a1ab0-8f57-4f43-9b1e-6a2c4a1c7a10").is_none()
        );
    }

    #[test]
    fn bounds_read_like_python() {
        let int = Problem::too_large(loc!["query", "limit"], json!("101"), json!(100)).into_value();
        assert_eq!(int["msg"], "Input should be less than or equal to 100");
        let float = Problem::too_small(loc!["body", "cpu"], json!(0.0), json!(0.1)).into_value();
        assert_eq!(float["msg"], "Input should be greater than or equal to 0.1");
        assert_eq!(float["ctx"], json!({"ge": 0.1}));
    }
}
