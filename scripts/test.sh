#!/usr/bin/env bash
# Runs every test Lookout has: Rust unit + integration tests, the contract test against the
# official authentik client, and the browser tests in headless Chromium.
# Installs what is missing first (Debian packages, PyPI and npm packages), so it works on a
# fresh machine. Set LOOKOUT_SKIP_INSTALL=1 to skip the install step.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${LOOKOUT_SKIP_INSTALL:-0}" != 1 ]]; then
  bash scripts/install-test-deps.sh
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked
export LOOKOUT_BIN="$PWD/target/debug/lookout"

if [[ -f scripts/contract/test_fake_contract.py ]]; then
  echo "== contract test (official authentik-client)"
  python3 -m pytest -q scripts/contract
fi

if [[ -d tests/browser ]]; then
  echo "== browser tests (headless Chromium)"
  bash scripts/browser-test.sh
fi
echo "== all tests passed"
