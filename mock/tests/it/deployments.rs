//! `/v2/deployments`: create, list, get, patch, delete, with the service's status codes and errors.

use crate::support::{Api, deployment_path};
use langsmith_control_plane_api::types::{Deployment, DeploymentsList};
use langsmith_control_plane_mock::github_deployment_request;
use serde_json::{Value, json};

const NIL: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn create_answers_201_with_the_deployment_and_its_first_revision() {
    let api = Api::start().await;
    let created = api.create("support-agent").await;
    let deployment: Deployment = serde_json::from_value(created.clone()).expect("a Deployment");
    assert_eq!(deployment.name, "support-agent");
    assert_eq!(deployment.tenant_id, api.server.tenant_id());
    assert_eq!(deployment.source.as_str(), "github");
    assert_eq!(
        deployment.source_revision_config.repo_ref.as_deref(),
        Some("main")
    );
    assert!(deployment.latest_revision_id.is_some());
    assert_eq!(deployment.active_revision_id, None);
    assert_eq!(deployment.status.as_str(), "AWAITING_DATABASE");
    // FastAPI writes absent optional fields as null.
    assert_eq!(created["image_version"], Value::Null);
    assert_eq!(created["active_revision_id"], Value::Null);
}

#[tokio::test]
async fn get_answers_the_deployment_and_404_when_unknown() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let got = api.get(&deployment_path(&created)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["id"], created["id"]);
    assert_eq!(got.header("content-type"), Some("application/json"));

    let missing = api.get(&format!("/v2/deployments/{NIL}")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), json!({"detail": "Deployment not found"}));
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_a_422_with_pydantic_details() {
    let api = Api::start().await;
    let answer = api.get("/v2/deployments/not-a-uuid").await;
    assert_eq!(answer.status, 422);
    let error = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1";
    assert_eq!(
        answer.json(),
        json!({"detail": [{
            "type": "uuid_parsing",
            "loc": ["path", "deployment_id"],
            "msg": format!("Input should be a valid UUID, {error}"),
            "input": "not-a-uuid",
            "ctx": {"error": error},
        }]})
    );
}

#[tokio::test]
async fn list_pages_newest_first_with_limit_and_offset() {
    let api = Api::start().await;
    for i in 0..25 {
        api.create(&format!("agent-{i:02}")).await;
    }
    let first: DeploymentsList =
        serde_json::from_value(api.get("/v2/deployments").await.json()).unwrap();
    assert_eq!(first.resources.len(), 20, "default limit");
    assert_eq!(first.offset, 20, "where the next page starts");
    assert_eq!(first.resources[0].name, "agent-24");
    let rest = api.get("/v2/deployments?limit=10&offset=20").await.json();
    assert_eq!(rest["offset"], 25);
    let names: Vec<&str> = rest["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["agent-04", "agent-03", "agent-02", "agent-01", "agent-00"]
    );
    let past_end = api.get("/v2/deployments?offset=100").await.json();
    assert_eq!(past_end, json!({"resources": [], "offset": 100}));
}

