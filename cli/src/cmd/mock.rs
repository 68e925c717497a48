//! `lscp mock`: the embedded mock Control Plane, served in the foreground. Built only with the
//! `mock` feature; without it the command says how to get it.

use clap::{Args, ValueEnum};

use crate::exit::{Exit, Failure};

/// `lscp mock`.
#[derive(Debug, Args)]
// Without the feature the options are parsed but nothing reads them.
#[cfg_attr(not(feature = "mock"), allow(dead_code))]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How fast new revisions move: fast (600 ms to DEPLOYED), realistic (about 75 s), instant
    #[arg(long, value_enum, default_value_t = Pace::Fast)]
    timing: Pace,
    /// Serve the API under this path, as self-hosted LangSmith does under /api-host
    #[arg(long, value_name = "PATH")]
    path_prefix: Option<String>,
}

/// Presets of the mock's revision clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Pace {
    /// 100 ms per status
    Fast,
    /// The pace of the real service for a small deployment
    Realistic,
    /// Every revision is final at once
    Instant,
}

/// Without the `mock` feature: how to get a build that has it.
#[cfg(not(feature = "mock"))]
pub async fn serve(_: MockArgs) -> Result<Exit, Failure> {
    Err(
        Failure::error("this lscp was built without the embedded mock Control Plane").hint(
            "build it in: `cargo install --path cli --locked --features mock` from a checkout \
             (or run `cargo run -p langsmith-control-plane-mock --example serve` there)",
        ),
    )
}

/// Starts the mock, prints its base URL as the only line on stdout, and serves until Ctrl-C or
/// SIGTERM.
#[cfg(feature = "mock")]
pub async fn serve(args: MockArgs) -> Result<Exit, Failure> {
    use langsmith_control_plane_mock::{MockServer, Timing};
    let timing = match args.timing {
        Pace::Fast => Timing::fast(),
        Pace::Realistic => Timing::realistic(),
        Pace::Instant => Timing::instant(),
    };
    let mut builder = MockServer::builder().port(args.port).timing(timing);
    if let Some(prefix) = args.path_prefix {
        builder = builder.path_prefix(prefix);
    }
    let server = builder
        .start()
        .await
        .map_err(|e| Failure::error(format!("could not start the mock: {e}")))?;
    // Handlers first: whoever reads the URL may send SIGTERM at once, and without a handler
    // that signal would kill the process instead of stopping the server.
    let stop = stop_signal();
    let url = server.base_url();
    crate::output::line(&url)?;
    crate::output::diagnostic(&format!(
        "mock Control Plane serving at {url} (any API key is accepted); try:\n  \
         LANGSMITH_CONTROL_PLANE_URL={url} LANGSMITH_API_KEY=any lscp deployment list\n\
         Ctrl-C stops it"
    ));
    server.run_until(stop).await;
    Ok(Exit::Success)
}

/// Ctrl-C, or SIGTERM (what `docker stop`, CI runners and service managers send). The handlers
/// are installed when this is called, not when the future is first polled.
#[cfg(feature = "mock")]
fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
    };
    async move {
        #[cfg(unix)]
        if let Ok((mut interrupt, mut terminate)) = handlers {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        // No handler could be installed: serve until Ctrl-C, or until the process is killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
