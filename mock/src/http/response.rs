//! Successful responses: JSON bodies in the service's shape, and empty 204s.

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use crate::http::schema::to_wire_json;

/// A JSON response with `status` and `body` as given.
pub(crate) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec());
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A generated API type as the service writes it (explicit `null`s included).
pub(crate) fn api_json<T: Serialize + JsonSchema + 'static>(
    status: StatusCode,
    body: &T,
) -> Response {
    json_response(status, &to_wire_json(body))
}

/// `200 OK` with a generated API type.
pub(crate) fn ok<T: Serialize + JsonSchema + 'static>(body: &T) -> Response {
    api_json(StatusCode::OK, body)
}

/// `201 Created` with a generated API type.
pub(crate) fn created<T: Serialize + JsonSchema + 'static>(body: &T) -> Response {
    api_json(StatusCode::CREATED, body)
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
