//! Settings resolution: explicit values, then the environment, then defaults; bad values named.

use std::collections::HashMap;

use langsmith_control_plane::{BaseUrlSource, Client, ClientBuilder, Error, Region};

const KEY: &str = "lsv2_sk_explicit_key_value";
const W1: &str = "0b8f3a6c-91d2-4e57-a4b8-c2d1e0f9a8b7";
const W2: &str = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f";

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'static {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn with_env(vars: &[(&str, &str)]) -> ClientBuilder {
    Client::builder().env_from(env(vars))
}

fn config_error(builder: ClientBuilder) -> (String, String) {
    match builder.build() {
        Err(Error::Config(e)) => (e.setting.to_string(), e.to_string()),
        Err(other) => panic!("expected a configuration error, got {other}"),
        Ok(client) => panic!("expected a configuration error, got {client:?}"),
    }
}

#[test]
fn langsmith_api_key_wins_over_langchain_api_key() {
    // Resolution is observable through errors: an invalid LANGSMITH key is reported even when
    // LANGCHAIN_API_KEY is fine, so LANGSMITH_API_KEY was the one chosen.
    let (setting, message) = config_error(with_env(&[
        ("LANGSMITH_API_KEY", "bad key"),
        ("LANGCHAIN_API_KEY", "fine"),
    ]));
    assert_eq!(setting, "api key");
    assert!(message.contains("from the environment"), "{message}");
    assert!(with_env(&[("LANGCHAIN_API_KEY", "fine")]).build().is_ok());
}

/// The variables are named in the hint, not in the message (issue 19, 2).
#[test]
fn missing_key_names_the_variables() {
    let error = match with_env(&[]).build() {
        Err(Error::Config(e)) => e,
        other => panic!("expected a configuration error, got {other:?}"),
    };
    assert_eq!(error.setting, "api key");
    assert_eq!(error.to_string(), "invalid api key: is not set");
    let hint = error.hint().unwrap_or_default();
    assert!(
        hint.contains("LANGSMITH_API_KEY") && hint.contains("LANGCHAIN_API_KEY"),
        "{hint}"
    );
    assert_eq!(Error::Config(error).hint(), Some(hint));
}

#[test]
fn the_environment_is_ignored_unless_asked_for() {
    // Client::builder() alone never reads variables, so a key must be given.
    let (setting, _) = config_error(Client::builder());
    assert_eq!(setting, "api key");
}

#[test]
fn empty_and_control_character_keys_are_rejected() {
    assert_eq!(
        config_error(Client::builder().api_key("  ")).1,
        "invalid api key: is empty"
    );
    let (_, message) = config_error(Client::builder().api_key("abc\ndef"));
    assert!(message.contains("control character"), "{message}");
    assert!(
        !message.contains("abc"),
        "the message must not echo the key: {message}"
    );
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let client = with_env(&[("LANGSMITH_API_KEY", ""), ("LANGCHAIN_API_KEY", "fallback")]).build();
    assert!(client.is_ok());
}

#[test]
fn workspace_resolution_order() {
    let c = with_env(&[("LANGSMITH_API_KEY", KEY), ("LANGSMITH_WORKSPACE_ID", W1)])
        .build()
        .unwrap();
    assert_eq!(c.settings().workspace_id().unwrap().to_string(), W1);
    let c = with_env(&[("LANGSMITH_API_KEY", KEY), ("LANGSMITH_TENANT_ID", W2)])
        .build()
        .unwrap();
    assert_eq!(c.settings().workspace_id().unwrap().to_string(), W2);
    let c = with_env(&[
        ("LANGSMITH_API_KEY", KEY),
        ("LANGSMITH_WORKSPACE_ID", W1),
        ("LANGSMITH_TENANT_ID", W1),
    ])
    .build()
    .unwrap();
    assert_eq!(c.settings().workspace_id().unwrap().to_string(), W1);
    let c = with_env(&[("LANGSMITH_API_KEY", KEY), ("LANGSMITH_WORKSPACE_ID", W1)])
        .workspace_id(W2)
        .build()
        .unwrap();
    assert_eq!(
        c.settings().workspace_id().unwrap().to_string(),
        W2,
        "explicit wins"
    );
    let c = with_env(&[("LANGSMITH_API_KEY", KEY)]).build().unwrap();
    assert_eq!(c.settings().workspace_id(), None);
}

