//! Rules that rewrite one schema object. Each runs on a schema whose subschemas are already
//! normalized; `apply` repeats them until the schema stops changing.

use serde_json::{Map, Value, json};

use crate::walk::SchemaRole;

type Schema = Map<String, Value>;

/// Applies every schema rule, in order, until the schema is stable.
pub fn apply(value: &mut Value, role: SchemaRole) {
    let Some(schema) = value.as_object_mut() else {
        return;
    };
    // Each rule only removes keywords or moves them towards the 3.0 form, so this settles fast;
    // the bound is a guard, not a tuning knob.
    for _ in 0..8 {
        let before = schema.clone();
        const_to_enum(schema);
        examples_to_example(schema);
        exclusive_bounds(schema);
        type_list_to_nullable(schema);
        null_enum_value_to_nullable(schema);
        null_member_to_nullable(schema);
        drop_unknown_keywords(schema);
        strip_inline_title(schema, role);
        type_untyped_string_enum(schema);
        disjoint_any_of_to_one_of(schema);
        parameter_not_nullable(schema, role);
        ref_siblings_to_all_of(schema);
        lone_all_of_to_ref(schema);
        if *schema == before {
            break;
        }
    }
}

/// `const: v` (3.1) becomes `enum: [v]`.
///
/// openapiv3 does not know `const` and drops it silently, so typify would type a fixed value as
/// a free string; as a one-value enum it becomes a named enum like every other.
pub fn const_to_enum(schema: &mut Schema) {
    if let Some(value) = schema.remove("const") {
        schema.insert("enum".into(), Value::Array(vec![value]));
    }
}

/// JSON Schema `examples: [a, ...]` becomes the 3.0 `example: a`.
///
/// Prevents no generator failure (openapiv3 ignores `examples`); it keeps the example in the
/// keyword 3.0 has instead of dropping it with the unknown keywords.
pub fn examples_to_example(schema: &mut Schema) {
    if let Some(examples) = schema.remove("examples")
        && let (false, Value::Array(mut list)) = (schema.contains_key("example"), examples)
        && !list.is_empty()
    {
        schema.insert("example".into(), list.swap_remove(0));
    }
}

/// Numeric `exclusiveMinimum: n` (3.1) becomes `minimum: n, exclusiveMinimum: true` (3.0), and a
/// boolean flag without its bound is dropped.
///
/// openapiv3 fails to parse a numeric `exclusiveMinimum` ("invalid type: integer, expected a
/// boolean"), and progenitor panics with `todo!("exclusive_minimum set without minimum")` on a
/// flag without a bound.
pub fn exclusive_bounds(schema: &mut Schema) {
    for (flag, bound, stricter) in [
        (
            "exclusiveMinimum",
            "minimum",
            f64::gt as fn(&f64, &f64) -> bool,
        ),
        (
            "exclusiveMaximum",
            "maximum",
            f64::lt as fn(&f64, &f64) -> bool,
        ),
    ] {
        match schema.get(flag) {
            Some(Value::Number(limit)) => {
                let limit = limit.clone();
                schema.remove(flag);
                let current = schema.get(bound).and_then(Value::as_f64);
                let limit_f = limit.as_f64().unwrap_or(0.0);
                if current.is_some_and(|c| stricter(&c, &limit_f)) {
                    continue;
                }
                schema.insert(bound.into(), Value::Number(limit));
                schema.insert(flag.into(), Value::Bool(true));
            }
            Some(Value::Bool(true)) if schema.get(bound).is_some_and(Value::is_number) => {}
            Some(_) => {
                schema.remove(flag);
            }
            None => {}
        }
    }
}

