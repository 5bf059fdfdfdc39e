#!/usr/bin/env bash
# One command: install, create the embedded SQLite database, load the demo district, and start the web
# server and the background worker at http://127.0.0.1:8000 (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/ecohotline start "$@"
