//! `/v2/auth/...`: OAuth providers, authorization flows and the tokens they leave, in memory.
//!
//! A flow starts with `authenticate` (answered `pending` with a URL), is completed by a callback
//! carrying the flow's `state`, and leaves a stored token; `authenticate` then answers `completed`.
//! Access tokens are derived from token IDs when answered, never stored.

use std::time::Duration;

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use langsmith_control_plane_api::Sensitive;
use langsmith_control_plane_api::open_enums::{AuthStatus, AuthWaitStatus};
use langsmith_control_plane_api::types::{
    AuthAuthenticateRequest, AuthAuthenticateResponse, AuthWaitResponse, GithubIntegration,
    McpoAuthProviderCreateRequest, OAuthFinalizeRequest, OAuthProviderCreateRequest,
    OAuthProviderResponse, OAuthProviderUpdateRequest, OAuthTokenStatusResponse, OAuthTokenSummary,
    OAuthTokenUpdateRequest,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::http::body::JsonBody;
use crate::http::params::{Params, body_only};
use crate::http::response::{json_response, no_content, ok};
use crate::problem::ApiError;
use crate::state::{App, Tenant};
use crate::world::auth::Flow;

/// The access token the mock hands out for a stored token: derived, so nothing secret is kept.
fn access_token(token_id: &str) -> Sensitive {
    Sensitive::new(format!("mock-oauth-access-{token_id}"))
}

pub(crate) async fn authenticate(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: AuthAuthenticateRequest = body_only(&body)?;
    let mut state = app.state();
    let auth = &mut state.auth;
    let provider = auth
        .providers
        .iter()
        .find(|(t, p)| *t == tenant && p.provider_id == request.provider)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| ApiError::not_found("OAuth provider"))?;
    let existing = auth
        .tokens
        .iter()
        .filter(|(t, token)| *t == tenant && token.provider_id == request.provider)
        .filter(|(_, token)| request.token_id.is_none_or(|id| token.id == id.to_string()))
        .max_by_key(|(_, token)| token.is_default)
        .map(|(_, token)| token.id.clone());
    if let Some(token_id) = existing.filter(|_| !request.force_new || request.token_id.is_some()) {
        return Ok(ok(&AuthAuthenticateResponse {
            auth_id: None,
            metadata: None,
            status: AuthStatus::Completed,
            token: Some(access_token(&token_id)),
            url: None,
            user_id: request.user_id,
        }));
    }
    if request.token_id.is_some() {
        return Err(ApiError::not_found("Token"));
    }
    let auth_id = Uuid::new_v4().to_string();
    let url = format!(
        "{}?client_id={}&state={auth_id}&scope={}",
        provider.auth_url,
        provider.client_id,
        request.scopes.join("+")
    );
    auth.flows.push(Flow {
        tenant,
        auth_id: auth_id.clone(),
        provider_id: request.provider,
        scopes: request.scopes,
        is_default: request.is_default,
        token_id: None,
    });
    Ok(ok(&AuthAuthenticateResponse {
        auth_id: Some(auth_id),
        metadata: None,
        status: AuthStatus::Pending,
        token: None,
        url: Some(url),
        user_id: request.user_id,
    }))
}

/// Completes the flow whose `state` is given: stores a token for its provider.
fn complete_flow(app: &App, provider_id: &str, flow_state: &str) -> Result<Response, ApiError> {
    let mut state = app.state();
    let auth = &mut state.auth;
    let flow = auth
        .flows
        .iter_mut()
        .find(|f| f.auth_id == flow_state && f.provider_id == provider_id && f.token_id.is_none())
        .ok_or_else(|| ApiError::bad_request("Unknown or expired OAuth state"))?;
    let now = Utc::now();
    let token = OAuthTokenSummary {
        created_at: now,
        expires_at: Some(now + chrono::Duration::hours(1)),
        id: Uuid::new_v4().to_string(),
        is_default: flow.is_default,
        provider_account_label: Some(format!("{provider_id} account")),
        provider_id: provider_id.to_string(),
        scopes: flow.scopes.clone(),
        updated_at: now,
    };
    flow.token_id = Some(token.id.clone());
    let tenant = flow.tenant;
    if token.is_default {
        clear_default(&mut auth.tokens, tenant, provider_id);
    }
    auth.tokens.push((tenant, token));
    Ok(json_response(
        StatusCode::OK,
        &json!({"status": "completed"}),
    ))
}

