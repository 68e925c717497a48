//! `lscp`: the LangSmith Deployment Control Plane from a shell or a CI job.
//!
//! A thin shell over the `langsmith-control-plane` crate: it parses arguments, builds a client,
//! calls the facade, prints the response (tables for people, the API's JSON for machines) and maps
//! the result to an exit code. No API logic lives here.
#![forbid(unsafe_code)]

mod apply_report;
mod args;
mod cmd;
mod confirm;
mod deploy_report;
mod duration;
mod exit;
mod github;
mod global;
mod inert;
mod live;
mod output;
mod redact;
mod secrets;
mod stop;
mod values;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::args::{Cli, Command};
use crate::exit::{Exit, Failure};

fn main() -> ExitCode {
    let matches = args::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    github::init(cli.global.github_actions);
    global::init_tracing(cli.global.verbose);
    let code = match run(cli, &matches) {
        Ok(exit) => exit,
        Err(failure) => failure.report(),
    };
    code.into()
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<Exit, Failure> {
    let Cli { global, command } = cli;
    match command {
        // Commands that need no client and no network.
        Command::Schema(args) => cmd::spec::print_schema(&args),
        Command::Completions { shell } => {
            // Into a buffer first: clap_complete panics when stdout is a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "lscp", &mut script);
            output::bytes(&script)?;
            Ok(Exit::Success)
        }
        Command::Mock(args) => runtime()?.block_on(cmd::mock::serve(args)),
        Command::Deployment(command) => {
            let context = global::Context::new(&global, matches)?;
            runtime()?.block_on(cmd::deployment::run(*command, &context))
        }
        Command::Revision(command) => {
            let context = global::Context::new(&global, matches)?;
            runtime()?.block_on(cmd::revision::run(command, &context))
        }
        Command::Plan(args) => {
            let context = global::Context::new(&global, matches)?;
            runtime()?.block_on(stoppable(cmd::plan::run_plan(args, &context)))
        }
        Command::Apply(args) => {
            let context = global::Context::new(&global, matches)?;
            runtime()?.block_on(stoppable(cmd::plan::run_apply(args, &context)))
        }
        Command::Deploy(args) => {
            let context = global::Context::new(&global, matches)?;
            runtime()?.block_on(cmd::deploy::run(*args, &context))
        }
    }
}

/// Runs `command` until it ends or a stop signal arrives (exit 130 or 143). Stopping drops the
/// command: nothing more is sent, and the source archives it made are removed with it.
async fn stoppable(command: impl Future<Output = Result<Exit, Failure>>) -> Result<Exit, Failure> {
    let mut stop = stop::Stop::listen();
    tokio::select! {
        biased;
        signal = stop.next() => Ok(signal.exit()),
        ended = command => ended,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::error(format!("could not start the async runtime: {e}")))
}
