//! Inline string enums become named component schemas.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::walk::{Kind, SchemaRole, Site, walk, walk_ref};

/// Component names to give the enums found at some sites (site key -> schema name): what the
/// previous version of the document called them, so `spec update` keeps type names stable.
pub type EnumNames = BTreeMap<String, String>;

/// Whether a schema is what build/generate.rs turns into an open enum.
pub use crate::generate::is_string_enum;

/// Every inline `type: string` enum is moved to `components/schemas` and referred to by `$ref`
/// (`allOf: [{$ref}]` when the use site keeps a description, default or `nullable`). Enums with
/// the same values under the same field name share one schema. Names come from `names` when it
/// has one for a site, else from the context (`Revision.status` -> `RevisionStatus`,
/// `deployment_type` -> `DeploymentType`); a name taken by a different schema gets a longer or
/// numbered one.
///
/// build/generate.rs rejects inline string enums: it replaces every component enum with an open
/// enum (an unknown value decodes instead of failing the whole response), which only reaches
/// the uses that refer to it by name.
pub fn hoist_string_enums(doc: &mut Value, names: &EnumNames) {
    let schemas_ok = match doc.get("components") {
        None => true,
        Some(Value::Object(c)) => c.get("schemas").is_none_or(Value::is_object),
        Some(_) => false,
    };
    if !doc.is_object() || !schemas_ok {
        return;
    }
    let sites = inline_enum_sites(doc);
    if sites.is_empty() {
        return;
    }
    let existing: Map<String, Value> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // Group the sites: same field name and same values share a schema.
    let mut groups: Vec<Group> = Vec::new();
    for (site, values) in sites {
        let word = naming_word(&site);
        match groups
            .iter_mut()
            .find(|g| g.word == word && g.values == values)
        {
            Some(group) => group.sites.push(site),
            None => groups.push(Group {
                word,
                values,
                sites: vec![site],
            }),
        }
    }

    let mut assigned: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut to_add: Vec<(String, Vec<Value>)> = Vec::new();
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for group in &groups {
        let hinted = group
            .sites
            .iter()
            .find_map(|s| names.get(&s.key()))
            .cloned();
        let (short, long) = default_names(&group.sites[0], &group.word, doc);
        let free = |name: &str| {
            let taken_here = assigned.get(name).is_some_and(|v| *v != group.values);
            let clash = existing.get(name).is_some_and(|s| {
                !(is_string_enum(s) && s.get("enum") == Some(&Value::Array(group.values.clone())))
            });
            !taken_here && !clash
        };
        let name = hinted
            .into_iter()
            .chain([short.clone(), long.clone()])
            .find(|n| free(n))
            .unwrap_or_else(|| {
                (2..)
                    .map(|i| format!("{long}{i}"))
                    .find(|n| free(n))
                    .unwrap_or(long)
            });
        if !existing.contains_key(&name) && !assigned.contains_key(&name) {
            to_add.push((name.clone(), group.values.clone()));
        }
        assigned.insert(name.clone(), group.values.clone());
        for site in &group.sites {
            targets.insert(site.key(), name.clone());
        }
    }

    walk(doc, &mut |kind, site, value| {
        if let (Kind::Schema(_), Some(name)) = (kind, targets.get(&site.key())) {
            refer_to(value, name);
        }
    });
    if let Some(Value::Object(components)) = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        && let Value::Object(schemas) = components.entry("schemas").or_insert_with(|| json!({}))
    {
        for (name, values) in to_add {
            schemas.insert(name, json!({ "enum": values, "type": "string" }));
        }
    }
}

struct Group {
    word: String,
    values: Vec<Value>,
    sites: Vec<Site>,
}

/// Inline string enums, in site order, with their values.
fn inline_enum_sites(doc: &Value) -> Vec<(Site, Vec<Value>)> {
    let mut sites = Vec::new();
    walk_ref(doc, &mut |kind, site, value| {
        if matches!(kind, Kind::Schema(role) if role != SchemaRole::ComponentRoot)
            && is_string_enum(value)
        {
            let values = value
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            sites.push((site.clone(), values));
        }
    });
    sites.sort_by_key(|(site, _)| site.key());
    sites
}

