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
//!
//! Two layers, so that imports go one way: the runner and its workflow commands (re-exported
//! here) sit below `exit` and `output`, which use them; the reports at the end of a command
//! ([`revision`], [`plan`]) sit above, and print through `output`.

mod commands;
mod files;
mod markdown;
pub mod plan;
pub mod revision;
mod runner;

pub use commands::{Fold, FoldStream, failure, guard_lines, mask_secrets};
pub use runner::{GithubMode, init};
