//! Any bytes as the body of every response (and request) type of the API.
#![no_main]

use langsmith_control_plane_fuzz::decoding::{TYPES, round_trip_named};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in TYPES {
        round_trip_named(name, data);
    }
});
