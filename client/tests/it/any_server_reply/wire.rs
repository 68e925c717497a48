//! A loopback HTTP/1.1 server that puts on the wire whatever a [`Reply`] describes: any status
//! token, any header bytes, true or lying framing, bodies of any size, pauses, closes and resets.
//!
//! Each test case starts its own server, so request numbering starts at 0 and one case's slow
//! replies cannot reach into the next; dropping the server stops every task it started.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Replaced at the start of a header value by the server's own origin
/// (`http://127.0.0.1:<port>`), for redirects that point back at the server.
pub const ORIGIN: &str = "{origin}";
/// Replaced, as a whole header value, by an HTTP date two seconds from when the reply is sent.
pub const SOON: &str = "{soon}";

/// One scripted answer to one request.
#[derive(Clone)]
pub struct Reply {
    /// Wait this long after reading the request before doing anything.
    pub delay: Duration,
    pub act: Act,
}

#[derive(Clone)]
pub enum Act {
    /// Close the connection without answering.
    Close,
    /// Reset the connection (RST) without answering.
    Reset,
    Answer(Answer),
}

#[derive(Clone)]
pub struct Answer {
    /// An informational (1xx) response sent ahead of this one, as proxies do.
    pub interim: Option<u16>,
    /// The protocol version as sent, usually `HTTP/1.1`.
    pub version: String,
    /// The status code as sent: usually three digits, but any text.
    pub status: String,
    pub reason: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub framing: Framing,
    pub body: Body,
    /// Pause between the head and the body.
    pub pause: Duration,
    pub after: After,
}

/// How the body's end is announced.
#[derive(Clone, Debug)]
pub enum Framing {
    /// A true `content-length`.
    Length,
    /// A `content-length` this many bytes short of the body (the rest trails onto the connection).
    Short(usize),
    /// A `content-length` this many bytes past the body.
    Long(u64),
    /// A `content-length` that is not a length.
    Garbled(String),
    /// `transfer-encoding: chunked`, in chunks of this many bytes.
    Chunked(usize),
    /// No length: the body ends when the connection closes.
    UntilClose,
}

/// What happens to the connection after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    KeepOpen,
    Close,
    Reset,
}

/// A body as pieces, so that a huge or deeply nested one stays small in the script and in
/// a failure's printout.
#[derive(Clone, Default)]
pub struct Body(pub Vec<Piece>);

#[derive(Clone)]
pub enum Piece {
    Bytes(Vec<u8>),
    /// These bytes, this many times.
    Repeat(Vec<u8>, usize),
}

impl Body {
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Body(vec![Piece::Bytes(bytes.into())])
    }

    /// Whether the body begins with `prefix`.
    pub fn starts_with(&self, prefix: &[u8]) -> bool {
        match self.0.first() {
            Some(Piece::Bytes(bytes)) => bytes.starts_with(prefix),
            Some(Piece::Repeat(unit, count)) => *count > 0 && unit.starts_with(prefix),
            None => prefix.is_empty(),
        }
    }

    pub fn len(&self) -> usize {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Bytes(bytes) => bytes.len(),
                Piece::Repeat(unit, count) => unit.len() * count,
            })
            .sum()
    }

    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for piece in &self.0 {
            match piece {
                Piece::Bytes(bytes) => out.extend_from_slice(bytes),
                Piece::Repeat(unit, count) => out.extend_from_slice(&unit.repeat(*count)),
            }
        }
        out
    }
}

impl Answer {
    /// The head as sent (with placeholders filled for `port`) and the framed body.
    pub fn wire(&self, port: u16) -> (Vec<u8>, Vec<u8>) {
        let body = self.body.render();
        let mut head = match self.interim {
            Some(code) => format!("HTTP/1.1 {code} Interim\r\n\r\n").into_bytes(),
            None => Vec::new(),
        };
        let status_line = format!("{} {} {}\r\n", self.version, self.status, self.reason);
        head.extend_from_slice(status_line.as_bytes());
        let length = match &self.framing {
            Framing::Length => Some(body.len().to_string()),
            Framing::Short(short) => Some(body.len().saturating_sub(*short).to_string()),
            Framing::Long(extra) => Some((body.len() as u64 + extra).to_string()),
            Framing::Garbled(text) => Some(text.clone()),
            Framing::Chunked(_) => {
                head.extend_from_slice(b"transfer-encoding: chunked\r\n");
                None
            }
            Framing::UntilClose => None,
        };
        if let Some(length) = length {
            head.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
        }
        for (name, value) in &self.headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(&fill_placeholders(value, port));
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let body = match self.framing {
            Framing::Chunked(size) => chunked(&body, size.max(1)),
            _ => body,
        };
        (head, body)
    }

    /// Whether the connection must close after this answer for the body to end.
    fn ends_by_closing(&self) -> bool {
        matches!(self.framing, Framing::UntilClose)
    }
}

fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / size * 8 + 8);
    for chunk in body.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn fill_placeholders(value: &[u8], port: u16) -> Vec<u8> {
    // A placeholder opens its value: looking no further keeps the 128 KiB values cheap.
    if !value.starts_with(ORIGIN.as_bytes()) && !value.starts_with(SOON.as_bytes()) {
        return value.to_vec();
    }
    let text = String::from_utf8_lossy(value);
    let soon = std::time::SystemTime::now() + Duration::from_secs(2);
    text.replace(ORIGIN, &format!("http://127.0.0.1:{port}"))
        .replace(SOON, &httpdate::fmt_http_date(soon))
        .into_bytes()
}

/// Bytes as text a person can read: printable ASCII as is, the rest escaped.
pub fn escape(bytes: &[u8], limit: usize) -> String {
    let mut out = String::new();
    for &byte in bytes.iter().take(limit) {
        match byte {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    if bytes.len() > limit {
        out.push_str(&format!("...({} bytes)", bytes.len()));
    }
    out
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pieces: Vec<String> = self
            .0
            .iter()
            .map(|piece| match piece {
                Piece::Bytes(bytes) => format!("\"{}\"", escape(bytes, 400)),
                Piece::Repeat(unit, count) => format!("\"{}\" x {count}", escape(unit, 40)),
            })
            .collect();
        write!(f, "{}", pieces.join(" + "))
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.delay.is_zero() {
            write!(f, "after {:?}: ", self.delay)?;
        }
        write!(f, "{:?}", self.act)
    }
}

impl fmt::Debug for Act {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Act::Close => write!(f, "close without answering"),
            Act::Reset => write!(f, "reset without answering"),
            Act::Answer(answer) => write!(f, "{answer:?}"),
        }
    }
}

impl fmt::Debug for Answer {
    /// The head as it goes on the wire, so a failure shows exactly what the client received.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, _) = self.wire(0);
        write!(f, "\"{}\"", escape(&head, 2000))?;
        write!(f, " body {:?} ({} bytes)", self.body, self.body.len())?;
        write!(f, " framing {:?}", self.framing)?;
        if !self.pause.is_zero() {
            write!(f, " after a pause of {:?}", self.pause)?;
        }
        match self.after {
            After::KeepOpen if !self.ends_by_closing() => Ok(()),
            After::KeepOpen | After::Close => write!(f, ", then close"),
            After::Reset => write!(f, ", then reset"),
        }
    }
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target without its query.
    pub path: String,
}

/// A running server; request `n` gets `script[n]`, and the last reply repeats.
pub struct HostileServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    accept: JoinHandle<()>,
}

impl HostileServer {
    pub async fn start(script: Vec<Reply>) -> Self {
        assert!(!script.is_empty(), "a script needs at least one reply");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let log = requests.clone();
        let script = Arc::new(script);
        let accept = tokio::spawn(async move {
            // Dropped with the accept task, which aborts every connection task.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, script) = (log.clone(), script.clone());
                connections.spawn(serve(stream, port, log, script));
                while connections.try_join_next().is_some() {}
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            accept,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    port: u16,
    log: Arc<Mutex<Vec<Request>>>,
    script: Arc<Vec<Reply>>,
) {
    // Head and body go out in separate writes; without this, delayed ACKs cost 40 ms each.
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        let reply = {
            let mut log = log.lock().unwrap();
            let n = log.len().min(script.len() - 1);
            log.push(request);
            script[n].clone()
        };
        if !answer(&mut stream, reply, port).await {
            return;
        }
    }
}

/// Reads one request (head and `content-length` body); `None` when the client went away.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?;
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let body_length: usize = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + body_length {
        read_more(stream, buffer).await?;
    }
    buffer.drain(..head_end + body_length);
    Some(Request { method, path })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

/// Carries out `reply`; returns whether the connection may serve another request.
async fn answer(stream: &mut TcpStream, reply: Reply, port: u16) -> bool {
    tokio::time::sleep(reply.delay).await;
    let answer = match reply.act {
        Act::Close => {
            let _ = stream.shutdown().await;
            return false;
        }
        Act::Reset => {
            let _ = stream.set_zero_linger();
            return false;
        }
        Act::Answer(answer) => answer,
    };
    let (head, body) = answer.wire(port);
    let mut sent = stream.write_all(&head).await.is_ok();
    if sent && !answer.pause.is_zero() {
        let _ = stream.flush().await;
        tokio::time::sleep(answer.pause).await;
    }
    sent = sent && stream.write_all(&body).await.is_ok();
    let _ = stream.flush().await;
    match answer.after {
        _ if !sent => false,
        After::Reset => {
            let _ = stream.set_zero_linger();
            false
        }
        After::Close => {
            let _ = stream.shutdown().await;
            false
        }
        After::KeepOpen if answer.ends_by_closing() => {
            let _ = stream.shutdown().await;
            false
        }
        After::KeepOpen => true,
    }
}
