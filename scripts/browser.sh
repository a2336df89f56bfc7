#!/usr/bin/env bash
# What the web UI's browser tests need beside the Python packages: Debian's Chromium (driven by Playwright through
# its executable path; Playwright never downloads a browser here) and axe-core from npm (tests/browser/package-lock.json).
# Safe to re-run. Prints the Chromium executable's path.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium > /dev/null; then
    echo "Chromium is not installed: installing Debian's chromium package" >&2
    bash scripts/apt-install.sh chromium
fi
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >&2
fi
command -v chromium
