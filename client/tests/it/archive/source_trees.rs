//! The hostile source-tree suite: generated trees with symlinks (inside, outside, loops), hard
//! links, FIFOs, sockets, unreadable entries, names that are not UTF-8, a growing file, sparse
//! files, ignore files that are not regular files, `.gitignore` files above the project (inside
//! and outside its repository), nested `.gitignore` files, a `.dockerignore` with negations and
//! allowlists, and nested `.dockerignore` files (which Docker does not read). Archiving must end, never panic, stay within the caps, and ship exactly what
//! the oracle (the real `git`, then Docker's rule and the default exclusions) says.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use proptest::prelude::*;

use super::oracle::{self, Expected};
use super::{archive_within, git};
use langsmith_control_plane::{Error, MAX_ARCHIVE_BYTES, MAX_UNCOMPRESSED_BYTES};

/// Directories entries go in ("" is the project itself).
const DIRS: &[&str] = &[
    "",
    "",
    "a",
    "a/b",
    "src",
    "src/pkg",
    "build",
    "docs",
    "node_modules",
    ".venv/lib",
    "config",
    "deep/er/est",
    "a/.git",
];

/// File names: plain, matched by the generated rules, secrets and their examples.
const NAMES: &[&[u8]] = &[
    b"app.py",
    b"x.log",
    b"keep.log",
    b"notes.txt",
    b"README.md",
    b"data.bin",
    b".env",
    b".env.example",
    b".env.defaults",
    b"k.pem",
    b"server.key",
    b"id_rsa",
    b".npmrc",
];

/// Names that are not UTF-8 (one per case at most, or most cases would end in refusing it).
const ODD_NAMES: &[&[u8]] = &[b"n\xff.txt", b"m\xfe.py"];

/// Lines of the generated `.gitignore` and `info/exclude` files.
const GIT_LINES: &[&str] = &[
    "*.log",
    "!keep.log",
    "build/",
    "/docs",
    "notes.txt",
    "a/",
    "*.txt",
    "!README.md",
    "**/data.bin",
    "src/*.py",
    "*.bin",
    "!grow.bin",
    "deep/",
    "b",
    "# comment",
    "",
    "n*",
    "config/",
    "sparse.bin",
    "hard*",
    "/src/pkg/",
    "*.md",
];

/// Lines of the generated `.dockerignore`: allowlists, negations, and paths Docker cleans.
const DOCKER_LINES: &[&str] = &[
    "*",
    "!src",
    "!langgraph.json",
    "docs",
    "**/*.bin",
    "!a/keep.log",
    "*.md",
    "!config/.env.defaults",
    "a/*",
    "./build/",
    "/notes.txt",
    "src/../docs",
    "**/x.log",
    "!**/keep.log",
    "deep/**",
    "!k.pem",
    "*.txt",
    "# comment",
    "",
    "!grow.bin",
    "!huge.bin",
    "!deep",
    "src/pkg",
    "!config",
    "!a",
    "!src/pkg",
    "!*",
];

/// What an ignore file is.
#[derive(Clone, Copy, Debug)]
enum Form {
    Regular,
    /// A symlink to `/dev/zero` (git can commit one).
    DevZero,
    /// A symlink to a regular file of rules, which must not be read.
    Linked,
    Fifo,
    Directory,
    /// Over 1 MiB (of comments, so git's reading it or not changes nothing).
    Big,
}

/// What a generated entry is.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    /// A symlink: 0 to a file beside it, 1 to `/etc`, 2 to itself, 3 to `..`, 4 dangling.
    Symlink(u8),
    /// A hard link to the config.
    HardLink,
    Fifo,
    Socket,
    /// Mode 000 (still readable when the tests run as root).
    Unreadable,
    /// 4 MiB, nearly all hole.
    Sparse,
}

#[derive(Clone, Debug)]
struct Case {
    /// The project is a subdirectory of its repository (else it is the repository's top).
    in_subdirectory: bool,
    /// Rules above the repository: never applied.
    outside: Vec<usize>,
    /// The repository's top `.gitignore` (when the project is a subdirectory).
    top: Vec<usize>,
    exclude: Vec<usize>,
    gitignores: Vec<(usize, Vec<usize>, Form)>,
    dockerignore: Option<(Vec<usize>, Form)>,
    /// `.dockerignore` files below the top, which Docker does not read.
    nested_docker: Vec<(usize, Vec<usize>)>,
    entries: Vec<(usize, usize, Kind)>,
    /// A file named by [`ODD_NAMES`]: in which directory, which name.
    odd: Option<(usize, usize)>,
    huge: bool,
    grow: bool,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        6 => Just(Form::Regular),
        1 => Just(Form::DevZero),
        1 => Just(Form::Linked),
        1 => Just(Form::Fifo),
        1 => Just(Form::Directory),
        1 => Just(Form::Big),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        10 => Just(Kind::Text),
        3 => (0u8..5).prop_map(Kind::Symlink),
        1 => Just(Kind::HardLink),
        1 => Just(Kind::Fifo),
        1 => Just(Kind::Socket),
        1 => Just(Kind::Unreadable),
        1 => Just(Kind::Sparse),
    ]
}

