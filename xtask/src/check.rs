//! `spec check`: the vendored document is valid 3.0.3, normalized, and progenitor generates
//! from it. Every failure is a message naming the place and the construct.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::generate;
use crate::json::{differing_pointers, parse, resolve, to_canonical_string};
use crate::normalize::{document::OPENAPI_VERSION, normalize};
use crate::overlay::Overlay;
use crate::walk::{Kind, METHODS, Site, walk_ref};

/// What a successful check saw.
#[derive(Debug)]
pub struct Passed {
    pub operations: usize,
    pub schemas: usize,
    pub generated_lines: usize,
    /// The number of overlay actions found applied, when an overlay was checked.
    pub overlay_actions: Option<usize>,
}

/// Checks the text of a document. `Err` lists every problem found.
pub fn check(text: &str) -> Result<Passed, Vec<String>> {
    check_with_overlay(text, None)
}

/// [`check`], and when `overlay` is given, that it is already applied to the document: every
/// target matches, and applying it changes nothing ([`Overlay::not_applied_problems`]).
pub fn check_with_overlay(text: &str, overlay: Option<&Overlay>) -> Result<Passed, Vec<String>> {
    let doc = parse(text, "the document").map_err(|e| vec![e])?;
    let mut problems = Vec::new();
    if let Some(overlay) = overlay {
        problems.extend(overlay.not_applied_problems(&doc));
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(OPENAPI_VERSION) => {}
        Some(v) if v.starts_with("3.1") => problems.push(format!(
            "`openapi` is {v:?}: a 3.1 document; progenitor reads 3.0 \
             (run `cargo xtask spec update --from FILE` to normalize it)"
        )),
        other => problems.push(format!(
            "`openapi` is {other:?}, expected {OPENAPI_VERSION:?}"
        )),
    }
    if let Err(e) = parse_openapi(text) {
        problems.push(e);
    }
    problems.extend(normalization_problems(&doc, text));
    problems.extend(lint(&doc));
    let generated = match generate::generate(text) {
        Ok(g) => Some(g),
        Err(e) => {
            problems.push(format!("code generation failed: {e}"));
            None
        }
    };
    match generated {
        Some(g) if problems.is_empty() => Ok(Passed {
            operations: count_operations(&doc),
            schemas: doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map_or(0, |s| s.len()),
            generated_lines: g.client.lines().count() + g.enums.lines().count(),
            overlay_actions: overlay.map(|o| o.actions.len()),
        }),
        _ => Err(problems),
    }
}

/// Parses with openapiv3 (what progenitor reads), naming the path of the first error.
fn parse_openapi(text: &str) -> Result<openapiv3::OpenAPI, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        format!(
            "not a valid OpenAPI 3.0 document at `{}`: {}",
            e.path(),
            e.inner()
        )
    })
}

/// Differences between the document and its normalized form, or its canonical layout.
fn normalization_problems(doc: &Value, text: &str) -> Vec<String> {
    let mut normalized = doc.clone();
    normalize(&mut normalized);
    if normalized != *doc {
        let changed = differing_pointers(doc, &normalized);
        let shown: Vec<String> = changed.iter().take(10).map(|p| format!("  {p}")).collect();
        let more = changed.len().saturating_sub(shown.len());
        return vec![format!(
            "not normalized: normalizing it changes {} place(s) (run `cargo xtask spec update`):\n{}{}",
            changed.len(),
            shown.join("\n"),
            if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            }
        )];
    }
    let canonical = to_canonical_string(doc);
    if canonical != text {
        let line = canonical
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| canonical.lines().count().min(text.lines().count()))
            + 1;
        return vec![format!(
            "not in canonical layout (keys sorted, two-space indent, trailing newline); \
             first difference on line {line}"
        )];
    }
    Vec::new()
}

/// Number of operations in a document.
pub fn count_operations(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
                .sum()
        })
}

/// Constructs progenitor cannot handle (most of them make it panic), named with their place.
pub fn lint(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    unresolved_refs(doc, doc, String::new(), &mut problems);
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    walk_ref(doc, &mut |kind, site, value| match kind {
        Kind::Operation => {
            let label = operation_label(site);
            match value.get("operationId").and_then(Value::as_str) {
                Some(id) => ids.entry(id.to_string()).or_default().push(label.clone()),
                None => problems.push(format!(
                    "{label}: no operationId (progenitor names methods after it)"
                )),
            }
            lint_operation(doc, site, value, &label, &mut problems);
        }
        Kind::Schema(_) => lint_schema(value, &site.key(), &mut problems),
        Kind::Parameter if value.get("in").and_then(Value::as_str) == Some("cookie") => {
            problems.push(format!(
                "{}: cookie parameters are not supported by progenitor",
                site.key()
            ));
        }
        _ => {}
    });
    for (id, users) in ids {
        if users.len() > 1 {
            problems.push(format!(
                "operationId {id:?} is used by {}",
                users.join(", ")
            ));
        }
    }
    problems
}

fn operation_label(site: &Site) -> String {
    match site.operation() {
        Some((path, method)) => format!("{} {path}", method.to_uppercase()),
        None => site.key(),
    }
}

