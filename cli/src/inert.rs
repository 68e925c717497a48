//! Text from outside made inert before it is printed (CONTRACT section 8): a server's names,
//! statuses, log lines and error details may hold terminal control sequences (OSC 52 writes the
//! clipboard, OSC 8 disguises a link, `\r` and `ESC[2J` overwrite what was printed, a `\n` forges
//! a line of lscp's own output). Like `ls` and `git` do for file names, each such character is
//! replaced by a visible escape, so the text still reads but can no longer act.
//!
//! # What is escaped, and how
//!
//! The notation is Rust's string-literal escapes (C's, for the first two rows):
//!
//! | Characters                                   | Printed as                          |
//! |----------------------------------------------|-------------------------------------|
//! | line feed, carriage return, tab              | `\n`, `\r`, `\t`                    |
//! | other C0 controls (U+0000-U+001F), DEL       | `\x00` ... `\x1f`, `\x7f`           |
//! | C1 controls (U+0080-U+009F)                  | `\u{80}` ... `\u{9f}`               |
//! | bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) | `\u{202a}` ... `\u{2069}` |
//!
//! The bidi characters reorder what follows them on screen, so they can make text read as
//! something it is not (CVE-2021-42574, "Trojan Source"). Everything else prints unchanged.
//!
//! Backslashes are not doubled: the escapes are for people reading a terminal or a CI log, and
//! doubling the backslashes of every Windows path and JSON-in-a-log-line would hurt them more
//! than it helps. So a server that sends the four characters `\x1b` prints the same as one that
//! sends ESC; either way nothing reaches the terminal that it would act on. `-o json` is the
//! lossless form: its strings decode to exactly what the server sent.
//!
//! # Where it applies
//!
//! [`escape`] (or [`Inert`] in a `format!`) at each place server text is put into a line;
//! `output::line` and `output::diagnostic` pass whole lines through [`escape_keeping_lines`] as a
//! last guard, and every table cell through [`escape`]. [`JsonFormatter`] does the same for JSON.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};
use std::io;

/// Whether `c` is escaped by [`escape`]: a C0 or C1 control, DEL, or a bidi override or
/// isolate.
pub fn is_escaped(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character [`is_escaped`] names replaced by its visible escape (see the
/// module docs); borrowed unchanged when there is none, which is the common case.
///
/// For example `evil` ESC `]0;title` BEL LF prints as `evil\x1b]0;title\x07\n`.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_where(text, is_escaped)
}

/// Like [`escape`], but line feeds stay line feeds: for multi-line text lscp composed itself
/// (a list of problems, one per line) that may quote outside text. Server text that must stay on
/// one line goes through [`escape`] first.
pub fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_escaped(c))
}

fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.contains(&escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text, escaped) {
        match piece {
            Piece::Plain(run) => out.push_str(run),
            // Writing to a `String` does not fail.
            Piece::Escaped(c) => {
                let _ = push_escape(&mut out, c);
            }
        }
    }
    Cow::Owned(out)
}

/// A stretch of text to copy as it is, or one character to escape.
enum Piece<'a> {
    Plain(&'a str),
    Escaped(char),
}

/// `text` cut into [`Piece`]s, in order, by the characters `escaped` names.
fn pieces(text: &str, escaped: impl Fn(char) -> bool) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    let mut next: Option<char> = None;
    std::iter::from_fn(move || {
        if let Some(c) = next.take() {
            return Some(Piece::Escaped(c));
        }
        let (run, after) = match rest.char_indices().find(|(_, c)| escaped(*c)) {
            Some((at, c)) => {
                next = Some(c);
                (&rest[..at], &rest[at + c.len_utf8()..])
            }
            None if rest.is_empty() => return None,
            None => (rest, ""),
        };
        rest = after;
        match run {
            "" => next.take().map(Piece::Escaped),
            run => Some(Piece::Plain(run)),
        }
    })
}

/// Writes the escape of `c`, one of the characters [`is_escaped`] names.
fn push_escape(out: &mut impl fmt::Write, c: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\0'..='\x7f' => write!(out, "\\x{:02x}", u32::from(c)),
        _ => write!(out, "\\u{{{:x}}}", u32::from(c)),
    }
}

/// Prints a value's `Display` escaped as [`escape`] does, without allocating when no width or
/// precision is asked for: `format!("status {}", Inert(&revision.status))`.
#[derive(Clone, Copy, Debug)]
pub struct Inert<T>(pub T);

impl<T: Display> Display for Inert<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() || f.precision().is_some() {
            // Padding counts the escaped characters, which are the ones shown.
            return f.pad(&escape(&self.0.to_string()));
        }
        write!(Escaping(f), "{}", self.0)
    }
}

