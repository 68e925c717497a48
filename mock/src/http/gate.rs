//! What every request passes before its handler: the request record, injected faults, and the
//! `X-Api-Key` / `X-Tenant-Id` checks; and, after it, the document's shape of the response.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::control::faults::{self, Action};
use crate::control::recorded::RecordedRequest;
use crate::http::wire;
use crate::operations::{self, Operation};
use crate::problem::ApiError;
use crate::state::{App, ConnectionControl, Tenant};

/// Largest request body read; the service's own limit is far below.
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) async fn gate(State(app): State<App>, request: Request, next: Next) -> Response {
    let connection = request.extensions().get::<ConnectionControl>().cloned();
    let (mut parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            .into_response();
    };
    let operation = app
        .config
        .api_path(parts.uri.path())
        .and_then(|path| operations::find(&parts.method, path));

    let plan = faults::plan(&mut app.faults(), operation);
    // Only a request with an accepted key can leave its body in the log.
    let keep_body = accepted_key(&app, &parts.headers).is_ok();
    let mut record = RecordedRequest::new(&parts, &body, keep_body, operation);
    record.fault = plan.fault.as_ref().map(|fault| fault.kind().clone());
    app.requests().push(record);

    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    if let Some(fault) = &plan.fault {
        match fault.before_handling() {
            Action::Handle => {}
            Action::Respond(response) => return response,
            Action::Drop => return close(connection).await,
        }
    }
    if let Some(id) = operation {
        parts.extensions.insert(Operation(id));
        match authenticate(&app, &parts.headers) {
            Ok(tenant) => {
                parts.extensions.insert(tenant);
            }
            Err(error) => return error.into_response(),
        }
        let deployments_call = app
            .config
            .api_path(parts.uri.path())
            .is_some_and(|path| path.starts_with("/v2/deployments"));
        if deployments_call && !app.config.deployments_enabled {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "LangSmith Deployment is not enabled for this workspace; an organization admin can enable it",
            )
            .into_response();
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let response = wire::shape(operation, response).await;
    match plan.fault {
        Some(fault) => match fault.distort(response).await {
            Some(response) => response,
            None => close(connection).await,
        },
        None => response,
    }
}

/// 401 without an accepted key.
fn accepted_key(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let key = headers
        .get("x-api-key")
        .map(|value| value.as_bytes())
        .filter(|key| !key.is_empty());
    match key {
        None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "Not authenticated")),
        Some(key) if !app.config.accepts_key(key) => {
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "Invalid token"))
        }
        Some(_) => Ok(()),
    }
}

/// 401 without an accepted key; 403 without a usable workspace.
fn authenticate(app: &App, headers: &HeaderMap) -> Result<Tenant, ApiError> {
    accepted_key(app, headers)?;
    match headers.get("x-tenant-id") {
        None if app.config.require_tenant_id => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This API key is org-scoped and requires workspace specification: set the X-Tenant-Id header to the ID of a workspace",
        )),
        None => Ok(Tenant(app.config.tenant_id)),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| Uuid::parse_str(text.trim()).ok())
            .map(Tenant)
            .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, "Invalid X-Tenant-Id header")),
    }
}

/// Closes the connection without responding: the connection's task drops the socket, and this
/// request's future with it, so the pending future below is never resolved.
async fn close(connection: Option<ConnectionControl>) -> Response {
    match connection {
        Some(connection) => {
            connection.close();
            std::future::pending().await
        }
        // Only when the router is driven without our accept loop (never in this crate).
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
