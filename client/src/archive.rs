//! A source directory as a `.tar.gz` in a temporary file, with `.gitignore` and `.dockerignore`
//! rules applied, and its upload to a signed URL.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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
    archive_cancellable(dir, config, &AtomicBool::new(false))
}

/// [`archive`], stopping with [`Error::Cancelled`] soon after `cancel` is set: it is checked
/// between files and between chunks of a file. The temporary file is removed on the way out.
pub fn archive_cancellable(
    dir: &Path,
    config: &Path,
    cancel: &AtomicBool,
) -> Result<SourceArchive, Error> {
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
        for path in walk(root, cancel)? {
            let name = relative_name(&base, &path)?;
            append(&mut tar, &path, &name, cancel)?;
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

/// Appends the regular file at `path` as `name`, its contents read in chunks with `cancel`
/// checked before each.
fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &Path,
    name: &str,
    cancel: &AtomicBool,
) -> Result<(), Error> {
    cancelled(cancel)?;
    let source = File::open(path).map_err(|e| input(format!("{name}: {e}")))?;
    let meta = source
        .metadata()
        .map_err(|e| input(format!("{name}: {e}")))?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata_in_mode(&meta, tar::HeaderMode::Deterministic);
    let reader = Chunks {
        inner: source,
        cancel,
    };
    match tar.append_data(&mut header, name, reader) {
        Ok(()) => Ok(()),
        Err(_) if cancel.load(Ordering::Relaxed) => Err(Error::Cancelled),
        Err(e) => Err(input(format!("cannot archive {name}: {e}"))),
    }
}

fn cancelled(cancel: &AtomicBool) -> Result<(), Error> {
    if cancel.load(Ordering::Relaxed) {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// A file's contents, failing once `cancel` is set.
struct Chunks<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
}

impl<R: Read> Read for Chunks<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

fn too_large(size: u64) -> Error {
    input(format!(
        "the source archive is over {} MiB ({size} bytes or more), more than an upload takes; \
         add what need not ship to .gitignore or .dockerignore",
        MAX_ARCHIVE_BYTES / (1024 * 1024)
    ))
}

/// The files under `root` that ship: ignore rules applied, symlinks and hard links skipped.
fn walk(root: &Path, cancel: &AtomicBool) -> Result<Vec<PathBuf>, Error> {
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
        cancelled(cancel)?;
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

impl SourceArchive {
    /// PUTs the archive to the signed `url` with `headers` (those the upload URL came with),
    /// streaming it from disk; `progress` hears the bytes sent so far. The URL is a credential:
    /// errors name its host only, and the request carries none of a client's headers. With no
    /// `headers`, it sends the size limit Google Cloud Storage's signed URLs expect.
    ///
    /// A [`Client::deploy`](crate::Client::deploy) of local source calls this for you; it is
    /// public for tools that get an upload URL some other way.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), langsmith_control_plane::Error> {
    /// let archive = langsmith_control_plane::archive(".".as_ref(), "langgraph.json".as_ref())?;
    /// let url = "https://storage.example.com/upload?signature=...";
    /// archive.upload(url, &[], |sent| eprintln!("{sent} bytes sent")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload(
        &self,
        url: &str,
        headers: &[(String, String)],
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<(), Error> {
        use futures::StreamExt;
        use std::io::Read;

        let parsed =
            reqwest::Url::parse(url).map_err(|_| input("the upload URL is not a URL".into()))?;
        let host = parsed.host_str().unwrap_or("the upload host").to_owned();
        let failed = |what: String| Error::Upload {
            host: host.clone(),
            message: what,
        };
        let file = tokio::fs::File::open(self.file.path())
            .await
            .map_err(|e| failed(format!("cannot read the archive: {e}")))?
            .into_std()
            .await;
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
        let mut sent = 0u64;
        let body = reqwest::Body::wrap_stream(chunks.inspect(move |chunk| {
            if let Ok(chunk) = chunk {
                sent += chunk.len() as u64;
                progress(sent);
            }
        }));
        let http = langsmith_control_plane_api::http::http_client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| failed(format!("cannot build an HTTP client: {e}")))?;
        let mut request = http
            .put(parsed)
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
        let response = request
            .send()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.bytes().await.unwrap_or_default();
        Err(failed(format!(
            "{status}: {}",
            crate::error::excerpt(&body)
        )))
    }
}
