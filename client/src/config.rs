//! Client settings: where they come from (explicit values, then the environment) and how they are checked.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::error::ConfigError;
use crate::policy::RetryPolicy;

/// `User-Agent` without a suffix: this crate's name and version.
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

const US_BASE_URL: &str = "https://api.host.langchain.com";
const EU_BASE_URL: &str = "https://eu.api.host.langchain.com";

/// A hosted region of the Control Plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Region {
    /// `https://api.host.langchain.com`
    Us,
    /// `https://eu.api.host.langchain.com`
    Eu,
}

impl Region {
    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => US_BASE_URL,
            Region::Eu => EU_BASE_URL,
        }
    }
}

impl std::str::FromStr for Region {
    type Err = ConfigError;
    fn from_str(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            _ => Err(ConfigError::new(
                "region",
                format!("{value:?} is not a region (expected `us` or `eu`)"),
            )),
        }
    }
}

/// A LangSmith API key. Never printed: `Debug` shows `[redacted]`.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Checks and wraps a key: it must be non-empty and free of control characters and spaces.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::new("api key", "is empty"));
        }
        if let Some(position) = trimmed.chars().position(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::new(
                "api key",
                format!("contains a control character or space at position {position}"),
            ));
        }
        if !trimmed.is_ascii() {
            return Err(ConfigError::new("api key", "contains non-ASCII characters"));
        }
        Ok(Self(SecretString::from(trimmed.to_string())))
    }

    /// The key as a header value marked sensitive (so HTTP debug output hides it too).
    pub(crate) fn header_value(&self) -> reqwest::header::HeaderValue {
        let mut value = reqwest::header::HeaderValue::from_str(self.0.expose_secret())
            .expect("checked by ApiKey::new: visible ASCII only");
        value.set_sensitive(true);
        value
    }

    /// Whether `text` contains the key (for tests and for scrubbing text of unknown origin).
    pub fn appears_in(&self, text: &str) -> bool {
        text.contains(self.0.expose_secret())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Where the base URL came from, for messages and for `lscp` diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseUrlSource {
    /// Given to the builder (URL or region).
    Explicit,
    /// `LANGSMITH_CONTROL_PLANE_URL`.
    ControlPlaneUrlEnv,
    /// Derived from `LANGSMITH_ENDPOINT`.
    EndpointEnv,
    /// No setting: the US host.
    Default,
}

/// The settings a [`Client`](crate::Client) runs with, after resolution and checks.
#[derive(Clone, Debug)]
pub struct Settings {
    pub(crate) api_key: ApiKey,
    pub(crate) workspace_id: Option<Uuid>,
    pub(crate) base_url: Url,
    pub(crate) base_url_source: BaseUrlSource,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) max_response_bytes: u64,
    pub(crate) allow_insecure_http: bool,
}

impl Settings {
    /// The base URL every path is joined to (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }
    /// Where the base URL came from.
    pub fn base_url_source(&self) -> &BaseUrlSource {
        &self.base_url_source
    }
    /// The workspace sent as `X-Tenant-Id`, if any.
    pub fn workspace_id(&self) -> Option<Uuid> {
        self.workspace_id
    }
    /// Timeout of each single HTTP attempt.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }
    /// Connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    /// Largest response body accepted, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }
    /// Whether plain `http://` to hosts other than loopback is allowed (for the API and for
    /// source uploads alike).
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }
    /// The `User-Agent` header value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

