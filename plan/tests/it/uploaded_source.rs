//! A `source_dir` deployment: built once, again only when the directory changes, and the
//! archive the plan hashed is the one apply uploads; sizing, commands or secret references
//! changed with it ship in that one revision.

use langsmith_control_plane::Client;
use langsmith_control_plane_mock::MockServer;
use langsmith_control_plane_plan::deployment_file::DesiredState;
use langsmith_control_plane_plan::plan::{Action, Plan};

use crate::support::*;

/// One deployment of the directory `agent`.
const UPLOADED: &str =
    "deployments:\n  - {name: uploaded, source: internal_source, source_dir: agent}\n";

/// The deployment file `yaml`, as if in `dir`.
fn file_in(dir: &tempfile::TempDir, yaml: &str) -> DesiredState {
    DesiredState::parse(yaml, "d.yaml", dir.path(), env).unwrap()
}

#[tokio::test]
async fn an_uploaded_directory_is_built_once_and_again_only_when_it_changes() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, source) = agent_dir();
    let load = || file_in(&dir, UPLOADED);
    let plan = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(plan.deployments[0].action, Action::Create);
    let (_, report) = apply(&client, &plan).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
    assert_eq!(mock.uploaded_archives().len(), 1);

    mock.clear_requests();
    let same = Plan::compute(&client, &load()).await.unwrap();
    assert!(!same.has_changes(), "{same:#?}");
    apply(&client, &same).await;
    assert!(writes(&mock).is_empty());

    std::fs::write(source.join("agent.py"), "print('v2')\n").unwrap();
    let changed = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(changed.deployments[0].action, Action::NewRevision);
    assert_eq!(changed.deployments[0].changes[0].field, "source_dir");
    let (_, report) = apply(&client, &changed).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
    assert_eq!(mock.uploaded_archives().len(), 2);
    assert!(!Plan::compute(&client, &load()).await.unwrap().has_changes());
}

/// The `.tar.gz` bytes' file `name`, as text.
fn file_in_archive(archive: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut entries = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in entries.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some(name) {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            return text;
        }
    }
    panic!("{name} is not in the archive");
}

#[tokio::test]
async fn apply_uploads_the_archive_the_plan_hashed_even_when_the_directory_changed_since() {
    use langsmith_control_plane_plan::apply::ApplyEvent;
    use langsmith_control_plane_plan::plan::SOURCE_DIGEST_VARIABLE;
    use sha2::{Digest, Sha256};

    let mock = mock().await;
    let client = client(&mock);
    let (dir, source) = agent_dir();
    let load = || file_in(&dir, UPLOADED);
    let plan = Plan::compute(&client, &load()).await.unwrap();
    // The directory changes between plan and apply.
    std::fs::write(source.join("agent.py"), "print('v2')\n").unwrap();
    let (events, report) = apply(&client, &plan).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");

    // Apply archived nothing: it reports the plan's archive, and never archiving.
    let steps: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            ApplyEvent::Step { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        steps.iter().any(|s| s.starts_with("archived 2 files")),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|s| s.starts_with("archiving")),
        "{steps:?}"
    );

    // What shipped is the directory as planned, and its digest is the one recorded.
    let uploaded = mock.uploaded_archives();
    assert_eq!(uploaded.len(), 1);
    let bytes = mock.uploaded_archive(&uploaded[0]).unwrap();
    assert_eq!(file_in_archive(&bytes, "agent.py"), "print('v1')\n");
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    hasher.update(b"langgraph.json");
    let shipped: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let recorded = stored(&mock, "uploaded")
        .secrets
        .into_iter()
        .find(|s| s.name == SOURCE_DIGEST_VARIABLE)
        .unwrap();
    assert_eq!(recorded.value.expose(), shipped);

    // The change made after planning is the next plan's.
    let next = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(next.deployments[0].action, Action::NewRevision);
    assert_eq!(next.deployments[0].changes[0].field, "source_dir");
}

