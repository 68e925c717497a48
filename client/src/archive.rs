//! A source directory as a `.tar.gz` in a temporary file, with the files git would not commit,
//! those `.dockerignore` leaves out and secrets files left out, and its upload to a signed URL.

mod docker;
mod gitrules;
mod roots;
mod walk;

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, InputError, Oversized};
use walk::{Found, Walked};

/// Archives larger than this are refused before any request (the upload URL takes no more); the
/// size is checked while the archive is written.
pub const MAX_ARCHIVE_BYTES: u64 = 200 * 1024 * 1024;
/// Archives larger than this get a warning: something big may have slipped past the ignore rules.
pub const WARN_ARCHIVE_BYTES: u64 = 50 * 1024 * 1024;
/// The most the files of an archive may add up to before compression; a larger tree (or one
/// larger file, such as a sparse one) is refused before any of it is read.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Ignore files (`.gitignore`, `.dockerignore`, `info/exclude`, the global excludes file) larger
/// than this are skipped with a warning.
pub const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;
/// The config file (`langgraph.json`) is refused when larger than this.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Bytes of the archive read from disk per chunk of the upload's body.
const UPLOAD_CHUNK: u64 = 256 * 1024;

/// A source archive ready for upload.
#[derive(Debug)]
pub struct SourceArchive {
    pub(crate) file: tempfile::NamedTempFile,
    /// Compressed size in bytes.
    pub size: u64,
    /// Paths of the files it holds, as stored (relative to the archive root).
    pub files: Vec<String>,
    /// The config file's path inside the archive.
    pub config_path: String,
    /// Files whose size or modification time changed while they were read. Each holds the bytes
    /// of its size when first seen (a file that shrank instead fails the archive).
    pub changed: Vec<String>,
    /// Secrets files left out by default (`.env`, `*.pem`, SSH keys, ...), as archive paths with
    /// control characters escaped; a `.dockerignore` negation naming one ships it.
    pub left_out: Vec<String>,
    /// What was skipped along the way, such as an ignore file that is not a regular file.
    pub warnings: Vec<String>,
}

impl SourceArchive {
    /// Where the archive is on disk (a temporary file, removed when this is dropped).
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Lines a deploy reports after archiving: the secrets files left out (one line), the
    /// files that changed while read, and what was skipped.
    pub(crate) fn notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        if !self.left_out.is_empty() {
            notices.push(format!(
                "left out {} secrets file{} ({}); a .dockerignore negation ships one",
                self.left_out.len(),
                if self.left_out.len() == 1 { "" } else { "s" },
                some(&self.left_out)
            ));
        }
        if !self.changed.is_empty() {
            let changed: Vec<String> = self.changed.iter().map(|n| printable(n)).collect();
            notices.push(format!(
                "warning: {} file{} changed while being read ({}); each ships as it was when \
                 first seen",
                changed.len(),
                if changed.len() == 1 { "" } else { "s" },
                some(&changed)
            ));
        }
        notices.extend(
            self.warnings
                .iter()
                .map(|w| format!("warning: {}", printable(w))),
        );
        notices
    }
}

/// The first few of `names`, comma-separated, with `...` when there are more.
fn some(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names[..names.len().min(SHOWN)].join(", ");
    if names.len() > SHOWN {
        text.push_str(", ...");
    }
    text
}

/// `text` with its control characters escaped, safe to print.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

fn input(message: String) -> Error {
    Error::InvalidInput(message.into())
}

/// An [`Error::InvalidInput`] with what to do about it.
fn advised(message: String, hint: &'static str) -> Error {
    Error::InvalidInput(InputError::from(message).with_hint(hint))
}

/// An [`Error::Io`] maker: `action` failed on `path` (as shown to the user).
fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

