//! Every component schema of the document decodes a realistic example and re-encodes it unchanged;
//! unknown enum values and unknown fields decode in every type; no type shows a secret value in
//! its `Debug` output.

use std::collections::BTreeSet;

use langsmith_control_plane_api::open_enums;
use langsmith_control_plane_api::types;
use serde_json::{Value, json};

use crate::support::spec;

type RoundTrip = fn(&Value) -> Result<Value, String>;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: &Value,
) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// `{:?}` and `{:#?}` of a value decoded into a type.
type DebugText = fn(&Value) -> Result<[String; 2], String>;

fn debug_text<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    value: &Value,
) -> Result<[String; 2], String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    Ok([format!("{typed:?}"), format!("{typed:#?}")])
}

macro_rules! codecs {
    ($($schema:literal => $ty:ty),* $(,)?) => {
        fn codec(schema: &str) -> Option<RoundTrip> {
            match schema {
                $($schema => Some(round_trip::<$ty> as RoundTrip),)*
                _ => None,
            }
        }

        fn debug_of(schema: &str) -> Option<DebugText> {
            match schema {
                $($schema => Some(debug_text::<$ty> as DebugText),)*
                _ => None,
            }
        }
    };
}

codecs! {
    "AgentConnectionListResponse" => types::AgentConnectionListResponse,
    "AgentConnectionResponse" => types::AgentConnectionResponse,
    "ApiErrorBody" => types::ApiErrorBody,
    "ApiErrorDetail" => types::ApiErrorDetail,
    "AuthAuthenticateRequest" => types::AuthAuthenticateRequest,
    "AuthAuthenticateResponse" => types::AuthAuthenticateResponse,
    "AuthStatus" => open_enums::AuthStatus,
    "AuthWaitResponse" => types::AuthWaitResponse,
    "AuthWaitStatus" => open_enums::AuthWaitStatus,
    "Container" => types::Container,
    "CreateAgentConnectionRequest" => types::CreateAgentConnectionRequest,
    "Deployment" => types::Deployment,
    "DeploymentCreateRequest" => types::DeploymentCreateRequest,
    "DeploymentPatchRequest" => types::DeploymentPatchRequest,
    "DeploymentSource" => open_enums::DeploymentSource,
    "DeploymentStatus" => open_enums::DeploymentStatus,
    "DeploymentType" => open_enums::DeploymentType,
    "DeploymentsList" => types::DeploymentsList,
    "EnvVar" => types::EnvVar,
    "GithubIntegration" => types::GithubIntegration,
    "GithubRepository" => types::GithubRepository,
    "HTTPValidationError" => types::HttpValidationError,
    "Listener" => types::Listener,
    "ListenerComputeConfig" => types::ListenerComputeConfig,
    "ListenerComputeType" => open_enums::ListenerComputeType,
    "ListenerConfig" => types::ListenerConfig,
    "ListenerCreateRequest" => types::ListenerCreateRequest,
    "ListenerPatchRequest" => types::ListenerPatchRequest,
    "ListenersList" => types::ListenersList,
    "PushTokenRequest" => types::PushTokenRequest,
    "PushTokenResponse" => types::PushTokenResponse,
    "UploadUrlRequest" => types::UploadUrlRequest,
    "UploadUrlResponse" => types::UploadUrlResponse,
    "LocalObjectReference" => types::LocalObjectReference,
    "LogLevel" => open_enums::LogLevel,
    "LogOrder" => open_enums::LogOrder,
    "LogType" => open_enums::LogType,
    "LogsResponse" => types::LogsResponse,
    "MCPOAuthProviderCreateRequest" => types::McpoAuthProviderCreateRequest,
    "OAuthFinalizeRequest" => types::OAuthFinalizeRequest,
    "OAuthProviderCreateRequest" => types::OAuthProviderCreateRequest,
    "OAuthProviderResponse" => types::OAuthProviderResponse,
    "OAuthProviderType" => open_enums::OAuthProviderType,
    "OAuthProviderUpdateRequest" => types::OAuthProviderUpdateRequest,
    "OAuthTokenStatusResponse" => types::OAuthTokenStatusResponse,
    "OAuthTokenSummary" => types::OAuthTokenSummary,
    "OAuthTokenUpdateRequest" => types::OAuthTokenUpdateRequest,
    "ResourceRequirements" => types::ResourceRequirements,
    "ResourceSpec-Input" => types::ResourceSpecInput,
    "ResourceSpec-Output" => types::ResourceSpecOutput,
    "Revision" => types::Revision,
    "RevisionCreateRequest" => types::RevisionCreateRequest,
    "RevisionSource" => open_enums::RevisionSource,
    "RevisionSourceConfigRequest" => types::RevisionSourceConfigRequest,
    "RevisionStatus" => open_enums::RevisionStatus,
    "RevisionsList" => types::RevisionsList,
    "Secret" => types::Secret,
    "SecretReference" => types::SecretReference,
    "SourceConfig" => types::SourceConfig,
    "SourceConfigRequest" => types::SourceConfigRequest,
    "SourceRevisionConfig" => types::SourceRevisionConfig,
    "SourceRevisionConfigRequest" => types::SourceRevisionConfigRequest,
    "TokenEndpointAuthMethod" => open_enums::TokenEndpointAuthMethod,
    "ValidationError" => types::ValidationError,
    "Volume" => types::Volume,
    "VolumeMount" => types::VolumeMount,
}

