//! Workflow commands: the lines lscp writes for the runner (annotations, folds, masks), and the
//! guard that keeps every other line from being taken for one.
//!
//! The runner (actions/runner, `ActionCommand`) reads two forms on stdout and stderr:
//! - `::name props::data` when the line, its leading whitespace trimmed, starts with `::`;
//! - the older `##[name props]data` anywhere in a line.
//!
//! Both are matched with .NET's culture-sensitive comparison, which skips characters the
//! collation ignores (soft hyphens, zero-width characters and the like), so the guard ignores
//! every non-ASCII character when it looks for either form. Controls are already escaped by
//! [`crate::inert`] before the guard sees a line.

use std::borrow::Cow;
use std::io::Write;

use uuid::Uuid;

use crate::inert;

/// A command's data as the runner unescapes it: `%`, CR and LF as `%25`, `%0D`, `%0A`.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A command's property value: as [`escape_data`], and `:` and `,` as `%3A` and `%2C`, which
/// would otherwise end the property list or the property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `text` (lines printed by lscp, controls already escaped) with nothing in it that the runner
/// would read as a workflow command; borrowed unchanged when off GitHub Actions or clean.
pub fn guard_lines(text: &str) -> Cow<'_, str> {
    if !super::runner::active() {
        return Cow::Borrowed(text);
    }
    guard(text)
}

/// [`guard_lines`] whether or not a runner is listening.
fn guard(text: &str) -> Cow<'_, str> {
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(guard_line).collect();
    if lines.iter().all(|line| matches!(line, Cow::Borrowed(_))) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(lines.join("\n"))
}

/// Where the colon is that, with the next ASCII character also a colon, would open a `::`
/// command: the line's first ASCII character other than whitespace.
fn opening_colon(line: &str) -> Option<usize> {
    let mut ascii = line
        .char_indices()
        .filter(|(_, c)| c.is_ascii() && !c.is_ascii_whitespace());
    let (at, first) = ascii.next()?;
    let next = line[at + 1..].chars().find(char::is_ascii);
    (first == ':' && next == Some(':')).then_some(at)
}

/// One line with its opening `::` and every `##[` broken by a JSON-compatible escape of the
/// colon (`\u003a`) or the bracket (`\u005b`): visible to people, and a JSON line stays valid and
/// decodes to the same strings (a `##[` in a JSON line can only be inside a string).
fn guard_line(line: &str) -> Cow<'_, str> {
    escape_at(line, opening_colon(line))
}

/// `text` with every `##[` broken as [`guard_line`] does, for the data of lscp's own commands:
/// the runner reads a line as a `::` command before it looks for the older form, but other
/// runners need not.
fn break_legacy_prefix(text: &str) -> Cow<'_, str> {
    escape_at(text, None)
}

/// `line` with the colon at `colon`, and each `[` after two `#`, escaped.
fn escape_at(line: &str, colon: Option<usize>) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut hashes = 0;
    for (at, c) in line.char_indices() {
        let escape = match c {
            ':' if Some(at) == colon => Some("\\u003a"),
            '[' if hashes >= 2 => Some("\\u005b"),
            _ => None,
        };
        match c {
            '#' => hashes += 1,
            // The collation may skip it: it does not separate the hashes from the bracket.
            c if !c.is_ascii() => {}
            _ => hashes = 0,
        }
        match (escape, &mut out) {
            (Some(escape), Some(out)) => out.push_str(escape),
            (Some(escape), None) => out = Some(format!("{}{escape}", &line[..at])),
            (None, Some(out)) => out.push(c),
            (None, None) => {}
        }
    }
    out.map_or(Cow::Borrowed(line), Cow::Owned)
}

/// Writes workflow command lines to stderr as they are (their callers escape what they hold).
/// A closed stderr is ignored, as for diagnostics.
fn emit(lines: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(lines.as_bytes())
        .and_then(|()| stderr.flush());
}

/// How bad an annotation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `::error`: the step's problem.
    Error,
    /// `::warning`: worth a look; the step may still have done its job.
    Warning,
}

/// An annotation: one `::error title=...::message` (or `::warning`) line, both escaped, controls
/// first, so that neither can end the command or start another one.
pub fn annotate(level: Level, title: &str, message: &str) {
    if !super::runner::active() {
        return;
    }
    let name = match level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let text = |text: &str| break_legacy_prefix(&inert::escape(text)).into_owned();
    emit(&format!(
        "::{name} title={}::{}\n",
        escape_property(&text(title)),
        escape_data(&text(message))
    ));
}

/// A command ended with an error: its message as an error annotation.
pub fn failure(message: &str) {
    annotate(Level::Error, "lscp", message);
}

/// Announces each secret value with `::add-mask::` before it is sent, so that the runner hides it
/// wherever it shows up in the job's log or summary. The runner masks whole log lines' substrings
/// and reads its log line by line, so a value with line breaks is announced line by line (blank
/// lines are not: the runner refuses them), and also whole in the escaped form lscp itself would
/// print it in (`\n` for a line break).
pub fn mask_secrets<'a>(values: impl IntoIterator<Item = &'a str>) {
    if !super::runner::active() {
        return;
    }
    let mut lines = String::new();
    for value in values {
        let mut masks: Vec<Cow<'_, str>> = value
            .split(['\r', '\n'])
            .filter(|line| !line.trim().is_empty())
            .map(inert::escape)
            .collect();
        if value.contains(['\r', '\n']) && !value.trim().is_empty() {
            masks.push(inert::escape(value));
        }
        for mask in masks {
            lines.push_str(&format!("::add-mask::{}\n", escape_data(&mask)));
        }
    }
    emit(&lines);
}

