#!/usr/bin/env bash
# The main job: install, validate the curated UTS release, print its figures, build every export, load the release
# into the database working copy (uts.db, SQLite), prepare the resolver, then serve the HTTP API on localhost
# (UTS_PORT, default 8000) until stopped with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
uts() { .venv/bin/uts "$@"; }

uts validate
uts stats
out=build/release
mkdir -p "$out"
uts export --format turtle --output "$out/uts.ttl"
uts export --format jsonld --output "$out/uts.jsonld"
uts export --format owl --output "$out/uts.owl"
uts export --format json --output "$out/uts.json"
for level in 800 1k 1.5k 2k 3k; do
    uts export --format labels --level "$level" --output "$out/labels/label_$level.json"
done
echo "release artefacts are in $out/"
# The database working copy annotators edit: created or upgraded, filled once from the bundled release.
uts db upgrade
if ! uts db releases >/dev/null 2>&1; then  # empty: no working copy yet
    uts db load
fi
uts db releases
# Prepare the resolver (ONNX export of the bundled model and concept vectors, cached) and show it at work.
uts resolve "A dog barks twice, no music. Possibly a siren in the distance."
# Serve the API over the working copy and its releases (OpenAPI docs at /docs; Ctrl-C stops it).
exec .venv/bin/uts serve --host 127.0.0.1 --port "${UTS_PORT:-8000}"