#[tokio::test]
async fn following_the_answered_offset_lists_every_deployment_once() {
    let api = Api::start().await;
    for i in 0..7 {
        api.create(&format!("agent-{i}")).await;
    }
    let (mut names, mut offsets) = (Vec::new(), Vec::new());
    let mut offset = 0;
    // More rounds than pages: a server answering the wrong offset repeats or skips pages.
    for _ in 0..5 {
        let page = api
            .get(&format!("/v2/deployments?limit=3&offset={offset}"))
            .await
            .json();
        let resources = page["resources"].as_array().unwrap();
        if resources.is_empty() {
            break;
        }
        names.extend(
            resources
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string()),
        );
        offset = page["offset"].as_u64().unwrap();
        offsets.push(offset);
    }
    assert_eq!(offsets, [3, 6, 7]);
    let expected: Vec<String> = (0..7).rev().map(|i| format!("agent-{i}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn list_bounds_are_422_with_the_bound_in_ctx() {
    let api = Api::start().await;
    let over = api.get("/v2/deployments?limit=101").await;
    assert_eq!(over.status, 422);
    assert_eq!(
        over.json(),
        json!({"detail": [{"type": "less_than_equal", "loc": ["query", "limit"],
            "msg": "Input should be less than or equal to 100", "input": "101", "ctx": {"le": 100}}]})
    );
    let zero = api.get("/v2/deployments?limit=0&offset=-1").await.json();
    assert_eq!(
        zero,
        json!({"detail": [
            {"type": "greater_than_equal", "loc": ["query", "limit"],
             "msg": "Input should be greater than or equal to 1", "input": "0", "ctx": {"ge": 1}},
            {"type": "greater_than_equal", "loc": ["query", "offset"],
             "msg": "Input should be greater than or equal to 0", "input": "-1", "ctx": {"ge": 0}},
        ]})
    );
    let text = api.get("/v2/deployments?limit=ten").await.json();
    assert_eq!(text["detail"][0]["type"], "int_parsing");
}

#[tokio::test]
async fn integers_beyond_64_bits_are_integers_as_in_pydantic() {
    // Found by scripts/schemathesis.sh: a schema-valid offset was a 422 `int_parsing`.
    let api = Api::start().await;
    api.create("agent").await;
    let far = api
        .get("/v2/deployments?offset=1184611437578084155392")
        .await;
    assert_eq!(far.status, 200, "{}", far.text);
    assert_eq!(far.json()["resources"], json!([]));
    let over = api.get("/v2/deployments?limit=99999999999999999999").await;
    assert_eq!(over.json()["detail"][0]["type"], "less_than_equal");
    let under = api
        .get("/v2/deployments?offset=-99999999999999999999")
        .await;
    assert_eq!(under.json()["detail"][0]["type"], "greater_than_equal");
    let words = api.get("/v2/listeners?offset=1e30").await;
    assert_eq!(words.json()["detail"][0]["type"], "int_parsing");
}

#[tokio::test]
async fn a_volume_without_a_name_is_answered_without_one() {
    // Found by scripts/schemathesis.sh: the answer said `"name": null`, which the document's
    // Volume and VolumeMount (name and mountPath: strings, not nullable) do not allow.
    let api = Api::start().await;
    let mut request = github_deployment_request("volumes");
    request.source_config.resource_spec =
        Some(serde_json::from_value(json!({"volumes": [{}], "volume_mounts": [{}]})).unwrap());
    let created = api
        .post("/v2/deployments", serde_json::to_value(&request).unwrap())
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let spec = &created.json()["source_config"]["resource_spec"];
    assert_eq!(spec["volumes"][0].get("name"), None, "{spec}");
    assert_eq!(spec["volumes"][0]["emptyDir"], Value::Null);
    assert_eq!(spec["volume_mounts"][0].get("mountPath"), None, "{spec}");
}

#[tokio::test]
async fn list_filters_by_name_status_and_ids() {
    let api = Api::start().await;
    let alpha = api.create("Alpha-Agent").await;
    api.create("beta-agent").await;
    let names = |answer: Value| -> Vec<String> {
        answer["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(api.get("/v2/deployments?name_contains=alpha").await.json()),
        ["Alpha-Agent"]
    );
    assert_eq!(
        names(api.get("/v2/deployments?name_contains=AGENT").await.json()).len(),
        2
    );
    assert_eq!(
        names(
            api.get("/v2/deployments?status=AWAITING_DATABASE")
                .await
                .json()
        )
        .len(),
        2
    );
    assert!(names(api.get("/v2/deployments?status=READY").await.json()).is_empty());
    let by_id = api
        .get(&format!(
            "/v2/deployments?deployment_ids={}",
            alpha["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(names(by_id.json()), ["Alpha-Agent"]);
    assert_eq!(
        names(api.get("/v2/deployments?deployment_type=dev").await.json()).len(),
        2
    );
    let bad_type = api.get("/v2/deployments?deployment_type=serverless").await;
    assert_eq!(bad_type.status, 422);
    assert_eq!(
        bad_type.json()["detail"][0]["msg"],
        "Input should be 'dev_free', 'dev', 'prod', 'dev_zero' or 'dev_free_zero'"
    );
}

#[tokio::test]
async fn create_refuses_missing_fields_with_their_locations() {
    let api = Api::start().await;
    let answer = api
        .post("/v2/deployments", json!({"name": "x", "source": "github"}))
        .await;
    assert_eq!(answer.status, 422);
    let input = json!({"name": "x", "source": "github"});
    let missing = |field: &str| json!({"type": "missing", "loc": ["body", field], "msg": "Field required", "input": input});
    assert_eq!(
        answer.json(),
        json!({"detail": [missing("secrets"), missing("source_config"), missing("source_revision_config")]})
    );
}

#[tokio::test]
async fn create_refuses_malformed_json_and_wrong_types() {
    let api = Api::start().await;
    let broken = api
        .send(
            api.request(reqwest::Method::POST, "/v2/deployments")
                .header("content-type", "application/json")
                .body("{\"name\": "),
        )
        .await;
    assert_eq!(broken.status, 422);
    let detail = &broken.json()["detail"][0];
    assert_eq!(detail["type"], "json_invalid");
    assert_eq!(detail["loc"], json!(["body", 9]));
    assert_eq!(detail["msg"], "JSON decode error");

    let empty = api
        .send(api.request(reqwest::Method::POST, "/v2/deployments"))
        .await;
    assert_eq!(
        empty.json(),
        json!({"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": null}]})
    );

    let array = api.post("/v2/deployments", json!([1])).await.json();
    assert_eq!(array["detail"][0]["type"], "model_attributes_type");

    let mut body = serde_json::to_value(github_deployment_request("x")).unwrap();
    body["source"] = json!("svn");
    body["source_config"]["resource_spec"] = json!({"cpu": 0.01});
    let wrong = api.post("/v2/deployments", body).await.json();
    let locs: Vec<&Value> = wrong["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert_eq!(
        locs,
        [
            &json!(["body", "source"]),
            &json!(["body", "source_config", "resource_spec", "cpu"])
        ]
    );
}

#[tokio::test]
async fn create_answers_400_for_a_taken_name_or_a_source_without_its_settings() {
    let api = Api::start().await;
    api.create("taken").await;
    let body = serde_json::to_value(github_deployment_request("taken")).unwrap();
    let again = api.post("/v2/deployments", body).await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.json(),
        json!({"detail": "A deployment named 'taken' already exists in this workspace"})
    );

    let mut no_repo = serde_json::to_value(github_deployment_request("other")).unwrap();
    no_repo["source_config"]["repo_url"] = Value::Null;
    let answer = api.post("/v2/deployments", no_repo).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        json!({"detail": "source_config.repo_url is required when source is 'github'"})
    );
}

#[tokio::test]
async fn patch_with_a_new_source_revision_starts_a_revision() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let patched = api
        .patch(
            &deployment_path(&created),
            json!({"source_revision_config": {"repo_ref": "release"}}),
        )
        .await;
    assert_eq!(patched.status, 200);
    let patched = patched.json();
    assert_ne!(patched["latest_revision_id"], created["latest_revision_id"]);
    assert_eq!(patched["source_revision_config"]["repo_ref"], "release");
    assert_eq!(
        patched["source_revision_config"]["langgraph_config_path"], "langgraph.json",
        "kept"
    );
}

