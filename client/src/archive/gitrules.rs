//! Git's ignore rules for a directory to archive: the `.gitignore` files of its enclosing
//! repository from the root down, `.git/info/exclude` and the global excludes file. Every ignore
//! file is read only when it is a regular file of at most [`MAX_IGNORE_FILE_BYTES`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{MAX_IGNORE_FILE_BYTES, input};
use crate::error::Error;

/// The `.gitignore` of one directory and those of the directories above it, deepest first.
#[derive(Debug, Default)]
pub(super) struct Level {
    matcher: Option<Gitignore>,
    parent: Option<Rc<Level>>,
}

/// The rules that apply below one archived directory.
pub(super) struct GitRules {
    /// `.gitignore` files from the repository's root down to the archived directory's parent.
    pub above: Rc<Level>,
    /// `.git/info/exclude`, then the global excludes file: weaker than any `.gitignore`.
    fallbacks: Vec<Gitignore>,
    /// Whether a directory between the repository's root and the archived one is ignored:
    /// then nothing below ships.
    pub ignored: bool,
}

impl GitRules {
    /// The rules for `root`. Outside a repository, `root` counts as one's top: its own
    /// `.gitignore` files and the global excludes file apply, nothing above it.
    pub fn for_root(root: &Path, warnings: &mut Vec<String>) -> Result<Self, Error> {
        let top = repository(root).unwrap_or_else(|| root.to_path_buf());
        let mut fallbacks = Vec::new();
        let exclude = git_dir(&top).map(|dir| dir.join("info").join("exclude"));
        let global = ignore::gitignore::gitconfig_excludes_path();
        for file in exclude.iter().chain(global.iter()) {
            let shown = file.display().to_string();
            if let Some(text) = read_ignore_file(file, &shown, warnings)? {
                fallbacks.push(matcher(&top, file, &text, warnings));
            }
        }
        let mut rules = GitRules {
            above: Rc::new(Level::default()),
            fallbacks,
            ignored: false,
        };
        let below: Vec<&Path> = root
            .ancestors()
            .take_while(|dir| dir.starts_with(&top) && *dir != top)
            .collect();
        let mut dir = top.clone();
        for next in below.into_iter().rev() {
            rules.above = rules.descend(&rules.above.clone(), &dir, &dir, warnings)?;
            if rules.is_ignored(&rules.above, next, true) {
                rules.ignored = true;
                break;
            }
            dir = next.to_path_buf();
        }
        Ok(rules)
    }

    /// `level` with the `.gitignore` of `dir` (shown as `shown`) added, when it has one.
    pub fn descend(
        &self,
        level: &Rc<Level>,
        dir: &Path,
        shown: &Path,
        warnings: &mut Vec<String>,
    ) -> Result<Rc<Level>, Error> {
        let file = dir.join(".gitignore");
        let shown = shown.join(".gitignore").display().to_string();
        let matcher = read_ignore_file(&file, &shown, warnings)?
            .map(|text| matcher(dir, &file, &text, warnings));
        Ok(match matcher {
            Some(matcher) => Rc::new(Level {
                matcher: Some(matcher),
                parent: Some(level.clone()),
            }),
            None => level.clone(),
        })
    }

    /// Whether git ignores `path` (absolute), given the `.gitignore` files in `level`: the
    /// deepest file with a matching pattern decides, then `info/exclude`, then the global file.
    pub fn is_ignored(&self, level: &Level, path: &Path, is_dir: bool) -> bool {
        let mut at = Some(level);
        while let Some(level) = at {
            if let Some(decided) = level.matcher.as_ref().and_then(|m| decide(m, path, is_dir)) {
                return decided;
            }
            at = level.parent.as_deref();
        }
        self.fallbacks
            .iter()
            .find_map(|m| decide(m, path, is_dir))
            .unwrap_or(false)
    }
}

fn decide(matcher: &Gitignore, path: &Path, is_dir: bool) -> Option<bool> {
    match matcher.matched(path, is_dir) {
        Match::None => None,
        Match::Ignore(_) => Some(true),
        Match::Whitelist(_) => Some(false),
    }
}

/// A matcher for the lines of `file`, rooted at `dir`; a line that is not a valid pattern is
/// skipped with a warning.
fn matcher(dir: &Path, file: &Path, text: &str, warnings: &mut Vec<String>) -> Gitignore {
    let mut builder = GitignoreBuilder::new(dir);
    for line in text.lines() {
        if let Err(e) = builder.add_line(Some(file.to_path_buf()), line) {
            warnings.push(format!("skipped a line of {}: {e}", file.display()));
        }
    }
    builder.build().unwrap_or_else(|e| {
        warnings.push(format!("skipped {}: {e}", file.display()));
        Gitignore::empty()
    })
}

/// The top of the git repository `dir` is in: the nearest directory, `dir` included, holding a
/// `.git` directory with a `HEAD`, or a `.git` file (a worktree's, `gitdir: ...`).
pub(super) fn repository(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|candidate| git_dir(candidate).is_some())
        .map(Path::to_path_buf)
}

/// The directory holding `info/exclude` for the repository whose top is `top`.
fn git_dir(top: &Path) -> Option<PathBuf> {
    let dot_git = top.join(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return dot_git.join("HEAD").is_file().then_some(dot_git);
    }
    if !meta.is_file() || meta.len() > 4096 {
        return None;
    }
    // A worktree: `gitdir: <its own git dir>`, whose `commondir` names the shared one.
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let own = top.join(text.strip_prefix("gitdir:")?.trim());
    let common = std::fs::read_to_string(own.join("commondir"))
        .ok()
        .map(|common| own.join(common.trim()));
    Some(common.unwrap_or(own))
}

/// The text of the ignore file at `path`, or `None` when there is none. A symlink, anything
/// but a regular file, or a file over [`MAX_IGNORE_FILE_BYTES`] is skipped with a warning
/// (`shown` names it): it is never opened, so a FIFO cannot hang the walk nor `/dev/zero` fill
/// memory.
pub(super) fn read_ignore_file(
    path: &Path,
    shown: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, Error> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(input(format!("cannot read {shown}: {e}"))),
    };
    let skip = |why: &str| format!("skipped the ignore file {shown}: {why}");
    if meta.file_type().is_symlink() {
        warnings.push(skip("a symlink (git does not follow one either)"));
        return Ok(None);
    }
    if !meta.is_file() {
        warnings.push(skip("not a regular file"));
        return Ok(None);
    }
    if meta.len() > MAX_IGNORE_FILE_BYTES {
        warnings.push(skip(&format!("over {} KiB", MAX_IGNORE_FILE_BYTES / 1024)));
        return Ok(None);
    }
    let file = std::fs::File::open(path).map_err(|e| input(format!("cannot read {shown}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_IGNORE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| input(format!("cannot read {shown}: {e}")))?;
    if bytes.len() as u64 > MAX_IGNORE_FILE_BYTES {
        warnings.push(skip("it grew while being read"));
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}
