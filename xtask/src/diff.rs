//! `spec diff`: what changed between two documents, for a person or a machine, with the changes
//! that break existing clients marked.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::json::resolve;
use crate::normalize::enums::is_string_enum;
use crate::walk::METHODS;

/// The part of the API a change is about. Reports list them in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Operation,
    Parameter,
    RequestBody,
    Response,
    Schema,
    Property,
    EnumValue,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Operation => "operation",
            Area::Parameter => "parameter",
            Area::RequestBody => "request body",
            Area::Response => "response",
            Area::Schema => "schema",
            Area::Property => "property",
            Area::EnumValue => "enum value",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Area::Operation => "Operations",
            Area::Parameter => "Parameters",
            Area::RequestBody => "Request bodies",
            Area::Response => "Responses",
            Area::Schema => "Schemas",
            Area::Property => "Properties",
            Area::EnumValue => "Enum values",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum What {
    Added,
    Removed,
    Changed,
}

impl What {
    pub fn as_str(self) -> &'static str {
        match self {
            What::Added => "added",
            What::Removed => "removed",
            What::Changed => "changed",
        }
    }

    fn sign(self) -> char {
        match self {
            What::Added => '+',
            What::Removed => '-',
            What::Changed => '~',
        }
    }
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub area: Area,
    pub location: String,
    pub what: What,
    pub detail: String,
    pub breaking: bool,
}

/// Compares two documents (normalized or not).
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Differ {
        old,
        new,
        changes: Vec::new(),
        old_response_side: response_side_schemas(old),
        new_request_side: request_side_schemas(new),
    };
    out.operations();
    out.schemas();
    let mut changes = out.changes;
    changes.sort();
    changes
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    /// Schemas clients read (reachable from a response) in the old document.
    old_response_side: BTreeSet<String>,
    /// Schemas clients send (reachable from a parameter or body) in the new document.
    new_request_side: BTreeSet<String>,
}

