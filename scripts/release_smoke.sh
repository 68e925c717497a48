#!/usr/bin/env bash
# The release, proven on this machine (BENCHMARKS.md section 7): dist builds this host's archive
# and the installers, a loopback HTTP server mirrors the release, and then
#   1. dist's shell installer, pointed at the mirror, installs lscp into an empty HOME;
#   2. the installed lscp runs `--version`, serves `lscp mock` and deploys a source directory to it;
#   3. the installed lscp reaches the mock over TLS (a loopback TLS relay with its own CA), so the
#      static musl binary's TLS stack works;
#   4. the GitHub Action's install step (action/install.sh) installs from the mirror, checking the
#      checksum, and refuses a tampered archive; its deploy step (action/deploy.sh) deploys and
#      writes the step outputs.
# Prints the installer's time to a working lscp and the archive's size.
#
# Needs dist 0.33.0 ($DIST, or the one scripts/lint_actions.sh installs under target/), the
# target's Rust standard library (`rustup target add x86_64-unknown-linux-musl`) and musl-gcc
# (Debian: musl-tools), python3, curl, openssl and jq. SKIP_BUILD=1 reuses target/distrib.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${TARGET:-x86_64-unknown-linux-musl}"
# dist: $DIST, else the one scripts/lint_actions.sh installed, else dist on PATH.
lint_dist="$(find "${CARGO_TARGET_DIR:-target}/ci-tools" -path '*/bin/dist' 2>/dev/null | head -n 1 || true)"
dist="${DIST:-${lint_dist:-dist}}"
distrib="${CARGO_TARGET_DIR:-target}/distrib"
archive="langsmith-control-plane-cli-$target.tar.xz"
installer="langsmith-control-plane-cli-installer.sh"
version="$(awk '/^\[workspace.package\]/ { s = 1 } s && $1 == "version" { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)"

wanted="$(sed -nE 's/^cargo-dist-version = "(.*)"/\1/p' dist-workspace.toml)"
if [[ ${SKIP_BUILD:-0} != 1 && "$("$dist" --version)" != "cargo-dist $wanted" ]]; then
  echo "needs dist $wanted (dist-workspace.toml) as \$DIST or on PATH" >&2
  exit 1
fi
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  start=$(date +%s)
  # As the release workflow does: the local build's manifest beside its archive, so the global
  # build writes the archive's checksum into the installers.
  "$dist" build --artifacts=local --target "$target" --output-format=json >"$distrib.json"
  mv "$distrib.json" "$distrib/$target-dist-manifest.json"
  "$dist" build --artifacts=global
  echo "dist build: $(($(date +%s) - start)) s"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# `start_logged NAME COMMAND...`: runs it in the background, its output in $work/NAME.log, and
# waits for its first line (the URL or port it serves on), left in $first_line.
start_logged() {
  local name="$1"
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if [[ -s $work/$name.log ]]; then
      first_line="$(head -n 1 "$work/$name.log")"
      return
    fi
    sleep 0.1
  done
  echo "$name did not start: $(cat "$work/$name.log")" >&2
  exit 1
}

# The mirror: good/ is the release as dist wrote it; bad/ the same with the archive's last byte
# changed (its .sha256 left as it was).
mkdir -p "$work/www/bad"
ln -s "$(cd "$distrib" && pwd)" "$work/www/good"
cp "$distrib/$archive" "$distrib/$archive.sha256" "$distrib/$installer" "$work/www/bad/"
python3 - "$work/www/bad/$archive" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-1, 2)
    last = f.read(1)
    f.seek(-1, 2)
    f.write(bytes([last[0] ^ 1]))
PY
start_logged http python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/www"
port="$(sed -E 's/.* port ([0-9]+) .*/\1/' <<<"$first_line")"
mirror="http://127.0.0.1:$port"

echo "== 1. dist's installer from the mirror into an empty HOME"
home="$work/home"
mkdir -p "$home"
curl -fsS "$mirror/good/$installer" -o "$work/$installer"
started=$(date +%s%N)
env -i HOME="$home" PATH=/usr/bin:/bin SHELL=/bin/bash \
  LANGSMITH_CONTROL_PLANE_CLI_DOWNLOAD_URL="$mirror/good" sh "$work/$installer"
