//! Durations on the command line, bounded when parsed. Its own file so that the fuzz target
//! `fuzz/fuzz_targets/waits.rs` runs exactly this code.

use std::time::Duration;

/// The longest wait `--timeout`: a week, far past any real build.
pub const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The longest poll `--interval` and `--request-timeout`.
pub const MAX_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// A parser of [`duration`]s up to `max`. Durations are bounded when parsed because a huge one
/// (`500000000000y`) overflows the deadlines computed from it later.
pub fn duration_up_to(
    max: Duration,
) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync + 'static {
    move |text| {
        let parsed = duration(text)?;
        if parsed > max {
            return Err(format!(
                "longer than the maximum of {}",
                humantime::format_duration(max)
            ));
        }
        Ok(parsed)
    }
}

/// A human duration such as `90s`, `30m`, `1h 30m` or `100ms`; zero is refused.
fn duration(text: &str) -> Result<Duration, String> {
    let parsed = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{e}; expected a number with a unit, such as 100ms, 90s, 30m or 1h")
    })?;
    if parsed.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(parsed)
}
