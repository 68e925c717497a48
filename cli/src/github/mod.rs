//! `lscp` under GitHub Actions (CONTRACT section 8): step outputs in `$GITHUB_OUTPUT`, a Markdown
//! job summary in `$GITHUB_STEP_SUMMARY`, `::error`/`::warning` annotations, `::group::` folds
//! around streamed logs, and `::add-mask::` for every secret value sent; and, as long as the
//! runner reads this process, no text from outside may act as a workflow command.
//!
//! On when `GITHUB_ACTIONS=true`, or when `--github-actions on` (`LSCP_GITHUB_ACTIONS`) forces it;
//! off otherwise, and then nothing here prints or writes anything. Workflow commands go to stderr,
//! so that stdout stays the command's result (`-o json | jq` keeps working, and a pipe does not
//! swallow the commands).
//!
//! The runner is detected once per process, like a terminal is: every line printed passes the
//! guard in [`commands::guard_lines`] while it is on, whichever module prints it.

mod commands;
mod files;
mod markdown;
mod plan;
mod revision;

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::ValueEnum;

pub use commands::{Fold, FoldStream, guard_lines, mask_secrets};
pub use plan::{apply_finished, apply_unchanged, plan_computed};
pub use revision::{deploy_finished, failure, wait_finished};

/// `--github-actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GithubMode {
    /// When GITHUB_ACTIONS=true
    Auto,
    /// Always (the runner's files are written only when their variables name them)
    On,
    /// Never
    Off,
}

/// The runner this process reports to.
#[derive(Debug)]
pub struct Runner {
    /// `$GITHUB_OUTPUT`: step outputs are appended here.
    output: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`: the job summary's Markdown is appended here.
    summary: Option<PathBuf>,
}

static RUNNER: OnceLock<Option<Runner>> = OnceLock::new();

/// Decides, once, whether this process speaks to a GitHub Actions runner.
pub fn init(mode: GithubMode) {
    let on = match mode {
        GithubMode::On => true,
        GithubMode::Off => false,
        GithubMode::Auto => std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
    };
    let file = |name: &str| {
        std::env::var_os(name)
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
    };
    let runner = on.then(|| Runner {
        output: file("GITHUB_OUTPUT"),
        summary: file("GITHUB_STEP_SUMMARY"),
    });
    let _ = RUNNER.set(runner);
}

/// The runner, when this process speaks to one.
pub fn runner() -> Option<&'static Runner> {
    RUNNER.get().and_then(Option::as_ref)
}

/// Whether this process speaks to a runner.
pub fn active() -> bool {
    runner().is_some()
}