/// Makes none of the workspace's tokens for `provider_id` its default (before another becomes it).
fn clear_default(tokens: &mut [(Uuid, OAuthTokenSummary)], tenant: Uuid, provider_id: &str) {
    for (_, other) in tokens
        .iter_mut()
        .filter(|(t, o)| *t == tenant && o.provider_id == provider_id)
    {
        other.is_default = false;
    }
}

pub(crate) async fn oauth_callback(
    State(app): State<App>,
    Path(provider_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: OAuthFinalizeRequest = body_only(&body)?;
    complete_flow(&app, &provider_id, &request.state)
}

pub(crate) async fn oauth_callback_get(
    State(app): State<App>,
    Path(provider_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::new(query.as_deref());
    if let Some(error) = provider_error(&params) {
        return Err(ApiError::bad_request(error));
    }
    let flow_state = params
        .string("state")
        .ok_or_else(|| ApiError::bad_request("Missing OAuth state"))?;
    complete_flow(&app, &provider_id, &flow_state)
}

/// The GitHub app's setup callback: an installation becomes an integration of the workspace.
pub(crate) async fn oauth_setup_callback(
    State(app): State<App>,
    Path(provider_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let installation_id = params
        .string("installation_id")
        .is_some()
        .then(|| params.int("installation_id", 0, None, None));
    let error = provider_error(&params);
    params.finish()?;
    if let Some(error) = error {
        return Err(ApiError::bad_request(error));
    }
    if let Some(installation_id) = installation_id {
        let integration = GithubIntegration {
            id: Uuid::new_v4(),
            installation_id,
            name: format!("{provider_id}-installation-{installation_id}"),
        };
        app.state().github.push((integration, Vec::new()));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"status": "completed"}),
    ))
}

/// The error a provider reported on its redirect back, if any.
fn provider_error(params: &Params) -> Option<String> {
    let error = params.string("error")?;
    Some(params.string("error_description").unwrap_or(error))
}

pub(crate) async fn list_oauth_providers(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    let state = app.state();
    let providers: Vec<OAuthProviderResponse> = state
        .auth
        .providers
        .iter()
        .filter(|(t, _)| *t == tenant)
        .map(|(_, p)| p.clone())
        .collect();
    ok(&providers)
}

pub(crate) async fn create_oauth_provider(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: OAuthProviderCreateRequest = body_only(&body)?;
    let now = Utc::now();
    let provider = OAuthProviderResponse {
        auth_url: request.auth_url,
        client_id: request.client_id,
        code_challenge_method: Some(request.code_challenge_method),
        created_at: now,
        id: Uuid::new_v4().to_string(),
        is_dynamic_client: false,
        mcp_server_url: None,
        name: request.name,
        organization_id: tenant.to_string(),
        provider_id: request.provider_id,
        provider_type: request.provider_type.map(|t| t.to_string()),
        token_endpoint_auth_method: request.token_endpoint_auth_method.to_string(),
        token_url: request.token_url,
        updated_at: now,
        uses_pkce: request.uses_pkce,
    };
    add_provider(&app, tenant, provider)
}

