//! proptest strategies for what a hostile server answers: statuses (common, any, out of range,
//! not numbers), headers (`Retry-After` of any text, `Location`, conflicting framing headers,
//! raw bytes), framing that lies, bodies (valid, mutated, truncated, invalid UTF-8, deeply
//! nested, larger than the client's cap), delays past the request timeout, closes and resets.
//!
//! Scripts are finite: the server repeats the last reply, so every generated listing ends
//! (a repeated page or cursor stops it). Endless pages of new IDs are not generated here.

use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Value, json};

use super::wire::{Act, After, Answer, Body, Framing, ORIGIN, Piece, Reply, SOON};

/// What a successful answer of an operation carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Revision,
    Deployment,
    Listener,
    RevisionPage,
    DeploymentPage,
    ListenerPage,
    LogPage,
    OAuthProviders,
    /// Any JSON value (bulk delete answers with one).
    AnyJson,
    /// No body (204).
    Nothing,
}

const SHAPES: [Shape; 10] = [
    Shape::Revision,
    Shape::Deployment,
    Shape::Listener,
    Shape::RevisionPage,
    Shape::DeploymentPage,
    Shape::ListenerPage,
    Shape::LogPage,
    Shape::OAuthProviders,
    Shape::AnyJson,
    Shape::Nothing,
];

/// The client settings the replies are sized against.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    /// The client's `max_response_bytes`.
    pub cap: usize,
    /// The client's request timeout: a long delay passes it.
    pub request_timeout: Duration,
}

/// `Retry-After` values that have broken parsers: past `u64`, negative, fractional, not
/// numbers, dates at both ends of time, dates that are not quite dates.
pub const RETRY_AFTER: &[&str] = &[
    "0",
    "1",
    "2",
    "30",
    "3600",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "-1",
    "-0",
    "+3",
    " 1 ",
    "1.5",
    "0.001",
    "1e300",
    "1e-300",
    "-1.5",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Mon, 32 Dec 2026 25:61:61 GMT",
    SOON,
    "tomorrow",
    "",
];

const LOCATIONS: &[&str] = &[
    "/v2/elsewhere",
    "{origin}/v2/deployments",
    "https://attacker.example/collect",
    "//attacker.example/collect",
    "http://[::1",
    "javascript:alert(1)",
    "",
    "../../../etc/passwd",
];

const COMMON_STATUSES: &[u16] = &[
    200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 409, 410, 413,
    422, 429, 500, 501, 502, 503, 504,
];

/// Status tokens that are not a three-digit code.
const ODD_STATUS_TOKENS: &[&str] = &["000", "099", "1000", "20", "2OO", "", "-200", "200.0"];

const REVISION_STATUSES: &[&str] = &[
    "CREATING",
    "QUEUED",
    "AWAITING_BUILD",
    "BUILDING",
    "AWAITING_DEPLOY",
    "DEPLOYING",
    "DEPLOYED",
    "CREATE_FAILED",
    "BUILD_FAILED",
    "DEPLOY_FAILED",
    "SKIPPED",
    "INTERRUPTED",
    "UNKNOWN",
    // Values this client does not know.
    "PAUSED",
    "deployed",
    "DEPLOYED ",
    "",
    "\u{1F680}",
];

const DEPLOYMENT_STATUSES: &[&str] = &[
    "READY",
    "AWAITING_DATABASE",
    "UNUSED",
    "AWAITING_DELETE",
    "UNKNOWN",
    "AWAITING_FINAL_DELETE",
    "",
];

/// A small pool, so listings repeat IDs across pages.
pub const IDS: &[&str] = &[
    "a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22",
    "6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01",
    "0f0f0f0f-0000-4000-8000-000000000001",
    "0f0f0f0f-0000-4000-8000-000000000002",
    "0f0f0f0f-0000-4000-8000-000000000003",
];

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "text/html",
    "application/json; charset=latin1",
    "",
    "\u{7f}",
];

const GARBLED_LENGTHS: &[&str] = &[
    "abc",
    "-1",
    "1,1",
    "99999999999999999999999",
    "0x10",
    "+5",
    " ",
];

