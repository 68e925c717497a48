//! The saved upstream documents (outside the repository, in `../shared/reference`) normalize into
//! documents the bindings generate from. Each test says plainly when the copies are absent; the
//! idempotence test of `spec update` fails without them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use xtask::diff::{Area, What, diff};
use xtask::json::{parse, to_canonical_string};
use xtask::normalize::normalize;
use xtask::overlay::{self, Outcome, Overlay};
use xtask::prose::prose_keys;
use xtask::update::{update_document, update_document_with_overlay};
use xtask::walk::walk_ref;
use xtask::{check, generate, vendored_overlay, vendored_spec};

const REFERENCES: [&str; 3] = [
    "upstream-2025-11-20.json",
    "upstream-2025-12-11.json",
    "upstream-2026-08-01.json",
];

/// `../shared/reference` beside the repository, or `XTASK_REFERENCE_DIR`.
fn reference_dir() -> PathBuf {
    match std::env::var_os("XTASK_REFERENCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference"),
    }
}

/// Whether the skip was reported already (once per run is plain enough).
static SKIP_REPORTED: AtomicBool = AtomicBool::new(false);

/// The reference documents that are present; says once which are skipped.
fn references() -> Vec<(&'static str, Value)> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for name in REFERENCES {
        let path = reference_dir().join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => found.push((name, parse(&text, name).unwrap())),
            Err(_) => missing.push(path.display().to_string()),
        }
    }
    if !missing.is_empty() && !SKIP_REPORTED.swap(true, Ordering::Relaxed) {
        // Straight to the stderr handle: the harness captures `println!`, and a skip must be
        // seen in a plain `cargo test` run.
        let line = format!(
            "skipped: reference copies not present (they live outside the repository): {}\n",
            missing.join(", ")
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    found
}

/// Every reference document; `None` (reported) when the reference directory is absent, as on
/// a machine that has only the repository. Where the directory exists, a missing copy fails.
fn required_references() -> Option<Vec<(&'static str, Value)>> {
    REFERENCES
        .into_iter()
        .map(|name| required_reference(name).map(|(_, doc)| (name, doc)))
        .collect()
}

/// One reference document and its path, as [`required_references`].
fn required_reference(name: &str) -> Option<(PathBuf, Value)> {
    let dir = reference_dir();
    if !dir.is_dir() {
        if !SKIP_REPORTED.swap(true, Ordering::Relaxed) {
            let line = format!(
                "skipped: no reference directory at {} (it lives outside the repository)\n",
                dir.display()
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        return None;
    }
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); this test needs the reference copies",
            path.display()
        )
    });
    let doc = parse(&text, name).unwrap();
    Some((path, doc))
}

/// The newest full upstream copy: the one the vendored document is updated from.
const NEWEST: &str = "upstream-2026-08-01.json";

