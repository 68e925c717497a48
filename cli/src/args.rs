//! The command line: global options, the command tree, and value parsers shared by commands.

use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use uuid::Uuid;

use crate::deploy::DeployArgs;
use crate::deployment::DeploymentCommand;
pub use crate::duration::{MAX_INTERVAL, MAX_WAIT, duration_up_to};
use crate::github::GithubMode;
use crate::mock::MockArgs;
use crate::output::OutputFormat;
use crate::revision::RevisionCommand;
use crate::spec::SchemaArgs;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for waits: the revision is DEPLOYED)
  1  error: configuration, transport, an error response from the API, or a
     deployment name that two or more deployments share (deploy, plan, apply)
  2  usage error: bad arguments or input, rejected before any request
  3  the revision failed (CREATE_FAILED, BUILD_FAILED, DEPLOY_FAILED)
  4  the wait timed out (the revision keeps going on the service); for deploy, its --timeout
     passed at any step
  5  the revision was superseded (SKIPPED)
  10 plan --exit-code: there are changes to apply
  130 stopped by Ctrl-C (SIGINT)
  143 stopped by SIGTERM (deploy; it removes its temporary archive first)";

/// Manage LangSmith deployments and wait on their revisions.
#[derive(Debug, Parser)]
#[command(name = "lscp", version, about, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

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
    pub api_key: Option<String>,

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

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, inspect, change and delete deployments
    #[command(subcommand, alias = "deployments")]
    Deployment(Box<DeploymentCommand>),
    /// List and inspect revisions, wait on them, redeploy them, read their logs
    #[command(subcommand, alias = "revisions")]
    Revision(RevisionCommand),
    /// Show what `apply` would change to bring the workspace to a deployment file
    Plan(crate::plan::PlanArgs),
    /// Bring the workspace to a deployment file: create, update, wait for every new revision
    Apply(crate::plan::ApplyArgs),
    /// Ship a git ref, an image or a source directory to a deployment (created when new) and
    /// wait until it is live; exit codes as for `revision wait`
    Deploy(Box<DeployArgs>),
    /// Print the JSON Schema of a request body (for editors and spec files)
    Schema(SchemaArgs),
    /// Serve the embedded mock Control Plane in the foreground until Ctrl-C (in builds with the
    /// `mock` feature)
    Mock(MockArgs),
    /// Print a shell completion script, e.g. `lscp completions bash > /etc/bash_completion.d/lscp`
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// What each subcommand's help says instead of listing the global options again.
const GLOBALS_NOTE: &str = "\
Global options, accepted here too (`lscp --help` describes them): -o/--output, --api-key
(LANGSMITH_API_KEY), --workspace-id (LANGSMITH_WORKSPACE_ID), --base-url
(LANGSMITH_CONTROL_PLANE_URL), --region, --request-timeout, --show-secrets, --allow-insecure-http,
-v/--verbose, --github-actions (LSCP_GITHUB_ACTIONS).";

/// The command line as parsed: [`Cli`] with the global options described once, under `lscp
/// --help`. clap would repeat each global option in full in every subcommand's help; instead each
/// subcommand gets a hidden copy (still accepted there: clap propagates by ID and skips a
/// subcommand that has the argument already) and a note pointing to the root. Completions use
/// `Cli::command()`, which keeps them visible, so shells still complete them after a subcommand.
pub fn command() -> clap::Command {
    let globals: Vec<clap::Arg> = GlobalArgs::augment_args(clap::Command::new("lscp"))
        .get_arguments()
        .map(|arg| arg.clone().hide(true))
        .collect();
    hide_globals(Cli::command(), &globals)
}

fn hide_globals(mut command: clap::Command, globals: &[clap::Arg]) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |sub| {
            let sub = sub.args(globals.iter().cloned()).after_help(GLOBALS_NOTE);
            hide_globals(sub, globals)
        });
    }
    command
}

/// How many items a listing prints.
#[derive(Debug, Args)]
pub struct Paging {
    /// Print at most N items [default: 20]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "all")]
    pub limit: Option<u32>,
    /// Print every item, fetching as many pages as needed
    #[arg(long)]
    pub all: bool,
}

impl Paging {
    /// The item cap for the facade's listing; `None` for all.
    pub fn max_items(&self) -> Option<usize> {
        if self.all {
            None
        } else {
            Some(self.limit.unwrap_or(20) as usize)
        }
    }
}

/// A UUID, with an example in the error.
pub fn uuid(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text.trim())
        .map_err(|_| "not a UUID (expected e.g. 6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01)".to_string())
}

/// A parser that accepts the known values of an open enum, case-insensitively, and lists them in
/// help and errors. A value this version does not know is refused: on the command line it is far
/// more likely a typo than a value the service added.
pub fn one_of<T>(
    known: &'static [T],
    name: fn(&'static T) -> &'static str,
) -> impl TypedValueParser<Value = T>
where
    T: Clone + Send + Sync + 'static + for<'a> From<&'a str>,
{
    PossibleValuesParser::new(known.iter().map(name)).map(move |value| {
        // With `ignore_case`, clap hands back the value as typed: use the canonical spelling.
        known
            .iter()
            .find(|candidate| name(candidate).eq_ignore_ascii_case(&value))
            .cloned()
            .unwrap_or_else(|| T::from(value.as_str()))
    })
}
