//! Archiving a source directory: ignore rules, excluded directories, links, monorepo
//! dependencies, and the size limit.

use std::fs;
use std::path::Path;

use langsmith_control_plane::{Error, archive};

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
    let expected = [
        ".dockerignore",
        ".gitignore",
        "agent.py",
        "keep.secret",
        "langgraph.json",
        "pkg/.gitignore",
        "pkg/module.py",
    ];
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
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("langgraph.json"), "{err}");
}

#[test]
fn local_dependencies_outside_the_directory_ship_from_their_common_root() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
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

/// More than the upload takes is refused while archiving (nothing is sent: there is no client).
#[test]
fn an_archive_over_the_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "langgraph.json", "{}");
    // Incompressible bytes, a little over the limit.
    let mut noise = vec![0u8; 1024 * 1024];
    let mut file = fs::File::create(tmp.path().join("weights.bin")).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..(langsmith_control_plane::MAX_ARCHIVE_BYTES / (1024 * 1024) + 4) {
        rng.fill(&mut noise);
        std::io::Write::write_all(&mut file, &noise).unwrap();
    }
    drop(file);
    let err = archive(tmp.path(), Path::new("langgraph.json")).unwrap_err();
    assert!(err.to_string().contains("200 MiB"), "{err}");
}

/// Where a child run of `cancelling_stops_promptly_and_leaves_no_temporary_file` works: its own
/// `TMPDIR`, so that the archive's temporary file can be looked for without other tests' files.
const CANCEL_CHILD: &str = "ARCHIVE_TEST_CANCEL_CHILD";

/// Incompressible bytes, so that archiving takes a while.
fn noise(path: &Path, bytes: usize, seed: u64) {
    let mut data = vec![0u8; bytes];
    fastrand::Rng::with_seed(seed).fill(&mut data);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

/// The size of the one file in `dir`, once there is one.
fn temporary_file_size(dir: &Path) -> Option<u64> {
    let entry = fs::read_dir(dir).ok()?.flatten().next()?;
    Some(entry.metadata().ok()?.len())
}

/// Archives `tree` on another thread, sets the flag once the temporary file in `tmp` holds
/// `after` bytes, and checks the archiver stops within half a second, leaving nothing in `tmp`.
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
        assert!(
            !worker.is_finished(),
            "archiving ended before the flag was set"
        );
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    let set_at = Instant::now();
    cancel.store(true, Ordering::Relaxed);
    let (result, ended_at) = worker.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    let took = ended_at.duration_since(set_at);
    assert!(
        took < Duration::from_millis(500),
        "stopped {took:?} after the flag was set"
    );
    let left: Vec<_> = fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A cancel flag set mid-way stops archiving promptly, between files of a large tree and
/// between chunks of a large file, and the temporary file is gone. Runs itself in a child
/// process with its own `TMPDIR`.
#[test]
fn cancelling_stops_promptly_and_leaves_no_temporary_file() {
    let Some(tmp) = std::env::var_os(CANCEL_CHILD) else {
        let tmp = tempfile::tempdir().unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "cancelling_stops_promptly_and_leaves_no_temporary_file",
                "--test-threads=1",
            ])
            .env(CANCEL_CHILD, tmp.path())
            .env("TMPDIR", tmp.path())
            .status()
            .unwrap();
        assert!(status.success(), "the child run failed: {status}");
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        return;
    };
    let tmp = Path::new(&tmp);
    // The trees live outside TMPDIR, which must hold only the archive.
    let trees = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();

    let many = trees.path().join("many");
    write(&many, "langgraph.json", "{}");
    for i in 0..4000 {
        noise(&many.join(format!("d{}/f{i}.bin", i % 40)), 8 * 1024, i);
    }
    cancel_once_written(&many, tmp, 1);

    let large = trees.path().join("large");
    write(&large, "langgraph.json", "{}");
    noise(&large.join("weights.bin"), 160 * 1024 * 1024, 9);
    cancel_once_written(&large, tmp, 1024 * 1024);
}
