//! Asking before a destructive or costly change: on a terminal, a yes/no question; elsewhere,
//! nothing happens without `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use crate::exit::Failure;

/// Refuses early (exit 2, before any request) when a change would need a confirmation nobody
/// can give: no `--yes` and stdin is not a terminal.
pub fn require_terminal_or_yes(yes: bool, what: &str) -> Result<(), Failure> {
    if yes || std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "refusing to {what} without --yes: stdin is not a terminal to confirm on"
    ))
    .hint("pass --yes to go ahead (as in CI), or --dry-run / `lscp plan` to only look"))
}

/// Asks `question [y/N]` on stderr and reads the answer from stdin; anything but `y` or `yes` is
/// a no. `--yes` answers for the user.
pub fn ask(yes: bool, question: &str) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::error(format!("could not read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
