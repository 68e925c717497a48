//! `spec update`: fetch or read the upstream document, normalize it, keep our own prose, write it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::json::{parse, to_canonical_string};
use crate::normalize::{enums::enum_names, normalize, normalize_with};
use crate::overlay::{self, Overlay};
use crate::prose::{Carried, carry_over, strip_prose};

/// Where the upstream document is served.
pub const DEFAULT_SOURCE: &str = "https://api.host.langchain.com/openapi.json";

/// Turns an upstream document into the vendored form: upstream prose dropped, normalized, and
/// when `base` (the previous vendored document) is given, its prose, editorial parts and enum
/// names kept. The result is a fixed point of [`normalize`]. No overlay is applied: see
/// [`update_document_with_overlay`].
pub fn update_document(upstream: Value, base: Option<&Value>) -> (Value, Carried) {
    let mut doc = normalized_upstream(upstream, base);
    let carried = finish(&mut doc, base);
    (doc, carried)
}

/// [`update_document`] with the overlay applied between normalizing and carrying over the
/// base's prose, so the facts it adds get their descriptions from the base like any other
/// node. `Err` when the overlay does not apply (see [`Overlay::apply_to_upstream`]); the notes
/// name actions upstream has made unnecessary.
pub fn update_document_with_overlay(
    upstream: Value,
    base: Option<&Value>,
    overlay: &Overlay,
) -> Result<(Value, Carried, Vec<String>), String> {
    let mut doc = normalized_upstream(upstream, base);
    let notes = overlay.apply_to_upstream(&mut doc)?;
    let carried = finish(&mut doc, base);
    Ok((doc, carried, notes))
}

fn normalized_upstream(mut upstream: Value, base: Option<&Value>) -> Value {
    strip_prose(&mut upstream);
    let names = base.map(enum_names).unwrap_or_default();
    normalize_with(&mut upstream, &names);
    upstream
}

fn finish(doc: &mut Value, base: Option<&Value>) -> Carried {
    let carried = match base {
        Some(base) => carry_over(doc, base),
        None => Carried::default(),
    };
    // Carried prose can land beside a `$ref`; normalizing again puts it in the 3.0 form.
    normalize(doc);
    carried
}

/// Whether `--from` names a URL rather than a file.
pub fn is_url(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// How a URL is fetched.
#[derive(Clone, Copy, Debug)]
pub struct FetchOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// Fetch `http://` URLs too; by default only `https://` ones are.
    pub allow_http: bool,
}

/// Reads the upstream document's text from a URL or a file.
pub fn read_source(source: &str, options: FetchOptions) -> Result<String, String> {
    if is_url(source) {
        fetch(source, options)
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// GETs a URL over HTTPS (rustls on ring), or plain HTTP when allowed. Redirects are reported,
/// not followed: one could lead to plain HTTP or to another host.
pub fn fetch(url: &str, options: FetchOptions) -> Result<String, String> {
    if !url.starts_with("https://") && !options.allow_http {
        return Err(format!(
            "refusing to fetch {url}: plain HTTP lets anyone on the way change the document; \
             use an https:// URL, or pass --allow-http (e.g. for a server on loopback)"
        ));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .https_only(!options.allow_http)
        .max_redirects(0)
        .build()
        .into();
    let offline_hint =
        "check the network (or pass `--from PATH` with a saved copy of the document)";
    let mut response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Timeout(_) => {
            format!(
                "cannot fetch {url}: no answer within {}s; {offline_hint}",
                options.timeout.as_secs_f64()
            )
        }
        other => format!("cannot fetch {url}: {other}; {offline_hint}"),
    })?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("nowhere (no Location header)");
        return Err(format!(
            "cannot fetch {url}: the server answered {status}, redirecting to {location}; \
             redirects are not followed, pass the URL you trust to --from"
        ));
    }
    if !status.is_success() {
        return Err(format!("cannot fetch {url}: the server answered {status}"));
    }
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("cannot read the response from {url}: {e}"))
}

/// What `spec update` did.
pub struct Outcome {
    pub document: Value,
    pub previous: Option<Value>,
    pub carried: Carried,
    pub base_path: Option<PathBuf>,
    /// The overlay applied and how many actions it has.
    pub overlay: Option<(PathBuf, usize)>,
    /// Actions upstream has made unnecessary.
    pub overlay_notes: Vec<String>,
}

/// Reads `source`, updates against `base` (default: `out` when it exists) applying the overlay
/// at `overlay` when given, writes `out`. Nothing is written when any step fails.
pub fn run(
    source: &str,
    out: &Path,
    base: Option<&Path>,
    overlay: Option<&Path>,
    options: FetchOptions,
) -> Result<Outcome, String> {
    let overlay = overlay
        .map(|path| overlay::read(path).map(|o| (path.to_path_buf(), o)))
        .transpose()?;
    let text = read_source(source, options)?;
    let upstream = parse(&text, source)?;
    if !upstream
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3."))
    {
        return Err(format!(
            "{source} is not an OpenAPI 3 document (no `openapi: 3.x` field)"
        ));
    }
    let read_json = |path: &Path| -> Result<Value, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        parse(&text, &path.display().to_string())
    };
    let previous = if out.exists() {
        Some(read_json(out)?)
    } else {
        None
    };
    let (base_path, base_doc) = match base {
        Some(path) => (Some(path.to_path_buf()), Some(read_json(path)?)),
        None if previous.is_some() => (Some(out.to_path_buf()), previous.clone()),
        None => (None, None),
    };
    let (document, carried, overlay_notes) = match &overlay {
        Some((_, overlay)) => update_document_with_overlay(upstream, base_doc.as_ref(), overlay)?,
        None => {
            let (document, carried) = update_document(upstream, base_doc.as_ref());
            (document, carried, Vec::new())
        }
    };
    write_atomically(out, &to_canonical_string(&document))?;
    Ok(Outcome {
        document,
        previous,
        carried,
        base_path,
        overlay: overlay.map(|(path, overlay)| (path, overlay.actions.len())),
        overlay_notes,
    })
}

/// Writes through a temporary file in the same directory, flushed to disk before it replaces
/// `path`, so a failed or interrupted run leaves the old file; the temporary file is removed on
/// any error.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let prefix = match path.file_name() {
        Some(name) => format!(".{}.", name.to_string_lossy()),
        None => ".".to_string(),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // What `fs::write` would create (before the umask); tempfile's default is owner-only.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let cannot_write = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    // Dropping `temp` on an error deletes the file.
    let mut temp = builder.tempfile_in(dir).map_err(cannot_write)?;
    temp.write_all(text.as_bytes()).map_err(cannot_write)?;
    temp.as_file().sync_all().map_err(cannot_write)?;
    temp.persist(path).map_err(|e| cannot_write(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_cannot_replace_its_target_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join("taken");
        std::fs::create_dir(&taken).unwrap();
        let error = write_atomically(&taken, "{}\n").unwrap_err();
        assert!(
            error.starts_with(&format!("cannot write {}", taken.display())),
            "{error}"
        );
        assert_eq!(entries(dir.path()), ["taken"]);
    }

    #[test]
    fn a_written_file_has_the_text_and_no_temporary_file_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomically(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        assert_eq!(entries(dir.path()), ["out.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_is_readable_by_others_as_fs_write_makes_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomically(&path, "{}\n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        let reference = dir.path().join("reference.json");
        std::fs::write(&reference, "{}\n").unwrap();
        let expected = std::fs::metadata(&reference).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, expected & 0o777);
    }
}