/// Archives `dir` (and local dependencies its config names outside it) into a temporary file.
/// `config` is relative to `dir` and must exist there.
///
/// What ships is what git would commit: the `.gitignore` files of `dir` and of its enclosing
/// repository up to its root, `.git/info/exclude` and the global excludes file apply (outside a
/// repository, `dir` counts as one's root). Then the `.dockerignore` at the top of each archived
/// directory, with Docker's rules. Always left out: `.git/`, virtualenvs, `node_modules/`,
/// caches, symlinks, special files, and secrets files (see [`SourceArchive::left_out`]).
///
/// A local dependency (`"dependencies": ["../shared"]`) is refused when it resolves through a
/// symlink, is `dir` or a directory above it, or lies outside `dir`'s parent and its repository;
/// entry names are relative to the nearest directory holding `dir` and its dependencies.
/// Refused before anything is written: a `config` not in `dir` ([`Error::ConfigNotInSource`]);
/// as [`Error::InvalidInput`], a config the rules leave out, a file name that is not UTF-8; as
/// [`Error::SourceTooLarge`], more than [`MAX_UNCOMPRESSED_BYTES`], and while writing, an
/// archive over [`MAX_ARCHIVE_BYTES`]. A file that shrinks while read is
/// [`Error::SourceFileShrank`].
pub fn archive(dir: &Path, config: &Path) -> Result<SourceArchive, Error> {
    archive_cancellable(dir, config, &AtomicBool::new(false))
}

