//! What the upload origin keeps: the upload URLs handed out, the archives received, and a record
//! of every request it answered.

use std::collections::{BTreeMap, VecDeque};

use axum::http::request::Parts;
use bytes::Bytes;

use crate::world::archive::Listing;

/// The upload size limit the service signs into its URLs (200 MiB), and the default cap.
pub(crate) const DEFAULT_UPLOAD_LIMIT: u64 = 200 * 1024 * 1024;

/// The header a client sends when the service gave it no `upload_headers`.
pub(crate) const RANGE_HEADER: &str = "x-goog-content-length-range";

/// The value of [`RANGE_HEADER`] a client sends when the service gave it no `upload_headers`.
pub(crate) fn default_range() -> String {
    format!("0,{DEFAULT_UPLOAD_LIMIT}")
}

/// Header names that carry LangSmith credentials or workspace identity, or credentials of any
/// kind: none of them has any business reaching a storage URL.
const CREDENTIAL_HEADERS: &[&str] = &[
    "x-api-key",
    "x-tenant-id",
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-service-key",
];

/// Upload URLs remembered; older ones stop working.
const MAX_SLOTS: usize = 1_000;

/// Archives remembered; older ones are forgotten (a long-running mock's memory stays bounded).
const MAX_ARCHIVES: usize = 16;

/// One request the upload origin received: what a test needs to check that a client sent the
/// archive and nothing it should not have. Header values are never kept.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadRequest {
    /// `PUT`, or whatever else was tried.
    pub method: String,
    /// The path, without the query (so without the URL's signature).
    pub path: String,
    /// Names of the headers received, lower case, in order.
    pub header_names: Vec<String>,
    /// The `Content-Length` the request declared, when it declared one that reads as a number.
    pub content_length: Option<u64>,
    /// Body bytes read before the response; 0 when the request was refused before its body.
    pub received: u64,
    /// The status code of the response.
    pub status: u16,
}

impl UploadRequest {
    pub(crate) fn new(parts: &Parts) -> Self {
        Self {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            header_names: parts
                .headers
                .keys()
                .map(|name| name.as_str().to_string())
                .collect(),
            content_length: parts
                .headers
                .get("content-length")
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse().ok()),
            received: 0,
            status: 0,
        }
    }

    /// Whether header `name` (any case) was sent.
    pub fn has_header(&self, name: &str) -> bool {
        self.header_names
            .iter()
            .any(|sent| sent.eq_ignore_ascii_case(name))
    }

    /// The credential headers this request carried (`x-api-key`, `x-tenant-id`,
    /// `authorization`, `cookie`...), lower case.
    pub fn credential_headers(&self) -> Vec<&str> {
        self.header_names
            .iter()
            .map(String::as_str)
            .filter(|name| CREDENTIAL_HEADERS.contains(name))
            .collect()
    }
}

/// An upload URL handed out: where it stores, and what a request to it must carry.
#[derive(Clone, Debug)]
pub(crate) struct UploadSlot {
    pub(crate) id: String,
    pub(crate) signature: String,
    pub(crate) object_path: String,
    /// Headers the upload must carry, with their values (names lower case).
    pub(crate) required_headers: BTreeMap<String, String>,
}

/// An archive received, with what it holds (read once, when it arrived).
#[derive(Debug)]
struct StoredArchive {
    object_path: String,
    bytes: Bytes,
    listing: Listing,
}

/// The upload origin's memory.
#[derive(Debug, Default)]
pub(crate) struct UploadStore {
    slots: VecDeque<UploadSlot>,
    /// Oldest first.
    archives: VecDeque<StoredArchive>,
    /// Oldest first, at most `log_capacity`.
    requests: VecDeque<UploadRequest>,
    log_capacity: usize,
    /// Every credential header name ever received, in order of first sight; never forgotten, so
    /// a wrapped request log cannot hide a leak.
    credentials_seen: Vec<String>,
}

impl UploadStore {
    pub(crate) fn new(log_capacity: usize) -> Self {
        Self {
            log_capacity,
            ..Self::default()
        }
    }

    pub(crate) fn add_slot(&mut self, slot: UploadSlot) {
        if self.slots.len() == MAX_SLOTS {
            self.slots.pop_front();
        }
        self.slots.push_back(slot);
    }

    pub(crate) fn slot(&self, id: &str) -> Option<&UploadSlot> {
        self.slots.iter().find(|slot| slot.id == id)
    }

    /// Keeps an archive under its object path, replacing an earlier upload to the same path.
    pub(crate) fn store(&mut self, object_path: String, bytes: Bytes, listing: Listing) {
        self.archives.retain(|a| a.object_path != object_path);
        if self.archives.len() == MAX_ARCHIVES {
            self.archives.pop_front();
        }
        self.archives.push_back(StoredArchive {
            object_path,
            bytes,
            listing,
        });
    }

    /// What the archive at `object_path` holds; `None` when nothing is stored there.
    pub(crate) fn listing(&self, object_path: &str) -> Option<&Listing> {
        self.find(object_path).map(|a| &a.listing)
    }

    pub(crate) fn bytes(&self, object_path: &str) -> Option<Bytes> {
        self.find(object_path).map(|a| a.bytes.clone())
    }

    /// Object paths stored, oldest first.
    pub(crate) fn object_paths(&self) -> Vec<String> {
        self.archives
            .iter()
            .map(|a| a.object_path.clone())
            .collect()
    }

    fn find(&self, object_path: &str) -> Option<&StoredArchive> {
        self.archives.iter().find(|a| a.object_path == object_path)
    }

    pub(crate) fn record(&mut self, request: UploadRequest) {
        for name in request.credential_headers() {
            if !self.credentials_seen.iter().any(|seen| seen == name) {
                self.credentials_seen.push(name.to_string());
            }
        }
        if self.log_capacity == 0 {
            return;
        }
        if self.requests.len() == self.log_capacity {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    pub(crate) fn requests(&self) -> Vec<UploadRequest> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn credentials_seen(&self) -> Vec<String> {
        self.credentials_seen.clone()
    }
}
