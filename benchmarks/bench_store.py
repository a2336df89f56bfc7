"""The versioned store, measured beside its baselines in one run.

Targets (issue 11): loading the working state from SQLite and PostgreSQL within 2x of loading the files; one edit
applied with p99 under 20 ms on SQLite; a diff of two releases under 1 s; migrate-labels over 200,000 rows/s on
one million rows.

Run: .venv/bin/python benchmarks/bench_store.py [--repeat N] [--edits N] [--rows N] [--postgres URL]
Without --postgres (or UTS_TEST_POSTGRES_URL) a throwaway PostgreSQL is started with scripts/postgres.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
A = "utsteam:benchmark"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def line(name: str, times: list[float], unit: str = "s") -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    print(f"{name:64} {statistics.median(times) * scale:10.4f} {min(times) * scale:10.4f} {unit}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_load(url: str) -> Callable[[], object]:
    from uts.store.sql import SqlStore

    def run() -> object:
        store = SqlStore(url)  # a new store: nothing cached, the whole state read from the database
        ontology = store.load()
        store.engine.dispose()
        return ontology

    return run


def edit_latencies(url: str, count: int) -> list[float]:
    """One edit per apply (a label, then a definition, on random concepts), each its own transaction."""
    from uts.ontology.edits import AddLabel, SetField
    from uts.store.sql import SqlStore

    store = SqlStore(url)
    ids = [c.id for c in store.load().active()]
    rng = random.Random(7)
    stamp = time.time_ns()
    out = []
    for n in range(count + 10):
        cid = rng.choice(ids)
        edit = (
            AddLabel(concept_id=cid, label=f"bench {stamp} {n}", scope="hidden", author=A)
            if n % 2
            else SetField(concept_id=cid, field="definition", value=f"Benchmark definition {stamp} {n}.", author=A)
        )
        start = time.perf_counter()
        store.apply([edit])
        if n >= 10:  # the first edits build the label index the later ones carry forward
            out.append(time.perf_counter() - start)
    store.engine.dispose()
    return out


def scenario(url: str) -> None:
    """Release 1.1.0 after a merge, a split, a relabel, a move and a deprecation (as tests/test_release_scenario)."""
    from uts.ontology.edits import AddConcept, Deprecate, Merge, Move, RemoveMapping, SetField, Split
    from uts.store.sql import SqlStore

    store = SqlStore(url)
    if "1.1.0" in [r.version for r in store.releases()]:
        return
    crowd, background = store.reserve_ids(2)
    facets = store.load().get("UTS:0001120").facets
    store.apply([Merge(concept_id="UTS:0000459", into="UTS:0000040", author=A)])
    store.apply(
        [
            AddConcept(concept_id=crowd, label="crowd chatter", facets=facets, broader=("UTS:0000003",), author=A),
            AddConcept(concept_id=background, label="background chatter", facets=facets, broader=("UTS:0000003",),
                       author=A),
            Split(concept_id="UTS:0001120", into=(crowd, background), author=A),
        ]
    )  # fmt: skip
    store.apply([SetField(concept_id="UTS:0000360", field="label", value="domestic dog", author=A)])
    store.apply([Move(concept_id="UTS:0000546", broader=("UTS:0000326",), author=A)])
    store.apply(
        [
            RemoveMapping(vocabulary="audioset", subject_id="AudioSet:/m/01j423", predicate_id="skos:exactMatch",
                          object_id="UTS:0002700", author=A),
            Deprecate(concept_id="UTS:0002700", consider=("UTS:0000445",), author=A),
        ]
    )  # fmt: skip
    store.release("1.1.0", notes="benchmark scenario")
    store.engine.dispose()


def fill(url: str) -> None:
    from uts.ontology.source import bundled_root
    from uts.store.migrate import upgrade
    from uts.store.sql import SqlStore

    upgrade(url)
    store = SqlStore(url)
    if store.is_empty():
        store.load_source(bundled_root())
    store.engine.dispose()


def start_postgres() -> tuple[str, str | None]:
    url = os.environ.get("UTS_TEST_POSTGRES_URL")
    if url:
        return url, None
    started = subprocess.run(
        ["bash", str(REPO / "scripts" / "postgres.sh"), "start"], capture_output=True, text=True, check=True
    )
    url, folder = started.stdout.split()
    return url, folder


def empty_postgres(url: str) -> None:
    from uts.store.migrate import current, downgrade

    if current(url):
        downgrade(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=None, help="postgresql://USER@HOST:PORT/DB (emptied first)")
    args = parser.parse_args()

    from uts.convert.migrate_labels import migrate_labels
    from uts.ontology import diff as diffs
    from uts.ontology import load_ontology
    from uts.ontology.apply import apply_edits
    from uts.ontology.edits import SetField
    from uts.store.sql import SqlStore

    work = Path(tempfile.mkdtemp(prefix="uts-bench-store-"))
    sqlite_url = f"sqlite:///{work / 'uts.db'}"
    postgres_url, folder = (args.postgres, None) if args.postgres else start_postgres()
    try:
        empty_postgres(postgres_url)
        for url in (sqlite_url, postgres_url):
            fill(url)

        ontology = load_ontology()
        print(f"UTS {ontology.metadata.version}: {len(ontology)} concepts; {args.repeat} runs each, one process")
        print(f"{'what':64} {'median':>10} {'best':>10}")
        files = timed(lambda: load_ontology(), args.repeat)
        line("baseline: load_ontology() from the files", files)
        sqlite_load = timed(fresh_load(sqlite_url), args.repeat)
        line("SqlStore.load(): the working state from SQLite", sqlite_load)
        postgres_load = timed(fresh_load(postgres_url), args.repeat)
        line("SqlStore.load(): the working state from PostgreSQL", postgres_load)
        base = statistics.median(files)
        for name, times in (("SQLite", sqlite_load), ("PostgreSQL", postgres_load)):
            ratio = statistics.median(times) / base
            print(f"  {name} load / file load = {ratio:.2f}x (target within 2x: {'met' if ratio <= 2 else 'NOT met'})")

        print()
        one = [SetField(concept_id="UTS:0000360", field="definition", value="A dog, measured.", author=A)]
        full = timed(lambda: apply_edits(ontology, one, full_check=True), args.repeat * 3)
        line("baseline: one edit in memory, every rule checked on everything", full, "ms")
        scoped = timed(lambda: apply_edits(ontology, one), args.repeat * 3)
        line("uts: one edit in memory, the scoped check", scoped, "ms")
        for name, url in (("SQLite", sqlite_url), ("PostgreSQL", postgres_url)):
            latencies = edit_latencies(url, args.edits)
            p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
            verdict = f" (target p99 < 20 ms: {'met' if p99 < 20 else 'NOT met'})" if name == "SQLite" else ""
            print(f"apply one edit on {name}, {len(latencies)} edits: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms{verdict}")  # fmt: skip

        print()
        scenario(sqlite_url)
        store = SqlStore(sqlite_url)
        old, new = store.load("1.0.0"), store.load("1.1.0")
        in_memory = timed(lambda: diffs.diff(old, new), args.repeat)
        line("diff 1.0.0 -> 1.1.0 (both loaded)", in_memory)

        def whole_diff() -> str:
            fresh = SqlStore(sqlite_url)
            result = diffs.to_text(diffs.diff(fresh.load("1.0.0"), fresh.load("1.1.0")))
            fresh.engine.dispose()
            return result

        whole = timed(whole_diff, args.repeat)
        line("uts diff 1.0.0 1.1.0: both releases read from SQLite, diff, text", whole)
        print(f"  target under 1 s: {'met' if statistics.median(whole) < 1 else 'NOT met'}")

        print()
        source = work / "labels.jsonl"
        labels = [c.label for c in old.active()]
        rng = random.Random(11)
        with source.open("w", encoding="utf-8") as handle:
            for n in range(args.rows):
                handle.write(json.dumps({"clip": f"clip{n:07d}", "labels": rng.sample(labels, 6)}) + "\n")

        def naive() -> None:
            with source.open("rb") as src, (work / "naive.jsonl").open("wb") as out:
                for raw in src:
                    out.write(json.dumps(json.loads(raw)).encode() + b"\n")

        naive_s = timed(naive, 1)[0]
        print(f"{'baseline: json.loads + json.dumps of every row':64} {args.rows / naive_s:12,.0f} rows/s")
        start = time.perf_counter()
        report = migrate_labels(old, new, source, work / "migrated.jsonl")
        took = time.perf_counter() - start
        rate = report.rows / took
        print(f"{'uts migrate-labels 1.0.0 -> 1.1.0':64} {rate:12,.0f} rows/s")
        print(f"  {report.summary()}")
        print(f"  target over 200,000 rows/s: {'met' if rate > 200_000 else 'NOT met'}")
        store.engine.dispose()
    finally:
        if folder:
            subprocess.run(["bash", str(REPO / "scripts" / "postgres.sh"), "stop", folder], check=False)


if __name__ == "__main__":
    main()
