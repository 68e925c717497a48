//! Reading and decoding an answer's body, for the generated operations and the facade.
//!
//! progenitor's generated code calls `ResponseValue::from_response`, an `async fn` that copies
//! the answer's headers and reads the body through `reqwest::Response::bytes`, whose future
//! alone takes 568 bytes and which gathers the chunks in an allocated list. The build script
//! rewrites those calls (see `build/generate.rs`, `tighten`) into [`json`]: the same result and
//! errors, the headers moved instead of copied, the body read by [`read_body`] (a body that
//! arrives in one chunk, as small answers do, is kept as it is), in a future of about a third
//! of the size.

use bytes::Bytes;
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The answer's body decoded as JSON into `T`, with its status and headers: what
/// `ResponseValue::from_response` returns, and the same errors (`ResponseBodyError` when the
/// body cannot be read, `InvalidResponsePayload` with the body when it does not decode).
#[doc(hidden)]
pub async fn json<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    // `bytes()` names the URL in a body error; `chunk()` does not, so it is added here.
    let (full, _) = read_body(&mut response, u64::MAX)
        .await
        .map_err(|e| Error::ResponseBodyError(e.with_url(response.url().clone())))?;
    let inner =
        serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// Reads the rest of `response`'s body, up to `limit` bytes. A longer body (declared or
/// delivered) is not kept: the body comes back empty, with the size that passed the limit
/// (its declared length, or what had arrived when it went over).
#[doc(hidden)]
pub async fn read_body(
    response: &mut reqwest::Response,
    limit: u64,
) -> reqwest::Result<(Bytes, Option<u64>)> {
    let declared = response.content_length().unwrap_or(0);
    if declared > limit {
        return Ok((Bytes::new(), Some(declared)));
    }
    // Most answers arrive in one chunk, kept as it is (no buffer is allocated for it); only
    // several are joined.
    let mut first: Option<Bytes> = None;
    let mut more: Vec<Bytes> = Vec::new();
    let mut size = 0u64;
    while let Some(chunk) = response.chunk().await? {
        size = size.saturating_add(chunk.len() as u64);
        if size > limit {
            return Ok((Bytes::new(), Some(size)));
        }
        if first.is_none() {
            first = Some(chunk);
        } else {
            more.push(chunk);
        }
    }
    Ok(match first {
        None => (Bytes::new(), None),
        Some(first) if more.is_empty() => (first, None),
        Some(first) => {
            let mut joined = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            joined.extend_from_slice(&first);
            more.iter()
                .for_each(|chunk| joined.extend_from_slice(chunk));
            (joined.into(), None)
        }
    })
}
