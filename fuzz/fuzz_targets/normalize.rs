//! The spec normalizer on any JSON document (the bytes as JSON when they parse, else an
//! OpenAPI-shaped document built from them): it never panics and a second pass changes nothing.
#![no_main]

use arbitrary::Unstructured;
use langsmith_control_plane_fuzz::normalizing::{document, normalize_twice};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = match serde_json::from_slice(data) {
        Ok(doc) => doc,
        Err(_) => match document(&mut Unstructured::new(data)) {
            Ok(doc) => doc,
            Err(_) => return,
        },
    };
    normalize_twice(doc);
});
