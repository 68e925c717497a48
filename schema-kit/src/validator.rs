//! A schema compiled once and used to validate many values.

use boon::{CompileError, Compiler, SchemaIndex, Schemas, ValidationError};
use serde_json::Value;

/// A JSON Schema compiled by boon, registered at a location that is never fetched.
pub struct Validator {
    schemas: Schemas,
    index: SchemaIndex,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator").finish_non_exhaustive()
    }
}

impl Validator {
    /// Compiles `schema`, registered at `location` (an absolute URL, e.g.
    /// `https://example.invalid/spec.json`), with boon's default settings.
    ///
    /// # Errors
    ///
    /// When `schema` is not a valid JSON Schema.
    pub fn new(location: &str, schema: Value) -> Result<Self, Box<CompileError>> {
        Self::with_compiler(Compiler::new(), location, schema, location)
    }

    /// Registers `document` at `location` with a compiler set up by the caller (formats, draft),
    /// and compiles the schema at `schema_location`: `location` itself, or a place inside the
    /// document (`{location}#/components/schemas/Name`).
    ///
    /// # Errors
    ///
    /// When the document cannot be registered or the schema does not compile.
    pub fn with_compiler(
        mut compiler: Compiler,
        location: &str,
        document: Value,
        schema_location: &str,
    ) -> Result<Self, Box<CompileError>> {
        compiler.add_resource(location, document)?;
        let mut schemas = Schemas::new();
        let index = compiler.compile(schema_location, &mut schemas)?;
        Ok(Self { schemas, index })
    }

    /// Checks `value`; the error is boon's tree of every failure (see [`leaves`](crate::leaves)).
    ///
    /// # Errors
    ///
    /// When `value` does not match the schema.
    pub fn validate<'v>(&self, value: &'v Value) -> Result<(), Box<ValidationError<'_, 'v>>> {
        self.schemas.validate(value, self.index).map_err(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schema_inside_a_document_is_compiled_by_its_location() {
        let document = json!({"components": {"schemas": {"Id": {"type": "integer"}}}});
        let location = "https://example.invalid/doc.json";
        let id = format!("{location}#/components/schemas/Id");
        let validator =
            Validator::with_compiler(Compiler::new(), location, document, &id).expect("compiles");
        assert!(validator.validate(&json!(3)).is_ok());
        assert!(validator.validate(&json!("3")).is_err());
    }

    #[test]
    fn a_broken_schema_is_an_error() {
        let broken = json!({"type": "no-such-type"});
        assert!(Validator::new("https://example.invalid/broken.json", broken).is_err());
    }
}
