#!/usr/bin/env bash
# Runs a command with the local AWS stack up and its environment set; stops
# the emulator afterwards only if this call started it.
#   infra/local/with-stack.sh cargo test --workspace
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "$("$here/stack.sh" start)" = started ]; then
  trap '"$here/stack.sh" stop >/dev/null' EXIT
fi
eval "$("$here/stack.sh" env)"
"$@"
