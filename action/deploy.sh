#!/usr/bin/env bash
# The action's deploy step: `lscp deploy` with the action's inputs (the INPUT_* variables that
# action.yml sets from `with:`). lscp itself writes the step outputs, the job summary and the
# annotations (`--github-actions on`). Runs under bash 3.2 too (macOS's own).
set -euo pipefail

# A usage error of the action itself: one annotation, exit 2 as lscp's usage errors, nothing sent.
usage_error() {
  echo "::error title=lscp deploy::$1"
  exit 2
}

lscp="${LSCP:-lscp}"
args=(--github-actions on deploy)

# `option FLAG VALUE`: pass FLAG VALUE when the input is not empty.
option() {
  if [[ -n $2 ]]; then args+=("$1" "$2"); fi
}

# `switch INPUT VALUE DEFAULT FLAG_WHEN_TRUE FLAG_WHEN_FALSE`: a true/false input as a flag.
switch() {
  local value="${2:-$3}"
  case "$value" in
    true) if [[ -n $4 ]]; then args+=("$4"); fi ;;
    false) if [[ -n $5 ]]; then args+=("$5"); fi ;;
    *) usage_error "input $1 must be true or false" ;;
  esac
}

option --name "${INPUT_NAME:-}"
option --deployment-id "${INPUT_DEPLOYMENT_ID:-}"
option --source-dir "${INPUT_SOURCE_DIR:-}"
option --ref "${INPUT_REF:-}"
option --image "${INPUT_IMAGE:-}"
option --config "${INPUT_CONFIG:-}"
option --repo-url "${INPUT_REPO_URL:-}"
option --deployment-type "${INPUT_DEPLOYMENT_TYPE:-}"
option --env-file "${INPUT_ENV_FILE:-}"
option --timeout "${INPUT_TIMEOUT:-}"
switch wait "${INPUT_WAIT:-}" true "" --no-wait
switch logs "${INPUT_LOGS:-}" false --logs ""
switch replace-secrets "${INPUT_REPLACE_SECRETS:-}" false --replace-secrets ""

# `secrets`: one environment variable name a line; lscp reads each value from this step's
# environment. A line is never echoed: it might hold a value pasted by mistake.
line_number=0
while IFS= read -r line || [[ -n $line ]]; do
  line_number=$((line_number + 1))
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  if [[ -z $line || $line == \#* ]]; then continue; fi
  if [[ ! $line =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    usage_error "input secrets, line $line_number: not an environment variable name (give NAME and set its value in the step's env:)"
  fi
  args+=(--secret "$line")
done <<<"${INPUT_SECRETS:-}"

exec "$lscp" "${args[@]}"
