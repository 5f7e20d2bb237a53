#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a bounded time each. Not part of CI (time-bounded);
# run it by hand after touching a parser. Installs cargo-fuzz if missing.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 300 config      # one target, 300 s
#   FUZZ_JOBS=2 scripts/fuzz.sh     # targets two at a time (one core each)
#   FUZZ_CMIN=1 scripts/fuzz.sh     # afterwards minimise fuzz/corpus/<target> (commit that)
#
# cargo-fuzz needs nightly features; with only a stable toolchain, RUSTC_BOOTSTRAP=1 unlocks
# them. Builds go to fuzz/target, apart from the main target dir. New inputs land in
# fuzz/corpus/<target>/; crashes in fuzz/artifacts/<target>/ (reproduce with
# `cargo fuzz run <target> <file>`, then add a regression unit test beside the fixed code).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(config event_page webhook_body text)
fi
jobs="${FUZZ_JOBS:-1}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== cargo install cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

echo "== cargo fuzz build"
cargo fuzz build

dict_for() {
  case "$1" in
    config) echo "-dict=config.dict" ;;
    event_page | webhook_body) echo "-dict=json.dict" ;;
  esac
}

run_one() {
  local t="$1"
  mkdir -p "corpus/$t" "seeds/$t"
  # New inputs go to the first directory; seeds/ (hand-written, readable) is read only.
  # -timeout: any single input slower than 10 s is reported as a hang.
  # shellcheck disable=SC2046
  cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    $(dict_for "$t") 2>&1 | tee "target/fuzz-$t.log" | grep -E '^(#[0-9]+.*DONE|stat::|==[0-9]+==|SUMMARY|Done)' || true
  if grep -qE '^(==[0-9]+== ?ERROR|SUMMARY: libFuzzer)|panicked at' "target/fuzz-$t.log"; then
    echo "!! $t: crash — see fuzz/target/fuzz-$t.log and fuzz/artifacts/$t/"
    return 1
  fi
  echo "== $t: no crash in ${secs}s"
}

status=0
pids=()
names=()
for t in "${targets[@]}"; do
  if ((jobs > 1)); then
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    if ((${#pids[@]} >= jobs)); then
      wait "${pids[0]}" || status=1
      pids=("${pids[@]:1}")
      names=("${names[@]:1}")
    fi
  else
    run_one "$t" || status=1
  fi
done
for p in "${pids[@]}"; do
  wait "$p" || status=1
done

if [[ "${FUZZ_CMIN:-0}" == 1 ]]; then
  for t in "${targets[@]}"; do
    echo "== cargo fuzz cmin $t"
    # Edge coverage only (no hit counters): keeps the committed corpus small (< 2 MB in all).
    cargo fuzz cmin "$t" "corpus/$t" -- -use_counters=0 >"target/cmin-$t.log" 2>&1
    echo "   $(find "corpus/$t" -type f | wc -l) files, $(du -sb "corpus/$t" | cut -f1) bytes"
  done
fi
exit "$status"
