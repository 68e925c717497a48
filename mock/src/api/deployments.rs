//! `/v2/deployments` and `/v2/deployments/{deployment_id}`.

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use langsmith_control_plane_api::open_enums::{DeploymentSource, DeploymentType};
use langsmith_control_plane_api::types::{
    Deployment, DeploymentCreateRequest, DeploymentPatchRequest, DeploymentsList, SourceConfig,
    SourceRevisionConfig,
};
use serde_json::json;
use tokio::time::Instant;
use uuid::Uuid;

use crate::http::body::JsonBody;
use crate::http::params::{Params, body_only, comma_list, known_values, path_uuids};
use crate::http::response::{created, json_response, no_content, ok};
use crate::problem::ApiError;
use crate::state::App;
use crate::state::Tenant;
use crate::world::store::{State as Store, merged, revision_config, source_config};

pub(crate) async fn list_deployments(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let page = params.page(20, 100);
    let name_contains = params.string("name_contains").map(|s| s.to_lowercase());
    let statuses = params.string("status").map(|s| comma_list(&s));
    let deployment_type = params.choice("deployment_type", &known_values!(DeploymentType), false);
    let image_version = params.string("image_version");
    let ids = params.string("deployment_ids");
    let _ = params.bool("remote_reconciled");
    params.finish()?;
    let ids = ids.map(|ids| parse_id_list(&ids)).transpose()?;

    let now = Instant::now();
    let state = app.state();
    // Filter on the records and build responses only for the page: listing deep into a large
    // workspace stays linear.
    let resources: Vec<Deployment> = page
        .select(
            state
                .deployments
                .iter()
                .rev()
                .filter(|d| d.tenant_id == tenant)
                .filter(|d| {
                    name_contains
                        .as_ref()
                        .is_none_or(|n| d.name.to_lowercase().contains(n))
                })
                .filter(|d| ids.as_ref().is_none_or(|ids| ids.contains(&d.id)))
                .filter(|d| {
                    deployment_type.as_ref().is_none_or(|t| {
                        d.source_config
                            .deployment_type
                            .as_ref()
                            .is_some_and(|dt| dt.as_str() == t)
                    })
                })
                .filter(|d| {
                    statuses.as_ref().is_none_or(|s| {
                        let status = d.status(now);
                        s.iter().any(|s| s == status.as_str())
                    })
                })
                // The mock records no image version (responses carry none), so asking for one
                // matches nothing.
                .filter(|_| image_version.is_none()),
        )
        .into_iter()
        .map(|d| d.to_api(now))
        .collect();
    Ok(ok(&DeploymentsList {
        offset: page.next_offset(resources.len()),
        resources,
    }))
}

pub(crate) async fn create_deployment(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let request: DeploymentCreateRequest = body_only(&body)?;

    let mut state = app.state();
    if request.name.trim().is_empty() {
        return Err(ApiError::bad_request("Deployment name must not be empty"));
    }
    if state
        .deployments
        .iter()
        .any(|d| d.tenant_id == tenant && d.name == request.name)
    {
        return Err(ApiError::bad_request(format!(
            "A deployment named '{}' already exists in this workspace",
            request.name
        )));
    }
    let config = source_config(&request.source_config);
    let revision = revision_config(&request.source_revision_config);
    // Uploaded source needs the deployment first (to ask for an upload URL): without an archive
    // yet, it is created with no revision.
    let building = !(request.source == DeploymentSource::InternalSource
        && revision.source_tarball_path.is_none());
    if building {
        check_source(&state, tenant, &request.source, &config, &revision)?;
    } else {
        check_listener(&state, tenant, &config)?;
    }
    let plan = building.then(|| state.plan_revision(&request.source, &revision));
    let deployment = state.insert_deployment(tenant, request, (config, revision), plan);
    Ok(created(&deployment))
}

pub(crate) async fn get_deployment(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
) -> Result<Response, ApiError> {
    let [id] = path_uuids([("deployment_id", &deployment_id)])?;
    let state = app.state();
    let deployment = state
        .deployment(tenant, id)
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    Ok(ok(&deployment.to_api(Instant::now())))
}

