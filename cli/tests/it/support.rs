//! Runs the built `lscp` against the mock Control Plane, started in this process.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

use langsmith_control_plane_mock::{MockServer, MockServerBuilder};
use serde_json::Value;
use uuid::Uuid;

#[allow(unused_imports)]
pub use langsmith_control_plane::types::{
    Deployment, DeploymentCreateRequest, Revision, RevisionStatus, Secret,
};
#[allow(unused_imports)]
pub use langsmith_control_plane_mock::{Fault, Timing, github_deployment_request};

/// The API key every test sends; no output may ever contain it.
pub const KEY: &str = "lsv2_sk_clitest_0f9e8d7c6b5a49382716";

/// Variables that make lscp speak to a GitHub Actions runner: a test run inside a GitHub
/// workflow must not pass them on (nor have lscp write to the workflow's own files).
pub const GITHUB_VARIABLES: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "LSCP_GITHUB_ACTIONS",
];

/// The built binary with no `LANGSMITH_*`/`LANGCHAIN_*` variable, nor any of
/// [`GITHUB_VARIABLES`], inherited from the test run.
pub fn lscp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lscp"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("LANGSMITH_")
            || name.starts_with("LANGCHAIN_")
            || GITHUB_VARIABLES.contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
    command.stdin(Stdio::null());
    command
}

/// Runs `lscp ARGS` with only the variables in `env` (none inherited).
pub fn run_with(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = lscp();
    command.envs(env.iter().copied()).args(args);
    Run::of(command)
}

/// A finished run of `lscp`.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(mut command: Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().expect("lscp runs");
        Run {
            code: status.code().expect("lscp exits with a code, not a signal"),
            stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
        }
    }

    /// Checks the exit code, showing both streams when it is wrong.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Every stdout line, each parsed as one JSON document.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not one JSON document per line ({e}): {line}"))
            })
            .collect()
    }

    /// The single JSON document on stdout.
    #[track_caller]
    pub fn json(&self) -> Value {
        let mut lines = self.json_lines();
        assert_eq!(lines.len(), 1, "one document expected:\n{}", self.stdout);
        lines.remove(0)
    }

    /// Asserts stdout contains `needle`, showing stdout when it does not.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "{needle:?} not on stdout:\n{}",
            self.stdout
        );
        self
    }

    /// Asserts stderr contains `needle`, showing stderr when it does not.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "{needle:?} not on stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts the key appears on neither stream.
    #[track_caller]
    pub fn keeps_key_secret(&self) -> &Run {
        assert!(
            !self.stdout.contains(KEY),
            "key on stdout:\n{}",
            self.stdout
        );
        assert!(
            !self.stderr.contains(KEY),
            "key on stderr:\n{}",
            self.stderr
        );
        self
    }
}

/// A mock on its own runtime, and `lscp` pointed at it.
pub struct Harness {
    // Dropped before the runtime it runs on.
    pub mock: MockServer,
    runtime: tokio::runtime::Runtime,
}

impl Harness {
    /// A mock with the fast clock (600 ms from creation to DEPLOYED).
    pub fn start() -> Harness {
        Harness::with(MockServer::builder().timing(Timing::fast()))
    }

    /// A mock whose revisions reach their final status at once (and whose deletions end at
    /// once), for tests that look at the outcome of a wait rather than its progress.
    pub fn instant() -> Harness {
        Harness::with(MockServer::builder().timing(Timing::instant()))
    }

