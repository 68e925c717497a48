//! `/v1/integrations/...`: the GitHub app installations a workspace can deploy from, and their
//! repositories. Empty unless a test adds some with
//! [`MockServer::add_github_integration`](crate::MockServer::add_github_integration).

use axum::extract::{Path, State};
use axum::response::Response;
use langsmith_control_plane_api::types::{GithubIntegration, GithubRepository};

use crate::http::params::path_uuids;
use crate::http::response::ok;
use crate::problem::ApiError;
use crate::state::App;
use crate::world::store::State as Store;

/// Which of the two integration families a request is about.
#[derive(Clone, Copy)]
enum Family {
    Github,
    Forge,
}

impl Family {
    fn entries(self, state: &Store) -> &[(GithubIntegration, Vec<GithubRepository>)] {
        match self {
            Family::Github => &state.github,
            Family::Forge => &state.forge_github,
        }
    }
}

fn integrations(app: &App, family: Family) -> Vec<GithubIntegration> {
    let state = app.state();
    family
        .entries(&state)
        .iter()
        .map(|(integration, _)| integration.clone())
        .collect()
}

fn repositories(app: &App, family: Family, raw_id: &str) -> Result<Response, ApiError> {
    let [id] = path_uuids([("integration_id", raw_id)])?;
    let state = app.state();
    let (_, repositories) = family
        .entries(&state)
        .iter()
        .find(|(integration, _)| integration.id == id)
        .ok_or_else(|| ApiError::not_found("Integration"))?;
    Ok(ok(repositories))
}

pub(crate) async fn list_github_integrations(State(app): State<App>) -> Response {
    ok(&integrations(&app, Family::Github))
}

pub(crate) async fn list_forge_github_integrations(State(app): State<App>) -> Response {
    ok(&integrations(&app, Family::Forge))
}

pub(crate) async fn list_github_repositories(
    State(app): State<App>,
    Path(integration_id): Path<String>,
) -> Result<Response, ApiError> {
    repositories(&app, Family::Github, &integration_id)
}

pub(crate) async fn list_forge_github_repositories(
    State(app): State<App>,
    Path(integration_id): Path<String>,
) -> Result<Response, ApiError> {
    repositories(&app, Family::Forge, &integration_id)
}
