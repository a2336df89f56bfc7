#!/usr/bin/env bash
# Runs every check CI runs: install, ruff, mypy, the import layers, then the whole test suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

.venv/bin/ruff check uts tests benchmarks
.venv/bin/ruff format --check uts tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the layers of ARCHITECTURE.md: a new import cycle fails the build
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$status"