#[test]
fn two_different_workspace_variables_are_a_conflict() {
    let (setting, message) = config_error(with_env(&[
        ("LANGSMITH_API_KEY", KEY),
        ("LANGSMITH_WORKSPACE_ID", W1),
        ("LANGSMITH_TENANT_ID", W2),
    ]));
    assert_eq!(setting, "workspace id");
    assert!(
        message.contains("LANGSMITH_WORKSPACE_ID") && message.contains("LANGSMITH_TENANT_ID"),
        "{message}"
    );
}

#[test]
fn a_workspace_that_is_not_a_uuid_is_named() {
    let (setting, message) =
        config_error(Client::builder().api_key(KEY).workspace_id("my-workspace"));
    assert_eq!(setting, "workspace id");
    assert!(
        message.contains("\"my-workspace\" is not a UUID"),
        "{message}"
    );
    let (setting, _) = config_error(with_env(&[
        ("LANGSMITH_API_KEY", KEY),
        ("LANGSMITH_TENANT_ID", "nope"),
    ]));
    assert_eq!(setting, "LANGSMITH_TENANT_ID");
}

fn base(vars: &[(&str, &str)]) -> (String, BaseUrlSource) {
    let mut all = vec![("LANGSMITH_API_KEY", KEY)];
    all.extend_from_slice(vars);
    let client = with_env(&all).build().unwrap();
    (
        client.settings().base_url().to_string(),
        client.settings().base_url_source().clone(),
    )
}

#[test]
fn base_url_defaults_to_the_us_host() {
    assert_eq!(
        base(&[]),
        (
            "https://api.host.langchain.com".into(),
            BaseUrlSource::Default
        )
    );
}

#[test]
fn control_plane_url_variable_wins_over_the_endpoint() {
    let got = base(&[
        ("LANGSMITH_CONTROL_PLANE_URL", "https://cp.example.com/x/"),
        ("LANGSMITH_ENDPOINT", "https://eu.api.smith.langchain.com"),
    ]);
    assert_eq!(
        got,
        (
            "https://cp.example.com/x".into(),
            BaseUrlSource::ControlPlaneUrlEnv
        )
    );
}

#[test]
fn endpoint_derivation_for_us_eu_and_self_hosted() {
    let cases = [
        (
            "https://api.smith.langchain.com",
            "https://api.host.langchain.com",
        ),
        (
            "https://api.smith.langchain.com/",
            "https://api.host.langchain.com",
        ),
        (
            "https://eu.api.smith.langchain.com",
            "https://eu.api.host.langchain.com",
        ),
        ("https://ls.example.com", "https://ls.example.com/api-host"),
        (
            "https://ls.example.com/api",
            "https://ls.example.com/api-host",
        ),
        (
            "https://ls.example.com/api/v1",
            "https://ls.example.com/api-host",
        ),
        (
            "https://ls.example.com/api/v1/",
            "https://ls.example.com/api-host",
        ),
        (
            "https://ls.example.com:8443/langsmith/api/v1",
            "https://ls.example.com:8443/langsmith/api-host",
        ),
        (
            "http://localhost:1984/api/v1",
            "http://localhost:1984/api-host",
        ),
    ];
    for (endpoint, expected) in cases {
        assert_eq!(
            base(&[("LANGSMITH_ENDPOINT", endpoint)]),
            (expected.to_string(), BaseUrlSource::EndpointEnv),
            "{endpoint}"
        );
    }
}

#[test]
fn an_unparsable_endpoint_is_named() {
    let (setting, _) = config_error(with_env(&[
        ("LANGSMITH_API_KEY", KEY),
        ("LANGSMITH_ENDPOINT", "not a url"),
    ]));
    assert_eq!(setting, "LANGSMITH_ENDPOINT");
}

