#!/usr/bin/env bash
# Installs Debian packages for the tests' own servers and browser: as root directly (updating the package lists
# once if the first try fails), else through sudo. Output goes to stderr: callers print what they need on stdout.
#
#   bash scripts/apt-install.sh postgresql
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: apt-install.sh PACKAGE..." >&2; exit 2; }
if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; }
else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
fi