/// `type: [T, "null"]` (3.1) becomes `type: T, nullable: true`; a bare `type: "null"` becomes
/// `nullable: true`; several non-null types become a `oneOf` of one schema per type.
///
/// openapiv3 fails to parse a list in `type`, and progenitor panics on `type: null`
/// (`todo!("invalid type: null")`).
pub fn type_list_to_nullable(schema: &mut Schema) {
    let types: Vec<Value> = match schema.get("type") {
        Some(Value::Array(list)) => list.clone(),
        Some(Value::String(t)) if t == "null" => vec![Value::String("null".into())],
        Some(Value::String(_)) | None => return,
        Some(_) => Vec::new(),
    };
    schema.remove("type");
    let mut named: Vec<String> = Vec::new();
    for t in &types {
        match t.as_str() {
            Some("null") => {
                schema.insert("nullable".into(), Value::Bool(true));
            }
            Some(t) if !named.iter().any(|n| n == t) => named.push(t.to_string()),
            _ => {}
        }
    }
    match named.as_slice() {
        [] => {}
        [only] => {
            schema.insert("type".into(), Value::String(only.clone()));
        }
        several if !schema.contains_key("oneOf") => {
            let members = several.iter().map(|t| json!({ "type": t })).collect();
            schema.insert("oneOf".into(), Value::Array(members));
        }
        _ => {}
    }
}

/// `null` among `enum` values becomes `nullable: true`.
///
/// The open enums generated from the document hold strings only; a `null` value would make
/// build/generate.rs reject the enum.
pub fn null_enum_value_to_nullable(schema: &mut Schema) {
    let Some(Value::Array(values)) = schema.get_mut("enum") else {
        return;
    };
    if !values.iter().any(Value::is_null) {
        return;
    }
    values.retain(|v| !v.is_null());
    if values.is_empty() {
        schema.remove("enum");
    }
    schema.insert("nullable".into(), Value::Bool(true));
}

/// Whether a subschema only says "null": `{type: null}`, or what [`type_list_to_nullable`] made of it.
fn is_null_member(member: &Value) -> bool {
    let Some(map) = member.as_object() else {
        return false;
    };
    if map.get("type").and_then(Value::as_str) == Some("null") {
        return true;
    }
    map.get("nullable") == Some(&Value::Bool(true))
        && map
            .keys()
            .all(|k| matches!(k.as_str(), "nullable" | "description" | "title" | "default"))
}

/// `anyOf`/`oneOf: [X, {type: null}]` becomes X with `nullable: true`; a `$ref` X is written
/// `allOf: [{$ref}], nullable: true`.
///
/// progenitor panics on a null member (`todo!("invalid type: null")`); this is how FastAPI
/// writes every `Optional[...]` field.
pub fn null_member_to_nullable(schema: &mut Schema) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get(keyword) else {
            continue;
        };
        if !members.iter().any(is_null_member) {
            continue;
        }
        let mut rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_member(m))
            .cloned()
            .collect();
        schema.remove(keyword);
        schema.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {}
            1 => merge_member(schema, rest.swap_remove(0)),
            _ => {
                schema.insert(keyword.into(), Value::Array(rest));
            }
        }
    }
}

/// Moves the only remaining member of a union into the schema that held it; the outer schema's
/// own keywords (description, default...) win.
fn merge_member(schema: &mut Schema, member: Value) {
    match member {
        Value::Object(map) if map.contains_key("$ref") => {
            let all_of = schema
                .entry("allOf")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = all_of {
                list.insert(0, Value::Object(map));
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                if key == "nullable" {
                    continue;
                }
                schema.entry(key).or_insert(value);
            }
        }
        _ => {}
    }
}

