//! The file-level import graph of a crate's `src` directory, and the cycles in it.
//!
//! The workspace keeps a layout without circles: no two files of a crate import each other,
//! directly or through others. A file A imports a file B when A names a path into B's module:
//! `crate::b::…`, `super::b::…`, `self::b::…`, or `b::…` for a child module `b`, in a `use`
//! (groups like `use crate::{a, b::c}` included) or anywhere in the code. The path goes to the
//! deepest module that has a file of its own; an item of the crate root (`crate::Thing`) goes to
//! `lib.rs` or `main.rs`. `mod b;` declares a child and is not an import. Comments, string and
//! character literals are skipped, so a doc link does not count.
//!
//! A scan of the text, not a compiler: `#[path]` attributes and macros that build paths are not
//! followed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A crate's files (relative to its `src`, with `/`) and whom each imports.
#[derive(Debug, Default)]
pub struct ImportGraph {
    /// Every `.rs` file, with the files it imports (never itself).
    pub edges: BTreeMap<String, BTreeSet<String>>,
}

impl ImportGraph {
    /// Reads every `.rs` file under `src` (a crate's `src` directory).
    pub fn read(src: &Path) -> std::io::Result<Self> {
        let mut files = BTreeMap::new();
        collect(src, src, &mut files)?;
        Ok(Self::from_files(&files))
    }

    /// The graph of `files`: paths relative to `src` (`main.rs`, `github/mod.rs`) and their text.
    pub fn from_files(files: &BTreeMap<String, String>) -> Self {
        let modules: BTreeMap<Vec<String>, String> = files
            .keys()
            .map(|file| (module_of(file), file.clone()))
            .collect();
        let mut edges = BTreeMap::new();
        for (file, text) in files {
            let here = module_of(file);
            let mut targets = BTreeSet::new();
            for path in paths(&strip(text), &here, &modules) {
                if let Some(target) = file_of(&path, &modules).filter(|t| *t != file) {
                    targets.insert(target.clone());
                }
            }
            edges.insert(file.clone(), targets);
        }
        ImportGraph { edges }
    }

    /// The same graph with each folder module made one node (`github/` for `github/mod.rs`,
    /// `github/runner.rs`, …; `archive/` also takes `archive.rs`), edges inside a folder dropped.
    pub fn by_folder(&self) -> ImportGraph {
        let node = |file: &str| match file.split_once('/') {
            Some((folder, _)) => format!("{folder}/"),
            None => match file.strip_suffix(".rs") {
                Some(stem)
                    if self
                        .edges
                        .keys()
                        .any(|f| f.starts_with(&format!("{stem}/"))) =>
                {
                    format!("{stem}/")
                }
                _ => file.to_owned(),
            },
        };
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &self.edges {
            let from = node(from);
            let entry = edges.entry(from.clone()).or_default();
            entry.extend(targets.iter().map(|t| node(t)).filter(|t| *t != from));
        }
        ImportGraph { edges }
    }

    /// One cycle per group of files that import each other in a ring (a strongly connected
    /// component): the group, and the shortest ring through its first file.
    pub fn cycles(&self) -> Vec<Cycle> {
        components(&self.edges)
            .into_iter()
            .filter(|group| group.len() > 1)
            .map(|group| {
                let ring = shortest_ring(&self.edges, &group);
                Cycle { group, ring }
            })
            .collect()
    }
}

/// A ring of imports, and the files that take part in rings with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The files that import each other, directly or not (a strongly connected group), sorted.
    pub group: Vec<String>,
    /// One ring through them: its first file again at the end.
    pub ring: Vec<String>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ring = self.ring.join(" -> ");
        let count = self.group.len();
        write!(
            f,
            "{ring} ({count} files in the loop: {})",
            self.group.join(", ")
        )
    }
}

fn collect(src: &Path, dir: &Path, files: &mut BTreeMap<String, String>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(src, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).expect("under src");
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(name, std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// The module a file holds: `[]` for `lib.rs`/`main.rs`, `[a, b]` for `a/b.rs` or `a/b/mod.rs`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.split('/').map(str::to_owned).collect();
    let last = parts.pop().unwrap_or_default();
    let is_root = parts.is_empty() && (last == "lib.rs" || last == "main.rs");
    if last != "mod.rs" && !is_root {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    parts
}

/// The file of the deepest module on `path` that has one.
fn file_of<'a>(path: &[String], modules: &'a BTreeMap<Vec<String>, String>) -> Option<&'a String> {
    (0..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
}

/// `text` with comments blanked and string and character literals emptied; lines kept.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i, &mut out);
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
            out.push_str("\"\"");
        } else if c == 'r' && !after_ident && matches!(next, Some('"' | '#')) {
            match skip_raw_string(&chars, i + 1) {
                Some(end) => {
                    i = end;
                    out.push_str("\"\"");
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else if c == '\'' {
            i = skip_char_literal(&chars, i, &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Past a (nested) block comment starting at `i`, keeping its line breaks.
fn skip_block_comment(chars: &[char], mut i: usize, out: &mut String) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            if chars[i] == '\n' {
                out.push('\n');
            }
            i += 1;
        }
    }
    i
}

/// Past the closing quote of a string whose text starts at `i`.
fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Past a raw string `r#"…"#` whose hashes start at `i`; `None` if it is no raw string (`r#ident`).
fn skip_raw_string(chars: &[char], mut i: usize) -> Option<usize> {
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    if chars.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|n| chars.get(i + n) == Some(&'#')) {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(i)
}

/// Past a character literal at `i` (`'x'`, `'\n'`, `'"'`); a lifetime (`'a`) is kept.
fn skip_char_literal(chars: &[char], i: usize, out: &mut String) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let mut end = i + 2;
        while end < chars.len() && chars[end] != '\'' {
            end += 1;
        }
        return end + 1;
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    out.push('\'');
    i + 1
}

/// A token of stripped text: a word (`crate`, `foo`), `::`, or one other character.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Colons,
    Other(char),
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token::Colons);
            i += 2;
        } else {
            if !c.is_whitespace() {
                tokens.push(Token::Other(c));
            }
            i += 1;
        }
    }
    tokens
}