const CURSORS: &[Option<&str>] = &[None, Some("c1"), Some("c2"), Some("")];

const TIME: &str = "2026-11-02T14:05:31Z";

/// Stands for a value that `serde_json::Value` cannot hold; replaced in the serialized text.
const MARKER: &str = "@@hostile@@";

pub fn script(shape: Shape, success: u16, tuning: Tuning) -> impl Strategy<Value = Vec<Reply>> {
    vec(reply(shape, success, tuning), 1..=4)
}

fn reply(shape: Shape, success: u16, tuning: Tuning) -> impl Strategy<Value = Reply> {
    let act = prop_oneof![
        90 => answer(shape, success, tuning).prop_map(Act::Answer),
        5 => Just(Act::Close),
        5 => Just(Act::Reset),
    ];
    (delay(tuning), act).prop_map(|(delay, act)| Reply { delay, act })
}

/// Mostly none, sometimes a few milliseconds, rarely past the request timeout.
fn delay(tuning: Tuning) -> impl Strategy<Value = Duration> {
    let past_timeout = tuning.request_timeout.as_millis() as u64;
    prop_oneof![
        80 => Just(Duration::ZERO),
        18 => (1u64..=15).prop_map(Duration::from_millis),
        2 => (past_timeout + 50..=past_timeout + 150).prop_map(Duration::from_millis),
    ]
}

fn answer(shape: Shape, success: u16, tuning: Tuning) -> impl Strategy<Value = Answer> {
    let location = select(LOCATIONS).prop_map(|l| l.as_bytes().to_vec());
    let status_line = (
        proptest::option::weighted(0.05, select(vec![100u16, 102, 103])),
        prop_oneof![92 => Just("HTTP/1.1"), 8 => select(ODD_VERSIONS)].prop_map(String::from),
        status(success),
        select(REASONS).prop_map(String::from),
    );
    // Now and then more headers than a client should accept.
    let headers = prop_oneof![
        97 => vec(header(), 0..=3),
        3 => vec(header(), 100..=150),
    ];
    (
        status_line,
        headers,
        proptest::option::weighted(0.8, location),
        framing(),
        body(shape, tuning),
        delay(tuning),
        after(),
    )
        .prop_map(
            |(
                (interim, version, status, reason),
                mut headers,
                location,
                framing,
                body,
                pause,
                after,
            )| {
                // Redirects usually say where to; other statuses keep their headers as drawn.
                if let (true, Some(location)) = (status.starts_with('3'), location) {
                    headers.push(("location".into(), location));
                }
                Answer {
                    interim,
                    version,
                    status,
                    reason,
                    headers,
                    framing,
                    body,
                    pause,
                    after,
                }
            },
        )
}

/// Versions other than the one this client speaks, and one that is no HTTP at all.
const ODD_VERSIONS: &[&str] = &["HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "ICY"];

const REASONS: &[&str] = &["Hostile", "OK", "", "Not Found But Fine", "\u{e9}t\u{e9}"];

fn status(success: u16) -> impl Strategy<Value = String> {
    prop_oneof![
        45 => Just(success.to_string()),
        30 => select(COMMON_STATUSES).prop_map(|code| code.to_string()),
        10 => (100u16..=599).prop_map(|code| code.to_string()),
        3 => (600u16..=999).prop_map(|code| code.to_string()),
        2 => select(ODD_STATUS_TOKENS).prop_map(String::from),
    ]
}

fn header() -> impl Strategy<Value = (String, Vec<u8>)> {
    let named = |name: &'static str, values: &'static [&'static str]| {
        select(values).prop_map(move |value| (name.to_string(), value.as_bytes().to_vec()))
    };
    prop_oneof![
        4 => named("retry-after", RETRY_AFTER),
        1 => any::<u64>().prop_map(|n| ("retry-after".to_string(), n.to_string().into_bytes())),
        1 => any::<f64>().prop_map(|x| ("retry-after".to_string(), x.to_string().into_bytes())),
        2 => named("content-type", CONTENT_TYPES),
        1 => named("content-length", &["0", "7", "abc", "-1"]),
        1 => named("transfer-encoding", &["chunked", "gzip", "identity", "chunked, gzip"]),
        1 => named("connection", &["close", "keep-alive", "upgrade"]),
        1 => named("content-encoding", &["gzip", "br", "zstd"]),
        // Past what a client buffers for a head.
        1 => Just(("x-padding".to_string(), vec![b'p'; 128 * 1024])),
        // Any token as a name, any bytes as a value (CR and LF included).
        2 => ("[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,16}", vec(any::<u8>(), 0..24)),
    ]
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        70 => Just(Framing::Length),
        8 => (1usize..=4096).prop_map(Framing::Chunked),
        8 => Just(Framing::UntilClose),
        5 => (1usize..=16).prop_map(Framing::Short),
        4 => (1u64..=1000).prop_map(Framing::Long),
        3 => select(GARBLED_LENGTHS).prop_map(|text| Framing::Garbled(text.to_string())),
    ]
}