pub(crate) async fn patch_deployment(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let mut params = Params::new(None);
    let id = params.path_uuid("deployment_id", &deployment_id);
    let request = params.body::<DeploymentPatchRequest>(&body);
    let request = params.done(request)?;

    let mut guard = app.state();
    let state = &mut *guard;
    let deployment = state
        .deployment(tenant, id)
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    if request.revision_source.is_some() && request.source_revision_config.is_none() {
        return Err(ApiError::bad_request(
            "revision_source can only be changed together with source_revision_config",
        ));
    }
    // Work out the result first: a rejected change must leave the deployment as it was.
    let source = request.revision_source.as_ref().map_or_else(
        || deployment.source.clone(),
        |s| DeploymentSource::from(s.as_str()),
    );
    let config = match &request.source_config {
        Some(patch) => {
            let mut config = merged(&deployment.source_config, patch);
            // The service replaces the sizing whole, as it does the secrets: no field merge.
            if let Some(spec) = &patch.resource_spec {
                config.resource_spec = Some(merged(&Default::default(), spec));
            }
            config
        }
        None => deployment.source_config.clone(),
    };
    let revision = match &request.source_revision_config {
        Some(patch) => merged(&deployment.latest_config(), patch),
        None => deployment.latest_config(),
    };
    let settings_changed = request.secrets.is_some()
        || request.secret_references.is_some()
        || request
            .source_config
            .as_ref()
            .is_some_and(|c| c.resource_spec.is_some());
    // Uploaded source with no archive yet has nothing to rebuild when only settings change.
    let nothing_uploaded =
        source == DeploymentSource::InternalSource && revision.source_tarball_path.is_none();
    let new_revision =
        request.source_revision_config.is_some() || (settings_changed && !nothing_uploaded);
    if new_revision {
        check_source(state, tenant, &source, &config, &revision)?;
    } else {
        check_listener(state, tenant, &config)?;
    }
    let plan = new_revision.then(|| state.plan_revision(&source, &revision));

    let deployment = state
        .deployment_mut(tenant, id)
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    deployment.source = source;
    deployment.source_config = config;
    if let Some(secrets) = request.secrets {
        deployment.secrets = secrets;
    }
    if let Some(references) = request.secret_references {
        deployment.secret_references = Some(references);
    }
    deployment.updated_at = Utc::now();
    if let Some(plan) = plan {
        deployment.start_revision(revision, plan);
    }
    Ok(ok(&deployment.to_api(Instant::now())))
}

pub(crate) async fn delete_deployment(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let id = params.path_uuid("deployment_id", &deployment_id);
    let _ = params.bool("delete_tracing_project");
    params.finish()?;
    let mut state = app.state();
    let before = state.deployments.len();
    state
        .deployments
        .retain(|d| !(d.id == id && d.tenant_id == tenant));
    if state.deployments.len() == before {
        return Err(ApiError::not_found("Deployment"));
    }
    Ok(no_content())
}

pub(crate) async fn delete_deployments(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let ids = params.uuid_list("deployment_ids", 100);
    params.finish()?;
    let now = Instant::now();
    let mut state = app.state();
    // Each ID on its own: the known ones go AWAITING_DELETE, the others are reported in a 207.
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for id in ids {
        if deleted.contains(&id) {
            continue;
        }
        match state.deployment_mut(tenant, id) {
            None => failed.push(json!({
                "deployment_id": id,
                "status_code": 404,
                "detail": format!("Deployment {id} not found"),
            })),
            Some(record) if record.deleting_since.is_some() => failed.push(json!({
                "deployment_id": id,
                "status_code": 409,
                "detail": format!("Deployment {id} is already being deleted"),
            })),
            Some(record) => {
                record.deleting_since = Some(now);
                deleted.push(id);
            }
        }
    }
    if failed.is_empty() {
        return Ok(json_response(StatusCode::OK, &serde_json::Value::Null));
    }
    Ok(json_response(
        StatusCode::MULTI_STATUS,
        &json!({"deleted": deleted, "failed": failed}),
    ))
}

/// What each source needs to build from, as the service checks it (400 when missing), and the
/// listener it names.
fn check_source(
    state: &Store,
    tenant: Uuid,
    source: &DeploymentSource,
    config: &SourceConfig,
    revision: &SourceRevisionConfig,
) -> Result<(), ApiError> {
    let required: &[(&str, bool)] = match source {
        DeploymentSource::Github => &[
            ("source_config.repo_url", config.repo_url.is_some()),
            (
                "source_revision_config.repo_ref",
                revision.repo_ref.is_some(),
            ),
        ],
        DeploymentSource::ExternalDocker | DeploymentSource::InternalDocker => &[(
            "source_revision_config.image_uri",
            revision.image_uri.is_some(),
        )],
        DeploymentSource::InternalSource => &[(
            "source_revision_config.source_tarball_path",
            revision.source_tarball_path.is_some(),
        )],
        _ => &[],
    };
    if let Some((field, _)) = required.iter().find(|(_, present)| !present) {
        return Err(ApiError::bad_request(format!(
            "{field} is required when source is '{source}'"
        )));
    }
    check_listener(state, tenant, config)
}

/// 400 when the configuration names a listener the workspace does not have.
fn check_listener(state: &Store, tenant: Uuid, config: &SourceConfig) -> Result<(), ApiError> {
    if let Some(listener_id) = config.listener_id
        && state.listener(tenant, listener_id).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "Listener {listener_id} not found"
        )));
    }
    Ok(())
}

fn parse_id_list(text: &str) -> Result<Vec<Uuid>, ApiError> {
    comma_list(text)
        .iter()
        .map(|id| {
            Uuid::parse_str(id)
                .map_err(|_| ApiError::bad_request(format!("Invalid deployment ID: '{id}'")))
        })
        .collect()
}
