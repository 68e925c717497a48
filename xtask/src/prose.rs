//! Whose words the document carries. The upstream document's prose (descriptions, summaries,
//! titles, examples) is never written into this repository: `spec update` drops it and carries
//! over this project's own prose, and its editorial parts (info, servers, security, tags), from
//! the previous version of the output, by location.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::walk::{Kind, Site, walk, walk_ref};

/// The keys holding prose in each kind of node.
pub fn prose_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Schema(_) => &[
            "description",
            "title",
            "example",
            "examples",
            "externalDocs",
        ],
        Kind::Operation => &["summary", "description", "externalDocs"],
        Kind::PathItem => &["summary", "description"],
        Kind::Parameter | Kind::Header => &["description", "example", "examples"],
        Kind::MediaType => &["example", "examples"],
        Kind::RequestBody | Kind::Response | Kind::Server | Kind::SecurityScheme => {
            &["description"]
        }
        Kind::Info => &["description", "summary"],
        Kind::Tag => &["description", "externalDocs"],
        Kind::Document => &["externalDocs"],
    }
}

/// Removes every prose key from the document.
pub fn strip_prose(doc: &mut Value) {
    walk(doc, &mut |kind, _, value| {
        if let Some(map) = value.as_object_mut() {
            for key in prose_keys(kind) {
                map.remove(*key);
            }
        }
    });
}

/// Counts of what [`carry_over`] kept from the previous document.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Nodes that got prose back.
    pub prose: usize,
    /// Nodes whose prose was dropped because they no longer exist (the editorial parts, taken
    /// whole from the base, never count).
    pub orphaned: usize,
}

/// Copies `base`'s prose onto the nodes of `doc` at the same location, and takes `base`'s
/// editorial parts: `info` (but `doc`'s version), `servers`, top-level `security`,
/// `components.securitySchemes`, the `tags` list, and the tags of operations both have.
pub fn carry_over(doc: &mut Value, base: &Value) -> Carried {
    let mut prose: BTreeMap<(String, String), Map<String, Value>> = BTreeMap::new();
    walk_ref(base, &mut |kind, site, value| {
        let Some(map) = value.as_object() else {
            return;
        };
        let kept: Map<String, Value> = prose_keys(kind)
            .iter()
            .filter_map(|k| map.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        if !kept.is_empty() {
            prose.insert(node_key(kind, site), kept);
        }
    });
    let mut carried = Carried::default();
    walk(doc, &mut |kind, site, value| {
        if let (Some(kept), Some(map)) =
            (prose.remove(&node_key(kind, site)), value.as_object_mut())
        {
            map.extend(kept);
            carried.prose += 1;
        }
    });
    // The editorial parts are taken whole below: their prose is not lost where `doc` lacks them.
    let editorial =
        [Kind::Info, Kind::Server, Kind::Tag, Kind::SecurityScheme].map(|k| format!("{k:?}"));
    carried.orphaned = prose
        .keys()
        .filter(|(kind, _)| !editorial.contains(kind))
        .count();
    take_editorial(doc, base);
    carried
}

fn node_key(kind: Kind, site: &Site) -> (String, String) {
    (format!("{kind:?}"), site.key())
}

fn take_editorial(doc: &mut Value, base: &Value) {
    let (Some(doc_map), Some(base_map)) = (doc.as_object_mut(), base.as_object()) else {
        return;
    };
    if let Some(Value::Object(info)) = base_map.get("info") {
        let mut info = info.clone();
        if let Some(version) = doc_map.get("info").and_then(|i| i.get("version")) {
            info.insert("version".into(), version.clone());
        }
        doc_map.insert("info".into(), Value::Object(info));
    }
    for key in ["servers", "security", "tags"] {
        if let Some(value) = base_map.get(key) {
            doc_map.insert(key.into(), value.clone());
        }
    }
    if let Some(schemes) = base_map
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        && let Some(Value::Object(components)) = doc_map.get_mut("components")
    {
        components.insert("securitySchemes".into(), schemes.clone());
    }
    let Some(Value::Object(paths)) = doc_map.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let base_tags = base_map
                .get("paths")
                .and_then(|p| p.get(path))
                .and_then(|i| i.get(method))
                .and_then(|o| o.get("tags"));
            if let (Some(tags), Some(operation)) = (base_tags, operation.as_object_mut())
                && operation.contains_key("operationId")
            {
                operation.insert("tags".into(), tags.clone());
            }
        }
    }
}
