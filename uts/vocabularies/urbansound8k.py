"""UrbanSound8K: the 10 urban sound classes of ``UrbanSound8K.csv`` (one row per slice).

Ids are ``US8K:`` followed by the published class (``US8K:car_horn``); the label turns its underscores
into spaces ("car horn"). Classes come in the order of their ``classID``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import build, cell, check_id, expect_paths, fail, read_rows, source_of
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "US8K"
UPSTREAM = "https://urbansounddataset.weebly.com/urbansound8k.html"


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read ``UrbanSound8K.csv``: a class's ``classID`` must be the same on all its rows."""
    (path,) = expect_paths(paths, SPEC)
    found: dict[str, tuple[int, int]] = {}  # class -> (classID, first line)
    indices: dict[int, str] = {}
    for row in read_rows(path, ("classID", "class"), what="UrbanSound8K's metadata/UrbanSound8K.csv"):
        name = check_id(
            path, row.line, cell(path, row, "class", "every row needs a class name"), "write the class in snake_case"
        )
        index_text = cell(path, row, "classID", "every row needs the class index")
        if not index_text.isdigit():
            fail(path, row.line, f"column 'classID' is {index_text!r}, not a class index", "write a whole number")
        index = int(index_text)
        if name in found:
            known, first = found[name]
            if known != index:
                fail(
                    path,
                    row.line,
                    f"class {name!r} has classID {index} here but {known} on line {first}",
                    "give every row of a class the same classID",
                )
            continue
        if index in indices:
            fail(
                path,
                row.line,
                f"classID {index} is already the index of {indices[index]!r}",
                "give every class its own classID",
            )
        found[name] = (index, row.line)
        indices[index] = name
    classes = [
        VocabularyClass(id=f"{PREFIX}:{name}", label=name.replace("_", " "))
        for name, _ in sorted(found.items(), key=lambda item: item[1][0])
    ]
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="urbansound8k",
    prefix=PREFIX,
    iri_prefix="https://urbansounddataset.weebly.com/urbansound8k.html#",
    title="UrbanSound8K",
    default_paths=("urbansound8k/UrbanSound8K.csv",),
    read=read,
)
