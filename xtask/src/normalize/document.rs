//! Rules over the document as a whole: version, responses, operation IDs, security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::walk::METHODS;

/// The version the output declares.
pub const OPENAPI_VERSION: &str = "3.0.3";
/// The one schema every error response is given.
pub const ERROR_BODY: &str = "ApiErrorBody";
/// What `detail` of [`ERROR_BODY`] holds.
pub const ERROR_DETAIL: &str = "ApiErrorDetail";

/// `openapi` becomes `3.0.3`.
///
/// progenitor rejects any document whose version is not 3.0.x; the rules here produce 3.0.3.
pub fn set_version(doc: &mut Value) {
    if let Some(map) = doc.as_object_mut() {
        map.insert("openapi".into(), Value::String(OPENAPI_VERSION.into()));
    }
}

/// Fields only 3.1 has (`webhooks`, `jsonSchemaDialect`, `components.pathItems`, `info.summary`,
/// `info.license.identifier`) are dropped.
///
/// Prevents no generator failure (openapiv3 ignores them); a document that carries them is not
/// valid 3.0.3.
pub fn drop_3_1_only_fields(doc: &mut Value) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    map.remove("webhooks");
    map.remove("jsonSchemaDialect");
    if let Some(Value::Object(components)) = map.get_mut("components") {
        components.remove("pathItems");
    }
    if let Some(Value::Object(info)) = map.get_mut("info") {
        info.remove("summary");
        if let Some(Value::Object(license)) = info.get_mut("license") {
            license.remove("identifier");
        }
    }
}

/// A response without a `description` gets the standard reason phrase of its status.
///
/// `description` is required on a 3.0 response: openapiv3 refuses the whole document without it
/// ("missing field `description`"), and `spec update` drops upstream wording.
pub fn describe_response(response: &mut Value, status: &str) {
    if let Some(map) = response.as_object_mut()
        && !map.contains_key("$ref")
        && !map.get("description").is_some_and(Value::is_string)
    {
        map.insert("description".into(), Value::String(reason_phrase(status)));
    }
}

/// The reason phrase of an HTTP status (RFC 9110 wording), or a plain label for ranges.
pub fn reason_phrase(status: &str) -> String {
    let phrase = match status.to_ascii_uppercase().as_str() {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No Content",
        "301" => "Moved Permanently",
        "302" => "Found",
        "303" => "See Other",
        "304" => "Not Modified",
        "307" => "Temporary Redirect",
        "400" => "Bad Request",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "Not Found",
        "405" => "Method Not Allowed",
        "409" => "Conflict",
        "410" => "Gone",
        "412" => "Precondition Failed",
        "413" => "Content Too Large",
        "415" => "Unsupported Media Type",
        "422" => "Unprocessable Content",
        "429" => "Too Many Requests",
        "500" => "Internal Server Error",
        "502" => "Bad Gateway",
        "503" => "Service Unavailable",
        "504" => "Gateway Timeout",
        "2XX" => "Success",
        "4XX" => "Client error",
        "5XX" => "Server error",
        "DEFAULT" => "Any other answer",
        _ => return format!("Status {status}"),
    };
    phrase.to_string()
}

/// Whether a response key is an error status (4xx, 5xx, `4XX`, `5XX`).
pub fn is_error_status(status: &str) -> bool {
    let bytes = status.as_bytes();
    bytes.len() == 3
        && matches!(bytes[0], b'4' | b'5')
        && (bytes[1..].iter().all(u8::is_ascii_digit) || bytes[1..].eq_ignore_ascii_case(b"XX"))
}

