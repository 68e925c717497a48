//! `.dockerignore` patterns with Docker's rules: lines cleaned like paths, `*` and `?` stop at
//! `/`, `**` crosses directories, a pattern matching a directory matches everything below it,
//! and the last matching pattern decides (a `!` pattern re-includes).

use crate::error::Error;

/// The patterns of one `.dockerignore`, matched against paths relative to its directory.
#[derive(Debug, Default)]
pub(super) struct DockerRules {
    patterns: Vec<Pattern>,
}

/// What the rules say about one path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Verdict {
    /// Left out by the last matching pattern.
    pub excluded: bool,
    /// The last matching pattern is a `!` pattern naming the path itself (not a directory above
    /// it): the user asked for this very file.
    pub named_on_purpose: bool,
}

#[derive(Debug)]
struct Pattern {
    tokens: Vec<Token>,
    negated: bool,
}

#[derive(Debug, PartialEq)]
enum Token {
    /// One character.
    Char(u32),
    /// `?`: one character other than `/`.
    One,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**` before more of the pattern: nothing, or anything ending in `/`.
    Dirs,
    /// `**` ending the pattern: anything.
    Rest,
    /// `[...]`: one character in (or, with `^`, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(u32, u32)>,
    },
}

impl DockerRules {
    /// Parses the text of a `.dockerignore` (`shown` names it in errors).
    pub fn parse(text: &str, shown: &str) -> Result<Self, Error> {
        let mut patterns = Vec::new();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (number, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            let mut line = line.trim();
            if line.is_empty() {
                continue;
            }
            let negated = line.starts_with('!');
            if negated {
                line = line[1..].trim();
            }
            let invalid = |why: &str| {
                Error::InvalidInput(format!("{shown} line {}: {why}: {line:?}", number + 1).into())
            };
            if line.is_empty() {
                return Err(invalid("a `!` with no pattern"));
            }
            let cleaned = clean(line);
            let cleaned = match cleaned.strip_prefix('/') {
                Some(rest) if !rest.is_empty() => rest.to_owned(),
                _ => cleaned,
            };
            let tokens = compile(&cleaned).ok_or_else(|| invalid("an unclosed `[`"))?;
            patterns.push(Pattern { tokens, negated });
        }
        Ok(Self { patterns })
    }

    /// Whether some pattern re-includes: then an excluded directory must still be walked.
    pub fn has_negations(&self) -> bool {
        self.patterns.iter().any(|p| p.negated)
    }

    /// The verdict on `path` (relative, `/`-separated): the last pattern that matches it or one
    /// of the directories above it decides.
    pub fn verdict(&self, path: &[u8]) -> Verdict {
        let units = decode(path);
        let parents: Vec<usize> = (0..units.len())
            .filter(|&i| units[i] == u32::from(b'/'))
            .collect();
        let mut verdict = Verdict::default();
        for pattern in &self.patterns {
            let itself = pattern.matches(&units);
            if itself || parents.iter().any(|&end| pattern.matches(&units[..end])) {
                verdict = Verdict {
                    excluded: !pattern.negated,
                    named_on_purpose: pattern.negated && itself,
                };
            }
        }
        verdict
    }
}

impl Pattern {
    /// Whether the whole of `units` matches, by stepping the set of reachable positions through
    /// the tokens: time proportional to tokens times length, whatever the pattern.
    fn matches(&self, units: &[u32]) -> bool {
        let slash = u32::from(b'/');
        let len = units.len();
        let mut at = vec![false; len + 1];
        at[0] = true;
        for token in &self.tokens {
            let mut next = vec![false; len + 1];
            match token {
                // `*`: from a reachable position, any run without a `/`.
                Token::Star => {
                    let mut open = false;
                    for i in 0..=len {
                        open |= at[i];
                        next[i] = open;
                        if i < len && units[i] == slash {
                            open = false;
                        }
                    }
                }
                // `(.*/)?`: stay, or move past anything that ends in a `/`.
                Token::Dirs => {
                    let mut seen = false;
                    for i in 0..=len {
                        next[i] = at[i] || (seen && units[i - 1] == slash);
                        seen |= at[i];
                    }
                }
                // `.*`: anything from the first reachable position on.
                Token::Rest => {
                    let mut seen = false;
                    for i in 0..=len {
                        seen |= at[i];
                        next[i] = seen;
                    }
                }
                single => {
                    for i in 0..len {
                        if at[i] && single.takes(units[i]) {
                            next[i + 1] = true;
                        }
                    }
                }
            }
            at = next;
            if !at.contains(&true) {
                return false;
            }
        }
        at[len]
    }
}

impl Token {
    /// Whether a one-character token takes `unit`.
    fn takes(&self, unit: u32) -> bool {
        match self {
            Token::Char(c) => *c == unit,
            Token::One => unit != u32::from(b'/'),
            Token::Class { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&unit)) != *negated
            }
            Token::Star | Token::Dirs | Token::Rest => false,
        }
    }
}

/// The path's characters; a byte that is not UTF-8 becomes a value no pattern character has.
fn decode(path: &[u8]) -> Vec<u32> {
    let mut units = Vec::with_capacity(path.len());
    for chunk in path.utf8_chunks() {
        units.extend(chunk.valid().chars().map(u32::from));
        units.extend(chunk.invalid().iter().map(|&b| 0x11_0000 + u32::from(b)));
    }
    units
}

/// Go's `filepath.Clean`: no empty or `.` elements, `..` resolved lexically, no trailing `/`.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            part => parts.push(part),
        }
    }
    match (rooted, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_owned(),
        (false, false) => parts.join("/"),
    }
}

/// The tokens of a cleaned pattern, or `None` for an unclosed `[`.
fn compile(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                tokens.push(if i == chars.len() {
                    Token::Rest
                } else {
                    Token::Dirs
                });
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::One),
            '\\' if i < chars.len() => {
                tokens.push(Token::Char(u32::from(chars[i])));
                i += 1;
            }
            '[' => {
                let (token, end) = class(&chars, i)?;
                tokens.push(token);
                i = end;
            }
            c => tokens.push(Token::Char(u32::from(c))),
        }
    }
    Some(tokens)
}

/// The class starting after a `[` at `start`: its token and the index after its `]`.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        if c == '\\' {
            i += 1;
            c = *chars.get(i)?;
        }
        i += 1;
        let lo = u32::from(c);
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']') {
            let mut hi = chars[i + 1];
            i += 2;
            if hi == '\\' {
                hi = *chars.get(i)?;
                i += 1;
            }
            ranges.push((lo, u32::from(hi)));
        } else {
            ranges.push((lo, lo));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(rules: &str, path: &str) -> bool {
        DockerRules::parse(rules, ".dockerignore")
            .unwrap()
            .verdict(path.as_bytes())
            .excluded
    }

    #[test]
    fn stars_stop_at_slashes_and_double_stars_cross_them() {
        assert!(excluded("*.pem", "k.pem"));
        assert!(!excluded("*.pem", "sub/k.pem"));
        assert!(excluded("**/*.pem", "sub/deep/k.pem"));
        assert!(excluded("**/*.pem", "k.pem"));
        assert!(excluded("a/**/b", "a/b"));
        assert!(excluded("a/**/b", "a/x/y/b"));
        assert!(excluded("a/**", "a/x/y"));
        assert!(excluded("a?c", "abc"));
        assert!(!excluded("a?c", "a/c"));
        assert!(excluded("[a-c]x", "bx"));
        assert!(!excluded("[^a-c]x", "bx"));
    }

    #[test]
    fn a_directory_pattern_covers_its_contents_and_the_last_match_wins() {
        assert!(excluded("build", "build/out/x.bin"));
        assert!(excluded("./build/", "build/x"));
        assert!(excluded("/build", "build/x"));
        assert!(!excluded("*\n!src", "src/app/main.py"));
        assert!(excluded("*\n!src", "docs/x.md"));
        assert!(excluded("*\n!src\nsrc/*.log", "src/x.log"));
        let rules = DockerRules::parse("*\n!src\n!config/.env", ".dockerignore").unwrap();
        assert!(!rules.verdict(b"src/.env").named_on_purpose);
        assert!(rules.verdict(b"config/.env").named_on_purpose);
    }

    #[test]
    fn a_lone_negation_or_an_open_class_is_refused_naming_the_line() {
        let err = DockerRules::parse("ok\n!\n", ".dockerignore").unwrap_err();
        assert!(err.to_string().contains(".dockerignore line 2"), "{err}");
        assert!(DockerRules::parse("[abc", ".dockerignore").is_err());
    }
}
