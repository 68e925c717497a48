//! `lscp` as a running process: its stderr read line by line as it comes, a signal sent to it,
//! and its end awaited within a limit (a hang fails the test instead of stalling the suite).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A started `lscp`.
pub struct Running {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    stdout: Option<JoinHandle<String>>,
    started: Instant,
}

/// How a [`Running`] ended.
#[derive(Debug)]
pub struct Ended {
    /// The exit code; `None` when a signal killed it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// From start to end.
    pub took: Duration,
}

impl Running {
    pub fn start(mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lscp starts");
        let (sender, lines) = channel();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (pipe, kept) = (child.stderr.take().expect("piped"), stderr.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                kept.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = sender.send(line);
            }
        });
        let mut pipe = child.stdout.take().expect("piped");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        Running {
            child,
            lines,
            stderr,
            stdout: Some(stdout),
            started: Instant::now(),
        }
    }

    /// Waits up to `limit` for a stderr line containing `needle`.
    #[track_caller]
    pub fn wait_for_line(&mut self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return,
                Ok(_) => {}
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "no line with {needle:?} on stderr within {limit:?}:\n{}",
                        self.stderr.lock().unwrap()
                    );
                }
            }
        }
    }

    /// Sends `signal` (`INT`, `TERM`) with `kill`.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `limit` for the end; past it, kills the process and fails the test.
    #[track_caller]
    pub fn end_within(mut self, limit: Duration) -> Ended {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("lscp can be waited on") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "lscp still running after {limit:?}; stderr:\n{}",
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = self.started.elapsed();
        let stdout = self.stdout.take().expect("once").join().unwrap_or_default();
        // The reader ends at the pipe's end, which follows the exit.
        let waited = Instant::now();
        while self.lines.recv_timeout(Duration::from_millis(100)).is_ok()
            && waited.elapsed() < Duration::from_secs(5)
        {}
        let stderr = self.stderr.lock().unwrap().clone();
        Ended {
            code: status.code(),
            stdout,
            stderr,
            took,
        }
    }
}

impl Ended {
    /// Checks the exit code, showing stderr when it is wrong.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Ended {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code (None: killed by a signal)\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts stderr contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Ended {
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not on stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts `text` appears on neither stream.
    #[track_caller]
    pub fn never_shows(&self, text: &str) -> &Ended {
        for stream in [&self.stdout, &self.stderr] {
            assert!(!stream.contains(text), "{text:?} was printed:\n{stream}");
        }
        self
    }
}
