//! Which directories an archive holds: the project, and the local `dependencies` its config
//! names outside it; and the directory entry names are relative to.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::{advised, input, io};
use crate::error::Error;

/// The config file, `config` under `dir`: a relative path down from `dir` to a regular file
/// (not a symlink, which would not ship).
pub(super) fn config_file(dir: &Path, config: &Path) -> Result<PathBuf, Error> {
    if !config
        .components()
        .all(|part| matches!(part, Component::Normal(_)))
    {
        return Err(input(format!(
            "the config file {} must be a path inside the source directory, without `..`",
            config.display()
        )));
    }
    let file = dir.join(config);
    match std::fs::symlink_metadata(&file) {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(meta) if meta.file_type().is_symlink() => Err(advised(
            format!(
                "the config file {} is a symlink, which is not archived",
                config.display()
            ),
            "make it a regular file",
        )),
        _ => Err(Error::ConfigNotInSource {
            config: config.to_path_buf(),
            dir: dir.to_path_buf(),
        }),
    }
}

/// The directories to archive (`dir` first) and their nearest common directory. A local
/// dependency (one starting with `.`) must resolve without symlinks, must not be `dir` or a
/// directory above it, and must lie inside `dir`'s parent or its repository.
pub(super) fn roots(
    dir: &Path,
    config_file: &Path,
    max_config: u64,
) -> Result<(Vec<PathBuf>, PathBuf), Error> {
    let config: serde_json::Value = serde_json::from_slice(&read_config(config_file, max_config)?)
        .map_err(|e| input(format!("{} is not JSON: {e}", config_file.display())))?;
    let bounds: Vec<PathBuf> = dir
        .parent()
        .map(Path::to_path_buf)
        .into_iter()
        .chain(super::gitrules::repository(dir))
        .collect();
    let mut roots = vec![dir.to_path_buf()];
    let listed = config.get("dependencies").and_then(|d| d.as_array());
    for dependency in listed.into_iter().flatten().filter_map(|d| d.as_str()) {
        if !dependency.starts_with('.') {
            continue; // a package name, installed from an index
        }
        let path = dependency_dir(dir, dependency, &bounds)?;
        if !path.starts_with(dir) && !roots.contains(&path) {
            roots.push(path);
        }
    }
    // A dependency inside another is archived with it.
    let all = roots.clone();
    roots.retain(|root| {
        !all.iter()
            .any(|other| other != root && root.starts_with(other))
    });
    let mut base = dir.to_path_buf();
    while !roots.iter().all(|root| root.starts_with(&base)) {
        base.pop();
    }
    Ok((roots, base))
}

/// Where `dependency` (relative to `dir`) is, or why it cannot ship.
fn dependency_dir(dir: &Path, dependency: &str, bounds: &[PathBuf]) -> Result<PathBuf, Error> {
    let refuse = |why: String| {
        input(format!(
            "local dependency {dependency:?} of the config {why}"
        ))
    };
    let joined = dir.join(dependency);
    let path = joined
        .canonicalize()
        .map_err(|e| refuse(format!("cannot be used: {e}")))?;
    if path != lexical(&joined) {
        return Err(refuse(format!(
            "resolves through a symlink (to {}); symlinks are not followed",
            path.display()
        )));
    }
    if !path.is_dir() {
        return Err(refuse("is not a directory".into()));
    }
    if dir.starts_with(&path) && path != dir {
        return Err(refuse(
            "is a directory above the project, which would ship the project twice and \
             everything beside it"
                .into(),
        ));
    }
    if !bounds.iter().any(|bound| path.starts_with(bound)) {
        return Err(refuse(
            "is outside the project's parent directory and its repository".into(),
        ));
    }
    Ok(path)
}

/// `path` with `.` and `..` resolved by its text alone.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The config's bytes, refused when larger than `max`.
fn read_config(file: &Path, max: u64) -> Result<Vec<u8>, Error> {
    let failed = |e: std::io::Error| io("read", file)(e);
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .map_err(failed)?
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > max {
        return Err(input(format!(
            "{} is over {} MiB, too large for a config",
            file.display(),
            max / (1024 * 1024)
        )));
    }
    Ok(bytes)
}