    /// A mock built from `builder`.
    pub fn with(builder: MockServerBuilder) -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let mock = runtime.block_on(builder.start()).expect("the mock starts");
        Harness { mock, runtime }
    }

    /// `lscp` with the mock's URL and the test key in the environment.
    pub fn lscp(&self) -> Command {
        let mut command = lscp();
        command
            .env("LANGSMITH_CONTROL_PLANE_URL", self.mock.base_url())
            .env("LANGSMITH_API_KEY", KEY);
        command
    }

    /// Runs `lscp ARGS` against the mock.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(&[], args)
    }

    /// Runs `lscp ARGS` against the mock with more environment variables.
    pub fn run_with(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut command = self.lscp();
        command.envs(env.iter().copied()).args(args);
        Run::of(command)
    }

    /// A deployment whose first revision is already DEPLOYED.
    pub fn seed(&self, name: &str) -> Deployment {
        self.seed_request(github_deployment_request(name))
    }

    /// A deployment made from `request`, its first revision already DEPLOYED.
    pub fn seed_request(&self, request: DeploymentCreateRequest) -> Deployment {
        let _context = self.runtime.enter();
        self.mock.seed_deployment(request)
    }

    /// Adds a revision that reports `status` for ever.
    pub fn seed_revision(&self, deployment: Uuid, status: RevisionStatus) -> Revision {
        let _context = self.runtime.enter();
        self.mock
            .seed_revision(deployment, status)
            .expect("the deployment exists")
    }

    /// Asserts the mock has received no request at all.
    #[track_caller]
    pub fn assert_no_request(&self) {
        let received = self.mock.requests();
        assert!(
            received.is_empty(),
            "expected no request, got {:?}",
            received
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>()
        );
    }
}

/// Runs `work` on each of `items` at once, each on its own thread, and returns the results in
/// the order of `items`; a panic in one is raised again here. For runs of `lscp` that wait on
/// clocks and do not depend on each other.
pub fn concurrently<T: Send, R: Send>(
    items: impl IntoIterator<Item = T>,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let work = &work;
    std::thread::scope(|scope| {
        let running: Vec<_> = items
            .into_iter()
            .map(|item| scope.spawn(move || work(item)))
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// A loopback URL where nothing listens.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A loopback HTTP server that answers every request with 200 and the JSON `body`, for answers
/// the mock never gives. It serves until the test process ends; returns its base URL.
pub fn answering_with(body: String) -> String {
    answering(200, body)
}

/// Like [`answering_with`], with `status` instead of 200.
pub fn answering(status: u16, body: String) -> String {
    serving(move |_| (status, body.clone()))
}

/// A loopback HTTP server that answers each request with the status and JSON body `respond`
/// returns for its path. It serves until the test process ends; returns its base URL.
pub fn serving(respond: impl Fn(&str) -> (u16, String) + Send + 'static) -> String {
    serving_with_header("", respond)
}

/// Like [`answering`], each response with `Retry-After: 0`: the client retries a 5xx or 429 at
/// once instead of after its backoff (about 2 s for its 3 retries).
pub fn answering_retry_at_once(status: u16, body: String) -> String {
    serving_with_header("retry-after: 0\r\n", move |_| (status, body.clone()))
}

/// [`serving`], with `header` (`name: value\r\n`, or empty) in each response.
fn serving_with_header(
    header: &'static str,
    respond: impl Fn(&str) -> (u16, String) + Send + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            // lscp only sends GETs here: the request ends with its head.
            let mut head = Vec::new();
            let mut chunk = [0; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&chunk[..n]),
                }
            }
            // `GET /path?query HTTP/1.1`
            let head = String::from_utf8_lossy(&head);
            let target = head.split(' ').nth(1).unwrap_or("/");
            let path = target.split('?').next().unwrap_or(target);
            let (status, body) = respond(path);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Answer\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 {header}connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// A file with `contents` that lives as long as the returned handle.
pub fn spec_file(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::io::Write::write_all(&mut file, contents.as_bytes()).expect("written");
    file
}

/// `id` as an argument.
pub fn arg(id: Uuid) -> String {
    id.to_string()
}

/// One request as a relaying proxy ([`relaying`]) received it.
pub struct Relayed {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header lines, except those about the connection and the framing.
    headers: Vec<String>,
    pub body: Vec<u8>,
    /// `host:port` of the server relayed to.
    upstream: String,
}

impl Relayed {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// Every value of the query parameter `name`, as sent (not decoded).
    pub fn query_values(&self, name: &str) -> Vec<String> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
            .collect()
    }

    /// Sends the request on as it came; the response's status and body.
    pub fn forward(&self) -> (u16, Vec<u8>) {
        self.forward_to(&self.target)
    }

    /// Sends the request on with `target` (path and query) instead of its own.
    pub fn forward_to(&self, target: &str) -> (u16, Vec<u8>) {
        let mut stream = std::net::TcpStream::connect(&self.upstream).expect("the upstream");
        let mut head = format!(
            "{} {target} HTTP/1.1\r\nhost: {}\r\n",
            self.method, self.upstream
        );
        for line in &self.headers {
            head.push_str(line);
            head.push_str("\r\n");
        }
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            self.body.len()
        ));
        stream.write_all(head.as_bytes()).expect("sent");
        stream.write_all(&self.body).expect("sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("a response");
        let end = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&response[..end]).to_lowercase();
        let status = head[9..12].parse().expect("a status");
        let body = response[end + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            return (status, unchunk(&body));
        }
        (status, body)
    }
}