#[tokio::test]
async fn secret_references_changed_along_with_the_directory_ship_with_its_one_revision() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, source) = agent_dir();
    let load = |yaml: &str| DesiredState::parse(yaml, "d.yaml", dir.path(), env).unwrap();
    let plain = "deployments:\n  - {name: uploaded, source: internal_source, source_dir: agent}\n";
    apply(
        &client,
        &Plan::compute(&client, &load(plain)).await.unwrap(),
    )
    .await;
    let id = stored(&mock, "uploaded").id;

    mock.clear_requests();
    std::fs::write(source.join("agent.py"), "print('v2')\n").unwrap();
    let referenced = "deployments:\n  - name: uploaded\n    source: internal_source\n    \
                      source_dir: agent\n    secret_references:\n      \
                      - {name: DB_URL, secret_name: db, secret_key: url}\n";
    let plan = Plan::compute(&client, &load(referenced)).await.unwrap();
    let fields: Vec<&str> = plan.deployments[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["source_dir", "secret_references"]);
    let (_, report) = apply(&client, &plan).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
    // One new revision, of the new code, started by the one request that carries them.
    assert_eq!(mock.revisions(id).len(), 2, "{:#?}", writes(&mock));
    newest_builds_newest_archive(&mock);
    let starts = revision_starts(&mock);
    assert_eq!(starts.len(), 1, "{starts:#?}");
    assert_eq!(starts[0]["secret_references"][0]["name"], "DB_URL");
    let references = stored(&mock, "uploaded").secret_references.unwrap();
    assert_eq!(references.len(), 1);
    assert_eq!(
        (
            references[0].name.as_str(),
            references[0].secret_name.as_str()
        ),
        ("DB_URL", "db")
    );
    let again = Plan::compute(&client, &load(referenced)).await.unwrap();
    assert!(!again.has_changes(), "{again:#?}");
}

/// A directory deployment sized to one CPU and built with `make`.
const SIZED: &str = "deployments:\n  - name: uploaded\n    source: internal_source\n    \
                     source_dir: agent\n    \
                     source_config: {resource_spec: {cpu: 1}, build_command: make}\n";

/// Applies `yaml` in `dir` and checks that it deployed.
async fn apply_file(client: &Client, dir: &tempfile::TempDir, yaml: &str) {
    let plan = Plan::compute(client, &file_in(dir, yaml)).await.unwrap();
    let (_, report) = apply(client, &plan).await;
    assert_eq!(report.results[0].outcome.kind(), "deployed", "{report:?}");
}

/// The bodies of the requests that start a revision: create-revision, and a `PATCH` with a
/// source revision config, sizing or secret references (the mock starts one for each).
fn revision_starts(mock: &MockServer) -> Vec<serde_json::Value> {
    let starts = |body: &serde_json::Value| {
        ["source_revision_config", "secret_references"]
            .iter()
            .any(|key| body.get(key).is_some_and(|v| !v.is_null()))
            || !body["source_config"]["resource_spec"].is_null()
    };
    let patches = mock.requests_for("patch_deployment").into_iter();
    let patches = patches.filter_map(|r| r.body).filter(starts);
    let creates = mock.requests_for("create_revision").into_iter();
    creates.filter_map(|r| r.body).chain(patches).collect()
}

/// The newest revision of `uploaded` is deployed and builds the newest archive.
fn newest_builds_newest_archive(mock: &MockServer) {
    use langsmith_control_plane::types::RevisionStatus;
    let revisions = mock.revisions(stored(mock, "uploaded").id);
    assert_eq!(revisions[0].status, RevisionStatus::Deployed);
    let uploaded = mock.uploaded_archives();
    let built = revisions[0]
        .source_revision_config
        .source_tarball_path
        .clone();
    assert_eq!(built.as_ref(), uploaded.last());
}

#[tokio::test]
async fn a_changed_directory_with_new_sizing_and_settings_builds_once_with_them() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, source) = agent_dir();
    apply_file(&client, &dir, SIZED).await;
    let id = stored(&mock, "uploaded").id;
    assert_eq!(mock.revisions(id).len(), 1);

    mock.clear_requests();
    std::fs::write(source.join("agent.py"), "print('v2')\n").unwrap();
    let resized = SIZED
        .replace("cpu: 1", "cpu: 2")
        .replace("make", "make all, deployment_type: prod");
    let plan = Plan::compute(&client, &file_in(&dir, &resized))
        .await
        .unwrap();
    assert_eq!(plan.deployments[0].action, Action::NewRevision);
    apply_file(&client, &dir, &resized).await;

    // One new revision, of the new code, started by the one request that carries the sizing.
    assert_eq!(mock.revisions(id).len(), 2, "{:#?}", writes(&mock));
    newest_builds_newest_archive(&mock);

    // The setting that starts no revision changes first, alone.
    let patches = mock.requests_for("patch_deployment");
    assert_eq!(patches.len(), 1, "{:#?}", writes(&mock));
    let patch = patches[0].body.clone().unwrap();
    assert_eq!(
        patch,
        serde_json::json!({"source_config": {"deployment_type": "prod"}})
    );
    let starts = revision_starts(&mock);
    assert_eq!(starts.len(), 1, "{starts:#?}");
    assert_eq!(starts[0]["source_config"]["resource_spec"]["cpu"], 2.0);
    assert_eq!(starts[0]["source_config"]["build_command"], "make all");
    let config = stored(&mock, "uploaded").source_config;
    assert_eq!(config.resource_spec.unwrap().cpu, Some(2.0));
    assert_eq!(config.build_command.as_deref(), Some("make all"));
    let again = Plan::compute(&client, &file_in(&dir, &resized))
        .await
        .unwrap();
    assert!(!again.has_changes(), "{again:#?}");
}