fn after() -> impl Strategy<Value = After> {
    prop_oneof![
        80 => Just(After::KeepOpen),
        15 => Just(After::Close),
        5 => Just(After::Reset),
    ]
}

fn body(shape: Shape, tuning: Tuning) -> impl Strategy<Value = Body> {
    prop_oneof![
        60 => expected_body(shape),
        12 => error_body(),
        8 => select(&SHAPES[..]).prop_flat_map(valid_body),
        8 => vec(any::<u8>(), 0..64).prop_map(Body::bytes),
        4 => deep_nesting(),
        4 => oversized(shape, tuning),
        4 => Just(Body::default()),
    ]
}

/// The operation's own answer, sometimes mutated: a field nulled, retyped, removed or added,
/// a value `Value` cannot hold, invalid UTF-8 in a string, the text truncated or trailed.
fn expected_body(shape: Shape) -> BoxedStrategy<Body> {
    if shape == Shape::Nothing {
        return Just(Body::default()).boxed();
    }
    (valid_json(shape), mutation(), damage())
        .prop_map(|(value, mutation, damage)| damage.apply(mutation.apply(value)))
        .boxed()
}

fn valid_body(shape: Shape) -> BoxedStrategy<Body> {
    if shape == Shape::Nothing {
        return Just(Body::default()).boxed();
    }
    valid_json(shape)
        .prop_map(|value| Body::bytes(value.to_string()))
        .boxed()
}

fn id() -> impl Strategy<Value = &'static str> {
    select(IDS)
}

pub fn revision(id: &str, status: &str) -> Value {
    json!({
        "id": id, "created_at": TIME, "updated_at": TIME, "status": status,
        "source": "github", "source_revision_config": {"repo_ref": "main"}
    })
}

pub fn deployment(id: &str, status: &str, latest: Option<&str>) -> Value {
    json!({
        "id": id, "name": "hostile", "tenant_id": IDS[2], "created_at": TIME, "updated_at": TIME,
        "status": status, "source": "github", "source_config": {},
        "source_revision_config": {"repo_ref": "main"}, "secrets": [],
        "latest_revision_id": latest, "active_revision_id": null
    })
}

pub fn listener(id: &str) -> Value {
    json!({
        "id": id, "compute_id": "cluster-1", "compute_type": "k8s", "compute_config": {},
        "created_at": TIME, "updated_at": TIME
    })
}

fn oauth_provider(id: &str) -> Value {
    json!({
        "id": id, "provider_id": "github", "name": "GitHub", "organization_id": IDS[2],
        "client_id": "client", "auth_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "code_challenge_method": null, "uses_pkce": false, "created_at": TIME, "updated_at": TIME
    })
}

fn page(items: Vec<Value>) -> Value {
    json!({"resources": items, "offset": 0})
}

