//! The command line: the command tree. The global options are in `global`, the value parsers
//! shared by commands in `values` and `duration`.

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::cmd::deploy::DeployArgs;
use crate::cmd::deployment::DeploymentCommand;
use crate::cmd::mock::MockArgs;
use crate::cmd::revision::RevisionCommand;
use crate::cmd::spec::SchemaArgs;
use crate::global::GlobalArgs;

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
    Plan(crate::cmd::plan::PlanArgs),
    /// Bring the workspace to a deployment file: create, update, wait for every new revision
    Apply(crate::cmd::plan::ApplyArgs),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debug_of_the_parsed_command_line_shows_no_secret_value_or_api_key() {
        use clap::Parser;
        const VALUE: &str = "s3cr3t-marker";
        let secret = format!("OPENAI_API_KEY={VALUE}");
        let id = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
        let lines = [
            vec![
                "lscp",
                "--api-key",
                VALUE,
                "deploy",
                "--name",
                "a",
                "--ref",
                "main",
            ],
            vec![
                "lscp", "deploy", "--name", "a", "--ref", "main", "--secret", &secret,
            ],
            vec![
                "lscp",
                "deployment",
                "create",
                "--name",
                "a",
                "--secret",
                &secret,
            ],
            vec!["lscp", "deployment", "update", id, "--secret", &secret],
        ];
        for line in lines {
            let parsed = Cli::try_parse_from(&line).unwrap_or_else(|e| panic!("{e}"));
            for text in [format!("{parsed:?}"), format!("{parsed:#?}")] {
                assert!(!text.contains(VALUE), "{line:?} shows a secret: {text}");
            }
        }
    }
}
