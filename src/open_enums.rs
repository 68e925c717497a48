//! Every string enum of the API, generated from the document as an *open* enum.
//!
//! The service adds values over time (revision statuses, deployment sources, ...). A closed enum
//! would fail the whole response on the first new value; these keep it as `Unrecognized(String)`
//! and send it back unchanged, while known values keep typed variants.

use std::marker::PhantomData;

include!(concat!(env!("OUT_DIR"), "/open_enums.rs"));

/// Decodes an open enum from a borrowed or owned string without failing on unknown values.
pub(crate) struct OpenEnumVisitor<T> {
    /// The enum's schema name, for the error on a value that is not a string.
    pub(crate) name: &'static str,
    pub(crate) target: PhantomData<T>,
}

impl<T: From<String> + for<'a> From<&'a str>> serde::de::Visitor<'_> for OpenEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a string ({} value)", self.name)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// JSON Schema of an open enum: a string, with the known values listed for editors and validation.
pub(crate) fn string_enum_schema(description: &str, values: &[&str]) -> schemars::schema::Schema {
    use schemars::schema::{InstanceType, Metadata, SchemaObject};
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        enum_values: Some(values.iter().map(|v| serde_json::Value::from(*v)).collect()),
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_string()),
            ..Metadata::default()
        })),
        ..SchemaObject::default()
    }
    .into()
}