/// Every module path named in `text` (stripped) of the file holding module `file_module`, made
/// absolute: the segments after `crate`.
fn paths(
    text: &str,
    file_module: &[String],
    modules: &BTreeMap<Vec<String>, String>,
) -> Vec<Vec<String>> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) open here, with the brace depth they close at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let here: Vec<String> = file_module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        match &tokens[i] {
            Token::Other('{') => depth += 1,
            Token::Other('}') => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Word(word) if word == "mod" => {
                if let (Some(Token::Word(name)), Some(Token::Other('{'))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                }
            }
            Token::Word(_) if i == 0 || tokens[i - 1] != Token::Colons => {
                let (named, end) = path_at(&tokens, i);
                for path in named {
                    if let Some(absolute) = absolute(&path, &here, modules) {
                        found.push(absolute);
                    }
                }
                if end > i + 1 {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The paths a path starting at token `i` names (several for a `{…}` group), as written, and the
/// token after it.
fn path_at(tokens: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(i) {
            Some(Token::Word(word)) => prefix.push(word.clone()),
            Some(Token::Other('*')) => {
                // A glob names the module before it: keep a segment no module has.
                prefix.push("*".to_owned());
                return (vec![prefix], i + 1);
            }
            Some(Token::Other('{')) => {
                let (mut paths, end) = group_at(tokens, i + 1);
                for path in &mut paths {
                    path.splice(0..0, prefix.iter().cloned());
                }
                return (paths, end);
            }
            _ => return (vec![prefix], i),
        }
        if tokens.get(i + 1) != Some(&Token::Colons) {
            return (vec![prefix], i + 1);
        }
        i += 2;
    }
}

/// The paths of a `use` group whose items start at token `i`, and the token after its `}`.
fn group_at(tokens: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut paths = Vec::new();
    while i < tokens.len() {
        match &tokens[i] {
            Token::Other('}') => return (paths, i + 1),
            Token::Word(_) | Token::Other('{') | Token::Other('*') => {
                let (mut named, end) = path_at(tokens, i);
                // `self` in a group names the group's prefix itself.
                for path in &mut named {
                    if path.first().is_some_and(|s| s == "self") {
                        path.remove(0);
                    }
                }
                paths.append(&mut named);
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    (paths, i)
}

/// `path` (as written in module `here`) from the crate root, or `None` when it does not start in
/// this crate (another crate, a local name, a keyword).
fn absolute(
    path: &[String],
    here: &[String],
    modules: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let first = path.first()?;
    let rest = || path.iter().skip(1);
    match first.as_str() {
        "crate" if path.len() > 1 => Some(rest().cloned().collect()),
        "self" if path.len() > 1 => Some(here.iter().chain(rest()).cloned().collect()),
        "super" => {
            // `pub(super)` names no path; `super::*` does.
            let ups = path.iter().take_while(|s| *s == "super").count();
            if ups == path.len() {
                return None;
            }
            let base = here.get(..here.len().checked_sub(ups)?)?;
            Some(base.iter().chain(path.iter().skip(ups)).cloned().collect())
        }
        _ if path.len() > 1 => {
            // A child module of this one, when it has a file.
            let child: Vec<String> = here.iter().chain([first]).cloned().collect();
            modules
                .contains_key(&child)
                .then(|| here.iter().chain(path).cloned().collect())
        }
        _ => None,
    }
}

/// The strongly connected groups of `edges` (Tarjan's algorithm), each sorted.
fn components(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        groups: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let n = state.index.len();
        state.index.insert(node, n);
        state.low.insert(node, n);
        state.stack.push(node);
        state.on_stack.insert(node);
        for next in state.edges.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut group = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                group.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            group.sort();
            state.groups.push(group);
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.groups.sort();
    state.groups
}

/// The shortest ring from the group's first file back to it, staying inside the group
/// (breadth-first).
fn shortest_ring(edges: &BTreeMap<String, BTreeSet<String>>, group: &[String]) -> Vec<String> {
    let start = &group[0];
    let inside: BTreeSet<&String> = group.iter().collect();
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in edges.get(node).into_iter().flatten() {
            if next == start {
                let mut ring = vec![start.clone()];
                let mut at = node;
                while at != start {
                    ring.push(at.clone());
                    at = came_from[at];
                }
                ring.push(start.clone());
                ring.reverse();
                return ring;
            }
            if inside.contains(next) && !came_from.contains_key(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    unreachable!("a strongly connected group of two or more files has a ring")
}
