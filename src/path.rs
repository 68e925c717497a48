//! Path parameters written straight into a request URL, percent-encoded on the way.
//!
//! progenitor's generated code turns each path parameter into a `String`, percent-encodes that
//! into a second `String`, and formats both into the URL. The build script rewrites those
//! arguments to [`Segment`], which encodes while the URL is being formatted: the same text, two
//! allocations fewer per parameter (see `build/generate.rs`, `tighten`).

use std::fmt::{self, Display, Write};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a path parameter may not contain as is: the URL standard's path percent-encode set
/// (controls, space, `"`, `#`, `<`, `>`, `?`, `` ` ``, `{`, `}`), plus `/` so a value stays one
/// segment and `%` so a value is never read as an escape. progenitor-client encodes the same set;
/// `tests/path_segments.rs` holds the two to the same output.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// Displays a value as one percent-encoded URL path segment.
#[doc(hidden)]
pub struct Segment<'a, T: ?Sized>(pub &'a T);

impl<T: Display + ?Sized> Display for Segment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(Encoder(f), "{}", self.0)
    }
}

/// Encodes what is written through it into the formatter underneath.
struct Encoder<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl Write for Encoder<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for piece in utf8_percent_encode(text, SEGMENT) {
            self.0.write_str(piece)?;
        }
        Ok(())
    }
}
