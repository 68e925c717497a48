//! A proxy from the environment never sees a loopback request (with its key in clear over plain
//! http). The client runs in a child process of its own: it sets process environment variables.

use crate::support;

use crate::support::{Reply, Server, d, r, revision};

/// Marks the child run of [`a_loopback_base_url_never_goes_through_a_proxy`].
const CHILD: &str = "PROXY_TEST_CHILD";
const PROXY_VARIABLES: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

#[tokio::test]
async fn a_loopback_base_url_never_goes_through_a_proxy() {
    if std::env::var_os(CHILD).is_some() {
        return loopback_requests_from_the_child().await;
    }
    let proxy = Server::sequence(vec![Reply::json(502, "{}")]).await;
    let url = proxy.url.clone();
    // On a blocking thread, so that the proxy keeps serving on this runtime meanwhile.
    tokio::task::spawn_blocking(move || {
        let mut env: Vec<(&str, &std::ffi::OsStr)> = PROXY_VARIABLES
            .iter()
            .map(|name| (*name, url.as_ref()))
            .collect();
        env.push((CHILD, "1".as_ref()));
        let test = "proxy::a_loopback_base_url_never_goes_through_a_proxy";
        support::run_in_child(test, &env, &[])
    })
    .await
    .unwrap();
    assert_eq!(proxy.count(), 0, "the proxy saw the request");
}

/// In the child, with the proxy variables set: two clients (ours, and the caller's builder)
/// each reach the loopback server directly.
async fn loopback_requests_from_the_child() {
    for name in PROXY_VARIABLES {
        assert!(std::env::var_os(name).is_some(), "{name} is not set");
    }
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    for caller_builder in [false, true] {
        let mut builder = support::builder(&server);
        if caller_builder {
            builder = builder.http_client(langsmith_control_plane::http_client_builder());
        }
        let client = builder.build().unwrap();
        client.get_revision(d(), r()).await.unwrap();
    }
    assert_eq!(server.count(), 2);
}