#[test]
fn explicit_region_and_url_win_over_the_environment() {
    let vars = [
        ("LANGSMITH_API_KEY", KEY),
        ("LANGSMITH_CONTROL_PLANE_URL", "https://cp.example.com"),
    ];
    let c = with_env(&vars).region(Region::Eu).build().unwrap();
    assert_eq!(c.settings().base_url(), "https://eu.api.host.langchain.com");
    let c = with_env(&vars)
        .base_url("https://other.example.com/api-host/")
        .build()
        .unwrap();
    assert_eq!(
        c.settings().base_url(),
        "https://other.example.com/api-host"
    );
    assert_eq!(c.settings().base_url_source(), &BaseUrlSource::Explicit);
}

#[test]
fn region_and_base_url_together_are_a_conflict() {
    let (setting, _) = config_error(
        Client::builder()
            .api_key(KEY)
            .region(Region::Us)
            .base_url("https://x.example.com"),
    );
    assert_eq!(setting, "base url");
}

#[test]
fn region_parses_case_insensitively_and_names_bad_values() {
    assert_eq!("EU".parse::<Region>().unwrap(), Region::Eu);
    let err = "mars".parse::<Region>().unwrap_err();
    assert_eq!(err.setting, "region");
}

#[test]
fn plain_http_is_refused_for_remote_hosts() {
    let (setting, message) = config_error(
        Client::builder()
            .api_key(KEY)
            .base_url("http://cp.example.com"),
    );
    assert_eq!(setting, "base url");
    assert!(
        message.contains("http://cp.example.com") && message.contains("unencrypted"),
        "{message}"
    );
    for loopback in [
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://[::1]:9",
        "http://127.8.9.10",
    ] {
        assert!(
            Client::builder()
                .api_key(KEY)
                .base_url(loopback)
                .build()
                .is_ok(),
            "{loopback}"
        );
    }
    assert!(
        Client::builder()
            .api_key(KEY)
            .base_url("http://cp.example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
}

#[test]
fn malformed_base_urls_are_named() {
    for (url, part) in [
        ("cp.example.com", "is not a URL"),
        ("ftp://cp.example.com", "scheme \"ftp\""),
        ("https://user:pw@cp.example.com", "credentials"),
        ("https://cp.example.com/?a=1", "query"),
    ] {
        let (setting, message) = config_error(Client::builder().api_key(KEY).base_url(url));
        assert_eq!(setting, "base url", "{url}");
        assert!(message.contains(part), "{url}: {message}");
        assert!(!message.contains("pw@"), "credentials echoed: {message}");
    }
}

#[test]
fn zero_timeouts_and_bad_retry_policies_are_named() {
    let (setting, _) = config_error(
        Client::builder()
            .api_key(KEY)
            .request_timeout(std::time::Duration::ZERO),
    );
    assert_eq!(setting, "request timeout");
    let (setting, _) = config_error(
        Client::builder()
            .api_key(KEY)
            .connect_timeout(std::time::Duration::ZERO),
    );
    assert_eq!(setting, "connect timeout");
    let policy = langsmith_control_plane::RetryPolicy::default().multiplier(0.5);
    let (setting, _) = config_error(Client::builder().api_key(KEY).retry_policy(policy));
    assert_eq!(setting, "retry policy");
    let (setting, _) = config_error(Client::builder().api_key(KEY).user_agent_suffix("a\u{7}b"));
    assert_eq!(setting, "user agent suffix");
}

#[test]
fn from_env_reads_the_process_environment() {
    // Setting variables in this process would race with other tests; a child process gets its own.
    crate::support::run_in_child(
        "config::child_reads_process_env",
        &[
            ("LSCP_TEST_CHILD", "1".as_ref()),
            ("LANGSMITH_API_KEY", KEY.as_ref()),
            (
                "LANGSMITH_ENDPOINT",
                "https://eu.api.smith.langchain.com".as_ref(),
            ),
        ],
        &[
            "LANGSMITH_CONTROL_PLANE_URL",
            "LANGSMITH_WORKSPACE_ID",
            "LANGSMITH_TENANT_ID",
        ],
    );
}

#[test]
fn child_reads_process_env() {
    if std::env::var("LSCP_TEST_CHILD").is_err() {
        return; // only meaningful when started by from_env_reads_the_process_environment
    }
    let client = Client::from_env().unwrap();
    assert_eq!(
        client.settings().base_url(),
        "https://eu.api.host.langchain.com"
    );
}
