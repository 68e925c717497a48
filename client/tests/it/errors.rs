//! Every class of error, as a caller sees it.

use crate::support;

use std::time::Duration;

use crate::support::{Reply, Server, client, d, r, revision};
use langsmith_control_plane::{Error, RetryPolicy, TransportErrorKind};
use serde_json::json;

async fn get_error(reply: Reply) -> Error {
    let server = Server::sequence(vec![reply]).await;
    let client = support::builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client.get_revision(d(), r()).await.unwrap_err()
}

fn path() -> String {
    format!("/v2/deployments/{}/revisions/{}", d(), r())
}

#[tokio::test]
async fn not_found_carries_the_detail_and_the_request() {
    let err = get_error(Reply::json(404, json!({"detail": "Revision not found"}))).await;
    let Error::NotFound(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.detail.as_deref(), Some("Revision not found"));
    assert_eq!(api.request.method, "GET");
    assert_eq!(api.request.path, path());
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        format!("GET {}: 404 Not Found: Revision not found", path())
    );
}

#[tokio::test]
async fn validation_lists_every_item() {
    let body = json!({"detail": [
        {"loc": ["path", "revision_id"], "msg": "Input should be a valid UUID", "type": "uuid_parsing"},
        {"loc": ["query", "limit"], "msg": "Input should be less than or equal to 100", "type": "less_than_equal"}
    ]});
    let err = get_error(Reply::json(422, body)).await;
    let Error::Validation(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.validation.len(), 2);
    let text = err.to_string();
    assert!(text.contains("422 Unprocessable Entity"), "{text}");
    assert!(text.contains("path.revision_id: Input should be a valid UUID; query.limit: Input should be less than or equal to 100"), "{text}");
}

