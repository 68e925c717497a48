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
mod runner;

pub use commands::{Fold, FoldStream, guard_lines, mask_secrets};
pub use plan::{apply_finished, apply_unchanged, plan_computed};
pub use revision::{deploy_finished, failed_log, failure, wait_finished};
pub use runner::{GithubMode, init};