/// Every documented 4xx/5xx response answers with one schema, `ApiErrorBody` (`detail`: a
/// sentence or the list of validation problems), added to the components when missing.
///
/// progenitor supports one error body type per operation and panics on more
/// (`assertion failed: response_types.len() <= 1`); FastAPI documents its 4xx responses with no
/// schema beside a 422 that refers to `HTTPValidationError`, which counts as two.
pub fn one_error_body(doc: &mut Value) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    // The responses can only point at a schema that can be added.
    let schemas = map
        .get("components")
        .map(|c| (c.is_object(), c.get("schemas")));
    let has_validation_error = match schemas {
        None | Some((true, None)) => false,
        Some((true, Some(Value::Object(schemas)))) => schemas.contains_key("ValidationError"),
        Some(_) => return,
    };
    let mut rewrote = false;
    for_each_operation(map, |_, _, operation| {
        let Some(Value::Object(responses)) = operation.get_mut("responses") else {
            return;
        };
        for (status, response) in responses.iter_mut() {
            if is_error_status(status) {
                rewrite_error_response(response, status);
                rewrote = true;
            }
        }
    });
    if !rewrote {
        return;
    }
    let components = map
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(Value::Object(schemas)) = components.as_object_mut().map(|c| {
        c.entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()))
    }) else {
        return;
    };
    let detail_items = if has_validation_error {
        json!({ "$ref": "#/components/schemas/ValidationError" })
    } else {
        json!({})
    };
    let synthesized = [
        (
            ERROR_BODY,
            json!({
                "properties": {"detail": {"$ref": format!("#/components/schemas/{ERROR_DETAIL}")}},
                "required": ["detail"],
                "type": "object"
            }),
            "Body of every documented error answer (400, 403, 404, 409, 422).",
        ),
        (
            ERROR_DETAIL,
            json!({"oneOf": [{"type": "string"}, {"items": detail_items, "type": "array"}]}),
            "Either a sentence explaining a 4xx answer or, for 422, the list of validation problems.",
        ),
    ];
    for (name, schema, description) in synthesized {
        // The descriptions are this rule's own words, so they come back when missing: `spec
        // update` strips all prose from its input, which may be its own earlier output.
        if let Some(schema) = schemas.entry(name).or_insert(schema).as_object_mut() {
            schema
                .entry("description")
                .or_insert_with(|| description.into());
        }
    }
}

fn rewrite_error_response(response: &mut Value, status: &str) {
    let schema = json!({ "$ref": format!("#/components/schemas/{ERROR_BODY}") });
    let inline = response
        .as_object()
        .is_some_and(|m| !m.contains_key("$ref"));
    if !inline {
        *response = json!({ "description": reason_phrase(status) });
    }
    let Some(map) = response.as_object_mut() else {
        return;
    };
    let mut media = match map
        .get_mut("content")
        .and_then(|c| c.get_mut("application/json"))
    {
        Some(Value::Object(existing)) => std::mem::take(existing),
        _ => Map::new(),
    };
    media.remove("encoding");
    media.insert("schema".into(), schema);
    map.insert("content".into(), json!({ "application/json": media }));
}

/// Calls `f(path, method, operation)` for every operation, paths in sorted order.
pub fn for_each_operation(
    doc: &mut Map<String, Value>,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>),
) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    let mut keys: Vec<String> = paths.keys().cloned().collect();
    keys.sort();
    for path in keys {
        let Some(Value::Object(item)) = paths.get_mut(&path) else {
            continue;
        };
        for method in METHODS {
            if let Some(Value::Object(operation)) = item.get_mut(method) {
                f(&path, method, operation);
            }
        }
    }
}

/// Security requirements naming a scheme that `components.securitySchemes` does not define are
/// dropped; a list left empty by that is removed (an empty list would claim "no auth").
///
/// Prevents no generator failure (progenitor ignores security entirely). The upstream document
/// refers to `API Key`, `Tenant ID` and `Bearer Auth` but defines only `LangSmith API Key`; a
/// dangling reference makes the document invalid 3.0.3.
pub fn remove_undefined_security(doc: &mut Value) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    let defined: BTreeSet<String> = map
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    prune_requirements(map, &defined);
    for_each_operation(map, |_, _, operation| {
        prune_requirements(operation, &defined)
    });
}

fn prune_requirements(holder: &mut Map<String, Value>, defined: &BTreeSet<String>) {
    let Some(Value::Array(requirements)) = holder.get_mut("security") else {
        return;
    };
    let before = requirements.len();
    requirements.retain(|r| {
        r.as_object()
            .is_some_and(|names| names.keys().all(|n| defined.contains(n)))
    });
    if before > 0 && requirements.is_empty() {
        holder.remove("security");
    }
}

