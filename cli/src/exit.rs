//! Exit codes, and the errors that end a command with one.

use std::io::Write;
use std::process::ExitCode;

use langsmith_control_plane::{ApiError, ConfigError, Error};

use crate::inert;

/// How `lscp` ends. The numbers are part of its interface (CI scripts branch on them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; for waits, the revision is `DEPLOYED`.
    Success,
    /// 1: configuration, transport or API error.
    Error,
    /// 2: bad arguments or input, found before any request.
    Usage,
    /// 3: the revision failed.
    Failed,
    /// 4: the wait, or the whole deploy, timed out.
    TimedOut,
    /// 5: the revision was superseded (`SKIPPED`).
    Superseded,
    /// 10: `plan --exit-code` found changes to apply.
    Changes,
    /// 130: stopped by Ctrl-C, as shells report a SIGINT.
    Interrupted,
    /// 143: stopped by SIGTERM, as shells report it (128 + 15).
    Terminated,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Error => 1,
            Exit::Usage => 2,
            Exit::Failed => 3,
            Exit::TimedOut => 4,
            Exit::Superseded => 5,
            Exit::Changes => 10,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        })
    }
}

impl From<langsmith_control_plane_plan::Error> for Failure {
    fn from(error: langsmith_control_plane_plan::Error) -> Self {
        Failure::from(&error)
    }
}

impl From<&langsmith_control_plane_plan::Error> for Failure {
    /// The facade's errors as `From<&Error>` below; a plan's own (an archive it cannot read
    /// back, a change that does not fit the API) exit 1, with their causes and hint.
    fn from(error: &langsmith_control_plane_plan::Error) -> Self {
        if let langsmith_control_plane_plan::Error::Client(error) = error {
            return error.into();
        }
        Failure {
            causes: causes(error),
            hints: error.hint().map(str::to_owned).into_iter().collect(),
            ..Failure::error(crate::inert::escape(&error.to_string()))
        }
    }
}

/// What lscp says to do about a plan's error: [`hint`]'s for the facade's, else the plan's own.
pub fn plan_hint(error: &langsmith_control_plane_plan::Error) -> Option<&'static str> {
    match error {
        langsmith_control_plane_plan::Error::Client(error) => hint(error),
        other => other.hint(),
    }
}

/// An error that ends the command: what to print on stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    exit: Exit,
    message: String,
    /// What caused it, outermost first, each said once (an error's `source()` chain).
    causes: Vec<String>,
    /// What to do about it, each said once, after the causes.
    hints: Vec<String>,
}

impl Failure {
    /// Exit code 1.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Error,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// Exit code 2: the input cannot be used; nothing was sent.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// The same failure with exit code 2: input that cannot be used, found before any request.
    pub fn with_usage_exit(mut self) -> Self {
        self.exit = Exit::Usage;
        self
    }

    /// Adds a line telling the user what to do about it (once: a hint already there is not
    /// added again).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        if !self.hints.contains(&hint) {
            self.hints.push(hint);
        }
        self
    }

    /// The same failure, its message said of `subject` (`SUBJECT: MESSAGE`), e.g. one
    /// deployment of an apply. `subject` is escaped here.
    pub fn about(mut self, subject: &str) -> Self {
        self.message = format!("{}: {}", inert::escape(subject), self.message);
        self
    }

    /// What [`report`](Self::report) prints, a line each: `error: MESSAGE`, then `caused by:
    /// CAUSE` for each cause, then `hint: HINT` for each hint.
    pub fn lines(&self) -> Vec<String> {
        let causes = self
            .causes
            .iter()
            .map(|cause| format!("caused by: {cause}"));
        let hints = self.hints.iter().map(|hint| format!("hint: {hint}"));
        std::iter::once(format!("error: {}", self.message))
            .chain(causes)
            .chain(hints)
            .collect()
    }

    /// Prints the failure on stderr (under GitHub Actions also as an error annotation) and
    /// returns its exit code.
    pub fn report(self) -> Exit {
        for line in self.lines() {
            diagnostic(&line);
        }
        crate::github::failure(&one_line(&self.message, &self.causes));
        self.exit
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Failure::error(error.to_string()).hint(config_hint(&error))
    }
}

