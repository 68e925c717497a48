//! Constructors for a request body whose required fields make a struct literal long: one per
//! source, every optional setting empty. Hand-written here because an inherent `impl` must sit
//! in the crate that defines the type.

use crate::Sensitive;
use crate::open_enums::DeploymentSource;
use crate::types::{DeploymentCreateRequest, Secret, SourceRevisionConfigRequest};

/// **Start here.** One constructor per source: [`github`](Self::github), [`image`](Self::image),
/// [`internal_source`](Self::internal_source); then [`secret`](Self::secret) for each secret, or
/// set the public fields (`source_config`, `source_revision_config`) for the rest. Lists start
/// empty. (The generated [`builder`](Self::builder) returns a builder type of the same name that
/// checks the required fields only at run time.)
impl DeploymentCreateRequest {
    /// A deployment built from a GitHub repository at `git_ref` (a branch, tag or commit):
    /// source `github`. Creating it starts its first revision. Where the repository needs the
    /// GitHub integration, set `source_config.integration_id`.
    pub fn github(
        name: impl Into<String>,
        repo_url: impl Into<String>,
        git_ref: impl Into<String>,
    ) -> Self {
        let mut request = Self::empty(name.into(), DeploymentSource::Github);
        request.source_config.repo_url = Some(repo_url.into());
        request.source_revision_config.repo_ref = Some(git_ref.into());
        request
    }

    /// A deployment that runs the container image `image_uri`: source `external_docker`.
    /// Creating it starts its first revision.
    pub fn image(name: impl Into<String>, image_uri: impl Into<String>) -> Self {
        let mut request = Self::empty(name.into(), DeploymentSource::ExternalDocker);
        request.source_revision_config.image_uri = Some(image_uri.into());
        request
    }

    /// A deployment of uploaded source: source `internal_source`. Creating it starts no
    /// revision; one starts when the deployment is updated with an uploaded archive's
    /// `source_tarball_path` (the facade's `Client::deploy` with a source directory does all of
    /// it).
    pub fn internal_source(name: impl Into<String>) -> Self {
        Self::empty(name.into(), DeploymentSource::InternalSource)
    }

    /// Adds a secret: an environment variable of the deployment, whose value the service keeps
    /// secret.
    pub fn secret(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.push(Secret {
            name: name.into(),
            value: Sensitive::new(value),
        });
        self
    }

    fn empty(name: String, source: DeploymentSource) -> Self {
        Self {
            name,
            source,
            source_config: Default::default(),
            source_revision_config: SourceRevisionConfigRequest::default(),
            secrets: Vec::new(),
            secret_references: None,
        }
    }
}
