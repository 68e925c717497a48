//! The state every task of a server shares: its settings, the simulated world, the armed faults,
//! the request record, and what a request carries besides its HTTP parts (its workspace, and
//! the control over its connection).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use uuid::Uuid;

use crate::control::faults::Fault;
use crate::control::recorded::RequestLog;
use crate::world::lifecycle::Timing;
use crate::world::store;
use crate::world::uploads::UploadStore;

/// The state shared by the server's tasks and the [`MockServer`](crate::MockServer) handle.
pub(crate) type App = Arc<Shared>;

pub(crate) struct Shared {
    pub(crate) config: Config,
    /// `http://127.0.0.1:PORT` of the upload origin, the second listener.
    pub(crate) upload_origin: String,
    state: Mutex<store::State>,
    faults: Mutex<Vec<Fault>>,
    requests: Mutex<RequestLog>,
}

impl Shared {
    /// A server's state before its first request: no data, no faults, an empty request log
    /// that keeps `log_capacity` requests (and as many upload requests).
    pub(crate) fn new(
        config: Config,
        upload_origin: String,
        timing: Timing,
        log_capacity: usize,
    ) -> App {
        Arc::new(Self {
            config,
            upload_origin,
            state: Mutex::new(store::State {
                timing,
                uploads: UploadStore::new(log_capacity),
                ..store::State::default()
            }),
            faults: Mutex::new(Vec::new()),
            requests: Mutex::new(RequestLog::new(log_capacity)),
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, store::State> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Deleted deployments disappear on the clock, like statuses: checked on every access.
        state.sweep_deleted(tokio::time::Instant::now());
        state
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn requests(&self) -> MutexGuard<'_, RequestLog> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Settings of a server that hold while it runs.
#[derive(Clone)]
pub(crate) struct Config {
    /// Empty, or `/segment[/segment...]` without a trailing slash (once started).
    pub(crate) prefix: String,
    pub(crate) api_keys: Vec<String>,
    pub(crate) tenant_id: Uuid,
    pub(crate) require_tenant_id: bool,
    /// `false`: every `/v2/deployments` call is answered 403.
    pub(crate) deployments_enabled: bool,
    /// Largest archive the upload origin takes, in bytes.
    pub(crate) upload_limit: u64,
}

impl Config {
    /// The part of `path` below the prefix; `None` when `path` is not under it.
    pub(crate) fn api_path<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix(self.prefix.as_str())?;
        rest.starts_with('/').then_some(rest)
    }

    pub(crate) fn accepts_key(&self, key: &[u8]) -> bool {
        self.api_keys.is_empty()
            || self
                .api_keys
                .iter()
                .any(|accepted| accepted.as_bytes() == key)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("prefix", &self.prefix)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("tenant_id", &self.tenant_id)
            .field("require_tenant_id", &self.require_tenant_id)
            .field("deployments_enabled", &self.deployments_enabled)
            .field("upload_limit", &self.upload_limit)
            .finish()
    }
}

/// The workspace a request addresses: its `X-Tenant-Id`, or the mock's default workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tenant(pub(crate) Uuid);

/// Lets a dropped-connection fault close the connection a request arrived on.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionControl(Arc<Notify>);

impl ConnectionControl {
    pub(crate) fn close(&self) {
        self.0.notify_one();
    }

    pub(crate) async fn closed(&self) {
        self.0.notified().await;
    }
}
