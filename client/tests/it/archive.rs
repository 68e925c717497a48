//! Archiving a source directory: ignore rules, excluded directories, links, monorepo
//! dependencies, the caps, cancelling; and (in `archive/source_trees.rs`) generated hostile trees
//! against an oracle built on the real `git`.

use std::fs;
use std::path::Path;

use langsmith_control_plane::{Error, SourceArchive, archive};

#[cfg(unix)]
mod oracle;
#[cfg(unix)]
mod source_trees;

/// Runs `git ARGS` in `dir` (with the configuration the archiver sees too); panics when git is
/// missing: the tests that need it are never skipped.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git must be installed to run these tests");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Archives on another thread, failing the test if that takes more than 20 s (a hang).
fn archive_within(dir: &Path, config: &str) -> Result<SourceArchive, Error> {
    let (dir, config) = (dir.to_path_buf(), std::path::PathBuf::from(config));
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(Box::new(archive(&dir, &config))));
    *receive
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("archiving did not finish within 20 s")
}

/// The entries of an archive: name, tar entry type and contents.
fn entries(built: &SourceArchive) -> Vec<(String, tar::EntryType, Vec<u8>)> {
    let file = fs::File::open(built.path()).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        out.push((name, kind, data));
    }
    out
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn files_of(dir: &Path, config: &str) -> Vec<String> {
    let mut files = archive(dir, Path::new(config)).unwrap().files;
    files.sort();
    files
}

#[test]
fn ignore_rules_excluded_directories_and_links_decide_what_ships() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "langgraph.json",
        r#"{"graphs": {"agent": "./agent.py:graph"}}"#,
    );
    write(root, "agent.py", "graph = None");
    write(root, ".gitignore", "*.log\nbuild/\n");
    write(root, ".dockerignore", "*.secret\n!keep.secret\n");
    write(root, "debug.log", "ignored by .gitignore");
    write(root, "build/out.txt", "ignored directory");
    write(root, "token.secret", "ignored by .dockerignore");
    write(root, "keep.secret", "kept by a negation");
    write(root, "pkg/.gitignore", "local.txt\n");
    write(root, "pkg/local.txt", "ignored by a nested .gitignore");
    write(root, "pkg/module.py", "x = 1");
    for dir in [
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".git",
        ".tox",
        ".mypy_cache",
    ] {
        write(root, &format!("{dir}/inside.txt"), "always excluded");
    }
    write(root, "sub/node_modules/deep.js", "excluded at any depth");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("agent.py"), root.join("link.py")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc-link")).unwrap();
        write(root, "original.txt", "a file with a second name");
        fs::hard_link(root.join("original.txt"), root.join("hardlink.txt")).unwrap();
    }
    let mut expected = vec![
        ".dockerignore",
        ".gitignore",
        "agent.py",
        "keep.secret",
        "langgraph.json",
        "pkg/.gitignore",
        "pkg/module.py",
    ];
    if cfg!(unix) {
        expected.extend(["hardlink.txt", "original.txt"]);
        expected.sort();
    }
    assert_eq!(files_of(root, "langgraph.json"), expected);
}

#[test]
fn the_archive_is_a_gzipped_tar_of_exactly_those_files() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "langgraph.json", "{}");
    write(tmp.path(), "src/app.py", "print('hi')");
    let built = archive(tmp.path(), Path::new("langgraph.json")).unwrap();
    assert_eq!(built.config_path, "langgraph.json");
    let bytes = fs::read(built.path()).unwrap();
    assert_eq!(bytes.len() as u64, built.size);
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut names: Vec<String> = tar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["langgraph.json", "src/app.py"]);
}

#[test]
fn a_missing_config_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "agent.py", "");
    let err = archive(tmp.path(), Path::new("langgraph.json")).unwrap_err();
    assert!(
        matches!(&err, Error::ConfigNotInSource { config, .. } if config == Path::new("langgraph.json")),
        "{err:?}"
    );
    assert!(err.to_string().contains("langgraph.json"), "{err}");
}

