//! Canonical JSON text: the byte-stable form every document this tool writes is in.

use std::collections::BTreeSet;

use serde_json::Value;

/// Keys sorted, two-space indent, `": "` after keys, a trailing newline: the layout of Python's
/// `json.dumps(value, indent=2, sort_keys=True)` (non-ASCII text is kept as UTF-8, not escaped).
///
/// Keys are sorted here rather than by relying on `serde_json`'s map type, which turns into an
/// insertion-ordered map as soon as any crate in the build enables its `preserve_order` feature.
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, child)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_scalar(out, &Value::String(key.clone()));
                out.push_str(": ");
                write_value(out, child, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, child) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, child, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        other => write_scalar(out, other),
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    // Scalars, `{}` and `[]`: serde_json's compact text is already the canonical form.
    out.push_str(&serde_json::to_string(value).unwrap_or_else(|_| "null".to_string()));
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// `node`, or what its `$ref` points at in `doc` (local references only).
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> Option<&'a Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference.strip_prefix('#').and_then(|p| doc.pointer(p)),
        None => Some(node),
    }
}

/// JSON pointers to where `a` and `b` differ: a member only one of them has, or the deepest
/// node whose values differ (arrays are compared whole); `/` for different roots.
pub fn differing_pointers(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_differences(a, b, String::new(), &mut out);
    out
}

fn collect_differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let child = format!("{at}/{}", escape_pointer(key));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => collect_differences(p, q, child, out),
                    _ => out.push(child),
                }
            }
        }
        _ if a != b => out.push(if at.is_empty() { "/".into() } else { at }),
        _ => {}
    }
}

/// `segment` escaped for a JSON pointer (the generator escapes the same way).
pub use crate::generate::escape_pointer;

/// Parses JSON text, naming the line and column of a syntax error.
pub fn parse(text: &str, what: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{what} is not valid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_sorted_keys_with_two_space_indent_and_trailing_newline() {
        let value = json!({"b": [1, {"d": null, "c": true}], "a": {}, "e": [], "f": 8.0});
        let expected = "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"c\": true,\n      \"d\": null\n    }\n  ],\n  \"e\": [],\n  \"f\": 8.0\n}\n";
        assert_eq!(to_canonical_string(&value), expected);
    }

    #[test]
    fn escapes_control_characters_and_quotes_in_strings() {
        assert_eq!(
            to_canonical_string(&json!({"k\"": "a\nb\u{1}"})),
            "{\n  \"k\\\"\": \"a\\nb\\u0001\"\n}\n"
        );
    }

    #[test]
    fn differing_pointers_name_the_deepest_differing_members() {
        let a = json!({"a": {"b": 1, "c": [1, 2]}, "d": true});
        let b = json!({"a": {"b": 2, "c": [1]}, "e/f": null, "d": true});
        assert_eq!(differing_pointers(&a, &b), ["/a/b", "/a/c", "/e~1f"]);
        assert_eq!(differing_pointers(&a, &a), Vec::<String>::new());
        assert_eq!(differing_pointers(&json!(1), &json!(2)), ["/"]);
    }

    #[test]
    fn escapes_pointer_segments() {
        assert_eq!(escape_pointer("/v2/a~b"), "~1v2~1a~0b");
    }
}