#[tokio::test]
async fn patch_of_secrets_or_sizing_starts_a_revision_but_other_settings_do_not() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    let settings = api
        .patch(&path, json!({"source_config": {"build_on_push": true}}))
        .await
        .json();
    assert_eq!(
        settings["latest_revision_id"],
        created["latest_revision_id"]
    );
    assert_eq!(settings["source_config"]["build_on_push"], true);

    let secrets = api
        .patch(
            &path,
            json!({"secrets": [{"name": "OPENAI_API_KEY", "value": "sk-1"}]}),
        )
        .await
        .json();
    assert_ne!(
        secrets["latest_revision_id"],
        settings["latest_revision_id"]
    );
    assert_eq!(secrets["secrets"][0]["name"], "OPENAI_API_KEY");

    let sizing = api
        .patch(
            &path,
            json!({"source_config": {"resource_spec": {"min_scale": 2}}}),
        )
        .await
        .json();
    assert_ne!(sizing["latest_revision_id"], secrets["latest_revision_id"]);
    assert_eq!(sizing["source_config"]["resource_spec"]["min_scale"], 2);
    assert_eq!(
        sizing["source_config"]["build_on_push"], true,
        "merged, not replaced"
    );
    assert_eq!(
        api.server
            .revisions(created["id"].as_str().unwrap().parse().unwrap())
            .len(),
        3
    );
}

