//! Deploying a local source directory against the mock: archive, upload to the signed URL on
//! another origin, build from the uploaded archive.

use std::fs;
use std::path::Path;
use std::time::Duration;

use langsmith_control_plane::deploy::Source;
use langsmith_control_plane::types::{
    DeploymentSource, LogType, ResourceSpecInput, RevisionSourceConfigRequest, SecretReference,
};
use langsmith_control_plane::{Client, Error, WaitOptions};
use langsmith_control_plane_mock::{MockServer, Timing};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn agent_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "langgraph.json",
        r#"{"graphs": {"agent": "./agent.py:graph"}}"#,
    );
    write(dir.path(), "agent.py", "graph = None");
    write(dir.path(), ".gitignore", "*.log\n");
    write(dir.path(), "debug.log", "not shipped");
    write(dir.path(), "node_modules/x.js", "not shipped");
    dir
}

/// A revision deployed 120 ms after it is created.
async fn mock() -> MockServer {
    MockServer::builder()
        .timing(Timing::uniform(Duration::from_millis(20)))
        .start()
        .await
        .unwrap()
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

fn wait() -> Option<WaitOptions> {
    Some(
        WaitOptions::default()
            .fixed_interval(Duration::from_millis(20))
            .timeout(Duration::from_secs(20)),
    )
}

#[tokio::test]
async fn a_new_deployment_from_a_directory_is_uploaded_built_and_deployed() {
    let mock = mock().await;
    let dir = agent_dir();
    let source = Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let c = client(&mock);
    let result = c
        .deploy(source)
        .name("from-disk")
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    let deployment = mock.deployment(result.deployment.id).unwrap();
    assert_eq!(deployment.source, DeploymentSource::InternalSource);

    // The upload origin never saw the key or the workspace.
    let uploads = mock.upload_requests();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].status, 200);
    assert!(mock.credentials_seen_by_upload_origin().is_empty());

    // The build log names exactly the files that went.
    let log = c
        .revisions(result.deployment.id)
        .logs(result.revision_id, LogType::Build)
        .collect()
        .await
        .unwrap();
    let mut shipped: Vec<String> = log
        .iter()
        .filter_map(|e| {
            e.message()?
                .strip_prefix("archive file: ")
                .map(str::to_owned)
        })
        .collect();
    shipped.sort();
    assert_eq!(shipped, [".gitignore", "agent.py", "langgraph.json"]);
}

#[tokio::test]
async fn an_existing_deployment_gets_a_new_revision_from_the_directory() {
    let mock = mock().await;
    let dir = agent_dir();
    let c = client(&mock);
    let source = || Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let first = c
        .deploy(source())
        .name("again")
        .wait(wait())
        .run()
        .await
        .unwrap();
    let second = c
        .deploy(source())
        .name("again")
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert_eq!(first.deployment.id, second.deployment.id);
    assert_ne!(first.revision_id, second.revision_id);
    assert!(second.outcome.unwrap().is_deployed());
    assert_eq!(mock.upload_requests().len(), 2);
    // Both revisions were started with `POST .../revisions`, the first one of the new
    // deployment too: it is uploaded source already, so no PATCH is needed to switch it.
    assert!(mock.requests_for("patch_deployment").is_empty());
    let revisions = mock.requests_for("create_revision");
    assert_eq!(revisions.len(), 2);
    let body = revisions[1].body.clone().unwrap();
    assert_eq!(
        body["source_revision_config"]["langgraph_config_path"],
        "langgraph.json"
    );
    assert!(body["source_revision_config"]["source_tarball_path"].is_string());
}

#[tokio::test]
async fn a_directory_deployed_over_a_git_deployment_switches_it_with_a_patch() {
    let mock = mock().await;
    let dir = agent_dir();
    let seeded = mock.seed_deployment(langsmith_control_plane_mock::github_deployment_request(
        "switch",
    ));
    let source = Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let result = client(&mock)
        .deploy(source)
        .deployment_id(seeded.id)
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    // Only a PATCH carries `revision_source`: a new revision keeps the deployment's kind.
    assert!(mock.requests_for("create_revision").is_empty());
    let patches = mock.requests_for("patch_deployment");
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].body.as_ref().unwrap()["revision_source"],
        "internal_source"
    );
    let deployment = mock.deployment(seeded.id).unwrap();
    assert_eq!(deployment.source, DeploymentSource::InternalSource);
}

/// Sizing and a build command for a revision.
fn sized(cpu: f64) -> RevisionSourceConfigRequest {
    RevisionSourceConfigRequest {
        build_command: Some("make all".into()),
        resource_spec: Some(ResourceSpecInput {
            cpu: Some(cpu),
            ..ResourceSpecInput::default()
        }),
        ..RevisionSourceConfigRequest::default()
    }
}

fn db_reference() -> SecretReference {
    SecretReference {
        name: "DB_URL".into(),
        secret_name: "db".into(),
        secret_key: "url".into(),
    }
}

