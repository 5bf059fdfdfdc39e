#!/usr/bin/env bash
# One command: install what is missing, then run the whole test suite (SQLite unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pytest -q -n "${ECOHOTLINE_TEST_WORKERS:-2}" "$@"
