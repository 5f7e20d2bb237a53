#!/usr/bin/env bash
# Runs the dashboard's browser tests in real headless Chromium (Debian's /usr/bin/chromium).
# Installs the pinned npm dependencies if missing, builds target/debug/lookout if needed, then
# runs node's built-in test runner over tests/browser/. Screenshots land in screenshots/.
#
#   scripts/browser-test.sh            # everything
#   LOOKOUT_BIN=path/to/lookout ...    # test another build
#   CHROMIUM_BIN=/path/to/chromium ... # another browser binary
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "browser-test: $chromium not found; install it with: apt-get install -y chromium" >&2
  exit 1
fi
if ! command -v node >/dev/null; then
  echo "browser-test: node not found; install Node.js 20 or newer" >&2
  exit 1
fi

if [[ ! -d tests/browser/node_modules/playwright-core ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi

if [[ -z "${LOOKOUT_BIN:-}" ]]; then
  # cargo decides whether anything changed; a fresh tree builds once.
  cargo build --quiet --bin lookout
  export LOOKOUT_BIN="$root/target/debug/lookout"
fi

mkdir -p screenshots
exec node --test --test-concurrency=1 tests/browser/