/// The deployment `id` as stored holds the settings of [`sized`]`(cpu)` and the reference.
fn holds_settings(mock: &MockServer, id: uuid::Uuid, cpu: f64) {
    let deployment = mock.deployment(id).unwrap();
    let config = deployment.source_config;
    assert_eq!(config.resource_spec.unwrap().cpu, Some(cpu));
    assert_eq!(config.build_command.as_deref(), Some("make all"));
    let references = deployment.secret_references.unwrap();
    assert_eq!(references, [db_reference()]);
}

#[tokio::test]
async fn revision_settings_and_secret_references_ship_in_the_create_revision_request() {
    let mock = mock().await;
    let dir = agent_dir();
    let c = client(&mock);
    let source = || Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let first = c.deploy(source()).name("sized").wait(wait()).run().await;
    let id = first.unwrap().deployment.id;
    mock.clear_requests();

    let result = c
        .deploy(source())
        .deployment_id(id)
        .revision_settings(sized(2.0))
        .secret_references([db_reference()])
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    // No PATCH of their own, which would start a revision of the old code.
    assert!(mock.requests_for("patch_deployment").is_empty());
    let revisions = mock.requests_for("create_revision");
    assert_eq!(revisions.len(), 1);
    let body = revisions[0].body.clone().unwrap();
    assert_eq!(body["source_config"]["resource_spec"]["cpu"], 2.0);
    assert_eq!(body["source_config"]["build_command"], "make all");
    assert_eq!(body["secret_references"][0]["secret_name"], "db");
    assert_eq!(mock.revisions(id).len(), 2);
    holds_settings(&mock, id, 2.0);
}

#[tokio::test]
async fn revision_settings_and_secret_references_ship_in_the_patch_that_switches_to_a_directory() {
    let mock = mock().await;
    let dir = agent_dir();
    let seeded = mock.seed_deployment(langsmith_control_plane_mock::github_deployment_request(
        "switch-sized",
    ));
    let source = Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let result = client(&mock)
        .deploy(source)
        .deployment_id(seeded.id)
        .revision_settings(sized(0.5))
        .secret_references([db_reference()])
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    let patches = mock.requests_for("patch_deployment");
    assert_eq!(patches.len(), 1);
    let body = patches[0].body.clone().unwrap();
    assert_eq!(body["revision_source"], "internal_source");
    assert_eq!(body["source_config"]["resource_spec"]["cpu"], 0.5);
    assert_eq!(body["source_config"]["build_command"], "make all");
    assert_eq!(body["secret_references"][0]["name"], "DB_URL");
    assert!(mock.requests_for("create_revision").is_empty());
    // The seeded revision and the one this deploy started.
    assert_eq!(mock.revisions(seeded.id).len(), 2);
    holds_settings(&mock, seeded.id, 0.5);
}

#[tokio::test]
async fn a_directory_without_its_config_is_refused_before_any_request() {
    let mock = mock().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "agent.py", "");
    let err = client(&mock)
        .deploy(Source::Directory {
            path: dir.path().to_owned(),
            config: "langgraph.json".into(),
        })
        .name("x")
        .run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConfigNotInSource { .. }), "{err:?}");
    assert!(mock.requests().is_empty());
    assert!(mock.upload_requests().is_empty());
}

#[tokio::test]
async fn an_archive_made_beforehand_is_uploaded_as_it_is() {
    let mock = mock().await;
    let dir = agent_dir();
    let archive = langsmith_control_plane::archive(dir.path(), "langgraph.json".as_ref()).unwrap();
    let archive = std::sync::Arc::new(archive);
    // A change after archiving is not shipped: the archive is, byte for byte.
    write(dir.path(), "agent.py", "graph = 'changed after archiving'");
    let source = Source::Archived {
        path: dir.path().to_owned(),
        archive: archive.clone(),
    };
    let result = client(&mock)
        .deploy(source)
        .name("archived-before")
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    let uploaded = mock.uploaded_archives();
    assert_eq!(uploaded.len(), 1);
    let shipped = mock.uploaded_archive(&uploaded[0]).unwrap();
    assert_eq!(shipped, fs::read(archive.path()).unwrap());
    let deployment = mock.deployment(result.deployment.id).unwrap();
    assert_eq!(deployment.source, DeploymentSource::InternalSource);
}

