#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain: Chromium + ChromeDriver (Debian),
# the official authentik client (PyPI) and Playwright's core (npm). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if ((${#need_apt[@]})); then
  echo "== apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [[ -f scripts/contract/requirements.txt ]]; then
  python3 -m pip install -q --disable-pip-version-check -r scripts/contract/requirements.txt
fi

if [[ -f tests/browser/package.json && ! -d tests/browser/node_modules ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