#[test]
fn local_dependencies_outside_the_directory_ship_from_their_common_root() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "--quiet"]);
    write(
        repo,
        "agents/support/langgraph.json",
        r#"{"dependencies": [".", "../../shared-lib", "requests"], "graphs": {}}"#,
    );
    write(repo, "agents/support/agent.py", "");
    write(repo, "shared-lib/lib.py", "");
    write(repo, "unrelated/other.py", "not a dependency");
    let built = archive(&repo.join("agents/support"), Path::new("langgraph.json")).unwrap();
    assert_eq!(built.config_path, "agents/support/langgraph.json");
    let mut files = built.files.clone();
    files.sort();
    assert_eq!(
        files,
        [
            "agents/support/agent.py",
            "agents/support/langgraph.json",
            "shared-lib/lib.py"
        ]
    );
}

/// A dependency listed twice (apart, and spelt two ways) is archived once: each of its files
/// is one entry.
#[test]
fn a_dependency_listed_twice_is_archived_once() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "--quiet"]);
    write(
        repo,
        "agents/support/langgraph.json",
        r#"{"dependencies": ["../../shared-lib", "../../other-lib", "../../shared-lib/"]}"#,
    );
    write(repo, "agents/support/agent.py", "");
    write(repo, "shared-lib/lib.py", "");
    write(repo, "other-lib/other.py", "");
    let built = archive(&repo.join("agents/support"), Path::new("langgraph.json")).unwrap();
    let mut names: Vec<String> = entries(&built).into_iter().map(|(name, ..)| name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "agents/support/agent.py",
            "agents/support/langgraph.json",
            "other-lib/other.py",
            "shared-lib/lib.py"
        ]
    );
    let mut files = built.files.clone();
    files.sort();
    assert_eq!(files, names);
}

#[test]
fn a_dependency_that_does_not_exist_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "langgraph.json",
        r#"{"dependencies": ["../missing"]}"#,
    );
    let err = archive(tmp.path(), Path::new("langgraph.json")).unwrap_err();
    assert!(err.to_string().contains("../missing"), "{err}");
}

/// More than the upload takes is refused while archiving (nothing is sent: there is no client),
/// as soon as the compressed size passes the limit, not after the file that passed it.
#[test]
fn an_archive_over_the_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "langgraph.json", "{}");
    // Incompressible bytes, 8 MiB over the limit in one file: one random MiB over and over, which
    // gzip cannot shrink either (it looks back 32 KiB), made once as it is slow at debug speed.
    let mut noise = vec![0u8; 1024 * 1024];
    fastrand::Rng::with_seed(7).fill(&mut noise);
    let mut file = fs::File::create(tmp.path().join("weights.bin")).unwrap();
    let limit = langsmith_control_plane::MAX_ARCHIVE_BYTES;
    for _ in 0..(limit / (1024 * 1024) + 8) {
        std::io::Write::write_all(&mut file, &noise).unwrap();
    }
    drop(file);
    let err = archive(tmp.path(), Path::new("langgraph.json")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("over 200 MiB"), "{err}");
    // What to do is the hint's (issue 19, 2).
    assert!(
        matches!(
            err,
            Error::SourceTooLarge { what: langsmith_control_plane::Oversized::Archive, limit: cap, .. }
                if cap == limit
        ),
        "{err:?}"
    );
    assert_eq!(
        err.hint(),
        Some("add what need not ship to .gitignore or .dockerignore")
    );
    assert!(!text.contains(".gitignore"), "{err}");
    // "(N bytes or more)": the archive stopped within a megabyte of the limit.
    let written: u64 = text
        .split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(written > limit && written < limit + (1 << 20), "{err}");
}

/// Set in a child run of one test, which needs an environment of its own (for
/// `cancelling_stops_promptly_and_leaves_no_temporary_file`: its own `TMPDIR`, so that the
/// archive's temporary file can be looked for without other tests' files).
const CHILD: &str = "ARCHIVE_TEST_CHILD";

