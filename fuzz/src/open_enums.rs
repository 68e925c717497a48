//! Open enums keep any string: decoded from JSON, from `&str` or `String`, each gives back the
//! very string as `as_str()`, `Display` and JSON, and is known exactly when the string is one of
//! the document's values.

use langsmith_control_plane_api::open_enums as e;

macro_rules! check_each {
    ($s:expr, $($ty:ident),* $(,)?) => {
        $(check::<e::$ty>(stringify!($ty), $s, e::$ty::KNOWN, e::$ty::is_known);)*
    };
}

/// Runs the checks on `s` for every open enum of the API.
pub fn check_all(s: &str) {
    check_each!(
        s,
        AuthStatus,
        AuthWaitStatus,
        DeploymentSource,
        DeploymentStatus,
        DeploymentType,
        ListenerComputeType,
        LogLevel,
        LogOrder,
        LogType,
        OAuthProviderType,
        RevisionSource,
        RevisionStatus,
        TokenEndpointAuthMethod,
    );
}

fn check<T>(name: &str, s: &str, known: &[T], is_known: fn(&T) -> bool)
where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + for<'a> From<&'a str>
        + From<String>
        + std::str::FromStr
        + std::fmt::Display
        + AsRef<str>
        + PartialEq
        + std::fmt::Debug,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    let json = serde_json::to_string(s).expect("a string encodes");
    let decoded: T = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{name} rejects the string {json}: {e}"));
    assert_eq!(decoded.as_ref(), s, "{name}: as_str differs from {json}");
    assert_eq!(
        decoded.to_string(),
        s,
        "{name}: Display differs from {json}"
    );
    assert_eq!(
        serde_json::to_string(&decoded).expect("encodes"),
        json,
        "{name}: re-encoding differs"
    );
    assert_eq!(T::from(s), decoded, "{name}: From<&str> differs for {json}");
    assert_eq!(
        T::from(s.to_owned()),
        decoded,
        "{name}: From<String> differs for {json}"
    );
    assert_eq!(
        s.parse::<T>().expect("infallible"),
        decoded,
        "{name}: FromStr differs for {json}"
    );
    let round: T = serde_json::from_str(&serde_json::to_string(&decoded).unwrap()).unwrap();
    assert_eq!(round, decoded, "{name}: second decode differs for {json}");
    // A document value decodes as its typed variant, anything else as `Unrecognized`.
    let spells_known = known.iter().any(|k| k.as_ref() == s);
    assert_eq!(
        is_known(&decoded),
        spells_known,
        "{name}: {json} decoded as {decoded:?}"
    );
}
