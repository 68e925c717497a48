//! Any text as a `Retry-After` value and as an `lscp` duration: no panic, and whatever comes out
//! can be added to a clock reading with checked arithmetic.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;

#[path = "../../cli/src/duration.rs"]
#[allow(dead_code)]
mod duration;

fuzz_target!(|text: &str| {
    if let Some(wait) = langsmith_control_plane::parse_retry_after(text) {
        let _ = Instant::now().checked_add(wait);
        if let Ok(seconds) = text.trim().parse::<u64>() {
            assert_eq!(wait, Duration::from_secs(seconds));
        }
    }
    for max in [duration::MAX_WAIT, duration::MAX_INTERVAL] {
        if let Ok(parsed) = duration::duration_up_to(max)(text) {
            assert!(parsed <= max && !parsed.is_zero());
            assert!(Instant::now().checked_add(parsed).is_some());
        }
    }
});
