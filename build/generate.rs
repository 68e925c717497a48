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

/// Name of the catch-all variant. `Unknown` is taken: `RevisionStatus` has a real `UNKNOWN` value.
const CATCH_ALL: &str = "Unrecognized";

/// The generated Rust, formatted.
pub struct Generated {
    /// Open enums, one per string enum of the document (`open_enums` module body).
    pub enums: String,
    /// The progenitor client and types.
    pub client: String,
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
    let spec: openapiv3::OpenAPI = serde_json::from_str(spec_text)
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;

    let enum_tokens = enums.iter().map(OpenEnum::tokens).collect::<TokenStream>();
    let client_tokens = run_progenitor(&spec, &enums)?;
    let mut client = parse_file(client_tokens, "client")?;
    tighten(&mut client);
    Ok(Generated {
        enums: prettyplease::unparse(&parse_file(enum_tokens, "open enums")?),
        client: prettyplease::unparse(&client),
    })
}

/// Rewrites of progenitor's output that keep what it sends and spare every request some work.
/// Each is checked in `tests/generator.rs` (nothing left to rewrite) and on the wire in
/// `tests/operations.rs`.
///
/// - The request URL is built by `crate::path::request_url` on the client's base URL, parsed
///   once, with the path template's segments pushed onto it, instead of `format!`ting the whole
///   URL as text for `reqwest` to parse again (scheme, host, path) on every request. A template
///   this does not recognise keeps its `format!`, with each path parameter formatted through
///   `crate::path::Segment`, which percent-encodes while formatting, instead of
///   `encode_path(&value.to_string())` (two `String`s per parameter).
/// - No `api-version` header. progenitor sends the document's `info.version` with every request,
///   a convention of Dropshot servers; the Control Plane has no such header, and our document's
///   version numbers the document, not the API. Without it, an operation with no header
///   parameters (all 40 of ours) builds no header map of its own either.
/// - A JSON answer is decoded by `crate::decode::json`, which moves the answer's headers into
///   the `ResponseValue` where `ResponseValue::from_response` copies them.
/// - The URL, the request and the hook's raw result are scoped (`scope_the_request`), so they
///   take no room in the states of an operation's future that come after them.
/// - A builder's required parameter starts out unset as an empty `String` error, not as a
///   `"x was not initialized"` one built for every call and dropped as soon as the parameter is
///   set. `send()` turns an empty error back into that message (`crate::path::unset`), so a
///   caller who forgets a parameter reads exactly what progenitor would have said. Only the
///   parameters the same builder's `send()` checks by name are rewritten. (A builder's `Debug`
///   shows such a parameter as `Err("")` until it is set.)
pub fn tighten(file: &mut syn::File) {
    syn::visit_mut::VisitMut::visit_file_mut(&mut Tighten, file);
    syn::visit_mut::VisitMut::visit_file_mut(&mut UnsetPerBuilder, file);
}

/// Runs [`UnsetLazily`] on each `impl` block (a builder's `new` and `send` sit in one) with the
/// parameters that block's `send()` checks by name.
struct UnsetPerBuilder;

impl syn::visit_mut::VisitMut for UnsetPerBuilder {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let mut checked = CheckedByName::default();
        syn::visit::Visit::visit_item_impl(&mut checked, item);
        if !checked.0.is_empty() {
            syn::visit_mut::VisitMut::visit_item_impl_mut(&mut UnsetLazily(checked.0), item);
        }
    }
}

/// Whether `expr` is `Error::InvalidRequest`, the function `send()` maps a parameter's error with.
fn is_invalid_request(expr: &syn::Expr) -> bool {
    matches!(expr, syn::Expr::Path(path)
        if path.path.segments.len() == 2
            && path.path.segments[0].ident == "Error"
            && path.path.segments[1].ident == "InvalidRequest")
}

/// The parameter `x` of `x.map_err(Error::InvalidRequest)`.
fn checked_parameter(call: &syn::ExprMethodCall) -> Option<&syn::Ident> {
    if call.method != "map_err" || call.args.len() != 1 || !is_invalid_request(&call.args[0]) {
        return None;
    }
    match &*call.receiver {
        syn::Expr::Path(path) => path.path.get_ident(),
        _ => None,
    }
}

/// The parameters `send()` checks as `x.map_err(Error::InvalidRequest)`.
#[derive(Default)]
struct CheckedByName(std::collections::BTreeSet<String>);

