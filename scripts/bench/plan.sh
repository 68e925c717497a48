#!/usr/bin/env bash
# The criterion-less bench plan/benches/plan.rs: `Plan::compute` for a deployment file of 50
# deployments against the mock (30 other deployments in the workspace): the requests it makes
# (at most one listing per 100 deployments, one revision read each) and its time against the
# listing plus the 50 revision reads all at once (target: within 2x, median of 60 rounds taken in
# turns); then the requests of an apply right after an apply (target: no write). It prints
# markdown tables and the targets, and fails if one is not met.
#
#   scripts/bench/plan.sh
source "$(dirname "$0")/lib.sh"

echo "## cargo bench -p langsmith-control-plane-plan --bench plan"
machine
wait_quiet
cd "$ROOT"
cargo bench --quiet --locked -p langsmith-control-plane-plan --bench plan
