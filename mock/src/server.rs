//! The server's handle and settings: [`MockServerBuilder`] binds the two listeners (the API and the
//! upload origin) and starts serving; [`MockServer`] tells where they are and stops them.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::api::upload_origin;
use crate::http::listener::accept_loop;
use crate::http::router::router;
use crate::state::{App, Config, Shared};
use crate::world::lifecycle::Timing;
use crate::world::uploads::DEFAULT_UPLOAD_LIMIT;

/// Settings of a [`MockServer`] before it starts. Made by [`MockServer::builder`].
#[derive(Clone, Debug)]
pub struct MockServerBuilder {
    addr: SocketAddr,
    timing: Timing,
    request_log_capacity: usize,
    config: Config,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            timing: Timing::default(),
            request_log_capacity: 1_000,
            config: Config {
                prefix: String::new(),
                api_keys: Vec::new(),
                tenant_id: Uuid::new_v4(),
                require_tenant_id: false,
                deployments_enabled: true,
                upload_limit: DEFAULT_UPLOAD_LIMIT,
            },
        }
    }
}

impl MockServerBuilder {
    /// Listens on this port of `127.0.0.1` (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Listens on this address (default `127.0.0.1:0`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serves the API under a path prefix, as self-hosted LangSmith does under `/api-host`.
    /// Leading and trailing slashes do not matter; the default is no prefix.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.config.prefix = prefix.into();
        self
    }

    /// Accepts only this `X-Api-Key` (call again to accept several). By default any non-empty key
    /// is accepted. A wrong key is answered `401 {"detail": "Invalid token"}`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_keys.push(key.into());
        self
    }

    /// The workspace of requests without `X-Tenant-Id`, and of seeded data (default: a random ID,
    /// see [`MockServer::tenant_id`]). Requests with `X-Tenant-Id` see that workspace's data only.
    pub fn tenant_id(mut self, tenant_id: Uuid) -> Self {
        self.config.tenant_id = tenant_id;
        self
    }

    /// Answers `403` to requests without `X-Tenant-Id`, as the service does for organization-scoped
    /// keys (default `false`). The same as [`organization_key`](Self::organization_key).
    pub fn require_tenant_id(mut self, require: bool) -> Self {
        self.config.require_tenant_id = require;
        self
    }

    /// Behaves as the service does for an organization-scoped API key (default `false`): every
    /// request without `X-Tenant-Id` is answered `403` with a detail saying the key "requires
    /// workspace specification". The same as [`require_tenant_id`](Self::require_tenant_id).
    pub fn organization_key(self, organization_scoped: bool) -> Self {
        self.require_tenant_id(organization_scoped)
    }

    /// Whether the workspace may use LangSmith Deployment (default `true`). When `false`, every
    /// `/v2/deployments...` request that passes the key and workspace checks is answered `403`
    /// with a detail saying deployments are "not enabled" for the workspace; listeners,
    /// integrations and auth still answer.
    pub fn deployments_enabled(mut self, enabled: bool) -> Self {
        self.config.deployments_enabled = enabled;
        self
    }

    /// The largest archive the upload origin takes, in bytes (default 200 MiB, the limit the
    /// service signs into its upload URLs); larger uploads are answered `413`. A test can lower it
    /// to exercise the refusal without sending 200 MiB.
    pub fn upload_limit(mut self, bytes: u64) -> Self {
        self.config.upload_limit = bytes;
        self
    }

    /// How fast new revisions move through their statuses (default [`Timing::fast`]).
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// How many requests [`MockServer::requests`] keeps (default 1,000): the most recent ones,
    /// older ones are forgotten; 0 keeps none. Bodies are kept only up to
    /// [`MAX_RECORDED_BODY`](crate::MAX_RECORDED_BODY) bytes each, so the log stays bounded
    /// however long the server runs.
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound, or the path prefix is not a plain path
    /// (`io::ErrorKind::InvalidInput`).
    pub async fn start(self) -> io::Result<MockServer> {
        let config = Config {
            prefix: normalize_prefix(&self.config.prefix)?,
            ..self.config
        };
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        // Another port on the same address: another origin, as storage is to the service.
        let upload_listener = TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let upload_addr = reachable(upload_listener.local_addr()?);
        let app = Shared::new(
            config,
            format!("http://{upload_addr}"),
            self.timing,
            self.request_log_capacity,
        );
        let task = tokio::spawn(accept_loop(listener, router(app.clone())));
        let upload_task = tokio::spawn(accept_loop(
            upload_listener,
            upload_origin::router(app.clone()),
        ));
        Ok(MockServer {
            app,
            addr,
            task: Some(task),
            upload_task: Some(upload_task),
        })
    }
}

/// An address a client can connect to: loopback in place of "any address".
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}

fn normalize_prefix(prefix: &str) -> io::Result<String> {
    let trimmed = prefix.trim_matches('/');
    let plain = trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~/".contains(c));
    if !plain || trimmed.contains("//") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("path prefix {prefix:?} must be a plain path such as /api-host"),
        ));
    }
    Ok(if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    })
}

/// A running mock Control Plane on loopback.
///
/// It serves until dropped (or [`shutdown`](MockServer::shutdown)); dropping it stops the server
/// and closes every connection. See the [crate documentation](crate) for an example.
pub struct MockServer {
    pub(crate) app: App,
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
    upload_task: Option<JoinHandle<()>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url())
            .field("upload_origin", &self.app.upload_origin)
            .field("config", &self.app.config)
            .finish()
    }
}

impl MockServer {
    /// Starts a server with the default settings on a free port of `127.0.0.1`.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or when no loopback port can be bound. Use
    /// [`MockServer::builder`] to handle that error instead.
    pub async fn start() -> Self {
        Self::builder()
            .start()
            .await
            .expect("failed to start the mock Control Plane on 127.0.0.1")
    }

    /// Settings for a server: port, path prefix, accepted key, workspace, timing.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's origin, `http://127.0.0.1:PORT`, without the path prefix.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL a client should use: the origin and the path prefix
    /// (`http://127.0.0.1:PORT/api-host`), without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}{}", self.url(), self.app.config.prefix)
    }

    /// The origin of the upload URLs that `request_upload_url` hands out,
    /// `http://127.0.0.1:PORT` on another port than [`url`](Self::url).
    pub fn upload_origin(&self) -> String {
        self.app.upload_origin.clone()
    }

    /// The default workspace: the one requests without `X-Tenant-Id` and seeded data belong to.
    pub fn tenant_id(&self) -> Uuid {
        self.app.config.tenant_id
    }

    /// How fast new revisions move.
    pub fn timing(&self) -> Timing {
        self.app.state().timing
    }

    /// Stops the server and waits until its ports (the API's and the upload origin's) are closed.
    pub async fn shutdown(mut self) {
        for task in [self.task.take(), self.upload_task.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
            let _ = task.await;
        }
    }

    /// Serves until `signal` completes, then shuts down. For command-line tools; prints nothing.
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        self.shutdown().await;
    }

    /// Serves until Ctrl-C (SIGINT), then shuts down. For `lscp mock`; prints nothing.
    ///
    /// # Errors
    ///
    /// When the signal handler cannot be installed.
    pub async fn run_until_ctrl_c(self) -> io::Result<()> {
        let result = tokio::signal::ctrl_c().await;
        self.shutdown().await;
        result
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        for task in [self.task.take(), self.upload_task.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}