fn examples() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema-examples.json"
    ))
    .expect("read examples");
    serde_json::from_str(&text).expect("examples are JSON")
}

/// JSON equality with two allowances that carry no meaning on the wire: numbers compare by value
/// (`2` may come back as `2.0`), and an optional field sent as `null` may come back absent.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|k| match (x.get(k), y.get(k)) {
                (Some(v), Some(w)) => same_json(v, w),
                (Some(Value::Null), None) | (None, Some(Value::Null)) => true,
                _ => false,
            })
        }
        _ => a == b,
    }
}

#[test]
fn every_component_schema_has_a_rust_type_and_an_example() {
    let doc = spec::document();
    let examples = examples();
    for name in spec::schema_names(&doc) {
        assert!(
            codec(&name).is_some(),
            "schema {name} has no Rust type in this test"
        );
        assert!(
            examples.contains_key(&name),
            "schema {name} has no example in tests/fixtures/schema-examples.json"
        );
    }
    assert_eq!(
        examples.len(),
        spec::schema_names(&doc).len(),
        "examples for schemas the document lacks"
    );
}

#[test]
fn every_example_decodes_and_re_encodes_unchanged() {
    for (name, example) in examples() {
        let codec = codec(&name).unwrap_or_else(|| panic!("no type for {name}"));
        let back =
            codec(&example).unwrap_or_else(|e| panic!("{name} does not decode its example: {e}"));
        assert!(
            same_json(&example, &back),
            "{name} changed on the way through:\n  in:  {example}\n  out: {back}"
        );
    }
}

const FUTURE_VALUE: &str = "VALUE_FROM_A_LATER_RELEASE";