#[tokio::test]
async fn new_sizing_of_an_unchanged_directory_rebuilds_it_once_without_uploading() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, _source) = agent_dir();
    apply_file(&client, &dir, SIZED).await;
    let id = stored(&mock, "uploaded").id;

    mock.clear_requests();
    let resized = SIZED.replace("cpu: 1", "cpu: 2");
    apply_file(&client, &dir, &resized).await;

    assert_eq!(mock.revisions(id).len(), 2, "{:#?}", writes(&mock));
    assert_eq!(mock.uploaded_archives().len(), 1);
    newest_builds_newest_archive(&mock);
    let starts = revision_starts(&mock);
    assert_eq!(starts.len(), 1, "{starts:#?}");
    assert_eq!(starts[0]["source_config"]["resource_spec"]["cpu"], 2.0);
    let spec = stored(&mock, "uploaded").source_config.resource_spec;
    assert_eq!(spec.unwrap().cpu, Some(2.0));
    let again = Plan::compute(&client, &file_in(&dir, &resized))
        .await
        .unwrap();
    assert!(!again.has_changes(), "{again:#?}");
}

#[tokio::test]
async fn switching_an_image_deployment_to_a_sized_directory_builds_once_with_that_sizing() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, _source) = agent_dir();
    let image = "deployments:\n  - name: uploaded\n    source: external_docker\n    \
                 source_revision_config: {image_uri: 'registry.example.com/agent:1'}\n    \
                 source_config: {resource_spec: {cpu: 1}}\n";
    apply_file(&client, &dir, image).await;
    let id = stored(&mock, "uploaded").id;

    mock.clear_requests();
    let resized = SIZED.replace("cpu: 1", "cpu: 2");
    apply_file(&client, &dir, &resized).await;

    assert_eq!(mock.revisions(id).len(), 2, "{:#?}", writes(&mock));
    newest_builds_newest_archive(&mock);
    let starts = revision_starts(&mock);
    assert_eq!(starts.len(), 1, "{starts:#?}");
    assert_eq!(starts[0]["revision_source"], "internal_source");
    assert_eq!(starts[0]["source_config"]["resource_spec"]["cpu"], 2.0);
    assert_eq!(starts[0]["source_config"]["build_command"], "make");
    let deployment = stored(&mock, "uploaded");
    assert_eq!(
        deployment.source_config.resource_spec.unwrap().cpu,
        Some(2.0)
    );
    let again = Plan::compute(&client, &file_in(&dir, &resized))
        .await
        .unwrap();
    assert!(!again.has_changes(), "{again:#?}");
}

/// A `source_dir` without its config is the facade's typed refusal, with the facade's hint
/// (issue 19, 2), and nothing is created.
#[tokio::test]
async fn a_source_dir_without_its_config_is_refused_with_the_facades_hint() {
    let mock = mock().await;
    let client = client(&mock);
    let (dir, source) = agent_dir();
    std::fs::remove_file(source.join("langgraph.json")).unwrap();
    let error = Plan::compute(&client, &file_in(&dir, UPLOADED))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            langsmith_control_plane_plan::Error::Client(
                langsmith_control_plane::Error::ConfigNotInSource { .. }
            )
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("langgraph.json"), "{error}");
    let hint = error.hint().unwrap_or_default();
    assert!(hint.contains("relative to the source directory"), "{hint}");
    assert!(writes(&mock).is_empty());
}
