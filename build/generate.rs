//! Turns the vendored OpenAPI document into Rust: open string enums plus the progenitor client.
//!
//! Shared by `build.rs` and `cargo xtask codegen` (included by path, so both produce the same code).
//! Errors are one-line messages meant for a person; no panic escapes.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Where the generated enums live, as seen from the generated `types` module.
const ENUM_MODULE: &str = "crate::open_enums";

/// The hand-written type of every sensitive string (`format: password`), as seen from `types`.
const SENSITIVE_TYPE: &str = "crate::sensitive::Sensitive";

/// The OpenAPI format that marks a string a client must hide (a secret value, a token).
const SENSITIVE_FORMAT: &str = "password";

/// Keywords a sensitive string may carry besides prose: the generator replaces exactly
/// `{type: string, format: password}`, nullable or not, so anything more would slip past it.
const SENSITIVE_KEYWORDS: &[&str] = &["type", "format", "nullable"];

/// Name of the catch-all variant. `Unknown` is taken: `RevisionStatus` has a real `UNKNOWN` value.
const CATCH_ALL: &str = "Unrecognized";

/// The generated Rust, formatted.
pub struct Generated {
    /// Open enums, one per string enum of the document (`open_enums` module body).
    pub enums: String,
    /// The progenitor client and types.
    pub client: String,
    /// The path template of each operation (`operations` module body).
    pub operations: String,
}

/// Generates both parts from the text of an OpenAPI 3.0.x document.
pub fn generate(spec_text: &str) -> Result<Generated, String> {
    let raw: Value = serde_json::from_str(spec_text).map_err(|e| format!("not valid JSON: {e}"))?;
    let version = raw.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(format!(
            "`openapi` is {version:?}, but progenitor reads only 3.0.x documents \
             (run `cargo xtask spec update` to normalize an upstream 3.1 document)"
        ));
    }
    let enums = collect_enums(&raw)?;
    check_sensitive_strings(&raw, "")?;
    let spec: openapiv3::OpenAPI = serde_json::from_str(spec_text)
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;

    Ok(Generated {
        enums: unparse(enums.iter().map(OpenEnum::tokens).collect(), "open enums")?,
        client: unparse(run_progenitor(&spec, &enums)?, "client")?,
        operations: unparse(operation_paths(&raw), "operations")?,
    })
}

/// `OPERATION_PATHS`: each operation ID with its path template, so the request hook can check
/// that every path parameter stayed one segment.
fn operation_paths(raw: &Value) -> TokenStream {
    let mut rows = Vec::new();
    let paths = raw.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for operation in item.as_object().into_iter().flat_map(|ops| ops.values()) {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                rows.push(quote!((#id, #path)));
            }
        }
    }
    quote! {
        /// Each operation ID with its path template.
        pub const OPERATION_PATHS: &[(&str, &str)] = &[ #(#rows,)* ];
    }
}

fn run_progenitor(spec: &openapiv3::OpenAPI, enums: &[OpenEnum]) -> Result<TokenStream, String> {
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote!(crate::transport::Transport))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // Free-form string maps (labels, resource limits) encode in key order: with typify's
        // default HashMap the same value gave differently ordered JSON on every run (found by
        // fuzzing; tests/it/schemas.rs `string_maps_encode_in_key_order`).
        .with_map_type("::std::collections::BTreeMap");
    for e in enums {
        let path = format!("{ENUM_MODULE}::{}", e.name);
        let impls = [
            progenitor::TypeImpl::Display,
            progenitor::TypeImpl::FromStr,
            progenitor::TypeImpl::FromStringIrrefutable,
        ];
        settings.with_replacement(&e.name, path, impls.into_iter());
    }
    // Sensitive strings become `Sensitive`, whose `Debug` hides the value. typify matches the
    // schema without its prose; the schema is written as JSON so that its type (schemars'
    // `SchemaObject`) comes from the parameter, with no schemars of our own in the build.
    let sensitive = serde_json::json!({ "type": "string", "format": SENSITIVE_FORMAT });
    let sensitive = serde_json::from_value(sensitive)
        .map_err(|e| format!("the schema of a sensitive string does not decode: {e}"))?;
    let impls = [progenitor::TypeImpl::Default, progenitor::TypeImpl::FromStr];
    settings.with_conversion(sensitive, SENSITIVE_TYPE, impls.into_iter());
    // progenitor and typify report some unsupported constructs by panicking; turn that into a message.
    let result = quietly(|| {
        let mut generator = progenitor::Generator::new(&settings);
        generator.generate_tokens(spec)
    });
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor rejected the document: {e}")),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown cause");
            Err(format!(
                "progenitor cannot handle a construct in the document ({what}); \
                 `cargo xtask spec check` names the usual suspects"
            ))
        }
    }
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without printing it. The process-wide panic hook is wrapped once,
/// and stays silent only on the thread running `f`, so panics elsewhere still report normally.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static WRAP_HOOK: std::sync::Once = std::sync::Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(false));
    result
}

