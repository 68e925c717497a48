#!/usr/bin/env bash
# Soak test of the client (issue 6, section 4): 100,000 Get Revisions and 1,000 create-and-wait
# runs over one client against the embedded mock, with random faults injected on Get Revision.
# Prints every call's outcome by class, the faults injected and resident memory at start, after
# warm-up, in the middle and at the end; exits non-zero when a call is unaccounted for, the run
# hangs, or memory grows more than 1.5x after warm-up.
#
#   scripts/soak.sh                  # a fresh random seed (printed)
#   SOAK_SEED=42 scripts/soak.sh     # repeat a run's fault sequence
#   SOAK_GETS=10000 SOAK_WAITS=100 scripts/soak.sh
#
# Not part of `cargo test`: it runs in release mode, in about 10 s after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p langsmith-control-plane --example soak
exec target/release/examples/soak
