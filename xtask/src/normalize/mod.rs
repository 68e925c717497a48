//! The normalizer: turns an upstream OpenAPI 3.1 document (FastAPI's output) into the 3.0.3 form
//! progenitor reads and build/generate.rs accepts. One function per rule; each rule's doc comment
//! names the failure it prevents. Normalizing is idempotent: a normalized document is a fixed
//! point, byte for byte once written with [`crate::json::to_canonical_string`].
//!
//! Rules never panic, whatever JSON they are given: a node of an unexpected shape is left alone
//! (`spec check` reports what is still wrong).

pub mod document;
pub mod enums;
pub mod schema;

use serde_json::Value;

use crate::walk::{Kind, walk};

pub use enums::EnumNames;

/// The rules, in the order they run; each has a fixture pair under `xtask/tests/fixtures/normalize/`.
pub const RULES: &[&str] = &[
    "set_version",
    "drop_3_1_only_fields",
    "const_to_enum",
    "examples_to_example",
    "exclusive_bounds",
    "type_list_to_nullable",
    "null_enum_value_to_nullable",
    "null_member_to_nullable",
    "drop_unknown_keywords",
    "strip_inline_title",
    "type_untyped_string_enum",
    "disjoint_any_of_to_one_of",
    "parameter_not_nullable",
    "ref_siblings_to_all_of",
    "lone_all_of_to_ref",
    "describe_response",
    "shorten_operation_ids",
    "one_error_body",
    "remove_undefined_security",
    "hoist_string_enums",
];

/// Normalizes a document in place.
pub fn normalize(doc: &mut Value) {
    normalize_with(doc, &EnumNames::new());
}

/// Normalizes a document in place, naming hoisted enums after `names` where it has a name.
pub fn normalize_with(doc: &mut Value, names: &EnumNames) {
    if !doc.is_object() {
        return;
    }
    document::set_version(doc);
    document::drop_3_1_only_fields(doc);
    walk(doc, &mut |kind, site, value| match kind {
        Kind::Schema(role) => schema::apply(value, role),
        Kind::Response => {
            let status = site.segments().last().map_or("", String::as_str);
            document::describe_response(value, status);
        }
        _ => {}
    });
    document::shorten_operation_ids(doc);
    document::one_error_body(doc);
    document::remove_undefined_security(doc);
    enums::hoist_string_enums(doc, names);
}
