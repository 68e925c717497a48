#!/usr/bin/env bash
# 256 concurrent Get Revisions, facade against raw reqwest + serde_json, the clients alternating
# batch by batch in one process (client/examples/bench_interleaved.rs): the criterion comparison
# without the minutes between its two measurements. RUNS runs of ROUNDS rounds for each facade
# retry policy (none, as in the criterion bench; default, as a user gets it).
#
#   scripts/bench/interleaved.sh            (RUNS=3 ROUNDS=400)
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
ROUNDS="${ROUNDS:-400}"

echo "## 256 concurrent Get Revisions, facade and raw interleaved: $RUNS runs of $ROUNDS rounds"
machine
(cd "$ROOT" && cargo build --quiet --release --locked -p langsmith-control-plane --example bench_interleaved)
bin="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/bench_interleaved"
wait_quiet
results="$(mktemp /tmp/bench-interleaved.XXXXXX)"
trap 'rm -f "$results"' EXIT
for run in $(seq "$RUNS"); do
    for policy in none default; do
        "$bin" "$ROUNDS" 256 "$policy" | tee -a "$results" >&2
    done
done
echo "- load average when measuring ended: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print()
print("| facade retries | runs | median of per-round ratios (each run) | facade req/s | raw req/s |")
print("|---|---:|---|---:|---:|")
for retries in (0, 3):
    mine = [r for r in rows if r["facade_retries"] == retries]
    medians = ", ".join(f"{r['ratio_median']:.3f}" for r in mine)
    print(f"| {retries} | {len(mine)} | {medians} | "
          f"{statistics.median(r['facade_rps'] for r in mine):,.0f} | "
          f"{statistics.median(r['raw_rps'] for r in mine):,.0f} |")
PY