impl Differ<'_> {
    fn push(
        &mut self,
        area: Area,
        location: impl Into<String>,
        what: What,
        detail: impl Into<String>,
        breaking: bool,
    ) {
        self.changes.push(Change {
            area,
            location: location.into(),
            what,
            detail: detail.into(),
            breaking,
        });
    }

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        for (key, op) in &old_ops {
            if !new_ops.contains_key(key) {
                self.push(Area::Operation, key, What::Removed, id_of(op), true);
            }
        }
        for (key, new_op) in &new_ops {
            let Some(old_op) = old_ops.get(key) else {
                self.push(Area::Operation, key, What::Added, id_of(new_op), false);
                continue;
            };
            if id_of(old_op) != id_of(new_op) {
                let detail = format!(
                    "operationId {} -> {} (the client method is renamed)",
                    id_of(old_op),
                    id_of(new_op)
                );
                self.push(Area::Operation, key, What::Changed, detail, true);
            }
            self.parameters(key, old_op, new_op);
            self.request_body(key, old_op, new_op);
            self.responses(key, old_op, new_op);
        }
    }

    fn parameters(&mut self, op_key: &str, old_op: &Value, new_op: &Value) {
        let old_params = parameters(self.old, old_op);
        let new_params = parameters(self.new, new_op);
        for ((location, name), old_p) in &old_params {
            let at = format!("{op_key} {location} `{name}`");
            let Some(new_p) = new_params.get(&(location.clone(), name.clone())) else {
                self.push(Area::Parameter, at, What::Removed, "", true);
                continue;
            };
            let (old_req, new_req) = (is_required(old_p), is_required(new_p));
            if old_req != new_req {
                let detail = if new_req {
                    "now required"
                } else {
                    "now optional"
                };
                self.push(Area::Parameter, &at, What::Changed, detail, new_req);
            }
            let (old_sig, new_sig) = (
                signature(old_p.get("schema")),
                signature(new_p.get("schema")),
            );
            if old_sig != new_sig {
                self.push(
                    Area::Parameter,
                    &at,
                    What::Changed,
                    format!("type {old_sig} -> {new_sig}"),
                    true,
                );
            }
            self.inline_enum(&at, old_p.get("schema"), new_p.get("schema"));
        }
        for ((location, name), new_p) in &new_params {
            if !old_params.contains_key(&(location.clone(), name.clone())) {
                let required = is_required(new_p);
                let detail = if required { "required" } else { "optional" };
                self.push(
                    Area::Parameter,
                    format!("{op_key} {location} `{name}`"),
                    What::Added,
                    detail,
                    required,
                );
            }
        }
    }

    fn request_body(&mut self, op_key: &str, old_op: &Value, new_op: &Value) {
        let old_body = old_op.get("requestBody").and_then(|b| resolve(self.old, b));
        let new_body = new_op.get("requestBody").and_then(|b| resolve(self.new, b));
        match (old_body, new_body) {
            (None, None) => {}
            (Some(_), None) => self.push(Area::RequestBody, op_key, What::Removed, "", true),
            (None, Some(body)) => {
                let required = is_required(body);
                self.push(
                    Area::RequestBody,
                    op_key,
                    What::Added,
                    signature(json_schema(body)),
                    required,
                );
            }
            (Some(old_b), Some(new_b)) => {
                let (old_sig, new_sig) =
                    (signature(json_schema(old_b)), signature(json_schema(new_b)));
                if old_sig != new_sig {
                    self.push(
                        Area::RequestBody,
                        op_key,
                        What::Changed,
                        format!("type {old_sig} -> {new_sig}"),
                        true,
                    );
                }
                if !is_required(old_b) && is_required(new_b) {
                    self.push(
                        Area::RequestBody,
                        op_key,
                        What::Changed,
                        "now required",
                        true,
                    );
                }
            }
        }
    }

    fn responses(&mut self, op_key: &str, old_op: &Value, new_op: &Value) {
        let (old_r, new_r) = (
            object_at(old_op, "responses"),
            object_at(new_op, "responses"),
        );
        for (status, old_resp) in old_r {
            let success = status.starts_with('2');
            let at = format!("{op_key} {status}");
            let Some(new_resp) = new_r.get(status) else {
                self.push(Area::Response, at, What::Removed, "", success);
                continue;
            };
            let old_sig = resolve(self.old, old_resp).map(|r| signature(json_schema(r)));
            let new_sig = resolve(self.new, new_resp).map(|r| signature(json_schema(r)));
            if old_sig != new_sig {
                let show = |s: Option<String>| s.unwrap_or_else(|| "?".into());
                let detail = format!("type {} -> {}", show(old_sig), show(new_sig));
                self.push(Area::Response, at, What::Changed, detail, true);
            }
        }
        for (status, new_resp) in new_r {
            if !old_r.contains_key(status) {
                let sig = resolve(self.new, new_resp)
                    .map(|r| signature(json_schema(r)))
                    .unwrap_or_default();
                self.push(
                    Area::Response,
                    format!("{op_key} {status}"),
                    What::Added,
                    sig,
                    false,
                );
            }
        }
    }

    fn schemas(&mut self) {
        let (old_s, new_s) = (component_schemas(self.old), component_schemas(self.new));
        for (name, old_schema) in old_s {
            match new_s.get(name) {
                None => self.push(
                    Area::Schema,
                    name,
                    What::Removed,
                    signature(Some(old_schema)),
                    true,
                ),
                Some(new_schema) => self.schema(name, name, old_schema, new_schema),
            }
        }
        for (name, new_schema) in new_s {
            if !old_s.contains_key(name) {
                self.push(
                    Area::Schema,
                    name,
                    What::Added,
                    signature(Some(new_schema)),
                    false,
                );
            }
        }
    }

    /// Compares two versions of one schema; `component` is the named schema it belongs to.
    fn schema(&mut self, component: &str, at: &str, old: &Value, new: &Value) {
        let (old_sig, new_sig) = (signature(Some(old)), signature(Some(new)));
        let area = if at == component {
            Area::Schema
        } else {
            Area::Property
        };
        if old_sig != new_sig {
            self.push(
                area,
                at,
                What::Changed,
                format!("type {old_sig} -> {new_sig}"),
                true,
            );
            return;
        }
        self.nullability(component, area, at, old, new);
        self.inline_enum(at, Some(old), Some(new));
        let (old_props, new_props) = (object_at(old, "properties"), object_at(new, "properties"));
        let old_required = required(old);
        let new_required = required(new);
        for (name, old_p) in old_props {
            let here = format!("{at}.{name}");
            let Some(new_p) = new_props.get(name) else {
                self.push(
                    Area::Property,
                    here,
                    What::Removed,
                    signature(Some(old_p)),
                    true,
                );
                continue;
            };
            match (old_required.contains(name), new_required.contains(name)) {
                (false, true) => {
                    self.push(Area::Property, &here, What::Changed, "now required", true)
                }
                (true, false) => {
                    let read = self.old_response_side.contains(component);
                    let detail = if read {
                        "now optional (responses may leave it out)"
                    } else {
                        "now optional"
                    };
                    self.push(Area::Property, &here, What::Changed, detail, read);
                }
                _ => {}
            }
            self.schema(component, &here, old_p, new_p);
        }
        for (name, new_p) in new_props {
            if !old_props.contains_key(name) {
                let required = new_required.contains(name);
                let detail = format!(
                    "{}{}",
                    signature(Some(new_p)),
                    if required { ", required" } else { "" }
                );
                self.push(
                    Area::Property,
                    format!("{at}.{name}"),
                    What::Added,
                    detail,
                    required,
                );
            }
        }
    }

    fn nullability(&mut self, component: &str, area: Area, at: &str, old: &Value, new: &Value) {
        let nullable = |v: &Value| v.get("nullable") == Some(&Value::Bool(true));
        match (nullable(old), nullable(new)) {
            (false, true) => {
                let read = self.old_response_side.contains(component);
                self.push(area, at, What::Changed, "now nullable", read);
            }
            (true, false) => {
                let sent = self.new_request_side.contains(component);
                self.push(area, at, What::Changed, "no longer nullable", sent);
            }
            _ => {}
        }
    }

    /// Enum values added (compatible: the enums are open) or removed (breaking: narrowed).
    fn inline_enum(&mut self, at: &str, old: Option<&Value>, new: Option<&Value>) {
        let values =
            |v: Option<&Value>| -> Option<Vec<Value>> { v?.get("enum")?.as_array().cloned() };
        let (Some(old_values), Some(new_values)) = (values(old), values(new)) else {
            return;
        };
        let show = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        for v in &old_values {
            if !new_values.contains(v) {
                self.push(
                    Area::EnumValue,
                    format!("{at}: {}", show(v)),
                    What::Removed,
                    "enum narrowed",
                    true,
                );
            }
        }
        for v in &new_values {
            if !old_values.contains(v) {
                let string_enum = new.is_some_and(is_string_enum);
                let detail = if string_enum {
                    "open enum: old clients keep it as unrecognized"
                } else {
                    ""
                };
                self.push(
                    Area::EnumValue,
                    format!("{at}: {}", show(v)),
                    What::Added,
                    detail,
                    false,
                );
            }
        }
    }
}

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// The object under `key`, or an empty one.
fn object_at<'a>(value: &'a Value, key: &str) -> &'a Map<String, Value> {
    value.get(key).and_then(Value::as_object).unwrap_or(&EMPTY)
}