pub(crate) async fn create_mcp_oauth_provider(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: McpoAuthProviderCreateRequest = body_only(&body)?;
    let now = Utc::now();
    let server = request.mcp_server_url.trim_end_matches('/');
    let provider = OAuthProviderResponse {
        auth_url: format!("{server}/authorize"),
        client_id: format!("mock-client-{}", &Uuid::new_v4().simple().to_string()[..12]),
        code_challenge_method: Some("S256".to_string()),
        created_at: now,
        id: Uuid::new_v4().to_string(),
        is_dynamic_client: true,
        mcp_server_url: Some(request.mcp_server_url.clone()),
        name: request.name,
        organization_id: tenant.to_string(),
        provider_id: request.provider_id,
        provider_type: None,
        token_endpoint_auth_method: "none".to_string(),
        token_url: format!("{server}/token"),
        updated_at: now,
        uses_pkce: true,
    };
    add_provider(&app, tenant, provider)
}

fn add_provider(
    app: &App,
    tenant: Uuid,
    provider: OAuthProviderResponse,
) -> Result<Response, ApiError> {
    let mut state = app.state();
    let providers = &mut state.auth.providers;
    if providers
        .iter()
        .any(|(t, p)| *t == tenant && p.provider_id == provider.provider_id)
    {
        return Err(ApiError::conflict(format!(
            "OAuth provider '{}' already exists",
            provider.provider_id
        )));
    }
    providers.push((tenant, provider.clone()));
    Ok(ok(&provider))
}

fn provider_mut<'a>(
    providers: &'a mut [(Uuid, OAuthProviderResponse)],
    tenant: Uuid,
    provider_id: &str,
) -> Result<&'a mut OAuthProviderResponse, ApiError> {
    providers
        .iter_mut()
        .find(|(t, p)| *t == tenant && p.provider_id == provider_id)
        .map(|(_, p)| p)
        .ok_or_else(|| ApiError::not_found("OAuth provider"))
}

pub(crate) async fn get_oauth_provider(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(provider_id): Path<String>,
) -> Result<Response, ApiError> {
    let mut state = app.state();
    Ok(ok(provider_mut(
        &mut state.auth.providers,
        tenant,
        &provider_id,
    )?))
}

