//! Every operation of the API: its ID, method and path template, and the handler that serves it.
//! One table feeds both the router ([`crate::api`]) and the lookup that names the operation of a
//! request (for faults, the request record and the document's schemas), so the two cannot
//! disagree. The table is data here: its handler paths are resolved where the router is built,
//! so this module depends on no handler.

use axum::http::Method;

/// An operation of the API.
struct Entry {
    id: &'static str,
    method: Method,
    path: &'static str,
}

/// The operation a request addresses (its ID), put in the request's extensions by the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operation(pub(crate) &'static str);

/// Calls the macro `$then` with the table: `id: METHOD "/path" => handler;` per operation, the
/// handler as a path relative to [`crate::api`].
macro_rules! operation_table {
    ($then:ident) => {
        $then! {
            list_forge_github_integrations: GET "/v1/integrations/forge/github/install" => integrations::list_forge_github_integrations;
            list_forge_github_repositories: GET "/v1/integrations/forge/github/{integration_id}/repos" => integrations::list_forge_github_repositories;
            list_github_integrations: GET "/v1/integrations/github/install" => integrations::list_github_integrations;
            list_github_repositories: GET "/v1/integrations/github/{integration_id}/repos" => integrations::list_github_repositories;

            list_connections: GET "/v2/auth/agents/{agent_id}/connections" => agent_connections::list_connections;
            create_connection: POST "/v2/auth/agents/{agent_id}/connections" => agent_connections::create_connection;
            remove_connection: DELETE "/v2/auth/agents/{agent_id}/connections/{connection_id}" => agent_connections::remove_connection;

            authenticate: POST "/v2/auth/authenticate" => auth::authenticate;
            oauth_callback_get: GET "/v2/auth/callback/{provider_id}" => auth::oauth_callback_get;
            oauth_callback: POST "/v2/auth/callback/{provider_id}" => auth::oauth_callback;
            list_oauth_providers: GET "/v2/auth/providers" => auth::list_oauth_providers;
            create_oauth_provider: POST "/v2/auth/providers" => auth::create_oauth_provider;
            create_mcp_oauth_provider: POST "/v2/auth/providers/mcp-discover" => auth::create_mcp_oauth_provider;
            delete_oauth_provider: DELETE "/v2/auth/providers/{provider_id}" => auth::delete_oauth_provider;
            get_oauth_provider: GET "/v2/auth/providers/{provider_id}" => auth::get_oauth_provider;
            update_oauth_provider: PATCH "/v2/auth/providers/{provider_id}" => auth::update_oauth_provider;
            oauth_setup_callback: GET "/v2/auth/setup/{provider_id}" => auth::oauth_setup_callback;
            delete_oauth_tokens_for_user: DELETE "/v2/auth/tokens" => auth::delete_oauth_tokens_for_user;
            list_oauth_tokens_for_user: GET "/v2/auth/tokens" => auth::list_oauth_tokens_for_user;
            check_oauth_token_exists: GET "/v2/auth/tokens/exists" => auth::check_oauth_token_exists;
            revoke_all_slack_tokens_for_workspace: DELETE "/v2/auth/tokens/workspace/slack" => auth::revoke_all_slack_tokens_for_workspace;
            check_workspace_slack_tokens_exist: GET "/v2/auth/tokens/workspace/slack/exists" => auth::check_workspace_slack_tokens_exist;
            delete_single_oauth_token: DELETE "/v2/auth/tokens/{token_id}" => auth::delete_single_oauth_token;
            update_token_label: PATCH "/v2/auth/tokens/{token_id}/metadata" => auth::update_token_label;
            wait_for_auth_completion: GET "/v2/auth/wait/{auth_id}" => auth::wait_for_auth_completion;

            delete_deployments: DELETE "/v2/deployments" => deployments::delete_deployments;
            list_deployments: GET "/v2/deployments" => deployments::list_deployments;
            create_deployment: POST "/v2/deployments" => deployments::create_deployment;
            delete_deployment: DELETE "/v2/deployments/{deployment_id}" => deployments::delete_deployment;
            get_deployment: GET "/v2/deployments/{deployment_id}" => deployments::get_deployment;
            patch_deployment: PATCH "/v2/deployments/{deployment_id}" => deployments::patch_deployment;
            request_push_token: POST "/v2/deployments/{deployment_id}/push-token" => artifacts::request_push_token;
            list_revisions: GET "/v2/deployments/{deployment_id}/revisions" => revisions::list_revisions;
            get_revision: GET "/v2/deployments/{deployment_id}/revisions/{revision_id}" => revisions::get_revision;
            list_revision_logs: GET "/v2/deployments/{deployment_id}/revisions/{revision_id}/logs" => revisions::list_revision_logs;
            redeploy_revision: POST "/v2/deployments/{deployment_id}/revisions/{revision_id}/redeploy" => revisions::redeploy_revision;
            request_upload_url: POST "/v2/deployments/{deployment_id}/upload-url" => artifacts::request_upload_url;

            list_listeners: GET "/v2/listeners" => listeners::list_listeners;
            create_listener: POST "/v2/listeners" => listeners::create_listener;
            delete_listener: DELETE "/v2/listeners/{listener_id}" => listeners::delete_listener;
            get_listener: GET "/v2/listeners/{listener_id}" => listeners::get_listener;
            patch_listener: PATCH "/v2/listeners/{listener_id}" => listeners::patch_listener;
        }
    };
}
pub(crate) use operation_table;

