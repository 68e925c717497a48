//! `/v2/listeners`: register, list, get, patch, remove.

use crate::support::Api;
use langsmith_control_plane_api::types::{Listener, ListenersList};
use serde_json::{Value, json};

const NIL: &str = "00000000-0000-0000-0000-000000000000";

fn registration(compute_id: &str) -> Value {
    json!({"compute_type": "k8s", "compute_id": compute_id, "compute_config": {"k8s_namespaces": ["agents"]}})
}

/// Registers a listener; returns it and its path.
async fn register(api: &Api, compute_id: &str) -> (Value, String) {
    let created = api.post("/v2/listeners", registration(compute_id)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    let path = format!("/v2/listeners/{}", created["id"].as_str().unwrap());
    (created, path)
}

#[tokio::test]
async fn register_answers_201_and_the_listener_can_be_read_back() {
    let api = Api::start().await;
    let created = api.post("/v2/listeners", registration("cluster-1")).await;
    assert_eq!(created.status, 201);
    let listener: Listener = serde_json::from_value(created.json()).unwrap();
    assert_eq!(listener.compute_id, "cluster-1");
    assert_eq!(created.json()["version"], Value::Null);
    let got = api.get(&format!("/v2/listeners/{}", listener.id)).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        serde_json::from_value::<Listener>(got.json()).unwrap(),
        listener
    );
}

#[tokio::test]
async fn a_second_listener_for_the_same_compute_is_409() {
    let api = Api::start().await;
    api.post("/v2/listeners", registration("cluster-1")).await;
    let again = api.post("/v2/listeners", registration("cluster-1")).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.json(),
        json!({"detail": "A listener for compute 'cluster-1' already exists"})
    );
}

#[tokio::test]
async fn register_checks_the_body() {
    let api = Api::start().await;
    let answer = api
        .post(
            "/v2/listeners",
            json!({"compute_type": "nomad", "compute_id": "c"}),
        )
        .await;
    assert_eq!(answer.status, 422);
    let detail = answer.json()["detail"].clone();
    let kinds: Vec<&Value> = detail
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["type"])
        .collect();
    assert_eq!(kinds, [&json!("missing"), &json!("enum")]);
    assert_eq!(detail[0]["loc"], json!(["body", "compute_config"]));
}

#[tokio::test]
async fn list_pages_newest_first() {
    let api = Api::start().await;
    for i in 0..3 {
        api.post("/v2/listeners", registration(&format!("cluster-{i}")))
            .await;
    }
    let page: ListenersList =
        serde_json::from_value(api.get("/v2/listeners?limit=2").await.json()).unwrap();
    let ids: Vec<&str> = page
        .resources
        .iter()
        .map(|l| l.compute_id.as_str())
        .collect();
    assert_eq!(ids, ["cluster-2", "cluster-1"]);
    assert_eq!(page.offset, 2, "where the next page starts");
    let rest = api.get("/v2/listeners?limit=2&offset=2").await.json();
    assert_eq!(rest["offset"], 3);
    assert_eq!(rest["resources"][0]["compute_id"], "cluster-0");
    assert_eq!(api.get("/v2/listeners?limit=0").await.status, 422);
}

#[tokio::test]
async fn patch_changes_version_and_placement() {
    let api = Api::start().await;
    let (created, path) = register(&api, "cluster-1").await;
    let patched = api
        .patch(
            &path,
            json!({"version": "0.3.1", "compute_config": {"k8s_namespaces": ["a", "b"]}}),
        )
        .await;
    assert_eq!(patched.status, 200);
    let patched = patched.json();
    assert_eq!(patched["version"], "0.3.1");
    assert_eq!(
        patched["compute_config"],
        json!({"k8s_namespaces": ["a", "b"]})
    );
    assert_eq!(patched["created_at"], created["created_at"]);
}

#[tokio::test]
async fn remove_answers_204_then_404() {
    let api = Api::start().await;
    let (_, path) = register(&api, "cluster-1").await;
    let removed = api.delete(&path).await;
    assert_eq!((removed.status, removed.text.as_str()), (204, ""));
    let gone = api.get(&path).await;
    assert_eq!(
        (gone.status, gone.json()),
        (404, json!({"detail": "Listener not found"}))
    );
    assert_eq!(api.delete(&path).await.status, 404);
    assert_eq!(
        api.patch(&format!("/v2/listeners/{NIL}"), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get("/v2/listeners/nope").await.json()["detail"][0]["loc"],
        json!(["path", "listener_id"])
    );
}

#[tokio::test]
async fn a_deployment_may_only_name_an_existing_listener() {
    let api = Api::start().await;
    let (listener, _) = register(&api, "cluster-1").await;
    let mut request =
        serde_json::to_value(langsmith_control_plane_mock::github_deployment_request("a")).unwrap();
    request["source"] = json!("external_docker");
    request["source_revision_config"] = json!({"image_uri": "registry/agent:1"});
    request["source_config"]["listener_id"] = json!(NIL);
    let unknown = api.post("/v2/deployments", request.clone()).await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (400, json!({"detail": format!("Listener {NIL} not found")}))
    );
    request["source_config"]["listener_id"] = listener["id"].clone();
    assert_eq!(api.post("/v2/deployments", request).await.status, 201);
}
