//! `/v2/listeners` and `/v2/listeners/{listener_id}`.

use axum::extract::{Extension, Path, RawQuery, State};
use axum::response::Response;
use chrono::Utc;
use langsmith_control_plane_api::types::{
    Listener, ListenerCreateRequest, ListenerPatchRequest, ListenersList,
};
use uuid::Uuid;

use crate::http::body::JsonBody;
use crate::http::params::{Params, body_only, path_uuids};
use crate::http::response::{created, no_content, ok};
use crate::problem::ApiError;
use crate::state::App;
use crate::state::Tenant;
use crate::world::store::ListenerRecord;

pub(crate) async fn list_listeners(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let page = params.page(20, 100);
    params.finish()?;
    let state = app.state();
    let resources = page.select(
        state
            .listeners
            .iter()
            .rev()
            .filter(|l| l.tenant_id == tenant)
            .map(|l| l.listener.clone()),
    );
    Ok(ok(&ListenersList {
        offset: page.next_offset(resources.len()),
        resources,
    }))
}

pub(crate) async fn create_listener(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: ListenerCreateRequest = body_only(&body)?;
    let mut state = app.state();
    let taken = state
        .listeners
        .iter()
        .any(|l| l.tenant_id == tenant && l.listener.compute_id == request.compute_id);
    if taken {
        return Err(ApiError::conflict(format!(
            "A listener for compute '{}' already exists",
            request.compute_id
        )));
    }
    let now = Utc::now();
    let listener = Listener {
        compute_config: request.compute_config,
        compute_id: request.compute_id,
        compute_type: request.compute_type,
        created_at: now,
        id: Uuid::new_v4(),
        updated_at: now,
        version: request.version,
    };
    state.listeners.push(ListenerRecord {
        tenant_id: tenant,
        listener: listener.clone(),
    });
    Ok(created(&listener))
}

pub(crate) async fn get_listener(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(listener_id): Path<String>,
) -> Result<Response, ApiError> {
    let [id] = path_uuids([("listener_id", &listener_id)])?;
    let state = app.state();
    let record = state
        .listener(tenant, id)
        .ok_or_else(|| ApiError::not_found("Listener"))?;
    Ok(ok(&record.listener))
}

pub(crate) async fn patch_listener(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(listener_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let mut params = Params::new(None);
    let id = params.path_uuid("listener_id", &listener_id);
    let request = params.body::<ListenerPatchRequest>(&body);
    let request = params.done(request)?;
    let mut state = app.state();
    let record = state
        .listener_mut(tenant, id)
        .ok_or_else(|| ApiError::not_found("Listener"))?;
    if let Some(config) = request.compute_config {
        record.listener.compute_config = config;
    }
    if let Some(version) = request.version {
        record.listener.version = Some(version);
    }
    record.listener.updated_at = Utc::now();
    Ok(ok(&record.listener))
}

pub(crate) async fn delete_listener(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(listener_id): Path<String>,
) -> Result<Response, ApiError> {
    let [id] = path_uuids([("listener_id", &listener_id)])?;
    app.state()
        .remove_listener(tenant, id)
        .ok_or_else(|| ApiError::not_found("Listener"))?;
    Ok(no_content())
}
