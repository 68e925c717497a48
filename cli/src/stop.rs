//! The signals that stop a command early: Ctrl-C (SIGINT) and, on Unix, SIGTERM. Each is
//! listened to from the moment [`Stop::listen`] returns, so none falls between two awaits; once
//! listened to, the signal no longer kills the process, and the command decides what to clean up.

use crate::exit::Exit;

/// A signal asking the command to stop, and the exit code shells give it (128 + its number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C): exit 130.
    Interrupt,
    /// SIGTERM: exit 143.
    Terminate,
}

impl StopSignal {
    /// The exit code of a command this signal stopped.
    pub fn exit(self) -> Exit {
        match self {
            StopSignal::Interrupt => Exit::Interrupted,
            StopSignal::Terminate => Exit::Terminated,
        }
    }
}

/// The stop signals, listened to since [`Stop::listen`]. A signal whose handler could not be
/// installed is never reported (the process then keeps the system's default for it).
pub struct Stop {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(windows)]
    interrupt: Option<tokio::signal::windows::CtrlC>,
}

impl Stop {
    /// Starts listening now (needs the Tokio runtime).
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Stop {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(windows)]
        {
            Stop {
                interrupt: tokio::signal::windows::ctrl_c().ok(),
            }
        }
    }

    /// The next stop signal; pending for ever when none can arrive.
    pub async fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            tokio::select! {
                Some(()) = recv(&mut self.interrupt) => StopSignal::Interrupt,
                Some(()) = recv(&mut self.terminate) => StopSignal::Terminate,
                else => std::future::pending().await,
            }
        }
        #[cfg(windows)]
        {
            match &mut self.interrupt {
                Some(ctrl_c) if ctrl_c.recv().await.is_some() => StopSignal::Interrupt,
                _ => std::future::pending().await,
            }
        }
    }
}

/// The next delivery of `signal`; `None` when it is not listened to.
#[cfg(unix)]
async fn recv(signal: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match signal {
        Some(signal) => signal.recv().await,
        None => None,
    }
}
