//! What every API command needs: a client configured as CONTRACT section 2 says, the output
//! format, and request tracing for `-v`.

use std::io::IsTerminal;

use clap::ArgMatches;
use clap::parser::ValueSource;
use langsmith_control_plane::{Client, Region};

use crate::args::{GlobalArgs, RegionArg};
use crate::exit::Failure;
use crate::output::Output;

/// The client and the output settings of one run.
pub struct Context {
    /// The facade's client, settings resolved and checked.
    pub client: Client,
    /// `--output` and `--show-secrets`.
    pub output: Output,
}

impl Context {
    /// Builds the client. Only values typed on the command line are handed to the builder as
    /// explicit values; the facade's own `from_env` resolves the environment. clap reads the same
    /// variables for `--help`, but resolving them here would lose the fallbacks and the conflict
    /// check (`LANGCHAIN_API_KEY`, `LANGSMITH_TENANT_ID`, `LANGSMITH_ENDPOINT`).
    pub fn new(global: &GlobalArgs, matches: &ArgMatches) -> Result<Self, Failure> {
        let typed = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        let mut builder = Client::builder()
            .from_env()
            .user_agent_suffix(concat!("lscp/", env!("CARGO_PKG_VERSION")))
            .allow_insecure_http(global.allow_insecure_http);
        if let Some(key) = global.api_key.as_ref().filter(|_| typed("api_key")) {
            builder = builder.api_key(key.as_str());
        }
        if let Some(id) = global
            .workspace_id
            .as_ref()
            .filter(|_| typed("workspace_id"))
        {
            let id = crate::args::uuid(id)
                .map_err(|e| Failure::usage(format!("invalid value for '--workspace-id': {e}")))?;
            builder = builder.workspace_id(id);
        }
        let base_url = global.base_url.as_ref().filter(|_| typed("base_url"));
        match (base_url, global.region) {
            (Some(_), Some(_)) => {
                return Err(Failure::usage(
                    "--base-url and --region both name the service; pass one",
                ));
            }
            (Some(url), None) => builder = builder.base_url(url.as_str()),
            (None, Some(region)) => {
                builder = builder.region(match region {
                    RegionArg::Us => Region::Us,
                    RegionArg::Eu => Region::Eu,
                });
            }
            (None, None) => {}
        }
        if let Some(timeout) = global.request_timeout {
            builder = builder.request_timeout(timeout);
        }
        Ok(Self {
            client: builder.build()?,
            output: Output {
                format: global.output,
                show_secrets: global.show_secrets,
            },
        })
    }
}

/// `-v`: the facade's request spans and events (operation, method, path, attempt, status,
/// latency, retries). `-vv`: also span timings and the HTTP stack's connection events. Headers are
/// never logged by these targets, so the key cannot appear.
pub fn init_tracing(verbose: u8) {
    let directives = match verbose {
        0 => return,
        1 => "langsmith_control_plane=debug",
        _ => {
            "langsmith_control_plane=trace,langsmith_control_plane_api=trace,reqwest=debug,hyper_util=debug"
        }
    };
    let span_events = if verbose >= 2 {
        tracing_subscriber::fmt::format::FmtSpan::CLOSE
    } else {
        tracing_subscriber::fmt::format::FmtSpan::NONE
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(directives))
        .with_writer(|| TraceWriter)
        .with_ansi(std::io::stderr().is_terminal() && !crate::github::active())
        .with_span_events(span_events)
        .with_target(verbose >= 2)
        // Off (the default today), because the report of a failed write is an `eprintln!`,
        // which panics when stderr is closed.
        .log_internal_errors(false)
        .init();
}

/// Stderr for request tracing. Under GitHub Actions an event's text (which may quote the
/// service) is made inert and passes the workflow-command guard, as every other line does;
/// otherwise it is written as it is.
struct TraceWriter;

impl std::io::Write for TraceWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter writes each event whole, so a buffer holds whole lines.
        if crate::github::active() {
            let text = String::from_utf8_lossy(buf);
            let text = crate::inert::escape_keeping_lines(&text);
            std::io::stderr().write_all(crate::github::guard_lines(&text).as_bytes())?;
        } else {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