/// `components.schemas`, or an empty map.
fn component_schemas(doc: &Value) -> &Map<String, Value> {
    doc.get("components")
        .map_or(&*EMPTY, |c| object_at(c, "schemas"))
}

/// Operations by `METHOD /path`, with the parameters their path item declares for all of them
/// folded in (the operation's own win).
fn operations(doc: &Value) -> BTreeMap<String, Value> {
    let mut ops = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let shared = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                if let Some(mut op) = item.get(method).filter(|o| o.is_object()).cloned() {
                    if !shared.is_empty() {
                        let own = op
                            .get("parameters")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        let mut all = shared.clone();
                        all.extend(own);
                        op["parameters"] = Value::Array(all);
                    }
                    ops.insert(format!("{} {path}", method.to_uppercase()), op);
                }
            }
        }
    }
    ops
}

fn id_of(op: &Value) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or("(no operationId)")
        .to_string()
}

/// Parameters by (location, name), path-level ones included, references followed.
fn parameters<'a>(doc: &'a Value, op: &'a Value) -> BTreeMap<(String, String), &'a Value> {
    let mut params = BTreeMap::new();
    for parameter in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(parameter) = resolve(doc, parameter) else {
            continue;
        };
        let location = parameter
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        params.insert((location, name), parameter);
    }
    params
}