/// The body of a chunked response.
fn unchunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("0").trim();
        let size = usize::from_str_radix(size_text, 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        body.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
    body
}

/// A loopback proxy in front of `upstream` (a base URL, such as the mock's): `handle` answers
/// each request with a status and a JSON body, usually by [`Relayed::forward`], or changes it on
/// the way. Serves until the test process ends; returns the base URL (`upstream`'s path prefix
/// kept) to point `lscp` at.
pub fn relaying(
    upstream: &str,
    handle: impl Fn(&Relayed) -> (u16, Vec<u8>) + Send + Sync + 'static,
) -> String {
    let rest = upstream
        .strip_prefix("http://")
        .expect("an http:// upstream");
    let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!(
        "http://{}{prefix}",
        listener.local_addr().expect("an address")
    );
    let (authority, handle) = (authority.to_string(), std::sync::Arc::new(handle));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (authority, handle) = (authority.clone(), handle.clone());
            std::thread::spawn(move || relay_one(stream, authority, &*handle));
        }
    });
    url
}

/// A proxy in front of `upstream` (see [`relaying`]) that holds requests for revision logs until
/// `hold` has passed since the first of them came. A log first read after a short pipeline is
/// over is read to its end at once; followed while it grows, it would be read again only after
/// the 2 s the facade waits between reads.
pub fn logs_held(upstream: &str, hold: std::time::Duration) -> String {
    let first = std::sync::Mutex::new(None::<std::time::Instant>);
    relaying(upstream, move |request| {
        if request.path().ends_with("/logs") {
            let now = std::time::Instant::now();
            let until = *first.lock().unwrap().get_or_insert(now + hold);
            std::thread::sleep(until.saturating_duration_since(now));
        }
        request.forward()
    })
}

/// Reads one request from `stream`, answers it with `handle`'s response, and closes.
fn relay_one(
    mut stream: std::net::TcpStream,
    upstream: String,
    handle: &(dyn Fn(&Relayed) -> (u16, Vec<u8>) + Send + Sync),
) {
    let mut received = Vec::new();
    let mut chunk = [0; 8192];
    let end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&received[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (request_line.next(), request_line.next());
    let mut length = 0;
    let mut headers = Vec::new();
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().to_lowercase();
        match name.as_str() {
            "content-length" => length = line[15..].trim().parse().unwrap_or(0),
            "host" | "connection" | "keep-alive" | "transfer-encoding" => {}
            _ => headers.push(line.to_string()),
        }
    }
    let mut body = received[end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let request = Relayed {
        method: method.unwrap_or_default().to_string(),
        target: target.unwrap_or("/").to_string(),
        headers,
        body,
        upstream,
    };
    let (status, body) = handle(&request);
    let head = format!(
        "HTTP/1.1 {status} Relayed\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    // The client may stop reading early (a body over its limit): nothing to do about that here.
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Issue 19, 2: `stderr` says the `error: ` line holding `message` once, then, after it, the
/// line `hint: HINT` once; no other line says the hint again, and the message holds none of it.
#[track_caller]
pub fn says_message_then_hint(stderr: &str, message: &str, hint: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = |wanted: &dyn Fn(&str) -> bool| -> Vec<usize> {
        (0..lines.len()).filter(|&i| wanted(lines[i])).collect()
    };
    let errors = at(&|line| line.starts_with("error: ") && line.contains(message));
    let hints = at(&|line| line == format!("hint: {hint}"));
    let said = stderr.matches(hint).count();
    assert!(
        errors.len() == 1 && hints.len() == 1 && said == 1 && errors[0] < hints[0],
        "expected the message {message:?} then the hint {hint:?}, once each, in:\n{stderr}"
    );
}
