#!/usr/bin/env bash
# The deploy job (issue "the deploy job", section 9): archiving a source tree, ours against
# langgraph-cli's, and uploading the archive, ours against curl.
#
# 1. Archiving: a generated tree (client/examples/bench_archive.rs generate: about 50 MiB that
#    ship in about 5,000 files, ignore rules, excluded directories, symlinks), archived by our
#    archive() (release build) and by langgraph-cli's create_archive (scripts/bench/deploy_job.py),
#    taking turns; the script fails if the two archives do not hold the same regular files.
# 2. Upload memory: the peak resident set of a process that archives one 150 MiB random file
#    and uploads it (client/examples/bench_upload.rs) to a loopback sink
#    (client/examples/bench_sink.rs), and of curl -T uploading the same archive.
# 3. Upload throughput: SourceArchive::upload against curl -T on the same file and sink, taking
#    turns.
#
#   scripts/bench/deploy_job.sh     (ROUNDS=7 UPLOAD_ROUNDS=21 MEMORY_RUNS=3 SEED=20261201 PORT=18490)
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-7}"
UPLOAD_ROUNDS="${UPLOAD_ROUNDS:-21}"
MEMORY_RUNS="${MEMORY_RUNS:-3}"
SEED="${SEED:-20261201}"
PORT="${PORT:-18490}"
# langgraph-cli pinned, in a venv of its own outside the repository (nothing of it is committed).
LANGGRAPH_CLI_VERSION="${LANGGRAPH_CLI_VERSION:-0.4.40}"
VENV="${DEPLOY_JOB_VENV:-${TMPDIR:-/tmp}/langsmith-bench-langgraph-cli-$LANGGRAPH_CLI_VERSION}"

command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed: apt-get install time" >&2; exit 1; }

echo "## The deploy job: archiving ($ROUNDS rounds) and upload ($UPLOAD_ROUNDS rounds)"
machine
python_peer_venv
echo "- $(curl --version | head -1 | cut -d' ' -f1-3)"
(cd "$ROOT" && cargo build --quiet --release --locked -p langsmith-control-plane --features upload \
    --example bench_archive --example bench_upload --example bench_sink)
examples="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples"

dir="$(mktemp -d /tmp/bench-deploy-job.XXXXXX)"
SINK_PID=
trap 'if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }
# tag JSON: adds the fields of JSON to the JSON line on stdin.
tag() { python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); r.update(json.loads(sys.argv[1])); print(json.dumps(r))' "$1"; }

# 1. Archiving.
"$examples/bench_archive" generate "$dir/tree" "$SEED"
ours_archive() { "$examples/bench_archive" archive "$dir/tree" "$1"; }
cli_archive() { "$VENV/bin/python" "$BENCH/deploy_job.py" archive "$dir/tree/langgraph.json" "$1"; }

# The same file set, or no comparison: list the regular files of both archives with one reader.
ours_archive "$dir/ours.tar.gz" >/dev/null
cli_archive "$dir/cli.tar.gz" >/dev/null
python3 "$BENCH/deploy_job.py" list "$dir/ours.tar.gz" >"$dir/ours.list"
python3 "$BENCH/deploy_job.py" list "$dir/cli.tar.gz" >"$dir/cli.list"
if ! diff -u "$dir/cli.list" "$dir/ours.list" >"$dir/files.diff"; then
    echo "the archives hold different files (- langgraph-cli only, + ours only):" >&2
    cat "$dir/files.diff" >&2
    exit 1
fi
echo "- both archives hold the same $(wc -l <"$dir/ours.list") regular files"

