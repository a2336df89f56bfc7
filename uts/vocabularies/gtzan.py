"""GTZAN: the 10 music genres, read from the ``label`` column of the widely used ``features_30_sec.csv``.

Ids are ``GTZAN:`` followed by the published genre (``GTZAN:hiphop``), which is also the label. Classes
come in the order in which the file first names them (alphabetical in the published file).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import build, cell, check_id, expect_paths, read_rows, source_of, unique
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "GTZAN"
UPSTREAM = "https://marsyas.info/downloads/datasets.html"


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read ``features_30_sec.csv`` (one row per 30-second excerpt)."""
    (path,) = expect_paths(paths, SPEC)
    genres = unique(
        check_id(path, row.line, cell(path, row, "label", "every row needs a genre"), "write the genre as one word")
        for row in read_rows(path, ("label",), what="GTZAN's features_30_sec.csv")
    )
    classes = [VocabularyClass(id=f"{PREFIX}:{genre}", label=genre) for genre in genres]
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="gtzan",
    prefix=PREFIX,
    iri_prefix="https://marsyas.info/downloads/datasets.html#",
    title="GTZAN music genres",
    default_paths=("gtzan/features_30_sec.csv",),
    read=read,
)
