#!/usr/bin/env bash
# Cold debug build time, each from an empty CARGO_TARGET_DIR under /tmp (dependencies already
# downloaded; the shared target dir is never touched):
#   - generated: the committed tree as is (build.rs runs progenitor at build time);
#   - checked-in: the same tree with `cargo xtask codegen`'s output (byte for byte what build.rs
#     writes) under src/generated/, included directly; no build.rs, no [build-dependencies];
#   - TLS: the facade on `native-tls` instead of its default (rustls on ring: the first row);
#     scripts/bench/tls_cost.sh compares the TLS stacks alone, aws-lc included.
# Each of `cargo build -p langsmith-control-plane` (what a program that depends on the facade
# compiles) and `cargo build --workspace` (which also builds xtask, and so progenitor, either way).
# Wall time and CPU time (user + sys; less sensitive to other load than wall time).
#
#   scripts/bench/cold_build.sh                   (REF=HEAD; WHICH="facade workspace tls")
source "$(dirname "$0")/lib.sh"

REF="${REF:-HEAD}"
WHICH="${WHICH:-facade workspace tls}"
work="$(mktemp -d /tmp/bench-cold.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "## Cold debug builds of $(git -C "$ROOT" rev-parse --short "$REF")"
machine
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER CARGO_INCREMENTAL

# Two copies of the committed tree.
mkdir -p "$work/generated" "$work/checked-in"
git -C "$ROOT" archive "$REF" | tar -x -C "$work/generated"
git -C "$ROOT" archive "$REF" | tar -x -C "$work/checked-in"
(cd "$work/generated" && cargo fetch --locked --quiet)

# The checked-in variant: generated code as files, build.rs and its dependencies gone.
# (The snapshot's own xtask, in a target dir of its own, not timed; the first build below checks
# that its output is byte for byte what the snapshot's build.rs writes.)
(cd "$work/generated" && CARGO_TARGET_DIR="$work/xtask-target" cargo xtask codegen \
    --out "$work/checked-in/src/generated" >"$work/xtask.log" 2>&1) || { cat "$work/xtask.log" >&2; exit 1; }
rm -rf "$work/xtask-target"
(
    cd "$work/checked-in"
    rm build.rs
    sed -i 's|include!(concat!(env!("OUT_DIR"), "/client.rs"));|include!("generated/client.rs");|' src/lib.rs
    sed -i 's|include!(concat!(env!("OUT_DIR"), "/open_enums.rs"));|include!("generated/open_enums.rs");|' src/open_enums.rs
    grep -q 'include!("generated/client.rs")' src/lib.rs && grep -q 'include!("generated/open_enums.rs")' src/open_enums.rs \
        || { echo "src/lib.rs or src/open_enums.rs no longer include from OUT_DIR as expected" >&2; exit 1; }
    python3 - Cargo.toml <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = text.replace('build = "build.rs"\n', "")
text = re.sub(r"\n\[build-dependencies\]\n(?:[^\[\n][^\n]*\n|\n)*", "\n", text, count=1)
open(path, "w").write(text)
EOF
    ! grep -q 'build-dependencies' Cargo.toml
)
echo "- generated code checked in: $(cat "$work/checked-in/src/generated/"*.rs | wc -l) lines (open_enums.rs, client.rs)"

echo
echo "| variant | command | wall | CPU (user+sys) | crates compiled |"
echo "|---|---|---:|---:|---:|"
cold() { # LABEL TREE ARGS...
    local label="$1" tree="$2"
    shift 2
    local target="$work/target-$RANDOM"
    wait_quiet >"$work/load.txt"
    (cd "$work/$tree" && CARGO_TARGET_DIR="$target" /usr/bin/time -f '%e %U %S' -o "$work/time.txt" \
        cargo build --offline --locked "$@" >"$work/build.log" 2>&1) \
        || { cat "$work/build.log" >&2; exit 1; }
    read -r wall user sys <"$work/time.txt"
    local crates
    crates="$(grep -c '^ *Compiling ' "$work/build.log")"
    printf '| %s | `cargo build %s` | %.1f s | %.1f s | %s |\n' "$label" "$*" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$crates"
    echo "  ($label, $*: $(sed 's/^- //' "$work/load.txt"))" >&2
    if [ "$tree" = generated ] && [ -z "${CHECKED_SAME:-}" ]; then
        for file in client.rs open_enums.rs; do
            cmp -s "$target"/debug/build/langsmith-control-plane-api-*/out/$file "$work/checked-in/src/generated/$file" \
                || { echo "the checked-in $file differs from what build.rs generated" >&2; exit 1; }
        done
        CHECKED_SAME=1
        echo "  (checked: the checked-in files are identical to build.rs's output)" >&2
    fi
    rm -rf "$target"
}
for which in $WHICH; do
    case "$which" in
        facade)
            cold "build.rs generates" generated -p langsmith-control-plane
            cold "generated code checked in" checked-in -p langsmith-control-plane
            ;;
        workspace)
            cold "build.rs generates" generated --workspace
            cold "generated code checked in" checked-in --workspace
            ;;
        tls)
            cold "TLS: native-tls (OpenSSL) instead of rustls on ring" generated -p langsmith-control-plane --no-default-features --features native-tls
            ;;
    esac
done
