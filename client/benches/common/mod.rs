//! The Get Revision comparison's server and clients, shared by `benches/get_revision.rs` (criterion)
//! and `examples/bench_interleaved.rs` (the same comparison, clients alternating batch by batch),
//! so both measure exactly the same thing.

use std::net::SocketAddr;

use langsmith_control_plane::types::Revision;
use langsmith_control_plane::{Client, RetryPolicy};

pub const KEY: &str = "lsv2_sk_bench_key";
/// The facade's default `User-Agent`, which raw sends too: both clients put the same request
/// on the wire, so the server does the same work for each (an extra header costs a client about
/// 3 % of its throughput here, the in-process server parsing it on the same two cores).
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
pub const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
pub const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

fn revision_body() -> String {
    serde_json::json!({
        "id": R, "created_at": "2026-11-02T14:05:31.123456Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": "DEPLOYED", "source": "github",
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json",
            "image_uri": null, "source_tarball_path": null, "repo_commit_sha": "3f9c2e1d4b5a69788796a5b4c3d2e1f00a1b2c3d"}
    })
    .to_string()
}

/// A server answering every GET with the same revision, on its own runtime thread.
pub fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let body = revision_body();
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            tx.send(listener.local_addr().expect("an address"))
                .expect("the caller waits");
            axum::serve(listener, app).await.expect("the server runs");
        });
    });
    rx.recv().expect("the server started")
}

/// The facade against the server at `addr`.
pub fn facade(addr: SocketAddr, retries: RetryPolicy) -> Client {
    facade_at(&format!("http://{addr}"), retries)
}

/// The facade against the server at `base`, as a user builds it (with `retries`).
pub fn facade_at(base: &str, retries: RetryPolicy) -> Client {
    let client = Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(retries)
        .build()
        .expect("a facade client");
    assert_eq!(
        client.settings().user_agent(),
        USER_AGENT,
        "raw sends the same agent"
    );
    client
}

/// What a hand-written client uses: one `reqwest::Client` built like the facade's, redirects off.
pub fn raw_client() -> reqwest::Client {
    langsmith_control_plane::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client")
}

/// Get Revision by hand: reqwest and serde_json into the generated type, with the headers the
/// facade sends (the API key, `Accept` and `User-Agent`).
pub async fn raw_get(http: &reqwest::Client, url: &str) -> Revision {
    let bytes = http
        .get(url)
        .header("x-api-key", KEY)
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("an answer")
        .bytes()
        .await
        .expect("a body");
    serde_json::from_slice(&bytes).expect("a revision")
}
