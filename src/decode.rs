//! Decoding an answer's JSON body, for the generated operations.
//!
//! progenitor's generated code calls `ResponseValue::from_response`, an `async fn` that copies
//! the answer's headers and keeps the answer itself in its future beside the body being read.
//! The build script rewrites those calls (see `build/generate.rs`, `tighten`) into [`json`],
//! which does the same with the headers moved instead of copied and a smaller future.

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The answer's body decoded as JSON into `T`, with its status and headers: what
/// `ResponseValue::from_response` returns, and the same errors (`ResponseBodyError` when the
/// body cannot be read, `InvalidResponsePayload` with the body when it does not decode).
#[doc(hidden)]
pub fn json<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes();
    async move {
        let full = body.await.map_err(Error::ResponseBodyError)?;
        let inner =
            serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
        Ok(ResponseValue::new(inner, status, headers))
    }
}
