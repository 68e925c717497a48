//! The JSONPath queries (RFC 9535) an overlay's targets are written in, limited to singular
//! paths of member names: `$`, `.name` and `['name']` (or `["name"]`). Each selects at most one
//! node, so an action cannot silently touch more than it names; anything else (wildcards,
//! filters, indexes, slices, descendants) is refused with a message saying so.
//!
//! Written here rather than taken from a JSONPath crate: the subset is a few dozen lines, and
//! applying `remove` needs the selected node's parent and key, which is plain with a list of
//! names.

use std::fmt;

use serde_json::Value;

use crate::json::escape_pointer;

/// A parsed target: the member names leading from the root to the selected node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    names: Vec<String>,
}

impl Path {
    /// Parses a singular JSONPath of member names.
    pub fn parse(text: &str) -> Result<Path, String> {
        Parser {
            text,
            chars: text.char_indices().collect(),
            at: 0,
        }
        .path()
    }

    /// The member names from the root.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The path of the parent and the last name; `None` for the root.
    pub fn split_last(&self) -> Option<(Path, &str)> {
        let (last, parent) = self.names.split_last()?;
        Some((
            Path {
                names: parent.to_vec(),
            },
            last,
        ))
    }

    /// The same location as a JSON pointer (`/paths/~1v2~1things`).
    pub fn pointer(&self) -> String {
        self.names
            .iter()
            .map(|name| format!("/{}", escape_pointer(name)))
            .collect()
    }

    /// The selected node. A name selects a member of an object only: in an array, `['0']`
    /// selects nothing (unlike the JSON pointer `/0`).
    pub fn select<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        self.names
            .iter()
            .try_fold(doc, |node, name| node.as_object()?.get(name))
    }

    /// The selected node, for changing it.
    pub fn select_mut<'a>(&self, doc: &'a mut Value) -> Option<&'a mut Value> {
        self.names
            .iter()
            .try_fold(doc, |node, name| node.as_object_mut()?.get_mut(name))
    }
}

/// The canonical spelling: `.name` where the name allows it, `['name']` otherwise.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for name in &self.names {
            if is_shorthand(name) {
                write!(f, ".{name}")?;
            } else {
                f.write_str("['")?;
                for c in name.chars() {
                    match c {
                        '\'' => f.write_str("\\'")?,
                        '\\' => f.write_str("\\\\")?,
                        c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("']")?;
            }
        }
        Ok(())
    }
}

fn is_name_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_shorthand(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_first) && chars.all(|c| is_name_first(c) || c.is_ascii_digit())
}