/// Reads environment variables; a closure in tests, the process environment otherwise.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Explicit values from the builder, before the environment fills the gaps.
#[derive(Clone, Debug, Default)]
pub(crate) struct Explicit {
    /// A secret until checked, so `Debug` redacts it.
    pub api_key: Option<SecretString>,
    pub workspace_id: Option<String>,
    pub base_url: Option<String>,
    pub region: Option<Region>,
    pub use_env: bool,
    pub allow_insecure_http: bool,
    pub connect_timeout: Option<Duration>,
    pub request_timeout: Option<Duration>,
    pub retry: Option<RetryPolicy>,
    pub user_agent_suffix: Option<String>,
    pub max_response_bytes: Option<u64>,
}

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Treat an empty variable as unset, as shells make that easy to do by accident.
fn env_value(env: EnvLookup<'_>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

pub(crate) fn resolve(explicit: &Explicit, env: EnvLookup<'_>) -> Result<Settings, ConfigError> {
    let no_env = |_: &str| None;
    let env: EnvLookup<'_> = if explicit.use_env { env } else { &no_env };

    let api_key = resolve_api_key(explicit, env)?;
    let workspace_id = resolve_workspace_id(explicit, env)?;
    let (base_url, base_url_source) = resolve_base_url(explicit, env)?;
    let base_url = check_base_url(&base_url, explicit.allow_insecure_http)?;

    let connect_timeout = explicit.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let connect_timeout = nonzero(connect_timeout, "connect timeout")?;
    let request_timeout = explicit.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
    let request_timeout = nonzero(request_timeout, "request timeout")?;
    let retry = explicit.retry.clone().unwrap_or_default();
    retry.check()?;
    let user_agent = user_agent(explicit.user_agent_suffix.as_deref().unwrap_or_default())?;

    let max_response_bytes = explicit
        .max_response_bytes
        .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
    let max_response_bytes = nonzero(max_response_bytes, "max response bytes")?;

    Ok(Settings {
        api_key,
        workspace_id,
        base_url,
        base_url_source,
        connect_timeout,
        request_timeout,
        retry,
        user_agent,
        max_response_bytes,
        allow_insecure_http: explicit.allow_insecure_http,
    })
}

/// The key given, else `LANGSMITH_API_KEY`, else `LANGCHAIN_API_KEY`.
fn resolve_api_key(explicit: &Explicit, env: EnvLookup<'_>) -> Result<ApiKey, ConfigError> {
    if let Some(key) = &explicit.api_key {
        return ApiKey::new(key.expose_secret());
    }
    let key = env_value(env, "LANGSMITH_API_KEY")
        .or_else(|| env_value(env, "LANGCHAIN_API_KEY"))
        .ok_or_else(|| {
            ConfigError::new("api key", "is not set")
                .with_hint("pass an API key, or set LANGSMITH_API_KEY (or LANGCHAIN_API_KEY)")
        })?;
    ApiKey::new(key)
        .map_err(|e| ConfigError::new("api key", format!("{} (from the environment)", e.message)))
}

/// The workspace given, else `LANGSMITH_WORKSPACE_ID` or `LANGSMITH_TENANT_ID` (which must
/// agree when both are set), else none.
fn resolve_workspace_id(
    explicit: &Explicit,
    env: EnvLookup<'_>,
) -> Result<Option<Uuid>, ConfigError> {
    if let Some(id) = &explicit.workspace_id {
        return parse_workspace(id, "workspace id").map(Some);
    }
    let from = |name| env_value(env, name).map(|v| parse_workspace(&v, name));
    match (
        from("LANGSMITH_WORKSPACE_ID").transpose()?,
        from("LANGSMITH_TENANT_ID").transpose()?,
    ) {
        (Some(a), Some(b)) if a != b => Err(ConfigError::new(
            "workspace id",
            "LANGSMITH_WORKSPACE_ID and LANGSMITH_TENANT_ID are both set and differ",
        )
        .with_hint("unset one of them, or set both to the same workspace")),
        (a, b) => Ok(a.or(b)),
    }
}

/// The base URL given (or a region's), else `LANGSMITH_CONTROL_PLANE_URL`, else one derived
/// from `LANGSMITH_ENDPOINT`, else the US service; and where it came from.
fn resolve_base_url(
    explicit: &Explicit,
    env: EnvLookup<'_>,
) -> Result<(String, BaseUrlSource), ConfigError> {
    Ok(match (&explicit.base_url, explicit.region) {
        (Some(_), Some(_)) => {
            return Err(
                ConfigError::new("base url", "both a base URL and a region were given")
                    .with_hint("give a base URL or a region, not both"),
            );
        }
        (Some(url), None) => (url.clone(), BaseUrlSource::Explicit),
        (None, Some(region)) => (region.base_url().to_string(), BaseUrlSource::Explicit),
        (None, None) => match env_value(env, "LANGSMITH_CONTROL_PLANE_URL") {
            Some(url) => (url, BaseUrlSource::ControlPlaneUrlEnv),
            None => match env_value(env, "LANGSMITH_ENDPOINT") {
                Some(endpoint) => (derive_from_endpoint(&endpoint)?, BaseUrlSource::EndpointEnv),
                None => (US_BASE_URL.to_string(), BaseUrlSource::Default),
            },
        },
    })
}

/// The `User-Agent`: the crate's, then `suffix` when it has one (printable ASCII only).
fn user_agent(suffix: &str) -> Result<String, ConfigError> {
    if suffix.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(ConfigError::new(
            "user agent suffix",
            "must be printable ASCII",
        ));
    }
    Ok(match suffix.trim() {
        "" => DEFAULT_USER_AGENT.to_string(),
        suffix => format!("{DEFAULT_USER_AGENT} {suffix}"),
    })
}

