//! Decoding and re-encoding each type of the API.

use langsmith_control_plane_api::open_enums as e;
use langsmith_control_plane_api::types as t;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `bytes` as `T`; when that succeeds, encoding and decoding again must give an equal
/// value and the same bytes. Panics (a finding) otherwise; a decoding error is no finding.
pub fn round_trip<T>(name: &str, bytes: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let encoded = serde_json::to_vec(&value)
        .unwrap_or_else(|e| panic!("{name}: decoded value does not encode: {e}\n{value:?}"));
    let again = serde_json::from_slice::<T>(&encoded).unwrap_or_else(|e| {
        panic!(
            "{name}: its own encoding does not decode: {e}\n  input:   {}\n  encoded: {}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&encoded)
        )
    });
    assert_eq!(
        value,
        again,
        "{name}: value changed through re-encoding\n  input:   {}\n  encoded: {}",
        String::from_utf8_lossy(bytes),
        String::from_utf8_lossy(&encoded)
    );
    let encoded_again = serde_json::to_vec(&again).expect("encodes once more");
    assert_eq!(
        encoded,
        encoded_again,
        "{name}: encoding is not stable\n  input: {}",
        String::from_utf8_lossy(bytes)
    );
}

macro_rules! every_type {
    ($($name:literal => $ty:ty),* $(,)?) => {
        /// Every component schema of the document and every other response body type, by name.
        pub const TYPES: &[&str] = &[$($name),*];

        /// Runs [`round_trip`] for the type named `name`; `false` when there is no such type.
        pub fn round_trip_named(name: &str, bytes: &[u8]) -> bool {
            match name {
                $($name => round_trip::<$ty>($name, bytes),)*
                _ => return false,
            }
            true
        }
    };
}

// The component schemas (as in tests/it/schemas.rs), then the bodies that are no component.
every_type! {
    "AgentConnectionListResponse" => t::AgentConnectionListResponse,
    "AgentConnectionResponse" => t::AgentConnectionResponse,
    "ApiErrorBody" => t::ApiErrorBody,
    "ApiErrorDetail" => t::ApiErrorDetail,
    "AuthAuthenticateRequest" => t::AuthAuthenticateRequest,
    "AuthAuthenticateResponse" => t::AuthAuthenticateResponse,
    "AuthStatus" => e::AuthStatus,
    "AuthWaitResponse" => t::AuthWaitResponse,
    "AuthWaitStatus" => e::AuthWaitStatus,
    "Container" => t::Container,
    "CreateAgentConnectionRequest" => t::CreateAgentConnectionRequest,
    "Deployment" => t::Deployment,
    "DeploymentCreateRequest" => t::DeploymentCreateRequest,
    "DeploymentPatchRequest" => t::DeploymentPatchRequest,
    "DeploymentSource" => e::DeploymentSource,
    "DeploymentStatus" => e::DeploymentStatus,
    "DeploymentType" => e::DeploymentType,
    "DeploymentsList" => t::DeploymentsList,
    "EnvVar" => t::EnvVar,
    "GithubIntegration" => t::GithubIntegration,
    "GithubRepository" => t::GithubRepository,
    "HTTPValidationError" => t::HttpValidationError,
    "Listener" => t::Listener,
    "ListenerComputeConfig" => t::ListenerComputeConfig,
    "ListenerComputeType" => e::ListenerComputeType,
    "ListenerConfig" => t::ListenerConfig,
    "ListenerCreateRequest" => t::ListenerCreateRequest,
    "ListenerPatchRequest" => t::ListenerPatchRequest,
    "ListenersList" => t::ListenersList,
    "LocalObjectReference" => t::LocalObjectReference,
    "LogLevel" => e::LogLevel,
    "LogOrder" => e::LogOrder,
    "LogType" => e::LogType,
    "LogsResponse" => t::LogsResponse,
    "MCPOAuthProviderCreateRequest" => t::McpoAuthProviderCreateRequest,
    "OAuthFinalizeRequest" => t::OAuthFinalizeRequest,
    "OAuthProviderCreateRequest" => t::OAuthProviderCreateRequest,
    "OAuthProviderResponse" => t::OAuthProviderResponse,
    "OAuthProviderType" => e::OAuthProviderType,
    "OAuthProviderUpdateRequest" => t::OAuthProviderUpdateRequest,
    "OAuthTokenStatusResponse" => t::OAuthTokenStatusResponse,
    "OAuthTokenSummary" => t::OAuthTokenSummary,
    "OAuthTokenUpdateRequest" => t::OAuthTokenUpdateRequest,
    "ResourceRequirements" => t::ResourceRequirements,
    "ResourceSpec-Input" => t::ResourceSpecInput,
    "ResourceSpec-Output" => t::ResourceSpecOutput,
    "Revision" => t::Revision,
    "RevisionSource" => e::RevisionSource,
    "RevisionStatus" => e::RevisionStatus,
    "RevisionsList" => t::RevisionsList,
    "Secret" => t::Secret,
    "SecretReference" => t::SecretReference,
    "SourceConfig" => t::SourceConfig,
    "SourceConfigRequest" => t::SourceConfigRequest,
    "SourceRevisionConfig" => t::SourceRevisionConfig,
    "SourceRevisionConfigRequest" => t::SourceRevisionConfigRequest,
    "TokenEndpointAuthMethod" => e::TokenEndpointAuthMethod,
    "ValidationError" => t::ValidationError,
    "Volume" => t::Volume,
    "VolumeMount" => t::VolumeMount,
    "[GithubIntegration]" => Vec<t::GithubIntegration>,
    "[GithubRepository]" => Vec<t::GithubRepository>,
    "[OAuthProviderResponse]" => Vec<t::OAuthProviderResponse>,
    "[OAuthTokenSummary]" => Vec<t::OAuthTokenSummary>,
    "{}" => serde_json::Value,
}

/// The schema examples (`tests/fixtures/schema-examples.json`): one valid value per schema.
pub fn examples() -> &'static [(String, serde_json::Value)] {
    static EXAMPLES: std::sync::OnceLock<Vec<(String, serde_json::Value)>> =
        std::sync::OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/schema-examples.json");
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).expect("schema examples are JSON");
        map.into_iter().collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_names_a_type_and_round_trips() {
        for (name, example) in examples() {
            let bytes = serde_json::to_vec(example).unwrap();
            assert!(round_trip_named(name, &bytes), "no type for {name}");
        }
    }
}
