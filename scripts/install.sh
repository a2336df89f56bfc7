#!/usr/bin/env bash
# Installs everything uts needs into ./.venv on a fresh machine. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "uts needs Python 3.11 (the pinned CPU torch wheel is built for it); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
# torch first and pinned: the CPU build on local disk. Anything that asks for plain `torch` later would
# otherwise pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import importlib.metadata as m; v = m.version("torch"); assert v.startswith("2.13.0"), v'
.venv/bin/python -m pip install -q -e ".[dev,embed,serve,ray,lhotse]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import uts, rdflib, owlready2, sssom' # fail here, not later, if an install step broke
