//! Ready-made request bodies for tests and demos.

use langsmith_control_plane_api::open_enums::{DeploymentSource, DeploymentType};
use langsmith_control_plane_api::types::{
    DeploymentCreateRequest, SourceConfigRequest, SourceRevisionConfigRequest,
};

/// A valid request for a development deployment named `name`, built from the `main` branch of a
/// GitHub repository, without secrets.
///
/// ```
/// let request = langsmith_control_plane_mock::github_deployment_request("support-agent");
/// assert_eq!(request.source_revision_config.repo_ref.as_deref(), Some("main"));
/// ```
pub fn github_deployment_request(name: &str) -> DeploymentCreateRequest {
    DeploymentCreateRequest {
        name: name.to_string(),
        secret_references: None,
        secrets: Vec::new(),
        source: DeploymentSource::Github,
        source_config: SourceConfigRequest {
            deployment_type: Some(DeploymentType::Dev),
            repo_url: Some(format!("https://github.com/example/{name}")),
            build_on_push: Some(false),
            ..SourceConfigRequest::default()
        },
        source_revision_config: SourceRevisionConfigRequest {
            langgraph_config_path: Some("langgraph.json".to_string()),
            repo_ref: Some("main".to_string()),
            ..SourceRevisionConfigRequest::default()
        },
    }
}
