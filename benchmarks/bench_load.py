"""Time to load and validate the whole UTS release, beside the paper's own way of loading its vocabulary.

Target (issue 2): load and validate the whole ontology in under 0.5 s on one core.
Run: .venv/bin/python benchmarks/bench_load.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO.parent / "shared" / "data" / "uts"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def paper_baseline() -> None:
    """What the paper's pipeline does: read the label JSON and build the exact-match set."""
    for name in ("800", "1k", "1.5k", "2k", "3k"):
        tags = json.loads((PAPER / f"label_{name}.json").read_text(encoding="utf-8"))
        set(tags.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); from uts import load_ontology; "
            "i = time.perf_counter(); load_ontology(); print(i - t, time.perf_counter() - i)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    import_s, first_load_s = (float(x) for x in cold.stdout.split())

    from uts.ontology import load_ontology
    from uts.ontology.load import validate_root

    rows: list[tuple[str, list[float]]] = []
    if PAPER.exists():
        rows.append(("baseline: paper's 5 JSON files -> exact-match sets", timed(paper_baseline, args.repeat)))
    rows.append(("uts: load_ontology() (parse + every rule)", timed(lambda: load_ontology(), args.repeat)))
    rows.append(
        ("uts: uts validate (parse + rules + canonical-format lint)", timed(lambda: validate_root(REPO), args.repeat))
    )

    ontology = load_ontology()
    print(
        f"UTS {ontology.metadata.version}: {len(ontology)} concepts, {len(ontology.paper)} published tags; "
        f"{args.repeat} runs each, one process, one core"
    )
    print(f"{'what':60} {'median s':>9} {'best s':>9}")
    for name, times in rows:
        print(f"{name:60} {statistics.median(times):9.4f} {min(times):9.4f}")
    print(f"{'cold process: import uts':60} {import_s:9.4f}")
    print(f"{'cold process: first load_ontology()':60} {first_load_s:9.4f}")
    worst = max(statistics.median(t) for n, t in rows if n.startswith("uts"))
    print(f"target: load and validate under 0.5 s -> {'met' if worst < 0.5 else 'NOT met'} ({worst:.3f} s)")


if __name__ == "__main__":
    main()
