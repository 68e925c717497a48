//! The source: switching it, and a `source_dir` archived once and hashed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use langsmith_control_plane::SourceArchive;
use langsmith_control_plane::types::RevisionSource;
use sha2::{Digest, Sha256};

use super::update::Update;
use crate::Error;
use crate::deployment_file::DeploymentSpec;

/// Bytes of the archive hashed at a time.
const HASH_CHUNK: usize = 64 * 1024;

impl Update<'_> {
    /// Switching the source starts a revision built from the file's revision config; a switch
    /// the API cannot make is blocked. Returns whether the source switches.
    pub(super) fn source(&mut self) -> bool {
        let (wanted, current) = (&self.wanted.spec.source, &self.current.source);
        if wanted == current {
            return false;
        }
        let known = RevisionSource::KNOWN
            .iter()
            .find(|s| s.as_str() == wanted.as_str());
        let Some(source) = known else {
            self.diff.block(
                "source".into(),
                format!("an update cannot switch a deployment to {wanted}; delete and recreate it"),
            );
            return false;
        };
        self.diff.change(
            "source".into(),
            Some(current.as_str().into()),
            Some(wanted.as_str().into()),
            true,
        );
        self.patch.revision_source = Some(source.clone());
        true
    }
}

/// A `source_dir` archived while planning: the archive apply uploads, and its digest.
#[derive(Clone, Debug)]
pub(crate) struct ArchivedSource {
    /// The directory, absolute.
    pub(crate) dir: PathBuf,
    /// The archive (a temporary file, removed when the last plan holding it is dropped).
    pub(crate) archive: Arc<SourceArchive>,
    /// Hex SHA-256 of the archive's bytes, then of the config file's path in it.
    pub(crate) digest: String,
}

impl ArchivedSource {
    /// Archives `dir` (with `config`, relative to it) and hashes the archive, both on blocking
    /// threads so the runtime stays free (a signal handler can run meanwhile). Dropping the
    /// future stops the archiving and removes its temporary file.
    pub(super) async fn new(dir: &Path, config: &Path) -> Result<Self, Error> {
        let archive = Arc::new(langsmith_control_plane::archive_off_thread(dir, config).await?);
        let hashed = archive.clone();
        let digest = tokio::task::spawn_blocking(move || digest(&hashed))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            .map_err(|source| Error::ArchiveRead {
                dir: dir.to_owned(),
                source,
            })?;
        Ok(Self {
            dir: dir.to_owned(),
            archive,
            digest,
        })
    }
}

/// SHA-256 of the archive (deterministic: sorted entries, fixed headers), read back from its
/// file a chunk at a time, and of the config file's path in it, as hex.
fn digest(archive: &SourceArchive) -> std::io::Result<String> {
    let mut file = std::fs::File::open(archive.path())?;
    let mut hasher = Sha256::new();
    let mut chunk = vec![0; HASH_CHUNK];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => hasher.update(&chunk[..read]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    hasher.update(archive.config_path.as_bytes());
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The config file of an uploaded source, relative to its directory.
pub(super) fn config_path(spec: &DeploymentSpec) -> PathBuf {
    PathBuf::from(
        spec.source_revision_config
            .langgraph_config_path
            .as_deref()
            .unwrap_or("langgraph.json"),
    )
}