fn unresolved_refs(doc: &Value, node: &Value, at: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let target = reference.strip_prefix('#').and_then(|p| doc.pointer(p));
                if target.is_none() {
                    out.push(format!("{at}: $ref {reference:?} points at nothing"));
                }
            }
            for (key, child) in map {
                unresolved_refs(
                    doc,
                    child,
                    format!("{at}/{}", crate::json::escape_pointer(key)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                unresolved_refs(doc, child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn lint_operation(doc: &Value, site: &Site, op: &Value, label: &str, out: &mut Vec<String>) {
    // Response body kinds, as progenitor sorts them: 2xx/default are successes, 4xx/5xx/default errors.
    let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            let response = resolve(doc, response);
            let kind = body_kind(response.and_then(|r| r.get("content")));
            let upper = status.to_ascii_uppercase();
            let first = upper.as_bytes().first().copied();
            if upper == "DEFAULT" || first == Some(b'2') || upper == "101" {
                success
                    .entry(kind.clone())
                    .or_default()
                    .push(status.clone());
            }
            if upper == "DEFAULT" || matches!(first, Some(b'4' | b'5')) {
                errors.entry(kind).or_default().push(status.clone());
            }
            if let Some(content) = response
                .and_then(|r| r.get("content"))
                .and_then(Value::as_object)
            {
                for (media, object) in content {
                    if is_json(media) && object.get("schema").is_none() {
                        out.push(format!(
                            "{label}: response {status} {media} has no schema (progenitor panics)"
                        ));
                    }
                    if is_json(media) && object.get("encoding").is_some() {
                        out.push(format!(
                            "{label}: response {status} {media} has an encoding (progenitor panics)"
                        ));
                    }
                }
            }
        }
    }
    for (what, kinds) in [("success", &success), ("error", &errors)] {
        if kinds.len() > 1 {
            let listed: Vec<String> = kinds
                .iter()
                .map(|(kind, statuses)| format!("{}: {kind}", statuses.join("/")))
                .collect();
            out.push(format!(
                "{label}: {} different {what} body types ({}); progenitor allows one per operation \
                 and panics (`response_types.len() <= 1`)",
                kinds.len(),
                listed.join(", ")
            ));
        }
    }
    if let Some(body) = op.get("requestBody").and_then(|b| resolve(doc, b))
        && let Some(content) = body.get("content").and_then(Value::as_object)
    {
        if content.len() > 1 {
            let media: Vec<&String> = content.keys().collect();
            out.push(format!(
                    "{label}: request body has {} media types ({media:?}); progenitor supports one and panics",
                    content.len()
                ));
        }
        for (media, object) in content {
            if media.starts_with("multipart/") {
                out.push(format!(
                    "{label}: request body {media} is not supported by progenitor"
                ));
            }
            if object.get("encoding").is_some() {
                out.push(format!(
                    "{label}: request body {media} has an encoding (progenitor panics)"
                ));
            }
        }
    }
    lint_path_parameters(doc, site, op, label, out);
}

fn lint_path_parameters(doc: &Value, site: &Site, op: &Value, label: &str, out: &mut Vec<String>) {
    let Some((path, _)) = site.operation() else {
        return;
    };
    let template: BTreeSet<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    let item_params = doc
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|i| i.get("parameters"));
    let mut declared = BTreeSet::new();
    for list in [item_params, op.get("parameters")].into_iter().flatten() {
        for parameter in list.as_array().into_iter().flatten() {
            let Some(parameter) = resolve(doc, parameter) else {
                continue;
            };
            if parameter.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            declared.insert(name.to_string());
            if parameter.get("required") != Some(&Value::Bool(true)) {
                out.push(format!(
                    "{label}: path parameter {name:?} is not required (progenitor panics)"
                ));
            }
            if !template.contains(name) {
                out.push(format!(
                    "{label}: path parameter {name:?} is not in the path (progenitor panics)"
                ));
            }
        }
    }
    for name in template {
        if !declared.contains(name) {
            out.push(format!("{label}: path segment {{{name}}} has no parameter"));
        }
    }
}

fn lint_schema(schema: &Value, at: &str, out: &mut Vec<String>) {
    let Some(map) = schema.as_object() else {
        return;
    };
    match map.get("type") {
        Some(Value::Array(_)) => out.push(format!(
            "{at}: `type` is a list (3.1); openapiv3 cannot parse it"
        )),
        Some(Value::String(t)) if t == "null" => {
            out.push(format!("{at}: `type: null` (3.1); progenitor panics on it"))
        }
        _ => {}
    }
    for flag in ["exclusiveMinimum", "exclusiveMaximum"] {
        let bound = if flag == "exclusiveMinimum" {
            "minimum"
        } else {
            "maximum"
        };
        match map.get(flag) {
            Some(Value::Number(_)) => out.push(format!(
                "{at}: numeric `{flag}` (3.1); openapiv3 cannot parse it"
            )),
            Some(Value::Bool(true)) if !map.contains_key(bound) => out.push(format!(
                "{at}: `{flag}` without `{bound}`; progenitor panics on it"
            )),
            _ => {}
        }
    }
    for keyword in ["anyOf", "oneOf"] {
        let has_null = map
            .get(keyword)
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members
                    .iter()
                    .any(|m| m.get("type").and_then(Value::as_str) == Some("null"))
            });
        if has_null {
            out.push(format!(
                "{at}: `{keyword}` with a `type: null` member; progenitor panics on it"
            ));
        }
    }
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// The kind of body a response or request content declares, as progenitor tells them apart.
fn body_kind(content: Option<&Value>) -> String {
    let Some(content) = content.and_then(Value::as_object).filter(|c| !c.is_empty()) else {
        return "no body".into();
    };
    match content.iter().find(|(media, _)| is_json(media)) {
        Some((_, object)) => match object.get("schema") {
            Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => reference
                    .rsplit('/')
                    .next()
                    .unwrap_or(reference)
                    .to_string(),
                None => to_canonical_string(schema)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            None => "JSON without schema".into(),
        },
        None => "raw bytes".into(),
    }
}
