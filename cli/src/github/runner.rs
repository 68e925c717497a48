//! Whether this process speaks to a GitHub Actions runner, decided once, and the runner's files.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::ValueEnum;

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
    pub(super) output: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`: the job summary's Markdown is appended here.
    pub(super) summary: Option<PathBuf>,
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
