//! `codegen`: the Rust that build.rs generates, written out for review and for measuring.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::generate;
use crate::update::write_atomically;

/// What `codegen` wrote.
pub struct Written {
    pub lines: usize,
    pub bytes: usize,
    pub elapsed: Duration,
}

/// Generates from the document at `spec` and writes `open_enums.rs`, `operations.rs` and `client.rs` (the files
/// build.rs writes into OUT_DIR) into `out_dir`.
pub fn run(spec: &Path, out_dir: &Path) -> Result<Written, String> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let started = Instant::now();
    let generated = generate::generate(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    let elapsed = started.elapsed();
    let mut written = Written {
        lines: 0,
        bytes: 0,
        elapsed,
    };
    for (name, code) in [
        ("open_enums.rs", &generated.enums),
        ("operations.rs", &generated.operations),
        ("client.rs", &generated.client),
    ] {
        write_atomically(&out_dir.join(name), code)?;
        written.lines += code.lines().count();
        written.bytes += code.len();
    }
    Ok(written)
}
