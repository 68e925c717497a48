# Shared by the scripts in scripts/bench/: paths, the machine, waiting for a quiet machine, nginx.
# Source it; it sets ROOT (the repository) and BENCH (scripts/bench).

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/scripts/bench"
VENV="$ROOT/.venv-bench"

# The Get Revision fixture: the same IDs and body for every client and server.
DEPLOYMENT_ID=6f1c2a34-8b1e-4c7d-9a55-0d2f6c1e9b01
REVISION_ID=a93b5e10-47f2-4d8e-b0c6-3e71d5f08a22

machine() {
    echo "- cores: $(nproc); CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- $(rustc --version); $(cargo --version)"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" describe --always --dirty)"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Waits until the 1-minute load average is below QUIET_LOAD (default 1.0), polling every 30 s for
# at most QUIET_WAIT seconds (default 1200); then goes on regardless. Prints the load it started at.
wait_quiet() {
    local limit="${QUIET_LOAD:-1.0}" waited=0 max="${QUIET_WAIT:-1200}"
    while awk -v l="$(load1)" -v m="$limit" 'BEGIN { exit !(l >= m) }'; do
        if [ "$waited" -ge "$max" ]; then
            echo "machine not quiet after ${max}s (load $(load1)); measuring anyway" >&2
            break
        fi
        echo "load $(load1) >= $limit; waiting 30 s" >&2
        sleep 30
        waited=$((waited + 30))
    done
    echo "- load average when measuring started: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The Python client of LangChain's CLI in a private venv (gitignored; nothing of it is committed).
python_peer_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "langgraph-cli${LANGGRAPH_CLI_VERSION:+==$LANGGRAPH_CLI_VERSION}"
    echo "- langgraph-cli $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("langgraph-cli"))'), httpx $("$VENV/bin/python" -c 'import httpx; print(httpx.__version__)'), $("$VENV/bin/python" --version)"
}

# The release build of client/examples/bench_peers.rs; sets BENCH_PEERS.
build_bench_peers() {
    (cd "$ROOT" && cargo build --quiet --release --locked -p langsmith-control-plane --example bench_peers)
    BENCH_PEERS="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/bench_peers"
}

# start_nginx DIR PORT: serves DIR/www on 127.0.0.1:PORT with scripts/bench/nginx.conf; sets NGINX_PID.
start_nginx() {
    local dir="$1" port="$2"
    command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 1; }
    sed -e "s|@ROOT@|$dir|g" -e "s|@PORT@|$port|g" "$BENCH/nginx.conf" >"$dir/nginx.conf"
    nginx -p "$dir" -c "$dir/nginx.conf" &
    NGINX_PID=$!
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && return
        sleep 0.1
    done
    echo "nginx did not start: $(cat "$dir/error.log")" >&2
    exit 1
}

stop_nginx() { [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true; }
