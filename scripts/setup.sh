#!/usr/bin/env bash
# Install everything EcoHotline needs into .venv and node_modules (idempotent, safe to re-run).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "EcoHotline needs Python 3.11 (python3.11 not found)." >&2; exit 1; }
command -v npm >/dev/null || { echo "EcoHotline needs Node.js and npm for its front-end packages." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -c constraints.txt -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The charts in the generated reports need a Chinese font (matplotlib draws them). Install Noto CJK where we
# can (Debian/Ubuntu as root); otherwise say what is missing: the documents are still made, their charts'
# Chinese labels then show as boxes.
if ! { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -1)" ]; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing a Chinese font for report charts (fonts-noto-cjk)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig; } >/dev/null \
      || echo "    could not install fonts-noto-cjk; report charts will lack Chinese glyphs" >&2
  else
    echo "Note: no Chinese font found; install fonts-noto-cjk (or any CJK font) for the report charts." >&2
  fi
fi
