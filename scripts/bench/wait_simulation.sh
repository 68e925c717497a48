#!/usr/bin/env bash
# The criterion-less bench client/benches/wait_simulation.rs: requests made and detection lag while
# waiting on a simulated 14-minute build (tokio's paused clock, so it takes seconds and does not
# depend on the machine's load), default wait policy vs fixed 1 s, 3 s and 5 s polling.
# Targets for the default policy: at most 40 requests, at most 30 s lag.
#
#   scripts/bench/wait_simulation.sh
source "$(dirname "$0")/lib.sh"

echo "## cargo bench -p langsmith-control-plane --bench wait_simulation"
machine
cd "$ROOT"
cargo bench --quiet --locked -p langsmith-control-plane --bench wait_simulation