#[tokio::test]
async fn patch_answers_404_422_and_400() {
    let api = Api::start().await;
    let unknown = api
        .patch(&format!("/v2/deployments/{NIL}"), json!({}))
        .await;
    assert_eq!(unknown.status, 404);
    let created = api.create("a").await;
    let bad = api
        .patch(
            &deployment_path(&created),
            json!({"secrets": [{"name": "A"}]}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.json()["detail"][0]["loc"],
        json!(["body", "secrets", 0, "value"])
    );
    let switch = api
        .patch(
            &deployment_path(&created),
            json!({"revision_source": "internal_docker"}),
        )
        .await;
    assert_eq!(switch.status, 400);
    let docker = api
        .patch(
            &deployment_path(&created),
            json!({"revision_source": "internal_docker", "source_revision_config": {"image_uri": "registry/agent:2"}}),
        )
        .await
        .json();
    assert_eq!(docker["source"], "internal_docker");
    assert_eq!(
        docker["source_revision_config"]["image_uri"],
        "registry/agent:2"
    );
}

#[tokio::test(start_paused = true)]
async fn delete_answers_204_then_the_deployment_awaits_delete_then_final_delete_then_is_gone() {
    let api = Api::start().await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    let deleted = api
        .delete(&format!("{path}?delete_tracing_project=true"))
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    // The realistic clock: 10 s AWAITING_DELETE, then 5 s AWAITING_FINAL_DELETE.
    let status = async || api.get(&path).await.json()["status"].clone();
    assert_eq!(status().await, "AWAITING_DELETE");
    assert_eq!(api.delete(&path).await.status, 204, "already on its way");
    tokio::time::advance(std::time::Duration::from_secs(10)).await;
    assert_eq!(status().await, "AWAITING_FINAL_DELETE");
    tokio::time::advance(std::time::Duration::from_millis(4999)).await;
    assert_eq!(status().await, "AWAITING_FINAL_DELETE");
    tokio::time::advance(std::time::Duration::from_millis(1)).await;
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.delete(&path).await.status, 404);
}

/// A deletion that lasts for ever (`Duration::MAX`) is a valid timing: the deployment stays
/// `AWAITING_DELETE` instead of every later request failing on an overflowing sum.
#[tokio::test]
async fn an_endless_deletion_keeps_the_deployment_awaiting_delete() {
    let mut timing = langsmith_control_plane_mock::Timing::instant();
    timing.deleting = std::time::Duration::MAX;
    timing.final_deleting = std::time::Duration::MAX;
    let api = Api::with(langsmith_control_plane_mock::MockServer::builder().timing(timing)).await;
    let created = api.create("a").await;
    let path = deployment_path(&created);
    assert_eq!(api.delete(&path).await.status, 204);
    let got = api.get(&path).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["status"], "AWAITING_DELETE");
}

