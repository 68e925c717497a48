#!/usr/bin/env bash
# Fuzzing (issue 6, section 2): runs each cargo-fuzz target in fuzz/ for a bounded time and
# reports its executions and findings. Exits non-zero when a target finds a crash.
#
#   scripts/fuzz.sh                        # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh       # longer
#   scripts/fuzz.sh decode_mutated normalize
#
# Targets:
#   decode_bytes    any bytes as every API type: no panic; a decoded value re-encodes to JSON that
#                   decodes to an equal value and encodes to the same bytes
#   decode_mutated  the schema examples (tests/fixtures/schema-examples.json) with structure-aware
#                   mutations (fields removed, added or retyped, edge-case strings and numbers)
#   open_enums      any string through every open enum: kept, sent back unchanged
#   normalize       the xtask normalizer on any JSON / OpenAPI-shaped document: no panic, idempotent
#   waits           any text as a Retry-After value and as an lscp duration: no panic, bounded
#
# cargo-fuzz (installed from crates.io when missing) needs nightly-only compiler flags; on a stable
# toolchain RUSTC_BOOTSTRAP=1 lets them through. Builds go to fuzz/target; the working corpus
# (fuzz/corpus, seeded from the repository's own fixtures) and crash inputs (fuzz/artifacts) are
# not committed. Targets are built optimized with debug assertions and overflow checks, under
# AddressSanitizer (cargo-fuzz's defaults).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
all_targets=(decode_bytes decode_mutated open_enums normalize waits)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Seeds from the repository: one file per schema example, the vendored document and the
# normalizer's fixtures, and every enum value of the document.
seed() {
    python3 - "$@" <<'EOF'
import json, os, pathlib, sys
corpus = pathlib.Path("fuzz/corpus")
def put(target, name, text):
    directory = corpus / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_text(text, encoding="utf-8")
examples = json.loads(pathlib.Path("tests/fixtures/schema-examples.json").read_text())
for name, example in examples.items():
    put("decode_bytes", name, json.dumps(example))
put("normalize", "control-plane.json", pathlib.Path("openapi/control-plane.json").read_text())
for fixture in sorted(pathlib.Path("xtask/tests/fixtures/normalize").glob("*.json")):
    put("normalize", fixture.name, fixture.read_text())
schemas = json.loads(pathlib.Path("openapi/control-plane.json").read_text())["components"]["schemas"]
for name, schema in schemas.items():
    for value in schema.get("enum", []):
        if isinstance(value, str):
            put("open_enums", f"{name}-{value}", value)
EOF
}
seed

cargo fuzz build
mkdir -p fuzz/target/logs
failed=0
summary=()
for target in "${targets[@]}"; do
    log="fuzz/target/logs/${target}.log"
    echo "== ${target}: ${seconds} s"
    mkdir -p "fuzz/corpus/${target}"
    status=0
    # -rss_limit_mb: the default 2 GiB trips on the large seed document under ASan on a busy box.
    cargo fuzz run "${target}" "fuzz/corpus/${target}" -- \
        -max_total_time="${seconds}" -print_final_stats=1 -rss_limit_mb=4096 \
        >"${log}" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "${log}" | grep -o '[0-9]*$' | tail -1)
    if [ -z "${runs}" ]; then
        runs=$(grep -o '^#[0-9]*' "${log}" | tail -1 | tr -d '#')
    fi
    corpus=$(find "fuzz/corpus/${target}" -type f | wc -l)
    if [ "${status}" -eq 0 ]; then
        result="no findings"
    else
        failed=1
        artifact=$(grep -o 'fuzz/artifacts/[^ ]*' "${log}" | tail -1 || true)
        result="FINDING (exit ${status}) ${artifact:-see ${log}}"
        grep -m1 -A6 'panicked at' "${log}" || tail -20 "${log}"
    fi
    line="${target}: ${runs:-?} executions in ${seconds} s, corpus ${corpus} inputs, ${result}"
    echo "${line}"
    summary+=("${line}")
done

echo
echo "== fuzzing summary (logs in fuzz/target/logs)"
printf '%s\n' "${summary[@]}"
exit "${failed}"