/// [`archive`] on a blocking thread, so that an async caller's runtime stays free meanwhile
/// (a signal handler can run). Dropping the future stops the archiving between two files, as
/// [`archive_cancellable`] does, and removes its temporary file.
pub async fn archive_off_thread(dir: &Path, config: &Path) -> Result<SourceArchive, Error> {
    let cancel = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let (dir, config) = (dir.to_owned(), config.to_owned());
    tokio::task::spawn_blocking(move || archive_cancellable(&dir, &config, &cancel))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Sets its flag when dropped: the future that owns it going away stops work on another thread.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// [`archive`], stopping with [`Error::Cancelled`] soon after `cancel` is set: it is checked
/// between directories, between files and between chunks of a file. The temporary file is
/// removed on the way out.
pub fn archive_cancellable(
    dir: &Path,
    config: &Path,
    cancel: &AtomicBool,
) -> Result<SourceArchive, Error> {
    let dir = dir
        .canonicalize()
        .map_err(io("read the source directory", dir))?;
    let config_file = roots::config_file(&dir, config)?;
    let (roots, base) = roots::roots(&dir, &config_file, MAX_CONFIG_BYTES)?;
    let config_path = relative_name(&base, &config_file)?;
    let mut walked = Walked::default();
    for root in &roots {
        walk::walk(root, &base, cancel, &mut walked)?;
    }
    if !walked.files.iter().any(|found| found.name == config_path) {
        return Err(advised(
            format!(
                "the config file {config_path} is left out by the ignore rules (.gitignore, \
                 .dockerignore or the secrets files always left out), and an archive needs it"
            ),
            "change the ignore rules so that it ships",
        ));
    }
    check_uncompressed(&walked.files)?;
    for name in &walked.left_out {
        tracing::debug!(file = %name, "left out a secrets file");
    }
    let (file, size, changed) = write(&walked.files, cancel)?;
    Ok(SourceArchive {
        file,
        size,
        files: walked.files.into_iter().map(|found| found.name).collect(),
        config_path,
        changed,
        left_out: walked.left_out,
        warnings: walked.warnings,
    })
}

/// Refuses a file, or a whole, over [`MAX_UNCOMPRESSED_BYTES`] before anything is read.
fn check_uncompressed(files: &[Found]) -> Result<(), Error> {
    let mut total = 0u64;
    for found in files {
        if found.len > MAX_UNCOMPRESSED_BYTES {
            return Err(Error::SourceTooLarge {
                what: Oversized::File(found.name.clone()),
                size: found.len,
                limit: MAX_UNCOMPRESSED_BYTES,
            });
        }
        total = total.saturating_add(found.len);
    }
    if total > MAX_UNCOMPRESSED_BYTES {
        return Err(Error::SourceTooLarge {
            what: Oversized::Files,
            size: total,
            limit: MAX_UNCOMPRESSED_BYTES,
        });
    }
    Ok(())
}

/// Writes `files` into a new temporary `.tar.gz`: the file, its size, and the names of the
/// files that changed while read.
fn write(
    files: &[Found],
    cancel: &AtomicBool,
) -> Result<(tempfile::NamedTempFile, u64, Vec<String>), Error> {
    let file = tempfile::NamedTempFile::new()
        .map_err(io("create a temporary file in", std::env::temp_dir()))?;
    let path = file.path().to_owned();
    let capped = Capped {
        inner: BufWriter::new(file.as_file()),
        written: 0,
    };
    let gzip = flate2::write::GzEncoder::new(capped, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    let mut changed = Vec::new();
    let over = |tar: &tar::Builder<flate2::write::GzEncoder<Capped<_>>>| {
        let written = tar.get_ref().get_ref().written;
        (written > MAX_ARCHIVE_BYTES).then(|| too_large(written))
    };
    for found in files {
        match append(&mut tar, found, cancel) {
            Ok(true) => changed.push(found.name.clone()),
            Ok(false) => {}
            Err(e) => return Err(over(&tar).unwrap_or(e)),
        }
    }
    let mut capped = match tar.into_inner().and_then(|gzip| gzip.finish()) {
        Ok(capped) => capped,
        Err(_) if cancel.load(Ordering::Relaxed) => return Err(Error::Cancelled),
        Err(e) => return Err(io("write the archive", path)(e)),
    };
    capped.flush().map_err(io("write the archive", path))?;
    let size = capped.written;
    drop(capped);
    if size > MAX_ARCHIVE_BYTES {
        return Err(too_large(size));
    }
    Ok((file, size, changed))
}

fn too_large(size: u64) -> Error {
    Error::SourceTooLarge {
        what: Oversized::Archive,
        size,
        limit: MAX_ARCHIVE_BYTES,
    }
}

/// Appends `found` as a plain file entry (never a sparse one) of the size the walk saw, copying
/// exactly that many bytes in chunks with `cancel` checked before each. Returns whether the file
/// changed while read; a file that shrank is an error.
fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    found: &Found,
    cancel: &AtomicBool,
) -> Result<bool, Error> {
    cancelled(cancel)?;
    let name = &found.name;
    let failed = |e: std::io::Error| io("archive", name)(e);
    let source = File::open(&found.path).map_err(failed)?;
    let before = source.metadata().map_err(failed)?;
    if !before.is_file() {
        return Err(input(format!("{name} is no longer a regular file")));
    }
    let mut header = tar::Header::new_gnu();
    header.set_metadata_in_mode(&before, tar::HeaderMode::Deterministic);
    header.set_size(found.len);
    let mut reader = Chunks {
        inner: (&source).take(found.len),
        cancel,
        read: 0,
    };
    match tar.append_data(&mut header, name, &mut reader) {
        Ok(()) => {}
        Err(_) if cancel.load(Ordering::Relaxed) => return Err(Error::Cancelled),
        Err(e) => return Err(failed(e)),
    }
    if reader.read < found.len {
        return Err(Error::SourceFileShrank {
            name: name.clone(),
            read: reader.read,
            expected: found.len,
        });
    }
    let after = source.metadata().map_err(failed)?;
    Ok(before.len() != found.len
        || after.len() != found.len
        || before.modified().ok() != after.modified().ok())
}

fn cancelled(cancel: &AtomicBool) -> Result<(), Error> {
    if cancel.load(Ordering::Relaxed) {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// A file's contents, counted, failing once `cancel` is set.
struct Chunks<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
    read: u64,
}

impl<R: Read> Read for Chunks<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// `path` relative to `base`, `/`-separated, made of plain UTF-8 components only; a name that
/// is not UTF-8 is refused, named with its bytes escaped.
fn relative_name(base: &Path, path: &Path) -> Result<String, Error> {
    let relative = path
        .strip_prefix(base)
        .map_err(|_| input(format!("{} is outside the archive root", path.display())))?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => match part.to_str() {
                Some(part) => parts.push(part),
                None => {
                    return Err(advised(
                        format!(
                            "the file name {} is not UTF-8, which an archive cannot carry \
                             unchanged",
                            walk::display_name(base, path)
                        ),
                        "rename it, or add it to .gitignore or .dockerignore",
                    ));
                }
            },
            _ => return Err(input(format!("{} cannot be archived", relative.display()))),
        }
    }
    Ok(parts.join("/"))
}

/// Counts the bytes written through it, and fails a write once they pass
/// [`MAX_ARCHIVE_BYTES`]: an archive over the limit stops growing there.
struct Capped<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Capped<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.written > MAX_ARCHIVE_BYTES {
            return Err(std::io::Error::other("the archive is over the size limit"));
        }
        let n = self.inner.write(bytes)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

use std::sync::Arc;
use std::time::Duration;