/// A `fmt::Write` that escapes what goes through it.
struct Escaping<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Escaping<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for piece in pieces(text, is_escaped) {
            match piece {
                Piece::Plain(run) => self.0.write_str(run)?,
                Piece::Escaped(c) => push_escape(&mut *self.0, c)?,
            }
        }
        Ok(())
    }
}

/// A `serde_json` formatter for compact JSON whose strings hold nothing a terminal acts on:
/// serde_json already escapes C0 controls, quotes and backslashes; this also escapes DEL, the C1
/// controls and the bidi controls, as `\u007f`, `\u009b`, `\u202e`. The JSON stays valid and
/// decodes to the same strings.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonFormatter;

impl serde_json::ser::Formatter for JsonFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for piece in pieces(fragment, is_escaped) {
            match piece {
                Piece::Plain(run) => writer.write_all(run.as_bytes())?,
                // Every character escaped here is in the Basic Multilingual Plane: one `\uXXXX`.
                Piece::Escaped(c) => write!(writer, "\\u{:04x}", u32::from(c))?,
            }
        }
        Ok(())
    }
}

/// `value` as one line of compact JSON written with [`JsonFormatter`].
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        JsonFormatter,
    ))?;
    // serde_json writes only UTF-8 (its input is `str`), and the escapes are ASCII.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in ["", "support-agent", r"C:\build\x1b is text", "naïve ✓ 日本"] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(escape_keeping_lines(text), Cow::Borrowed(t) if t == text));
        }
        assert!(matches!(
            escape_keeping_lines("a\nb"),
            Cow::Borrowed("a\nb")
        ));
    }

    #[test]
    fn line_breaks_and_tabs_take_their_short_escapes() {
        assert_eq!(escape("a\nb\rc\td"), r"a\nb\rc\td");
        assert_eq!(escape_keeping_lines("a\nb\rc\td"), "a\nb\\rc\\td");
    }

    #[test]
    fn other_c0_controls_and_del_are_hex_escapes() {
        assert_eq!(escape("\0"), r"\x00");
        assert_eq!(escape("\x07"), r"\x07");
        assert_eq!(escape("\x1b]52;c;aGk=\x07"), r"\x1b]52;c;aGk=\x07");
        assert_eq!(escape("\x1bPq\x1b\\"), r"\x1bPq\x1b\");
        assert_eq!(escape("\x1f\x7f"), r"\x1f\x7f");
    }

    #[test]
    fn c1_controls_are_unicode_escapes() {
        assert_eq!(
            escape("\u{80}\u{85}\u{9b}31m\u{9f}"),
            r"\u{80}\u{85}\u{9b}31m\u{9f}"
        );
        // The neighbours are printable and stay.
        assert_eq!(escape("~\u{a0}é"), "~\u{a0}é");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_unicode_escapes() {
        assert_eq!(
            escape("\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}gnp.exe"),
            r"\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}gnp.exe"
        );
        assert_eq!(
            escape("\u{2066}\u{2067}\u{2068}\u{2069}"),
            r"\u{2066}\u{2067}\u{2068}\u{2069}"
        );
        // Left-to-right and right-to-left text itself is not touched.
        assert_eq!(escape("שלום abc"), "שלום abc");
    }

    /// The set escaped is Unicode's control category (Cc, as the standard library knows it) plus
    /// the nine bidi controls, checked over every scalar value.
    #[test]
    fn exactly_the_controls_and_bidi_controls_are_escaped() {
        let bidi: Vec<u32> = (0x202a..=0x202e).chain(0x2066..=0x2069).collect();
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let expected = c.is_control() || bidi.contains(&u32::from(c));
            let mut buffer = [0; 4];
            let text = c.encode_utf8(&mut buffer);
            assert_eq!(
                matches!(escape(text), Cow::Owned(_)),
                expected,
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_display_wrapper_escapes_the_same_and_pads_the_escaped_text() {
        let text = "a\x1b[2J\u{9b}\u{202e}\nb";
        assert_eq!(Inert(text).to_string(), escape(text));
        assert_eq!(format!("[{:<8}]", Inert("\x1bx")), r"[\x1bx   ]");
        assert_eq!(Inert("plain").to_string(), "plain");
    }

    #[test]
    fn json_escapes_del_c1_and_bidi_and_decodes_to_the_same_strings() {
        let text = "a\x1b]0;t\x07\u{7f}\u{85}\u{9b}\u{202e}\u{2069}\"\\é\n";
        let value = serde_json::json!({ "name": text, text: [text] });
        let json = to_json(&value).unwrap();
        assert!(!json.chars().any(is_escaped), "{json}");
        assert!(json.contains(r"\u007f\u0085\u009b\u202e\u2069"), "{json}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            value
        );
        // Nothing to escape: the same as serde_json's own compact form.
        let plain = serde_json::json!({ "name": "agent", "n": 1, "é": [true, null] });
        assert_eq!(to_json(&plain).unwrap(), plain.to_string());
    }
}
