#!/usr/bin/env bash
# `make dev`: the whole system on this machine. Starts the local AWS emulator
# with the table and topics of template.yaml (stack.sh; installs .venv on the
# first run), then runs aduan-dev: the three functions behind a stand-in for
# API Gateway, a development JWT issuer and a WhatsApp send-API stand-in.
# Ctrl-C stops everything; the emulator only if this call started it.
#   ADUAN_DEV_PORT   the API's port (default 3000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

status="$("$here/stack.sh" start)"
if [ "$status" = started ]; then
  echo "AWS emulator: started (Ctrl-C stops it too)"
  trap '"$here/stack.sh" stop >/dev/null' EXIT
else
  echo "AWS emulator: already running (left running)"
fi
eval "$("$here/stack.sh" env)"
# The whole workspace with its tests, as `make test` builds it: the same
# feature resolution, so `make demo` and `make test` find everything built.
cargo build --quiet --workspace --all-targets
"${CARGO_TARGET_DIR:-target}/debug/aduan-dev"
