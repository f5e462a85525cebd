#!/usr/bin/env bash
# `make browser-test`: the officials' console in headless Chromium against
# `make dev` (console/tests/browser.mjs starts and stops it), after the
# console's unit tests. Screenshots go to docs/screenshots/.
#   Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM); .ci/run installs it.
#   ADUAN_DEV_PORT  the dev server's port (default 3100)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

browser="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$browser" ]; then
  echo "browser-test: no Chromium at $browser (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 1
fi
# playwright-core only (no browser download), exactly as package-lock.json pins it.
if [ ! -d console/node_modules/playwright-core ] || [ console/package-lock.json -nt console/node_modules/.package-lock.json ]; then
  (cd console && npm ci --no-audit --no-fund)
fi
(cd console && npm test)
# Built before the test starts `make dev`, so its wait is for the server, not the compiler.
cargo build --quiet --workspace --all-targets
node console/tests/browser.mjs
