//! Mutations of a valid JSON document at one node: what a fuzzer's byte flips rarely reach
//! (a field removed, a value of another type, an enum value unknown to us, a timestamp at the
//! edge of the calendar) while the rest stays valid.

use arbitrary::{Result, Unstructured};
use serde_json::Value;

use crate::json;

/// Applies between one and eight mutations to `doc`.
pub fn mutate(u: &mut Unstructured, doc: &mut Value, words: &[String]) -> Result<()> {
    let rounds = u.int_in_range(1..=8)?;
    for _ in 0..rounds {
        let nodes = count(doc);
        let target = u.int_in_range(0..=nodes - 1)?;
        let mut seen = 0;
        if let Some(node) = nth(doc, target, &mut seen) {
            mutate_node(u, node, words)?;
        }
    }
    Ok(())
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// The `target`th node in pre-order.
fn nth<'a>(value: &'a mut Value, target: usize, seen: &mut usize) -> Option<&'a mut Value> {
    if *seen == target {
        return Some(value);
    }
    *seen += 1;
    match value {
        Value::Array(items) => items.iter_mut().find_map(|v| nth(v, target, seen)),
        Value::Object(map) => map.values_mut().find_map(|v| nth(v, target, seen)),
        _ => None,
    }
}

fn mutate_node(u: &mut Unstructured, node: &mut Value, words: &[String]) -> Result<()> {
    match u.int_in_range(0..=7)? {
        // Replace with any value.
        0 => *node = json::value(u, words, 3)?,
        1 => *node = Value::Null,
        // A string from the dictionary, or an edited copy of the string already there.
        2 => *node = Value::String(json::string(u, words)?),
        3 => {
            if let Value::String(s) = node {
                edit_string(u, s)?;
            } else {
                *node = json::value(u, words, 0)?;
            }
        }
        // Remove a field or an item.
        4 => match node {
            Value::Object(map) if !map.is_empty() => {
                let key = u.choose_iter(map.keys())?.clone();
                map.remove(&key);
            }
            Value::Array(items) if !items.is_empty() => {
                let at = u.choose_index(items.len())?;
                items.remove(at);
            }
            _ => *node = json::value(u, words, 1)?,
        },
        // Add a field (often a known name) or repeat an item.
        5 => match node {
            Value::Object(map) => {
                let key = json::string(u, words)?;
                let value = json::value(u, words, 2)?;
                map.insert(key, value);
            }
            Value::Array(items) if !items.is_empty() => {
                let item = u.choose(items)?.clone();
                items.push(item);
            }
            _ => *node = Value::Array(vec![node.clone()]),
        },
        // Wrap in an array or an object.
        6 => *node = Value::Array(vec![node.take()]),
        _ => {
            let key = json::string(u, words)?;
            let mut map = serde_json::Map::new();
            map.insert(key, node.take());
            *node = Value::Object(map);
        }
    }
    Ok(())
}

fn edit_string(u: &mut Unstructured, s: &mut String) -> Result<()> {
    match u.int_in_range(0..=4)? {
        0 => {
            let keep = u.int_in_range(0..=s.len())?;
            let keep = (0..=keep)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s.truncate(keep);
        }
        1 => s.push(u.arbitrary()?),
        2 => *s = s.to_lowercase(),
        3 => s.insert(0, u.arbitrary()?),
        _ => {
            let extra: String = u.arbitrary()?;
            s.push_str(&extra);
        }
    }
    Ok(())
}