/// FastAPI's operation IDs (`get_revision_v2_deployments__deployment_id__revisions__revision_id__get`)
/// are shortened to the function name (`get_revision`) where that stays unique; an operation
/// without an ID gets one from its method and path; duplicates get `_2`, `_3`...
///
/// progenitor names each client method after the operation ID and needs one on every operation
/// (it unwraps it); the long IDs make unusable method names.
pub fn shorten_operation_ids(doc: &mut Value) {
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    // (path, method, current id, short candidate)
    let mut ops: Vec<(String, String, Option<String>, String)> = Vec::new();
    for_each_operation(map, |path, method, operation| {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let candidate = match &id {
            Some(id) => strip_fastapi_suffix(id, path, method),
            None => synthesize_id(path, method),
        };
        ops.push((path.to_string(), method.to_string(), id, candidate));
    });
    let mut candidate_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for op in &ops {
        *candidate_counts.entry(op.3.as_str()).or_default() += 1;
    }
    let unique_candidate: Vec<bool> = ops
        .iter()
        .map(|op| candidate_counts[op.3.as_str()] == 1)
        .collect();
    let mut ids: Vec<Option<String>> = ops.iter().map(|op| op.2.clone()).collect();
    // Renaming one operation can free the name another one wants: repeat until nothing moves.
    let mut moved = true;
    while moved {
        moved = false;
        for i in 0..ops.len() {
            let candidate = &ops[i].3;
            if ids[i].as_deref() == Some(candidate.as_str()) || !unique_candidate[i] {
                continue;
            }
            let taken = ids
                .iter()
                .enumerate()
                .any(|(j, id)| j != i && id.as_deref() == Some(candidate.as_str()));
            if !taken {
                ids[i] = Some(candidate.clone());
                moved = true;
            }
        }
    }
    // Operations still without an ID, and duplicates, get a numbered name.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let all: BTreeSet<String> = ids.iter().flatten().cloned().collect();
    for i in 0..ops.len() {
        let base = ids[i].clone().unwrap_or_else(|| ops[i].3.clone());
        let name = if ids[i].is_some() && seen.insert(base.clone()) {
            base
        } else {
            let mut n = 2;
            loop {
                let numbered = format!("{base}_{n}");
                if !all.contains(&numbered) && !seen.contains(&numbered) {
                    seen.insert(numbered.clone());
                    break numbered;
                }
                n += 1;
            }
        };
        ids[i] = Some(name);
    }
    let mut i = 0;
    for_each_operation(map, |_, _, operation| {
        if let Some(Some(id)) = ids.get(i) {
            operation.insert("operationId".into(), Value::String(id.clone()));
        }
        i += 1;
    });
}

/// FastAPI's generated ID is `{function}{path with non-word characters as _}_{method}`.
fn strip_fastapi_suffix(id: &str, path: &str, method: &str) -> String {
    let word_path: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let suffix = format!("{word_path}_{method}");
    let mut short = id;
    while short.len() > suffix.len() && short.ends_with(&suffix) {
        short = &short[..short.len() - suffix.len()];
    }
    short.to_string()
}

/// `get /v2/deployments/{deployment_id}` -> `get_v2_deployments_deployment_id`.
fn synthesize_id(path: &str, method: &str) -> String {
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        method.to_string()
    } else {
        format!("{method}_{}", words.join("_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_fastapi_suffix_including_hyphens_in_the_path() {
        assert_eq!(
            strip_fastapi_suffix(
                "get_revision_v2_deployments__deployment_id__revisions__revision_id__get",
                "/v2/deployments/{deployment_id}/revisions/{revision_id}",
                "get"
            ),
            "get_revision"
        );
        assert_eq!(
            strip_fastapi_suffix(
                "create_mcp_oauth_provider_v2_auth_providers_mcp_discover_post",
                "/v2/auth/providers/mcp-discover",
                "post"
            ),
            "create_mcp_oauth_provider"
        );
        assert_eq!(strip_fastapi_suffix("custom", "/v2/x", "get"), "custom");
    }

    #[test]
    fn recognises_error_statuses() {
        for status in ["400", "404", "422", "500", "4XX", "5xx"] {
            assert!(is_error_status(status), "{status}");
        }
        for status in ["200", "204", "301", "default", "4", "4000", "2XX"] {
            assert!(!is_error_status(status), "{status}");
        }
    }

    #[test]
    fn synthesizes_ids_from_method_and_path() {
        assert_eq!(
            synthesize_id("/v2/deployments/{deployment_id}", "get"),
            "get_v2_deployments_deployment_id"
        );
        assert_eq!(synthesize_id("/", "post"), "post");
    }
}
