//! The `cargo xtask` command line, run as a process: exit codes, messages, files written, and
//! fetching over HTTP from a server on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};

use xtask::json::to_canonical_string;
use xtask::vendored_spec;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/normalize")
        .join(name)
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `spec update --from FROM --out OUT EXTRA...`
fn update(from: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["spec", "update", "--from", from, "--out", path_str(out)];
    args.extend_from_slice(extra);
    xtask(&args)
}

/// A 3.1 document with a FastAPI operation ID and an inline enum.
fn upstream_text() -> String {
    to_canonical_string(&json!({
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": {"get": {
            "operationId": "list_things_things_get",
            "responses": {"200": {"description": "Successful Response", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
        }}},
        "components": {"schemas": {"Thing": {"type": "object", "title": "Thing",
            "properties": {"state": {"anyOf": [{"type": "string", "enum": ["on", "off"]}, {"type": "null"}], "title": "State"}}}}}
    }))
}

/// Serves one request on loopback with `answer` (after `delay`), and returns the URL.
fn serve_once(answer: Vec<u8>, delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            std::thread::sleep(delay);
            let _ = stream.write_all(&answer);
        }
    });
    format!("http://{address}/openapi.json")
}

fn http_answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A redirect to `location`.
fn redirect_answer(location: &str) -> Vec<u8> {
    format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .into_bytes()
}

/// The names in a directory.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn spec_update_reads_a_file_and_writes_the_normalized_document() {
    let dir = tempfile::tempdir().unwrap();
    let (from, out) = (
        dir.path().join("upstream.json"),
        dir.path().join("out/control-plane.json"),
    );
    std::fs::write(&from, upstream_text()).unwrap();
    // A toy document: the overlay's facts have nothing to attach to.
    let output = update(path_str(&from), &out, &["--no-overlay"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no base document"),
        "{}",
        stdout(&output)
    );
    let doc = read_json(&out);
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc.pointer("/paths/~1things/get/operationId"),
        Some(&json!("list_things"))
    );
    assert_eq!(
        doc.pointer("/components/schemas/Thing/properties/state"),
        Some(&json!({"allOf": [{"$ref": "#/components/schemas/ThingState"}], "nullable": true}))
    );
    // Written in the canonical layout.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        to_canonical_string(&doc)
    );
}

#[test]
fn spec_update_compares_with_the_file_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let (from, out) = (
        dir.path().join("upstream.json"),
        dir.path().join("control-plane.json"),
    );
    std::fs::write(&from, upstream_text()).unwrap();
    assert!(
        update(path_str(&from), &out, &["--no-overlay"])
            .status
            .success()
    );
    let first = std::fs::read_to_string(&out).unwrap();
    let output = update(path_str(&from), &out, &["--no-overlay"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("against the previous file: 0 added, 0 removed, 0 changed"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        first,
        "a second run must give the same bytes"
    );
}

#[test]
fn spec_update_fetches_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let url = serve_once(http_answer("200 OK", &upstream_text()), Duration::ZERO);
    let output = update(&url, &out, &["--allow-http", "--no-overlay"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        read_json(&out).pointer("/paths/~1things/get/operationId"),
        Some(&json!("list_things"))
    );
}

#[test]
fn spec_update_says_plainly_when_the_host_cannot_be_reached() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let output = update(&url, &out, &["--allow-http"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("cannot fetch {url}")),
        "{message}"
    );
    assert!(message.contains("--from PATH"), "{message}");
    assert!(!out.exists());
}