fn vendored_overlay_parsed() -> Overlay {
    overlay::read(&vendored_overlay()).unwrap_or_else(|e| panic!("{e}"))
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn vendored() -> Value {
    parse(
        &std::fs::read_to_string(vendored_spec()).unwrap(),
        "vendored",
    )
    .unwrap()
}

#[test]
fn each_reference_normalizes_into_a_document_the_bindings_generate_from() {
    let base = vendored();
    let references = references();
    let cases: Vec<_> = references
        .iter()
        .flat_map(|(name, upstream)| {
            [
                ("without a base", None),
                ("with the vendored base", Some(&base)),
            ]
            .map(|(label, base)| (*name, upstream, label, base))
        })
        .collect();
    // Each case on a thread of its own: generating is seconds of debug-speed CPU, and this test
    // is often the last one running.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = cases
            .into_iter()
            .map(|(name, upstream, label, base)| {
                scope.spawn(move || {
                    normalizes_and_generates(upstream, base)
                        .map(|lines| println!("checked {name} {label}: {lines} lines generated"))
                        .map_err(|problem| format!("{name} {label}: {problem}"))
                })
            })
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().expect("a case panicked").err())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Normalizes `upstream` (over `base`), checks the result as `spec check` does and generates
/// from it; the lines of the generated client, or what went wrong.
fn normalizes_and_generates(upstream: &Value, base: Option<&Value>) -> Result<usize, String> {
    let (doc, _) = update_document(upstream.clone(), base);
    let text = to_canonical_string(&doc);
    check::check(&text)
        .map_err(|problems| format!("spec check failed:\n{}", problems.join("\n")))?;
    let generated = generate::generate(&text).map_err(|e| format!("generation failed: {e}"))?;
    syn::parse_file(&generated.client).map_err(|e| format!("client: {e}"))?;
    syn::parse_file(&generated.enums).map_err(|e| format!("enums: {e}"))?;
    Ok(generated.client.lines().count())
}

#[test]
fn normalizing_a_reference_is_byte_stable_and_idempotent() {
    for (name, upstream) in references() {
        let first = to_canonical_string(&update_document(upstream.clone(), None).0);
        let second = to_canonical_string(&update_document(upstream.clone(), None).0);
        assert!(first == second, "{name}: two runs differ");
        let mut again = parse(&first, name).unwrap();
        normalize(&mut again);
        assert!(
            to_canonical_string(&again) == first,
            "{name}: the output is not a fixed point"
        );
    }
}

#[test]
fn updating_without_a_base_from_its_own_output_changes_nothing() {
    // Reported: the second run dropped the descriptions of the synthesized error schemas.
    let Some(references) = required_references() else {
        return;
    };
    for (name, upstream) in references {
        let (first, _) = update_document(upstream, None);
        let first_text = to_canonical_string(&first);
        let (second, _) = update_document(first.clone(), None);
        assert!(
            to_canonical_string(&second) == first_text,
            "{name}: updating from the output changed it"
        );
        let mut again = first;
        normalize(&mut again);
        assert!(
            to_canonical_string(&again) == first_text,
            "{name}: the output is not a fixed point of normalize"
        );
        for schema in ["ApiErrorBody", "ApiErrorDetail"] {
            let description = format!("/components/schemas/{schema}/description");
            assert!(second.pointer(&description).is_some(), "{name}: {schema}");
        }
    }
}

#[test]
fn no_upstream_prose_reaches_the_output() {
    let base = vendored();
    for (name, upstream) in references() {
        let mut sentences = BTreeSet::new();
        walk_ref(&upstream, &mut |kind, _, value| {
            for key in prose_keys(kind) {
                if let Some(text) = value.get(*key).and_then(Value::as_str) {
                    // Sentences, not names (a root title is the component name).
                    if text.len() >= 25 && text.contains(" ") {
                        sentences.insert(text.to_string());
                    }
                }
            }
        });
        assert!(
            sentences.len() > 50,
            "{name}: expected plenty of upstream prose to look for"
        );
        let base_text = to_canonical_string(&base);
        for base in [None, Some(&base)] {
            let (doc, _) = update_document(upstream.clone(), base);
            let out = to_canonical_string(&doc);
            for sentence in &sentences {
                let encoded = serde_json::to_string(sentence).unwrap();
                // With a base, a sentence the base itself holds was written there, not copied by update.
                if base.is_some() && base_text.contains(&encoded) {
                    continue;
                }
                assert!(
                    !out.contains(&encoded),
                    "{name}: upstream prose in the output: {sentence}"
                );
            }
        }
    }
}

#[test]
fn without_the_overlay_the_newest_reference_lacks_exactly_the_overlays_facts() {
    let Some((_, upstream)) = required_reference(NEWEST) else {
        return;
    };
    let vendored = vendored();
    let (updated, _) = update_document(upstream, Some(&vendored));
    let changes: BTreeSet<(Area, String, What)> = diff(&vendored, &updated)
        .into_iter()
        .map(|c| (c.area, c.location, c.what))
        .collect();
    let removed = |area, location: &str| (area, location.to_string(), What::Removed);
    // Upstream leaves these credentials plain strings; the overlay marks them `format: password`.
    let marked_sensitive = |location: &str| (Area::Property, location.to_string(), What::Changed);
    let expected: BTreeSet<(Area, String, What)> = [
        removed(
            Area::Operation,
            "GET /v2/deployments/{deployment_id}/revisions/{revision_id}/logs",
        ),
        removed(
            Area::Operation,
            "POST /v2/deployments/{deployment_id}/upload-url",
        ),
        removed(
            Area::Operation,
            "POST /v2/deployments/{deployment_id}/push-token",
        ),
        removed(Area::Schema, "LogLevel"),
        removed(Area::Schema, "LogOrder"),
        removed(Area::Schema, "LogType"),
        removed(Area::Schema, "LogsResponse"),
        removed(Area::Schema, "UploadUrlRequest"),
        removed(Area::Schema, "UploadUrlResponse"),
        removed(Area::Schema, "PushTokenRequest"),
        removed(Area::Schema, "PushTokenResponse"),
        removed(Area::Property, "ValidationError.ctx"),
        removed(Area::Property, "ValidationError.input"),
        removed(Area::EnumValue, "DeploymentSource: internal_template"),
        removed(Area::EnumValue, "DeploymentType: dev_zero"),
        removed(Area::EnumValue, "DeploymentType: dev_free_zero"),
        removed(
            Area::Operation,
            "POST /v2/deployments/{deployment_id}/revisions",
        ),
        removed(Area::Schema, "RevisionCreateRequest"),
        removed(Area::Schema, "RevisionSourceConfigRequest"),
        removed(Area::Property, "Deployment.display_name"),
        removed(Area::Property, "DeploymentPatchRequest.display_name"),
        removed(Area::Property, "SourceConfig.repo_branch"),
        removed(Area::Property, "SourceConfig.template_id"),
        removed(Area::Property, "SourceConfigRequest.template_id"),
        removed(Area::EnumValue, "DeploymentStatus: AWAITING_FINAL_DELETE"),
        marked_sensitive("Secret.value"),
        marked_sensitive("OAuthProviderCreateRequest.client_secret"),
        marked_sensitive("OAuthProviderUpdateRequest.client_secret"),
        marked_sensitive("AuthAuthenticateResponse.token"),
        marked_sensitive("AuthWaitResponse.token"),
    ]
    .into_iter()
    .collect();
    assert_eq!(changes, expected);
}

#[test]
fn the_newest_reference_with_the_overlay_reproduces_the_vendored_document_byte_for_byte() {
    let Some((_, upstream)) = required_reference(NEWEST) else {
        return;
    };
    let vendored_text = std::fs::read_to_string(vendored_spec()).unwrap();
    let vendored = parse(&vendored_text, "vendored").unwrap();
    let (updated, carried, notes) =
        update_document_with_overlay(upstream, Some(&vendored), &vendored_overlay_parsed())
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        to_canonical_string(&updated) == vendored_text,
        "update --from {NEWEST} with the overlay differs from openapi/control-plane.json"
    );
    assert_eq!(carried.orphaned, 0, "some of our prose found no node");
    assert_eq!(notes, Vec::<String>::new());
}

