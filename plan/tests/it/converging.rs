//! Apply then plan is empty, for any file and any state the mock can hold: display names,
//! secrets the file names only some of (or none), sizing the file names only some fields of,
//! image sources. State is seeded through the API, as another tool or the UI would leave it.

use std::collections::BTreeMap;

use langsmith_control_plane::Client;
use langsmith_control_plane::types::{
    DeploymentCreateRequest, DeploymentSource, ResourceSpecInput, Secret, SourceConfigRequest,
    SourceRevisionConfigRequest,
};
use langsmith_control_plane_mock::{MockServer, Timing};
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::Plan;
use proptest::prelude::*;
use serde_json::json;

use crate::support::{apply, client};

/// Sizing fields, each set or not: `cpu`, `min_scale`, `memory_mb`.
type Sizing = (Option<f64>, Option<i64>, Option<i64>);

/// One deployment, as stored or as the file has it.
#[derive(Clone, Debug)]
struct Shape {
    tag: u8,
    display_name: Option<&'static str>,
    /// Secret name -> value (stored) or -> variable it is read from (file).
    secrets: BTreeMap<&'static str, &'static str>,
    sizing: Option<Sizing>,
}

fn sizing() -> impl Strategy<Value = Sizing> {
    (
        prop::option::of(prop::sample::select(vec![0.5, 1.0])),
        prop::option::of(1i64..3),
        prop::option::of(prop::sample::select(vec![512i64, 1024])),
    )
}

fn shape(names: Vec<&'static str>, values: Vec<&'static str>) -> impl Strategy<Value = Shape> {
    (
        1u8..3,
        prop::option::of(prop::sample::select(vec!["Shop", "Night shop"])),
        prop::collection::btree_map(
            prop::sample::select(names),
            prop::sample::select(values),
            0..3,
        ),
        prop::option::of(sizing()),
    )
        .prop_map(|(tag, display_name, secrets, sizing)| Shape {
            tag,
            display_name,
            secrets,
            sizing,
        })
}

/// The stored deployments (`None`: not there) and the file's, by index.
fn world() -> impl Strategy<Value = (Vec<Option<Shape>>, Vec<Shape>)> {
    let stored = prop::option::of(shape(vec!["S1", "S2", "FROM_UI"], vec!["x", "y"]));
    let wanted = shape(vec!["S1", "S2"], vec!["V_X", "V_Y"]);
    (
        prop::collection::vec(stored, 3),
        prop::collection::vec(wanted, 1..4),
    )
}

fn image(i: usize, tag: u8) -> String {
    format!("registry.example.com/p{i}:{tag}")
}

fn resource_spec((cpu, min_scale, memory_mb): Sizing) -> ResourceSpecInput {
    ResourceSpecInput {
        cpu,
        min_scale,
        memory_mb,
        ..ResourceSpecInput::default()
    }
}

/// Creates deployment `p-{i}` as `stored` says, through the API.
async fn seed(client: &Client, i: usize, stored: &Shape) {
    let secrets = stored.secrets.iter().map(|(name, value)| Secret {
        name: name.to_string(),
        value: (*value).into(),
    });
    let request = DeploymentCreateRequest {
        name: format!("p-{i}"),
        source: DeploymentSource::ExternalDocker,
        secrets: secrets.collect(),
        secret_references: None,
        source_config: SourceConfigRequest {
            resource_spec: stored.sizing.map(resource_spec),
            ..SourceConfigRequest::default()
        },
        source_revision_config: SourceRevisionConfigRequest {
            image_uri: Some(image(i, stored.tag)),
            ..SourceRevisionConfigRequest::default()
        },
    };
    let deployments = client.deployments();
    let created = deployments.create(request).await.unwrap();
    if let Some(name) = stored.display_name {
        let named = deployments.set_display_name(created.id, name);
        named.await.unwrap();
    }
}

