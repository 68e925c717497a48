//! `/v2/deployments/{deployment_id}/revisions...`: list, get, redeploy and logs.

use axum::extract::{Extension, Path, RawQuery, State};
use axum::response::Response;
use langsmith_control_plane_api::open_enums::{LogLevel, LogOrder, LogType};
use langsmith_control_plane_api::types::{LogsResponse, Revision, RevisionsList};
use tokio::time::Instant;
use uuid::Uuid;

use crate::http::params::{Params, comma_list, known_values, path_uuids};
use crate::http::response::ok;
use crate::problem::ApiError;
use crate::state::App;
use crate::state::Tenant;
use crate::world::logs::{self, LogQuery, Stream};
use crate::world::store::{RevisionRecord, State as Store};

pub(crate) async fn list_revisions(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(deployment_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let id = params.path_uuid("deployment_id", &deployment_id);
    let page = params.page(20, 100);
    let statuses = params.string("status").map(|s| comma_list(&s));
    let _ = params.bool("remote_reconciled");
    params.finish()?;

    let state = app.state();
    let deployment = state
        .deployment(tenant, id)
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    let now = Instant::now();
    // Filter on the status alone and build responses only for the page: listing deep into a
    // long history stays linear.
    let resources: Vec<Revision> = page
        .select(deployment.revisions.iter().rev().filter(|r| {
            statuses.as_ref().is_none_or(|s| {
                let status = r.status_at(now).0;
                s.iter().any(|s| s == status.as_str())
            })
        }))
        .into_iter()
        .map(|r| r.to_api(now))
        .collect();
    Ok(ok(&RevisionsList {
        offset: page.next_offset(resources.len()),
        resources,
    }))
}

pub(crate) async fn get_revision(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path((deployment_id, revision_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ids = path_uuids([
        ("deployment_id", &deployment_id),
        ("revision_id", &revision_id),
    ])?;
    let state = app.state();
    let revision = find(&state, tenant, ids)?;
    Ok(ok(&revision.to_api(Instant::now())))
}

pub(crate) async fn redeploy_revision(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path((deployment_id, revision_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ids = path_uuids([
        ("deployment_id", &deployment_id),
        ("revision_id", &revision_id),
    ])?;
    let mut guard = app.state();
    let state = &mut *guard;
    let revision = find(state, tenant, ids)?;
    let (source, mut config) = (revision.source.clone(), revision.config.clone());
    config.repo_commit_sha = None;
    let plan = state.plan_revision(&source, &config);
    let deployment = state
        .deployment_mut(tenant, ids[0])
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    deployment.source = source;
    deployment.start_revision(config, plan);
    Ok(ok(&deployment.to_api(Instant::now())))
}

pub(crate) async fn list_revision_logs(
    State(app): State<App>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path((deployment_id, revision_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = Params::new(query.as_deref());
    let ids = [
        params.path_uuid("deployment_id", &deployment_id),
        params.path_uuid("revision_id", &revision_id),
    ];
    let stream = params.choice("type", &known_values!(LogType), true);
    let start = params.datetime("start_time");
    let end = params.datetime("end_time");
    let order = params.choice("order", &known_values!(LogOrder), false);
    let limit = params.int("limit", 50, Some(1), Some(1000));
    let cursor = params.string("offset");
    let text = params.string("query");
    let min_level = params.choice("level", &known_values!(LogLevel), false);
    let _ = params.string("run_id");
    params.finish()?;

    let state = app.state();
    let revision = find(&state, tenant, ids)?;
    let cursor = match cursor.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            Some(logs::parse_cursor(raw).ok_or_else(|| ApiError::bad_request("Invalid offset"))?)
        }
    };
    let query = LogQuery {
        stream: if stream.as_deref() == Some("deploy") {
            Stream::Deploy
        } else {
            Stream::Build
        },
        descending: order.as_deref() == Some("desc"),
        limit: usize::try_from(limit).unwrap_or(50),
        cursor,
        min_level,
        text,
        start,
        end,
    };
    let page = logs::read(revision, Instant::now(), &query);
    Ok(ok(&LogsResponse {
        logs: page.logs,
        next_offset: page.next_offset,
    }))
}

fn find(
    state: &Store,
    tenant: Uuid,
    [deployment_id, revision_id]: [Uuid; 2],
) -> Result<&RevisionRecord, ApiError> {
    let deployment = state
        .deployment(tenant, deployment_id)
        .ok_or_else(|| ApiError::not_found("Deployment"))?;
    deployment
        .revision(revision_id)
        .ok_or_else(|| ApiError::not_found("Revision"))
}