/// Which stream a [`Fold`] wraps: the one its lines are printed on (the runner reads stdout and
/// stderr apart, so a fold's commands must share their lines' stream to keep their order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldStream {
    /// Lines printed with `output::line`.
    Stdout,
    /// Lines printed with `output::diagnostic`.
    Stderr,
}

/// Raw log lines folded under a title: `::group::TITLE`, then `::stop-commands::TOKEN` so that
/// the runner acts on nothing until `::TOKEN::`, then `::endgroup::`, written when dropped. The
/// token is random for each fold (a v4 UUID, from the operating system's generator), so a log
/// line cannot guess it and end the region early.
#[derive(Debug)]
pub struct Fold {
    stream: FoldStream,
    token: String,
}

impl Fold {
    /// Opens a fold on `stream`; `None` off GitHub Actions.
    pub fn open(title: &str, stream: FoldStream) -> Option<Fold> {
        if !super::runner::active() {
            return None;
        }
        let fold = Fold {
            stream,
            token: format!("lscp-{}", Uuid::new_v4().simple()),
        };
        fold.write(&opening_lines(title, &fold.token));
        Some(fold)
    }

    fn write(&self, lines: &str) {
        match self.stream {
            FoldStream::Stderr => emit(lines),
            // As `output::line` writes: a closed stdout is ignored.
            FoldStream::Stdout => {
                let mut stdout = std::io::stdout().lock();
                let _ = stdout
                    .write_all(lines.as_bytes())
                    .and_then(|()| stdout.flush());
            }
        }
    }
}

/// `::group::TITLE` and `::stop-commands::TOKEN`, the title escaped as an annotation's message
/// is, so that nothing in it ends the line or starts another command.
fn opening_lines(title: &str, token: &str) -> String {
    let title = escape_data(&break_legacy_prefix(&inert::escape(title)));
    format!("::group::{title}\n::stop-commands::{token}\n")
}

impl Drop for Fold {
    fn drop(&mut self) {
        self.write(&format!("::{}::\n::endgroup::\n", self.token));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_by_the_runners_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(
            escape_property("a: b, c%\n"),
            "a%3A b%2C c%25%0A".to_string()
        );
    }

    #[test]
    fn a_line_opening_with_two_colons_has_its_first_colon_escaped() {
        assert_eq!(guard("::error::x"), r"\u003a:error::x");
        assert_eq!(
            guard("   ::set-env name=X::y"),
            r"   \u003a:set-env name=X::y"
        );
        // Characters the runner's comparison may skip do not hide the colons.
        assert_eq!(
            guard("\u{200b}:\u{ad}:add-mask::z"),
            "\u{200b}\\u003a\u{ad}:add-mask::z"
        );
        assert_eq!(guard("\u{a0}::endgroup::"), "\u{a0}\\u003a:endgroup::");
    }

    #[test]
    fn every_legacy_command_prefix_has_its_bracket_escaped() {
        assert_eq!(
            guard("12:00 INFO ##[set-output name=x;]y and ##[error]z"),
            r"12:00 INFO ##\u005bset-output name=x;]y and ##\u005berror]z"
        );
        assert_eq!(guard("#\u{ad}#[error]z"), "#\u{ad}#\\u005berror]z");
        assert_eq!(
            guard("{\"m\":\"##[warning]w\"}"),
            "{\"m\":\"##\\u005bwarning]w\"}"
        );
    }

    #[test]
    fn ordinary_lines_are_borrowed_unchanged() {
        for text in [
            "",
            "a: b :: c",
            "x ::error::y",
            ": one colon",
            "#[not]",
            "# [spaced]",
            "[1s] support-agent: deployed",
            "{\"event\":\"step\"}\n2026-01-01 INFO msg",
        ] {
            assert!(matches!(guard(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn each_line_of_a_text_is_guarded_on_its_own() {
        assert_eq!(guard("ok\n::error::x\nok"), "ok\n\\u003a:error::x\nok");
    }

    #[test]
    fn a_fold_title_is_one_line_with_no_command_in_it() {
        let lines = opening_lines("log of ##[error]x %0A\n::error::y\r##[group]z", "lscp-t");
        assert_eq!(
            lines,
            "::group::log of ##\\u005berror]x %250A\\n::error::y\\r##\\u005bgroup]z\n\
             ::stop-commands::lscp-t\n"
        );
    }

    #[test]
    fn a_guarded_json_line_decodes_to_the_same_strings() {
        let value = serde_json::json!({"message": "##[error]x ###[y] #\u{ad}#[z]"});
        let line = inert::to_json(&value).unwrap();
        let guarded = guard(&line);
        assert!(!guarded.contains("##["), "{guarded}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&guarded).unwrap(),
            value
        );
    }
}