/// The deployment file of `wanted`.
fn file(wanted: &[Shape]) -> String {
    let mut yaml = String::from("deployments:\n");
    for (i, shape) in wanted.iter().enumerate() {
        yaml.push_str(&format!("  - name: p-{i}\n    source: external_docker\n"));
        if let Some(name) = shape.display_name {
            yaml.push_str(&format!("    display_name: {name}\n"));
        }
        let source = json!({"image_uri": image(i, shape.tag)});
        yaml.push_str(&format!("    source_revision_config: {source}\n"));
        if let Some(sizing) = shape.sizing {
            let spec = serde_json::to_value(resource_spec(sizing)).unwrap();
            yaml.push_str(&format!(
                "    source_config: {}\n",
                json!({"resource_spec": spec})
            ));
        }
        if !shape.secrets.is_empty() {
            let secrets: serde_json::Map<String, serde_json::Value> = shape
                .secrets
                .iter()
                .map(|(name, variable)| (name.to_string(), json!({"from_env": variable})))
                .collect();
            yaml.push_str(&format!(
                "    secrets: {}\n",
                serde_json::Value::Object(secrets)
            ));
        }
    }
    yaml
}

fn desired(yaml: &str) -> DesiredState {
    let env = |name: &str| match name {
        "V_X" => Some("x".to_string()),
        "V_Y" => Some("y".to_string()),
        _ => None,
    };
    DesiredState::parse(yaml, "deployments.yaml", std::path::Path::new("."), env)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Seeds `stored`, applies `wanted`, and checks that a plan then finds nothing and that no
/// update sent an empty secrets list.
async fn converges(stored: &[Option<Shape>], wanted: &[Shape]) {
    let mock = MockServer::builder()
        .timing(Timing::instant())
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    for (i, shape) in stored.iter().enumerate() {
        if let Some(shape) = shape {
            seed(&client, i, shape).await;
        }
    }
    let yaml = file(wanted);
    let plan = Plan::compute(&client, &desired(&yaml)).await.unwrap();
    let (_, report) = apply(&client, &plan).await;
    assert!(report.worst().is_none(), "{yaml}\n{report:?}");
    let again = Plan::compute(&client, &desired(&yaml)).await.unwrap();
    let left: Vec<_> = again.changed().map(|d| (&d.name, &d.changes)).collect();
    assert!(left.is_empty(), "{yaml}\n{left:?}");
    for (i, (before, wanted)) in stored.iter().zip(wanted).enumerate() {
        if let Some(before) = before {
            kept(&mock, &format!("p-{i}"), before, wanted);
        }
    }
    for operation in ["patch_deployment", "create_revision"] {
        for request in mock.requests_for(operation) {
            let secrets = request.body.as_ref().and_then(|b| b.get("secrets"));
            assert_ne!(
                secrets,
                Some(&json!([])),
                "{operation} sent an empty secrets list"
            );
        }
    }
}

/// What the file does not name keeps its stored value: the display name, secrets, and each
/// sizing field.
fn kept(mock: &MockServer, name: &str, before: &Shape, wanted: &Shape) {
    let now = mock
        .deployments()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap();
    let display_name = wanted.display_name.or(before.display_name);
    assert_eq!(now.display_name.as_deref(), display_name, "{name}");
    for (secret, value) in &before.secrets {
        if !wanted.secrets.contains_key(secret) {
            let found = now.secrets.iter().find(|s| s.name == *secret);
            assert_eq!(
                found.map(|s| s.value.expose()),
                Some(*value),
                "{name}: {secret}"
            );
        }
    }
    let spec = now.source_config.resource_spec.unwrap_or_default();
    let (old, new) = (
        before.sizing.unwrap_or_default(),
        wanted.sizing.unwrap_or_default(),
    );
    let expected = (new.0.or(old.0), new.1.or(old.1), new.2.or(old.2));
    assert_eq!(
        (spec.cpu, spec.min_scale, spec.memory_mb),
        expected,
        "{name}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever was there and whatever the file says, apply then plan finds nothing.
    #[test]
    fn apply_then_plan_is_empty_over_any_stored_state((stored, wanted) in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(converges(&stored, &wanted));
    }
}
