//! The OAuth side of a workspace: providers, authorization flows in progress, the tokens they
//! leave, and which agents may use which token.

use langsmith_control_plane_api::types::{
    AgentConnectionResponse, OAuthProviderResponse, OAuthTokenSummary,
};
use uuid::Uuid;

/// Providers, flows, tokens and agent connections, each tagged with its workspace.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    pub(crate) providers: Vec<(Uuid, OAuthProviderResponse)>,
    pub(crate) flows: Vec<Flow>,
    pub(crate) tokens: Vec<(Uuid, OAuthTokenSummary)>,
    pub(crate) connections: Vec<(Uuid, AgentConnectionResponse)>,
}

/// An authorization started by `authenticate`; it holds a token once its callback came.
#[derive(Debug)]
pub(crate) struct Flow {
    pub(crate) tenant: Uuid,
    pub(crate) auth_id: String,
    pub(crate) provider_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) is_default: bool,
    pub(crate) token_id: Option<String>,
}
