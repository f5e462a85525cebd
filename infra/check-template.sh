#!/usr/bin/env bash
# Checks template.yaml the way a deploy would use it:
#   1. cfn-lint template.yaml
#   2. sam validate --lint
#   3. sam build (x86_64: cargo-lambda cannot build arm64 on these machines)
# The tools are pinned below and installed into a project-local venv,
# .venv-tools/ (git-ignored), on first use. Cargo's output goes to
# .aws-sam/cargo-target, so a build never waits on the workspace's target/.
#
# Usage: infra/check-template.sh [--no-build]
# Env:   PYTHON  interpreter used to create the venv (default: python3)
set -euo pipefail

CFN_LINT_VERSION=1.58.0
SAM_CLI_VERSION=1.170.0
CARGO_LAMBDA_VERSION=1.9.2
# Any Region works for validation; nothing is deployed.
REGION=ap-southeast-3

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv-tools"

build=1
case "${1:-}" in
  --no-build) build=0 ;;
  "") ;;
  *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
esac

tools_ok() {
  [ -x "$venv/bin/cfn-lint" ] && [ -x "$venv/bin/sam" ] && [ -x "$venv/bin/cargo-lambda" ] || return 1
  "$venv/bin/python" - "$CFN_LINT_VERSION" "$SAM_CLI_VERSION" "$CARGO_LAMBDA_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
want = dict(zip(("cfn-lint", "aws-sam-cli", "cargo-lambda"), sys.argv[1:]))
sys.exit(0 if all(version(name) == v for name, v in want.items()) else 1)
PY
}

if ! tools_ok; then
  echo "== installing cfn-lint $CFN_LINT_VERSION, aws-sam-cli $SAM_CLI_VERSION, cargo-lambda $CARGO_LAMBDA_VERSION into .venv-tools"
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
    "cfn-lint==$CFN_LINT_VERSION" \
    "aws-sam-cli==$SAM_CLI_VERSION" \
    "cargo-lambda==$CARGO_LAMBDA_VERSION"
  tools_ok || { echo "check-template: the tools in .venv-tools are not the pinned versions" >&2; exit 1; }
fi

# cargo-lambda (and the zig it drives, from the ziglang package) must be
# found by SAM as `cargo lambda`: put the venv first on PATH.
export PATH="$venv/bin:$PATH"
export SAM_CLI_TELEMETRY=0
# Validation is offline; never pick up a developer's real credentials.
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"

echo "== cfn-lint"
cfn-lint template.yaml

echo "== sam validate --lint"
sam validate --lint --template-file template.yaml --region "$REGION"

[ "$build" = 1 ] || exit 0

echo "== sam build (x86_64)"
export CARGO_TARGET_DIR="$root/.aws-sam/cargo-target"
start=$(date +%s)
sam build \
  --template-file template.yaml \
  --build-dir .aws-sam/build \
  --parameter-overrides Architecture=x86_64
echo "== sam build took $(($(date +%s) - start)) s"

for fn in WebhookFunction CaseUpdatesFunction DigestFunction; do
  artifact=".aws-sam/build/$fn/bootstrap"
  [ -x "$artifact" ] || { echo "check-template: $artifact missing after sam build" >&2; exit 1; }
  # ELF e_machine (bytes 18-19, little-endian): 3e 00 is x86-64.
  machine="$(od -An -tx1 -j18 -N2 "$artifact" | tr -d ' \n')"
  [ "$machine" = "3e00" ] || {
    echo "check-template: $artifact is not an x86-64 executable (e_machine $machine)" >&2
    exit 1
  }
done
echo "== template OK: 3 functions built"
