#!/usr/bin/env bash
# Make sure the repo-local .venv exists and has moto[server]==$MOTO_VERSION
# (which also brings boto3 and PyYAML). Quiet and fast when it already does;
# safe to call from any directory and from several processes at once.
#
# Env: PYTHON  interpreter used to create the venv (default: python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

venv="$root/.venv"
state="$root/.local"

installed_version() {
  [ -x "$venv/bin/python" ] && [ -x "$venv/bin/moto_server" ] || return 0
  "$venv/bin/python" -c 'import moto, boto3, yaml; print(moto.__version__)' 2>/dev/null || true
}

[ "$(installed_version)" = "$MOTO_VERSION" ] && exit 0

mkdir -p "$state"
log="$state/ensure-venv.log"

# Serialise concurrent installs; re-check once we hold the lock.
exec 9>"$state/ensure-venv.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  [ "$(installed_version)" = "$MOTO_VERSION" ] && exit 0
fi

fail() {
  echo "ensure-venv: $1 (log: $log)" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
}

: >"$log"
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  "${PYTHON:-python3}" -m venv "$venv" >>"$log" 2>&1 || fail "could not create $venv"
fi
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
  "moto[server]==$MOTO_VERSION" >>"$log" 2>&1 ||
  fail "pip install moto[server]==$MOTO_VERSION failed"

got="$(installed_version)"
[ "$got" = "$MOTO_VERSION" ] || fail "expected moto $MOTO_VERSION in $venv, found '${got:-none}'"
