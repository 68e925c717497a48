//! A `source_dir` deployment: built once, again only when the directory changes, and the
//! archive the plan hashed is the one apply uploads.

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
    assert_eq!(recorded.value, shipped);

    // The change made after planning is the next plan's.
    let next = Plan::compute(&client, &load()).await.unwrap();
    assert_eq!(next.deployments[0].action, Action::NewRevision);
    assert_eq!(next.deployments[0].changes[0].field, "source_dir");
}

#[tokio::test]
async fn secret_references_changed_along_with_the_directory_are_applied() {
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