fn valid_json(shape: Shape) -> BoxedStrategy<Value> {
    let revision_status = || select(REVISION_STATUSES);
    let deployment_status = || select(DEPLOYMENT_STATUSES);
    // Page sizes straddle the listing's page size of 2, so some pages are full.
    let items = 0..=3usize;
    match shape {
        Shape::Revision => (id(), revision_status())
            .prop_map(|(id, status)| revision(id, status))
            .boxed(),
        Shape::Deployment => (id(), deployment_status(), proptest::option::of(id()))
            .prop_map(|(id, status, latest)| deployment(id, status, latest))
            .boxed(),
        Shape::Listener => id().prop_map(listener).boxed(),
        Shape::RevisionPage => vec((id(), revision_status()), items)
            .prop_map(|items| page(items.iter().map(|(i, s)| revision(i, s)).collect()))
            .boxed(),
        Shape::DeploymentPage => vec((id(), deployment_status()), items)
            .prop_map(|items| {
                page(
                    items
                        .iter()
                        .map(|(i, s)| deployment(i, s, Some(IDS[0])))
                        .collect(),
                )
            })
            .boxed(),
        Shape::ListenerPage => vec(id(), items)
            .prop_map(|ids| page(ids.into_iter().map(listener).collect()))
            .boxed(),
        Shape::LogPage => (0..=3usize, select(CURSORS), any::<bool>())
            .prop_map(|(count, cursor, null_cursor)| {
                let logs: Vec<Value> = (0..count)
                    .map(|i| json!({"timestamp": TIME, "message": format!("line {i}"), "level": "INFO"}))
                    .collect();
                let mut value = json!({ "logs": logs });
                match (cursor, null_cursor) {
                    (Some(cursor), _) => value["next_offset"] = json!(cursor),
                    (None, true) => value["next_offset"] = Value::Null,
                    (None, false) => {}
                }
                value
            })
            .boxed(),
        Shape::OAuthProviders => vec(id(), 0..=2)
            .prop_map(|ids| Value::Array(ids.into_iter().map(oauth_provider).collect()))
            .boxed(),
        Shape::AnyJson => select(vec![
            json!({}),
            Value::Null,
            json!([]),
            json!({"deleted": [IDS[0]]}),
            json!("ok"),
            json!(1),
        ])
        .boxed(),
        Shape::Nothing => Just(Value::Null).boxed(),
    }
}

/// A change to one member (at an index into all members and elements, depth first).
#[derive(Clone, Debug)]
enum Mutation {
    Keep,
    Replace(Index, Value),
    /// Bytes written in place of the member: values `Value` cannot hold, invalid UTF-8.
    Raw(Index, &'static [u8]),
    Remove(Index),
    AddUnknown,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let wrong = select(vec![
        Value::Null,
        json!(0),
        json!(-1),
        json!(1.5),
        json!(true),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!("not-a-uuid"),
        json!("2026-13-45T25:61:00Z"),
        json!("9999-12-31T23:59:59Z"),
        json!("0000-01-01T00:00:00Z"),
        json!(u64::MAX),
        json!(i64::MIN),
        json!("y".repeat(10_000)),
    ]);
    let raw: Vec<&'static [u8]> = vec![
        b"1e400",
        b"-0",
        b"NaN",
        b"\"\\ud800\"",
        b"00012",
        b"1.0e+",
        b"tru",
        b"\"\x00\"",
        b"\"\xff\xfe\xc3\x28 not UTF-8\"",
    ];
    prop_oneof![
        60 => Just(Mutation::Keep),
        15 => (any::<Index>(), wrong).prop_map(|(at, value)| Mutation::Replace(at, value)),
        10 => (any::<Index>(), select(raw)).prop_map(|(at, bytes)| Mutation::Raw(at, bytes)),
        10 => any::<Index>().prop_map(Mutation::Remove),
        5 => Just(Mutation::AddUnknown),
    ]
}

impl Mutation {
    /// The mutated text.
    fn apply(self, mut value: Value) -> Vec<u8> {
        let count = count_members(&value);
        let marked = json!(MARKER);
        let mut raw: Option<&[u8]> = None;
        match self {
            Mutation::Keep => {}
            Mutation::AddUnknown => {
                if let Value::Object(map) = &mut value {
                    map.insert("added_by_a_newer_server".into(), json!({"nested": [1, 2]}));
                }
            }
            Mutation::Replace(at, new) if count > 0 => *member(&mut value, at.index(count)) = new,
            Mutation::Raw(at, bytes) if count > 0 => {
                *member(&mut value, at.index(count)) = marked;
                raw = Some(bytes);
            }
            Mutation::Remove(at) if count > 0 => {
                *member(&mut value, at.index(count)) = marked;
                remove_marked(&mut value);
            }
            _ => {}
        }
        let mut text = value.to_string().into_bytes();
        if let Some(raw) = raw {
            let quoted = format!("\"{MARKER}\"");
            if let Some(at) = text
                .windows(quoted.len())
                .position(|w| w == quoted.as_bytes())
            {
                text.splice(at..at + quoted.len(), raw.iter().copied());
            }
        }
        text
    }
}

