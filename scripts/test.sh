#!/usr/bin/env bash
# Runs every check CI runs: install, ruff, mypy, the import layers, then the whole test suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

.venv/bin/ruff check uts api tests benchmarks migrations
.venv/bin/ruff format --check uts api tests benchmarks migrations
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the layers of ARCHITECTURE.md: a new import cycle fails the build
# A real PostgreSQL for the store tests: a throwaway cluster (Debian's package, installed if missing), stopped on exit.
if [ -z "${UTS_TEST_POSTGRES_URL:-}" ]; then
    { read -r UTS_TEST_POSTGRES_URL; read -r postgres_dir; } < <(bash scripts/postgres.sh start)
    trap 'bash scripts/postgres.sh stop "$postgres_dir"' EXIT
    export UTS_TEST_POSTGRES_URL
fi
export UTS_REQUIRE_POSTGRES=1
# Real Chromium and axe-core for the web UI's browser tests (installed if missing).
UTS_TEST_CHROMIUM=$(bash scripts/browser.sh)
export UTS_TEST_CHROMIUM
export UTS_REQUIRE_BROWSER=1

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$status"
