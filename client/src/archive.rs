//! A source directory as a `.tar.gz` in a temporary file, with `.gitignore` and `.dockerignore`
//! rules applied, and its upload to a signed URL.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// Archives larger than this are refused before any request (the upload URL takes no more).
pub const MAX_ARCHIVE_BYTES: u64 = 200 * 1024 * 1024;
/// Archives larger than this get a warning: something big may have slipped past the ignore rules.
pub const WARN_ARCHIVE_BYTES: u64 = 50 * 1024 * 1024;

/// Bytes of the archive read from disk per chunk of the upload's body.
const UPLOAD_CHUNK: u64 = 256 * 1024;

/// Directories never archived, whatever the ignore files say.
const ALWAYS_EXCLUDED: &[&str] = &[
    "__pycache__",
    ".git",
    ".venv",
    "venv",
    "node_modules",
    ".tox",
    ".mypy_cache",
];

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
}

impl SourceArchive {
    /// Where the archive is on disk (a temporary file, removed when this is dropped).
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

fn input(message: String) -> Error {
    Error::InvalidInput(message)
}

/// Archives `dir` (and local dependencies its config names outside it) into a temporary file.
/// `config` is relative to `dir` and must exist there.
pub fn archive(dir: &Path, config: &Path) -> Result<SourceArchive, Error> {
    let dir = dir
        .canonicalize()
        .map_err(|e| input(format!("source directory {}: {e}", dir.display())))?;
    let config_file = dir.join(config);
    if !config_file.is_file() {
        return Err(input(format!(
            "the config file {} is not in the source directory {} (pass --config)",
            config.display(),
            dir.display()
        )));
    }
    let mut roots = vec![dir.clone()];
    roots.extend(outside_dependencies(&dir, &config_file)?);
    let base = common_ancestor(&roots);
    let config_path = relative_name(&base, &config_file.canonicalize().unwrap_or(config_file))?;

    let file = tempfile::NamedTempFile::new()
        .map_err(|e| input(format!("cannot create a temporary file: {e}")))?;
    let counter = Counter {
        inner: BufWriter::new(file.as_file()),
        written: 0,
    };
    let gzip = flate2::write::GzEncoder::new(counter, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut files = Vec::new();
    for root in &roots {
        for path in walk(root)? {
            let name = relative_name(&base, &path)?;
            let mut source = File::open(&path).map_err(|e| input(format!("{name}: {e}")))?;
            tar.append_file(&name, &mut source)
                .map_err(|e| input(format!("cannot archive {name}: {e}")))?;
            files.push(name);
            if tar.get_ref().get_ref().written > MAX_ARCHIVE_BYTES {
                return Err(too_large(tar.get_ref().get_ref().written));
            }
        }
    }
    let mut counter = tar
        .into_inner()
        .and_then(|gzip| gzip.finish())
        .map_err(|e| input(format!("cannot write the archive: {e}")))?;
    counter
        .flush()
        .map_err(|e| input(format!("cannot write the archive: {e}")))?;
    let size = counter.written;
    drop(counter);
    if size > MAX_ARCHIVE_BYTES {
        return Err(too_large(size));
    }
    Ok(SourceArchive {
        file,
        size,
        files,
        config_path,
    })
}

fn too_large(size: u64) -> Error {
    input(format!(
        "the source archive is over {} MiB ({size} bytes or more), more than an upload takes; \
         add what need not ship to .gitignore or .dockerignore",
        MAX_ARCHIVE_BYTES / (1024 * 1024)
    ))
}

/// The files under `root` that ship: ignore rules applied, symlinks and hard links skipped.
fn walk(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(".dockerignore")
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && ALWAYS_EXCLUDED
                    .iter()
                    .any(|name| entry.file_name() == *name))
        })
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| input(format!("cannot read the source directory: {e}")))?;
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_file() && !is_hard_link(entry.path()) {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

#[cfg(unix)]
fn is_hard_link(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.nlink() > 1)
}

#[cfg(not(unix))]
fn is_hard_link(_: &Path) -> bool {
    false
}

/// Local dependencies the config lists (`"dependencies": ["../shared-lib", "."]`) that lie
/// outside `dir`: a monorepo's shared packages ship with the agent.
fn outside_dependencies(dir: &Path, config_file: &Path) -> Result<Vec<PathBuf>, Error> {
    let text = std::fs::read_to_string(config_file)
        .map_err(|e| input(format!("{}: {e}", config_file.display())))?;
    let config: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| input(format!("{} is not JSON: {e}", config_file.display())))?;
    let mut outside = Vec::new();
    let listed = config.get("dependencies").and_then(|d| d.as_array());
    for dependency in listed.into_iter().flatten().filter_map(|d| d.as_str()) {
        if !dependency.starts_with('.') {
            continue; // a package name, installed from an index
        }
        let path = dir.join(dependency).canonicalize().map_err(|e| {
            input(format!(
                "local dependency {dependency:?} of the config: {e}"
            ))
        })?;
        if !path.starts_with(dir) && !outside.contains(&path) {
            outside.push(path);
        }
    }
    Ok(outside)
}

fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut base = paths[0].clone();
    while !paths.iter().all(|path| path.starts_with(&base)) {
        if !base.pop() {
            break;
        }
    }
    base
}

/// `path` relative to `base`, `/`-separated, made of plain components only.
fn relative_name(base: &Path, path: &Path) -> Result<String, Error> {
    let relative = path
        .strip_prefix(base)
        .map_err(|_| input(format!("{} is outside the archive root", path.display())))?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => return Err(input(format!("{} cannot be archived", relative.display()))),
        }
    }
    Ok(parts.join("/"))
}

/// Counts the bytes written through it.
struct Counter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
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
    /// connection, or, once all of it is sent, no response. Progress is seen a chunk (256 KiB)
    /// at a time, so a link slower than a chunk per stall timeout counts as stalled.
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
        let failed = |message: String| target.error(message);
        let file = tokio::fs::File::open(self.file.path())
            .await
            .map_err(|e| failed(format!("cannot read the archive: {e}")))?
            .into_std()
            .await;
        let watch = Arc::new(Watch::new(self.size));
        let body = upload_body(file, watch.clone(), progress);
        let http = langsmith_control_plane_api::http::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .build()
            .map_err(|e| failed(format!("cannot build an HTTP client: {e}")))?;
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
            response = request.send() => response.map_err(|e| failed(e.without_url().to_string()))?,
            stalled = watch.stalled(options.stall_timeout) => return Err(failed(stalled)),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = tokio::time::timeout(options.stall_timeout, error_excerpt(response))
            .await
            .unwrap_or_default();
        Err(failed(format!("{status}: {body}")))
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
                    Err(target.error(
                        "refused: the upload URL is plain http to a non-loopback host, which \
                         would send the archive and its signed URL unencrypted; allow insecure \
                         http explicitly to send it anyway"
                            .into(),
                    ))
                }
            }
            "http" | "https" => Err(target.error("refused: the upload URL has no host".into())),
            other => Err(target.error(format!(
                "refused: the upload URL's scheme {other:?} is not https (or http to loopback)"
            ))),
        }
    }

    fn error(&self, message: String) -> Error {
        Error::Upload {
            host: self.host.clone(),
            message,
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
            tokio::time::sleep_until(at + limit).await;
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