fn count_members(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(|v| 1 + count_members(v)).sum(),
        Value::Array(items) => items.iter().map(|v| 1 + count_members(v)).sum(),
        _ => 0,
    }
}

/// The `n`th member, depth first; `n` is below `count_members(value)`.
fn member(value: &mut Value, n: usize) -> &mut Value {
    fn walk<'a>(value: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
        let children: Vec<&'a mut Value> = match value {
            Value::Object(map) => map.values_mut().collect(),
            Value::Array(items) => items.iter_mut().collect(),
            _ => return None,
        };
        for child in children {
            if *n == 0 {
                return Some(child);
            }
            *n -= 1;
            if let Some(found) = walk(child, n) {
                return Some(found);
            }
        }
        None
    }
    let mut left = n;
    walk(value, &mut left).expect("n is below count_members")
}

/// Drops the member holding the marker from its object or array.
fn remove_marked(value: &mut Value) {
    let marked = json!(MARKER);
    match value {
        Value::Object(map) => {
            map.retain(|_, v| *v != marked);
            map.values_mut().for_each(remove_marked);
        }
        Value::Array(items) => {
            items.retain(|v| *v != marked);
            items.iter_mut().for_each(remove_marked);
        }
        _ => {}
    }
}

/// Damage to the serialized text.
#[derive(Clone, Debug)]
enum Damage {
    None,
    Truncate(Index),
    Trailing(Vec<u8>),
    ByteOrderMark,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        80 => Just(Damage::None),
        10 => any::<Index>().prop_map(Damage::Truncate),
        5 => vec(any::<u8>(), 1..8).prop_map(Damage::Trailing),
        5 => Just(Damage::ByteOrderMark),
    ]
}

impl Damage {
    fn apply(self, mut bytes: Vec<u8>) -> Body {
        match self {
            Damage::None => {}
            Damage::Truncate(at) => bytes.truncate(at.index(bytes.len().max(1))),
            Damage::Trailing(extra) => bytes.extend_from_slice(&extra),
            Damage::ByteOrderMark => {
                bytes.splice(0..0, [0xef, 0xbb, 0xbf]);
            }
        }
        Body::bytes(bytes)
    }
}

fn error_body() -> impl Strategy<Value = Body> {
    let bodies = vec![
        json!({"detail": "Deployment not found"}).to_string(),
        json!({"detail": ""}).to_string(),
        json!({"detail": "z".repeat(20_000)}).to_string(),
        json!({"detail": [{"loc": ["body", "name"], "msg": "field required", "type": "missing"}]})
            .to_string(),
        json!({"detail": [{"loc": [0, {"x": 1}, null], "msg": null}]}).to_string(),
        json!({"detail": null}).to_string(),
        json!({"detail": 5}).to_string(),
        json!({"error": "rate limited"}).to_string(),
        "<html><body><h1>502 Bad Gateway</h1></body></html>".to_string(),
        "upstream connect error or disconnect/reset before headers".to_string(),
    ];
    select(bodies).prop_map(Body::bytes)
}

/// Nesting far past what a recursive decoder should follow.
fn deep_nesting() -> impl Strategy<Value = Body> {
    (select(vec![129usize, 2_000, 10_000]), 0..4usize).prop_map(|(depth, kind)| {
        let pieces = match kind {
            0 => vec![Piece::Repeat(b"[".to_vec(), depth)],
            1 => vec![
                Piece::Repeat(b"[".to_vec(), depth),
                Piece::Repeat(b"]".to_vec(), depth),
            ],
            2 => vec![
                Piece::Repeat(b"{\"a\":".to_vec(), depth),
                Piece::Bytes(b"1".to_vec()),
                Piece::Repeat(b"}".to_vec(), depth),
            ],
            _ => vec![
                Piece::Bytes(b"{\"detail\":".to_vec()),
                Piece::Repeat(b"[".to_vec(), depth),
            ],
        };
        Body(pieces)
    })
}

