//! The generated constructor works in a program that set up no TLS provider itself (it panicked
//! with "No rustls crypto provider is configured"). The check runs in a process of its own (this
//! test binary started again for this one test), so no other test installs a provider first.

use std::process::Command;

use langsmith_control_plane_api::Client;
use langsmith_control_plane_api::transport::Transport;

/// Set in the process that runs the check.
const ALONE: &str = "LSCP_TEST_TLS_PROVIDER_ALONE";

#[test]
fn the_generated_constructor_does_not_panic() {
    if std::env::var_os(ALONE).is_some() {
        let client = Client::new("https://api.host.langchain.com", Transport::direct());
        assert_eq!(
            progenitor_client::ClientInfo::baseurl(&client),
            "https://api.host.langchain.com"
        );
        return;
    }
    // The test's name as the harness knows it: the module path without the crate's name.
    let module = module_path!().split_once("::").map_or("", |(_, path)| path);
    let name = format!("{module}::the_generated_constructor_does_not_panic");
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name.as_str(), "--exact", "--test-threads=1"])
        .env(ALONE, "1")
        .output()
        .expect("the test binary starts again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the check alone in its process failed:\n{stdout}\n{stderr}"
    );
}