/// Rewrites `value` as a later service might send it: every enum value unknown to us and an
/// extra field in every object. Returns the rewritten value and what it must re-encode to
/// (the same, minus the extra fields, which are not kept).
fn from_the_future(doc: &Value, schema: &Value, value: &Value) -> (Value, Value) {
    let schema = spec::resolve(doc, schema);
    if spec::is_string_enum(schema) && value.is_string() {
        return (json!(FUTURE_VALUE), json!(FUTURE_VALUE));
    }
    match value {
        Value::Object(map) => {
            let mut sent = serde_json::Map::new();
            let mut kept = serde_json::Map::new();
            for (key, child) in map {
                let child_schema = schema
                    .pointer(&format!("/properties/{key}"))
                    .or_else(|| schema.get("additionalProperties").filter(|s| s.is_object()))
                    .unwrap_or(&Value::Null);
                let (s, k) = from_the_future(doc, child_schema, child);
                sent.insert(key.clone(), s);
                kept.insert(key.clone(), k);
            }
            if schema.get("properties").is_some() {
                sent.insert(
                    "field_from_a_later_release".into(),
                    json!({"nested": [1, "two", null]}),
                );
            }
            (Value::Object(sent), Value::Object(kept))
        }
        Value::Array(items) => {
            let item_schema = schema.get("items").or_else(|| {
                // `oneOf: [string, array]` (the error detail): pick the array branch.
                schema
                    .get("oneOf")?
                    .as_array()?
                    .iter()
                    .find(|s| s["type"] == "array")?
                    .get("items")
            });
            let item_schema = item_schema.unwrap_or(&Value::Null);
            let (sent, kept) = items
                .iter()
                .map(|item| from_the_future(doc, item_schema, item))
                .unzip();
            (Value::Array(sent), Value::Array(kept))
        }
        other => (other.clone(), other.clone()),
    }
}

#[test]
fn unknown_enum_values_and_unknown_fields_decode_in_every_type() {
    let doc = spec::document();
    let mut enums_replaced = 0;
    for (name, example) in examples() {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        let (sent, kept) = from_the_future(&doc, &schema, &example);
        enums_replaced += sent.to_string().matches(FUTURE_VALUE).count();
        let back = codec(&name).expect("type")(&sent)
            .unwrap_or_else(|e| panic!("{name} rejects a later release's JSON: {e}\n{sent}"));
        assert!(
            same_json(&kept, &back),
            "{name} lost or changed data:\n  sent: {sent}\n  kept: {kept}\n  out:  {back}"
        );
    }
    // The rewrite must actually have exercised enums inside objects, lists and nullable refs.
    assert!(
        enums_replaced >= 30,
        "only {enums_replaced} enum values were replaced"
    );
}

#[test]
fn unknown_revision_status_is_kept_and_sent_back() {
    let status: open_enums::RevisionStatus =
        serde_json::from_value(json!("PAUSED_FOR_REVIEW")).unwrap();
    assert_eq!(
        status,
        open_enums::RevisionStatus::Unrecognized("PAUSED_FOR_REVIEW".into())
    );
    assert!(!status.is_known());
    assert_eq!(status.as_str(), "PAUSED_FOR_REVIEW");
    assert_eq!(status.to_string(), "PAUSED_FOR_REVIEW");
    assert_eq!(
        serde_json::to_value(&status).unwrap(),
        json!("PAUSED_FOR_REVIEW")
    );
    // The server's own UNKNOWN is a known value, distinct from an unrecognized one.
    let unknown: open_enums::RevisionStatus = "UNKNOWN".parse().unwrap();
    assert_eq!(unknown, open_enums::RevisionStatus::Unknown);
    assert!(unknown.is_known());
}

#[test]
fn open_enums_honour_width_and_alignment_like_strings() {
    use open_enums::RevisionStatus;
    assert_eq!(
        format!("[{:<14}]", RevisionStatus::Deployed),
        "[DEPLOYED      ]"
    );
    assert_eq!(format!("[{:>10}]", RevisionStatus::Queued), "[    QUEUED]");
    assert_eq!(format!("[{:^8}]", open_enums::LogType::Build), "[ build  ]");
    // A value this version does not know pads the same, and precision cuts like a string's.
    let later = RevisionStatus::from("PAUSED");
    assert_eq!(format!("[{later:<8}]"), "[PAUSED  ]");
    assert_eq!(format!("[{:.4}]", RevisionStatus::Deployed), "[DEPL]");
}

