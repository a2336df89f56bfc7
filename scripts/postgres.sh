#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests; `scripts/postgres.sh stop DIR` stops it and deletes DIR.
#
#   { read -r url; read -r dir; } < <(bash scripts/postgres.sh start)   # prints the URL, then the cluster's DIR
#
# Debian's postgresql package is installed first if it is missing. The cluster lives in a fresh folder under /tmp
# (data, socket and log), listens on loopback only, on a free port, and trusts local connections: it exists for
# one test run.
set -euo pipefail

command=${1:?usage: postgres.sh start | postgres.sh stop DIR}

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$found" ]; then
        echo "PostgreSQL is not installed: installing Debian's postgresql package" >&2
        bash "$(dirname "$0")/apt-install.sh" postgresql
        found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    echo "$found"
}

# initdb refuses to run as root: the cluster then belongs to the postgres user Debian's package creates.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    bin=$(bindir)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/uts-postgres.XXXXXX")
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U uts --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U uts uts_test >&2
    echo "postgresql://uts@127.0.0.1:$port/uts_test"
    echo "$dir"
    ;;
stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(bindir)
    if [ -d "$dir/data" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    case "$dir" in
    */uts-postgres.*) rm -rf "$dir" ;;
    esac
    ;;
*)
    echo "usage: postgres.sh start | postgres.sh stop DIR" >&2
    exit 2
    ;;
esac
