//! Any string through every open enum.
#![no_main]

use langsmith_control_plane_fuzz::open_enums::check_all;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| check_all(s));