/// Bytes gzip cannot shrink, so that archiving takes a while: random, a MiB of them repeated
/// (gzip looks back 32 KiB; making more at debug speed would take longer than archiving them).
fn noise(path: &Path, bytes: usize, seed: u64) {
    let mut block = vec![0u8; bytes.clamp(1, 1 << 20)];
    fastrand::Rng::with_seed(seed).fill(&mut block);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = fs::File::create(path).unwrap();
    for start in (0..bytes).step_by(block.len()) {
        let end = (bytes - start).min(block.len());
        std::io::Write::write_all(&mut file, &block[..end]).unwrap();
    }
}

/// The size of the one file in `dir`, once there is one.
fn temporary_file_size(dir: &Path) -> Option<u64> {
    let entry = fs::read_dir(dir).ok()?.flatten().next()?;
    Some(entry.metadata().ok()?.len())
}

/// Archives `tree` on another thread, sets the flag once the temporary file in `tmp` holds
/// `after` bytes, and checks the archiver stops within a second, leaving nothing in `tmp`.
fn cancel_once_written(tree: &Path, tmp: &Path, after: u64) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let cancel = Arc::new(AtomicBool::new(false));
    let (flag, dir) = (cancel.clone(), tree.to_path_buf());
    let worker = std::thread::spawn(move || {
        let result =
            langsmith_control_plane::archive_cancellable(&dir, Path::new("langgraph.json"), &flag);
        (result, Instant::now())
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while temporary_file_size(tmp).is_none_or(|size| size < after) {
        if worker.is_finished() {
            let (result, _) = worker.join().unwrap();
            panic!("archiving ended before the flag was set: {result:?}");
        }
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    let set_at = Instant::now();
    cancel.store(true, Ordering::Relaxed);
    let (result, ended_at) = worker.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    let took = ended_at.duration_since(set_at);
    assert!(
        took < Duration::from_secs(1),
        "stopped {took:?} after the flag was set"
    );
    let left: Vec<_> = fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| (e.path(), e.metadata().map(|m| m.len())))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?} after {tree:?}");
}

/// A cancel flag set mid-way stops archiving promptly, between files of a large tree and
/// between chunks of a large file, and the temporary file is gone. Runs itself in a child
/// process with its own `TMPDIR`.
#[test]
fn cancelling_stops_promptly_and_leaves_no_temporary_file() {
    if !is_child() {
        let outer = tempfile::tempdir().unwrap();
        let tmp = outer.path().join("tmp");
        fs::create_dir(&tmp).unwrap();
        let name = "cancelling_stops_promptly_and_leaves_no_temporary_file";
        run_child(name, &[("TMPDIR", &tmp)]);
        let left: Vec<_> = fs::read_dir(&tmp).unwrap().flatten().collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        return;
    }
    // In the child: the trees live beside TMPDIR, which must hold only the archive.
    let tmp = std::env::temp_dir();
    let trees = tmp.parent().unwrap();

    let many = trees.join("many");
    write(&many, "langgraph.json", "{}");
    for i in 0..4000 {
        noise(&many.join(format!("d{}/f{i}.bin", i % 40)), 8 * 1024, i);
    }
    cancel_once_written(&many, &tmp, 1);

    let large = trees.join("large");
    write(&large, "langgraph.json", "{}");
    // 64 MiB: archiving it takes a second or two, long after the flag is set at 1 MiB.
    noise(&large.join("weights.bin"), 64 * 1024 * 1024, 9);
    cancel_once_written(&large, &tmp, 1024 * 1024);
}

/// Whether this is a child run of one test (see [`run_child`]).
fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs the test `archive::name` again in a child process with `env` set, and checks it passed.
fn run_child(name: &str, env: &[(&str, &Path)]) {
    let mut env: Vec<(&str, &std::ffi::OsStr)> =
        env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    env.push((CHILD, "1".as_ref()));
    crate::support::run_in_child(&format!("archive::{name}"), &env, &[]);
}