macro_rules! entries {
    ($($id:ident: $method:ident $path:literal => $handler:path;)*) => {
        const OPERATIONS: &[Entry] = &[
            $(Entry { id: stringify!($id), method: Method::$method, path: $path },)*
        ];
    };
}
operation_table!(entries);

/// The operation IDs of the API (as in the OpenAPI document), in document order.
///
/// These are the names [`Fault::on`](crate::Fault::on) accepts and
/// [`RecordedRequest::operation`](crate::RecordedRequest::operation) reports.
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|operation| operation.id)
}

pub(crate) fn is_known(id: &str) -> bool {
    OPERATIONS.iter().any(|operation| operation.id == id)
}

/// The operation a request addresses; `path` is relative to the prefix. Literal segments win
/// over parameters, as in the router.
pub(crate) fn find(method: &Method, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    OPERATIONS
        .iter()
        .filter(|operation| operation.method == *method)
        .filter_map(|operation| {
            let template: Vec<&str> = operation.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut literal_matches = 0;
            for (expected, actual) in template.iter().zip(&segments) {
                if expected.starts_with('{') {
                    if actual.is_empty() {
                        return None;
                    }
                } else if expected == actual {
                    literal_matches += 1;
                } else {
                    return None;
                }
            }
            Some((literal_matches, operation.id))
        })
        .max_by_key(|(literal_matches, _)| *literal_matches)
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_forty_two_unique_operations() {
        let mut ids: Vec<&str> = operation_ids().collect();
        assert_eq!(ids.len(), 42);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 42);
    }

    #[test]
    fn requests_are_matched_to_their_operation() {
        let id = "5f8a1ab0-8f57-4f43-9b1e-6a2c4a1c7a10";
        assert_eq!(
            find(&Method::GET, "/v2/deployments"),
            Some("list_deployments")
        );
        assert_eq!(
            find(
                &Method::GET,
                &format!("/v2/deployments/{id}/revisions/{id}/logs")
            ),
            Some("list_revision_logs")
        );
        assert_eq!(
            find(&Method::POST, "/v2/auth/providers/mcp-discover"),
            Some("create_mcp_oauth_provider")
        );
        assert_eq!(
            find(&Method::GET, "/v2/auth/tokens/exists"),
            Some("check_oauth_token_exists")
        );
        assert_eq!(
            find(&Method::POST, &format!("/v2/deployments/{id}/upload-url")),
            Some("request_upload_url")
        );
        assert_eq!(
            find(&Method::POST, &format!("/v2/deployments/{id}/push-token")),
            Some("request_push_token")
        );
        assert_eq!(find(&Method::PUT, "/v2/deployments"), None);
        assert_eq!(find(&Method::GET, "/v2/deployments//revisions"), None);
        assert_eq!(find(&Method::GET, "/v3/deployments"), None);
    }
}