/// How [`SourceArchive::upload`] meets a slow or silent network, and which URLs it takes.
/// `UploadOptions::from(client.settings())` uses a client's own settings, as a deploy does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOptions {
    /// Longest wait for a connection to the upload host (default 10 s).
    pub connect_timeout: Duration,
    /// Longest stretch without progress (default 30 s): no part of the archive taken by the
    /// connection, or, once all of it is sent, no response. Progress is seen as the connection
    /// takes each chunk (256 KiB) of the archive, which it does once part of the system's send
    /// buffer has drained: a link that drains less than that per stall timeout counts as stalled.
    pub stall_timeout: Duration,
    /// Allow plain `http://` to hosts other than loopback (default no): the archive and the
    /// signed URL would travel unencrypted.
    pub allow_insecure_http: bool,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(30),
            allow_insecure_http: false,
        }
    }
}

impl From<&crate::Settings> for UploadOptions {
    /// The client's connect timeout, its request timeout as the stall timeout, and its
    /// plain-http rule.
    fn from(settings: &crate::Settings) -> Self {
        Self {
            connect_timeout: settings.connect_timeout(),
            stall_timeout: settings.request_timeout(),
            allow_insecure_http: settings.allows_insecure_http(),
        }
    }
}

impl UploadOptions {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Sets [`stall_timeout`](Self::stall_timeout).
    pub fn stall_timeout(mut self, timeout: Duration) -> Self {
        self.stall_timeout = timeout;
        self
    }
    /// Sets [`allow_insecure_http`](Self::allow_insecure_http).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
}