/// Issue 18, 4: a subdirectory of a repository is archived with the repository's rules: the
/// `.gitignore` files above it, `.git/info/exclude`, and the global excludes file.
#[test]
fn a_subdirectory_of_a_repository_is_archived_by_the_repositorys_ignore_rules() {
    if !is_child() {
        let tmp = tempfile::tempdir().unwrap();
        let (home, xdg) = (tmp.path().join("home"), tmp.path().join("xdg"));
        let env = [
            ("HOME", home.as_path()),
            ("XDG_CONFIG_HOME", xdg.as_path()),
            ("GIT_CONFIG_SYSTEM", Path::new("/dev/null")),
        ];
        let name = "a_subdirectory_of_a_repository_is_archived_by_the_repositorys_ignore_rules";
        run_child(name, &env);
        return;
    }
    // In the child: the parent's directory, by the variables it set.
    let xdg = std::path::PathBuf::from(std::env::var_os("XDG_CONFIG_HOME").unwrap());
    let tmp = xdg.parent().unwrap();
    let repo = tmp.join("repo");
    write(&repo, "README.md", "");
    git(&repo, &["init", "--quiet"]);
    write(&repo, ".gitignore", "*.log\n/agent/build/\n");
    write(&repo, "agent/.gitignore", "!keep.log\n");
    write(&repo, ".git/info/exclude", "scratch.txt\n");
    write(&xdg, "git/ignore", "*.bak\n");
    write(&repo, "agent/langgraph.json", "{}");
    for file in [
        "debug.log",
        "keep.log",
        "scratch.txt",
        "old.bak",
        "build/out.bin",
        "src/build/x.py",
    ] {
        write(&repo, &format!("agent/{file}"), "x");
    }
    let mut files = archive(&repo.join("agent"), Path::new("langgraph.json"))
        .unwrap()
        .files;
    files.sort();
    assert_eq!(
        files,
        [".gitignore", "keep.log", "langgraph.json", "src/build/x.py"]
    );
    // The same tree outside a repository: only the directory's own rules, and the global file.
    fs::remove_dir_all(repo.join(".git")).unwrap();
    let mut files = archive(&repo.join("agent"), Path::new("langgraph.json"))
        .unwrap()
        .files;
    files.sort();
    let expected = [
        ".gitignore",
        "build/out.bin",
        "debug.log",
        "keep.log",
        "langgraph.json",
        "scratch.txt",
        "src/build/x.py",
    ];
    assert_eq!(files, expected);
}

/// Issue 18, 5: a local dependency above the project or through a symlink is refused, naming
/// it; one outside the project's parent and repository too.
#[test]
fn a_dependency_above_the_project_or_through_a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("home/proj");
    write(&project, "agent.py", "");
    write(tmp.path(), "home/.ssh/id_ed25519", "private key");
    write(tmp.path(), "elsewhere/lib/x.py", "");
    let refused = |dependency: &str, why: &str| {
        let config = format!(r#"{{"dependencies": [{dependency:?}]}}"#);
        write(&project, "langgraph.json", &config);
        let err = archive(&project, Path::new("langgraph.json")).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("{dependency:?}")) && text.contains(why),
            "{text}"
        );
    };
    refused("..", "above the project");
    refused("./..", "above the project");
    refused("../..", "above the project");
    refused("../../elsewhere/lib", "outside the project's parent");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("elsewhere/lib"), project.join("lib")).unwrap();
        refused("./lib", "symlink");
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), tmp.path().join("home/shared"))
            .unwrap();
        refused("../shared/lib", "symlink");
    }
    // A sibling ships, named from the common directory: no part of the path above it.
    write(tmp.path(), "home/sibling/y.py", "");
    write(
        &project,
        "langgraph.json",
        r#"{"dependencies": [".", "../sibling"]}"#,
    );
    let mut files = archive(&project, Path::new("langgraph.json"))
        .unwrap()
        .files;
    files.sort();
    assert_eq!(
        files,
        ["proj/agent.py", "proj/langgraph.json", "sibling/y.py"]
    );
}

