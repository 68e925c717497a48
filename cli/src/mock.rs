//! `lscp mock`: the embedded mock Control Plane, served in the foreground.

use clap::{Args, ValueEnum};
use langsmith_control_plane_mock::{MockServer, Timing};

use crate::exit::{Exit, Failure};

/// `lscp mock`.
#[derive(Debug, Args)]
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

/// Starts the mock, prints its base URL as the only line on stdout, and serves until Ctrl-C or
/// SIGTERM.
pub async fn serve(args: MockArgs) -> Result<Exit, Failure> {
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
    let url = server.base_url();
    crate::output::line(&url)?;
    crate::output::diagnostic(&format!(
        "mock Control Plane serving at {url} (any API key is accepted); try:\n  \
         LANGSMITH_CONTROL_PLANE_URL={url} LANGSMITH_API_KEY=any lscp deployment list\n\
         Ctrl-C stops it"
    ));
    server.run_until(stop_signal()).await;
    Ok(Exit::Success)
}

/// Ctrl-C, or SIGTERM (what `docker stop`, CI runners and service managers send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    // No handler could be installed: serve until the process is killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
