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
    let mut url = transport.base_url(base_url)?.into_path();
    let mut path = url
        .path_segments_mut()
        .map_err(|()| format!("the base URL {base_url:?} cannot take a path"))?;
    path.pop_if_empty();
    let mut text = SegmentText::new();
    for segment in segments {
        text.clear();
        write!(text, "{segment}").map_err(|_| "a path parameter failed to format".to_string())?;
        let text = text.as_str();
        if text == "." || text == ".." {
            return Err(format!(
                "the path parameter {text:?} cannot be sent as a path segment"
            ));
        }
        path.push(text);
    }
    drop(path);
    Ok(url)
}

/// A segment's text before encoding: on the stack while it is short (names and IDs always
/// are), on the heap past that. Formatting each parameter into a fresh `String` would allocate
/// once per request for nothing.
struct SegmentText {
    short: [u8; SegmentText::SHORT],
    len: usize,
    /// The text once it outgrew `short`; kept (emptied) for the next segment.
    long: String,
    spilled: bool,
}

impl SegmentText {
    const SHORT: usize = 64;

    fn new() -> Self {
        Self {
            short: [0; Self::SHORT],
            len: 0,
            long: String::new(),
            spilled: false,
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.long.clear();
        self.spilled = false;
    }

    fn short_str(&self) -> &str {
        // Only whole `str`s are ever copied in, so the bytes are UTF-8.
        std::str::from_utf8(&self.short[..self.len]).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        if self.spilled {
            &self.long
        } else {
            self.short_str()
        }
    }
}

impl Write for SegmentText {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        let end = self.len + piece.len();
        if self.spilled {
            self.long.push_str(piece);
        } else if end <= Self::SHORT {
            self.short[self.len..end].copy_from_slice(piece.as_bytes());
            self.len = end;
        } else {
            // Past the inline room: move what is there to the heap and go on there.
            let mut long = std::mem::take(&mut self.long);
            long.reserve(end);
            long.push_str(self.short_str());
            long.push_str(piece);
            self.long = long;
            self.spilled = true;
        }
        Ok(())
    }
}

/// What `send()` reports for a parameter's error: the error itself, or for the empty error a
/// required parameter starts out with, that `name` was never set (progenitor's own words).
#[doc(hidden)]
pub fn unset<E>(name: &'static str) -> impl FnOnce(String) -> progenitor_client::Error<E> {
    move |message| {
        progenitor_client::Error::InvalidRequest(if message.is_empty() {
            format!("{name} was not initialized")
        } else {
            message
        })
    }
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