/// The generated code, formatted.
fn unparse(tokens: TokenStream, what: &str) -> Result<String, String> {
    let file =
        syn::parse2(tokens).map_err(|e| format!("generated {what} code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// A string enum of the document that becomes an open Rust enum.
struct OpenEnum {
    name: String,
    /// The schema's description, or a line naming the enum.
    doc: String,
    /// (wire value, variant name)
    values: Vec<(String, String)>,
}

/// Every string enum must be a named component so its replacement reaches every use.
fn collect_enums(raw: &Value) -> Result<Vec<OpenEnum>, String> {
    let schemas = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut enums = Vec::new();
    for (name, schema) in schemas.into_iter().flatten() {
        if is_string_enum(schema) {
            enums.push(OpenEnum::new(name, schema)?);
        } else {
            reject_inline_enums(schema, &format!("/components/schemas/{name}"))?;
        }
    }
    if let Some(paths) = raw.get("paths") {
        reject_inline_enums(paths, "/paths")?;
    }
    Ok(enums)
}

/// Every schema with `format: password` must be a plain string (nullable or not, with prose), the
/// one shape the generator turns into `Sensitive`: anything else would silently stay a `String`
/// whose `Debug` shows the value.
fn check_sensitive_strings(node: &Value, pointer: &str) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some(SENSITIVE_FORMAT) {
                let prose = [
                    "description",
                    "title",
                    "example",
                    "examples",
                    "externalDocs",
                ];
                let extra: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !SENSITIVE_KEYWORDS.contains(k) && !prose.contains(k))
                    .collect();
                if map.get("type").and_then(Value::as_str) != Some("string") || !extra.is_empty() {
                    return Err(format!(
                        "sensitive string at {pointer} (`format: {SENSITIVE_FORMAT}`) must be \
                         `type: string` with only `nullable` and prose beside it (found: {}), \
                         or it would not be generated as `Sensitive`",
                        map.keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            for (key, child) in map {
                check_sensitive_strings(child, &format!("{pointer}/{}", escape_pointer(key)))?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_sensitive_strings(child, &format!("{pointer}/{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `segment` escaped for a JSON pointer (`~` as `~0`, `/` as `~1`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether a schema is one this generator turns into an open enum (the normalizer asks too).
pub fn is_string_enum(schema: &Value) -> bool {
    schema.get("enum").is_some() && schema.get("type").and_then(Value::as_str) == Some("string")
}

fn reject_inline_enums(node: &Value, pointer: &str) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            if is_string_enum(node) {
                return Err(format!(
                    "inline string enum at {pointer}: make it a named schema under \
                     /components/schemas and refer to it, so it can be generated as an open enum"
                ));
            }
            for (key, child) in map {
                reject_inline_enums(child, &format!("{pointer}/{}", escape_pointer(key)))?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                reject_inline_enums(child, &format!("{pointer}/{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl OpenEnum {
    fn new(name: &str, schema: &Value) -> Result<Self, String> {
        let mut values = Vec::new();
        let mut seen = BTreeMap::new();
        for value in schema["enum"].as_array().into_iter().flatten() {
            let Some(text) = value.as_str() else {
                return Err(format!(
                    "enum {name} has a non-string value {value}; only string enums are supported"
                ));
            };
            let variant = variant_name(text);
            if variant == CATCH_ALL {
                return Err(format!(
                    "enum {name}: value {text:?} clashes with the catch-all variant"
                ));
            }
            if let Some(other) = seen.insert(variant.clone(), text.to_string()) {
                return Err(format!(
                    "enum {name}: values {other:?} and {text:?} both become variant {variant}"
                ));
            }
            values.push((text.to_string(), variant));
        }
        if values.is_empty() {
            return Err(format!("enum {name} lists no values"));
        }
        // `ResourceSpec-Input` -> `ResourceSpecInput`, as typify names component types.
        let name = pascal_case(name);
        let doc = match schema.get("description").and_then(Value::as_str) {
            Some(text) => text.to_string(),
            None => format!("Values of `{name}`."),
        };
        Ok(Self { name, doc, values })
    }

    fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.name);
        let catch_all = format_ident!("{CATCH_ALL}");
        let doc = &self.doc;
        let open_doc = format!(
            "Open enum: a value this version does not know decodes as `{CATCH_ALL}` and is sent back unchanged."
        );
        let (wire, variants): (Vec<&str>, Vec<_>) = self
            .values
            .iter()
            .map(|(w, v)| (w.as_str(), format_ident!("{v}")))
            .unzip();
        let variant_docs: Vec<String> = wire.iter().map(|w| format!("`{w}`")).collect();
        let schema_name = &self.name;
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = #open_doc]
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #( #[doc = #variant_docs] #variants, )*
                /// A value not known to this version of the client, kept as received.
                #catch_all(String),
            }

            impl #name {
                /// Every value this version knows, in the document's order.
                pub const KNOWN: &'static [Self] = &[ #( Self::#variants, )* ];

                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#variants => #wire, )*
                        Self::#catch_all(other) => other.as_str(),
                    }
                }

                /// Whether this is one of the values this version knows.
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::#catch_all(_))
                }

                fn from_wire(value: &str) -> Option<Self> {
                    match value {
                        #( #wire => Some(Self::#variants), )*
                        _ => None,
                    }
                }
            }

            // `pad`, not `write_str`: width, alignment and precision apply as they do to a `str`.
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.pad(self.as_str())
                }
            }

            impl ::std::str::FromStr for #name {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                    Ok(Self::from(value))
                }
            }

            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    Self::from_wire(value).unwrap_or_else(|| Self::#catch_all(value.to_owned()))
                }
            }

            impl ::std::convert::From<&String> for #name {
                fn from(value: &String) -> Self {
                    Self::from(value.as_str())
                }
            }

            impl ::std::convert::From<String> for #name {
                fn from(value: String) -> Self {
                    Self::from_wire(&value).unwrap_or(Self::#catch_all(value))
                }
            }

            impl ::std::convert::AsRef<str> for #name {
                fn as_ref(&self) -> &str {
                    self.as_str()
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let visitor = crate::open_enums::OpenEnumVisitor { name: #schema_name, target: ::std::marker::PhantomData::<Self> };
                    deserializer.deserialize_str(visitor)
                }
            }

            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> String {
                    #schema_name.to_string()
                }
                fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                    crate::open_enums::string_enum_schema(#doc, &[ #( #wire, )* ])
                }
            }
        }
    }
}

/// `AWAITING_BUILD` -> `AwaitingBuild`, `dev_free` -> `DevFree`, `k8s` -> `K8s`.
fn variant_name(value: &str) -> String {
    let name = pascal_case(value);
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => name,
        _ => format!("V{name}"),
    }
}

/// `deployment_type` -> `DeploymentType`, `AWAITING_BUILD` -> `AwaitingBuild`, as typify does.
/// Also used by xtask's normalizer to name hoisted enums.
pub fn pascal_case(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let all_upper = word.chars().all(|c| !c.is_ascii_lowercase());
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    out
}