/// What to do about a setting that cannot be used: the library's hint for it (where a missing
/// key comes from, which of two clashing settings to drop), else where settings come from.
fn config_hint(error: &ConfigError) -> &'static str {
    error.hint().unwrap_or(
        "settings come from --api-key, --workspace-id, --base-url/--region, then \
         LANGSMITH_API_KEY, LANGSMITH_WORKSPACE_ID, LANGSMITH_CONTROL_PLANE_URL, LANGSMITH_ENDPOINT",
    )
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::from(&error)
    }
}

impl From<&Error> for Failure {
    fn from(error: &Error) -> Self {
        let exit = match error {
            Error::Cancelled => Exit::Interrupted,
            Error::DeployTimedOut { .. } => Exit::TimedOut,
            _ => Exit::Error,
        };
        Failure {
            exit,
            // One line each, whatever the service put in its detail or validation messages.
            message: inert::escape(&error.to_string()).into_owned(),
            causes: causes(error),
            hints: hint(error).map(str::to_owned).into_iter().collect(),
        }
    }
}

/// What lscp says to do about `error`: its own hint where it has one (it knows the flags),
/// else the library's.
pub fn hint(error: &Error) -> Option<&'static str> {
    match error {
        Error::Config(config) => Some(config_hint(config)),
        Error::Unauthorized(api) => Some(unauthorized_hint(api)),
        Error::NotFound(_) => Some("check the ID, and that it belongs to this workspace"),
        Error::Transport { .. } => {
            Some("check the base URL (--base-url, --region) and the network")
        }
        Error::RateLimited(_) => Some("too many requests; try again later"),
        Error::AmbiguousName { .. } => Some(
            "rename or delete all but one of them (`lscp deployment list --name-contains`); \
             `lscp deploy` also takes --deployment-id instead of a name",
        ),
        other => other.hint(),
    }
}

/// The causes of `error` (its `source()` chain), escaped, leaving out any the text before it
/// already says (a wrapper that repeats its cause's words).
pub fn causes(error: &dyn std::error::Error) -> Vec<String> {
    let mut said = error.to_string();
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.trim().is_empty() && !said.contains(&text) {
            said.push('\n');
            said.push_str(&text);
            causes.push(inert::escape(&text).into_owned());
        }
        source = cause.source();
    }
    causes
}

/// `error` and its causes on one line, escaped: for a report that gives each failure a line
/// (`prune`'s per-deployment reasons).
pub fn error_text(error: &dyn std::error::Error) -> String {
    one_line(&inert::escape(&error.to_string()), &causes(error))
}

/// `message: cause: cause`.
fn one_line(message: &str, causes: &[String]) -> String {
    let mut text = message.to_owned();
    for cause in causes {
        text.push_str(": ");
        text.push_str(cause);
    }
    text
}

/// What to do about a 401 or 403, by what the service said.
fn unauthorized_hint(error: &ApiError) -> &'static str {
    let detail = error
        .detail
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if error.status == 403 && detail.contains("requires workspace specification") {
        "this API key belongs to an organization: set LANGSMITH_WORKSPACE_ID (or pass \
         --workspace-id) to the workspace's ID, from Settings > Workspaces in LangSmith"
    } else if error.status == 403 && detail.contains("not enabled") {
        "LangSmith Deployment is not enabled for the organization this API key belongs to; \
         enable it under Deployments in LangSmith (check the key is for that organization)"
    } else {
        "check the API key; an organization-scoped key also needs --workspace-id \
         (or LANGSMITH_WORKSPACE_ID)"
    }
}

/// Writes `text` and a newline to stderr, its control characters but line feeds escaped.
/// Unlike `eprintln!`, a closed or failing stderr is ignored: there is nowhere left to report
/// it, and it must not change the exit code.
pub fn diagnostic(text: &str) {
    let text = crate::inert::escape_keeping_lines(text);
    let text = crate::github::guard_lines(&text);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18, 1: work cancelled by Ctrl-C ends as a SIGINT does, 130.
    #[test]
    fn a_cancelled_error_exits_130() {
        assert_eq!(Failure::from(Error::Cancelled).exit, Exit::Interrupted);
        assert_eq!(
            Failure::from(Error::InvalidInput("x".into())).exit,
            Exit::Error
        );
    }
}
