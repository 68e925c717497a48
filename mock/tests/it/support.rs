//! A thin HTTP client for the tests: the real server, real requests, raw answers.

use langsmith_control_plane_mock::{
    MockServer, MockServerBuilder, Timing, github_deployment_request,
};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

/// The key the tests send.
pub const KEY: &str = "lsv2_pt_test_key";

/// A status code, headers and body of one answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A server and a client that talks to it.
pub struct Api {
    pub server: MockServer,
    http: reqwest::Client,
}

/// A client without connection reuse: no idle-pool timer can move a paused clock, and a dropped
/// connection affects only its own request.
pub fn http() -> reqwest::Client {
    // With the workspace's rustls feature unified in, reqwest needs a process-wide provider.
    langsmith_control_plane_api::http::ensure_tls_ready();
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

impl Api {
    /// A server on the realistic clock: on a real clock, nothing moves during a short test.
    pub async fn start() -> Self {
        Self::with(MockServer::builder().timing(Timing::realistic())).await
    }

    pub async fn with(builder: MockServerBuilder) -> Self {
        let server = builder.start().await.expect("mock server starts");
        Self {
            server,
            http: http(),
        }
    }

    /// A request to `path` (relative to the base URL) with the test key.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.bare(method, path).header("X-Api-Key", KEY)
    }

    /// A request to `path` without any header.
    pub fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.server.base_url()))
    }

    /// A request to a full URL (another origin, such as an upload URL) without any header.
    pub fn to_url(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url)
    }

    pub async fn send(&self, request: RequestBuilder) -> Answer {
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        Answer {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(self.request(Method::POST, path).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(self.request(Method::PATCH, path).json(&body))
            .await
    }

    /// Creates a GitHub deployment named `name` and returns its JSON.
    pub async fn create(&self, name: &str) -> Value {
        let body = serde_json::to_value(github_deployment_request(name)).unwrap();
        let answer = self.post("/v2/deployments", body).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        answer.json()
    }

    /// The latest revision of a deployment, as `/revisions/{id}` answers it.
    pub async fn latest_revision(&self, deployment: &Value) -> Value {
        let deployment = self
            .get(&format!(
                "/v2/deployments/{}",
                deployment["id"].as_str().unwrap()
            ))
            .await
            .json();
        let path = format!(
            "/v2/deployments/{}/revisions/{}",
            deployment["id"].as_str().unwrap(),
            deployment["latest_revision_id"].as_str().unwrap()
        );
        self.get(&path).await.json()
    }
}

/// `"/v2/deployments/{id}"` of a deployment's JSON.
pub fn deployment_path(deployment: &Value) -> String {
    format!(
        "/v2/deployments/{}",
        deployment["id"].as_str().expect("deployment id")
    )
}

/// `".../revisions/{latest}"` of a deployment's JSON.
pub fn latest_revision_path(deployment: &Value) -> String {
    format!(
        "{}/revisions/{}",
        deployment_path(deployment),
        deployment["latest_revision_id"]
            .as_str()
            .expect("latest revision")
    )
}
