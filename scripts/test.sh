#!/usr/bin/env bash
# Sets up everything the test suite needs on a bare Debian machine, then runs it all:
# lint, types, architecture contracts, generated-code drift, and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e '.[dev]'

# Headless Chromium for the police-console browser tests, CJK fonts for Chinese pages,
# pdftotext (poppler-utils) to read the issued agreement PDFs back.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
  || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
  else
    echo "note: run as root (or install chromium and fonts-noto-cjk) for the browser tests" >&2
  fi
fi

echo "== ruff"; python3 -m ruff check .
echo "== mypy"; python3 -m mypy
echo "== import contracts"; lint-imports
echo "== domain is synchronous"
if grep -rn --include='*.py' -E '^\s*(async def|import asyncio|from asyncio)' settlement/domain; then
  echo "settlement/domain must stay synchronous" >&2; exit 1
fi
if [ -f adapters/grpc/codegen.py ]; then
  echo "== generated gRPC code is current"; python3 -m adapters.grpc.codegen --check
fi
echo "== mini-program: Jest against the real service (miniprogram/)"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "error: node and npm are needed for the mini-program tests (install Node.js 18+ with npm)" >&2
  exit 1
fi
# The committed lockfile decides the packages; the run is bounded whatever happens inside.
(cd miniprogram && npm ci --no-audit --no-fund --loglevel=error \
  && PYTHON=python3 timeout 900 npx jest --ci --runInBand --forceExit)
echo "== pytest"
python3 -m pytest -p no:cacheprovider --timeout=600 "$@"