#[test]
fn enums_accept_escaped_strings_and_reject_non_strings() {
    let escaped: open_enums::LogLevel = serde_json::from_str(r#""\u0045RROR""#).unwrap();
    assert_eq!(escaped, open_enums::LogLevel::Error);
    let err = serde_json::from_value::<open_enums::LogLevel>(json!(3))
        .unwrap_err()
        .to_string();
    assert!(err.contains("LogLevel"), "{err}");
}

#[test]
fn every_enum_lists_the_documents_values_in_order() {
    let doc = spec::document();
    let known: &[(&str, Vec<&str>)] = &[
        (
            "RevisionStatus",
            open_enums::RevisionStatus::KNOWN
                .iter()
                .map(|v| v.as_str())
                .collect(),
        ),
        (
            "DeploymentStatus",
            open_enums::DeploymentStatus::KNOWN
                .iter()
                .map(|v| v.as_str())
                .collect(),
        ),
        (
            "DeploymentSource",
            open_enums::DeploymentSource::KNOWN
                .iter()
                .map(|v| v.as_str())
                .collect(),
        ),
        (
            "LogLevel",
            open_enums::LogLevel::KNOWN
                .iter()
                .map(|v| v.as_str())
                .collect(),
        ),
        (
            "TokenEndpointAuthMethod",
            open_enums::TokenEndpointAuthMethod::KNOWN
                .iter()
                .map(|v| v.as_str())
                .collect(),
        ),
    ];
    for (name, values) in known {
        let in_doc: Vec<&str> = doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(&in_doc, values, "{name}");
    }
    assert!(open_enums::DeploymentSource::from("internal_template").is_known());
}

#[test]
fn json_schema_of_an_open_enum_lists_its_known_values() {
    let schema = schemars::schema_for!(open_enums::RevisionStatus);
    let json = serde_json::to_value(&schema).unwrap();
    assert_eq!(json["type"], "string");
    assert_eq!(json["enum"].as_array().unwrap().len(), 13);
    let deployment =
        serde_json::to_value(schemars::schema_for!(types::DeploymentCreateRequest)).unwrap();
    assert_eq!(
        deployment["definitions"]["DeploymentSource"]["enum"][4],
        "internal_template"
    );
}

#[test]
fn string_maps_encode_in_key_order() {
    // Two values decoded from the same JSON must encode to the same bytes, whatever order the
    // keys arrived in (typify's default HashMap made this differ from run to run).
    let keys = ["h", "c", "a", "f", "b", "g", "e", "d"];
    let map: serde_json::Map<String, Value> =
        keys.iter().map(|k| (k.to_string(), json!("1"))).collect();
    let sorted = {
        let mut keys = keys;
        keys.sort();
        keys.iter()
            .map(|k| format!("\"{k}\":\"1\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let requirements: types::ResourceRequirements =
        serde_json::from_value(json!({"limits": map, "requests": map})).unwrap();
    assert_eq!(
        serde_json::to_string(&requirements).unwrap(),
        format!("{{\"limits\":{{{sorted}}},\"requests\":{{{sorted}}}}}")
    );
    let spec: types::ResourceSpecInput =
        serde_json::from_value(json!({"labels": map, "annotations": map})).unwrap();
    assert_eq!(
        serde_json::to_string(&spec).unwrap(),
        format!("{{\"annotations\":{{{sorted}}},\"labels\":{{{sorted}}}}}")
    );
}

#[test]
fn floats_decode_exactly_and_round_trip() {
    // serde_json's default float parser can land one f64 off, so re-encoding gave another number.
    let text = "1.6131786727350948e-307";
    let logs: types::LogsResponse = serde_json::from_str(&format!(
        r#"{{"logs": [{{"level": "INFO", "message": {text}}}], "next_offset": null}}"#
    ))
    .unwrap();
    let encoded = serde_json::to_string(&logs).unwrap();
    assert!(encoded.contains(text), "{encoded}");
    assert_eq!(
        serde_json::from_str::<types::LogsResponse>(&encoded).unwrap(),
        logs
    );
    let spec: types::ResourceSpecOutput =
        serde_json::from_str(&format!(r#"{{"cpu": {text}}}"#)).unwrap();
    assert_eq!(spec.cpu, Some(text.parse::<f64>().unwrap()));
}

#[test]
fn each_create_constructor_sends_what_its_source_needs_and_empty_lists() {
    use types::DeploymentCreateRequest;
    let github = DeploymentCreateRequest::github("agent", "https://github.com/acme/agent", "main")
        .secret("OPENAI_API_KEY", "sk-1");
    assert_eq!(
        serde_json::to_value(&github).unwrap(),
        json!({
            "name": "agent",
            "source": "github",
            "source_config": {"repo_url": "https://github.com/acme/agent"},
            "source_revision_config": {"repo_ref": "main"},
            "secrets": [{"name": "OPENAI_API_KEY", "value": "sk-1"}],
        })
    );
    let image = DeploymentCreateRequest::image("agent", "ghcr.io/acme/agent:1");
    assert_eq!(
        serde_json::to_value(&image).unwrap(),
        json!({
            "name": "agent",
            "source": "external_docker",
            "source_config": {},
            "source_revision_config": {"image_uri": "ghcr.io/acme/agent:1"},
            "secrets": [],
        })
    );
    let uploaded = DeploymentCreateRequest::internal_source("agent");
    assert_eq!(
        serde_json::to_value(&uploaded).unwrap(),
        json!({
            "name": "agent",
            "source": "internal_source",
            "source_config": {},
            "source_revision_config": {},
            "secrets": [],
        })
    );
}

/// Planted in every secret field; no `Debug` output may show it.
const MARKER: &str = "s3cr3t-marker";

/// Whether property `name` (of component `component`, with schema `property`) holds a secret
/// value. The rule, from the document alone, so that a new secret field cannot slip in: a
/// string property where
///
/// - the document marks it `format: password`; or
/// - its name says so: `password`, `token`, `api_key`, `client_secret`, or a name ending in
///   `_password`, `_token`, `_api_key` or `_secret`; or
/// - its description calls it sensitive or a credential; or
/// - it is `Secret.value`.
///
/// Names that only point at a secret (`secret_name`, `secret_key`, `token_id`, `token_url`)
/// hold none, nor do fields of other types (`has_token`, a boolean).
fn holds_secret(component: &str, name: &str, property: &Value) -> bool {
    if property["type"] != "string" {
        return false;
    }
    let by_format = property["format"] == "password";
    let by_name = ["password", "token", "api_key", "client_secret"].contains(&name)
        || ["_password", "_token", "_api_key", "_secret"]
            .iter()
            .any(|suffix| name.ends_with(suffix));
    let description = property["description"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    let by_description = description.contains("sensitive") || description.contains("credential");
    by_format || by_name || by_description || (component, name) == ("Secret", "value")
}

/// The component a schema refers to, bare or as the single member of `allOf`.
fn referenced(schema: &Value) -> Option<&str> {
    let schema = match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => only,
        _ => schema,
    };
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Whether a value of `schema` can hold a secret: in its properties, list items and the
/// components it refers to. `open` holds the components being looked into (a cycle ends there).
fn can_hold_secret(
    doc: &Value,
    component: &str,
    schema: &Value,
    open: &mut BTreeSet<String>,
) -> bool {
    if let Some(name) = referenced(schema) {
        if !open.insert(name.to_string()) {
            return false;
        }
        let found = can_hold_secret(doc, name, &doc["components"]["schemas"][name], open);
        open.remove(name);
        return found;
    }
    let properties: Vec<(&String, &Value)> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .collect();
    if properties
        .iter()
        .any(|(name, p)| holds_secret(component, name, p))
    {
        return true;
    }
    let nested = ["items", "additionalProperties"].map(|key| &schema[key]);
    let mut inner = properties.into_iter().map(|(_, p)| p).chain(nested);
    inner.any(|child| child.is_object() && can_hold_secret(doc, component, child, open))
}

/// Puts [`MARKER`] in every secret field of `value` (a value of `schema`, starting from the
/// component's example when it is null), adding list entries and objects the example leaves
/// out. Returns what the `Debug` output must still show: each planted field's name, and the
/// `name` of the object holding it (a secret's name).
fn plant(doc: &Value, component: &str, schema: &Value, value: &mut Value) -> Vec<String> {
    if let Some(name) = referenced(schema) {
        if value.is_null() {
            *value = examples()[name].clone();
        }
        return plant(doc, name, &doc["components"]["schemas"][name], value);
    }
    let can_hold = |schema: &Value| can_hold_secret(doc, component, schema, &mut BTreeSet::new());
    let mut shown = Vec::new();
    if let Some(items) = schema.get("items").filter(|items| can_hold(items)) {
        if !value.is_array() || value.as_array().is_some_and(Vec::is_empty) {
            *value = json!([null]);
        }
        for item in value.as_array_mut().into_iter().flatten() {
            shown.extend(plant(doc, component, items, item));
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        if holds_secret(component, name, property) {
            value[name.as_str()] = json!(MARKER);
            shown.push(format!("{name}: "));
            if let Some(owner) = value["name"].as_str() {
                shown.push(format!("{owner:?}"));
            }
        } else if can_hold(property) {
            shown.extend(plant(doc, component, property, &mut value[name.as_str()]));
        }
    }
    shown
}

#[test]
fn every_secret_field_is_marked_sensitive_so_it_is_generated_redacted() {
    let doc = spec::document();
    let mut unmarked = Vec::new();
    for (component, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if holds_secret(component, name, property) && property["format"] != "password" {
                unmarked.push(format!("{component}.{name}"));
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "secret fields without `format: password` (mark them in openapi/overlay.json and the \
         document, so they are generated as `Sensitive`): {unmarked:?}"
    );
}

#[test]
fn debug_output_of_every_type_that_can_hold_a_secret_hides_its_value() {
    let doc = spec::document();
    let mut holders = Vec::new();
    for name in spec::schema_names(&doc) {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        if !can_hold_secret(&doc, &name, &schema, &mut BTreeSet::new()) {
            continue;
        }
        let mut value = Value::Null;
        let shown = plant(&doc, &name, &schema, &mut value);
        assert!(
            !shown.is_empty(),
            "{name} can hold a secret, yet none was planted: {value}"
        );
        let debug = debug_of(&name).unwrap_or_else(|| {
            panic!("schema {name} can hold a secret, but this test has no Rust type for it: add it to `codecs!`")
        });
        let texts =
            debug(&value).unwrap_or_else(|e| panic!("{name} does not decode: {e}\n{value}"));
        for text in texts {
            assert!(
                !text.contains(MARKER),
                "the Debug output of {name} shows a secret value:\n{text}"
            );
            for expected in &shown {
                assert!(
                    text.contains(expected.as_str()),
                    "{name}: {expected} is not shown:\n{text}"
                );
            }
        }
        holders.push(name);
    }
    // The rule finds at least the secrets the document is known to carry.
    let known = [
        "AuthAuthenticateResponse",
        "AuthWaitResponse",
        "Deployment",
        "DeploymentCreateRequest",
        "DeploymentPatchRequest",
        "DeploymentsList",
        "OAuthProviderCreateRequest",
        "OAuthProviderUpdateRequest",
        "PushTokenResponse",
        "RevisionCreateRequest",
        "Secret",
        "UploadUrlResponse",
    ];
    for name in known {
        assert!(
            holders.iter().any(|h| h == name),
            "{name} was not found to hold a secret"
        );
    }
}
