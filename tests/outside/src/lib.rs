//! The READMEs as a new user reads them. Their Rust snippets are doctests of this crate, which
//! has only the dependencies their install snippets name; the test below keeps those snippets
//! naming exactly this crate's dependencies.
#![forbid(unsafe_code)]

// Only for rustdoc's tests: the crate docs' links point into the facade, not here.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub mod workspace_readme {}

#[cfg(doctest)]
#[doc = include_str!("../../../client/README.md")]
pub mod client_readme {}

#[cfg(test)]
mod tests {
    /// The lines of the first TOML block of a Markdown text.
    fn first_toml_block(markdown: &str) -> Vec<&str> {
        let mut lines = markdown.lines().skip_while(|line| line.trim() != "```toml");
        lines.next();
        lines.take_while(|line| line.trim() != "```").collect()
    }

    /// The entries of the `[dependencies]` and `[dev-dependencies]` tables as `table: name =
    /// value`, spaces squeezed and each `path` cut to its last component (the crate's folder),
    /// sorted.
    fn dependencies<'a>(toml: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut table = "";
        let mut entries = Vec::new();
        for line in toml {
            let line = line.trim();
            if line.starts_with('[') {
                table = line;
            } else if matches!(table, "[dependencies]" | "[dev-dependencies]")
                && !line.is_empty()
                && !line.starts_with('#')
            {
                let squeezed = line.split_whitespace().collect::<Vec<_>>().join(" ");
                entries.push(format!("{table} {}", last_path_component(&squeezed)));
            }
        }
        entries.sort();
        entries
    }

    /// `path = "../x/client"` becomes `path = "client"`.
    fn last_path_component(entry: &str) -> String {
        let Some((before, rest)) = entry.split_once("path = \"") else {
            return entry.to_owned();
        };
        let (path, after) = rest.split_once('"').expect("a quoted path");
        let folder = path.rsplit('/').next().unwrap_or(path);
        format!("{before}path = \"{folder}\"{after}")
    }

    #[test]
    fn the_install_snippets_name_exactly_this_crates_dependencies() {
        let manifest = include_str!("../Cargo.toml");
        let ours = dependencies(manifest.lines());
        assert_eq!(ours.len(), 3, "{ours:?}");
        for (name, readme) in [
            ("README.md", include_str!("../../../README.md")),
            (
                "client/README.md",
                include_str!("../../../client/README.md"),
            ),
        ] {
            let snippet = dependencies(first_toml_block(readme));
            assert_eq!(snippet, ours, "the install snippet of {name}");
        }
    }
}
