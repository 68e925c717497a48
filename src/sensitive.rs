//! [`Sensitive`]: a string that must never be shown, such as a secret's value, an OAuth client
//! secret or an access token.

use std::fmt;

/// A string that is a credential or a secret value. It travels as a plain JSON string, but its
/// `Debug` prints `[redacted]`, so logging a request or response that carries one cannot leak
/// it. It has no `Display` on purpose: read it with [`expose`](Self::expose) where it must go on
/// the wire or be compared.
///
/// The document marks such fields `format: password` (the OpenAPI format for values a
/// client should hide); the generator types every one of them as `Sensitive`
/// (`Secret::value`, `client_secret`, access and registry tokens, the signed upload URL).
///
/// ```
/// use langsmith_control_plane_api::Sensitive;
/// let token = Sensitive::new("s3cr3t");
/// assert_eq!(format!("{token:?}"), "[redacted]");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself: for sending it, comparing it, or handing it to a tool that keeps it
    /// secret. Never for a log line or a message.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value itself, unwrapped (same cautions as [`expose`](Self::expose)).
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Compares the value with a string, so a test can check what was sent without exposing it.
impl PartialEq<str> for Sensitive {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Sensitive {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<&String> for Sensitive {
    fn from(value: &String) -> Self {
        Self(value.clone())
    }
}

/// Never fails: any string is a value (the generator's builders and `clap` parse through it).
impl std::str::FromStr for Sensitive {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(value))
    }
}

/// A string with `format: password`, inline (as the document's own schema of the field).
impl schemars::JsonSchema for Sensitive {
    fn schema_name() -> String {
        "Sensitive".to_owned()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject};
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some(PASSWORD_FORMAT.to_owned()),
            ..SchemaObject::default()
        }
        .into()
    }
}

/// The `format` that marks a sensitive string in the document.
const PASSWORD_FORMAT: &str = "password";