echo
echo "### Archiving"
wait_quiet
results="$dir/archive.jsonl"
timed() { # TOOL ROUND FUNCTION
    local started line
    started="$(now)"
    line="$("$3" "$dir/$1.tar.gz")"
    echo "$line" | tag "{\"tool\": \"$1\", \"round\": $2, \"process_seconds\": $(since "$started")}" >>"$results"
}
for round in $(seq "$ROUNDS"); do
    echo "archiving round $round of $ROUNDS (load $(load1))" >&2
    if [ $((round % 2)) -eq 1 ]; then
        timed ours "$round" ours_archive
        timed langgraph-cli "$round" cli_archive
    else
        timed langgraph-cli "$round" cli_archive
        timed ours "$round" ours_archive
    fi
done
echo "- load average when archiving ended: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$BENCH/deploy_job.py" report-archive "$results"

# 2 and 3. Upload: one directory with one 150 MiB random file; the sink on its own thread.
"$examples/bench_upload" prepare "$dir/upload" "$SEED" 150
"$examples/bench_sink" "$PORT" 2>"$dir/sink.log" &
SINK_PID=$!
url="http://127.0.0.1:$PORT/upload/source.tar.gz?signature=bench"
# The sink says it listens once it holds the port; if another process holds it, the sink exits.
for _ in $(seq 50); do
    grep -q listening "$dir/sink.log" && break
    kill -0 "$SINK_PID" 2>/dev/null || break
    sleep 0.1
done
if ! grep -q listening "$dir/sink.log" || ! kill -0 "$SINK_PID" 2>/dev/null; then
    echo "the sink did not start: $(cat "$dir/sink.log")" >&2
    exit 1
fi
echo
echo "### Upload memory"
wait_quiet
results="$dir/memory.jsonl"
max_rss_kib() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }
for run in $(seq "$MEMORY_RUNS"); do
    echo "memory run $run of $MEMORY_RUNS (load $(load1))" >&2
    line="$(/usr/bin/time -v -o "$dir/time.txt" "$examples/bench_upload" memory "$dir/upload" "$url")"
    echo "$line" | tag "{\"what\": \"ours: archive(), then upload(), whole process (/usr/bin/time -v)\", \"run\": $run, \"kib\": $(max_rss_kib "$dir/time.txt")}" >>"$results"
    echo "$line" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(json.dumps({**r, "what": "ours: after archive(), before upload() (VmHWM)", "run": '"$run"', "kib": r["peak_after_archive_kib"]}))' >>"$results"
    line="$("$examples/bench_upload" memory "$dir/upload" "$url" upload-only)"
    echo "$line" | python3 -c 'import json, sys; r = json.load(sys.stdin); assert r["peak_reset_before_upload"], "cannot reset the peak (/proc/self/clear_refs)"; print(json.dumps({**r, "what": "ours: upload() alone (VmHWM, reset once the archive is built)", "run": '"$run"', "kib": r["peak_kib"]}))' >>"$results"
    archive_bytes="$(echo "$line" | python3 -c 'import json, sys; print(json.load(sys.stdin)["archive_bytes"])')"
done
# curl uploads an archive of the same size: ours, as the throughput run below keeps it.
"$examples/bench_archive" archive "$dir/upload" "$dir/upload.tar.gz" >/dev/null
for run in $(seq "$MEMORY_RUNS"); do
    /usr/bin/time -v -o "$dir/time.txt" curl -sS --fail -o /dev/null -T "$dir/upload.tar.gz" \
        -H 'Content-Type: application/gzip' "$url"
    echo "{\"what\": \"curl -T (/usr/bin/time -v)\", \"run\": $run, \"kib\": $(max_rss_kib "$dir/time.txt"), \"archive_bytes\": $archive_bytes}" >>"$results"
done
echo "- load average when the memory runs ended: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$BENCH/deploy_job.py" report-memory "$results"

echo
echo "### Upload throughput"
wait_quiet
results="$dir/upload.jsonl"
"$examples/bench_upload" throughput "$dir/upload" "$url" "$UPLOAD_ROUNDS" >"$results"
echo "- load average when uploading ended: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$BENCH/deploy_job.py" report-upload "$results"