#[test]
fn every_overlay_action_adds_a_fact_the_newest_reference_lacks() {
    let Some((_, upstream)) = required_reference(NEWEST) else {
        return;
    };
    let (normalized, _) = update_document(upstream, None);
    let overlay = vendored_overlay_parsed();
    let steps = overlay.trial(&normalized).unwrap_or_else(|e| panic!("{e}"));
    for (action, step) in overlay.actions.iter().zip(&steps) {
        assert_eq!(step.outcome, Outcome::Changed, "{}", action.label);
    }
}

#[test]
fn updating_with_the_overlay_from_its_own_output_changes_nothing() {
    let Some((_, upstream)) = required_reference(NEWEST) else {
        return;
    };
    let overlay = vendored_overlay_parsed();
    let (first, _, _) = update_document_with_overlay(upstream, None, &overlay).unwrap();
    let (second, _, notes) = update_document_with_overlay(first.clone(), None, &overlay).unwrap();
    assert!(
        to_canonical_string(&second) == to_canonical_string(&first),
        "a second update with the overlay changed the output"
    );
    // Every fact is there already the second time, and each action says so.
    assert_eq!(notes.len(), overlay.actions.len(), "{notes:#?}");
}

#[test]
fn spec_update_from_the_newest_reference_writes_the_vendored_document() {
    let Some((reference, _)) = required_reference(NEWEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    let output = xtask(&[
        "spec",
        "update",
        "--from",
        path_str(&reference),
        "--out",
        path_str(&out),
        "--base",
        path_str(&vendored_spec()),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("applied the overlay"), "{stdout}");
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(vendored_spec()).unwrap(),
        "the output is not byte for byte openapi/control-plane.json"
    );
}

#[test]
fn spec_update_in_place_from_the_newest_reference_changes_nothing() {
    // As it is run for real: the file it replaces is the base.
    let Some((reference, _)) = required_reference(NEWEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("control-plane.json");
    std::fs::copy(vendored_spec(), &out).unwrap();
    let output = xtask(&[
        "spec",
        "update",
        "--from",
        path_str(&reference),
        "--out",
        path_str(&out),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("0 node(s) of it no longer exist"),
        "{stdout}"
    );
    assert!(
        stdout.contains("against the previous file: 0 added, 0 removed, 0 changed"),
        "{stdout}"
    );
    assert!(std::fs::read(&out).unwrap() == std::fs::read(vendored_spec()).unwrap());
}

#[test]
fn spec_diff_shows_the_overlays_facts_missing_without_it_and_nothing_with_it() {
    let Some((reference, _)) = required_reference(NEWEST) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let vendored = vendored_spec();
    let (with, without) = (
        dir.path().join("with.json"),
        dir.path().join("without.json"),
    );
    for (out, extra) in [(&with, None), (&without, Some("--no-overlay"))] {
        let mut args = vec!["spec", "update", "--from", path_str(&reference)];
        args.extend(["--out", path_str(out), "--base", path_str(&vendored)]);
        args.extend(extra);
        let output = xtask(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = xtask(&["spec", "diff", path_str(&vendored), path_str(&with)]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "No changes.\n");

    let output = xtask(&["spec", "diff", path_str(&vendored), path_str(&without)]);
    assert!(output.status.success());
    let report = String::from_utf8_lossy(&output.stdout);
    for line in [
        "- [BREAKING] GET /v2/deployments/{deployment_id}/revisions/{revision_id}/logs: list_revision_logs",
        "- [BREAKING] POST /v2/deployments/{deployment_id}/upload-url: request_upload_url",
        "- [BREAKING] POST /v2/deployments/{deployment_id}/push-token: request_push_token",
        "- [BREAKING] DeploymentType: dev_zero: enum narrowed",
        "- [BREAKING] POST /v2/deployments/{deployment_id}/revisions: create_revision",
        "~ [BREAKING] Secret.value: type string (password) -> string",
        "30 change(s), 30 breaking.",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}