/// Issue 18, 6: an ignore file that is a symlink (to `/dev/zero`), a FIFO, a directory or over
/// 1 MiB is skipped with a warning, not read: no hang, no unbounded memory.
#[cfg(unix)]
#[test]
fn ignore_files_that_are_not_small_regular_files_are_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "langgraph.json", "{}");
    std::os::unix::fs::symlink("/dev/zero", root.join(".dockerignore")).unwrap();
    write(root, "real-ignore", "linked.txt\n");
    write(
        root,
        "linked.txt",
        "ships: the symlinked .gitignore is not read",
    );
    std::os::unix::fs::symlink("real-ignore", root.join(".gitignore")).unwrap();
    write(root, "fifo/a.txt", "ships");
    let fifo = root.join("fifo/.gitignore");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    write(
        root,
        "dir/.gitignore/inner.txt",
        "ships: a directory named .gitignore is walked",
    );
    let mut big = "b.txt\n".to_string();
    big.push_str(&"#".repeat(1024 * 1024));
    write(root, "big/.gitignore", &big);
    write(root, "big/b.txt", "ships: the 1 MiB .gitignore is skipped");
    let built = archive_within(root, "langgraph.json").unwrap();
    let mut files = built.files.clone();
    files.sort();
    let expected = [
        "big/.gitignore",
        "big/b.txt",
        "dir/.gitignore/inner.txt",
        "fifo/a.txt",
        "langgraph.json",
        "linked.txt",
        "real-ignore",
    ];
    assert_eq!(files, expected);
    let warnings = built.warnings.join("\n");
    for named in [
        ".dockerignore",
        ".gitignore: a symlink",
        "fifo/.gitignore",
        "dir/.gitignore",
        "big/.gitignore: over 1024 KiB",
    ] {
        assert!(warnings.contains(named), "{named} in {warnings}");
    }
}

/// Issue 18, 7: a file growing while it is read ships at the size first seen, the archive stays
/// whole (the files after it are intact), and the file is reported as changed.
#[test]
fn a_file_growing_while_read_ships_at_its_first_size_and_is_reported() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "langgraph.json", "{}");
    noise(&root.join("grow.bin"), 6 * 1024 * 1024, 3);
    write(root, "zz.txt", "after the growing file");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let (flag, path) = (stop.clone(), root.join("grow.bin"));
    let writer = std::thread::spawn(move || {
        let mut file = fs::OpenOptions::new().append(true).open(path).unwrap();
        let mut added = 0;
        while !flag.load(Ordering::Relaxed) && added < 64 << 20 {
            file.write_all(&[7u8; 16 * 1024]).unwrap();
            added += 16 * 1024;
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    let built = archive_within(root, "langgraph.json");
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let built = built.unwrap();
    let on_disk = fs::read(root.join("grow.bin")).unwrap();
    let entries = entries(&built);
    let names: Vec<&str> = entries.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["grow.bin", "langgraph.json", "zz.txt"]);
    let grown = &entries[0].2;
    assert!(grown.len() >= 6 * 1024 * 1024 && on_disk.starts_with(grown));
    assert_eq!(entries[2].2, b"after the growing file");
    assert_eq!(built.changed, ["grow.bin"]);
}

#[cfg(unix)]
/// Issue 18, 8: a sparse file ships as a plain entry with its bytes (never a GNU sparse entry,
/// which some readers expand or reject).
#[test]
fn a_sparse_file_ships_as_a_plain_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "langgraph.json", "{}");
    let file = fs::File::create(root.join("holes.bin")).unwrap();
    file.set_len(8 * 1024 * 1024).unwrap();
    std::os::unix::fs::FileExt::write_at(&file, b"end", 8 * 1024 * 1024 - 3).unwrap();
    drop(file);
    let built = archive(root, Path::new("langgraph.json")).unwrap();
    // A sparse entry would store only the data blocks: the tar itself holds every byte.
    let mut tar = Vec::new();
    let gzip = flate2::read::GzDecoder::new(fs::File::open(built.path()).unwrap());
    std::io::Read::read_to_end(&mut { gzip }, &mut tar).unwrap();
    assert!(tar.len() > 8 * 1024 * 1024, "{} bytes", tar.len());
    let entries = entries(&built);
    let (name, kind, data) = &entries[0];
    assert_eq!(
        (name.as_str(), *kind),
        ("holes.bin", tar::EntryType::Regular)
    );
    assert_eq!(data.len(), 8 * 1024 * 1024);
    assert!(data.ends_with(b"end") && data[..data.len() - 3].iter().all(|&b| b == 0));
}

