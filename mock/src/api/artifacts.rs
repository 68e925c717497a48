//! `/v2/deployments/{deployment_id}/upload-url` and `/push-token`: where a client puts the
//! source archive or image that a revision is then built from.

use std::collections::BTreeMap;

use axum::extract::{Extension, Path, State};
use axum::response::Response;
use langsmith_control_plane_api::Sensitive;
use langsmith_control_plane_api::types::{
    PushTokenRequest, PushTokenResponse, UploadUrlRequest, UploadUrlResponse,
};
use uuid::Uuid;

use crate::http::body::JsonBody;
use crate::http::params::Params;
use crate::http::response::ok;
use crate::problem::ApiError;
use crate::state::App;
use crate::state::Tenant;
use crate::world::uploads::{RANGE_HEADER, UploadSlot, default_range};

/// The registry host the push tokens are for; `.invalid` never resolves, so nothing is pushed
/// anywhere by mistake.
const REGISTRY: &str = "registry.mock.invalid";

/// A random token of 32 hex digits.
fn random_hex() -> String {
    Uuid::new_v4().simple().to_string()
}

pub(crate) async fn request_upload_url(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let mut params = Params::new(None);
    let id = params.path_uuid("deployment_id", &deployment_id);
    let request = params.body::<UploadUrlRequest>(&body);
    let request = params.done(request)?;

    let mut state = app.state();
    if state.deployment(tenant, id).is_none() {
        return Err(ApiError::not_found("Deployment"));
    }
    let slot = UploadSlot {
        id: random_hex(),
        signature: format!("{}{}", random_hex(), random_hex()),
        object_path: format!("uploads/{id}/{}.tar.gz", random_hex()),
        required_headers: upload_headers(&app, id, request.supports_upload_headers),
    };
    let response = UploadUrlResponse {
        upload_url: Sensitive::new(format!(
            "{}/uploads/{}?signature={}",
            app.upload_origin, slot.id, slot.signature
        )),
        object_path: slot.object_path.clone(),
        upload_headers: request
            .supports_upload_headers
            .then(|| slot.required_headers.clone()),
    };
    state.uploads.add_slot(slot);
    Ok(ok(&response))
}

/// What an upload must carry. A client that takes `upload_headers` gets the size range signed
/// for this server's limit and a header naming the deployment, so that one sending only the
/// default range is caught; one that does not gets the fixed default range.
fn upload_headers(app: &App, deployment_id: Uuid, supported: bool) -> BTreeMap<String, String> {
    if supported {
        BTreeMap::from([
            (
                RANGE_HEADER.to_string(),
                format!("0,{}", app.config.upload_limit),
            ),
            (
                "x-goog-meta-deployment-id".to_string(),
                deployment_id.to_string(),
            ),
        ])
    } else {
        BTreeMap::from([(RANGE_HEADER.to_string(), default_range())])
    }
}

pub(crate) async fn request_push_token(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let mut params = Params::new(None);
    let id = params.path_uuid("deployment_id", &deployment_id);
    let request = params.body::<PushTokenRequest>(&body);
    let request = params.done(request)?;

    if app.state().deployment(tenant, id).is_none() {
        return Err(ApiError::not_found("Deployment"));
    }
    Ok(ok(&PushTokenResponse {
        token: Sensitive::new(format!("mock-push-{}", random_hex())),
        registry_url: REGISTRY.to_string(),
        username: request
            .supports_registry_username
            .then(|| "mock-push".to_string()),
        repository_url: Some(format!("{REGISTRY}/deployments/{id}")),
    }))
}
