//! The files of one archived directory that ship: git's rules, then Docker's, then the
//! directories and secrets files always left out. Symlinks and special files are skipped, never
//! followed or opened.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;

use super::docker::DockerRules;
use super::gitrules::{GitRules, Level, read_ignore_file};
use super::{cancelled, input, relative_name};
use crate::error::Error;

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

/// A file that ships.
#[derive(Debug)]
pub(super) struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// Its name in the archive.
    pub name: String,
    /// Its size when the walk saw it: the size it is archived with.
    pub len: u64,
}

/// What the walks found.
#[derive(Debug, Default)]
pub(super) struct Walked {
    pub files: Vec<Found>,
    /// Secrets files left out by default, as archive names (escaped if not UTF-8).
    pub left_out: Vec<String>,
    pub warnings: Vec<String>,
}

/// A directory still to read.
struct Pending {
    path: PathBuf,
    /// Relative to the archived directory, `/`-separated, empty for the directory itself.
    relative: Vec<u8>,
    /// The `.gitignore` files above it.
    git: Rc<Level>,
}

/// The rules of one archived directory, and what its walk found so far.
struct Walker<'a> {
    base: &'a Path,
    git: GitRules,
    docker: DockerRules,
    /// Whether a directory `.dockerignore` excludes can be skipped: no `!` pattern could bring
    /// back something below it.
    prune_excluded: bool,
    walked: &'a mut Walked,
}

/// Adds to `walked` the files under `root` that ship; entry names are relative to `base`.
pub(super) fn walk(
    root: &Path,
    base: &Path,
    cancel: &AtomicBool,
    walked: &mut Walked,
) -> Result<(), Error> {
    let git = GitRules::for_root(root, &mut walked.warnings)?;
    if git.ignored {
        return Ok(());
    }
    let dockerignore = root.join(".dockerignore");
    let shown = display_name(base, &dockerignore);
    let docker = match read_ignore_file(&dockerignore, &shown, &mut walked.warnings)? {
        Some(text) => DockerRules::parse(&text, &shown)?,
        None => DockerRules::default(),
    };
    let mut pending = vec![Pending {
        path: root.to_path_buf(),
        relative: Vec::new(),
        git: git.above.clone(),
    }];
    let mut walker = Walker {
        base,
        prune_excluded: !docker.has_negations(),
        git,
        docker,
        walked,
    };
    while let Some(dir) = pending.pop() {
        cancelled(cancel)?;
        let subdirs = walker.directory(dir, cancel)?;
        pending.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

impl Walker<'_> {
    /// Reads `dir`, in name order: records the files that ship and the secrets left out, and
    /// returns the subdirectories to walk.
    fn directory(&mut self, dir: Pending, cancel: &AtomicBool) -> Result<Vec<Pending>, Error> {
        let shown = PathBuf::from(display_name(self.base, &dir.path));
        let level = self
            .git
            .descend(&dir.git, &dir.path, &shown, &mut self.walked.warnings)?;
        let mut entries = std::fs::read_dir(&dir.path)
            .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                input(format!(
                    "cannot read the directory {}: {e}",
                    shown.display()
                ))
            })?;
        entries.sort_by_key(|entry| entry.file_name());
        let mut subdirs = Vec::new();
        for entry in entries {
            cancelled(cancel)?;
            let path = entry.path();
            let failed = |e: std::io::Error| {
                input(format!(
                    "cannot read {}: {e}",
                    display_name(self.base, &path)
                ))
            };
            let kind = entry.file_type().map_err(failed)?;
            let file_name = entry.file_name();
            let mut relative = dir.relative.clone();
            if !relative.is_empty() {
                relative.push(b'/');
            }
            relative.extend_from_slice(file_name.as_encoded_bytes());
            if kind.is_dir() {
                let skip = ALWAYS_EXCLUDED.iter().any(|name| file_name == *name)
                    || self.git.is_ignored(&level, &path, true)
                    || (self.prune_excluded && self.docker.verdict(&relative).excluded);
                if !skip {
                    let git = level.clone();
                    subdirs.push(Pending {
                        path,
                        relative,
                        git,
                    });
                }
            } else if kind.is_file() && !self.git.is_ignored(&level, &path, false) {
                self.file(&entry, &relative)?;
            }
            // Symlinks, FIFOs, sockets and devices: never followed, never opened.
        }
        Ok(subdirs)
    }

    /// A regular file git would commit: recorded unless `.dockerignore` excludes it or it is a
    /// secrets file no negation names.
    fn file(&mut self, entry: &std::fs::DirEntry, relative: &[u8]) -> Result<(), Error> {
        let verdict = self.docker.verdict(relative);
        if verdict.excluded {
            return Ok(());
        }
        let path = entry.path();
        if is_secret(entry.file_name().as_encoded_bytes()) && !verdict.named_on_purpose {
            self.walked.left_out.push(display_name(self.base, &path));
            return Ok(());
        }
        let len = entry
            .metadata()
            .map_err(|e| {
                input(format!(
                    "cannot read {}: {e}",
                    display_name(self.base, &path)
                ))
            })?
            .len();
        let name = relative_name(self.base, &path)?;
        self.walked.files.push(Found { path, name, len });
        Ok(())
    }
}

/// Secrets files left out unless a `.dockerignore` negation names them: dotenv files (not their
/// examples), keys and certificates, SSH keys, package-registry and netrc credentials.
pub(super) fn is_secret(name: &[u8]) -> bool {
    const EXAMPLES: &[&[u8]] = &[b".env.example", b".env.sample", b".env.template"];
    const NAMES: &[&[u8]] = &[b".env", b".npmrc", b".pypirc", b".netrc"];
    const KEY_PREFIXES: &[&[u8]] = &[b"id_rsa", b"id_ed25519", b"id_ecdsa", b"id_dsa"];
    NAMES.contains(&name)
        || (name.starts_with(b".env.") && !EXAMPLES.contains(&name))
        || name.ends_with(b".pem")
        || name.ends_with(b".key")
        || KEY_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// `path` relative to `base` for messages, made safe to print: control characters and bytes
/// that are not UTF-8 are escaped (`\x1b`, `\u{9b}`, `\xff`).
pub(super) fn display_name(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let bytes = relative.as_os_str().as_encoded_bytes();
    let mut shown = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => shown.push_str("\\\\"),
                c if c.is_control() => shown.extend(c.escape_debug()),
                c => shown.push(c),
            }
        }
        for byte in chunk.invalid() {
            shown.push_str(&format!("\\x{byte:02x}"));
        }
    }
    if shown.is_empty() {
        shown.push('.');
    }
    shown
}
