//! Request URLs, built without parsing the base URL again for every request.
//!
//! progenitor's generated code formats each request's URL as text (base URL, path template,
//! each path parameter turned into a `String` and percent-encoded into a second one), which
//! `reqwest` then parses whole: scheme, host and path, on every request. The build script
//! rewrites that (see `build/generate.rs`, `tighten`) into [`request_url`]: the base URL parsed
//! once per client, the path pushed onto a copy of it segment by segment, each segment
//! percent-encoded by `url` with the same set progenitor uses. A path template the rewrite does
//! not recognise keeps its `format!`, with [`Segment`] encoding its parameters.

use std::fmt::{self, Display, Write};

use reqwest::Url;

use crate::transport::Transport;

/// The URL of a request: `base_url` (parsed once per transport) followed by `segments`, each
/// one percent-encoded path segment. A segment of `.` or `..` is refused: a URL cannot carry it
/// as data, and it would change which resource is addressed.
#[doc(hidden)]
pub fn request_url(
    transport: &Transport,
    base_url: &str,
    segments: &[&dyn Display],
) -> Result<Url, String> {
    let mut url = transport.base_url(base_url)?;
    let mut path = url
        .path_segments_mut()
        .map_err(|()| format!("the base URL {base_url:?} cannot take a path"))?;
    path.pop_if_empty();
    let mut text = String::new();
    for segment in segments {
        text.clear();
        write!(text, "{segment}").map_err(|_| "a path parameter failed to format".to_string())?;
        if text == "." || text == ".." {
            return Err(format!(
                "the path parameter {text:?} cannot be sent as a path segment"
            ));
        }
        path.push(&text);
    }
    drop(path);
    Ok(url)
}

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
