//! Serves the mock on `127.0.0.1:PORT` until Ctrl-C, printing its base URL as the only line on
//! stdout. `PORT` defaults to 0 (any free port); with `API_KEY`, only that `X-Api-Key` is accepted
//! (by default any non-empty key is). `scripts/schemathesis.sh` runs it; `lscp mock` is the same
//! for users, with more options.
//!
//! ```text
//! cargo run -p langsmith-control-plane-mock --example serve -- [PORT [API_KEY]]
//! ```

use langsmith_control_plane_mock::{MockServer, Timing};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port = match args.next() {
        Some(port) => port.parse()?,
        None => 0,
    };
    let mut builder = MockServer::builder().port(port).timing(Timing::fast());
    if let Some(key) = args.next() {
        builder = builder.api_key(key);
    }
    let server = builder.start().await?;
    println!("{}", server.base_url());
    server.run_until_ctrl_c().await?;
    Ok(())
}
