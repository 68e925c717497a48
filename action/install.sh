#!/usr/bin/env bash
# The actions' install step: puts lscp on the job's PATH and writes its path as step output `lscp`.
#
# INPUT_INSTALL=release (default): the pinned release's archive for this runner and its .sha256
# are downloaded and checked; then dist's installer from the same release installs that verified
# file (pointed at it by file:// URL), so nothing unchecked is installed. INPUT_INSTALL=cargo
# builds this action's own source instead. INPUT_LSCP_VERSION picks the release; empty means the
# version of this action's own commit. LSCP_RELEASE_URL replaces the release's download URL (a
# mirror; plain http only on loopback). The repository comes from Cargo.toml, its one home.
# Runs under bash 3.2 too (macOS's own).
set -euo pipefail

fail() {
  echo "::error title=lscp install::$1"
  exit 1
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# `workspace_field NAME`: a string field of [workspace.package] in the action's Cargo.toml.
workspace_field() {
  awk -v key="$1" '
    /^\[/ { in_section = ($0 == "[workspace.package]") }
    in_section && $1 == key && $2 == "=" { gsub(/"/, "", $3); print $3; exit }
  ' "$root/Cargo.toml"
}

own_version="$(workspace_field version)"
version="${INPUT_LSCP_VERSION:-$own_version}"
version="${version#v}"
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  fail "input lscp-version: not a version such as 0.1.0"
fi

# Paths are POSIX inside this script; Windows programs (PowerShell, the runner) get Windows ones.
exe=""
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*)
    exe=".exe"
    temp="$(cygpath -u "$temp")"
    ;;
esac
work="$(mktemp -d "$temp/lscp-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
dest="$temp/lscp-$version"

# `fetch URL FILE`: one download; a failed one names the URL.
fetch() {
  curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" ||
    fail "could not download $1"
}

# `sha256 FILE`: the file's SHA-256 in hex, by whichever tool the runner has.
sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

# The release's archive name for this runner, as dist names it (dist-workspace.toml's targets).
archive_for_runner() {
  local arch os
  case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) fail "no lscp release for the machine $(uname -m); use install: cargo" ;;
  esac
  case "$(uname -s)" in
    Linux) os=unknown-linux-musl ;;
    Darwin) os=apple-darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=pc-windows-msvc ;;
    *) fail "no lscp release for $(uname -s); use install: cargo" ;;
  esac
  case "$arch-$os" in
    aarch64-pc-windows-msvc) fail "no lscp release for Windows on arm64; use install: cargo" ;;
    *-pc-windows-msvc) echo "langsmith-control-plane-cli-$arch-$os.zip" ;;
    *) echo "langsmith-control-plane-cli-$arch-$os.tar.xz" ;;
  esac
}

install_release() {
  local base="${LSCP_RELEASE_URL:-$(workspace_field repository)/releases/download/v$version}"
  case "$base" in
    https://* | http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
    *) fail "release URL $base: not https (plain http only on loopback)" ;;
  esac
  local archive mirror="$work/mirror"
  archive="$(archive_for_runner)"
  mkdir -p "$mirror"
  fetch "$base/$archive" "$mirror/$archive"
  fetch "$base/$archive.sha256" "$work/$archive.sha256"
  local want got
  want="$(awk '{print $1; exit}' "$work/$archive.sha256")"
  got="$(sha256 "$mirror/$archive")"
  if [[ ! $want =~ ^[0-9a-f]{64}$ || $got != "$want" ]]; then
    fail "$archive: sha256 $got does not match the release's checksum $want; nothing installed"
  fi
  echo "$archive: sha256 $got matches the release's checksum"

  # dist's installer, installing the verified archive from the local mirror: no PATH or profile
  # edits (UNMANAGED_INSTALL), into $dest.
  export LANGSMITH_CONTROL_PLANE_CLI_NO_MODIFY_PATH=1
  if [[ -n $exe ]]; then
    fetch "$base/langsmith-control-plane-cli-installer.ps1" "$work/installer.ps1"
    LANGSMITH_CONTROL_PLANE_CLI_UNMANAGED_INSTALL="$(cygpath -w "$dest")"
    LANGSMITH_CONTROL_PLANE_CLI_DOWNLOAD_URL="file:///$(cygpath -m "$mirror")"
    export LANGSMITH_CONTROL_PLANE_CLI_UNMANAGED_INSTALL LANGSMITH_CONTROL_PLANE_CLI_DOWNLOAD_URL
    powershell -NoProfile -ExecutionPolicy Bypass -File "$(cygpath -w "$work/installer.ps1")"
  else
    fetch "$base/langsmith-control-plane-cli-installer.sh" "$work/installer.sh"
    export LANGSMITH_CONTROL_PLANE_CLI_UNMANAGED_INSTALL="$dest"
    export LANGSMITH_CONTROL_PLANE_CLI_DOWNLOAD_URL="file://$mirror"
    sh "$work/installer.sh" --quiet
  fi
}

install_cargo() {
  if [[ $version != "$own_version" ]]; then
    fail "install: cargo builds this action's own source, lscp $own_version; for $version use the action at that release's tag"
  fi
  cargo install --locked --path "$root/cli" --root "$dest" --bin lscp
  dest="$dest/bin"
}

case "${INPUT_INSTALL:-release}" in
  release) install_release ;;
  cargo) install_cargo ;;
  *) fail "input install must be release or cargo" ;;
esac

lscp="$dest/lscp$exe"
"$lscp" --version || fail "the installed $lscp does not run"
path_entry="$dest"
if [[ -n $exe ]]; then path_entry="$(cygpath -w "$dest")"; fi
if [[ -n ${GITHUB_PATH:-} ]]; then echo "$path_entry" >>"$GITHUB_PATH"; fi
if [[ -n ${GITHUB_OUTPUT:-} ]]; then echo "lscp=$lscp" >>"$GITHUB_OUTPUT"; fi