/// Replaces an inline enum by a reference; what else the site says stays beside it.
fn refer_to(value: &mut Value, name: &str) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    map.remove("type");
    map.remove("enum");
    let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
    if map.is_empty() {
        *value = reference;
    } else {
        match map.get_mut("allOf") {
            Some(Value::Array(list)) => list.insert(0, reference),
            _ => {
                map.insert("allOf".into(), Value::Array(vec![reference]));
            }
        }
    }
}

/// The field or parameter name an enum is named after, with `Item`/`Value` for list items and
/// map values (`tags: [enum]` -> `tags` + `Item`). Empty for a whole body or response.
fn naming_word(site: &Site) -> String {
    let segments = site.segments();
    let mut word = String::new();
    let mut suffix = "";
    let mut i = 0;
    while i < segments.len() {
        match segments[i].as_str() {
            "properties" if i + 1 < segments.len() && i >= 3 => {
                word = segments[i + 1].clone();
                suffix = "";
                i += 1;
            }
            "parameters" if i + 1 < segments.len() => {
                word = segments[i + 1]
                    .split_once(':')
                    .map_or(segments[i + 1].as_str(), |(_, name)| name)
                    .to_string();
                suffix = "";
                i += 1;
            }
            "items" => suffix = "Item",
            "additionalProperties" => suffix = "Value",
            _ => {}
        }
        i += 1;
    }
    format!("{word}{suffix}")
}

/// The preferred name and a longer one with the full context.
fn default_names(site: &Site, word: &str, doc: &Value) -> (String, String) {
    let context = context_prefix(site, doc);
    let word_pascal = pascal_case(word);
    let long = valid_name(&format!("{context}{word_pascal}"));
    let multi_word = word
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
        > 1
        || word.chars().skip(1).any(|c| c.is_ascii_uppercase());
    let short = if multi_word {
        valid_name(&word_pascal)
    } else {
        long.clone()
    };
    (short, long)
}

/// What an enum's name starts with: the component (`Revision`), or for a parameter the noun
/// of its operation (`list_revision_logs` -> `Log`), or the operation for a body or response.
fn context_prefix(site: &Site, doc: &Value) -> String {
    if let Some(component) = site.component() {
        let name = pascal_case(component);
        for suffix in ["Request", "Response"] {
            if let Some(stem) = name.strip_suffix(suffix)
                && !stem.is_empty()
            {
                return stem.to_string();
            }
        }
        return name;
    }
    if let Some((path, method)) = site.operation() {
        let id = doc
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|i| i.get(method))
            .and_then(|o| o.get("operationId"))
            .and_then(Value::as_str)
            .unwrap_or(method);
        let segments = site.segments();
        return match segments.get(3).map(String::as_str) {
            Some("parameters") => singular(id.rsplit('_').next().unwrap_or(id)),
            Some("requestBody") => format!("{}Body", pascal_case(id)),
            _ => format!("{}Response", pascal_case(id)),
        };
    }
    "Inline".to_string()
}

/// `logs` -> `Log`, `deployments` -> `Deployment`, `status` stays.
fn singular(word: &str) -> String {
    let pascal = pascal_case(word);
    match pascal.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') && !stem.ends_with("u") => {
            stem.to_string()
        }
        _ => pascal,
    }
}

/// A schema name typify accepts: ASCII letters and digits, starting with a letter.
fn valid_name(name: &str) -> String {
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => name.to_string(),
        _ => format!("Enum{name}"),
    }
}

pub use crate::generate::pascal_case;

/// The enum names a normalized document uses at each site: hints for [`hoist_string_enums`].
pub fn enum_names(doc: &Value) -> EnumNames {
    let mut names = EnumNames::new();
    walk_ref(doc, &mut |kind, site, value| {
        if kind == Kind::Schema(SchemaRole::ComponentRoot) {
            return;
        }
        let reference = match value.get("allOf").and_then(Value::as_array) {
            Some(list) if list.len() == 1 => list[0].get("$ref"),
            _ => value.get("$ref"),
        };
        let Some(name) = reference
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            return;
        };
        let target = doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.get(name));
        if target.is_some_and(is_string_enum) {
            names.insert(site.key(), name.to_string());
        }
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_context() {
        assert_eq!(pascal_case("deployment_type"), "DeploymentType");
        assert_eq!(pascal_case("ResourceSpec-Input"), "ResourceSpecInput");
        assert_eq!(singular("logs"), "Log");
        assert_eq!(singular("status"), "Status");
        assert_eq!(singular("deployments"), "Deployment");
        assert_eq!(valid_name("2fa"), "Enum2fa");
    }
}