/// Issue 18, 8: a file larger than the uncompressed cap (a sparse 3 GiB file) is refused before
/// it is read, and so is a tree adding up to more; the error names the cap.
#[test]
fn more_than_the_uncompressed_cap_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    write(&one, "langgraph.json", "{}");
    fs::File::create(one.join("huge.bin"))
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let err = archive_within(&one, "langgraph.json").unwrap_err();
    assert!(
        err.to_string().contains("huge.bin") && err.to_string().contains("2 GiB"),
        "{err}"
    );
    let many = tmp.path().join("many");
    write(&many, "langgraph.json", "{}");
    for i in 0..5 {
        fs::File::create(many.join(format!("part{i}.bin")))
            .unwrap()
            .set_len(500 << 20)
            .unwrap();
    }
    let err = archive_within(&many, "langgraph.json").unwrap_err();
    assert!(
        err.to_string().contains("add up to") && err.to_string().contains("2 GiB"),
        "{err}"
    );
    assert_eq!(langsmith_control_plane::MAX_UNCOMPRESSED_BYTES, 2 << 30);
}

/// Issue 18, 10: secrets files are left out at any depth and reported, unless a `.dockerignore`
/// negation names one; their examples ship.
#[test]
fn secrets_files_are_left_out_and_reported_unless_a_negation_names_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "langgraph.json", "{}");
    write(root, ".dockerignore", "!config/.env.defaults\n");
    let secrets = [
        ".env",
        ".env.local",
        ".netrc",
        ".npmrc",
        ".pypirc",
        "deep/er/.env",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_rsa.pub",
        "k.pem",
        "sub/server.key",
    ];
    let shipped = [
        ".dockerignore",
        ".env.example",
        ".env.sample",
        ".env.template",
        "config/.env.defaults",
        "env.py",
        "keys.py",
        "langgraph.json",
        "pem.txt",
    ];
    for file in secrets.iter().chain(&shipped[1..]) {
        if *file == "langgraph.json" {
            continue;
        }
        write(root, file, "x");
    }
    let built = archive(root, Path::new("langgraph.json")).unwrap();
    let mut files = built.files.clone();
    files.sort();
    assert_eq!(files, shipped);
    let mut left_out = built.left_out.clone();
    left_out.sort();
    assert_eq!(left_out, secrets);
}

/// Issue 18, 13: hard links ship as files; a Docker-style allowlist ships the re-included
/// directory with all it holds; a config left out by the rules, and a name that is not UTF-8,
/// are refused naming them.
#[cfg(unix)]
#[test]
fn the_file_set_follows_dockers_allowlist_and_refuses_what_cannot_ship() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "langgraph.json", "{}");
    write(root, ".dockerignore", "*\n!langgraph.json\n!src\n");
    write(root, "README.md", "left out");
    write(root, "docs/guide.md", "left out");
    write(root, "src/app.py", "");
    write(root, "src/pkg/deep/mod.py", "");
    fs::hard_link(root.join("src/app.py"), root.join("src/alias.py")).unwrap();
    let mut files = archive(root, Path::new("langgraph.json")).unwrap().files;
    files.sort();
    assert_eq!(
        files,
        [
            "langgraph.json",
            "src/alias.py",
            "src/app.py",
            "src/pkg/deep/mod.py"
        ]
    );

    write(root, ".dockerignore", "");
    write(root, ".gitignore", "langgraph.json\n");
    let err = archive(root, Path::new("langgraph.json")).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(
        err.to_string().contains("langgraph.json is left out"),
        "{err}"
    );

    fs::remove_file(root.join(".gitignore")).unwrap();
    use std::os::unix::ffi::OsStrExt;
    for name in [&b"src/n\xff.txt"[..], b"src/n\xfe.txt"] {
        fs::write(root.join(std::ffi::OsStr::from_bytes(name)), "x").unwrap();
    }
    let err = archive(root, Path::new("langgraph.json")).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(
        err.to_string().contains(r"src/n\xfe.txt is not UTF-8"),
        "{err}"
    );
}
