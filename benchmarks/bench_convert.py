"""Converting AudioSet segment CSVs to UTS tags (JSONL with provenance), beside a plain csv-module read of the
same files: the floor any converter pays. Target (issue 14): within 3x of the plain read.

Run: .venv/bin/python benchmarks/bench_convert.py [--data-dir DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

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
    args = parser.parse_args()
    from uts import load_ontology
    from uts.convert.dataset import convert
    from uts.ontology.model import Level

    paths = [args.data_dir / "audioset" / name for name in FILES]
    ontology = load_ontology()
    best_plain = min(_timed(lambda: plain_read(paths)) for _ in range(args.repeat))
    rows = plain_read(paths)
    print(f"AudioSet segments: {rows:,} rows in {len(paths)} files; best of {args.repeat} runs each")
    print(f"{'plain csv read (the floor)':<44} {rows / best_plain:>12,.0f} rows/s")
    with tempfile.TemporaryDirectory() as folder:
        for level in (None, Level.L1_5K):
            for expand in (False, True):

                def run(level: Level | None = level, expand: bool = expand) -> None:
                    for n, path in enumerate(paths):
                        convert("audioset", path, Path(folder) / f"{n}.jsonl", ontology, level=level,
                                expand_ancestors=expand)  # fmt: skip

                best = min(_timed(run) for _ in range(args.repeat))
                name = f"convert -> JSONL (level {level or 'all'}{', ancestors' if expand else ''})"
                print(f"{name:<44} {rows / best:>12,.0f} rows/s  ({best / best_plain:.1f}x the plain read)")


def _timed(call: object) -> float:
    t0 = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
