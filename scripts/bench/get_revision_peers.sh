#!/usr/bin/env bash
# Get Revision, sequential and 64-way concurrent, against one nginx serving a fixed revision JSON:
# the facade, raw reqwest + serde_json, raw with a per-request timeout (client/examples/bench_peers.rs)
# and LangChain's Python client (langgraph_cli.host_backend.HostBackendClient, scripts/bench/python_peer.py).
# The clients take turns, round after round, against the same server in the same run.
#
#   scripts/bench/get_revision_peers.sh            (ROUNDS=5 SEQ_CALLS=20000 CONC_CALLS=20000 PORT=18480)
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-5}"
SEQ_CALLS="${SEQ_CALLS:-20000}"
CONC_CALLS="${CONC_CALLS:-20000}"
PORT="${PORT:-18480}"

echo "## Get Revision against nginx: $SEQ_CALLS sequential calls, $CONC_CALLS calls 64-way, $ROUNDS rounds"
machine
python_peer_venv
echo "- nginx: $(nginx -v 2>&1 | sed 's/.*: //'), one worker"
build_bench_peers

dir="$(mktemp -d /tmp/bench-get-revision.XXXXXX)"
chmod 755 "$dir"
trap 'stop_nginx; rm -rf "$dir"' EXIT
mkdir -p "$dir/www/v2/deployments/$DEPLOYMENT_ID/revisions"
# The same body as client/benches/get_revision.rs.
cat >"$dir/www/v2/deployments/$DEPLOYMENT_ID/revisions/$REVISION_ID" <<EOF
{"id":"$REVISION_ID","created_at":"2026-11-02T14:05:31.123456Z","updated_at":"2026-11-02T14:09:12Z","status":"DEPLOYED","source":"github","source_revision_config":{"repo_ref":"main","langgraph_config_path":"langgraph.json","image_uri":null,"source_tarball_path":null,"repo_commit_sha":"3f9c2e1d4b5a69788796a5b4c3d2e1f00a1b2c3d"}}
EOF
start_nginx "$dir" "$PORT"
url="http://127.0.0.1:$PORT"

wait_quiet
results="$dir/results.jsonl"
tag() { python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); r.update(json.loads(sys.argv[1])); print(json.dumps(r))' "$1"; }
run() { # CLIENT MODE ROUND CMD...
    local client="$1" mode="$2" round="$3"
    shift 3
    "$@" | tag "{\"client\": \"$client\", \"mode\": \"$mode\", \"round\": $round}" >>"$results"
}
rust() { # CLIENT MODE ROUND CALLS CONCURRENCY
    run "$1" "$2" "$3" "$BENCH_PEERS" get-revision "$1" "$url" "$DEPLOYMENT_ID" "$REVISION_ID" "$4" "$5"
}
python_client() { # LABEL MODE ROUND CALLS CONCURRENCY [KEEPALIVE]
    run "$1" "$2" "$3" "$VENV/bin/python" "$BENCH/python_peer.py" get-revision "$url" "$DEPLOYMENT_ID" "$REVISION_ID" "${@:4}"
}
rust_clients=(facade raw raw-timeout)
for round in $(seq "$ROUNDS"); do
    echo "round $round of $ROUNDS (load $(load1))" >&2
    # The Rust clients take turns in an order that rotates every round, so a drift in the
    # machine's load favours none of them.
    shift_by=$(((round - 1) % ${#rust_clients[@]}))
    order=("${rust_clients[@]:shift_by}" "${rust_clients[@]:0:shift_by}")
    seq="sequential ($SEQ_CALLS calls)"
    con="64 concurrent ($CONC_CALLS calls)"
    for client in "${order[@]}"; do rust "$client" "$seq" "$round" "$SEQ_CALLS" 1; done
    python_client "python HostBackendClient" "$seq" "$round" "$SEQ_CALLS" 1
    for client in "${order[@]}"; do rust "$client" "$con" "$round" "$CONC_CALLS" 64; done
    python_client "python HostBackendClient, 64 threads" "$con" "$round" "$CONC_CALLS" 64
    python_client "python, 64 threads, 64 kept-alive connections" "$con" "$round" "$CONC_CALLS" 64 64
done
echo "- load average when measuring ended: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$BENCH/report.py" get-revision "$results"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$results" "$KEEP_RESULTS"; fi
