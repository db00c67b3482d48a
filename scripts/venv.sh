#!/usr/bin/env bash
# Create or reuse the virtual environment at .venv and install the pinned requirements.
# The install is skipped when the requirement files have not changed since the last one.
# Usage: scripts/venv.sh [runtime|test]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-test}"
req=requirements.txt
[ "$kind" = test ] && req=requirements-test.txt

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$kind-$(cat requirements.txt requirements-test.txt requirements-detector.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing $req into .venv (torch is large: the first time takes a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch and torchvision from the registry as a matching pair, never a stray local torch file.
  .venv/bin/python -m pip install --quiet -r "$req"
  .venv/bin/python -m pip install --quiet --no-deps -r requirements-detector.txt
  touch "$stamp"
fi