/// `value`, or an error naming `setting` when it is zero.
fn nonzero<T: Default + PartialEq>(value: T, setting: &'static str) -> Result<T, ConfigError> {
    match value == T::default() {
        true => Err(ConfigError::new(setting, "must be greater than zero")),
        false => Ok(value),
    }
}

fn parse_workspace(value: &str, setting: &'static str) -> Result<Uuid, ConfigError> {
    Uuid::parse_str(value.trim())
        .map_err(|_| ConfigError::new(setting, format!("{:?} is not a UUID", value.trim())))
}

/// `LANGSMITH_ENDPOINT` names the LangSmith API; the Control Plane sits beside it.
fn derive_from_endpoint(endpoint: &str) -> Result<String, ConfigError> {
    let url = Url::parse(endpoint.trim())
        .map_err(|e| ConfigError::new("LANGSMITH_ENDPOINT", format!("is not a URL: {e}")))?;
    match url.host_str() {
        Some("api.smith.langchain.com") => return Ok(US_BASE_URL.to_string()),
        Some("eu.api.smith.langchain.com") => return Ok(EU_BASE_URL.to_string()),
        _ => {}
    }
    let path = url.path().trim_end_matches('/');
    let path = path
        .strip_suffix("/api/v1")
        .or_else(|| path.strip_suffix("/api"))
        .unwrap_or(path);
    let origin = url.origin().ascii_serialization();
    Ok(format!("{origin}{path}/api-host"))
}

/// Whether `url` points at this machine. A `localhost` name counts only if it resolves to
/// loopback addresses alone (or not at all): a resolver may send `evil.localhost` elsewhere.
pub(crate) fn is_loopback(url: &Url) -> bool {
    use std::net::ToSocketAddrs;
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost"))
                && (d.as_str(), 0)
                    .to_socket_addrs()
                    .map_or(true, |mut addrs| addrs.all(|a| a.ip().is_loopback()))
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_base_url(text: &str, allow_insecure_http: bool) -> Result<Url, ConfigError> {
    let invalid = |problem: String| ConfigError::new("base url", problem);
    // Not echoed: a URL that fails to parse may still hold a password.
    let mut url = Url::parse(text.trim()).map_err(|e| invalid(format!("is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) || allow_insecure_http => {}
        "http" => {
            return Err(invalid(format!(
                "{} uses plain http to a non-loopback host, which would send the API key unencrypted",
                url.origin().ascii_serialization()
            ))
            .with_hint("use https, or allow insecure http explicitly"));
        }
        other => return Err(invalid(format!("scheme {other:?} is not http or https"))),
    }
    if url.host().is_none() {
        return Err(invalid("has no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials".into())
            .with_hint("give the API key as the api key setting, never in the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment".into()));
    }
    // Keep the path prefix (self-hosted `/api-host`), without a trailing slash.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}
