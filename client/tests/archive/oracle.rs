//! What should ship from a source tree, worked out without the archiver: the real `git` says
//! which files it would add, then Docker's `.dockerignore` rule and the default exclusions
//! (always-excluded directories, secrets files) are applied as written here.

use std::collections::BTreeSet;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Directories never shipped, at any depth.
const ALWAYS: &[&[u8]] = &[
    b".git",
    b"node_modules",
    b".venv",
    b"venv",
    b"__pycache__",
    b".tox",
    b".mypy_cache",
];

/// The oracle's answer.
#[derive(Debug, Default)]
pub struct Expected {
    /// Files that ship, relative to the project, as bytes.
    pub files: BTreeSet<Vec<u8>>,
    /// Secrets files left out by default.
    pub left_out: BTreeSet<Vec<u8>>,
    /// When not empty, archiving must fail with a message containing one of these.
    pub errors: Vec<String>,
}

/// The files `git` would add under `project` (untracked and not ignored), as it lists them.
pub fn git_would_add(project: &Path) -> Vec<Vec<u8>> {
    let out = std::process::Command::new("git")
        .args(["ls-files", "--others", "--exclude-standard", "-z"])
        .current_dir(project)
        .output()
        .expect("git must be installed: the oracle is git itself");
    assert!(out.status.success(), "git ls-files: {out:?}");
    out.stdout
        .split(|&b| b == 0)
        .filter(|path| !path.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The expected outcome of archiving `project`, its config being `langgraph.json`.
pub fn expected(project: &Path) -> Expected {
    let patterns = docker_patterns(project);
    let mut expected = Expected::default();
    let mut total = 0u64;
    for path in git_would_add(project) {
        let full = project.join(std::ffi::OsStr::from_bytes(&path));
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            continue;
        };
        let components: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
        let (name, dirs) = components.split_last().unwrap();
        if !meta.file_type().is_file() || dirs.iter().any(|dir| ALWAYS.contains(dir)) {
            continue;
        }
        let (excluded, asked_for) = docker_verdict(&patterns, &path);
        if excluded {
            continue;
        }
        if is_secret(name) && !asked_for {
            expected.left_out.insert(path);
            continue;
        }
        if std::str::from_utf8(&path).is_err() {
            expected
                .errors
                .push(format!("{} is not UTF-8", escaped(&path)));
        }
        if std::fs::File::open(&full).is_err() {
            expected
                .errors
                .push(format!("cannot archive {}", String::from_utf8_lossy(&path)));
        }
        total += meta.len();
        if meta.len() > 2 << 30 {
            expected.errors.push(format!(
                "{} is {} bytes, over the 2 GiB cap",
                String::from_utf8_lossy(&path),
                meta.len()
            ));
        }
        expected.files.insert(path);
    }
    if !expected.files.contains(&b"langgraph.json"[..]) {
        expected.errors.push("langgraph.json is left out".into());
    }
    if total > 2 << 30 {
        expected.errors.push("over the 2 GiB cap".into());
    }
    expected
}

/// `path` with bytes that are not UTF-8 written `\xNN`.
pub fn escaped(path: &[u8]) -> String {
    path.iter()
        .map(|&b| {
            if b.is_ascii() {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// Names left out unless asked for: `.env` and `.env.*` but their examples, keys, certificates,
/// SSH keys and the credentials files of npm, PyPI and netrc.
fn is_secret(name: &[u8]) -> bool {
    let name = String::from_utf8_lossy(name);
    let examples = [".env.example", ".env.sample", ".env.template"];
    let dotenv = name == ".env" || (name.starts_with(".env.") && !examples.contains(&&*name));
    let ssh = ["id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"]
        .iter()
        .any(|key| name.starts_with(key));
    let credentials = [".npmrc", ".pypirc", ".netrc"].contains(&&*name);
    dotenv || ssh || credentials || name.ends_with(".pem") || name.ends_with(".key")
}

/// The `.dockerignore` of `project` as (negated, cleaned pattern) pairs, read only when it is a
/// regular file of at most 1 MiB.
fn docker_patterns(project: &Path) -> Vec<(bool, Vec<char>)> {
    let file = project.join(".dockerignore");
    let readable = std::fs::symlink_metadata(&file)
        .is_ok_and(|meta| meta.file_type().is_file() && meta.len() <= 1 << 20);
    if !readable {
        return Vec::new();
    }
    let text = std::fs::read_to_string(file).unwrap();
    let mut patterns = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let line = line.trim();
        let (negated, raw) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        patterns.push((negated, cleaned(raw).chars().collect()));
    }
    patterns
}

/// A pattern as Go's `filepath.Clean` leaves it, less a leading `/`.
fn cleaned(raw: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        if part == ".." && kept.last().is_some_and(|last| *last != "..") {
            kept.pop();
        } else if part == ".." && raw.starts_with('/') {
            // Above the root is the root.
        } else if !part.is_empty() && part != "." {
            kept.push(part);
        }
    }
    if kept.is_empty() {
        ".".into()
    } else {
        kept.join("/")
    }
}

/// Docker's rule for `path`: the last pattern matching it or a directory above it decides.
/// Returns (excluded, re-included by a negation naming the path itself).
fn docker_verdict(patterns: &[(bool, Vec<char>)], path: &[u8]) -> (bool, bool) {
    let path: Vec<char> = String::from_utf8_lossy(path).chars().collect();
    let mut verdict = (false, false);
    for (negated, pattern) in patterns {
        let itself = glob(pattern, &path);
        let above = (0..path.len()).any(|i| path[i] == '/' && glob(pattern, &path[..i]));
        if itself || above {
            verdict = (!negated, *negated && itself);
        }
    }
    verdict
}

/// Docker's glob, by backtracking: `*` and `?` stay within a path element, `**` ending the
/// pattern takes anything, `**` (and its `/`) before more takes any number of whole elements.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern {
        [] => text.is_empty(),
        ['*', '*', rest @ ..] => {
            let rest = rest.strip_prefix(&['/']).unwrap_or(rest);
            rest.is_empty()
                || glob(rest, text)
                || (0..text.len()).any(|i| text[i] == '/' && glob(rest, &text[i + 1..]))
        }
        ['*', rest @ ..] => {
            let run = text.iter().take_while(|&&c| c != '/').count();
            (0..=run).any(|skip| glob(rest, &text[skip..]))
        }
        ['?', rest @ ..] => text.first().is_some_and(|&c| c != '/') && glob(rest, &text[1..]),
        ['\\', c, rest @ ..] | [c, rest @ ..] => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}