pub(crate) async fn update_oauth_provider(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(provider_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: OAuthProviderUpdateRequest = body_only(&body)?;
    let mut state = app.state();
    let provider = provider_mut(&mut state.auth.providers, tenant, &provider_id)?;
    let OAuthProviderUpdateRequest {
        auth_url,
        client_id,
        client_secret: _,
        code_challenge_method,
        name,
        token_url,
        uses_pkce,
    } = request;
    provider.auth_url = auth_url.unwrap_or(provider.auth_url.clone());
    provider.client_id = client_id.unwrap_or(provider.client_id.clone());
    provider.code_challenge_method =
        code_challenge_method.or(provider.code_challenge_method.clone());
    provider.name = name.unwrap_or(provider.name.clone());
    provider.token_url = token_url.unwrap_or(provider.token_url.clone());
    provider.uses_pkce = uses_pkce.unwrap_or(provider.uses_pkce);
    provider.updated_at = Utc::now();
    Ok(ok(&*provider))
}

pub(crate) async fn delete_oauth_provider(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(provider_id): Path<String>,
) -> Result<Response, ApiError> {
    let providers = &mut app.state().auth.providers;
    let index = providers
        .iter()
        .position(|(t, p)| *t == tenant && p.provider_id == provider_id)
        .ok_or_else(|| ApiError::not_found("OAuth provider"))?;
    providers.remove(index);
    Ok(json_response(StatusCode::OK, &Value::Null))
}

pub(crate) async fn list_oauth_tokens_for_user(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Response {
    let provider_id = Params::new(query.as_deref()).string("provider_id");
    let state = app.state();
    let tokens: Vec<OAuthTokenSummary> = state
        .auth
        .tokens
        .iter()
        .filter(|(t, token)| {
            *t == tenant && provider_id.as_ref().is_none_or(|p| *p == token.provider_id)
        })
        .map(|(_, token)| token.clone())
        .collect();
    ok(&tokens)
}

/// The required `provider_id` query parameter.
fn required_provider(query: Option<&str>) -> Result<String, ApiError> {
    let mut params = Params::new(query);
    let provider_id = params.required_string("provider_id");
    params.done(provider_id)
}

pub(crate) async fn delete_oauth_tokens_for_user(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let provider_id = required_provider(query.as_deref())?;
    revoke(&app, tenant, &provider_id);
    Ok(json_response(StatusCode::OK, &Value::Null))
}

pub(crate) async fn check_oauth_token_exists(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let provider_id = required_provider(query.as_deref())?;
    Ok(ok(&has_token(&app, tenant, &provider_id)))
}

pub(crate) async fn revoke_all_slack_tokens_for_workspace(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    revoke(&app, tenant, "slack");
    json_response(StatusCode::OK, &Value::Null)
}

pub(crate) async fn check_workspace_slack_tokens_exist(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    ok(&has_token(&app, tenant, "slack"))
}

fn revoke(app: &App, tenant: Uuid, provider_id: &str) {
    let mut state = app.state();
    state
        .auth
        .tokens
        .retain(|(t, token)| !(*t == tenant && token.provider_id == provider_id));
}

fn has_token(app: &App, tenant: Uuid, provider_id: &str) -> OAuthTokenStatusResponse {
    let state = app.state();
    let has_token = state
        .auth
        .tokens
        .iter()
        .any(|(t, token)| *t == tenant && token.provider_id == provider_id);
    OAuthTokenStatusResponse { has_token }
}

pub(crate) async fn delete_single_oauth_token(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(token_id): Path<String>,
) -> Result<Response, ApiError> {
    let mut state = app.state();
    let before = state.auth.tokens.len();
    state
        .auth
        .tokens
        .retain(|(t, token)| !(*t == tenant && token.id == token_id));
    if state.auth.tokens.len() == before {
        return Err(ApiError::not_found("Token"));
    }
    Ok(no_content())
}

pub(crate) async fn update_token_label(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(token_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: OAuthTokenUpdateRequest = body_only(&body)?;
    let mut state = app.state();
    let tokens = &mut state.auth.tokens;
    let index = tokens
        .iter()
        .position(|(t, token)| *t == tenant && token.id == token_id)
        .ok_or_else(|| ApiError::not_found("Token"))?;
    if request.is_default == Some(true) {
        let provider_id = tokens[index].1.provider_id.clone();
        clear_default(tokens, tenant, &provider_id);
    }
    let token = &mut tokens[index].1;
    if let Some(is_default) = request.is_default {
        token.is_default = is_default;
    }
    if let Some(label) = request.provider_account_label {
        token.provider_account_label = Some(label);
    }
    token.updated_at = Utc::now();
    Ok(ok(&*token))
}

/// The longest long-poll, in seconds (a day).
const MAX_WAIT_SECS: u64 = 24 * 60 * 60;

/// Long-polls a flow until it completes or `timeout` seconds (default 30) pass.
pub(crate) async fn wait_for_auth_completion(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(auth_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let timeout = params.int("timeout", 30, None, None);
    params.finish()?;
    // Any integer is a valid timeout; past a day (or where the clock cannot reach) a wait is as
    // good as endless for a test, and adding more to an `Instant` would overflow.
    let wait = Duration::from_secs(u64::try_from(timeout).unwrap_or(0).min(MAX_WAIT_SECS));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let outcome = {
            let state = app.state();
            match state
                .auth
                .flows
                .iter()
                .find(|f| f.tenant == tenant && f.auth_id == auth_id)
            {
                None => Some((AuthWaitStatus::NotFound, None)),
                Some(Flow {
                    token_id: Some(token_id),
                    ..
                }) => Some((AuthWaitStatus::Completed, Some(access_token(token_id)))),
                Some(_) => None,
            }
        };
        if let Some((status, token)) = outcome {
            return Ok(ok(&AuthWaitResponse { status, token }));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(ok(&AuthWaitResponse {
                status: AuthWaitStatus::Timeout,
                token: None,
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
