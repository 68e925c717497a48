//! The client: configuration, and the call that runs a generated operation under the policy.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use langsmith_control_plane_api as api;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;

use crate::config::{self, Explicit, Region, Settings};
use crate::error::{Error, ErrorBody};
use crate::policy::RetryPolicy;
use crate::transport::{CallTransport, Sender};

/// A Control Plane client. Cheap to clone; clones share one connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), langsmith_control_plane::Error> {
/// use langsmith_control_plane::Client;
/// let client = Client::from_env()?; // LANGSMITH_API_KEY, LANGSMITH_WORKSPACE_ID, ...
/// let deployment_id = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01".parse().unwrap();
/// let revision_id = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22".parse().unwrap();
/// let revision = client.get_revision(deployment_id, revision_id).await?;
/// println!("{}", revision.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    sender: Arc<Sender>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.sender.settings)
            .finish()
    }
}

impl Client {
    /// A builder with no settings taken from the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().from_env().build()
    }

    /// The settings this client runs with (the key is redacted in `Debug`).
    pub fn settings(&self) -> &Settings {
        &self.sender.settings
    }

    /// Runs a generated operation, for operations the facade has no shortcut for, with this
    /// client's authentication, timeouts, retries and tracing; returns its value or a typed
    /// [`Error`] naming the request.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), langsmith_control_plane::Error> {
    /// let providers = client.call(async |api| api.list_oauth_providers().send().await).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call<T, E: ErrorBody>(
        &self,
        operation: impl AsyncFnOnce(
            &api::Client,
        ) -> Result<ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> Result<T, Error> {
        self.run(operation).await.0
    }

    /// [`call`](Self::call), also telling whether the request was repeated after an attempt
    /// that may have reached the server.
    pub(crate) async fn run<T, E: ErrorBody>(
        &self,
        operation: impl AsyncFnOnce(
            &api::Client,
        ) -> Result<ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> (Result<T, Error>, bool) {
        // Each call gets its own transport, so it can tell this call what it saw.
        let transport = Arc::new(CallTransport {
            sender: self.sender.clone(),
            seen: Mutex::default(),
        });
        let api = api::Client::new_with_client(
            self.sender.settings.base_url(),
            self.http.clone(),
            api::transport::Transport::with_executor(transport.clone()),
        );
        let result = operation(&api).await;
        drop(api);
        let seen = std::mem::take(
            &mut *transport
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let repeated = seen.repeated;
        let limit = self.sender.settings.max_response_bytes;
        (Error::from_call(result, seen, limit).await, repeated)
    }
}

/// A caller-supplied reader of environment variables.
type EnvSource = Box<dyn Fn(&str) -> Option<String>>;

/// Builds a [`Client`]. Every setting is checked in [`build`](Self::build), before any request.
#[derive(Default)]
pub struct ClientBuilder {
    explicit: Explicit,
    http: Option<reqwest::ClientBuilder>,
    env: Option<EnvSource>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("explicit", &self.explicit)
            .field("custom_http_client_builder", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The LangSmith API key (sent as `X-Api-Key`). Takes precedence over the environment.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.explicit.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// The workspace (sent as `X-Tenant-Id`); must be a UUID. Needed with organization-scoped keys.
    pub fn workspace_id(mut self, id: impl fmt::Display) -> Self {
        self.explicit.workspace_id = Some(id.to_string());
        self
    }

    /// A hosted region; conflicts with [`base_url`](Self::base_url).
    pub fn region(mut self, region: Region) -> Self {
        self.explicit.region = Some(region);
        self
    }

    /// The base URL, which may carry a path prefix (self-hosted: `https://ls.example.com/api-host`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.explicit.base_url = Some(url.into());
        self
    }

    /// Allow plain `http://` to hosts other than loopback. The API key then travels unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.explicit.allow_insecure_http = allow;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.explicit.connect_timeout = Some(timeout);
        self
    }

    /// Timeout of each HTTP attempt (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.explicit.request_timeout = Some(timeout);
        self
    }

    /// Retry policy (default: [`RetryPolicy::default`]); [`RetryPolicy::none`] disables retries.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.explicit.retry = Some(policy);
        self
    }

    /// Largest response body accepted, in bytes (default 16 MiB). A larger response ends the call
    /// with [`Error::Decode`] without being held in memory.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.explicit.max_response_bytes = Some(limit);
        self
    }

    /// Text appended to the `User-Agent` header, e.g. `my-pipeline/1.2`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.explicit.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Build the HTTP client from this `reqwest::ClientBuilder` (proxies, custom CAs, pool
    /// settings), for example one from [`http_client_builder`](crate::http_client_builder).
    /// This crate still sets on it the timeouts, no redirects (a followed redirect would carry
    /// the key elsewhere) and no proxy for a loopback base URL.
    pub fn http_client(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Fill settings not given explicitly from the environment: `LANGSMITH_API_KEY`
    /// (then `LANGCHAIN_API_KEY`), `LANGSMITH_WORKSPACE_ID` (or `LANGSMITH_TENANT_ID`),
    /// `LANGSMITH_CONTROL_PLANE_URL`, then a URL derived from `LANGSMITH_ENDPOINT`.
    pub fn from_env(mut self) -> Self {
        self.explicit.use_env = true;
        self
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` instead of the
    /// process environment (for tests, or settings kept elsewhere).
    pub fn env_from(mut self, lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.explicit.use_env = true;
        self.env = Some(Box::new(lookup));
        self
    }

    /// Checks every setting and builds the client. Sends nothing.
    pub fn build(self) -> Result<Client, Error> {
        let env = self
            .env
            .unwrap_or_else(|| Box::new(|name| std::env::var(name).ok()));
        let settings = config::resolve(&self.explicit, &*env)?;
        api::http::ensure_tls_ready();
        let mut http = self
            .http
            .unwrap_or_else(api::http::http_client_builder)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if config::is_loopback(&settings.base_url) {
            // A proxy would see the key of a plain-http loopback request in clear.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| {
            crate::error::ConfigError::new("http client", format!("could not be built: {e}"))
        })?;
        let headers = request_headers(&settings);
        let sender = Arc::new(Sender { settings, headers });
        Ok(Client { http, sender })
    }
}

/// The headers every request carries: key (marked sensitive), workspace, user agent.
fn request_headers(settings: &Settings) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("x-api-key"),
        settings.api_key.header_value(),
    );
    if let Some(workspace) = settings.workspace_id {
        let value =
            HeaderValue::from_str(&workspace.to_string()).expect("a UUID is a valid header");
        headers.insert(HeaderName::from_static("x-tenant-id"), value);
    }
    let agent = HeaderValue::from_str(&settings.user_agent).expect("checked: printable ASCII");
    headers.insert(reqwest::header::USER_AGENT, agent);
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: T) {}

    /// Every facade future can be spawned on a multi-threaded runtime.
    #[test]
    fn facade_futures_are_send() {
        let client = Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let id = uuid::Uuid::nil();
        send(client.get_revision(id, id));
        send(client.deployments().get(id));
        send(client.deployments().delete(id, false));
        send(client.revisions(id).redeploy(id));
        send(client.call(async |api| api.list_oauth_providers().send().await));
        send(client.wait_for_revision(id, id, crate::WaitOptions::default()));
    }
}
