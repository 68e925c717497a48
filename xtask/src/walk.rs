//! A structural walk over an OpenAPI document: which JSON object is a schema, an operation, a
//! parameter... Rules must know this: a property named `title` is not a title, and the keys of
//! `properties` are names, not keywords.

use serde_json::Value;

use crate::json::escape_pointer;

/// What a visited JSON object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Document,
    Info,
    Server,
    Tag,
    SecurityScheme,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    MediaType,
    Header,
    Schema(SchemaRole),
}

/// Where a schema sits, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaRole {
    /// `/components/schemas/{name}`: a named type.
    ComponentRoot,
    /// The `schema` of a parameter.
    ParameterRoot,
    /// Anywhere else.
    Inline,
}

/// HTTP methods a path item may hold, in the order used for reports.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The location of a node. Segments follow the JSON structure, except that an element of a
/// `parameters` list is named `{in}:{name}` and an element of `tags` by its name, so a location
/// survives reordering (it keys carried-over prose and enum names).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site(Vec<String>);

impl Site {
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// A JSON-Pointer-like key (`/components/schemas/Revision/properties/status`).
    pub fn key(&self) -> String {
        self.0
            .iter()
            .map(|s| format!("/{}", escape_pointer(s)))
            .collect()
    }

    fn child(&self, segment: impl Into<String>) -> Site {
        let mut segments = self.0.clone();
        segments.push(segment.into());
        Site(segments)
    }

    /// For a component schema or anything inside it: the component's name.
    pub fn component(&self) -> Option<&str> {
        match self.0.as_slice() {
            [c, s, name, ..] if c == "components" && s == "schemas" => Some(name),
            _ => None,
        }
    }

    /// For an operation or anything inside it: its path and method.
    pub fn operation(&self) -> Option<(&str, &str)> {
        match self.0.as_slice() {
            [p, path, method, ..] if p == "paths" && METHODS.contains(&method.as_str()) => {
                Some((path, method))
            }
            _ => None,
        }
    }
}

type Visitor<'a> = dyn FnMut(Kind, &Site, &mut Value) + 'a;
/// Visits one member of a components group.
type VisitMember = fn(&mut Value, &Site, &mut Visitor<'_>);

/// Visits every node of the document children-first, so a visitor sees its children already
/// visited and may rewrite them. Nodes of an unexpected JSON type are skipped, not reported.
pub fn walk(doc: &mut Value, visit: &mut Visitor<'_>) {
    let root = Site::default();
    let Some(map) = doc.as_object_mut() else {
        return;
    };
    if let Some(info) = map.get_mut("info") {
        node(info, &root.child("info"), Kind::Info, visit);
    }
    list(
        map.get_mut("servers"),
        &root.child("servers"),
        Kind::Server,
        visit,
    );
    if let Some(Value::Array(tags)) = map.get_mut("tags") {
        let site = root.child("tags");
        for (i, tag) in tags.iter_mut().enumerate() {
            let name = tag.get("name").and_then(Value::as_str).map(str::to_string);
            node(
                tag,
                &site.child(name.unwrap_or_else(|| i.to_string())),
                Kind::Tag,
                visit,
            );
        }
    }
    if let Some(Value::Object(paths)) = map.get_mut("paths") {
        let site = root.child("paths");
        for (path, item) in paths.iter_mut() {
            path_item(item, &site.child(path.clone()), visit);
        }
    }
    if let Some(Value::Object(components)) = map.get_mut("components") {
        let site = root.child("components");
        let groups: [(&str, VisitMember); 6] = [
            ("schemas", |v, s, f| {
                schema(v, s, SchemaRole::ComponentRoot, f)
            }),
            ("parameters", parameter),
            ("responses", response),
            ("requestBodies", request_body),
            ("headers", header),
            ("securitySchemes", |v, s, f| {
                node(v, s, Kind::SecurityScheme, f)
            }),
        ];
        for (group, visit_one) in groups {
            if let Some(Value::Object(members)) = components.get_mut(group) {
                let group_site = site.child(group);
                for (name, member) in members.iter_mut() {
                    visit_one(member, &group_site.child(name.clone()), visit);
                }
            }
        }
    }
    visit(Kind::Document, &root, doc);
}

/// Visits a node that has no children the walk cares about.
fn node(value: &mut Value, site: &Site, kind: Kind, visit: &mut Visitor<'_>) {
    if value.is_object() {
        visit(kind, site, value);
    }
}

fn list(value: Option<&mut Value>, site: &Site, kind: Kind, visit: &mut Visitor<'_>) {
    if let Some(Value::Array(items)) = value {
        for (i, item) in items.iter_mut().enumerate() {
            node(item, &site.child(i.to_string()), kind, visit);
        }
    }
}

fn path_item(item: &mut Value, site: &Site, visit: &mut Visitor<'_>) {
    let Some(map) = item.as_object_mut() else {
        return;
    };
    parameters(map.get_mut("parameters"), &site.child("parameters"), visit);
    for method in METHODS {
        if let Some(Value::Object(operation)) = map.get_mut(method) {
            let op_site = site.child(method);
            parameters(
                operation.get_mut("parameters"),
                &op_site.child("parameters"),
                visit,
            );
            if let Some(body) = operation.get_mut("requestBody") {
                request_body(body, &op_site.child("requestBody"), visit);
            }
            if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                let responses_site = op_site.child("responses");
                for (code, answer) in responses.iter_mut() {
                    response(answer, &responses_site.child(code.clone()), visit);
                }
            }
        }
        if let Some(operation) = map.get_mut(method) {
            node(operation, &site.child(method), Kind::Operation, visit);
        }
    }
    visit(Kind::PathItem, site, item);
}