/// Schema keywords of OpenAPI 3.0.3 (plus `$ref`); anything else but `x-` extensions is dropped.
const KEYWORDS_3_0: &[&str] = &[
    "$ref",
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// Keywords 3.0 does not have (`$defs`, `prefixItems`, FastAPI's `include_in_schema`...) are dropped.
///
/// Prevents no generator failure (openapiv3 ignores them, so typify never sees what they say);
/// dropping them makes the document valid 3.0.3 and say only what the generated code honours.
pub fn drop_unknown_keywords(schema: &mut Schema) {
    schema.retain(|key, _| KEYWORDS_3_0.contains(&key.as_str()) || key.starts_with("x-"));
}

/// `title` is dropped everywhere but on a component's root.
///
/// typify names an inline type after its title and reuses an existing type of the same name
/// without comparing structure, so two different inline schemas titled alike silently become one
/// type and one side stops decoding.
pub fn strip_inline_title(schema: &mut Schema, role: SchemaRole) {
    if role != SchemaRole::ComponentRoot {
        schema.remove("title");
    }
}

/// An `enum` of strings without a `type` gets `type: string`.
///
/// Only `type: string` enums become open enums (build/generate.rs); an untyped one would come out
/// of typify as a closed enum that fails the whole response on an unknown value.
pub fn type_untyped_string_enum(schema: &mut Schema) {
    if schema.contains_key("type") {
        return;
    }
    if let Some(Value::Array(values)) = schema.get("enum")
        && !values.is_empty()
        && values.iter().all(Value::is_string)
    {
        schema.insert("type".into(), Value::String("string".into()));
    }
}

/// `anyOf` whose members are of distinct plain types (`string` | `integer`) becomes `oneOf`.
///
/// Prevents no generator failure: for disjoint members the two say the same, and typify's own
/// mutual-exclusion check already treats such an `anyOf` as a `oneOf` (an untagged enum; an
/// `anyOf` it cannot prove exclusive becomes a struct of flattened optional members instead).
/// Writing `oneOf` states what the generated type is, and is the vendored document's spelling.
pub fn disjoint_any_of_to_one_of(schema: &mut Schema) {
    if schema.contains_key("oneOf") {
        return;
    }
    let Some(Value::Array(members)) = schema.get("anyOf") else {
        return;
    };
    let mut types = Vec::new();
    for member in members {
        let Some(t) = member.get("type").and_then(Value::as_str) else {
            return;
        };
        if member.get("$ref").is_some() || types.contains(&t) {
            return;
        }
        types.push(t);
    }
    // Every integer is a number: those two overlap.
    let overlapping = types.contains(&"integer") && types.contains(&"number");
    if types.len() >= 2
        && !overlapping
        && let Some(members) = schema.remove("anyOf")
    {
        schema.insert("oneOf".into(), members);
    }
}

/// A parameter's schema is not nullable.
///
/// Prevents no generator failure (progenitor ignores `nullable` on a parameter and types an
/// optional one as `Option<T>` either way). A query or path parameter cannot carry a JSON null:
/// FastAPI's `Optional[str] = None` only means "may be left out", which `required: false`
/// already says; without the claim an enum parameter is a plain `$ref`.
pub fn parameter_not_nullable(schema: &mut Schema, role: SchemaRole) {
    if role == SchemaRole::ParameterRoot {
        schema.remove("nullable");
    }
}

/// `$ref` with sibling keywords becomes `allOf: [{$ref}]` plus the siblings.
///
/// In 3.0 a reference object is only `$ref`: openapiv3 drops the siblings (a `nullable` beside a
/// `$ref` would be lost and the field would fail on null).
pub fn ref_siblings_to_all_of(schema: &mut Schema) {
    if schema.len() < 2 {
        return;
    }
    if let Some(reference) = schema.remove("$ref") {
        let member = json!({ "$ref": reference });
        match schema.get_mut("allOf") {
            Some(Value::Array(list)) => list.insert(0, member),
            _ => {
                schema.insert("allOf".into(), Value::Array(vec![member]));
            }
        }
    }
}

/// `allOf: [{$ref}]` with nothing beside it becomes the plain `$ref`.
///
/// Prevents no generator failure: the two say the same. One spelling keeps the output stable
/// (dropping a description in `spec update` leaves this shape behind).
pub fn lone_all_of_to_ref(schema: &mut Schema) {
    if schema.len() != 1 {
        return;
    }
    let is_lone_ref = matches!(
        schema.get("allOf"),
        Some(Value::Array(list)) if list.len() == 1
            && list[0].as_object().is_some_and(|m| m.len() == 1 && m.contains_key("$ref"))
    );
    if is_lone_ref
        && let Some(Value::Array(mut list)) = schema.remove("allOf")
        && let Value::Object(member) = list.swap_remove(0)
    {
        *schema = member;
    }
}
