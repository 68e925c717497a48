//! The file's YAML (or JSON) as JSON, with the line and column of every node.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};
use serde_json::{Map, Value};

use super::{Problem, whole_file};

/// Where each node is: by JSON pointer, the (line, column) of its key and of its value.
#[derive(Default)]
pub(super) struct Places {
    keys: HashMap<String, (usize, usize)>,
    values: HashMap<String, (usize, usize)>,
}

impl Places {
    /// The value's place, else its key's, else that of the nearest enclosing node.
    pub(super) fn of_value(&self, pointer: &str) -> (usize, usize) {
        self.find(pointer, &self.values)
    }
    /// The key's place, else the value's.
    pub(super) fn of_key(&self, pointer: &str) -> (usize, usize) {
        self.find(pointer, &self.keys)
    }
    fn find(&self, pointer: &str, first: &HashMap<String, (usize, usize)>) -> (usize, usize) {
        let mut pointer = pointer;
        loop {
            if let Some(place) = first
                .get(pointer)
                .or_else(|| self.values.get(pointer))
                .or_else(|| self.keys.get(pointer))
            {
                return *place;
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => return (1, 1),
            }
        }
    }
}

fn place(node: &MarkedYamlOwned) -> (usize, usize) {
    (node.span.start.line(), node.span.start.col() + 1)
}

/// The single YAML (or JSON) document as JSON, with the place of every node.
pub(super) fn read(text: &str) -> Result<(Value, Places), Problem> {
    let documents = MarkedYamlOwned::load_from_str(text).map_err(|e| Problem {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        path: String::new(),
        message: format!("not valid YAML or JSON: {}", e.info()),
        hint: None,
    })?;
    let mut documents = documents.into_iter();
    let (Some(document), None) = (documents.next(), documents.next()) else {
        return Err(whole_file(
            "expected one document with a top-level `deployments:` list".into(),
        ));
    };
    let mut places = Places::default();
    let value = to_json(&document, "", &mut places)?;
    Ok((value, places))
}

fn to_json(node: &MarkedYamlOwned, pointer: &str, places: &mut Places) -> Result<Value, Problem> {
    let at = place(node);
    places.values.insert(pointer.to_string(), at);
    let problem = |message: String| Problem {
        line: at.0,
        column: at.1,
        path: dotted(pointer),
        message,
        hint: None,
    };
    Ok(match &node.data {
        YamlDataOwned::Value(scalar) => scalar_json(scalar).ok_or_else(|| {
            problem("a number that is not finite (.nan, .inf) is not a valid value".into())
        })?,
        YamlDataOwned::Representation(text, ..) => Value::String(text.clone()),
        YamlDataOwned::Tagged(_, inner) => to_json(inner, pointer, places)?,
        YamlDataOwned::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{pointer}/{i}"), places))
                .collect::<Result<_, _>>()?,
        ),
        YamlDataOwned::Mapping(members) => {
            let mut object = Map::new();
            for (key, value) in members {
                let name = match &key.data {
                    YamlDataOwned::Value(ScalarOwned::String(s)) => s.clone(),
                    YamlDataOwned::Value(scalar) => match scalar_json(scalar) {
                        Some(Value::Null) | None => {
                            return Err(problem("a key must be a name".into()));
                        }
                        Some(other) => other.to_string(),
                    },
                    YamlDataOwned::Representation(text, ..) => text.clone(),
                    _ => return Err(problem("a key must be a name".into())),
                };
                let member = format!("{pointer}/{}", escape(&name));
                places.keys.insert(member.clone(), place(key));
                let value = to_json(value, &member, places)?;
                object.insert(name, value);
            }
            Value::Object(object)
        }
        YamlDataOwned::Alias(_) => return Err(problem("aliases (*name) are not supported".into())),
        YamlDataOwned::BadValue => return Err(problem("this value cannot be read".into())),
    })
}

fn scalar_json(scalar: &ScalarOwned) -> Option<Value> {
    Some(match scalar {
        ScalarOwned::Null => Value::Null,
        ScalarOwned::Boolean(b) => Value::Bool(*b),
        ScalarOwned::Integer(i) => Value::from(*i),
        ScalarOwned::FloatingPoint(f) => Value::from(serde_json::Number::from_f64(f.into_inner())?),
        ScalarOwned::String(s) => Value::String(s.clone()),
    })
}

/// A JSON pointer token.
pub(super) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `/deployments/0/source_config` as `deployments[0].source_config`.
pub(super) fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_dotted_paths() {
        assert_eq!(
            dotted("/deployments/0/secrets/A~1B"),
            "deployments[0].secrets.A/B"
        );
        assert_eq!(dotted(""), "");
    }
}
