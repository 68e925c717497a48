//! What an update can and cannot change, as the service's own Terraform provider relies on it:
//! `POST .../revisions` ships new code, `display_name` is set by PATCH only, an empty `secrets`
//! list and any `null` change nothing, and a `github` deployment reports the branch it tracks.

use crate::support::{Api, deployment_path};
use langsmith_control_plane_api::open_enums::RevisionStatus;
use serde_json::{Value, json};
use uuid::Uuid;

const NIL: &str = "00000000-0000-0000-0000-000000000000";

fn revisions_path(deployment: &Value) -> String {
    format!("{}/revisions", deployment_path(deployment))
}

fn id_of(deployment: &Value) -> Uuid {
    deployment["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn create_revision_answers_201_with_a_revision_that_supersedes_the_one_in_progress() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let answer = api
        .post(
            &revisions_path(&created),
            json!({"source_revision_config": {"repo_ref": "release"}}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let revision = answer.json();
    assert_eq!(revision["status"], "CREATING");
    assert_eq!(revision["source_revision_config"]["repo_ref"], "release");
    assert_eq!(
        revision["source_revision_config"]["langgraph_config_path"], "langgraph.json",
        "left out, so carried over from the previous revision"
    );
    let deployment = api.get(&deployment_path(&created)).await.json();
    assert_eq!(deployment["latest_revision_id"], revision["id"]);
    let first = api
        .get(&format!(
            "{}/{}",
            revisions_path(&created),
            created["latest_revision_id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(first["status"], "SKIPPED", "superseded by the new one");
    assert_eq!(api.server.revisions(id_of(&created)).len(), 2);
}

#[tokio::test]
async fn create_revision_changes_build_commands_and_sizing_and_keeps_what_it_leaves_out() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    let secrets = json!([{"name": "OPENAI_API_KEY", "value": "sk-1"}]);
    api.patch(
        &path,
        json!({"secrets": secrets, "source_config": {"build_on_push": true}}),
    )
    .await;
    let answer = api
        .post(
            &revisions_path(&created),
            json!({
                "source_revision_config": {"repo_ref": "main"},
                "source_config": {"install_command": "uv sync", "resource_spec": {"min_scale": 2}},
            }),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let deployment = api.get(&path).await.json();
    assert_eq!(deployment["source_config"]["install_command"], "uv sync");
    assert_eq!(deployment["source_config"]["resource_spec"]["min_scale"], 2);
    assert_eq!(deployment["source_config"]["build_on_push"], true, "kept");
    assert_eq!(deployment["secrets"], secrets, "left out, so kept");
}

#[tokio::test]
async fn create_revision_takes_only_build_commands_and_sizing_in_its_source_config() {
    let api = Api::start().await;
    let created = api.create("a").await;
    // `custom_url` is no field of the body's `source_config`: the document lets it through
    // unread, as the service's models ignore fields they do not have.
    let answer = api
        .post(
            &revisions_path(&created),
            json!({
                "source_revision_config": {"repo_ref": "main"},
                "source_config": {"custom_url": "https://agent.example"},
            }),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let deployment = api.get(&deployment_path(&created)).await.json();
    assert_eq!(deployment["source_config"]["custom_url"], Value::Null);
}

#[tokio::test]
async fn create_revision_answers_422_without_a_source_revision_config_and_404_when_unknown() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let missing = api
        .post(&revisions_path(&created), json!({"secrets": []}))
        .await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    assert_eq!(
        missing.json()["detail"][0]["loc"],
        json!(["body", "source_revision_config"])
    );
    assert_eq!(api.server.revisions(id_of(&created)).len(), 1);
    let unknown = api
        .post(
            &format!("/v2/deployments/{NIL}/revisions"),
            json!({"source_revision_config": {"repo_ref": "main"}}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn create_revision_ships_a_new_image() {
    let api = Api::start().await;
    let created = api
        .post(
            "/v2/deployments",
            json!({
                "name": "img",
                "source": "external_docker",
                "source_config": {},
                "source_revision_config": {"image_uri": "registry/agent:1"},
                "secrets": [],
            }),
        )
        .await
        .json();
    let shipped = api
        .post(
            &revisions_path(&created),
            json!({"source_revision_config": {"image_uri": "registry/agent:2"}}),
        )
        .await;
    assert_eq!(shipped.status, 201, "{}", shipped.text);
    assert_eq!(
        shipped.json()["source_revision_config"]["image_uri"],
        "registry/agent:2"
    );
    let statuses: Vec<RevisionStatus> = api
        .server
        .revisions(id_of(&created))
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [RevisionStatus::Creating, RevisionStatus::Skipped],
        "newest first"
    );
}

#[tokio::test]
async fn display_name_is_set_by_patch_only_and_never_cleared() {
    let api = Api::start().await;
    let mut body =
        serde_json::to_value(langsmith_control_plane_mock::github_deployment_request("a")).unwrap();
    body["display_name"] = json!("Ignored at create");
    let created = api.post("/v2/deployments", body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    assert_eq!(
        created["display_name"],
        Value::Null,
        "create does not take it"
    );

    let path = deployment_path(&created);
    let named = api
        .patch(&path, json!({"display_name": "Support agent"}))
        .await
        .json();
    assert_eq!(named["display_name"], "Support agent");
    assert_eq!(
        named["latest_revision_id"], created["latest_revision_id"],
        "a display name makes no revision"
    );
    let after_null = api.patch(&path, json!({"display_name": null})).await.json();
    assert_eq!(after_null["display_name"], "Support agent");
    let after_other = api
        .patch(&path, json!({"source_config": {"build_on_push": true}}))
        .await
        .json();
    assert_eq!(after_other["display_name"], "Support agent");

    let empty = api.patch(&path, json!({"display_name": ""})).await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert_eq!(
        empty.json()["detail"][0]["loc"],
        json!(["body", "display_name"])
    );
    assert_eq!(api.get(&path).await.json()["display_name"], "Support agent");
}

#[tokio::test]
async fn an_empty_secrets_list_on_update_leaves_the_secrets_and_starts_no_revision() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    let secrets = json!([{"name": "OPENAI_API_KEY", "value": "sk-1"}]);
    let with_secret = api.patch(&path, json!({"secrets": secrets})).await.json();
    let emptied = api.patch(&path, json!({"secrets": []})).await.json();
    assert_eq!(
        emptied["secrets"], secrets,
        "the service cannot clear secrets"
    );
    assert_eq!(
        emptied["latest_revision_id"], with_secret["latest_revision_id"],
        "nothing changed, so no revision"
    );
    let shipped = api
        .post(
            &revisions_path(&created),
            json!({"source_revision_config": {"repo_ref": "main"}, "secrets": []}),
        )
        .await;
    assert_eq!(shipped.status, 201);
    assert_eq!(api.get(&path).await.json()["secrets"], secrets);
}

#[tokio::test]
async fn nulls_in_an_update_are_merged_not_applied() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    let set = api
        .patch(
            &path,
            json!({
                "display_name": "A",
                "secrets": [{"name": "TOKEN", "value": "t"}],
                "source_config": {"custom_url": "https://a.example", "build_on_push": true},
            }),
        )
        .await
        .json();
    let nulled = api
        .patch(
            &path,
            json!({
                "display_name": null,
                "secrets": null,
                "secret_references": null,
                "source_config": {"custom_url": null, "build_on_push": null},
            }),
        )
        .await;
    assert_eq!(nulled.status, 200, "{}", nulled.text);
    let nulled = nulled.json();
    for field in ["display_name", "secrets", "latest_revision_id"] {
        assert_eq!(nulled[field], set[field], "{field}");
    }
    assert_eq!(nulled["source_config"]["custom_url"], "https://a.example");
    assert_eq!(nulled["source_config"]["build_on_push"], true);
}

#[tokio::test]
async fn a_github_deployment_reports_the_branch_it_tracks() {
    let api = Api::start().await;
    let created = api.create("a").await;
    assert_eq!(created["source_config"]["repo_branch"], "main");
    api.post(
        &revisions_path(&created),
        json!({"source_revision_config": {"repo_ref": "release"}}),
    )
    .await;
    let deployment = api.get(&deployment_path(&created)).await.json();
    assert_eq!(deployment["source_config"]["repo_branch"], "release");

    let image = api
        .post(
            "/v2/deployments",
            json!({
                "name": "img",
                "source": "external_docker",
                "source_config": {},
                "source_revision_config": {"image_uri": "registry/agent:1"},
                "secrets": [],
            }),
        )
        .await
        .json();
    assert_eq!(image["source_config"]["repo_branch"], Value::Null);
}

#[tokio::test]
async fn a_template_deployment_keeps_its_template_id() {
    let api = Api::start().await;
    let created = api
        .post(
            "/v2/deployments",
            json!({
                "name": "from-template",
                "source": "internal_template",
                "source_config": {"template_id": "react-agent"},
                "source_revision_config": {},
                "secrets": [],
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    assert_eq!(created["source_config"]["template_id"], "react-agent");
    let read = api.get(&deployment_path(&created)).await.json();
    assert_eq!(read["source_config"]["template_id"], "react-agent");
}
