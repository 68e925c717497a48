//! Source archives uploaded for `internal_source` revisions: the files inside one, and what a
//! build from it writes to its log or fails on.

use std::io::{self, Read};

use flate2::read::GzDecoder;

/// Most bytes an archive may expand to: a gzip bomb stops here instead of running for ever.
const MAX_EXPANDED: u64 = 1 << 30;

/// Most files an archive may hold; a build log of a million lines helps nobody.
const MAX_FILES: usize = 100_000;

/// The config file a build reads when the revision names none.
pub(crate) const DEFAULT_CONFIG: &str = "langgraph.json";

/// The paths of an archive's regular files in archive order, or why it cannot be read.
pub(crate) type Listing = Result<Vec<String>, String>;

/// Opens a `.tar.gz` and lists its regular files (directories and links are not files).
pub(crate) fn list_files(bytes: &[u8]) -> Listing {
    let describe = |error: io::Error| format!("cannot be read as a gzip-compressed tar ({error})");
    let mut archive = tar::Archive::new(Capped {
        inner: GzDecoder::new(bytes),
        left: MAX_EXPANDED,
    });
    let mut files = Vec::new();
    for entry in archive.entries().map_err(describe)? {
        let entry = entry.map_err(describe)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(format!("holds more than {MAX_FILES} files"));
        }
        let path = entry.path().map_err(describe)?;
        files.push(normalize(&path.to_string_lossy()).to_string());
    }
    Ok(files)
}

/// `./src/a.py` and `src/a.py` name the same file.
fn normalize(path: &str) -> &str {
    let mut path = path;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path
}

/// A reader that fails once more than `left` bytes came through.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.left = self
            .left
            .checked_sub(read as u64)
            .ok_or_else(|| io::Error::other(format!("expands beyond {MAX_EXPANDED} bytes")))?;
        Ok(read)
    }
}

/// What a revision built from an uploaded archive writes to its build log, and why it fails
/// when it does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ArchiveBuild {
    /// One line per file, then a summary naming the count and the config file.
    pub(crate) lines: Vec<String>,
    /// The build log's last line when the build cannot go on.
    pub(crate) failure: Option<String>,
}

/// The build from `object_path` (listed as `listing`, `None` when no such upload is stored)
/// with the config file at `config_path` inside the archive.
pub(crate) fn build_from(
    object_path: &str,
    config_path: &str,
    listing: Option<&Listing>,
) -> ArchiveBuild {
    let files = match listing {
        None => {
            return ArchiveBuild {
                lines: Vec::new(),
                failure: Some(format!(
                    "Build failed: source archive {object_path} was never uploaded (or is no longer stored)"
                )),
            };
        }
        Some(Err(reason)) => {
            return ArchiveBuild {
                lines: Vec::new(),
                failure: Some(format!(
                    "Build failed: source archive {object_path} {reason}"
                )),
            };
        }
        Some(Ok(files)) => files,
    };
    let config_path = normalize(config_path);
    let found = files.iter().any(|file| file == config_path);
    let mut lines: Vec<String> = files
        .iter()
        .map(|file| format!("archive file: {file}"))
        .collect();
    let count = match files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let verdict = if found { "found" } else { "not found" };
    lines.push(format!("archive: {count}; config {config_path} {verdict}"));
    ArchiveBuild {
        lines,
        failure: (!found).then(|| {
            format!("Build failed: config file {config_path} is not in the source archive")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn targz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, content.as_bytes())
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn files_are_listed_in_archive_order_without_a_leading_dot_slash() {
        let bytes = targz(&[("./langgraph.json", "{}"), ("src/agent.py", "x = 1")]);
        assert_eq!(
            list_files(&bytes),
            Ok(vec![
                "langgraph.json".to_string(),
                "src/agent.py".to_string()
            ])
        );
    }

    #[test]
    fn bytes_that_are_not_gzip_cannot_be_read() {
        let error = list_files(b"PK\x03\x04 a zip file").unwrap_err();
        assert!(
            error.starts_with("cannot be read as a gzip-compressed tar"),
            "{error}"
        );
    }

    #[test]
    fn gzip_that_is_not_tar_cannot_be_read() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        io::Write::write_all(&mut encoder, &[b'x'; 2048]).unwrap();
        let error = list_files(&encoder.finish().unwrap()).unwrap_err();
        assert!(
            error.starts_with("cannot be read as a gzip-compressed tar"),
            "{error}"
        );
    }

    #[test]
    fn a_build_names_every_file_and_whether_the_config_is_there() {
        let listing = Ok(vec!["langgraph.json".to_string(), "a.py".to_string()]);
        let found = build_from("uploads/x.tar.gz", "./langgraph.json", Some(&listing));
        assert_eq!(
            found.lines,
            [
                "archive file: langgraph.json",
                "archive file: a.py",
                "archive: 2 files; config langgraph.json found"
            ]
        );
        assert_eq!(found.failure, None);
        let missing = build_from("uploads/x.tar.gz", "deploy/langgraph.json", Some(&listing));
        assert_eq!(
            missing.lines.last().map(String::as_str),
            Some("archive: 2 files; config deploy/langgraph.json not found")
        );
        assert!(missing.failure.unwrap().contains("deploy/langgraph.json"));
        let never = build_from("uploads/x.tar.gz", "langgraph.json", None);
        assert!(never.failure.unwrap().contains("never uploaded"));
    }
}
