#!/usr/bin/env bash
# Builds the bindings crate with each saved upstream document normalized and swapped in for
# openapi/control-plane.json: the full check behind the quicker one in xtask/tests/it/upstream_documents.rs
# (which runs build/generate.rs on each document). Works in a temporary copy of the workspace
# with its own target directory, so it never touches the real one.
#
#   xtask/scripts/build-with-references.sh [REFERENCE_DIR]   (default: ../shared/reference)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
references=${1:-$root/../shared/reference}
if ! compgen -G "$references/upstream-*.json" > /dev/null; then
    echo "skipped: no upstream-*.json in $references (the reference copies live outside the repository)"
    exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar -C "$root" --exclude=./target --exclude=./.git -cf - . | (mkdir "$scratch/workspace" && tar -C "$scratch/workspace" -xf -)

cargo build --quiet --locked --manifest-path "$root/Cargo.toml" -p xtask
xtask="$root/target/debug/xtask"

failed=0
for reference in "$references"/upstream-*.json; do
    name=$(basename "$reference" .json)
    "$xtask" spec update --from "$reference" --out "$scratch/workspace/openapi/control-plane.json" \
        --base "$root/openapi/control-plane.json" > /dev/null
    started=$(date +%s)
    if (cd "$scratch/workspace" && CARGO_TARGET_DIR="$scratch/target" \
            cargo build --quiet --locked -p langsmith-control-plane-api); then
        echo "ok: $name: the bindings crate builds ($(( $(date +%s) - started ))s)"
    else
        echo "FAILED: $name: the bindings crate does not build"
        failed=1
    fi
done
exit $failed