const SUPPORTED: &str = "targets are `$` followed by `.name` or `['name']` segments";

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).map(|(_, c)| *c)
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += 1;
        c
    }

    /// An error at the current character (counted from 1).
    fn error(&self, what: &str) -> String {
        format!(
            "target `{}`: {what} at character {}; {SUPPORTED}",
            self.text,
            self.at + 1
        )
    }

    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.at += 1;
        }
    }

    fn path(mut self) -> Result<Path, String> {
        if self.next() != Some('$') {
            self.at = 0;
            return Err(self.error("expected `$` (the document root)"));
        }
        let mut names = Vec::new();
        loop {
            let blank_from = self.at;
            self.skip_blank();
            match self.next() {
                None if self.at - 1 == blank_from => return Ok(Path { names }),
                None => {
                    self.at = blank_from;
                    return Err(self.error("blank space after the last segment"));
                }
                Some('.') => names.push(self.dot_name()?),
                Some('[') => names.push(self.bracket_name()?),
                Some(_) => {
                    self.at -= 1;
                    return Err(self.error("expected `.` or `[`"));
                }
            }
        }
    }

    fn dot_name(&mut self) -> Result<String, String> {
        match self.peek() {
            Some('.') => return Err(self.error("descendant segments (`..`) are not supported")),
            Some('*') => return Err(self.error("wildcards are not supported")),
            Some(c) if is_name_first(c) => {}
            _ => {
                return Err(self.error(
                    "expected a name of letters, digits and `_` after `.` (write others as ['name'])",
                ));
            }
        }
        let mut name = String::new();
        while let Some(c) = self
            .peek()
            .filter(|&c| is_name_first(c) || c.is_ascii_digit())
        {
            name.push(c);
            self.at += 1;
        }
        Ok(name)
    }

    fn bracket_name(&mut self) -> Result<String, String> {
        self.skip_blank();
        let name = match self.peek() {
            Some(quote @ ('\'' | '"')) => {
                self.at += 1;
                self.string(quote)?
            }
            Some('*') => return Err(self.error("wildcards are not supported")),
            Some('?') => return Err(self.error("filters are not supported")),
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => {
                return Err(self.error("array indexes and slices are not supported"));
            }
            _ => return Err(self.error("expected a quoted name after `[`")),
        };
        self.skip_blank();
        match self.next() {
            Some(']') => Ok(name),
            Some(',') => {
                self.at -= 1;
                Err(self.error("several selectors in one segment are not supported"))
            }
            _ => {
                self.at -= 1;
                Err(self.error("expected `]` after the name"))
            }
        }
    }

    /// The rest of a string literal opened by `quote`, with RFC 9535's escapes.
    fn string(&mut self, quote: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    self.at -= 1;
                    return Err(self.error("unterminated name"));
                }
                Some(c) if c == quote => return Ok(out),
                Some('\\') => out.push(self.escape(quote)?),
                Some(c) if u32::from(c) < 0x20 => {
                    self.at -= 1;
                    return Err(self.error("a control character in a name (escape it)"));
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn escape(&mut self, quote: char) -> Result<char, String> {
        let c = match self.next() {
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('/') => '/',
            Some('\\') => '\\',
            Some(c) if c == quote => c,
            Some('u') => return self.unicode_escape(),
            _ => {
                self.at -= 1;
                return Err(self.error("an unknown escape"));
            }
        };
        Ok(c)
    }

    /// `\uXXXX` (the `\u` read), a surrogate pair taking two of them.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if self.next() != Some('\\') || self.next() != Some('u') {
                    self.at -= 1;
                    return Err(self.error("a lone high surrogate (expected `\\u` and a low one)"));
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("a high surrogate not followed by a low one"));
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("a lone low surrogate")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("an invalid code point"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut value = 0;
        for _ in 0..4 {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(digit) => {
                    value = value * 16 + digit;
                    self.at += 1;
                }
                None => return Err(self.error("expected four hex digits after `\\u`")),
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(text: &str) -> Vec<String> {
        Path::parse(text)
            .unwrap_or_else(|e| panic!("{e}"))
            .names()
            .to_vec()
    }

    #[test]
    fn the_root_alone_selects_the_whole_document() {
        assert!(names("$").is_empty());
        let doc = json!({"a": 1});
        assert_eq!(Path::parse("$").unwrap().select(&doc), Some(&doc));
    }

    #[test]
    fn dot_and_bracket_segments_name_members() {
        assert_eq!(
            names("$.paths['/v2/deployments/{deployment_id}'][\"get\"].x_1"),
            ["paths", "/v2/deployments/{deployment_id}", "get", "x_1"]
        );
        assert_eq!(names("$[ 'a' ] .b"), ["a", "b"]);
        assert_eq!(names("$.é"), ["é"]);
    }

    #[test]
    fn string_escapes_follow_rfc_9535() {
        assert_eq!(names(r"$['it\'s']"), ["it's"]);
        assert_eq!(names(r#"$["say \"hi\""]"#), ["say \"hi\""]);
        assert_eq!(names(r#"$['a\\b\/c\n\t']"#), ["a\\b/c\n\t"]);
        assert_eq!(names(r"$['\u00e9\ud83d\ude00']"), ["é😀"]);
        // The other quote needs no escape, and `\"` is not an escape in single quotes.
        assert_eq!(names(r#"$['"']"#), ["\""]);
        assert!(Path::parse(r#"$['\"']"#).is_err());
    }

    #[test]
    fn everything_beyond_member_names_is_refused_with_the_reason() {
        for (text, reason) in [
            ("paths", "expected `$`"),
            ("$.paths.*", "wildcards"),
            ("$['a']['*']['b'][*]", "wildcards"),
            ("$..schemas", "descendant segments"),
            ("$.tags[0]", "array indexes"),
            ("$.tags[-1]", "array indexes"),
            ("$.tags[1:2]", "array indexes and slices"),
            ("$.paths[?@.get]", "filters"),
            ("$['a','b']", "several selectors"),
            ("$.paths./v2", "expected a name"),
            ("$.1a", "expected a name"),
            ("$['a'", "expected `]`"),
            ("$['a", "unterminated name"),
            ("$['a\u{1}']", "control character"),
            (r"$['\x']", "unknown escape"),
            (r"$['\u12']", "four hex digits"),
            (r"$['\ud83d']", "lone high surrogate"),
            (r"$['\ude00']", "lone low surrogate"),
            ("$.a ", "blank space after the last segment"),
            ("$.a b", "expected `.` or `[`"),
        ] {
            let error = Path::parse(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
            assert!(error.contains(&format!("target `{text}`")), "{error}");
        }
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        let error = Path::parse("$.paths.*").unwrap_err();
        assert!(error.contains("at character 9"), "{error}");
    }

    #[test]
    fn a_name_selects_object_members_only() {
        let doc = json!({"a": {"b": [10, 20]}, "c": {"0": true}});
        let select = |text: &str| Path::parse(text).unwrap().select(&doc).cloned();
        assert_eq!(select("$.a.b"), Some(json!([10, 20])));
        assert_eq!(select("$.a.b['0']"), None);
        assert_eq!(select("$.c['0']"), Some(json!(true)));
        assert_eq!(select("$.a.missing"), None);
    }

    #[test]
    fn displays_in_canonical_form_and_converts_to_a_pointer() {
        let path = Path::parse(r#"$["paths"]['/v2/a~b']['it\'s'].get"#).unwrap();
        assert_eq!(path.to_string(), r"$.paths['/v2/a~b']['it\'s'].get");
        assert_eq!(Path::parse(&path.to_string()).unwrap(), path);
        assert_eq!(path.pointer(), "/paths/~1v2~1a~0b/it's/get");
        let (parent, last) = path.split_last().unwrap();
        assert_eq!(
            (parent.to_string().as_str(), last),
            ("$.paths['/v2/a~b']['it\\'s']", "get")
        );
        assert!(Path::parse("$").unwrap().split_last().is_none());
    }
}
