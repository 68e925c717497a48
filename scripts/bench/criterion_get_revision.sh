#!/usr/bin/env bash
# The criterion bench client/benches/get_revision.rs (facade vs raw reqwest + serde_json against
# one in-process axum server, same run) and its two ratios against the targets:
# sequential facade time <= 1.10x raw; 256 concurrent facade throughput >= 0.90x raw.
#
#   scripts/bench/criterion_get_revision.sh
source "$(dirname "$0")/lib.sh"

echo "## cargo bench -p langsmith-control-plane --bench get_revision"
machine
(cd "$ROOT" && cargo bench --quiet --locked -p langsmith-control-plane --bench get_revision --no-run)
wait_quiet
(cd "$ROOT" && cargo bench --quiet --locked -p langsmith-control-plane --bench get_revision) >&2
echo "- load average when measuring ended: $(cut -d' ' -f1-3 /proc/loadavg)"
target="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
python3 - "$target/criterion" <<'PY'
import json, sys
base = sys.argv[1]
def mean_ns(group, fn):
    return json.load(open(f"{base}/{group}/{fn}/new/estimates.json"))["mean"]["point_estimate"]
seq = {fn: mean_ns("get_revision_sequential", fn) for fn in ("facade", "raw_reqwest")}
con = {fn: 256 / (mean_ns("get_revision_256_concurrent", fn) / 1e9) for fn in ("facade", "raw_reqwest")}
print()
print("| measure | facade | raw reqwest | facade / raw | target | met |")
print("|---|---:|---:|---:|---|---|")
r = seq["facade"] / seq["raw_reqwest"]
print(f"| sequential, mean time per call | {seq['facade'] / 1e3:.1f} µs | {seq['raw_reqwest'] / 1e3:.1f} µs | {r:.3f}x | <= 1.10x | {'yes' if r <= 1.10 else 'no'} |")
r = con["facade"] / con["raw_reqwest"]
print(f"| 256 concurrent, throughput | {con['facade']:,.0f} req/s | {con['raw_reqwest']:,.0f} req/s | {r:.3f}x | >= 0.90x | {'yes' if r >= 0.90 else 'no'} |")
PY
