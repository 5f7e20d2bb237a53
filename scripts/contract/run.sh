#!/usr/bin/env bash
# Contract test: the fake Authentik vs the official authentik-client (2026.8.5).
# Usage: scripts/contract/run.sh [pytest args…]
#   LOOKOUT_BIN  binary to test (default: target/debug/lookout, built here if missing/stale)
#   PYTHON       interpreter with requirements.txt installed (default: python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -z "${LOOKOUT_BIN:-}" ]]; then
  cargo build --quiet --bin lookout
  export LOOKOUT_BIN="$PWD/target/debug/lookout"
fi
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import authentik_client, pytest' 2>/dev/null; then
  echo "installing scripts/contract/requirements.txt" >&2
  "$PY" -m pip install --quiet -r scripts/contract/requirements.txt
fi
exec "$PY" -m pytest -q scripts/contract/test_fake_contract.py "$@"
