//! The saved upstream documents (outside the repository, in `../shared/reference`) normalize into
//! documents the bindings generate from. Each test says plainly when the copies are absent; the
//! idempotence test of `spec update` fails without them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use xtask::diff::{Area, What, diff};
use xtask::json::{parse, to_canonical_string};
use xtask::normalize::normalize;
use xtask::prose::prose_keys;
use xtask::update::update_document;
use xtask::walk::walk_ref;
use xtask::{check, generate, vendored_spec};

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

/// Every reference document; a missing one fails the test that asked, naming where it looked.
fn required_references() -> Vec<(&'static str, Value)> {
    REFERENCES
        .into_iter()
        .map(|name| {
            let path = reference_dir().join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "cannot read {} ({e}); this test needs the reference copies",
                    path.display()
                )
            });
            (name, parse(&text, name).unwrap())
        })
        .collect()
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
    for (name, upstream) in references() {
        for (label, base) in [
            ("without a base", None),
            ("with the vendored base", Some(&base)),
        ] {
            let (doc, _) = update_document(upstream.clone(), base);
            let text = to_canonical_string(&doc);
            if let Err(problems) = check::check(&text) {
                panic!(
                    "{name} {label}: spec check failed:\n{}",
                    problems.join("\n")
                );
            }
            let generated = generate::generate(&text).unwrap();
            syn::parse_file(&generated.client)
                .unwrap_or_else(|e| panic!("{name} {label}: client: {e}"));
            syn::parse_file(&generated.enums)
                .unwrap_or_else(|e| panic!("{name} {label}: enums: {e}"));
            println!(
                "checked {name} {label}: {} lines generated",
                generated.client.lines().count()
            );
        }
    }
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
    for (name, upstream) in required_references() {
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
fn the_newest_reference_differs_from_the_vendored_document_only_by_the_facts_it_lacks() {
    let Some((_, upstream)) = references()
        .into_iter()
        .find(|(n, _)| *n == "upstream-2026-08-01.json")
    else {
        return;
    };
    let vendored = vendored();
    let (updated, _) = update_document(upstream, Some(&vendored));
    let changes: BTreeSet<(Area, String, What)> = diff(&vendored, &updated)
        .into_iter()
        .map(|c| (c.area, c.location, c.what))
        .collect();
    let logs = "GET /v2/deployments/{deployment_id}/revisions/{revision_id}/logs".to_string();
    let expected: BTreeSet<(Area, String, What)> = [
        (Area::Operation, logs, What::Removed),
        (Area::Schema, "LogLevel".into(), What::Removed),
        (Area::Schema, "LogOrder".into(), What::Removed),
        (Area::Schema, "LogType".into(), What::Removed),
        (Area::Schema, "LogsResponse".into(), What::Removed),
        (Area::Property, "ValidationError.ctx".into(), What::Removed),
        (
            Area::Property,
            "ValidationError.input".into(),
            What::Removed,
        ),
        (
            Area::EnumValue,
            "DeploymentSource: internal_template".into(),
            What::Removed,
        ),
        (
            Area::Operation,
            "POST /v2/deployments/{deployment_id}/upload-url".into(),
            What::Removed,
        ),
        (
            Area::Operation,
            "POST /v2/deployments/{deployment_id}/push-token".into(),
            What::Removed,
        ),
        (Area::Schema, "UploadUrlRequest".into(), What::Removed),
        (Area::Schema, "UploadUrlResponse".into(), What::Removed),
        (Area::Schema, "PushTokenRequest".into(), What::Removed),
        (Area::Schema, "PushTokenResponse".into(), What::Removed),
        (
            Area::EnumValue,
            "DeploymentType: dev_zero".into(),
            What::Removed,
        ),
        (
            Area::EnumValue,
            "DeploymentType: dev_free_zero".into(),
            What::Removed,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(changes, expected);
}