fn lines(vocabulary: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..vocabulary, 0..6)
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            any::<bool>(),
            lines(GIT_LINES.len()),
            lines(GIT_LINES.len()),
            lines(GIT_LINES.len()),
            prop::collection::vec((0..DIRS.len(), lines(GIT_LINES.len()), form()), 0..4),
            prop::option::of((lines(DOCKER_LINES.len()), form())),
        ),
        prop::collection::vec((0..DIRS.len(), 0..NAMES.len(), kind()), 0..24),
        prop::option::weighted(0.15, (0..DIRS.len(), 0..ODD_NAMES.len())),
        prop::collection::vec((2..DIRS.len(), lines(DOCKER_LINES.len())), 0..2),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.3),
    )
        .prop_map(|parts| {
            let (in_subdirectory, outside, top, exclude, gitignores, dockerignore) = parts.0;
            Case {
                in_subdirectory,
                outside,
                top,
                exclude,
                gitignores,
                dockerignore,
                entries: parts.1,
                odd: parts.2,
                nested_docker: parts.3,
                huge: parts.4,
                grow: parts.5,
            }
        })
}

fn text(vocabulary: &[&str], picked: &[usize]) -> String {
    picked
        .iter()
        .map(|&i| format!("{}\n", vocabulary[i]))
        .collect()
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Writes an ignore file of `form` holding `rules`.
fn ignore_file(path: &Path, rules: &str, form: Form) {
    if exists(path) {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    match form {
        Form::Regular => fs::write(path, rules).unwrap(),
        Form::DevZero => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
        Form::Linked => {
            let target = path.with_file_name("linked-rules");
            fs::write(&target, rules).unwrap();
            std::os::unix::fs::symlink("linked-rules", path).unwrap();
        }
        Form::Fifo => mkfifo(path),
        Form::Directory => fs::create_dir(path).unwrap(),
        Form::Big => fs::write(path, format!("#{}\n", "-".repeat(1 << 20))).unwrap(),
    }
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {path:?}");
}

/// Makes one entry at `path`, unless something is there already.
fn entry(project: &Path, path: &Path, kind: Kind, seed: usize) {
    use std::os::unix::fs::{PermissionsExt, symlink};
    if exists(path) {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    match kind {
        Kind::Text => fs::write(path, format!("contents {seed}\n")).unwrap(),
        Kind::Symlink(0) => symlink("app.py", path).unwrap(),
        Kind::Symlink(1) => symlink("/etc", path).unwrap(),
        Kind::Symlink(2) => symlink(path.file_name().unwrap(), path).unwrap(),
        Kind::Symlink(3) => symlink("..", path).unwrap(),
        Kind::Symlink(_) => symlink("missing", path).unwrap(),
        Kind::HardLink => fs::hard_link(project.join("langgraph.json"), path).unwrap(),
        Kind::Fifo => mkfifo(path),
        Kind::Socket => drop(std::os::unix::net::UnixListener::bind(path).unwrap()),
        Kind::Unreadable => {
            fs::write(path, "mode 000\n").unwrap();
            fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
        }
        Kind::Sparse => {
            let file = fs::File::create(path).unwrap();
            file.set_len(4 << 20).unwrap();
            std::os::unix::fs::FileExt::write_at(&file, b"end", (4 << 20) - 3).unwrap();
        }
    }
}

/// Builds the case under `tmp`: returns the project directory and the FIFOs named like ignore
/// files (git itself would hang reading one: they are removed before asking it).
fn build(case: &Case, tmp: &Path) -> (PathBuf, Vec<PathBuf>) {
    let outer = tmp.join("outer");
    fs::create_dir_all(&outer).unwrap();
    fs::write(outer.join(".gitignore"), text(GIT_LINES, &case.outside)).unwrap();
    let (top, project) = if case.in_subdirectory {
        (outer.join("repo"), outer.join("repo/proj"))
    } else {
        (outer.join("proj"), outer.join("proj"))
    };
    fs::create_dir_all(&project).unwrap();
    git(&top, &["init", "--quiet"]);
    fs::write(
        top.join(".git/info/exclude"),
        text(GIT_LINES, &case.exclude),
    )
    .unwrap();
    if case.in_subdirectory {
        fs::write(top.join(".gitignore"), text(GIT_LINES, &case.top)).unwrap();
    }
    fs::write(project.join("langgraph.json"), "{}").unwrap();
    let mut fifos = Vec::new();
    for (dir, picked, form) in &case.gitignores {
        let path = project.join(DIRS[*dir]).join(".gitignore");
        if matches!(form, Form::Fifo) && !exists(&path) {
            fifos.push(path.clone());
        }
        ignore_file(&path, &text(GIT_LINES, picked), *form);
    }
    if let Some((picked, form)) = &case.dockerignore {
        ignore_file(
            &project.join(".dockerignore"),
            &text(DOCKER_LINES, picked),
            *form,
        );
    }
    for (dir, picked) in &case.nested_docker {
        let path = project.join(DIRS[*dir]).join(".dockerignore");
        ignore_file(&path, &text(DOCKER_LINES, picked), Form::Regular);
    }
    for (seed, (dir, name, kind)) in case.entries.iter().enumerate() {
        let name = std::ffi::OsStr::from_bytes(NAMES[*name]);
        entry(&project, &project.join(DIRS[*dir]).join(name), *kind, seed);
    }
    if let Some((dir, name)) = case.odd {
        let name = std::ffi::OsStr::from_bytes(ODD_NAMES[name]);
        entry(&project, &project.join(DIRS[dir]).join(name), Kind::Text, 0);
    }
    if case.huge {
        fs::File::create(project.join("huge.bin"))
            .unwrap()
            .set_len(3 << 30)
            .unwrap();
    }
    if case.grow {
        fs::write(project.join("grow.bin"), vec![1u8; 1 << 20]).unwrap();
    }
    (project, fifos)
}

/// Appends to `path` until `stop` is set (at most 4 MiB).
fn grower(path: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut file = fs::OpenOptions::new().append(true).open(path).unwrap();
        for _ in 0..1024 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            file.write_all(&[2u8; 4096]).unwrap();
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    })
}

/// Checks the archive of `project` against the oracle's answer.
fn check(
    project: &Path,
    result: Result<langsmith_control_plane::SourceArchive, Error>,
    expected: &Expected,
) -> Result<(), TestCaseError> {
    if !expected.errors.is_empty() {
        let err = match result {
            Err(
                error @ (Error::InvalidInput(_) | Error::Io { .. } | Error::SourceTooLarge { .. }),
            ) => error.to_string(),
            other => {
                return Err(TestCaseError::fail(format!(
                    "expected one of {:?}, got {other:?}",
                    expected.errors
                )));
            }
        };
        prop_assert!(
            expected.errors.iter().any(|e| err.contains(e)),
            "{err} is none of {:?}",
            expected.errors
        );
        return Ok(());
    }
    let built = result.map_err(|e| TestCaseError::fail(format!("{e}; expected {expected:?}")))?;
    let files: BTreeSet<Vec<u8>> = built.files.iter().map(|f| f.as_bytes().to_vec()).collect();
    prop_assert_eq!(&files, &expected.files);
    let left_out: BTreeSet<Vec<u8>> = built
        .left_out
        .iter()
        .map(|f| f.as_bytes().to_vec())
        .collect();
    prop_assert_eq!(&left_out, &expected.left_out);
    prop_assert!(built.size <= MAX_ARCHIVE_BYTES);
    // Every entry is a plain file holding the file's bytes (a prefix, for the growing one).
    let mut total = 0u64;
    for (name, kind, data) in super::entries(&built) {
        prop_assert_eq!(kind, tar::EntryType::Regular);
        total += data.len() as u64;
        let on_disk = fs::read(project.join(&name)).unwrap();
        if name == "grow.bin" {
            prop_assert!(
                data.len() >= 1 << 20 && on_disk.starts_with(&data),
                "grow.bin"
            );
        } else {
            prop_assert!(on_disk == data, "{} differs", name);
        }
    }
    prop_assert!(total <= MAX_UNCOMPRESSED_BYTES);
    Ok(())
}

/// `cases` unless PROPTEST_CASES asks for more.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Issue 18: what a hostile tree ships is what git, Docker and the default exclusions say.
    #[test]
    fn a_hostile_tree_ships_what_git_docker_and_the_defaults_say(case in case()) {
        let tmp = tempfile::tempdir().unwrap();
        let (project, fifos) = build(&case, tmp.path());
        let stop = Arc::new(AtomicBool::new(false));
        let growing = case.grow.then(|| grower(project.join("grow.bin"), stop.clone()));
        let result = archive_within(&project, "langgraph.json");
        stop.store(true, Ordering::Relaxed);
        if let Some(writer) = growing {
            writer.join().unwrap();
        }
        for fifo in fifos {
            fs::remove_file(fifo).unwrap();
        }
        let expected = oracle::expected(&project);
        check(&project, result, &expected)?;
    }
}
