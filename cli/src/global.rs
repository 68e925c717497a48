//! The global options, and what every API command needs from them: a client configured as
//! CONTRACT section 2 says, the output format, and request tracing for `-v`.

use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Args, ValueEnum};
use langsmith_control_plane::types::Sensitive;
use langsmith_control_plane::{Client, Region};

use crate::duration::{MAX_INTERVAL, duration_up_to};
use crate::exit::Failure;
use crate::github::GithubMode;
use crate::output::{Output, OutputFormat};

/// Options every command accepts, before or after the subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Base URL of the Control Plane API; may carry a path (self-hosted: https://HOST/api-host).
    /// Without it: LANGSMITH_CONTROL_PLANE_URL, then a URL derived from LANGSMITH_ENDPOINT, then
    /// the US host
    #[arg(
        long,
        global = true,
        env = "LANGSMITH_CONTROL_PLANE_URL",
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Hosted region, instead of --base-url
    #[arg(long, global = true, value_enum, value_name = "REGION")]
    pub region: Option<RegionArg>,

    /// LangSmith API key; LANGCHAIN_API_KEY is read when LANGSMITH_API_KEY is not set
    #[arg(
        long,
        global = true,
        env = "LANGSMITH_API_KEY",
        hide_env_values = true,
        // A key that starts with `-` must not be parsed as flags (and echoed in the error).
        allow_hyphen_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<Sensitive>,

    /// Workspace UUID, sent as X-Tenant-Id (needed with organization-scoped keys); LANGSMITH_TENANT_ID
    /// is read too, and must agree with LANGSMITH_WORKSPACE_ID when both are set
    #[arg(
        long,
        global = true,
        env = "LANGSMITH_WORKSPACE_ID",
        value_name = "UUID"
    )]
    pub workspace_id: Option<String>,

    /// Output format: tables for people, or one JSON document per object (the API's own shape)
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        default_value_t = OutputFormat::Text,
        value_name = "FORMAT"
    )]
    pub output: OutputFormat,

    /// Timeout of each HTTP request, e.g. 30s, at most 1h [default: 30s]
    #[arg(long, global = true, value_parser = duration_up_to(MAX_INTERVAL), value_name = "DURATION")]
    pub request_timeout: Option<Duration>,

    /// Print secret values, which every output format masks as *** otherwise
    #[arg(long, global = true)]
    pub show_secrets: bool,

    /// Allow plain http:// to hosts other than loopback (the key then travels unencrypted)
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,

    /// Show request tracing on stderr (-vv for more); the API key is never shown
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Speak to a GitHub Actions runner (auto: when GITHUB_ACTIONS=true): step outputs
    /// ($GITHUB_OUTPUT), a job summary ($GITHUB_STEP_SUMMARY), annotations, folded logs and
    /// masked secrets
    #[arg(
        long,
        global = true,
        env = "LSCP_GITHUB_ACTIONS",
        value_enum,
        default_value_t = GithubMode::Auto,
        value_name = "WHEN"
    )]
    pub github_actions: GithubMode,
}

/// A hosted region.
// The variant docs are `--help` text, where a bare URL reads best.
#[allow(rustdoc::bare_urls)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RegionArg {
    /// https://api.host.langchain.com
    Us,
    /// https://eu.api.host.langchain.com
    Eu,
}

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
            builder = builder.api_key(key.expose());
        }
        if let Some(id) = global
            .workspace_id
            .as_ref()
            .filter(|_| typed("workspace_id"))
        {
            let id = crate::values::uuid(id)
                .map_err(|e| Failure::usage(format!("invalid value for '--workspace-id': {e}")))?;
            builder = builder.workspace_id(id);
        }
        let base_url = global.base_url.as_ref().filter(|_| typed("base_url"));
        match (base_url, global.region) {
            (Some(_), Some(_)) => {
                return Err(
                    Failure::usage("--base-url and --region both name the service")
                        .hint("pass one of them"),
                );
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
        // No colours: every event is escaped whole (`TraceWriter`), escape codes included.
        .with_ansi(false)
        .with_span_events(span_events)
        .with_target(verbose >= 2)
        // Off (the default today), because the report of a failed write is an `eprintln!`,
        // which panics when stderr is closed.
        .log_internal_errors(false)
        .init();
}

/// Stderr for request tracing. An event's text may quote the service (an error's detail), so
/// each event is made inert as one line (a line feed inside it is escaped too, so it cannot
/// forge a line) and passes the workflow-command guard, as every other line does.
struct TraceWriter;

impl std::io::Write for TraceWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter writes each event whole, so a buffer holds one event and its line feed.
        let text = String::from_utf8_lossy(buf);
        let (event, end) = match text.strip_suffix('\n') {
            Some(event) => (event, "\n"),
            None => (text.as_ref(), ""),
        };
        let line = format!("{}{end}", crate::inert::escape(event));
        std::io::stderr().write_all(crate::github::guard_lines(&line).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
