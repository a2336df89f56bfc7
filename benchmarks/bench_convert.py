"""Converting AudioSet segment CSVs to UTS tags (JSONL with provenance), beside a plain csv-module read of the
same files: the floor any converter pays. Target (issue 14): within 3x of the plain read.

Two inputs: the published eval and balanced-train files (42,531 rows: start-up costs weigh), and the balanced file
ten times over in a temporary folder (221,601 rows: a large dataset repeats its label sets, as the full AudioSet
does).

Run: .venv/bin/python benchmarks/bench_convert.py [--data-dir DIR] [--repeat N] [--no-ray]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uts.ontology.ontology import Ontology

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = Path(os.environ.get("UTS_DATA_DIR") or REPO.parent / "shared" / "data")
FILES = ("eval_segments.csv", "balanced_train_segments.csv")


def plain_read(paths: list[Path]) -> int:
    """Every row split into cells and its labels into MIDs: what reading the file costs at the least."""
    count = 0
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            for cells in csv.reader(handle, skipinitialspace=True):
                if cells and not cells[0].startswith("#") and cells[0] != "YTID":
                    cells[3].split(",")
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each; the best is reported.")
    parser.add_argument("--no-ray", action="store_true", help="Leave out the runs on Ray (its start-up takes long).")
    args = parser.parse_args()
    from uts import load_ontology

    ontology = load_ontology()
    with tempfile.TemporaryDirectory() as folder:
        published = [args.data_dir / "audioset" / name for name in FILES]
        big = Path(folder) / "balanced_x10.csv"
        lines = published[1].read_text(encoding="utf-8").splitlines(keepends=True)
        big.write_text("".join(lines + lines[1:] * 9), encoding="utf-8")
        for title, paths in (("published eval + balanced", published), ("balanced x10", [big])):
            measure(title, paths, ontology, Path(folder), args.repeat)
        if not args.no_ray:
            on_ray(big, ontology, Path(folder))


def on_ray(path: Path, ontology: Ontology, folder: Path) -> None:
    """The same conversion on Ray Data, local, with 1 and 2 workers (start-up of Ray included, as a job pays it)."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        print("\nRay: not installed (pip install 'uts[ray]')")
        return
    from uts.convert.dataset import convert
    from uts.convert.engines import RayEngine

    rows = plain_read([path])
    print(f"\nRay Data, local, on the {rows:,} rows (one run each; Ray's start-up included)")
    for workers in (1, 2):

        def run(workers: int = workers) -> None:
            convert("audioset", path, folder / "ray.jsonl", ontology, engine=RayEngine(workers))

        seconds = _timed(run)
        print(f"{f'--engine ray --workers {workers}':<44} {rows / seconds:>12,.0f} rows/s  ({seconds:.1f} s)")


def measure(title: str, paths: list[Path], ontology: Ontology, folder: Path, repeat: int) -> None:
    from uts.convert.dataset import convert
    from uts.ontology.model import Level

    best_plain = min(_timed(lambda: plain_read(paths)) for _ in range(repeat))
    rows = plain_read(paths)
    print(f"\nAudioSet segments, {title}: {rows:,} rows; best of {repeat} runs each")
    print(f"{'plain csv read (the floor)':<44} {rows / best_plain:>12,.0f} rows/s")
    for level in (None, Level.L1_5K):
        for expand in (False, True):

            def run(level: Level | None = level, expand: bool = expand) -> None:
                for n, path in enumerate(paths):
                    convert("audioset", path, folder / f"{n}.jsonl", ontology, level=level, expand_ancestors=expand)

            best = min(_timed(run) for _ in range(repeat))
            name = f"convert -> JSONL (level {level or 'all'}{', ancestors' if expand else ''})"
            print(f"{name:<44} {rows / best:>12,.0f} rows/s  ({best / best_plain:.1f}x the plain read)")


def _timed(call: object) -> float:
    t0 = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
