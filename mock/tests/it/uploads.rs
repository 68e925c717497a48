//! Uploaded source: `request_upload_url`, the PUT to the upload origin, revisions built from the
//! archive (`internal_source`), and `request_push_token`.

use std::time::Duration;

use crate::support::{Answer, Api, KEY, deployment_path};
use flate2::Compression;
use flate2::write::GzEncoder;
use langsmith_control_plane_mock::{MockServer, Timing};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A `.tar.gz` holding `files` (path, content), in that order.
fn targz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn agent_archive() -> Vec<u8> {
    targz(&[
        (
            "langgraph.json",
            r#"{"graphs": {"agent": "./agent.py:graph"}}"#,
        ),
        ("agent.py", "graph = None\n"),
        ("requirements.txt", "langgraph\n"),
    ])
}

async fn instant() -> Api {
    Api::with(MockServer::builder().timing(Timing::instant())).await
}

/// Creates a deployment built from uploaded source, with no archive yet.
async fn create_uploaded(api: &Api, name: &str) -> Value {
    let answer = api
        .post(
            "/v2/deployments",
            json!({
                "name": name,
                "source": "internal_source",
                "source_config": {"deployment_type": "dev"},
                "source_revision_config": {},
                "secrets": [],
            }),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json()
}

async fn upload_url(api: &Api, deployment: &Value, supports_upload_headers: bool) -> Value {
    let answer = api
        .post(
            &format!("{}/upload-url", deployment_path(deployment)),
            json!({"supports_upload_headers": supports_upload_headers}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// The headers a client sends: the content type, and the upload headers handed out or, when
/// none were, the default size range.
fn upload_headers(grant: &Value) -> Vec<(String, String)> {
    let mut headers = vec![("content-type".to_string(), "application/gzip".to_string())];
    match grant["upload_headers"].as_object() {
        Some(given) => headers.extend(
            given
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_string())),
        ),
        None => headers.push((
            "x-goog-content-length-range".to_string(),
            "0,209715200".to_string(),
        )),
    }
    headers
}

async fn put(api: &Api, url: &str, headers: &[(String, String)], body: Vec<u8>) -> Answer {
    let mut request = api.to_url(Method::PUT, url).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    api.send(request).await
}

/// Uploads `archive` for `deployment` the way a client should; returns the object path.
async fn upload(api: &Api, deployment: &Value, archive: Vec<u8>) -> String {
    let grant = upload_url(api, deployment, false).await;
    let answer = put(
        api,
        grant["upload_url"].as_str().unwrap(),
        &upload_headers(&grant),
        archive,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    grant["object_path"].as_str().unwrap().to_string()
}

async fn patch_to_archive(api: &Api, deployment: &Value, object_path: &str) -> Value {
    let answer = api
        .patch(
            &deployment_path(deployment),
            json!({
                "revision_source": "internal_source",
                "source_revision_config": {
                    "source_tarball_path": object_path,
                    "langgraph_config_path": "langgraph.json",
                },
            }),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// Every build log line of the deployment's latest revision.
async fn build_log(api: &Api, deployment: &Value) -> Vec<String> {
    let logs = format!(
        "{}/revisions/{}/logs?type=build&limit=1000",
        deployment_path(deployment),
        deployment["latest_revision_id"].as_str().unwrap()
    );
    api.get(&logs).await.json()["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["message"].as_str().unwrap().to_string())
        .collect()
}

/// Sends `head` (request line and headers) and `body` over a fresh connection to the upload
/// origin, optionally closing the sending side, and returns the status and body of the answer.
async fn raw(server: &MockServer, head: &str, body: &[u8], close_sending: bool) -> (u16, String) {
    let origin = server.upload_origin();
    let mut stream = TcpStream::connect(origin.strip_prefix("http://").unwrap())
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    if close_sending {
        stream.shutdown().await.unwrap();
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the upload origin answers")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().unwrap();
    let text = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, text)
}

/// The path and query of an upload URL, for a raw request.
fn path_and_query(url: &str) -> &str {
    let rest = url.strip_prefix("http://").unwrap();
    &rest[rest.find('/').unwrap()..]
}

#[tokio::test]
async fn a_deployment_of_uploaded_source_starts_without_a_revision() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "local-agent").await;
    assert_eq!(deployment["source"], "internal_source");
    assert_eq!(deployment["latest_revision_id"], Value::Null);
    assert_eq!(deployment["active_revision_id"], Value::Null);
    let revisions = api
        .get(&format!("{}/revisions", deployment_path(&deployment)))
        .await
        .json();
    assert_eq!(revisions["resources"], json!([]));
}

#[tokio::test]
async fn the_upload_url_is_on_another_origin_and_names_the_object() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let id = deployment["id"].as_str().unwrap();

    let plain = upload_url(&api, &deployment, false).await;
    let url = plain["upload_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/uploads/", api.server.upload_origin())));
    assert_ne!(api.server.upload_origin(), api.server.url());
    assert!(url.contains("?signature="), "{url}");
    let object_path = plain["object_path"].as_str().unwrap();
    assert!(object_path.starts_with(&format!("uploads/{id}/")));
    assert!(object_path.ends_with(".tar.gz"));
    assert_eq!(plain["upload_headers"], Value::Null);

    let with_headers = upload_url(&api, &deployment, true).await;
    assert_eq!(
        with_headers["upload_headers"],
        json!({"x-goog-content-length-range": "0,209715200", "x-goog-meta-deployment-id": id})
    );
    assert_ne!(with_headers["upload_url"], plain["upload_url"]);
    assert_ne!(with_headers["object_path"], plain["object_path"]);
}

#[tokio::test]
async fn an_uploaded_archive_builds_a_revision_that_logs_each_file() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let archive = agent_archive();
    let object_path = upload(&api, &deployment, archive.clone()).await;
    assert_eq!(
        api.server.uploaded_archive(&object_path),
        Some(archive.clone())
    );
    assert_eq!(api.server.uploaded_archives(), [object_path.as_str()]);

    let patched = patch_to_archive(&api, &deployment, &object_path).await;
    assert_eq!(patched["source"], "internal_source");
    assert_eq!(
        patched["source_revision_config"]["source_tarball_path"],
        object_path
    );
    let revision = api.latest_revision(&patched).await;
    assert_eq!(revision["status"], "DEPLOYED");
    assert_eq!(revision["source"], "internal_source");

    let log = build_log(&api, &patched).await;
    let archive_lines: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|line| line.starts_with("archive"))
        .collect();
    assert_eq!(
        archive_lines,
        [
            "archive file: langgraph.json",
            "archive file: agent.py",
            "archive file: requirements.txt",
            "archive: 3 files; config langgraph.json found",
        ]
    );
    assert_eq!(log.last().map(String::as_str), Some("Build succeeded"));

    let uploads = api.server.upload_requests();
    assert_eq!(uploads.len(), 1);
    let request = &uploads[0];
    assert_eq!(request.method, "PUT");
    assert!(request.path.starts_with("/uploads/"));
    assert!(!request.path.contains("signature"));
    assert_eq!(request.received, archive.len() as u64);
    assert_eq!(request.content_length, Some(archive.len() as u64));
    assert_eq!(request.status, 200);
    assert!(request.has_header("X-Goog-Content-Length-Range"));
    assert_eq!(request.credential_headers(), Vec::<&str>::new());
    assert_eq!(
        api.server.credentials_seen_by_upload_origin(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_redeploy_builds_from_the_same_archive_again() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let object_path = upload(&api, &deployment, agent_archive()).await;
    let patched = patch_to_archive(&api, &deployment, &object_path).await;
    let first = patched["latest_revision_id"].as_str().unwrap();
    let redeployed = api
        .post(
            &format!("{}/revisions/{first}/redeploy", deployment_path(&patched)),
            Value::Null,
        )
        .await
        .json();
    assert_ne!(
        redeployed["latest_revision_id"],
        patched["latest_revision_id"]
    );
    assert!(
        build_log(&api, &redeployed)
            .await
            .contains(&"archive: 3 files; config langgraph.json found".to_string())
    );
}

#[tokio::test]
async fn every_upload_header_handed_out_must_be_sent() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, true).await;
    let url = grant["upload_url"].as_str().unwrap();
    let default_only = [
        ("content-type".to_string(), "application/gzip".to_string()),
        (
            "x-goog-content-length-range".to_string(),
            "0,209715200".to_string(),
        ),
    ];
    let refused = put(&api, url, &default_only, agent_archive()).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.text.contains("x-goog-meta-deployment-id"),
        "{}",
        refused.text
    );
    assert!(api.server.uploaded_archives().is_empty());

    let accepted = put(&api, url, &upload_headers(&grant), agent_archive()).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
}