impl SourceArchive {
    /// PUTs the archive to the signed `url` with `headers` (those the upload URL came with),
    /// streaming it from disk; `progress` hears the bytes sent so far. The URL is a credential:
    /// errors name its host only, and the request carries none of a client's headers. With no
    /// `headers`, it sends the size limit Google Cloud Storage's signed URLs expect.
    ///
    /// The URL must be `https://`, or `http://` to a loopback address unless `options` allow
    /// insecure http, as for the API itself; anything else is refused before a connection is
    /// made. The upload fails with [`Error::Upload`] when the connection cannot be made within
    /// the connect timeout or stalls past the stall timeout (see [`UploadOptions`]).
    ///
    /// A [`Client::deploy`](crate::Client::deploy) of local source calls this for you; it is
    /// public for tools that get an upload URL some other way.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), langsmith_control_plane::Error> {
    /// use langsmith_control_plane::UploadOptions;
    /// let archive = langsmith_control_plane::archive(".".as_ref(), "langgraph.json".as_ref())?;
    /// let url = "https://storage.example.com/upload?signature=...";
    /// let options = UploadOptions::default();
    /// archive.upload(url, &[], &options, |sent| eprintln!("{sent} bytes sent")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload(
        &self,
        url: &str,
        headers: &[(String, String)],
        options: &UploadOptions,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<(), Error> {
        let target = UploadTarget::parse(url, options.allow_insecure_http)?;
        let failed = |message: &str, source: Box<dyn std::error::Error + Send + Sync>| {
            target.error_from(message, source)
        };
        let file = tokio::fs::File::open(self.file.path())
            .await
            .map_err(|e| failed("cannot read the archive", e.into()))?
            .into_std()
            .await;
        let watch = Arc::new(Watch::new(self.size));
        let body = upload_body(file, watch.clone(), progress);
        let http = langsmith_control_plane_api::http::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .build()
            .map_err(|e| failed("cannot build an HTTP client", e.into()))?;
        let mut request = http
            .put(target.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/gzip")
            .header(reqwest::header::CONTENT_LENGTH, self.size)
            .body(body);
        if headers.is_empty() {
            request = request.header(
                "x-goog-content-length-range",
                format!("0,{MAX_ARCHIVE_BYTES}"),
            );
        }
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = tokio::select! {
            response = request.send() => response
                .map_err(|e| failed("the request failed", e.without_url().into()))?,
            stalled = watch.stalled(options.stall_timeout) => return Err(target.error(stalled)),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = tokio::time::timeout(options.stall_timeout, error_excerpt(response))
            .await
            .unwrap_or_default();
        Err(target.error(format!("{status}: {body}")))
    }
}

/// An upload URL that obeys the scheme rule, and the host its errors name.
pub(crate) struct UploadTarget {
    url: reqwest::Url,
    /// The only part of the signed URL ever shown.
    pub(crate) host: String,
}

impl UploadTarget {
    /// Checks `url` as the API's base URL is checked: `https`, or `http` to loopback unless
    /// insecure http is allowed. The URL itself is never echoed (it is a credential).
    pub(crate) fn parse(url: &str, allow_insecure_http: bool) -> Result<Self, Error> {
        let Ok(url) = reqwest::Url::parse(url) else {
            return Err(Error::Upload {
                host: "the upload host".into(),
                message: "the upload URL the service gave is not a URL".into(),
                source: None,
                hint: None,
            });
        };
        let target = Self {
            host: url.host_str().unwrap_or("the upload host").to_owned(),
            url,
        };
        match target.url.scheme() {
            "https" if target.url.has_host() => Ok(target),
            "http" if target.url.has_host() => {
                if allow_insecure_http || crate::config::is_loopback(&target.url) {
                    Ok(target)
                } else {
                    Err(Error::Upload {
                        host: target.host,
                        message: "refused: the upload URL is plain http to a non-loopback host, \
                                  which would send the archive and its signed URL unencrypted"
                            .into(),
                        source: None,
                        hint: Some("allow insecure http explicitly to send it anyway"),
                    })
                }
            }
            "http" | "https" => Err(target.error("refused: the upload URL has no host".into())),
            other => Err(target.error(format!(
                "refused: the upload URL's scheme {other:?} is not https (or http to loopback)"
            ))),
        }
    }

    /// An error whose message says it all.
    fn error(&self, message: String) -> Error {
        Error::Upload {
            host: self.host.clone(),
            message,
            source: None,
            hint: None,
        }
    }

    /// An error with a fixed phrase, caused by `source`.
    fn error_from(&self, message: &str, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
        Error::Upload {
            host: self.host.clone(),
            message: message.to_owned(),
            source: Some(source),
            hint: None,
        }
    }
}

/// The archive read from disk as a request body, chunk by chunk, telling `watch` and
/// `progress` as the connection takes each chunk.
fn upload_body(
    file: File,
    watch: Arc<Watch>,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> reqwest::Body {
    use futures::StreamExt;
    use std::io::Read;
    // Each chunk is read on the blocking pool straight into the buffer the body sends: not
    // zeroed first, not copied out of tokio::fs::File's own buffer.
    let chunks = futures::stream::try_unfold(file, |mut file| async move {
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(UPLOAD_CHUNK as usize);
            let read = (&mut file).take(UPLOAD_CHUNK).read_to_end(&mut chunk);
            (file, read.map(|_| chunk))
        })
        .await
        .map_err(std::io::Error::other)?;
        let chunk = chunk?;
        Ok::<_, std::io::Error>((!chunk.is_empty()).then_some((chunk, file)))
    });
    reqwest::Body::wrap_stream(chunks.inspect(move |chunk| {
        if let Ok(chunk) = chunk {
            progress(watch.advance(chunk.len() as u64));
        }
    }))
}

/// When the upload last made progress, for its stall timeout.
struct Watch {
    total: u64,
    /// Bytes taken so far, and when the last of them were.
    state: std::sync::Mutex<(u64, tokio::time::Instant)>,
}

impl Watch {
    fn new(total: u64) -> Self {
        let now = tokio::time::Instant::now();
        Self {
            total,
            state: std::sync::Mutex::new((0, now)),
        }
    }

    /// Counts `bytes` more taken, now; returns the bytes taken so far.
    fn advance(&self, bytes: u64) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *state = (state.0 + bytes, tokio::time::Instant::now());
        state.0
    }

    fn last(&self) -> (u64, tokio::time::Instant) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends once `limit` passes without progress, saying where the upload stood.
    async fn stalled(&self, limit: Duration) -> String {
        loop {
            let (sent, at) = self.last();
            // A limit past what the clock can count never passes.
            match at.checked_add(limit) {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending::<()>().await,
            }
            if self.last() != (sent, at) {
                continue;
            }
            let seconds = limit.as_secs_f64();
            return match sent >= self.total {
                true => format!("no response within {seconds} s of sending the whole archive"),
                false => format!(
                    "stalled: no part of the archive taken for {seconds} s ({sent} of {} bytes sent)",
                    self.total
                ),
            };
        }
    }
}

/// The start of an error response's body: a few KiB at most, however much the host sends.
async fn error_excerpt(mut response: reqwest::Response) -> String {
    const KEPT: usize = 4096;
    let mut body = Vec::new();
    while body.len() <= KEPT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    crate::error::excerpt(&body)
}
