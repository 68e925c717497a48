#!/usr/bin/env bash
# Spec conformance of the mock (issue 6, section 3): runs schemathesis (from PyPI, in
# .venv-schemathesis/) against the mock Control Plane with the vendored openapi/control-plane.json:
# every check, the examples, coverage, fuzzing and stateful phases. Exits non-zero on any failure
# that scripts/schemathesis-baseline.json does not list; that file holds the failures that are the
# document's (responses the service gives but the document does not list), each with its reason.
#
#   scripts/schemathesis.sh                              # 50 examples per operation, random seed
#   SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_SEED=3 scripts/schemathesis.sh
#   scripts/schemathesis.sh --include-operation-id get_revision   # extra arguments go to `st run`
#
# The mock runs from `cargo run -p langsmith-control-plane-mock --example serve` on a free port of
# 127.0.0.1 with a fresh API key that only it accepts, so the ignored-auth checks can tell a
# rejected key from an accepted one. Reports (JSON, JUnit, a VCR cassette for counting checks) go
# to target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${SCHEMATHESIS_VERSION:-4.32.5}"
examples="${SCHEMATHESIS_EXAMPLES:-50}"
venv=.venv-schemathesis
reports=target/schemathesis

if ! "${venv}/bin/schemathesis" --version 2>/dev/null | grep -q "version ${version}$"; then
    python3 -m venv "${venv}"
    "${venv}/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${version}"
fi
"${venv}/bin/schemathesis" --version

cargo build --locked --quiet -p langsmith-control-plane-mock --example serve
mkdir -p "${reports}"
export SCHEMATHESIS_API_KEY="schemathesis-${RANDOM}${RANDOM}"
export SCHEMATHESIS_TENANT_ID
SCHEMATHESIS_TENANT_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')

url_file="${reports}/mock-url"
rm -f "${url_file}"
"${CARGO_TARGET_DIR:-target}/debug/examples/serve" 0 "${SCHEMATHESIS_API_KEY}" >"${url_file}" 2>"${reports}/mock.log" &
mock_pid=$!
trap 'kill "${mock_pid}" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [ -s "${url_file}" ] && break
    kill -0 "${mock_pid}" 2>/dev/null || { cat "${reports}/mock.log"; exit 1; }
    sleep 0.1
done
url=$(head -n1 "${url_file}")
echo "mock at ${url}"

seed_args=()
[ -n "${SCHEMATHESIS_SEED:-}" ] && seed_args=(--seed "${SCHEMATHESIS_SEED}")
status=0
PYTHONPATH=scripts "${venv}/bin/schemathesis" --config-file scripts/schemathesis.toml run openapi/control-plane.json \
    --url "${url}" \
    --max-examples "${examples}" \
    "${seed_args[@]}" \
    --baseline scripts/schemathesis-baseline.json \
    --report json,junit,vcr \
    --report-json-path "${reports}/report.json" \
    --report-junit-path "${reports}/junit.xml" \
    --report-vcr-path "${reports}/cassette.yaml" \
    --output-truncate false \
    "$@" || status=$?

# The counts the console summary leaves out: checks run, by outcome.
cassette="${reports}/cassette.yaml"
if [ -f "${cassette}" ]; then
    checks=$(grep -c "^    - name: '" "${cassette}" || true)
    failed=$(grep -c "^      status: 'FAILURE'" "${cassette}" || true)
    requests=$(grep -c "^- id: '" "${cassette}" || true)
    echo "checks: ${checks} run on ${requests} requests, ${failed} failed (the baseline's known ones included)"
fi
python3 - "${reports}/report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
ops, cases, base = report["operations"], report["test_cases"], report.get("baseline") or {}
print(f"operations: {ops['tested']} tested of {ops['total']}; test cases: {cases['generated']} generated;"
      f" seed {report['seed']}")
print(f"baseline: {base.get('known', 0)} known document gaps seen, {base.get('new', 0)} new failures,"
      f" {base.get('unobserved', 0)} entries not seen this run")
EOF
exit "${status}"
