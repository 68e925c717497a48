//! The client: configuration, the generated bindings behind it, and the call wrapper.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use langsmith_control_plane_api as api;
use langsmith_control_plane_api::types::ApiErrorBody;
use progenitor_client::ResponseValue;

use crate::config::{self, Explicit, Region, Settings};
use crate::context::{Recorded, WithRecord};
use crate::error::{Converted, Error};
use crate::retry::{RequestPolicy, RetryPolicy};

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
    inner: Arc<Inner>,
}

struct Inner {
    api: api::Client,
    settings: Settings,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.inner.settings)
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
        &self.inner.settings
    }

    /// The generated client, for operations the facade has no shortcut for. Requests made
    /// through it get the same authentication, timeouts, retries and tracing; pass its futures
    /// to [`Client::call`] to get this crate's [`Error`].
    pub fn api(&self) -> &api::Client {
        &self.inner.api
    }

    /// Awaits a generated operation and converts its result: the value, or a typed [`Error`]
    /// naming the request.
    ///
    /// ```no_run
    /// # async fn demo(client: langsmith_control_plane::Client) -> Result<(), langsmith_control_plane::Error> {
    /// let providers = client.call(client.api().list_oauth_providers().send()).await?;
    /// # Ok(()) }
    /// ```
    // Not an `async fn`: that would keep the operation's future twice (as the argument, and
    // inside the scope awaiting it), and every call would copy both.
    pub fn call<T, E>(
        &self,
        operation: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    ) -> impl Future<Output = Result<T, Error>>
    where
        E: ErrorBody,
    {
        CallFuture::Sending {
            operation: Recorded::around(operation),
            client: self,
        }
    }

    /// The call's result from the operation's and what the transport recorded.
    fn conclude<T, E: ErrorBody>(
        &self,
        result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
        recorded: &Recorded,
    ) -> Concluded<T> {
        if let Some(size) = recorded.oversized() {
            return Concluded::Now(Err(Error::Decode {
                request: recorded.request_line(),
                status: recorded.status().unwrap_or(0),
                message: format!(
                    "the response body ({size} bytes or more) exceeds the limit of {} bytes",
                    self.inner.settings.max_response_bytes
                ),
                body_excerpt: String::new(),
            }));
        }
        match result {
            Ok(value) => Concluded::Now(Ok(value.into_inner())),
            Err(error) => match Error::from_generated(error, recorded) {
                Converted::Done(error) => Concluded::Now(Err(error)),
                Converted::ReadBody(request, response) => {
                    Concluded::Later(Box::pin(Error::from_response(request, response)))
                }
            },
        }
    }
}

/// What [`Client::conclude`] made of an operation's result.
enum Concluded<T> {
    Now(Result<T, Error>),
    /// The error, once the body of an undocumented answer is read.
    Later(ErrorFuture),
}

type ErrorFuture = Pin<Box<dyn Future<Output = Error> + Send>>;

pin_project_lite::pin_project! {
    /// The future of [`Client::call`]: the operation inside its record, then (for an answer of
    /// an undocumented status only) the reading of that answer's body. A plain state machine, so
    /// the operation's future is never copied and its value moves out once.
    #[project = CallState]
    enum CallFuture<'a, F: Future, T, E> {
        Sending { #[pin] operation: WithRecord<F>, client: &'a Client },
        Reading { error: ErrorFuture },
        Done { _output: PhantomData<fn() -> (T, E)> },
    }
}

impl<F, T, E> Future for CallFuture<'_, F, T, E>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    E: ErrorBody,
{
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let next = match self.as_mut().project() {
                CallState::Sending { operation, client } => {
                    let client: &Client = client;
                    let (result, recorded) = ready!(operation.poll(cx));
                    match client.conclude(result, &recorded) {
                        Concluded::Now(output) => {
                            self.set(CallFuture::Done {
                                _output: PhantomData,
                            });
                            return Poll::Ready(output);
                        }
                        Concluded::Later(error) => CallFuture::Reading { error },
                    }
                }
                CallState::Reading { error } => {
                    let error = ready!(error.as_mut().poll(cx));
                    self.set(CallFuture::Done {
                        _output: PhantomData,
                    });
                    return Poll::Ready(Err(error));
                }
                CallState::Done { .. } => panic!("a `Client::call` future polled after it ended"),
            };
            self.set(next);
        }
    }
}

/// Error body types of generated operations: [`ApiErrorBody`], or `()` for operations that
/// document no error.
pub trait ErrorBody: Sized {
    /// The FastAPI error body, if this type carries one.
    fn into_api_error_body(self) -> Option<ApiErrorBody>;
}

impl ErrorBody for ApiErrorBody {
    fn into_api_error_body(self) -> Option<ApiErrorBody> {
        Some(self)
    }
}

impl ErrorBody for () {
    fn into_api_error_body(self) -> Option<ApiErrorBody> {
        None
    }
}

/// A caller-supplied reader of environment variables.
type EnvSource = Box<dyn Fn(&str) -> Option<String>>;

/// Builds a [`Client`]. Every setting is checked in [`build`](Self::build), before any request.
#[derive(Default)]
pub struct ClientBuilder {
    explicit: Explicit,
    http: Option<reqwest::Client>,
    env: Option<EnvSource>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("explicit", &self.explicit)
            .field("custom_http_client", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The LangSmith API key (sent as `X-Api-Key`). Takes precedence over the environment.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.explicit.api_key = Some(key.into());
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

    /// Connect timeout (default 10 s). Ignored with [`http_client`](Self::http_client).
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

    /// Largest response body accepted, in bytes (default 16 MiB). A larger answer ends the call
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

    /// Use this `reqwest::Client` (proxies, custom CAs). Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: this crate cannot change the redirect
    /// policy of a client it did not build, and a followed redirect carries the key along.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
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
        let process_env = |name: &str| std::env::var(name).ok();
        let settings = match &self.env {
            Some(lookup) => config::resolve(&self.explicit, lookup.as_ref())?,
            None => config::resolve(&self.explicit, &process_env)?,
        };
        let own_client = self.http.is_none();
        let http = match self.http {
            Some(client) => client,
            None => api::http::http_client_builder()
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.request_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| {
                    crate::error::ConfigError::new(
                        "http client",
                        format!("could not be built: {e}"),
                    )
                })?,
        };
        let policy = RequestPolicy::new(&settings, own_client);
        let transport = api::transport::Transport::with_executor(Arc::new(policy));
        let api = api::Client::new_with_client(settings.base_url(), http, transport);
        Ok(Client {
            inner: Arc::new(Inner { api, settings }),
        })
    }
}