/// A body past the cap: the operation's own answer padded with an unknown member, so it would
/// decode if the cap were not enforced.
pub fn oversized(shape: Shape, tuning: Tuning) -> BoxedStrategy<Body> {
    (valid_json(shape), tuning.cap + 1..=tuning.cap * 3)
        .prop_map(|(value, size)| {
            let text = value.to_string();
            match text.strip_prefix('{') {
                Some(rest) => Body(vec![
                    Piece::Bytes(b"{\"padding\":\"".to_vec()),
                    Piece::Repeat(b"x".to_vec(), size),
                    Piece::Bytes(format!("\",{rest}").into_bytes()),
                ]),
                None => Body(vec![
                    Piece::Bytes(b"[\"".to_vec()),
                    Piece::Repeat(b"x".to_vec(), size),
                    Piece::Bytes(b"\"]".to_vec()),
                ]),
            }
        })
        .boxed()
}

/// Replies that each deliver, or announce, more than the cap: with a true length, chunked,
/// ended by a close, or a declared length past the cap ahead of a short body.
pub fn oversized_script(
    shape: Shape,
    success: u16,
    tuning: Tuning,
) -> impl Strategy<Value = Vec<Reply>> {
    // Not 204: a 204 has no body by definition, so the client rightly never reads one.
    let success = if success == 204 { 200 } else { success };
    let statuses = vec![
        success, 200, 400, 401, 404, 409, 422, 429, 500, 503, 302, 418,
    ];
    let cap = tuning.cap as u64;
    let reply = (
        select(statuses),
        0..4usize,
        oversized(shape, tuning),
        // Chunks small enough to matter, large enough to read past the cap well within a timeout.
        1024usize..=65_536,
        cap..=1 << 40,
        prop_oneof![Just(After::KeepOpen), Just(After::Close)],
    )
        .prop_map(move |(status, framing, body, chunk, declared, after)| {
            let (framing, body) = match framing {
                0 => (Framing::Length, body),
                1 => (Framing::Chunked(chunk), body),
                2 => (Framing::UntilClose, body),
                // Says more than the cap, sends a little.
                _ => (Framing::Long(declared), Body::bytes("{}")),
            };
            let mut headers = Vec::new();
            if status == 302 {
                headers.push(("location".to_string(), ORIGIN.as_bytes().to_vec()));
            }
            Reply {
                delay: Duration::ZERO,
                act: Act::Answer(Answer {
                    interim: None,
                    version: "HTTP/1.1".into(),
                    status: status.to_string(),
                    reason: "Hostile".into(),
                    headers,
                    framing,
                    body,
                    pause: Duration::ZERO,
                    after,
                }),
            }
        });
    vec(reply, 1..=3)
}

/// The answer a healthy server gives, for scripts written by hand.
pub fn healthy_body(shape: Shape) -> Body {
    let value = match shape {
        Shape::Revision => revision(IDS[0], "DEPLOYED"),
        Shape::Deployment => deployment(IDS[1], "READY", Some(IDS[0])),
        Shape::Listener => listener(IDS[3]),
        Shape::RevisionPage => page(vec![revision(IDS[0], "DEPLOYED")]),
        Shape::DeploymentPage => page(vec![deployment(IDS[1], "READY", None)]),
        Shape::ListenerPage => page(vec![listener(IDS[3])]),
        Shape::LogPage => {
            json!({"logs": [{"timestamp": TIME, "message": "done"}], "next_offset": null})
        }
        Shape::OAuthProviders => json!([oauth_provider(IDS[2])]),
        Shape::AnyJson => json!({}),
        Shape::Nothing => return Body::default(),
    };
    Body::bytes(value.to_string())
}
