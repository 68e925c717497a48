//! The whole application of the API listener: the API under its prefix, FastAPI's responses for
//! unknown paths and methods, the gate every request passes, and the document's response shape.

use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header::LOCATION};
use axum::response::{IntoResponse, Response};

use crate::api;
use crate::http::gate::gate;
use crate::operations;
use crate::problem::ApiError;
use crate::state::App;

/// The router of the API listener.
pub(crate) fn router(app: App) -> Router {
    let api = api::router().method_not_allowed_fallback(method_not_allowed);
    let routes = if app.config.prefix.is_empty() {
        api
    } else {
        Router::new().nest(&app.config.prefix, api)
    };
    routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

/// FastAPI's response for an unknown path, after its redirect of a trailing slash.
async fn not_found(State(app): State<App>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() < path.len() {
        let known = app
            .config
            .api_path(trimmed)
            .and_then(|api_path| operations::find(&method, api_path))
            .is_some();
        if known {
            let location = match uri.query() {
                Some(query) => format!("{trimmed}?{query}"),
                None => trimmed.to_string(),
            };
            return (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, location)]).into_response();
        }
    }
    ApiError::new(StatusCode::NOT_FOUND, "Not Found").into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response()
}