/// Issue 18, 7, 10 and 6: a deploy says, as steps, which secrets files it left out (one line),
/// which files changed while read, and which ignore files it skipped.
#[tokio::test]
async fn a_deploy_reports_what_archiving_left_out_skipped_or_saw_change() {
    use futures::TryStreamExt;
    use langsmith_control_plane::deploy::DeployEvent;
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mock = mock().await;
    let dir = agent_dir();
    write(dir.path(), ".env", "OPENAI_API_KEY=sk-not-real");
    write(dir.path(), "certs/k.pem", "-----BEGIN PRIVATE KEY-----");
    write(dir.path(), "sub/real-ignore", "");
    #[cfg(unix)]
    std::os::unix::fs::symlink("real-ignore", dir.path().join("sub/.gitignore")).unwrap();
    write(dir.path(), "grow.bin", &"g".repeat(24 << 20));
    // Appends to grow.bin until the deploy is over.
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let (flag, path) = (stop.clone(), dir.path().join("grow.bin"));
    let writer = std::thread::spawn(move || {
        let mut file = fs::OpenOptions::new().append(true).open(path).unwrap();
        for _ in 0..4096 {
            if flag.load(Ordering::Relaxed) {
                break;
            }
            file.write_all(&[b'g'; 4096]).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let events: Result<Vec<DeployEvent>, Error> = client(&mock)
        .deploy(Source::Directory {
            path: dir.path().to_owned(),
            config: "langgraph.json".into(),
        })
        .name("notices")
        .wait(wait())
        .events()
        .try_collect()
        .await;
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let steps: Vec<String> = events
        .unwrap()
        .into_iter()
        .filter_map(|event| match event {
            DeployEvent::Step(step) => Some(step),
            _ => None,
        })
        .collect();
    let has = |wanted: &str| steps.iter().any(|step| step == wanted);
    assert!(
        has("left out 2 secrets files (.env, certs/k.pem); a .dockerignore negation ships one"),
        "{steps:#?}"
    );
    assert!(
        has(
            "warning: 1 file changed while being read (grow.bin); each ships as it was when first seen"
        ),
        "{steps:#?}"
    );
    #[cfg(unix)]
    assert!(
        has(
            "warning: skipped the ignore file sub/.gitignore: a symlink (git does not follow one either)"
        ),
        "{steps:#?}"
    );
}

/// A request timeout too long for the clock to add (it is also the upload's stall timeout)
/// neither panics nor stops the upload: the deploy uploads to the loopback origin and deploys.
#[tokio::test]
async fn a_request_timeout_past_what_the_clock_counts_still_uploads() {
    let mock = mock().await;
    let dir = agent_dir();
    let client = Client::builder()
        .api_key("test-key")
        .base_url(mock.base_url())
        .request_timeout(Duration::MAX)
        .build()
        .unwrap();
    let source = Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let result = client
        .deploy(source)
        .name("unhurried")
        .wait(wait())
        .run()
        .await
        .unwrap();
    assert!(result.outcome.unwrap().is_deployed());
    let uploads = mock.upload_requests();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].status, 200);
}

/// An upload host that takes no connection (its accept queue is full, so the kernel drops the
/// SYN and the connect hangs) ends the deploy after the client's connect timeout, with the
/// upload's connect error, and nothing sent after it.
#[tokio::test]
async fn an_upload_host_that_takes_no_connection_ends_the_deploy_at_the_connect_timeout() {
    use crate::support::{self, Reply, Server};
    // Listening with a backlog of 0 and never accepting: one connection fills the queue, and
    // the kernel drops the SYNs that come after it.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let full = socket.listen(0).unwrap();
    let address = full.local_addr().unwrap();
    let mut fillers = Vec::new();
    let mut hung = false;
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => {
                hung = true;
                break;
            }
        }
    }
    assert!(
        hung,
        "every connection to the listener was taken: its queue never filled"
    );

    let upload_url = format!("http://{address}/upload?X-Goog-Signature=0123abcd");
    let plane = Server::start(move |seen, _| {
        let deployment = format!("/v2/deployments/{}", support::D);
        match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", path) if path == deployment => {
                Reply::json(200, support::deployment(Some(support::R)))
            }
            ("POST", path) if path == format!("{deployment}/upload-url") => Reply::json(
                200,
                serde_json::json!({"upload_url": upload_url, "object_path": "uploads/a.tar.gz"}),
            ),
            _ => Reply::json(500, serde_json::json!({"detail": "not scripted"})),
        }
    })
    .await;
    let connect_timeout = Duration::from_millis(300);
    let client = support::builder(&plane)
        .connect_timeout(connect_timeout)
        .build()
        .unwrap();
    let dir = agent_dir();
    let source = Source::Directory {
        path: dir.path().to_owned(),
        config: "langgraph.json".into(),
    };
    let started = std::time::Instant::now();
    // A hung connect retries its SYN for minutes: ending within seconds is the timeout's doing.
    let deploy = client.deploy(source).deployment_id(support::d()).run();
    let err = tokio::time::timeout(Duration::from_secs(10), deploy)
        .await
        .expect("still uploading after 10 s: no connect timeout ended it")
        .unwrap_err();
    let took = started.elapsed();
    let Error::Upload { host, source, .. } = &err else {
        panic!("expected the upload to fail: {err:?}")
    };
    assert_eq!(host, "127.0.0.1");
    let cause = source
        .as_deref()
        .and_then(|s| s.downcast_ref::<reqwest::Error>());
    assert!(
        cause.is_some_and(|e| e.is_connect() && e.is_timeout()),
        "expected a connect timeout: {err:?}"
    );
    assert!(took >= connect_timeout, "ended after {took:?}");
    let sent: Vec<String> = plane
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let deployment = format!("/v2/deployments/{}", support::D);
    assert_eq!(
        sent,
        [
            format!("GET {deployment}"),
            format!("POST {deployment}/upload-url")
        ]
    );
    drop(fillers);
}
