//! `/v2/auth/agents/{agent_id}/connections`: which stored OAuth tokens an agent may use.

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use chrono::Utc;
use langsmith_control_plane_api::types::{
    AgentConnectionListResponse, AgentConnectionResponse, CreateAgentConnectionRequest,
};
use uuid::Uuid;

use crate::http::body::JsonBody;
use crate::http::params::body_only;
use crate::http::response::{created, no_content, ok};
use crate::problem::ApiError;
use crate::state::App;
use crate::state::Tenant;

/// Who the mock says made a connection.
const CREATED_BY: &str = "mock-user";

pub(crate) async fn list_connections(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(agent_id): Path<String>,
) -> Response {
    let state = app.state();
    let data = state
        .auth
        .connections
        .iter()
        .filter(|(t, c)| *t == tenant && c.agent_id == agent_id)
        .map(|(_, c)| c.clone())
        .collect();
    ok(&AgentConnectionListResponse { data })
}

pub(crate) async fn create_connection(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(agent_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: CreateAgentConnectionRequest = body_only(&body)?;
    let mut state = app.state();
    let auth = &mut state.auth;
    let token = auth
        .tokens
        .iter()
        .find(|(t, token)| *t == tenant && token.id == request.oauth_token_id)
        .map(|(_, token)| token.clone())
        .ok_or_else(|| ApiError::not_found("Token"))?;
    let exists = auth
        .connections
        .iter()
        .any(|(t, c)| *t == tenant && c.agent_id == agent_id && c.oauth_token_id == token.id);
    if exists {
        return Err(ApiError::conflict(
            "The agent is already connected to this token",
        ));
    }
    let connection = AgentConnectionResponse {
        agent_id,
        created_at: Utc::now(),
        created_by: CREATED_BY.to_string(),
        expires_at: token.expires_at,
        id: Uuid::new_v4().to_string(),
        oauth_token_id: token.id,
        provider_account_label: token.provider_account_label,
        provider_id: token.provider_id,
        scopes: token.scopes,
    };
    auth.connections.push((tenant, connection.clone()));
    Ok(created(&connection))
}

pub(crate) async fn remove_connection(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path((agent_id, connection_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let mut state = app.state();
    let connections = &mut state.auth.connections;
    let before = connections.len();
    connections.retain(|(t, c)| !(*t == tenant && c.agent_id == agent_id && c.id == connection_id));
    if connections.len() == before {
        return Err(ApiError::not_found("Connection"));
    }
    Ok(no_content())
}
