"""Caption corpora through ``uts convert --source captions``: captions/s on the local engine and on Ray Data with 1
and 2 local workers, and what one million captions would cost on N workers.

Input: the first ``--captions`` AudioCaps training captions (default 2,000; ``--corpus gama`` for the longer GAMA
AudioSet captions), as JSONL {id, text}, embedding stages on (the default of the command).

Figures:

1. local: the command end to end in a fresh process (start-up, ontology, encoder included), the library call in
   this process with the encoder already loaded, and its steady rate (below).
2. Ray, with 1 and 2 actors on a local Ray of 2 CPUs: the whole run with Ray's start-up (``ray.init``, timed
   apart), without it, and the steady rate: the captions between a run of N and one of ``--scale`` x N over the
   seconds between them (what every run pays whatever its size drops out: its actors' start-up, each loading the
   ontology, building its Resolver and loading the encoder), with that fixed cost. The session's first job (it
   starts Ray's worker processes) runs one caption before and is timed apart.
3. The extrapolation: 1,000,000 captions on N workers take ``fixed + 1e6 / (N x rate)``, where ``rate`` is the
   steady per-worker rate measured with 1 actor here, ``fixed`` is Ray's start-up plus a run's fixed cost, and
   the time falls linearly with workers (each worker has its own CPUs; the driver, which only reads and writes,
   keeps up). On this machine 2 actors share 2 cores with the driver, so the measured 2-actor figure is below it.

Run: .venv/bin/python benchmarks/bench_captions.py [--captions N] [--scale K] [--corpus audiocaps|gama]
[--data-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uts.ontology.ontology import Ontology

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = Path(os.environ.get("UTS_DATA_DIR") or REPO.parent / "shared" / "data")
MILLION = 1_000_000


def captions(corpus: str, data: Path, count: int) -> list[tuple[str, str]]:
    """``count`` real captions (ID, text), in file order."""
    if corpus == "gama":
        items = json.loads((data / "gama_audioset" / "captions_dev.json").read_text(encoding="utf-8"))
        return list(items.items())[:count]
    with (data / "audiocaps" / "train.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["audiocap_id"], r["caption"]) for _, r in zip(range(count), csv.DictReader(handle), strict=False)]


def write_jsonl(path: Path, items: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in items), encoding="utf-8")
    return path


def timed(call: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def line(name: str, count: int, seconds: float, note: str = "") -> None:
    print(f"{name:<52} {count / seconds:>9,.1f} captions/s  ({seconds:6.1f} s){note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captions", type=int, default=2000)
    parser.add_argument("--scale", type=int, default=10, help="The larger run of the steady rates: this x N.")
    parser.add_argument("--corpus", choices=("audiocaps", "gama"), default="audiocaps")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    from uts import load_ontology
    from uts.convert.captions import resolve_captions

    ontology = load_ontology()
    items = captions(args.corpus, args.data_dir, args.captions)
    n = len(items)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = write_jsonl(work / "captions.jsonl", items)
        one = write_jsonl(work / "one.jsonl", items[:1])
        big = write_jsonl(work / "big.jsonl", captions(args.corpus, args.data_dir, args.scale * args.captions))
        m = sum(1 for _ in big.open("rb"))
        print(f"{n:,} {args.corpus} captions, embedding on, {os.cpu_count()} CPUs\n")
        resolve_captions(one, work / "warm.jsonl", ontology)  # the encoder and the concept vectors, loaded once
        local = work / "local.jsonl"
        command = [sys.executable, "-m", "uts", "convert", "--source", "captions", "--input", str(source),
                   "--output", str(local)]  # fmt: skip
        line("local, the command (fresh process)", n, timed(partial(subprocess.run, command, check=True,
                                                                    capture_output=True)))  # fmt: skip
        run = timed(partial(resolve_captions, source, local, ontology))
        line("local, in process (encoder loaded)", n, run)
        steady(f"local, in process, steady ({n:,} vs {m:,})", n, run, m, timed(partial(
            resolve_captions, big, work / "big_local.jsonl", ontology)))  # fmt: skip
        on_ray(source, big, one, local, ontology, n, m)


def steady(name: str, n: int, run: float, m: int, run_m: float) -> tuple[float, float]:
    """The rate between a run of ``n`` and one of ``m`` captions, and the fixed cost of a run it leaves."""
    rate = (m - n) / max(run_m - run, 1e-9)
    fixed = max(run - n / rate, 0.0)
    print(f"{name:<52} {rate:>9,.1f} captions/s  (a run's fixed cost: {fixed:.1f} s)")
    return rate, fixed


def on_ray(source: Path, big: Path, one: Path, local: Path, ontology: Ontology, n: int, m: int) -> None:
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        print("\nRay: not installed (pip install 'uts[ray]')")
        return
    import ray

    from uts.convert.captions import resolve_captions
    from uts.convert.engines import RayEngine

    startup = timed(
        partial(ray.init, num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    )
    print(f"\nRay Data, local (2 CPUs); ray.init: {startup:.1f} s")
    rates: dict[int, tuple[float, float]] = {}
    try:
        first = timed(partial(resolve_captions, one, source.with_name("first.jsonl"), ontology, engine=RayEngine(1)))
        print(f"the session's first job, 1 caption (Ray starts its worker processes): {first:.1f} s")
        for workers in (1, 2):
            engine = RayEngine(workers)
            out = source.with_name(f"ray{workers}.jsonl")
            run = timed(partial(resolve_captions, source, out, ontology, engine=engine))
            same = "same bytes as local" if out.read_bytes() == local.read_bytes() else "DIFFERENT BYTES FROM LOCAL"
            run_m = timed(partial(resolve_captions, big, out, ontology, engine=engine))
            line(f"--engine ray --workers {workers}, Ray start-up included", n, startup + run)
            line(f"--engine ray --workers {workers}, start-up excluded", n, run, f"  {same}")
            rates[workers] = steady(f"--engine ray --workers {workers}, steady ({n:,} vs {m:,})", n, run, m, run_m)
    finally:
        ray.shutdown()
    per_worker, fixed = rates[1]
    print(f"\n1,000,000 captions, extrapolated: linear in workers at the 1-actor steady rate measured here "
          f"({per_worker:,.1f} captions/s per worker, each with its own CPUs), plus a fixed {startup + fixed:.0f} s "
          f"(Ray start-up and actor start-up)")  # fmt: skip
    for workers in (1, 2, 8, 32, 128):
        seconds = startup + fixed + MILLION / (workers * per_worker)
        print(f"  {workers:>4} workers: {seconds / 3600:6.2f} h  ({seconds:,.0f} s)")


if __name__ == "__main__":
    main()