fn ids_query(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("deployment_ids={id}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn bulk_delete_answers_200_and_the_deployments_await_delete_then_are_gone() {
    let api = Api::start().await;
    let a = api.create("a").await;
    let b = api.create("b").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let deleted = api
        .delete(&format!(
            "/v2/deployments?{}",
            ids_query(&[a_id, b_id, a_id])
        ))
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.json(), Value::Null);
    // The realistic clock keeps them AWAITING_DELETE for 10 s: listed and readable meanwhile.
    let got = api.get(&deployment_path(&a)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["status"], "AWAITING_DELETE");
    assert_eq!(api.server.deployments().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_bulk_deleted_deployment_answers_404_once_its_deletion_has_run() {
    let api = Api::start().await;
    let a = api.create("a").await;
    let path = format!(
        "/v2/deployments?{}",
        ids_query(&[a["id"].as_str().unwrap()])
    );
    assert_eq!(api.delete(&path).await.status, 200);
    tokio::time::advance(std::time::Duration::from_secs(9)).await;
    assert_eq!(
        api.get(&deployment_path(&a)).await.json()["status"],
        "AWAITING_DELETE"
    );
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        api.get(&deployment_path(&a)).await.json()["status"],
        "AWAITING_FINAL_DELETE"
    );
    tokio::time::advance(std::time::Duration::from_secs(5)).await;
    assert_eq!(api.get(&deployment_path(&a)).await.status, 404);
    assert!(api.server.deployments().is_empty());
}

#[tokio::test]
async fn bulk_delete_answers_207_naming_each_id_it_could_not_delete() {
    let api = Api::start().await;
    let a = api.create("a").await;
    let b = api.create("b").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    assert_eq!(
        api.delete(&format!("/v2/deployments?{}", ids_query(&[b_id])))
            .await
            .status,
        200
    );
    let partial = api
        .delete(&format!(
            "/v2/deployments?{}",
            ids_query(&[a_id, NIL, b_id])
        ))
        .await;
    assert_eq!(partial.status, 207);
    assert_eq!(
        partial.json(),
        json!({
            "deleted": [a_id],
            "failed": [
                {"deployment_id": NIL, "status_code": 404, "detail": format!("Deployment {NIL} not found")},
                {"deployment_id": b_id, "status_code": 409, "detail": format!("Deployment {b_id} is already being deleted")},
            ],
        })
    );
    assert_eq!(
        api.get(&deployment_path(&a)).await.json()["status"],
        "AWAITING_DELETE"
    );
}

#[tokio::test]
async fn bulk_delete_checks_its_ids() {
    let api = Api::start().await;
    let missing = api.delete("/v2/deployments").await;
    assert_eq!(
        missing.json(),
        json!({"detail": [{"type": "missing", "loc": ["query", "deployment_ids"], "msg": "Field required", "input": null}]})
    );
    let bad = api.delete("/v2/deployments?deployment_ids=x").await.json();
    assert_eq!(
        bad["detail"][0]["loc"],
        json!(["query", "deployment_ids", 0])
    );
    let many: Vec<String> = (0..101).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let too_many = api
        .delete(&format!("/v2/deployments?{}", ids_query(&many)))
        .await
        .json();
    assert_eq!(too_many["detail"][0]["type"], "too_long");
}

#[tokio::test]
async fn patch_replaces_the_whole_list_of_secrets() {
    let api = Api::start().await;
    let path = deployment_path(&api.create("a").await);
    let two = json!({"secrets": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
    let first = api.patch(&path, two).await.json();
    assert_eq!(first["secrets"].as_array().unwrap().len(), 2);
    let replaced = api
        .patch(&path, json!({"secrets": [{"name": "C", "value": "3"}]}))
        .await
        .json();
    assert_eq!(replaced["secrets"], json!([{"name": "C", "value": "3"}]));
    assert_eq!(api.get(&path).await.json()["secrets"], replaced["secrets"]);
    // An empty list is no replacement: the service cannot clear secrets (see `updates`).
    let emptied = api.patch(&path, json!({"secrets": []})).await.json();
    assert_eq!(emptied["secrets"], replaced["secrets"]);
}

#[tokio::test]
async fn scale_to_zero_deployment_types_are_accepted_and_listed() {
    let api = Api::start().await;
    for deployment_type in ["dev_zero", "dev_free_zero"] {
        let mut body = serde_json::to_value(github_deployment_request(deployment_type)).unwrap();
        body["source_config"]["deployment_type"] = json!(deployment_type);
        let created = api.post("/v2/deployments", body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(
            created.json()["source_config"]["deployment_type"],
            deployment_type
        );
        let listed = api
            .get(&format!(
                "/v2/deployments?deployment_type={deployment_type}"
            ))
            .await
            .json();
        assert_eq!(listed["resources"][0]["name"], deployment_type);
        assert_eq!(listed["resources"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn patch_replaces_the_whole_resource_spec() {
    let api = Api::start().await;
    let path = deployment_path(&api.create("a").await);
    let sized = json!({"source_config": {"resource_spec": {"cpu": 1.0, "min_scale": 1}}});
    api.patch(&path, sized).await;
    let resized = json!({"source_config": {"resource_spec": {"min_scale": 2}}});
    let answer = api.patch(&path, resized).await.json();
    assert_eq!(
        answer["source_config"]["resource_spec"]["min_scale"],
        json!(2)
    );
    assert_eq!(answer["source_config"]["resource_spec"]["cpu"], Value::Null);
}
