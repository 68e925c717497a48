//! The workspace's layout has no circles: no file of `cli/src` or `mock/src` imports another
//! that imports it back, directly or through others (a file-level import graph, see
//! [`xtask::imports`]). `client/src` and `plan/src` are reported, not checked, while they have
//! cycles left.

use std::collections::BTreeMap;

use xtask::imports::ImportGraph;
use xtask::workspace_root;

fn graph(src: &str) -> ImportGraph {
    let dir = workspace_root().join(src);
    ImportGraph::read(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
}

/// Fails naming every cycle left in `src`.
fn assert_no_cycles(src: &str) {
    let cycles = graph(src).cycles();
    let list: Vec<String> = cycles.iter().map(|c| format!("  {c}")).collect();
    assert!(
        cycles.is_empty(),
        "{src} has import cycles (files that import each other, directly or not):\n{}",
        list.join("\n")
    );
}

#[test]
fn cli_sources_import_in_one_direction() {
    assert_no_cycles("cli/src");
}

#[test]
fn mock_sources_import_in_one_direction() {
    assert_no_cycles("mock/src");
}

/// What the other crates have left, file by file and folder by folder; `--nocapture` shows it.
#[test]
fn cycles_of_the_other_crates_are_reported() {
    for src in ["cli/src", "mock/src", "client/src", "plan/src"] {
        let graph = graph(src);
        for (level, cycles) in [
            ("file", graph.cycles()),
            ("folder", graph.by_folder().cycles()),
        ] {
            println!("{src}, {level} level: {} cycle group(s)", cycles.len());
            for cycle in cycles {
                println!("  {cycle}");
            }
        }
    }
}

fn files(files: &[(&str, &str)]) -> ImportGraph {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    ImportGraph::from_files(&files)
}

fn imports(graph: &ImportGraph, file: &str) -> Vec<String> {
    graph.edges[file].iter().cloned().collect()
}

#[test]
fn use_groups_name_each_module_in_them() {
    let graph = files(&[
        ("main.rs", "mod a; mod b; mod c;"),
        ("a.rs", "use crate::{b, c::Thing};"),
        ("b.rs", ""),
        ("c.rs", "use crate::b::{self, Other};"),
    ]);
    assert_eq!(imports(&graph, "a.rs"), ["b.rs", "c.rs"]);
    assert_eq!(imports(&graph, "c.rs"), ["b.rs"]);
}

#[test]
fn paths_go_to_the_deepest_module_with_a_file() {
    let graph = files(&[
        (
            "lib.rs",
            "pub use shop::Cart; fn f() { crate::shop::till::open(); }",
        ),
        (
            "shop/mod.rs",
            "mod till; pub struct Cart; fn g() -> crate::Error { todo() }",
        ),
        ("shop/till.rs", "use super::Cart;"),
    ]);
    assert_eq!(imports(&graph, "lib.rs"), ["shop/mod.rs", "shop/till.rs"]);
    assert_eq!(imports(&graph, "shop/mod.rs"), ["lib.rs"]);
    assert_eq!(imports(&graph, "shop/till.rs"), ["shop/mod.rs"]);
}

#[test]
fn super_in_an_inline_module_is_its_own_file() {
    let graph = files(&[
        ("main.rs", "mod a;"),
        (
            "a.rs",
            "pub(super) fn f() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\nuse super::a;",
        ),
    ]);
    assert!(imports(&graph, "a.rs").is_empty());
    let graph = files(&[
        ("main.rs", "mod a;"),
        (
            "a.rs",
            "mod tests { fn t() { super::super::main_thing(); } }",
        ),
        ("b/mod.rs", "mod c;"),
        ("b/c.rs", "use super::*;"),
    ]);
    assert_eq!(imports(&graph, "a.rs"), ["main.rs"]);
    assert_eq!(imports(&graph, "b/c.rs"), ["b/mod.rs"]);
}

#[test]
fn comments_and_strings_are_not_imports() {
    let graph = files(&[
        ("main.rs", "mod a; mod b;"),
        (
            "a.rs",
            "//! See [`crate::b`].\n/* crate::b::x */ const S: &str = \"crate::b::y\";\n\
             const R: &str = r#\"crate::b\"#; const C: char = '\"'; fn f<'x>() {}",
        ),
        ("b.rs", ""),
    ]);
    assert!(imports(&graph, "a.rs").is_empty());
}

#[test]
fn a_ring_is_named_from_file_to_file() {
    let graph = files(&[
        ("main.rs", "mod a; mod b; mod c; mod d;"),
        ("a.rs", "use crate::b;"),
        ("b.rs", "fn f() { crate::c::go(); }"),
        ("c.rs", "use crate::{a::X, d};"),
        ("d.rs", ""),
    ]);
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].ring, ["a.rs", "b.rs", "c.rs", "a.rs"]);
    assert_eq!(
        cycles[0].to_string(),
        "a.rs -> b.rs -> c.rs -> a.rs (3 files in the loop: a.rs, b.rs, c.rs)"
    );
}

#[test]
fn a_folder_is_one_node_when_grouped() {
    let graph = files(&[
        ("main.rs", "mod a; mod out;"),
        ("a/mod.rs", "mod x; mod y; pub use x::go;"),
        ("a/x.rs", "use super::y; use crate::out;"),
        ("a/y.rs", ""),
        ("out.rs", "use crate::a::y::Thing;"),
    ]);
    assert!(graph.cycles().is_empty());
    let folders = graph.by_folder();
    assert_eq!(folders.cycles()[0].ring, ["a/", "out.rs", "a/"]);
}
