//! build.rs turns bad documents into one-line messages, never panics.

#[path = "../build/generate.rs"]
#[allow(dead_code)]
mod generate;

use serde_json::{Value, json};

fn minimal(extra_paths: Value, schemas: Value) -> String {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": extra_paths,
        "components": {"schemas": schemas}
    })
    .to_string()
}

fn error_of(text: &str) -> String {
    match generate::generate(text) {
        Ok(_) => panic!("expected an error"),
        Err(message) => message,
    }
}

#[test]
fn our_document_generates() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/control-plane.json"
    ))
    .unwrap();
    let generated = generate::generate(&text).expect("our document generates");
    assert!(generated.client.contains("pub fn get_revision(&self)"));
    assert!(generated.enums.contains("pub enum RevisionStatus"));
}

/// The rewrites of `generate::tighten` reach every operation: each URL is built on the parsed
/// base URL (no `format!` of the whole URL, no `encode_path` and its two `String`s), and no
/// request carries progenitor's `api-version` header.
#[test]
fn every_operation_is_tightened() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/control-plane.json"
    ))
    .unwrap();
    let client = generate::generate(&text).unwrap().client;
    let compact: String = client.split_whitespace().collect();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let operations = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().keys())
        .filter(|method| ["get", "put", "post", "delete", "patch"].contains(&method.as_str()))
        .count();
    assert_eq!(operations, 40);
    assert_eq!(
        compact
            .matches("crate::path::request_url(&client.inner,&client.baseurl,&[")
            .count(),
        operations
    );
    assert!(
        !compact.contains("format!(\"{}/"),
        "a URL is still formatted as text"
    );
    assert!(
        !compact.contains("encode_path(&"),
        "an encode_path call is left"
    );
    assert!(!client.contains("api-version"));
    assert!(
        !client.contains("header_map"),
        "no operation has header parameters"
    );
    // Each operation builds its URL and request in a scope of their own, and awaits the hook
    // outside it.
    assert_eq!(
        compact
            .matches("letresponse={letresult={leturl=crate::path::request_url(")
            .count(),
        operations
    );
    assert_eq!(
        compact
            .matches("client.exec(request,&info)}.await;")
            .count(),
        operations
    );
    // JSON answers are decoded without copying their headers.
    assert!(
        !client.contains("from_response"),
        "progenitor's decoder is left"
    );
    assert!(client.contains("crate::decode::json(response)"));
    // Required parameters start unset without a message built for each call.
    assert!(
        !client.contains("was not initialized"),
        "an unset message is built"
    );
    assert!(compact.contains("deployment_id:Err(::std::string::String::new())"));
    assert!(compact.contains("deployment_id.map_err(crate::path::unset(\"deployment_id\"))?"));
}

/// A parameter that `send()` checks under another name than its own (or not at all) keeps
/// progenitor's message: only what `send()` maps by name starts out empty.
#[test]
fn an_unset_message_is_kept_where_send_does_not_check_it_by_name() {
    let mut file: syn::File = syn::parse_quote! {
        impl<'a> Thing<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client: client,
                    thing_id: Err("thing_id was not initialized".to_string()),
                    body: Err("body was not initialized".to_string()),
                }
            }
            pub async fn send(self) -> Result<(), Error<()>> {
                let Self { client, thing_id, body } = self;
                let thing_id = thing_id.map_err(Error::InvalidRequest)?;
                let body = body.and_then(|v| Ok(v)).map_err(Error::InvalidRequest)?;
                Ok(())
            }
        }
        impl<'a> OtherThing<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self { client: client, other_id: Err("thing_id was not initialized".to_string()) }
            }
            pub async fn send(self) -> Result<(), Error<()>> {
                let Self { client, other_id } = self;
                let thing_id = other_id.and_then(|v| Ok(v)).map_err(Error::InvalidRequest)?;
                Ok(())
            }
        }
    };
    generate::tighten(&mut file);
    let compact: String = quote::quote!(#file)
        .to_string()
        .split_whitespace()
        .collect();
    assert!(
        compact.contains("thing_id:Err(::std::string::String::new())"),
        "{compact}"
    );
    assert!(
        compact.contains("thing_id.map_err(crate::path::unset(\"thing_id\"))"),
        "{compact}"
    );
    assert!(
        compact.contains("body:Err(\"bodywasnotinitialized\".to_string())"),
        "{compact}"
    );
    assert!(
        compact.contains(".map_err(Error::InvalidRequest)"),
        "{compact}"
    );
    // Another builder's `send()` checking a parameter of the same name by name does not count.
    assert!(
        compact.contains("other_id:Err(\"thing_idwasnotinitialized\".to_string())"),
        "{compact}"
    );
}

