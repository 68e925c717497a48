#!/usr/bin/env bash
# Listing a deployment's 10,000 revisions (100 pages of 100): time and peak memory (max RSS from
# /usr/bin/time -v, one process per listing) of the facade (`revisions(d).list().collect()`), raw
# reqwest paging (client/examples/bench_peers.rs) and LangChain's Python client
# (scripts/bench/python_peer.py). Two servers, in the same run:
#   - the mock (`bench_peers serve-seeded`: the mock in-process, seeded with one deployment and
#     10,000 revisions through `seed_deployment` / `seed_revision`);
#   - nginx replaying the mock's pages as fixed files, so the server's own work drops out.
# A one-page listing (100 revisions) gives each process's baseline.
#
#   scripts/bench/list_revisions.sh               (ROUNDS=10 REVISIONS=10000 PORT=18482 MOCK_PORT=18483)
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-10}"
REVISIONS="${REVISIONS:-10000}"
PORT="${PORT:-18482}"
MOCK_PORT="${MOCK_PORT:-18483}"

echo "## Listing $REVISIONS revisions, $ROUNDS rounds"
machine
python_peer_venv
echo "- nginx: $(nginx -v 2>&1 | sed 's/.*: //'), one worker"
build_bench_peers

dir="$(mktemp -d /tmp/bench-list.XXXXXX)"
chmod 755 "$dir"
mock_pid=""
trap 'stop_nginx; [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$dir"' EXIT

"$BENCH_PEERS" serve-seeded "$MOCK_PORT" "$REVISIONS" >"$dir/mock.out" &
mock_pid=$!
for _ in $(seq 100); do [ -s "$dir/mock.out" ] && break; sleep 0.1; done
read -r mock_url deployment <"$dir/mock.out"

# The mock's pages, as the clients ask for them (offset 0, 100, ..., and the empty one at the end).
mkdir -p "$dir/www/pages"
for offset in $(seq 0 100 "$REVISIONS"); do
    curl -fsS -H "x-api-key: bench" "$mock_url/v2/deployments/$deployment/revisions?offset=$offset&limit=100" \
        >"$dir/www/pages/$offset.json"
done
echo "- one page of 100 revisions is $(stat -c %s "$dir/www/pages/0.json") bytes of JSON"
start_nginx "$dir" "$PORT"
nginx_url="http://127.0.0.1:$PORT"

wait_quiet
results="$dir/results.jsonl"
measure() { # SERVER WHAT CLIENT CMD...
    local server="$1" what="$2" client="$3"
    shift 3
    /usr/bin/time -v -o "$dir/time.txt" "$@" >"$dir/out.json"
    python3 - "$dir/out.json" "$dir/time.txt" "$server" "$what" "$client" >>"$results" <<'EOF'
import json, re, sys
out, time_v, server, what, client = sys.argv[1:]
row = json.load(open(out))
row["max_rss_kb"] = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(time_v).read()).group(1))
row.update(server=server, what=what, client=client)
print(json.dumps(row))
EOF
}
for round in $(seq "$ROUNDS"); do
    echo "round $round of $ROUNDS (load $(load1))" >&2
    for server in mock nginx; do
        if [ "$server" = mock ]; then url="$mock_url"; else url="$nginx_url"; fi
        label="$server"
        [ "$server" = nginx ] && label="nginx replaying the mock's pages"
        [ "$server" = mock ] && label="the mock (seeded in-process)"
        all="every page ($REVISIONS)"
        measure "$label" "$all" facade "$BENCH_PEERS" list facade "$url" "$deployment"
        measure "$label" "$all" raw "$BENCH_PEERS" list raw "$url" "$deployment"
        measure "$label" "$all" "python _every_page" "$VENV/bin/python" "$BENCH/python_peer.py" list "$url" "$deployment"
        one="one page (100)"
        measure "$label" "$one" facade "$BENCH_PEERS" list facade "$url" "$deployment" 100
        measure "$label" "$one" raw "$BENCH_PEERS" list raw "$url" "$deployment" 100
        measure "$label" "$one" "python list_revisions(limit=100)" "$VENV/bin/python" "$BENCH/python_peer.py" list "$url" "$deployment" 100
    done
done
echo "- load average when measuring ended: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$BENCH/report.py" list "$results"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$results" "$KEEP_RESULTS"; fi