#[tokio::test]
async fn credentials_sent_to_the_upload_origin_are_recorded_by_name() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    let tenant = api.server.tenant_id().to_string();
    let mut headers = upload_headers(&grant);
    headers.push(("X-Api-Key".to_string(), KEY.to_string()));
    headers.push(("X-Tenant-Id".to_string(), tenant.clone()));
    let answer = put(
        &api,
        grant["upload_url"].as_str().unwrap(),
        &headers,
        agent_archive(),
    )
    .await;
    // Storage does not care; the client that sent them is the one at fault.
    assert_eq!(answer.status, 200);
    assert_eq!(
        api.server.credentials_seen_by_upload_origin(),
        ["x-api-key", "x-tenant-id"]
    );
    let request = &api.server.upload_requests()[0];
    assert_eq!(request.credential_headers(), ["x-api-key", "x-tenant-id"]);
    let printed = format!("{:?}", api.server.upload_requests());
    assert!(!printed.contains(KEY), "values are never kept: {printed}");
}

#[tokio::test]
async fn uploads_with_a_wrong_signature_path_method_or_header_are_refused() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    let url = grant["upload_url"].as_str().unwrap();
    let (unsigned, _) = url.split_once('?').unwrap();
    let headers = upload_headers(&grant);
    let without = |name: &str| -> Vec<(String, String)> {
        headers.iter().filter(|(n, _)| n != name).cloned().collect()
    };
    let mut wrong_type = without("content-type");
    wrong_type.push(("content-type".to_string(), "application/zip".to_string()));

    let cases = [
        (
            put(
                &api,
                &format!("{unsigned}?signature=0000"),
                &headers,
                agent_archive(),
            )
            .await,
            403,
        ),
        (put(&api, unsigned, &headers, agent_archive()).await, 403),
        (
            put(
                &api,
                &format!("{}/uploads/nope?signature=1", api.server.upload_origin()),
                &headers,
                agent_archive(),
            )
            .await,
            404,
        ),
        (
            put(
                &api,
                url,
                &without("x-goog-content-length-range"),
                agent_archive(),
            )
            .await,
            403,
        ),
        (
            put(&api, url, &without("content-type"), agent_archive()).await,
            400,
        ),
        (put(&api, url, &wrong_type, agent_archive()).await, 400),
        (
            api.send(api.to_url(Method::POST, url).body(agent_archive()))
                .await,
            405,
        ),
    ];
    for (index, (answer, status)) in cases.iter().enumerate() {
        assert_eq!(answer.status, *status, "case {index}: {}", answer.text);
        let text = answer.text.trim();
        assert!(
            !text.is_empty() && text.len() < 200,
            "case {index}: {text:?}"
        );
    }
    assert!(api.server.uploaded_archives().is_empty());
    let statuses: Vec<u16> = api
        .server
        .upload_requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [403, 403, 404, 403, 400, 400, 405]);
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_refused() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    let head = format!(
        "PUT {} HTTP/1.1\r\nhost: x\r\ncontent-type: application/gzip\r\n\
         x-goog-content-length-range: 0,209715200\r\ncontent-length: 100\r\n\r\n",
        path_and_query(grant["upload_url"].as_str().unwrap())
    );
    let (status, text) = raw(&api.server, &head, &[0x1f; 10], true).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("10 of the 100"), "{text}");
    assert!(api.server.uploaded_archives().is_empty());
    assert_eq!(api.server.upload_requests()[0].received, 10);
}

