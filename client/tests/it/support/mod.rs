//! A scripted HTTP/1.1 server on loopback for the facade's tests.
//!
//! It answers each request with the next scripted [`Reply`], which may also misbehave on the
//! wire (close without answering, stall, cut the body short). Every request is recorded.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const KEY: &str = "lsv2_sk_0123456789abcdef0123456789abcdef_test";
pub const WORKSPACE: &str = "0b8f3a6c-91d2-4e57-a4b8-c2d1e0f9a8b7";
pub const D: &str = "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01";
pub const R: &str = "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22";

pub fn d() -> uuid::Uuid {
    D.parse().unwrap()
}
pub fn r() -> uuid::Uuid {
    R.parse().unwrap()
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// What the server does with a request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete answer.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Close the connection without answering.
    Close,
    /// Wait, then do the inner reply.
    After(Duration, Box<Reply>),
    /// Send the head and part of a body that claims to be longer, then close.
    CutBody {
        status: u16,
        declared: usize,
        sent: String,
    },
    /// Send the head at once, then the body one byte every `every` (a body that trickles).
    Trickle {
        status: u16,
        body: String,
        every: Duration,
    },
    /// Send the head without a length, then `size` bytes of a JSON string, then close.
    Huge { status: u16, size: usize },
}

impl Reply {
    pub fn json(status: u16, body: impl ToString) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Reply::Full {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Full {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
    pub fn html(status: u16, body: &str) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: body.into(),
        }
    }
    pub fn after(self, wait: Duration) -> Self {
        Reply::After(wait, Box::new(self))
    }
}

type Script = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Server {
    pub url: String,
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Answers request number `n` (0-based) with `script(request, n)`.
    pub async fn start(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, Arc::new(script))
    }

    /// Answers with `replies` in order; the last one repeats.
    pub async fn sequence(replies: Vec<Reply>) -> Self {
        Self::start(move |_, n| replies[n.min(replies.len() - 1)].clone()).await
    }

    /// Serves on an already bound listener (for a server that starts late).
    pub fn serve(listener: TcpListener, script: Arc<Script>) -> Self {
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let counter = Arc::new(AtomicUsize::new(0));
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, script, counter) = (log.clone(), script.clone(), counter.clone());
                tokio::spawn(async move { handle(stream, log, script, counter).await });
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            seen,
        }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

async fn handle(
    mut stream: TcpStream,
    log: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Script>,
    counter: Arc<AtomicUsize>,
) {
    // Head and body go out in separate writes: without this, delayed ACKs add 40 ms a request.
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let reply = script(&request, n);
        log.lock().unwrap().push(request);
        if !respond(&mut stream, reply).await {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target, None),
    };
    Some(Seen {
        method,
        path,
        query,
        headers,
        body,
    })
}

/// Returns whether the connection may serve another request.
async fn respond(stream: &mut TcpStream, reply: Reply) -> bool {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await.is_ok()
                && stream.write_all(body.as_bytes()).await.is_ok()
        }
        Reply::Close => {
            let _ = stream.shutdown().await;
            false
        }
        Reply::After(wait, inner) => {
            tokio::time::sleep(wait).await;
            Box::pin(respond(stream, *inner)).await
        }
        Reply::CutBody {
            status,
            declared,
            sent,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(sent.as_bytes()).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
            false
        }
        Reply::Trickle {
            status,
            body,
            every,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            for byte in body.as_bytes() {
                tokio::time::sleep(every).await;
                if stream.write_all(&[*byte]).await.is_err() {
                    return false;
                }
            }
            true
        }
        Reply::Huge { status, size } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n\""
            );
            // Written from one reused chunk, so the server holds 64 KiB, not `size` bytes.
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = size.saturating_sub(2);
            let mut ok = stream.write_all(head.as_bytes()).await.is_ok();
            while ok && left > 0 {
                let n = left.min(chunk.len());
                ok = stream.write_all(&chunk[..n]).await.is_ok();
                left -= n;
            }
            if ok {
                let _ = stream.write_all(b"\"").await;
            }
            let _ = stream.shutdown().await;
            false
        }
    }
}

pub fn revision(status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": R, "created_at": "2026-11-02T14:05:31Z", "updated_at": "2026-11-02T14:09:12Z",
        "status": status, "source": "github", "source_revision_config": {"repo_ref": "main"}
    })
}

pub fn deployment(latest: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "name": "support-agent", "source": "github", "source_config": {}, "source_revision_config": {"repo_ref": "main"},
        "secrets": [], "id": D, "tenant_id": WORKSPACE, "created_at": "2026-11-02T14:05:31Z",
        "updated_at": "2026-11-02T14:05:31Z", "status": "READY", "latest_revision_id": latest, "active_revision_id": null
    })
}

/// A client for `server` with fast retries, so tests do not wait on production backoff.
pub fn client(server: &Server) -> langsmith_control_plane::Client {
    builder(server).build().unwrap()
}

pub fn builder(server: &Server) -> langsmith_control_plane::ClientBuilder {
    langsmith_control_plane::Client::builder()
        .api_key(KEY)
        .workspace_id(WORKSPACE)
        .base_url(&server.url)
        .retry_policy(fast_retries())
}

pub fn fast_retries() -> langsmith_control_plane::RetryPolicy {
    langsmith_control_plane::RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A client for tests on tokio's paused clock. Connections are not pooled: with the clock
/// paused, a request on a kept-alive connection after an auto-advanced sleep stalls until its
/// timeout (hyper's idle-connection bookkeeping runs on the same paused timers). Real time is
/// unaffected; `wire.rs` and `retries.rs` exercise pooled connections.
pub fn paused_clock_client(server: &Server) -> langsmith_control_plane::Client {
    paused_clock_builder(server).build().unwrap()
}

pub fn paused_clock_builder(server: &Server) -> langsmith_control_plane::ClientBuilder {
    let http = langsmith_control_plane::http_client_builder().pool_max_idle_per_host(0);
    builder(server).http_client(http)
}

/// Output of a `tracing_subscriber::fmt` subscriber, kept in memory.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A `tracing_subscriber::fmt` subscriber at TRACE level writing into a [`Captured`], set as the
/// default for as long as the guard lives, reporting the span events `spans`.
pub fn capture_traces(
    spans: tracing_subscriber::fmt::format::FmtSpan,
) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(spans)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Runs the test `module::name` of this binary again in a child process with `env` set (one
/// process per environment: setting variables here would race with the other tests), and
/// checks that it ran, alone, and passed.
pub fn run_in_child(test: &str, env: &[(&str, &std::ffi::OsStr)], remove: &[&str]) {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", test, "--test-threads=1"]);
    for (key, value) in env {
        command.env(key, value);
    }
    for key in remove {
        command.env_remove(key);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the child run of {test} failed: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child run of {test} ran no test:\n{stdout}"
    );
}
