#!/usr/bin/env bash
# What the TLS choice costs to build: a probe crate (one reqwest GET, as the bindings use reqwest:
# reqwest 0.13 with json, http2 and charset) built from an empty target dir with each TLS stack:
#   - none (plain HTTP; the floor);
#   - rustls on ring, our default (`rustls-no-provider` + rustls' `ring` feature);
#   - reqwest's own default, rustls on aws-lc-rs (C code built by aws-lc-sys);
#   - native-tls (OpenSSL from the system, libssl-dev).
# Debug and release builds; wall and CPU time, crates compiled, size of the stripped release binary.
#
#   scripts/bench/tls_cost.sh                    (PROFILES="dev release")
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d /tmp/bench-tls.XXXXXX)"
trap 'rm -rf "$work"' EXIT
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER CARGO_INCREMENTAL

echo "## What the TLS stack costs to build (probe crate: one reqwest GET)"
machine

base='reqwest = { version = "0.13", default-features = false, features = ["json", "http2", "charset"'
declare -A deps=(
    [none]="$base] }"
    [ring]="$base, \"rustls-no-provider\"] }
rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\", \"logging\"] }"
    [aws-lc]="$base, \"rustls\"] }"
    [native-tls]="$base, \"native-tls\"] }"
)
declare -A labels=(
    [none]="no TLS (floor)"
    [ring]="rustls on ring (our default)"
    [aws-lc]="rustls on aws-lc-rs (reqwest's default)"
    [native-tls]="native-tls (OpenSSL)"
)
variants=(none ring aws-lc native-tls)
for v in "${variants[@]}"; do
    mkdir -p "$work/$v/src"
    cat >"$work/$v/Cargo.toml" <<EOF
[package]
name = "tls-probe"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
${deps[$v]}
tokio = { version = "1", features = ["macros", "rt"] }

[profile.release]
strip = true
EOF
    provider=""
    [ "$v" = ring ] && provider='let _ = rustls::crypto::ring::default_provider().install_default();'
    cat >"$work/$v/src/main.rs" <<EOF
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), reqwest::Error> {
    $provider
    let url = std::env::args().nth(1).unwrap_or_else(|| "https://example.com/".into());
    let body = reqwest::Client::builder().build()?.get(url).send().await?.text().await?;
    println!("{}", body.len());
    Ok(())
}
EOF
    # The same versions as the workspace wherever the workspace has them.
    cp "$ROOT/Cargo.lock" "$work/$v/Cargo.lock"
    (cd "$work/$v" && cargo fetch --quiet)
done

echo
echo "| TLS stack | profile | wall | CPU (user+sys) | crates compiled | binary (stripped) |"
echo "|---|---|---:|---:|---:|---:|"
for profile in ${PROFILES:-dev release}; do
    for v in "${variants[@]}"; do
        target="$work/target-$v-$profile"
        wait_quiet >"$work/load.txt"
        (cd "$work/$v" && CARGO_TARGET_DIR="$target" /usr/bin/time -f '%e %U %S' -o "$work/time.txt" \
            cargo build --offline --profile "$profile" >"$work/build.log" 2>&1) \
            || { cat "$work/build.log" >&2; exit 1; }
        read -r wall user sys <"$work/time.txt"
        dir=debug
        [ "$profile" = release ] && dir=release
        size="$(stat -c %s "$target/$dir/tls-probe")"
        size="$(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
        [ "$profile" = dev ] && size="-"
        printf '| %s | %s | %.1f s | %.1f s | %s | %s |\n' "${labels[$v]}" "$profile" "$wall" \
            "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$(grep -c '^ *Compiling ' "$work/build.log")" "$size"
        echo "  (${labels[$v]}, $profile: $(sed 's/^- //' "$work/load.txt"))" >&2
        rm -rf "$target"
    done
done
