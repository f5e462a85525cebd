#!/usr/bin/env bash
# Runs every fuzz target for $1 seconds (default 60), one after the other,
# on the stable toolchain. The working corpus (fuzz/corpus/, not committed)
# grows from the committed seeds (fuzz/seeds/). A crash stops the run and
# leaves its input in fuzz/artifacts/<target>/.
#   fuzz/run.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(meta_webhook twilio_form officials_request jurisdiction_match ticket_parse)
fi
tools="$PWD/.local/cargo-tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --locked cargo-fuzz --version 0.13.2 --root "$tools"
fi
export PATH="$tools/bin:$PATH"
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzz $target (${seconds}s)"
  # No sanitizer: the only thing that needs nightly. Debug assertions (and
  # so overflow checks) on; 16 codegen units keep the build bearable on 2 cores.
  cargo fuzz run --sanitizer none -a --codegen-units 16 --fuzz-dir fuzz "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
done