lscp="$home/.cargo/bin/lscp"
reported="$("$lscp" --version)"
finished=$(date +%s%N)
if [[ $reported != "lscp $version" ]]; then
  echo "the installed lscp says '$reported', not 'lscp $version'" >&2
  exit 1
fi
install_ms=$(((finished - started) / 1000000))

echo "== 2. the installed lscp against its own embedded mock"
start_logged mock "$lscp" mock --port 0
mock_url="$first_line"
mkdir -p "$work/agent"
printf '{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}\n' >"$work/agent/langgraph.json"
printf 'graph = None\n' >"$work/agent/agent.py"
LANGSMITH_CONTROL_PLANE_URL="$mock_url" LANGSMITH_API_KEY=smoke-test-key \
  "$lscp" deploy --name smoke-agent --source-dir "$work/agent" --interval 100ms >"$work/deploy.out"
grep -q 'is DEPLOYED' "$work/deploy.out" || {
  cat "$work/deploy.out"
  exit 1
}

echo "== 3. the installed lscp over TLS (rustls on ring, the CA from SSL_CERT_FILE)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=smoke CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 1 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
cat >"$work/relay.py" <<'PY'
# A TLS relay on loopback: each connection is decrypted and piped to the mock's plain port.
import asyncio, ssl, sys
cert, key, mock_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()

async def relay(client_reader, client_writer):
    mock_reader, mock_writer = await asyncio.open_connection("127.0.0.1", mock_port)
    await asyncio.gather(pipe(client_reader, mock_writer), pipe(mock_reader, client_writer),
                         return_exceptions=True)

async def main():
    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
PY
start_logged tls python3 -u "$work/relay.py" "$work/server.pem" "$work/server.key" "${mock_url##*:}"
tls_port="$first_line"
SSL_CERT_FILE="$work/ca.pem" LANGSMITH_CONTROL_PLANE_URL="https://localhost:$tls_port" \
  LANGSMITH_API_KEY=smoke-test-key "$lscp" deployment list >"$work/tls.out"
grep -q smoke-agent "$work/tls.out" || {
  cat "$work/tls.out"
  exit 1
}
# With the system's CAs instead of ours the same request is refused: the certificate is checked.
if LANGSMITH_CONTROL_PLANE_URL="https://localhost:$tls_port" SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  LANGSMITH_API_KEY=smoke-test-key "$lscp" deployment list >/dev/null 2>"$work/untrusted.err"; then
  echo "lscp accepted a certificate from an unknown CA" >&2
  exit 1
fi
grep -i certificate "$work/untrusted.err"

echo "== 4. the GitHub Action's install and deploy steps"
runner="$work/runner"
mkdir -p "$runner/temp"
: >"$runner/path"
: >"$runner/output"
action_env=(RUNNER_TEMP="$runner/temp" GITHUB_PATH="$runner/path" GITHUB_OUTPUT="$runner/output")
if env "${action_env[@]}" LSCP_RELEASE_URL="$mirror/bad" bash action/install.sh >"$work/bad.out" 2>&1; then
  echo "action/install.sh installed a tampered archive" >&2
  exit 1
fi
grep -q 'does not match' "$work/bad.out"
if [[ -e $runner/temp/lscp-$version/lscp ]]; then
  echo "a tampered archive left an lscp behind" >&2
  exit 1
fi
env "${action_env[@]}" LSCP_RELEASE_URL="$mirror/good" bash action/install.sh
grep -qx "lscp=$runner/temp/lscp-$version/lscp" "$runner/output"
grep -qx "$runner/temp/lscp-$version" "$runner/path"
env "${action_env[@]}" LSCP="$runner/temp/lscp-$version/lscp" \
  LANGSMITH_CONTROL_PLANE_URL="$mock_url" LANGSMITH_API_KEY=smoke-test-key \
  INPUT_NAME=smoke-action INPUT_SOURCE_DIR="$work/agent" INPUT_DEPLOYMENT_TYPE=dev \
  bash action/deploy.sh >/dev/null
grep -qx 'outcome=deployed' "$runner/output"

archive_bytes=$(stat -c %s "$distrib/$archive")
binary_bytes=$(stat -c %s "$lscp")
echo
echo "archive $archive: $archive_bytes bytes; lscp: $binary_bytes bytes"
echo "installer start to a working lscp: $install_ms ms"
