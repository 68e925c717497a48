#!/usr/bin/env bash
# Instructions per Get Revision, facade against raw reqwest + serde_json, counted by callgrind
# (the same count on every run, whatever else the machine does): each client's count at two
# call counts against nginx, the difference divided by the extra calls (start-up cancels out).
#
#   scripts/bench/instructions.sh            (CALLS=500 MORE=1500 PORT=18481)
source "$(dirname "$0")/lib.sh"

CALLS="${CALLS:-500}"
MORE="${MORE:-1500}"
PORT="${PORT:-18481}"
DEPLOYMENT_ID=6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01
REVISION_ID=a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22

echo "## Instructions per sequential Get Revision (callgrind), $CALLS and $MORE calls"
machine
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
build_bench_peers
dir="$(mktemp -d /tmp/bench-instructions.XXXXXX)"
chmod 755 "$dir"
trap 'stop_nginx; rm -rf "$dir"' EXIT
mkdir -p "$dir/www/v2/deployments/$DEPLOYMENT_ID/revisions"
cat >"$dir/www/v2/deployments/$DEPLOYMENT_ID/revisions/$REVISION_ID" <<JSON
{"id":"$REVISION_ID","created_at":"2026-11-02T14:05:31.123456Z","updated_at":"2026-11-02T14:09:12Z","status":"DEPLOYED","source":"github","source_revision_config":{"repo_ref":"main","langgraph_config_path":"langgraph.json","image_uri":null,"source_tarball_path":null,"repo_commit_sha":"3f9c2e1d4b5a69788796a5b4c3d2e1f00a1b2c3d"}}
JSON
start_nginx "$dir" "$PORT"
count() { # CLIENT CALLS -> total instructions of the client process
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$BENCH_PEERS" get-revision "$1" \
        "http://127.0.0.1:$PORT" "$DEPLOYMENT_ID" "$REVISION_ID" "$2" 1 >/dev/null 2>"$dir/cg.err"
    grep -E '^summary:|^totals:' "$dir/cg.out" | head -1 | awk '{print $2}'
}
echo
echo "| client | instructions per call |"
echo "|---|---:|"
for client in raw raw-timeout generated facade-api facade; do
    low="$(count "$client" "$CALLS")"
    high="$(count "$client" "$MORE")"
    echo "| $client | $(( (high - low) / (MORE - CALLS) )) |"
done
