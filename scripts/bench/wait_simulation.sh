#!/usr/bin/env bash
# The criterion-less bench client/benches/wait_simulation.rs: requests made and detection lag while
# waiting on simulated builds (tokio's paused clock, so it takes seconds and does not depend on the
# machine's load): a 14-minute BUILDING -> DEPLOYED build, and 81 builds that go through QUEUED,
# BUILDING, AWAITING_DEPLOY and DEPLOYING; the default (by phase) wait policy vs the old backoff and
# fixed 1 s, 3 s and 5 s polling. It prints markdown tables and the targets for the default policy
# (phased: mean lag <= 5 s, worst <= 15 s, <= 60 requests on average, never more than the old
# backoff + 30; binary: <= 40 requests, <= 30 s lag), and fails if one is not met.
#
#   scripts/bench/wait_simulation.sh
source "$(dirname "$0")/lib.sh"

echo "## cargo bench -p langsmith-control-plane --bench wait_simulation"
machine
cd "$ROOT"
cargo bench --quiet --locked -p langsmith-control-plane --bench wait_simulation
