//! Successful responses: JSON bodies, and empty 204s. The document's shape (explicit `null`s)
//! is given to every successful JSON response on its way out ([`crate::http::wire`]).

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

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

/// `200 OK` with a generated API type.
pub(crate) fn ok(body: &impl Serialize) -> Response {
    json_response(StatusCode::OK, body)
}

/// `201 Created` with a generated API type.
pub(crate) fn created(body: &impl Serialize) -> Response {
    json_response(StatusCode::CREATED, body)
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
