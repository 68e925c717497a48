//! `spec update`: fetch or read the upstream document, normalize it, keep our own prose, write it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::json::{parse, to_canonical_string};
use crate::normalize::{enums::enum_names, normalize, normalize_with};
use crate::prose::{Carried, carry_over, strip_prose};

/// Where the upstream document is served.
pub const DEFAULT_SOURCE: &str = "https://api.host.langchain.com/openapi.json";

/// Turns an upstream document into the vendored form: upstream prose dropped, normalized, and
/// when `base` (the previous vendored document) is given, its prose, editorial parts and enum
/// names kept. The result is a fixed point of [`normalize`].
pub fn update_document(mut upstream: Value, base: Option<&Value>) -> (Value, Carried) {
    strip_prose(&mut upstream);
    let names = base.map(enum_names).unwrap_or_default();
    normalize_with(&mut upstream, &names);
    let carried = match base {
        Some(base) => carry_over(&mut upstream, base),
        None => Carried::default(),
    };
    // Carried prose can land beside a `$ref`; normalizing again puts it in the 3.0 form.
    normalize(&mut upstream);
    (upstream, carried)
}

/// Whether `--from` names a URL rather than a file.
pub fn is_url(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// Reads the upstream document's text from a URL or a file.
pub fn read_source(source: &str, timeout: Duration) -> Result<String, String> {
    if is_url(source) {
        fetch(source, timeout)
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// GETs a URL over HTTP(S) (rustls on ring), giving up after `timeout`.
pub fn fetch(url: &str, timeout: Duration) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let offline_hint =
        "check the network (or pass `--from PATH` with a saved copy of the document)";
    let mut response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Timeout(_) => {
            format!(
                "cannot fetch {url}: no answer within {}s; {offline_hint}",
                timeout.as_secs_f64()
            )
        }
        other => format!("cannot fetch {url}: {other}; {offline_hint}"),
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("cannot fetch {url}: the server answered {status}"));
    }
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("cannot read the answer from {url}: {e}"))
}

/// What `spec update` did.
pub struct Outcome {
    pub document: Value,
    pub previous: Option<Value>,
    pub carried: Carried,
    pub base_path: Option<PathBuf>,
}

/// Reads `source`, updates against `base` (default: `out` when it exists), writes `out`.
pub fn run(
    source: &str,
    out: &Path,
    base: Option<&Path>,
    timeout: Duration,
) -> Result<Outcome, String> {
    let text = read_source(source, timeout)?;
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
    let (document, carried) = update_document(upstream, base_doc.as_ref());
    write_atomically(out, &to_canonical_string(&document))?;
    Ok(Outcome {
        document,
        previous,
        carried,
        base_path,
    })
}

/// Writes through a temporary file in the same directory, so a failed run leaves the old file.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, text).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}
