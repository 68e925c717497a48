//! Markdown for the job summary, GitHub's flavour, with outside text kept as text: it can neither
//! end a table cell or a code block, nor become HTML, a link, an image or math.

use crate::inert;

/// Longest line of a log shown in a code block; the runner refuses a summary over its size limit.
const MAX_LOG_LINE: usize = 1000;

/// Characters that mean something inside a table cell (inline Markdown, GitHub's tables, its
/// strikethrough and math), each written with a backslash, which CommonMark allows before any
/// ASCII punctuation and which makes it a literal character.
const ACTIVE: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '!', '&', '~', '|', '(', ')', '$',
];

/// Text for a table cell: controls and line breaks escaped by [`inert`] (a line break would end
/// the row), then every character in [`ACTIVE`] after a backslash.
pub fn text(text: &str) -> String {
    let text = inert::escape(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if ACTIVE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link to `url` labelled `label` (lscp's own words). Characters that could end the link or
/// the cell are percent-encoded; a URL that is not http(s) is shown as text, not linked.
pub fn link(label: &str, url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return text(url);
    }
    let mut encoded = String::with_capacity(url.len());
    for byte in url.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~:/?#@!$&*+,;=%".contains(&byte);
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("[{label}]({encoded})")
}

/// A table: a header row, a separator, a row per entry; cells are already Markdown.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", header.join(" | "));
    out.push_str(&" --- |".repeat(header.len()));
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// Log lines in a fenced code block, where nothing is interpreted: each line's controls escaped
/// (and cut at [`MAX_LOG_LINE`] characters), and a fence of backticks longer than any run of
/// backticks in the lines, so that no line can close it.
pub fn code_block<S: AsRef<str>>(lines: &[S]) -> String {
    let lines: Vec<String> = lines
        .iter()
        .map(|line| {
            let line = inert::escape(line.as_ref());
            match line.char_indices().nth(MAX_LOG_LINE) {
                Some((cut, _)) => format!("{}...", &line[..cut]),
                None => line.into_owned(),
            }
        })
        .collect();
    let longest_run = lines
        .iter()
        .flat_map(|line| line.split(|c| c != '`').map(str::len))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest_run + 1).max(3));
    format!("{fence}text\n{}\n{fence}\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_text_cannot_end_the_cell_or_become_html_or_a_link() {
        assert_eq!(
            text("a|b <img src=x> [x](y) ![i](j)\nrow"),
            r"a\|b \<img src=x\> \[x\]\(y\) \!\[i\]\(j\)\\nrow"
        );
        assert_eq!(text(r"\| `c` $x$ ~s~"), r"\\\| \`c\` \$x\$ \~s\~");
        assert_eq!(text("support-agent 1.2"), "support-agent 1.2");
    }

    #[test]
    fn a_link_percent_encodes_what_could_end_it() {
        assert_eq!(
            link(
                "dashboard",
                "https://smith.langchain.com/o/1/host/deployments/2"
            ),
            "[dashboard](https://smith.langchain.com/o/1/host/deployments/2)"
        );
        assert_eq!(
            link("d", "http://h/a b)|<é>"),
            "[d](http://h/a%20b%29%7C%3C%C3%A9%3E)"
        );
        assert_eq!(link("d", "javascript:alert(1)"), r"javascript:alert\(1\)");
    }

    #[test]
    fn a_code_block_fence_is_longer_than_any_backtick_run() {
        let block = code_block(&["plain", "```", "a ````` b"]);
        assert!(block.starts_with("``````text\n"), "{block}");
        assert!(block.ends_with("\n``````\n"), "{block}");
        assert_eq!(code_block(&["x"]), "```text\nx\n```\n");
    }

    #[test]
    fn a_long_log_line_is_cut() {
        let long = "y".repeat(MAX_LOG_LINE + 10);
        let block = code_block(&[long]);
        assert!(block.contains(&format!("{}...\n", "y".repeat(MAX_LOG_LINE))));
    }
}