fn is_required(node: &Value) -> bool {
    node.get("required") == Some(&Value::Bool(true))
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON schema of a body or response, if it has one.
fn json_schema(node: &Value) -> Option<&Value> {
    let content = node.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))
        .or_else(|| content.iter().next())
        .and_then(|(_, m)| m.get("schema"))
}

/// A short description of a schema's type, the same for equivalent spellings
/// (`$ref` and `allOf: [$ref]`); nullability and constraints are not part of it.
pub fn signature(schema: Option<&Value>) -> String {
    let Some(schema) = schema else {
        return "no body".into();
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(list) = schema.get("allOf").and_then(Value::as_array) {
        if list.len() == 1 {
            return signature(list.first());
        }
        return format!(
            "allOf[{}]",
            list.iter()
                .map(|m| signature(Some(m)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(list) = schema.get(keyword).and_then(Value::as_array) {
            return format!(
                "{keyword}[{}]",
                list.iter()
                    .map(|m| signature(Some(m)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!("array of {}", signature(schema.get("items"))),
        Some("object") if schema.get("properties").is_none() => {
            match schema.get("additionalProperties") {
                Some(values) if values.is_object() => format!("map of {}", signature(Some(values))),
                _ => "object".into(),
            }
        }
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{t} ({format})"),
            None => t.to_string(),
        },
        None if schema.get("properties").is_some() => "object".into(),
        None if schema.get("enum").is_some() => "enum".into(),
        None => "any".into(),
    }
}

/// Names of component schemas reachable from `roots`, following `$ref`s.
fn reachable(doc: &Value, roots: Vec<&Value>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    && seen.insert(name.to_string())
                    && let Some(target) = doc.pointer(&format!(
                        "/components/schemas/{}",
                        crate::json::escape_pointer(name)
                    ))
                {
                    stack.push(target);
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    seen
}

fn response_side_schemas(doc: &Value) -> BTreeSet<String> {
    let ops = operations(doc);
    let roots = ops.values().filter_map(|op| op.get("responses")).collect();
    reachable(doc, roots)
}

fn request_side_schemas(doc: &Value) -> BTreeSet<String> {
    let ops = operations(doc);
    let roots = ops
        .values()
        .flat_map(|op| [op.get("parameters"), op.get("requestBody")])
        .flatten()
        .collect();
    reachable(doc, roots)
}

/// The report for people.
pub fn render_text(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut area = None;
    for change in changes {
        if area != Some(change.area) {
            area = Some(change.area);
            out.push_str(&format!("{}\n", change.area.heading()));
        }
        out.push_str(&format!(
            "  {} {}{}{}\n",
            change.what.sign(),
            if change.breaking { "[BREAKING] " } else { "" },
            change.location,
            if change.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", change.detail)
            }
        ));
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    if changes.is_empty() {
        out.push_str("No changes.\n");
    } else {
        out.push_str(&format!(
            "\n{} change(s), {breaking} breaking.\n",
            changes.len()
        ));
    }
    out
}

/// The report for machines.
pub fn render_json(changes: &[Change]) -> Value {
    let count = |what: What| changes.iter().filter(|c| c.what == what).count();
    json!({
        "changes": changes.iter().map(|c| json!({
            "area": c.area.as_str(),
            "change": c.what.as_str(),
            "location": c.location,
            "detail": c.detail,
            "breaking": c.breaking,
        })).collect::<Vec<_>>(),
        "summary": {
            "total": changes.len(),
            "breaking": changes.iter().filter(|c| c.breaking).count(),
            "added": count(What::Added),
            "removed": count(What::Removed),
            "changed": count(What::Changed),
        }
    })
}

/// One line: counts by kind of change, for `spec update`.
pub fn summary_line(changes: &[Change]) -> String {
    let count = |what: What| changes.iter().filter(|c| c.what == what).count();
    let breaking = changes.iter().filter(|c| c.breaking).count();
    format!(
        "{} added, {} removed, {} changed ({breaking} breaking)",
        count(What::Added),
        count(What::Removed),
        count(What::Changed)
    )
}