#[test]
fn spec_update_gives_up_after_the_timeout() {
    let url = serve_once(http_answer("200 OK", "{}"), Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let started = std::time::Instant::now();
    let output = update(&url, &out, &["--timeout", "1", "--allow-http"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no answer within 1s"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[test]
fn spec_update_reports_an_error_status() {
    let url = serve_once(http_answer("503 Service Unavailable", ""), Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let output = update(&url, &dir.path().join("o.json"), &["--allow-http"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the server answered 503"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn spec_update_refuses_plain_http_unless_allowed() {
    let url = serve_once(http_answer("200 OK", &upstream_text()), Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let output = update(&url, &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("refusing to fetch {url}")),
        "{message}"
    );
    assert!(message.contains("--allow-http"), "{message}");
    assert!(!out.exists());
}

#[test]
fn spec_update_refuses_a_redirect_to_plain_http() {
    // Even with plain HTTP allowed: the redirect's target is reported, not fetched.
    let target = serve_once(http_answer("200 OK", &upstream_text()), Duration::ZERO);
    let url = serve_once(redirect_answer(&target), Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let output = update(&url, &out, &["--allow-http"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "the server answered 302 Found, redirecting to {target}"
        )),
        "{message}"
    );
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn a_write_that_fails_midway_leaves_no_temporary_file() {
    // A file size limit far below the document's size; with SIGXFSZ ignored, the write fails
    // (EFBIG) instead of the limit killing the process.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let output = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 2; exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec", "update", "--from", path_str(&vendored_spec())])
        .args(["--out", path_str(&out)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("cannot write {}", out.display())),
        "{message}"
    );
    assert_eq!(entries(dir.path()), Vec::<String>::new());
}

#[test]
fn spec_update_leaves_the_output_alone_when_the_source_is_not_openapi() {
    let dir = tempfile::tempdir().unwrap();
    let (from, out) = (
        dir.path().join("upstream.json"),
        dir.path().join("control-plane.json"),
    );
    std::fs::write(&from, "{\"swagger\": \"2.0\"}").unwrap();
    std::fs::write(&out, "previous").unwrap();
    let output = update(path_str(&from), &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not an OpenAPI 3 document"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
}

#[test]
fn spec_check_accepts_the_vendored_document() {
    let output = xtask(&["spec", "check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("ok: "), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("normalized, overlay applied ("),
        "{}",
        stdout(&output)
    );
}

#[test]
fn spec_check_rejects_a_3_1_document_with_a_readable_message() {
    let output = xtask(&[
        "spec",
        "check",
        "--spec",
        path_str(&fixture("hoist_string_enums.in.json")),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("a 3.1 document"), "{message}");
    assert!(message.contains("not normalized"), "{message}");
    assert!(
        message.contains("/components/schemas/SourceConfig/properties/deployment_type"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn spec_check_names_a_construct_progenitor_would_panic_on() {
    // Normalized and valid 3.0.3, but two different success bodies in one operation.
    let mut doc = read_json(&fixture("one_error_body.out.json"));
    doc["paths"]["/things/{id}"]["get"]["responses"]["201"] = json!({"description": "Created",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}}});
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("two-success-bodies.json");
    std::fs::write(&spec, to_canonical_string(&doc)).unwrap();
    let output = xtask(&["spec", "check", "--spec", path_str(&spec)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("GET /things/{id}: 2 different success body types"),
        "{message}"
    );
    assert!(
        message.contains("code generation failed: progenitor cannot handle a construct"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn spec_check_reports_a_document_out_of_the_canonical_layout() {
    let compact = serde_json::to_string(&read_json(&vendored_spec())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("compact.json");
    std::fs::write(&spec, compact).unwrap();
    let output = xtask(&["spec", "check", "--spec", path_str(&spec)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not in canonical layout"),
        "{}",
        stderr(&output)
    );
}

/// An overlay file in `dir` with these actions.
fn overlay_file(dir: &Path, actions: Value) -> PathBuf {
    let path = dir.join("overlay.json");
    let overlay =
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions});
    std::fs::write(&path, to_canonical_string(&overlay)).unwrap();
    path
}

#[test]
fn spec_check_names_the_overlay_action_whose_target_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = overlay_file(
        dir.path(),
        json!([
            {"target": "$.components.schemas.DeploymentType.enum", "update": "dev_zero"},
            {"target": "$.components.schemas.DeploymentKind.enum", "update": "dev_zero"}
        ]),
    );
    let output = xtask(&["spec", "check", "--overlay", path_str(&overlay)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "- {}, action 2 (target `$.components.schemas.DeploymentKind.enum`): matches nothing in the document",
            overlay.display()
        )),
        "{message}"
    );
    assert!(message.contains("1 problem(s)"), "{message}");
}

#[test]
fn spec_check_reports_an_overlay_fact_missing_from_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = overlay_file(
        dir.path(),
        json!([{"target": "$.components.schemas.DeploymentType.enum", "update": "dev_huge"}]),
    );
    let output = xtask(&["spec", "check", "--overlay", path_str(&overlay)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("action 1 (target `$.components.schemas.DeploymentType.enum`): not applied: applying it changes /components/schemas/DeploymentType/enum"),
        "{message}"
    );
}

#[test]
fn spec_check_refuses_an_unusable_overlay_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = overlay_file(
        dir.path(),
        json!([{"target": "$.paths[*]", "remove": true}]),
    );
    let output = xtask(&["spec", "check", "--overlay", path_str(&overlay)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("is not a usable overlay"), "{message}");
    assert!(message.contains("wildcards are not supported"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn spec_check_without_the_overlay_says_so() {
    let output = xtask(&["spec", "check", "--no-overlay"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no overlay checked"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn spec_update_writes_nothing_when_an_overlay_target_matches_nothing() {
    // The toy upstream document has none of the schemas the vendored overlay extends.
    let dir = tempfile::tempdir().unwrap();
    let (from, out) = (
        dir.path().join("upstream.json"),
        dir.path().join("control-plane.json"),
    );
    std::fs::write(&from, upstream_text()).unwrap();
    let output = update(path_str(&from), &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("the overlay does not apply"), "{message}");
    assert!(
        message.contains(
            "(target `$.components.schemas.DeploymentSource.enum`): matches nothing in the normalized upstream document"
        ),
        "{message}"
    );
    // `$.paths` is there to add operations to.
    assert!(!message.contains("action 1 ("), "{message}");
    assert!(!out.exists());
}

#[test]
fn spec_diff_prints_a_report_for_people_and_one_for_machines() {
    let (old, new) = (
        fixture("hoist_string_enums.out.json"),
        fixture("const_to_enum.out.json"),
    );
    let output = xtask(&["spec", "diff", path_str(&old), path_str(&new)]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains("Operations\n  - [BREAKING] GET /v2/deployments: list_deployments"),
        "{text}"
    );

    let output = xtask(&["spec", "diff", path_str(&old), path_str(&new), "--json"]);
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["breaking"].as_u64().unwrap() > 0);

    let output = xtask(&[
        "spec",
        "diff",
        path_str(&old),
        path_str(&new),
        "--fail-on-breaking",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let output = xtask(&[
        "spec",
        "diff",
        path_str(&old),
        path_str(&old),
        "--fail-on-breaking",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "No changes.\n");
}

#[test]
fn codegen_writes_the_generated_files() {
    let dir = tempfile::tempdir().unwrap();
    let output = xtask(&["codegen", "--out", path_str(dir.path())]);
    assert!(output.status.success(), "{}", stderr(&output));
    for name in ["open_enums.rs", "client.rs"] {
        let code = std::fs::read_to_string(dir.path().join(name)).unwrap();
        syn::parse_file(&code).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let client = std::fs::read_to_string(dir.path().join("client.rs")).unwrap();
    assert!(
        client.contains("pub fn get_revision(&self)"),
        "the client has a get_revision method"
    );
}

#[test]
fn a_mistyped_command_is_a_usage_error() {
    let output = xtask(&["spec", "chek"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Usage: cargo xtask spec"),
        "{}",
        stderr(&output)
    );
}