#[tokio::test]
async fn unauthorized_for_401_and_403() {
    for status in [401, 403] {
        let err = get_error(Reply::json(status, json!({"detail": "Invalid API key"}))).await;
        assert!(matches!(err, Error::Unauthorized(_)), "{status}: {err:?}");
        assert_eq!(err.status(), Some(status));
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn conflict_and_bad_request_are_api_errors() {
    let err = get_error(Reply::json(409, json!({"detail": "Name taken"}))).await;
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let err = get_error(Reply::json(
        400,
        json!({"detail": "Cannot redeploy a failed revision"}),
    ))
    .await;
    assert!(
        matches!(err, Error::Api(ref api) if api.status == 400),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limited_keeps_retry_after() {
    let err =
        get_error(Reply::json(429, json!({"detail": "slow down"})).with_header("retry-after", "7"))
            .await;
    let Error::RateLimited(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
    assert!(err.is_retryable());
    assert!(err.to_string().ends_with("(retry after 7s)"), "{err}");
}

#[tokio::test]
async fn a_proxy_html_page_is_a_server_error_with_the_body_kept() {
    let err = get_error(Reply::html(
        502,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    ))
    .await;
    let Error::Server(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 502);
    assert!(api.body.as_deref().unwrap().contains("502 Bad Gateway"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_documented_status_with_an_html_body_keeps_its_class() {
    // 404 is documented with a JSON body; a proxy's HTML 404 is still "not found".
    let err = get_error(Reply::html(404, "<html>nothing here</html>")).await;
    let Error::NotFound(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.body.as_deref(), Some("<html>nothing here</html>"));
}

#[tokio::test]
async fn an_undecodable_success_body_is_a_decode_error_with_an_excerpt() {
    let err = get_error(Reply::json(200, "{\"id\": 12")).await;
    let Error::Decode {
        status,
        body_excerpt,
        request,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(body_excerpt, "{\"id\": 12");
    assert_eq!(request.path, path());
    let err = get_error(Reply::json(200, json!(["wrong", "type"]))).await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn a_huge_undecodable_body_is_cut_in_the_error() {
    let err = get_error(Reply::json(200, "x".repeat(100_000))).await;
    let Error::Decode { body_excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(body_excerpt.len() < 4200, "{}", body_excerpt.len());
    assert!(body_excerpt.ends_with("(100000 bytes in all)"));
}

#[tokio::test]
async fn redirects_are_refused_naming_the_target_origin() {
    let err = get_error(
        Reply::json(307, "")
            .with_header("location", "https://elsewhere.example.net:8443/steal?k=1"),
    )
    .await;
    let Error::RedirectRefused { status, target, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 307);
    assert_eq!(target, "https://elsewhere.example.net:8443");
    assert!(
        err.to_string()
            .contains("redirect to https://elsewhere.example.net:8443 refused"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn a_closed_connection_is_a_transport_error() {
    let err = get_error(Reply::Close).await;
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!("GET {}: ", path())),
        "{err}"
    );
}

#[tokio::test]
async fn a_body_cut_short_is_a_body_transport_error() {
    let err = get_error(Reply::CutBody {
        status: 200,
        declared: 500,
        sent: "{\"id\":".into(),
    })
    .await;
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Body,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A transport error keeps reqwest's error as its source, which names the URL (no query).
#[tokio::test]
async fn a_transport_error_chains_to_reqwests_error() {
    let server = Server::sequence(vec![Reply::CutBody {
        status: 200,
        declared: 500,
        sent: "{\"id\":".into(),
    }])
    .await;
    let client = support::builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    let source = std::error::Error::source(&err).expect("a source");
    let reqwest = source
        .downcast_ref::<reqwest::Error>()
        .expect("reqwest's error");
    assert_eq!(
        reqwest.url().map(|url| url.path().to_string()),
        Some(path())
    );
    assert!(reqwest.is_decode() || reqwest.is_body(), "{reqwest:?}");
    assert!(
        err.to_string().starts_with(&format!("GET {}: ", path())),
        "{err}"
    );
}

#[tokio::test]
async fn slow_headers_time_out() {
    let server = Server::sequence(vec![
        Reply::json(200, revision("DEPLOYED")).after(Duration::from_secs(5)),
    ])
    .await;
    let client = support::builder(&server)
        .request_timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// The request timeout covers the whole response, head and body, with or without a
/// caller-supplied `reqwest::ClientBuilder`.
#[tokio::test]
async fn the_request_timeout_covers_head_and_body_with_either_http_client() {
    // The head 30 s late, or the body over 20 s: a call ending within 10 s was ended by its
    // 300 ms timeout, with room for a busy machine.
    let slow_head = || Reply::json(200, revision("DEPLOYED")).after(Duration::from_secs(30));
    let slow_body = || Reply::Trickle {
        status: 200,
        body: revision("DEPLOYED").to_string(),
        every: Duration::from_millis(100),
    };
    let cases = [(slow_head(), "head"), (slow_body(), "body")]
        .into_iter()
        .flat_map(|(reply, what)| [false, true].map(|custom| (reply.clone(), what, custom)));
    // The four at once: each waits out its timeout.
    futures::future::join_all(cases.map(|(reply, what, caller_supplied)| async move {
        let server = Server::sequence(vec![reply]).await;
        let mut builder = support::builder(&server)
            .request_timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::none());
        if caller_supplied {
            builder = builder.http_client(langsmith_control_plane::http_client_builder());
        }
        let client = builder.build().unwrap();
        let started = std::time::Instant::now();
        let err = client.get_revision(d(), r()).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportErrorKind::Timeout,
                    ..
                }
            ),
            "slow {what}, caller-supplied client {caller_supplied}: {err:?}"
        );
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(10),
            "slow {what}, caller-supplied client {caller_supplied}: ended after {took:?}"
        );
    }))
    .await;
}

#[tokio::test]
async fn bad_input_is_rejected_before_anything_is_sent() {
    let server = Server::sequence(vec![Reply::json(
        200,
        json!({"resources": [], "offset": 0}),
    )])
    .await;
    let client = client(&server);
    let err = client
        .deployments()
        .list()
        .page_size(500)
        .collect()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput(ref m) if m.message.contains("page size 500")),
        "{err:?}"
    );
    assert!(client.deployments().delete_many(&[]).await.is_empty());
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn an_undocumented_success_status_is_a_decode_error() {
    let err = get_error(Reply::json(202, json!({}))).await;
    assert!(matches!(err, Error::Decode { status: 202, .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_refused_without_being_kept() {
    let body = format!("{{\"id\": \"{}\"}}", "x".repeat(300_000));
    let server = Server::sequence(vec![Reply::json(200, body)]).await;
    let client = support::builder(&server)
        .max_response_bytes(100_000)
        .build()
        .unwrap();
    let err = client.get_revision(d(), r()).await.unwrap_err();
    let Error::Decode {
        status, message, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 200);
    assert!(
        message.contains("exceeds the limit of 100000 bytes"),
        "{message}"
    );
    assert_eq!(server.count(), 1, "an oversized answer is not retried");
}

/// A 403 the service explains carries what to do about it, as the error's hint (issue 19, 2:
/// not inside the message, so that it is said once).
#[tokio::test]
async fn a_403_for_an_organization_key_says_to_set_the_workspace() {
    let detail =
        json!({"detail": "This API key is org-scoped and requires workspace specification."});
    let err = get_error(Reply::json(403, detail)).await;
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let hint = err.hint().unwrap_or_default();
    assert!(hint.contains("LANGSMITH_WORKSPACE_ID"), "{hint}");
    assert!(!err.to_string().contains(hint), "{err}");
    let detail = json!({"detail": "Deployments are not enabled for this workspace."});
    let err = get_error(Reply::json(403, detail)).await;
    assert!(err.to_string().contains("not enabled"), "{err}");
    assert_eq!(
        err.api_error().unwrap().hint(),
        Some("deployments are not enabled for this workspace")
    );
}

/// The sentences of an error as a caller prints it: its message, each cause in its `source()`
/// chain, and its hint, each cut at `: ` and `; ` into clauses.
pub fn sentences(error: &(dyn std::error::Error + 'static), hint: Option<&str>) -> Vec<String> {
    let mut texts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts.extend(hint.map(str::to_owned));
    texts
        .iter()
        .flat_map(|text| text.split(": ").flat_map(|part| part.split("; ")))
        .map(|clause| clause.trim().to_owned())
        .filter(|clause| !clause.is_empty())
        .collect()
}

/// The clause said more than once, if any.
pub fn repeated(sentences: &[String]) -> Option<&String> {
    let mut seen = std::collections::HashSet::new();
    sentences.iter().find(|s| !seen.insert(s.as_str()))
}

/// A closed loopback port, as a base URL.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// The name of `error`'s variant.
fn variant(error: &Error) -> &'static str {
    match error {
        Error::Config(_) => "Config",
        Error::InvalidInput(_) => "InvalidInput",
        Error::Transport { .. } => "Transport",
        Error::Unauthorized(_) => "Unauthorized",
        Error::NotFound(_) => "NotFound",
        Error::Conflict(_) => "Conflict",
        Error::Validation(_) => "Validation",
        Error::RateLimited(_) => "RateLimited",
        Error::Server(_) => "Server",
        Error::Api(_) => "Api",
        Error::Decode { .. } => "Decode",
        Error::RedirectRefused { .. } => "RedirectRefused",
        Error::Upload { .. } => "Upload",
        Error::Io { .. } => "Io",
        Error::DeployTimedOut { .. } => "DeployTimedOut",
        Error::Cancelled => "Cancelled",
        Error::AmbiguousName { .. } => "AmbiguousName",
        Error::Pagination { .. } => "Pagination",
        Error::SourceTooLarge { .. } => "SourceTooLarge",
        Error::ConfigNotInSource { .. } => "ConfigNotInSource",
        Error::SourceFileShrank { .. } => "SourceFileShrank",
        Error::ReservedSecretNames { .. } => "ReservedSecretNames",
        Error::CreateNeedsRepoUrl { .. } => "CreateNeedsRepoUrl",
        other => panic!("a variant this test does not know: {other:?}"),
    }
}

/// One error of every variant (several for some), as the client makes them against loopback
/// servers, or built directly where only a long job makes one.
async fn one_of_each() -> Vec<Error> {
    let statuses = [
        Reply::json(401, json!({"detail": "Invalid API key"})),
        Reply::json(
            403,
            json!({"detail": "org-scoped, requires workspace specification"}),
        ),
        Reply::json(404, json!({"detail": "Revision not found"})),
        Reply::json(409, json!({"detail": "exists"})),
        Reply::json(
            422,
            json!({"detail": [{"loc": ["path", "revision_id"], "msg": "bad", "type": "x"}]}),
        ),
        Reply::json(429, json!({"detail": "slow down"})).with_header("retry-after", "7"),
        Reply::json(503, "<html>proxy error</html>"),
        Reply::json(400, json!({"detail": "cannot"})),
        Reply::json(200, json!({"id": "not a revision"})),
        Reply::json(307, "").with_header("location", "https://elsewhere.example.net/x"),
    ];
    let mut errors = Vec::new();
    for reply in statuses {
        errors.push(get_error(reply).await);
    }
    let server = Server::sequence(vec![Reply::json(200, revision("DEPLOYED"))]).await;
    let small = support::builder(&server)
        .max_response_bytes(64)
        .build()
        .unwrap();
    errors.push(small.get_revision(d(), r()).await.unwrap_err());
    let closed = langsmith_control_plane::Client::builder()
        .api_key(support::KEY)
        .base_url(closed_port())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(closed.get_revision(d(), r()).await.unwrap_err());
    let no_key = langsmith_control_plane::Client::builder()
        .api_key("")
        .build()
        .unwrap_err();
    errors.push(no_key);
    errors.push(
        client(&server)
            .deployments()
            .list()
            .page_size(0)
            .collect()
            .await
            .unwrap_err(),
    );
    let cycling = Server::start(|_, n| {
        let next = if n % 2 == 0 { "A" } else { "B" };
        Reply::json(
            200,
            json!({"logs": [{"message": "x"}], "next_offset": next}),
        )
    })
    .await;
    let logs = client(&cycling)
        .revisions(d())
        .logs(r(), langsmith_control_plane::types::LogType::Build)
        .collect()
        .await;
    errors.push(logs.unwrap_err());
    errors.push(Error::DeployTimedOut {
        after: Duration::from_secs(3),
        step: "uploading the archive".into(),
    });
    errors.push(Error::Cancelled);
    errors.push(Error::AmbiguousName {
        name: "agent".into(),
        ids: vec![d(), r()],
    });
    // Archiving a directory to the compressed cap takes seconds; `archive` makes the others.
    errors.push(Error::SourceTooLarge {
        what: langsmith_control_plane::Oversized::Archive,
        size: 210 << 20,
        limit: 200 << 20,
    });
    errors.push(Error::SourceFileShrank {
        name: "grow.bin".into(),
        read: 10,
        expected: 20,
    });
    errors.extend(deploy_errors().await);
    #[cfg(feature = "upload")]
    errors.extend(upload_errors().await);
    errors
}

/// A deploy's refusals: a reserved secret name (nothing sent), and a new deployment from a
/// git reference without its repository URL (after a look-up that finds none).
async fn deploy_errors() -> Vec<Error> {
    use langsmith_control_plane::deploy::Source;
    let git = |repo_url: Option<&str>| Source::GitRef {
        reference: "main".into(),
        repo_url: repo_url.map(str::to_owned),
        integration_id: None,
    };
    let nobody = Server::sequence(vec![Reply::json(
        200,
        json!({"resources": [], "offset": 0}),
    )])
    .await;
    let reserved = client(&nobody)
        .deploy(git(Some("https://github.com/acme/a")))
        .name("a")
        .secret("POSTGRES_URI", "postgres://")
        .run();
    let unknown = client(&nobody).deploy(git(None)).name("nobody").run();
    vec![reserved.await.unwrap_err(), unknown.await.unwrap_err()]
}

/// `Upload` with a transport cause and with a status, `Io`, and `ConfigNotInSource`.
#[cfg(feature = "upload")]
async fn upload_errors() -> Vec<Error> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("langgraph.json"), "{}").unwrap();
    let archive = langsmith_control_plane::archive(dir.path(), "langgraph.json".as_ref()).unwrap();
    let options = langsmith_control_plane::UploadOptions::default();
    let mut errors = Vec::new();
    let refused = archive.upload(&closed_port(), &[], &options, |_| {}).await;
    errors.push(refused.unwrap_err());
    let origin = Server::sequence(vec![Reply::json(403, "<Error>denied</Error>")]).await;
    let denied = archive.upload(&origin.url, &[], &options, |_| {}).await;
    errors.push(denied.unwrap_err());
    let missing = dir.path().join("missing");
    let io = langsmith_control_plane::archive(&missing, "langgraph.json".as_ref());
    errors.push(io.unwrap_err());
    let elsewhere = langsmith_control_plane::archive(dir.path(), "other.json".as_ref());
    errors.push(elsewhere.unwrap_err());
    errors
}

/// Issue 19, 2: each cause is said once. The message is a fixed phrase (with the request and
/// status), the causes travel in `source()`, the hint apart: no clause of the printed chain
/// comes twice, for an error of every variant.
#[tokio::test]
async fn every_error_says_each_cause_once() {
    let errors = one_of_each().await;
    let mut variants: Vec<&str> = errors.iter().map(variant).collect();
    variants.sort_unstable();
    variants.dedup();
    let mut expected = vec![
        "AmbiguousName",
        "Api",
        "Cancelled",
        "Config",
        "Conflict",
        "CreateNeedsRepoUrl",
        "Decode",
        "DeployTimedOut",
        "InvalidInput",
        "NotFound",
        "Pagination",
        "RateLimited",
        "RedirectRefused",
        "ReservedSecretNames",
        "Server",
        "SourceFileShrank",
        "SourceTooLarge",
        "Transport",
        "Unauthorized",
        "Validation",
    ];
    if cfg!(feature = "upload") {
        expected.extend(["ConfigNotInSource", "Io", "Upload"]);
    }
    expected.sort_unstable();
    assert_eq!(variants, expected);
    for error in &errors {
        let said = sentences(error, error.hint());
        assert_eq!(repeated(&said), None, "{error:?} prints {said:#?}");
    }
    // The causes are there, each once: a transport error's in `source()`, not in the message.
    let transport = errors.iter().find(|e| variant(e) == "Transport").unwrap();
    let cause = std::error::Error::source(transport).expect("a transport error has a cause");
    assert!(
        !transport.to_string().contains(&cause.to_string()),
        "{transport}"
    );
    let decode = errors
        .iter()
        .find(|e| variant(e) == "Decode" && std::error::Error::source(e).is_some())
        .expect("a body that did not decode has the JSON error as its cause");
    let cause = std::error::Error::source(decode).unwrap().to_string();
    assert!(!decode.to_string().contains(&cause), "{decode}");
}

/// The printed chain of `error`: its message, then each cause in its `source()` chain.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push('\n');
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Errors that come with advice, each with words of that advice: settings, arguments of the
/// deploy and of a revision, built against a loopback server that must see no request.
async fn advised_errors() -> Vec<(Error, &'static [&'static str])> {
    let config = |builder: langsmith_control_plane::ClientBuilder| builder.build().unwrap_err();
    let env = |vars: &'static [(&'static str, &'static str)]| {
        langsmith_control_plane::Client::builder().env_from(move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    };
    let key = support::KEY;
    let mut errors: Vec<(Error, &'static [&'static str])> = vec![
        (
            config(env(&[])),
            &["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"],
        ),
        (
            config(env(&[
                ("LANGSMITH_API_KEY", "k"),
                ("LANGSMITH_WORKSPACE_ID", support::D),
                ("LANGSMITH_TENANT_ID", support::R),
            ])),
            &["unset one"],
        ),
        (
            config(
                langsmith_control_plane::Client::builder()
                    .api_key(key)
                    .base_url("https://cp.example.com")
                    .region(langsmith_control_plane::Region::Eu),
            ),
            &["not both"],
        ),
        (
            config(
                langsmith_control_plane::Client::builder()
                    .api_key(key)
                    .base_url("http://cp.example.com"),
            ),
            &["use https", "allow insecure http"],
        ),
        (
            config(
                langsmith_control_plane::Client::builder()
                    .api_key(key)
                    .base_url("https://user:pw@cp.example.com"),
            ),
            &["api key setting"],
        ),
    ];
    let server = Server::sequence(vec![]).await;
    let client = client(&server);
    let request = langsmith_control_plane::types::RevisionCreateRequest {
        source_revision_config: Default::default(),
        source_config: None,
        secrets: Some(Vec::new()),
        secret_references: None,
    };
    let empty = client.revisions(d()).create(request).await.unwrap_err();
    errors.push((empty, &["leave secrets out", "name the ones to keep"]));
    let image = || langsmith_control_plane::deploy::Source::Image("img:1".into());
    let both = client.deploy(image()).name("a").deployment_id(d()).run();
    errors.push((both.await.unwrap_err(), &["give one of them"]));
    let neither = client.deploy(image()).run().await.unwrap_err();
    errors.push((neither, &["name the deployment, or give its ID"]));
    let none = client.deploy(image()).name("a").replace_secrets(true).run();
    errors.push((none.await.unwrap_err(), &["name the secrets to keep"]));
    let git = |repo_url: Option<&str>| langsmith_control_plane::deploy::Source::GitRef {
        reference: "main".into(),
        repo_url: repo_url.map(str::to_owned),
        integration_id: None,
    };
    let reserved = client
        .deploy(git(Some("https://github.com/acme/a")))
        .name("a")
        .secret("POSTGRES_URI", "postgres://")
        .run();
    errors.push((reserved.await.unwrap_err(), &["leave them out"]));
    let nobody = Server::sequence(vec![Reply::json(
        200,
        json!({"resources": [], "offset": 0}),
    )])
    .await;
    let unknown = support::client(&nobody)
        .deploy(git(None))
        .name("nobody")
        .run();
    errors.push((
        unknown.await.unwrap_err(),
        &["repository URL (and integration ID)", "existing one"],
    ));
    let shared = Error::AmbiguousName {
        name: "agent".into(),
        ids: vec![d(), r()],
    };
    errors.push((shared, &["rename or delete all but one"]));
    // Made by archiving only after seconds of work (see `archive::an_archive_over_the_limit_is_refused`)
    // or by a race: built here as the archiver builds them.
    let archive = Error::SourceTooLarge {
        what: langsmith_control_plane::Oversized::Archive,
        size: 210 << 20,
        limit: 200 << 20,
    };
    errors.push((
        archive,
        &["add what need not ship to .gitignore or .dockerignore"],
    ));
    let shrank = Error::SourceFileShrank {
        name: "grow.bin".into(),
        read: 10,
        expected: 20,
    };
    errors.push((shrank, &["archive the directory again"]));
    #[cfg(all(feature = "upload", unix))]
    errors.extend(advised_archive_errors());
    #[cfg(feature = "upload")]
    {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("langgraph.json"), "{}").unwrap();
        let archive =
            langsmith_control_plane::archive(dir.path(), "langgraph.json".as_ref()).unwrap();
        let options = langsmith_control_plane::UploadOptions::default();
        let plain = archive.upload("http://uploads.example.com/b/k", &[], &options, |_| {});
        errors.push((
            plain.await.unwrap_err(),
            &["allow insecure http explicitly"],
        ));
    }
    assert_eq!(server.count(), 0, "nothing is sent for refused input");
    errors
}

/// Source directories that cannot be archived as they are, each with words of the advice.
#[cfg(all(feature = "upload", unix))]
fn advised_archive_errors() -> Vec<(Error, &'static [&'static str])> {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("langgraph.json"), "{}").unwrap();
        dir
    };
    let archive = |dir: &std::path::Path| {
        langsmith_control_plane::archive(dir, "langgraph.json".as_ref()).unwrap_err()
    };
    let mut errors: Vec<(Error, &'static [&'static str])> = Vec::new();
    let linked = dir("linked");
    std::fs::rename(linked.join("langgraph.json"), linked.join("real.json")).unwrap();
    std::os::unix::fs::symlink("real.json", linked.join("langgraph.json")).unwrap();
    errors.push((archive(&linked), &["make it a regular file"]));
    let missing = dir("missing");
    std::fs::remove_file(missing.join("langgraph.json")).unwrap();
    errors.push((archive(&missing), &["relative to the source directory"]));
    let ignored = dir("ignored");
    std::fs::write(ignored.join(".dockerignore"), "langgraph.json\n").unwrap();
    errors.push((archive(&ignored), &["change the ignore rules"]));
    let named = dir("named");
    std::fs::write(named.join(std::ffi::OsStr::from_bytes(b"n\xff.txt")), "x").unwrap();
    errors.push((
        archive(&named),
        &["rename it", "add it to .gitignore or .dockerignore"],
    ));
    let huge = dir("huge");
    let file = std::fs::File::create(huge.join("huge.bin")).unwrap();
    file.set_len(3 << 30).unwrap();
    errors.push((archive(&huge), &["add it to .gitignore or .dockerignore"]));
    let many = dir("many");
    for i in 0..5 {
        let file = std::fs::File::create(many.join(format!("part{i}.bin"))).unwrap();
        file.set_len(500 << 20).unwrap();
    }
    errors.push((
        archive(&many),
        &["add what need not ship to .gitignore or .dockerignore"],
    ));
    errors
}

/// Issue 19, 2: advice lives in `hint()`, never in the message. For every error that comes
/// with advice, no word of it is in the printed chain, all of it is in the hint, and no clause
/// of the whole is said twice.
#[tokio::test]
async fn advice_is_in_the_hint_never_in_the_message() {
    for (error, advice) in advised_errors().await {
        let said = chain(&error);
        let hint = error.hint().unwrap_or_default();
        for words in advice {
            assert!(!said.contains(words), "{words:?} is in the message: {said}");
            assert!(
                hint.contains(words),
                "{words:?} is not in the hint {hint:?} of {said}"
            );
        }
        assert!(
            !said.contains("--"),
            "a library message names no CLI flag: {said}"
        );
        let printed = sentences(&error, error.hint());
        assert_eq!(repeated(&printed), None, "{error:?} prints {printed:#?}");
    }
}
