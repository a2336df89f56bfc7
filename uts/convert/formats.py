"""What a converted dataset is written as. Each format makes, once per label set, everything of a row that does
not depend on the clip (its *tail*), then per clip only joins the clip ID to it.

- ``jsonl``: ``{id, tags, concept_ids, source_labels, unmapped, provenance}`` per line.
- ``csv``: ``id,tags,concept_ids,source_labels,unmapped`` with ``;`` between the items of a cell.
- ``multihot``: a ``uint8`` matrix (``.npy``, clips x class indices of the level's layout, so index ``i`` means the
  same concept in every release), the clip IDs in row order (``.ids.txt``) and the layout (``.classes.tsv``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from uts.convert.mapper import Tag
from uts.errors import UsageError
from uts.ontology.layouts import Layout

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*").fullmatch


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    MULTIHOT = "multihot"


class RowFormat(Protocol):
    header: bytes

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes: ...

    def row(self, clip: str, tail: bytes) -> bytes: ...


def _provenance(tag: Tag) -> dict[str, str]:
    out = {"concept_id": tag.concept_id, "source": tag.source, "predicate": tag.predicate}
    if tag.rolled_up_from:
        out["rolled_up_from"] = tag.rolled_up_from
    return out


class JsonLines:
    header = b""

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        record = {
            "tags": [t.label for t in tags],
            "concept_ids": [t.concept_id for t in tags],
            "source_labels": list(labels),
            "unmapped": list(unmapped),
            "provenance": [_provenance(t) for t in tags],
        }
        return b"," + _dumps(record)[1:].encode("utf-8") + b"\n"

    def row(self, clip: str, tail: bytes) -> bytes:
        if _PLAIN(clip):  # nothing to escape (YTIDs, file names): skip the JSON encoder
            return b'{"id":"' + clip.encode() + b'"' + tail
        return b'{"id":' + _dumps(clip).encode("utf-8") + tail


def _csv_line(cells: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


class CsvRows:
    header = b"id,tags,concept_ids,source_labels,unmapped\n"

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        cells = [";".join(t.label for t in tags), ";".join(t.concept_id for t in tags), ";".join(labels),
                 ";".join(unmapped)]  # fmt: skip
        return b"," + _csv_line(cells)

    def row(self, clip: str, tail: bytes) -> bytes:
        return _csv_line([clip])[:-1] + tail


class MultiHot:
    """Rows of 0/1 bytes, one per slot of ``layout``; the clip IDs go to a file of their own."""

    header = b""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        row = bytearray(len(self.layout))
        for tag in tags:
            index = self.layout.index_of(tag.concept_id)
            if index is None:  # a tag at the level always has a slot; this is a layout out of date
                raise UsageError(
                    f"{tag.concept_id} ({tag.label}) has no slot in the {self.layout.level} layout of release "
                    f"{self.layout.version}: make the layouts again (`uts release`) or convert without --format multihot"
                )
            row[index] = 1
        return bytes(row)

    def row(self, clip: str, tail: bytes) -> bytes:
        return tail


__all__ = ["CsvRows", "Format", "JsonLines", "MultiHot", "RowFormat"]
