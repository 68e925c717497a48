//! The upload origin: a second loopback listener, standing in for the object storage that
//! `request_upload_url` signs URLs for. It takes one `PUT` of a `.tar.gz` per URL it handed out,
//! checks it as signed storage does, keeps the bytes, and records every request it receives.

use std::future::poll_fn;
use std::pin::Pin;

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};

use crate::state::App;
use crate::world::archive;
use crate::world::uploads::{UploadRequest, UploadSlot};

/// Every request goes to one handler, so that wrong paths and methods are recorded too.
pub(crate) fn router(app: App) -> Router {
    Router::new().fallback(receive).with_state(app)
}

/// Why an upload was refused: the status and a short text body.
struct Refusal(StatusCode, String);

impl Refusal {
    fn new(status: StatusCode, text: impl Into<String>) -> Self {
        Self(status, text.into())
    }
}

async fn receive(State(app): State<App>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut record = UploadRequest::new(&parts);
    let response = match accept(&app, &parts, body, &mut record.received).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(Refusal(status, text)) => {
            let mut response = (status, format!("{text}\n")).into_response();
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static("PUT"));
            }
            response
        }
    };
    record.status = response.status().as_u16();
    app.state().uploads.record(record);
    response
}

/// Checks an upload and stores it; `received` counts the body bytes read.
async fn accept(app: &App, parts: &Parts, body: Body, received: &mut u64) -> Result<(), Refusal> {
    let slot = slot_for(app, parts)?;
    if parts.method != Method::PUT {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "only PUT is accepted at an upload URL",
        ));
    }
    for (name, expected) in &slot.required_headers {
        let sent = parts.headers.get(name.as_str()).map(HeaderValue::as_bytes);
        if sent != Some(expected.as_bytes()) {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!("header {name} is missing or differs from the signed value {expected}"),
            ));
        }
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !content_type.is_some_and(|ct| ct.eq_ignore_ascii_case("application/gzip")) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "Content-Type must be application/gzip",
        ));
    }
    let declared = declared_length(parts)?;
    let limit = app.config.upload_limit;
    if declared > limit {
        return Err(too_large(limit));
    }
    let bytes = read_body(body, declared, limit, received).await?;
    // Read the archive once, as it arrives, off the async threads: builds only look it up.
    let listing = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || archive::list_files(&bytes))
            .await
            .unwrap_or_else(|error| Err(format!("could not be read ({error})")))
    };
    app.state().uploads.store(slot.object_path, bytes, listing);
    Ok(())
}

/// The upload URL a request addresses, once its signature checks out.
fn slot_for(app: &App, parts: &Parts) -> Result<UploadSlot, Refusal> {
    let id = parts
        .uri
        .path()
        .strip_prefix("/uploads/")
        .filter(|id| !id.is_empty() && !id.contains('/'));
    let slot = id.and_then(|id| app.state().uploads.slot(id).cloned());
    let Some(slot) = slot else {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "no such upload URL"));
    };
    let signature = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .find(|(name, _)| name == "signature")
        .map(|(_, value)| value.into_owned());
    if signature.as_deref() != Some(slot.signature.as_str()) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "the signature does not match this upload URL",
        ));
    }
    Ok(slot)
}

fn declared_length(parts: &Parts) -> Result<u64, Refusal> {
    let Some(value) = parts.headers.get(CONTENT_LENGTH) else {
        return Err(Refusal::new(
            StatusCode::LENGTH_REQUIRED,
            "Content-Length is required",
        ));
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| Refusal::new(StatusCode::BAD_REQUEST, "Content-Length is not a number"))
}

fn too_large(limit: u64) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the archive exceeds the upload limit of {limit} bytes"),
    )
}

/// Reads exactly `declared` bytes, never more than `limit`.
async fn read_body(
    mut body: Body,
    declared: u64,
    limit: u64,
    received: &mut u64,
) -> Result<Bytes, Refusal> {
    // Grown as bytes arrive: a declared length alone reserves at most 1 MiB.
    let mut bytes = BytesMut::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
    let short = |received: u64| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the body ended after {received} of the {declared} bytes of its Content-Length"
            ),
        )
    };
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Err(short(*received));
        };
        if let Ok(data) = frame.into_data() {
            *received += data.len() as u64;
            // The HTTP layer frames the body by its Content-Length; this guards the cap anyway.
            if *received > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&data);
        }
    }
    if *received != declared {
        return Err(short(*received));
    }
    Ok(bytes.freeze())
}
