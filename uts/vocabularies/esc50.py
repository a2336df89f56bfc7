"""ESC-50: the 50 environmental sound classes of ``meta/esc50.csv`` (one row per clip).

Ids are ``ESC50:`` followed by the published category (``ESC50:chirping_birds``); the label turns its
underscores into spaces ("chirping birds"). Classes come in the order of their ``target`` index, and the
ten classes of the ESC-10 subset get the flag ``esc10``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import build, cell, check_id, expect_paths, fail, read_rows, source_of
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "ESC50"
UPSTREAM = "https://github.com/karolpiczak/ESC-50"
_BOOLEANS = {"true": True, "false": False}


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read ``esc50.csv``: every row is a clip; a class's ``target`` and ``esc10`` must agree on all its rows."""
    (path,) = expect_paths(paths, SPEC)
    found: dict[str, tuple[int, bool, int]] = {}  # category -> (target, esc10, first line)
    targets: dict[int, str] = {}
    for row in read_rows(path, ("target", "category", "esc10"), what="ESC-50's meta/esc50.csv"):
        category = check_id(
            path,
            row.line,
            cell(path, row, "category", "every row needs a class name"),
            "write the category in snake_case",
        )
        target_text = cell(path, row, "target", "every row needs the class index")
        if not target_text.isdigit():
            fail(path, row.line, f"column 'target' is {target_text!r}, not a class index", "write a whole number")
        target = int(target_text)
        esc10_text = cell(path, row, "esc10", "write True or False")
        if esc10_text.lower() not in _BOOLEANS:
            fail(path, row.line, f"column 'esc10' is {esc10_text!r}", "write True or False")
        esc10 = _BOOLEANS[esc10_text.lower()]
        if category in found:
            known_target, known_esc10, first = found[category]
            if (target, esc10) != (known_target, known_esc10):
                fail(
                    path,
                    row.line,
                    f"class {category!r} has target {target} and esc10 {esc10} here "
                    f"but target {known_target} and esc10 {known_esc10} on line {first}",
                    "give every row of a class the same target and esc10",
                )
            continue
        if target in targets:
            fail(
                path,
                row.line,
                f"target {target} is already the index of {targets[target]!r}",
                "give every class its own target index",
            )
        found[category] = (target, esc10, row.line)
        targets[target] = category
    classes = [
        VocabularyClass(
            id=f"{PREFIX}:{category}",
            label=category.replace("_", " "),
            flags=("esc10",) if esc10 else (),
        )
        for category, (target, esc10, _) in sorted(found.items(), key=lambda item: item[1][0])
    ]
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="esc50",
    prefix=PREFIX,
    iri_prefix="https://github.com/karolpiczak/ESC-50#",
    title="ESC-50: Dataset for Environmental Sound Classification",
    default_paths=("esc50/esc50.csv",),
    read=read,
)