impl<'ast> syn::visit::Visit<'ast> for CheckedByName {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if let Some(name) = checked_parameter(call) {
            self.0.insert(name.to_string());
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// `Err("x was not initialized".to_string())` as `Err(String::new())`, and
/// `x.map_err(Error::InvalidRequest)` as `x.map_err(crate::path::unset("x"))`, for the
/// parameters `x` in the set.
struct UnsetLazily(std::collections::BTreeSet<String>);

impl UnsetLazily {
    /// The parameter named by `"x was not initialized".to_string()`, if it is one of ours.
    fn unset_message(&self, expr: &syn::Expr) -> bool {
        let syn::Expr::MethodCall(call) = expr else {
            return false;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &*call.receiver
        else {
            return false;
        };
        call.method == "to_string"
            && call.args.is_empty()
            && text
                .value()
                .strip_suffix(" was not initialized")
                .is_some_and(|name| self.0.contains(name))
    }
}

impl syn::visit_mut::VisitMut for UnsetLazily {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr
            && matches!(&*call.func, syn::Expr::Path(path) if path.path.is_ident("Err"))
            && call.args.len() == 1
            && self.unset_message(&call.args[0])
        {
            call.args[0] = syn::parse_quote!(::std::string::String::new());
            return;
        }
        if let syn::Expr::MethodCall(call) = expr
            && let Some(name) = checked_parameter(call).map(ToString::to_string)
        {
            call.args[0] = syn::parse_quote!(crate::path::unset(#name));
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

struct Tighten;

type FormatArgs = syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>;

impl syn::visit_mut::VisitMut for Tighten {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr
            && let syn::Expr::Path(func) = &*call.func
            && func.qself.is_none()
            && func.path.segments.len() == 2
            && func.path.segments[0].ident == "ResponseValue"
            && func.path.segments[1].ident == "from_response"
            && call.args.len() == 1
        {
            call.func = syn::parse_quote!(crate::decode::json);
            syn::visit_mut::visit_expr_mut(self, expr);
            return;
        }
        if let syn::Expr::Macro(mac) = expr
            && mac.mac.path.is_ident("format")
            && let Ok(mut args) = mac.mac.parse_body_with(FormatArgs::parse_terminated)
        {
            if let Some(built) = request_url(&args) {
                *expr = built;
                return;
            }
            let mut changed = false;
            for arg in args.iter_mut() {
                if let Some(value) = encoded_path_value(arg) {
                    *arg = syn::parse_quote!(crate::path::Segment(&#value));
                    changed = true;
                }
            }
            if changed {
                mac.mac.tokens = quote!(#args);
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        drop_unused_header_map(block);
        syn::visit_mut::visit_block_mut(self, block);
        scope_the_request(block);
    }
}

/// The name bound by `let NAME = ...;`, if `stmt` is one.
fn bound_name(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(pat) = &local.pat else {
        return None;
    };
    Some(pat.ident.to_string())
}

/// In `send()`, the URL and the request are built inside a block that hands the hook's future
/// out, and the raw result lives in a block that yields the response:
///
/// ```text
/// let info = OperationInfo { .. };
/// let response = {
///     let result = { let url = ..; let mut request = ..; client.pre(..).await?; client.exec(request, &info) }.await;
///     client.post(&result, &info).await?;
///     result?
/// };
/// ```
///
/// Same statements, same order (`info` is a plain struct literal, built first). A local keeps its
/// room in an `async fn`'s future for as long as it is in scope, even moved out; scoped, the URL,
/// the request and the raw result no longer take room in every later state: about 490 bytes
/// less per operation future.
fn scope_the_request(block: &mut syn::Block) {
    let names: Vec<Option<String>> = block.stmts.iter().map(bound_name).collect();
    let at = |name: &str| names.iter().position(|n| n.as_deref() == Some(name));
    let (Some(url), Some(request), Some(info)) = (at("url"), at("request"), at("info")) else {
        return;
    };
    // `info`, then the hooks around the exchange: pre, exec, post, and the response.
    if !(url < request && request + 1 == info && block.stmts.len() > info + 4)
        || names[info + 2].as_deref() != Some("result")
        || names[info + 4].as_deref() != Some("response")
    {
        return;
    }
    let syn::Stmt::Local(result) = &block.stmts[info + 2] else {
        return;
    };
    let Some(syn::Expr::Await(exec)) = result.init.as_ref().map(|init| &*init.expr) else {
        return;
    };
    let exec = (*exec.base).clone();
    let mut tail = block.stmts.split_off(url);
    let mut rest = tail.split_off(info - url + 5);
    let post = tail[info - url + 3].clone();
    let pre = tail[info - url + 1].clone();
    let info_stmt = tail[info - url].clone();
    let built = &tail[..info - url];
    block.stmts.push(info_stmt);
    block.stmts.push(syn::parse_quote! {
        let response = {
            let result = {
                #(#built)*
                #pre
                #exec
            }
            .await;
            #post
            result?
        };
    });
    block.stmts.append(&mut rest);
}

/// The arguments of `format!("{}/a/{}/b", client.baseurl, encode_path(&x.to_string()))` as
/// `crate::path::request_url(&client.inner, &client.baseurl, &[&"a", &x, &"b"])
/// .map_err(Error::InvalidRequest)?`, when every segment of the template is either plain text
/// that needs no encoding or exactly one parameter.
fn request_url(args: &FormatArgs) -> Option<syn::Expr> {
    let mut args = args.iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = args.next()?
    else {
        return None;
    };
    let syn::Expr::Field(base) = args.next()? else {
        return None;
    };
    let is_client = matches!(&*base.base, syn::Expr::Path(p) if p.path.is_ident("client"));
    if !is_client || !matches!(&base.member, syn::Member::Named(name) if name == "baseurl") {
        return None;
    }
    let template = template.value();
    let path = template.strip_prefix("{}/")?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c);
    let mut segments = Vec::new();
    for segment in path.split('/') {
        if segment == "{}" {
            segments.push(encoded_path_value(args.next()?)?);
        } else if !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment.chars().all(plain)
        {
            segments.push(syn::parse_quote!(#segment));
        } else {
            return None;
        }
    }
    if args.next().is_some() {
        return None;
    }
    Some(syn::parse_quote! {
        crate::path::request_url(&client.inner, &client.baseurl, &[#(&#segments),*])
            .map_err(Error::InvalidRequest)?
    })
}

/// `VALUE` of `encode_path(&VALUE.to_string())`.
fn encoded_path_value(expr: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    let syn::Expr::Path(func) = &*call.func else {
        return None;
    };
    if !func.path.is_ident("encode_path") || call.args.len() != 1 {
        return None;
    }
    let syn::Expr::Reference(reference) = &call.args[0] else {
        return None;
    };
    let syn::Expr::MethodCall(to_string) = &*reference.expr else {
        return None;
    };
    (to_string.method == "to_string" && to_string.args.is_empty())
        .then(|| (*to_string.receiver).clone())
}

/// `header_map.append(HeaderName::from_static("api-version"), ...);`
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("header_map"))
        && matches!(call.args.first(), Some(syn::Expr::Call(name))
            if matches!(&*name.func, syn::Expr::Path(f)
                if f.path.segments.last().is_some_and(|s| s.ident == "from_static"))
            && matches!(name.args.first(), Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text), ..
            })) if text.value() == "api-version"))
}

/// Removes `let mut header_map = HeaderMap::with_capacity(..);` and `.headers(header_map)` when
/// nothing else in the block touches the map (no header parameters).
fn drop_unused_header_map(block: &mut syn::Block) {
    let declares = |stmt: &syn::Stmt| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(id) if id.ident == "header_map"))
    };
    let Some(declaration) = block.stmts.iter().position(declares) else {
        return;
    };
    let uses = block
        .stmts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != declaration)
        .map(|(_, stmt)| mentions_header_map(quote!(#stmt)))
        .sum::<usize>();
    if uses != 1 {
        return;
    }
    let mut unhook = UnhookHeaderMap { removed: 0 };
    for stmt in &mut block.stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut unhook, stmt);
    }
    if unhook.removed == 1 {
        block.stmts.remove(declaration);
    }
}

/// How often `header_map` appears in `tokens`, groups included.
fn mentions_header_map(tokens: TokenStream) -> usize {
    tokens
        .into_iter()
        .map(|token| match token {
            proc_macro2::TokenTree::Group(group) => mentions_header_map(group.stream()),
            proc_macro2::TokenTree::Ident(id) if id == "header_map" => 1,
            _ => 0,
        })
        .sum()
}

/// Replaces `RECEIVER.headers(header_map)` by `RECEIVER`.
struct UnhookHeaderMap {
    removed: usize,
}

impl syn::visit_mut::VisitMut for UnhookHeaderMap {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident("header_map"))
        {
            *expr = (*call.receiver).clone();
            self.removed += 1;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
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
        // fuzzing; tests/schemas.rs `string_maps_encode_in_key_order`).
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

fn parse_file(tokens: TokenStream, what: &str) -> Result<syn::File, String> {
    syn::parse2(tokens).map_err(|e| format!("generated {what} code does not parse: {e}"))
}

/// A string enum of the document that becomes an open Rust enum.
struct OpenEnum {
    name: String,
    description: Option<String>,
    /// (wire value, variant name)
    values: Vec<(String, String)>,
}

/// Every string enum must be a named component so its replacement reaches every use.
fn collect_enums(raw: &Value) -> Result<Vec<OpenEnum>, String> {
    let empty = serde_json::Map::new();
    let schemas = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut enums = Vec::new();
    for (name, schema) in schemas {
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
                let escaped = escape_pointer(key);
                reject_inline_enums(child, &format!("{pointer}/{escaped}"))?;
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
        let rust_name = type_name(name);
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
        Ok(Self {
            name: rust_name,
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            values,
        })
    }

    fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.name);
        let catch_all = format_ident!("{CATCH_ALL}");
        let doc = self
            .description
            .clone()
            .unwrap_or_else(|| format!("Values of `{}`.", self.name));
        let open_doc = format!(
            "Open enum: a value this version does not know decodes as `{CATCH_ALL}` and is sent back unchanged."
        );
        let wire: Vec<&str> = self.values.iter().map(|(w, _)| w.as_str()).collect();
        let variants: Vec<_> = self
            .values
            .iter()
            .map(|(_, v)| format_ident!("{v}"))
            .collect();
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

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
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
                    deserializer.deserialize_str(crate::open_enums::OpenEnumVisitor::<Self>::new(#schema_name))
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

/// `ResourceSpec-Input` -> `ResourceSpecInput`, as typify names component types.
fn type_name(schema_name: &str) -> String {
    pascal_case(schema_name)
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