/// The segment naming one parameter: `{in}:{name}` when both are strings, else its index.
pub fn parameter_segment(parameter: &Value, index: usize) -> String {
    match (
        parameter.get("in").and_then(Value::as_str),
        parameter.get("name").and_then(Value::as_str),
    ) {
        (Some(location), Some(name)) => format!("{location}:{name}"),
        _ => index.to_string(),
    }
}

fn parameters(value: Option<&mut Value>, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(Value::Array(items)) = value {
        for (i, item) in items.iter_mut().enumerate() {
            let segment = parameter_segment(item, i);
            parameter(item, &site.child(segment), visit);
        }
    }
}

fn parameter(value: &mut Value, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(map) = value.as_object_mut() {
        if let Some(s) = map.get_mut("schema") {
            schema(s, &site.child("schema"), SchemaRole::ParameterRoot, visit);
        }
        content(map.get_mut("content"), &site.child("content"), visit);
    }
    node(value, site, Kind::Parameter, visit);
}

fn request_body(value: &mut Value, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(map) = value.as_object_mut() {
        content(map.get_mut("content"), &site.child("content"), visit);
    }
    node(value, site, Kind::RequestBody, visit);
}

fn response(value: &mut Value, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(map) = value.as_object_mut() {
        content(map.get_mut("content"), &site.child("content"), visit);
        if let Some(Value::Object(headers)) = map.get_mut("headers") {
            let headers_site = site.child("headers");
            for (name, h) in headers.iter_mut() {
                header(h, &headers_site.child(name.clone()), visit);
            }
        }
    }
    node(value, site, Kind::Response, visit);
}

fn header(value: &mut Value, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(map) = value.as_object_mut() {
        if let Some(s) = map.get_mut("schema") {
            schema(s, &site.child("schema"), SchemaRole::Inline, visit);
        }
        content(map.get_mut("content"), &site.child("content"), visit);
    }
    node(value, site, Kind::Header, visit);
}

fn content(value: Option<&mut Value>, site: &Site, visit: &mut Visitor<'_>) {
    if let Some(Value::Object(media_types)) = value {
        for (name, media) in media_types.iter_mut() {
            let media_site = site.child(name.clone());
            if let Some(s) = media.get_mut("schema") {
                schema(s, &media_site.child("schema"), SchemaRole::Inline, visit);
            }
            node(media, &media_site, Kind::MediaType, visit);
        }
    }
}

/// Keywords whose value is one subschema.
const SUBSCHEMA: [&str; 3] = ["items", "additionalProperties", "not"];
/// Keywords whose value is a list of subschemas.
const SUBSCHEMA_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

fn schema(value: &mut Value, site: &Site, role: SchemaRole, visit: &mut Visitor<'_>) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        let properties_site = site.child("properties");
        for (name, property) in properties.iter_mut() {
            schema(
                property,
                &properties_site.child(name.clone()),
                SchemaRole::Inline,
                visit,
            );
        }
    }
    for keyword in SUBSCHEMA {
        if let Some(child) = map.get_mut(keyword) {
            schema(child, &site.child(keyword), SchemaRole::Inline, visit);
        }
    }
    for keyword in SUBSCHEMA_LISTS {
        if let Some(Value::Array(members)) = map.get_mut(keyword) {
            let list_site = site.child(keyword);
            for (i, member) in members.iter_mut().enumerate() {
                schema(
                    member,
                    &list_site.child(i.to_string()),
                    SchemaRole::Inline,
                    visit,
                );
            }
        }
    }
    visit(Kind::Schema(role), site, value);
}

/// Read-only walk (over a copy; documents are small).
pub fn walk_ref(doc: &Value, visit: &mut dyn FnMut(Kind, &Site, &Value)) {
    let mut copy = doc.clone();
    walk(&mut copy, &mut |kind, site, value| visit(kind, site, value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn visited(doc: Value) -> Vec<(Kind, String)> {
        let mut seen = Vec::new();
        walk_ref(&doc, &mut |kind, site, _| seen.push((kind, site.key())));
        seen
    }

    #[test]
    fn property_names_that_look_like_keywords_are_schemas_not_keywords() {
        let seen = visited(json!({"components": {"schemas": {"A": {
            "properties": {"title": {"type": "string"}, "properties": {"type": "object"}}
        }}}}));
        assert!(seen.contains(&(
            Kind::Schema(SchemaRole::Inline),
            "/components/schemas/A/properties/title".into()
        )));
        assert!(seen.contains(&(
            Kind::Schema(SchemaRole::ComponentRoot),
            "/components/schemas/A".into()
        )));
    }

    #[test]
    fn parameters_are_named_by_location_and_name_and_visited_before_their_operation() {
        let seen = visited(json!({"paths": {"/a/{id}": {"get": {
            "parameters": [{"in": "path", "name": "id", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}
        }}}}));
        let keys: Vec<&str> = seen.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "/paths/~1a~1{id}/get/parameters/path:id/schema",
                "/paths/~1a~1{id}/get/parameters/path:id",
                "/paths/~1a~1{id}/get/responses/200",
                "/paths/~1a~1{id}/get",
                "/paths/~1a~1{id}",
                "",
            ]
        );
        assert_eq!(seen[0].0, Kind::Schema(SchemaRole::ParameterRoot));
    }

    #[test]
    fn nodes_of_unexpected_types_are_skipped() {
        assert_eq!(
            visited(json!({"paths": [1, 2], "components": "x"})),
            [(Kind::Document, String::new())]
        );
        assert!(visited(json!([1])).is_empty());
    }
}
