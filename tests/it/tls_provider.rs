//! The generated constructor works in a program that set up no TLS provider itself (it panicked
//! with "No rustls crypto provider is configured"). Its own test binary, so no other test
//! installs a provider first.

use langsmith_control_plane_api::Client;
use langsmith_control_plane_api::transport::Transport;

#[test]
fn the_generated_constructor_does_not_panic() {
    let client = Client::new("https://api.host.langchain.com", Transport::direct());
    assert_eq!(
        progenitor_client::ClientInfo::baseurl(&client),
        "https://api.host.langchain.com"
    );
}
