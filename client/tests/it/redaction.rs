//! The API key never shows: not in Debug, not in errors, not in tracing output at any level;
//! nor does a request's query or a base URL that may hold a password.

use crate::support;

use crate::support::{KEY, Reply, Server, d, r, revision};
use langsmith_control_plane::{ApiKey, Client, RetryPolicy};
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

#[test]
fn debug_output_never_contains_the_key() {
    let builder = Client::builder()
        .api_key(KEY)
        .base_url("https://cp.example.com");
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let texts = [
        builder_debug,
        format!("{client:?}"),
        format!("{:#?}", client.settings()),
        format!("{:?}", ApiKey::new(KEY).unwrap()),
    ];
    for text in texts {
        assert!(!text.contains(KEY), "{text}");
        assert!(
            !text.contains(&KEY[..12]),
            "a prefix of the key leaked: {text}"
        );
    }
    assert!(
        ApiKey::new(KEY).unwrap().appears_in(&format!("x{KEY}x")),
        "the check itself works"
    );
}

#[tokio::test]
async fn errors_and_traces_never_contain_the_key() {
    let (captured, _guard) = support::capture_traces(FmtSpan::NONE);

    let server = Server::sequence(vec![
        Reply::json(503, "{}"),
        Reply::json(200, revision("BUILDING")),
        Reply::json(401, json!({"detail": "Invalid API key"})),
        Reply::html(502, "<html>bad gateway</html>"),
        Reply::json(
            422,
            json!({"detail": [{"loc": ["header", "x-api-key"], "msg": "bad", "type": "x"}]}),
        ),
        Reply::json(307, "").with_header("location", "https://evil.example.net/"),
        Reply::Close,
    ])
    .await;
    let client = support::builder(&server)
        .retry_policy(support::fast_retries().max_retries(1))
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap();
    let mut texts = Vec::new();
    for _ in 0..5 {
        let err = client.get_revision(d(), r()).await.unwrap_err();
        texts.push(format!("{err}"));
        texts.push(format!("{err:?}"));
        texts.push(format!("{err:#?}"));
    }
    let offline = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:1")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = offline.get_revision(d(), r()).await.unwrap_err();
    texts.push(format!("{err} {err:?}"));

    let traces = captured.text();
    assert!(
        traces.contains("control_plane.request"),
        "spans were recorded: {traces}"
    );
    assert!(
        traces.contains("attempt=2"),
        "retries were traced: {traces}"
    );
    texts.push(traces);
    for text in texts {
        assert!(!text.contains(KEY), "the key leaked into: {text}");
    }
    // The key really was sent, so its absence above means something.
    assert!(
        server
            .requests()
            .iter()
            .all(|s| s.header("x-api-key") == Some(KEY))
    );
}

/// Error text names the path, never the query (a name filter can be private).
#[tokio::test]
async fn errors_carry_no_query() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .deployments()
        .list()
        .name_contains("private-project-name")
        .collect()
        .await
        .unwrap_err();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    assert!(text.contains("/v2/deployments"), "{text}");
    assert!(!text.contains("private-project-name"), "{text}");
}

/// A base URL that does not parse is not echoed: it may hold a password.
#[test]
fn a_bad_base_url_is_not_echoed() {
    let err = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url("https://user:hunter2@[not-a-host")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(err.to_string().contains("base url"), "{err}");
}
