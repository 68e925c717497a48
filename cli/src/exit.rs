//! Exit codes, and the errors that end a command with one.

use std::process::ExitCode;

use langsmith_control_plane::{ApiError, ConfigError, Error};

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
    /// The facade's errors as `From<Error>` below; a plan's own (an archive it cannot read
    /// back, a change that does not fit the API) exit 1, with their causes.
    fn from(error: langsmith_control_plane_plan::Error) -> Self {
        if let langsmith_control_plane_plan::Error::Client(error) = error {
            return error.into();
        }
        let mut message = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(inner) = cause {
            message = format!("{message}: {inner}");
            cause = inner.source();
        }
        Failure::error(crate::inert::escape(&message))
    }
}

/// An error that ends the command: what to print on stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    exit: Exit,
    message: String,
    hint: Option<String>,
}

impl Failure {
    /// Exit code 1.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Error,
            message: message.into(),
            hint: None,
        }
    }

    /// Exit code 2: the input cannot be used; nothing was sent.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a line telling the user what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the failure on stderr (under GitHub Actions also as an error annotation) and
    /// returns its exit code.
    pub fn report(self) -> Exit {
        crate::output::diagnostic(&format!("error: {}", self.message));
        if let Some(hint) = self.hint {
            crate::output::diagnostic(&format!("hint: {hint}"));
        }
        crate::github::failure(&self.message);
        self.exit
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Failure::error(error.to_string())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        if let Error::Cancelled = error {
            return Failure {
                exit: Exit::Interrupted,
                message: error.to_string(),
                hint: None,
            };
        }
        let hint = match &error {
            Error::Config(_) => Some(
                "settings come from --api-key, --workspace-id, --base-url/--region, then \
                 LANGSMITH_API_KEY, LANGSMITH_WORKSPACE_ID, LANGSMITH_CONTROL_PLANE_URL, LANGSMITH_ENDPOINT",
            ),
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
            _ => None,
        };
        // One line, whatever the service put in its detail or validation messages.
        let mut failure = Failure::error(crate::inert::escape(&error.to_string()));
        if let Error::DeployTimedOut { .. } = error {
            failure.exit = Exit::TimedOut;
        }
        match hint {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
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
