#!/usr/bin/env bash
# Runs fuzz targets for $1 seconds each (default 60), one after the other,
# on the stable toolchain. The working corpus (fuzz/corpus/, not committed)
# grows from the committed seeds (fuzz/seeds/). A crash stops the run and
# leaves its input in fuzz/artifacts/<target>/.
#   fuzz/run.sh [seconds] [target...]      default: every target
#   FUZZ_JOBS=2 fuzz/run.sh 600            two targets at a time
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(meta_webhook twilio_form jurisdiction_match ticket_parse officials_request)
fi
tools="$PWD/.local/cargo-tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --locked cargo-fuzz --version 0.13.2 --root "$tools"
fi
export PATH="$tools/bin:$PATH"

# The officials' target links the AWS SDK (through case-updates): a package
# of its own, so the others build without it.
fuzz_dir() {
  case "$1" in
    officials_request) echo fuzz/officials ;;
    *) echo fuzz ;;
  esac
}

# No sanitizer: the only thing that needs nightly. Debug assertions (and so
# overflow checks) on; 16 codegen units keep the build bearable on 2 cores.
flags=(--sanitizer none -a --codegen-units 16)

# Build first, one package at a time, so the timed runs measure fuzzing.
for dir in $(for t in "${targets[@]}"; do fuzz_dir "$t"; done | sort -u); do
  echo "== build $dir"
  mine=()
  for t in "${targets[@]}"; do [ "$(fuzz_dir "$t")" = "$dir" ] && mine+=("$t"); done
  for t in "${mine[@]}"; do cargo fuzz build "${flags[@]}" --fuzz-dir "$dir" "$t"; done
done

run() {
  local target="$1"
  local root="$PWD/fuzz"
  mkdir -p "$root/corpus/$target" "$root/artifacts/$target"
  echo "== fuzz $target (${seconds}s)"
  cargo fuzz run "${flags[@]}" --fuzz-dir "$(fuzz_dir "$target")" "$target" \
    "$root/corpus/$target" "$root/seeds/$target" -- \
    -artifact_prefix="$root/artifacts/$target/" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
}

jobs="${FUZZ_JOBS:-1}"
pids=()
for target in "${targets[@]}"; do
  run "$target" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