#[tokio::test]
async fn an_upload_without_a_content_length_is_refused() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    let head = format!(
        "PUT {} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/gzip\r\n\
         x-goog-content-length-range: 0,209715200\r\ntransfer-encoding: chunked\r\n\r\n",
        path_and_query(grant["upload_url"].as_str().unwrap())
    );
    let (status, text) = raw(&api.server, &head, b"5\r\nhello\r\n0\r\n\r\n", false).await;
    assert_eq!(status, 411, "{text}");
    assert!(api.server.uploaded_archives().is_empty());
}

#[tokio::test]
async fn an_upload_declared_over_200_mib_is_refused_before_its_body() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    // Headers only: the answer comes without a byte of the body sent.
    let head = format!(
        "PUT {} HTTP/1.1\r\nhost: x\r\ncontent-type: application/gzip\r\n\
         x-goog-content-length-range: 0,209715200\r\ncontent-length: 209715201\r\n\r\n",
        path_and_query(grant["upload_url"].as_str().unwrap())
    );
    let (status, text) = raw(&api.server, &head, b"", false).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("209715200"), "{text}");
    assert_eq!(api.server.upload_requests()[0].received, 0);
}

#[tokio::test]
async fn the_upload_limit_can_be_lowered_and_holds_to_the_byte() {
    let api = Api::with(MockServer::builder().upload_limit(1024)).await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, true).await;
    assert_eq!(
        grant["upload_headers"]["x-goog-content-length-range"],
        "0,1024"
    );
    let url = grant["upload_url"].as_str().unwrap();
    let over = put(&api, url, &upload_headers(&grant), vec![0; 1025]).await;
    assert_eq!(over.status, 413, "{}", over.text);
    let at = put(&api, url, &upload_headers(&grant), vec![0; 1024]).await;
    assert_eq!(at.status, 200, "{}", at.text);
}

async fn failed_build(api: &Api, deployment: &Value, object_path: &str) -> Vec<String> {
    let patched = patch_to_archive(api, deployment, object_path).await;
    let revision = api.latest_revision(&patched).await;
    assert_eq!(revision["status"], "BUILD_FAILED");
    build_log(api, &patched).await
}

