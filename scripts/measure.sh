#!/usr/bin/env bash
# Measurements recorded in BENCHMARKS.md: upstream requests per refresh (1k and 1M events) and
# alert latency with push vs polling. Release build; takes a few minutes (polling waits ~30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test measure -- --ignored --nocapture --test-threads 1 2>&1 | grep '^|'
