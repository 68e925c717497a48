//! A proxy from the environment never sees a loopback request (with its key in clear over plain
//! http). Its own test binary: it sets process environment variables.

mod support;

use support::{Reply, Server, d, r, revision};

#[tokio::test]
async fn a_loopback_base_url_never_goes_through_a_proxy() {
    let proxy = Server::sequence(vec![Reply::json(502, "{}")]).await;
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        // SAFETY: the only test of this binary, run before any other thread reads the environment.
        unsafe { std::env::set_var(name, &proxy.url) };
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
    assert_eq!(proxy.count(), 0, "the proxy saw the request");
    assert_eq!(server.count(), 2);
}