#[tokio::test]
async fn an_archive_without_the_config_file_fails_the_build_saying_so() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let object_path = upload(&api, &deployment, targz(&[("agent.py", "x")])).await;
    let log = failed_build(&api, &deployment, &object_path).await;
    assert_eq!(
        log[log.len() - 3..],
        [
            "archive file: agent.py",
            "archive: 1 file; config langgraph.json not found",
            "Build failed: config file langgraph.json is not in the source archive",
        ]
    );
}

#[tokio::test]
async fn an_archive_never_uploaded_fails_the_build_saying_so() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let grant = upload_url(&api, &deployment, false).await;
    let object_path = grant["object_path"].as_str().unwrap();
    let log = failed_build(&api, &deployment, object_path).await;
    let last = log.last().unwrap();
    assert!(last.starts_with("Build failed"), "{last}");
    assert!(
        last.contains(object_path) && last.contains("never uploaded"),
        "{last}"
    );
}

#[tokio::test]
async fn an_upload_that_is_not_a_gzip_tar_fails_the_build_saying_so() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let object_path = upload(&api, &deployment, b"just some text".to_vec()).await;
    let log = failed_build(&api, &deployment, &object_path).await;
    let last = log.last().unwrap();
    assert!(
        last.contains("cannot be read as a gzip-compressed tar"),
        "{last}"
    );
}

#[tokio::test]
async fn settings_change_no_revision_until_there_is_an_archive() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let secrets = api
        .patch(
            &deployment_path(&deployment),
            json!({"secrets": [{"name": "OPENAI_API_KEY", "value": "sk-1"}]}),
        )
        .await;
    assert_eq!(secrets.status, 200, "{}", secrets.text);
    assert_eq!(secrets.json()["latest_revision_id"], Value::Null);
    assert_eq!(secrets.json()["secrets"][0]["name"], "OPENAI_API_KEY");

    let no_tarball = api
        .patch(
            &deployment_path(&deployment),
            json!({"revision_source": "internal_source", "source_revision_config": {}}),
        )
        .await;
    assert_eq!(
        (no_tarball.status, no_tarball.json()),
        (
            400,
            json!({"detail": "source_revision_config.source_tarball_path is required when source is 'internal_source'"})
        )
    );
}

#[tokio::test]
async fn upload_url_and_push_token_are_404_for_an_unknown_deployment_and_check_their_input() {
    let api = instant().await;
    for operation in ["upload-url", "push-token"] {
        let unknown = api
            .post(&format!("/v2/deployments/{NIL}/{operation}"), json!({}))
            .await;
        assert_eq!(
            (unknown.status, unknown.json()),
            (404, json!({"detail": "Deployment not found"}))
        );
        let bad_id = api
            .post(&format!("/v2/deployments/nope/{operation}"), json!({}))
            .await;
        assert_eq!(bad_id.status, 422);
        assert_eq!(
            bad_id.json()["detail"][0]["loc"],
            json!(["path", "deployment_id"])
        );
    }
    let deployment = create_uploaded(&api, "a").await;
    let bad_flag = api
        .post(
            &format!("{}/upload-url", deployment_path(&deployment)),
            json!({"supports_upload_headers": "maybe"}),
        )
        .await;
    assert_eq!(bad_flag.status, 422);
    assert_eq!(
        bad_flag.json()["detail"][0]["loc"],
        json!(["body", "supports_upload_headers"])
    );
    // Another workspace cannot ask for the deployment's upload URL.
    let elsewhere = api
        .send(
            api.request(
                Method::POST,
                &format!("{}/upload-url", deployment_path(&deployment)),
            )
            .header("X-Tenant-Id", uuid::Uuid::new_v4().to_string())
            .json(&json!({})),
        )
        .await;
    assert_eq!(elsewhere.status, 404);
}

#[tokio::test]
async fn a_push_token_names_the_registry_and_a_username_only_when_asked() {
    let api = instant().await;
    let deployment = create_uploaded(&api, "a").await;
    let path = format!("{}/push-token", deployment_path(&deployment));
    let plain = api.post(&path, json!({})).await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    let plain = plain.json();
    assert!(!plain["token"].as_str().unwrap().is_empty());
    assert!(!plain["registry_url"].as_str().unwrap().is_empty());
    assert_eq!(plain["username"], Value::Null);
    assert!(
        plain["repository_url"]
            .as_str()
            .unwrap()
            .ends_with(deployment["id"].as_str().unwrap())
    );

    let named = api
        .post(&path, json!({"supports_registry_username": true}))
        .await
        .json();
    assert!(named["username"].is_string());
    assert_ne!(named["token"], plain["token"], "each token is new");
}