fn one_operation(path: &str, parameters: Value) -> String {
    let text = minimal(
        json!({path: {"get": {
            "operationId": "get_thing",
            "parameters": parameters,
            "responses": {"200": {"description": "ok"}}
        }}}),
        json!({}),
    );
    generate::generate(&text)
        .unwrap()
        .client
        .split_whitespace()
        .collect()
}

fn path_parameter(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

/// An operation with a header parameter keeps its header map (without `api-version`).
#[test]
fn a_header_parameter_keeps_its_header_map() {
    let compact = one_operation(
        "/things/{thing_id}",
        json!([
            path_parameter("thing_id"),
            {"name": "x-trace", "in": "header", "required": true, "schema": {"type": "string"}}
        ]),
    );
    assert!(!compact.contains("api-version"));
    assert!(compact.contains(".headers(header_map)"));
    assert!(compact.contains("HeaderMap::with_capacity("));
    assert!(
        compact.contains("request_url(&client.inner,&client.baseurl,&[&\"things\",&thing_id]"),
        "{compact}"
    );
}

/// A template with a segment that mixes text and a parameter, or text that would need encoding,
/// keeps progenitor's `format!`, with the parameters encoded through `Segment`.
#[test]
fn an_unusual_path_template_keeps_its_format() {
    for path in [
        "/things/{thing_id}:cancel",
        "/th%69ngs/{thing_id}",
        "/things/{thing_id}/",
    ] {
        let compact = one_operation(path, json!([path_parameter("thing_id")]));
        assert!(!compact.contains("request_url("), "{path}");
        assert!(
            compact.contains("crate::path::Segment(&thing_id)"),
            "{path}"
        );
        assert!(!compact.contains("encode_path(&"), "{path}");
    }
}

#[test]
fn openapi_3_1_is_refused_with_the_way_out() {
    let text = minimal(json!({}), json!({})).replace("3.0.3", "3.1.0");
    let message = error_of(&text);
    assert!(
        message.contains("\"3.1.0\"") && message.contains("cargo xtask spec update"),
        "{message}"
    );
}

#[test]
fn invalid_json_names_the_position() {
    let message = error_of("{\"openapi\": \"3.0.3\",,}");
    assert!(
        message.starts_with("not valid JSON") && message.contains("line 1"),
        "{message}"
    );
}

#[test]
fn an_inline_string_enum_is_refused_with_its_location() {
    let schemas = json!({"Thing": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}});
    let message = error_of(&minimal(json!({}), schemas));
    assert!(
        message.contains("/components/schemas/Thing/properties/kind"),
        "{message}"
    );
}

#[test]
fn enum_values_that_collide_as_rust_names_are_refused() {
    let schemas = json!({"Mode": {"type": "string", "enum": ["dev-free", "dev_free"]}});
    let message = error_of(&minimal(json!({}), schemas));
    assert!(message.contains("both become variant DevFree"), "{message}");
}

#[test]
fn a_structurally_invalid_document_is_a_message() {
    let text = json!({"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}}).to_string();
    let message = error_of(&text);
    assert!(
        message.starts_with("not a valid OpenAPI 3.0 document"),
        "{message}"
    );
}

#[test]
fn a_construct_progenitor_panics_on_becomes_a_message() {
    // Two different error body types in one operation: progenitor asserts and panics.
    let paths = json!({"/x": {"get": {"operationId": "get_x", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
        "404": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
        "422": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}}
    }}}});
    let message = error_of(&minimal(paths, json!({})));
    assert!(
        message.contains("progenitor cannot handle a construct"),
        "{message}"
    );
}
