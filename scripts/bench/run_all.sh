#!/usr/bin/env bash
# Every table of BENCHMARKS.md, one script after the other; each output also goes to OUT (a folder,
# default /tmp/bench-results). Each script waits for a quiet machine (load < QUIET_LOAD, default
# 1.0) for at most QUIET_WAIT seconds (default 1200) before it measures.
#
#   scripts/bench/run_all.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-/tmp/bench-results}"
mkdir -p "$out"
for script in get_revision_peers list_revisions criterion_get_revision interleaved wait_simulation cold_build tls_cost; do
    "$here/$script.sh" 2>&1 | tee "$out/$script.md"
done
