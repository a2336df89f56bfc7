"""Readers of legacy label files: each yields, per clip, its ID and legacy class CURIEs (the subjects of the
mapping sets), or a malformed row with its line number. Streaming: one row in memory at a time.

AudioSet segment CSVs come in two layouts (Google's original with ``#`` comment lines and ``", "`` separators, and
a plain CSV); ESC-50 and UrbanSound8K have one metadata CSV each; the generic reader takes any CSV with an ID
column and a label column (labels split by a separator) and a prefix for the CURIEs.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from uts.errors import UsageError


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One clip of the input: its ID, its legacy classes (CURIEs, in input order) and where it was."""

    clip: str
    labels: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that could not be read: never converted, always reported."""

    line: int
    problem: str


Row = SourceRow | BadRow


def audioset(handle: BinaryIO) -> Iterator[Row]:
    """AudioSet segments: ``YTID, start, end, "mid,mid"``, in either layout; the clip ID is ``YTID_start``.

    The comment lines and the header come first; after them the csv module reads the rest of the file directly
    (a ``#`` line there is a malformed row). A file repeats its few label cells and start times, so each is
    parsed and checked once.
    """
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    skipped = 0
    for line in text:
        skipped += 1
        if line.startswith("#") or not line.strip():
            continue
        first = next(csv.reader([line], skipinitialspace=True))
        if first and first[0].strip() == "YTID":
            break
        # No header: this line is a row; read it again with the rest.
        text = itertools.chain([line], text)  # type: ignore[assignment]
        skipped -= 1
        break
    labels_of: dict[str, tuple[str, ...] | str] = {}
    seconds_of: dict[str, str | None] = {}
    reader = csv.reader(text, skipinitialspace=True)
    for cells in reader:
        number = skipped + reader.line_num
        if len(cells) != 4:
            if cells:
                yield BadRow(
                    number, f"expected 4 cells (YTID, start_seconds, end_seconds, positive_labels), got {len(cells)}"
                )
            continue
        ytid, start, _, labels = cells
        mids = labels_of.get(labels)
        if mids is None:
            mids = labels_of[labels] = _mids(labels)
        if not ytid or type(mids) is str:
            yield BadRow(number, "no YTID" if not ytid else str(mids))
            continue
        seconds = seconds_of.get(start, "")
        if seconds == "":
            seconds = seconds_of[start] = _seconds(start)
        if seconds is None:
            yield BadRow(number, f"start_seconds {start!r} is not a number")
            continue
        yield SourceRow(f"{ytid}_{seconds}", mids, number)  # type: ignore[arg-type]


def _mids(cell: str) -> tuple[str, ...] | str:
    """The CURIEs of a positive_labels cell, or what is wrong with it."""
    if not cell.strip():
        return "no positive_labels"
    mids = [m.strip() for m in cell.split(",")]
    if not {m[:3] for m in mids} <= MID_STARTS:
        return f"positive_labels holds something that is no AudioSet MID: {cell!r}"
    return tuple(["AudioSet:" + m for m in mids])


def _seconds(cell: str) -> str | None:
    try:
        return f"{float(cell):g}"
    except ValueError:
        return None


MID_STARTS = frozenset({"/m/", "/t/", "/g/"})


def _table(handle: BinaryIO, clip_column: str, label_column: str, prefix: str, name: str,
           separator: str | None = None) -> Iterator[Row]:  # fmt: skip
    reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))
    header = next(reader, None)
    if header is None:
        raise UsageError(f"the {name} file is empty; it needs a header with {clip_column!r} and {label_column!r}")
    missing = [c for c in (clip_column, label_column) if c not in header]
    if missing:
        raise UsageError(
            f"the {name} file has no column {', '.join(map(repr, missing))} (its header: {', '.join(header)}); "
            "is it the right file, or name the columns"
        )
    at_clip, at_label = header.index(clip_column), header.index(label_column)
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            yield BadRow(number, f"expected {len(header)} cells, got {len(cells)}")
            continue
        clip, value = cells[at_clip].strip(), cells[at_label].strip()
        labels = [v.strip() for v in value.split(separator)] if separator else [value]
        labels = [v for v in labels if v]
        if not clip or not labels:
            yield BadRow(number, f"no {clip_column}" if not clip else f"no {label_column}")
            continue
        yield SourceRow(clip, tuple(f"{prefix}:{v}" for v in labels), number)


def esc50(handle: BinaryIO) -> Iterator[Row]:
    """ESC-50's ``esc50.csv``: one category per clip (``filename``)."""
    return _table(handle, "filename", "category", "ESC50", "ESC-50")


def urbansound8k(handle: BinaryIO) -> Iterator[Row]:
    """UrbanSound8K's ``UrbanSound8K.csv``: one class per slice (``slice_file_name``)."""
    return _table(handle, "slice_file_name", "class", "US8K", "UrbanSound8K")


def mtg_jamendo(handle: BinaryIO) -> Iterator[Row]:
    """MTG-Jamendo autotagging TSVs (genre, instrument, mood/theme, all): ``TRACK_ID ... DURATION`` then one
    tab-separated cell per tag (``genre---rock``)."""
    lines = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    header = next(lines, "").rstrip("\r\n").split("\t")
    if header[:1] != ["TRACK_ID"] or "TAGS" not in header:
        raise UsageError(f"this is no MTG-Jamendo autotagging TSV: its header is {header[:6]!r}, not TRACK_ID ... TAGS")
    first_tag = header.index("TAGS")
    for number, text in enumerate(lines, start=2):
        cells = text.rstrip("\r\n").split("\t")
        tags = [t.strip() for t in cells[first_tag:] if t.strip()]
        if not cells[0] or not tags:
            yield BadRow(number, "no TRACK_ID" if not cells[0] else "no tags")
            continue
        if any("---" not in t for t in tags):
            yield BadRow(number, f"a tag without its category ('genre---rock'): {', '.join(tags)}")
            continue
        yield SourceRow(cells[0], tuple(["MTGJamendo:" + t for t in tags]), number)


def generic(
    handle: BinaryIO, *, clip_column: str, label_column: str, prefix: str, separator: str | None
) -> Iterator[Row]:
    """Any CSV: an ID column, a label column (several labels split by ``separator``), CURIEs ``prefix:label``."""
    return _table(handle, clip_column, label_column, prefix, "input", separator)


SOURCES = {"audioset": "AudioSet", "esc50": "ESC50", "urbansound8k": "US8K", "mtg-jamendo": "MTGJamendo"}
"""Sources read by a reader of their own -> the CURIE prefix of their classes in the mapping sets."""


def read(source: str, path: Path, **options: str | None) -> Iterator[Row]:
    """The rows of ``path`` read as ``source`` (``audioset``, ``esc50``, ``urbansound8k``, ``mtg-jamendo`` or
    ``csv``)."""
    readers = {"audioset": audioset, "esc50": esc50, "urbansound8k": urbansound8k, "mtg-jamendo": mtg_jamendo}
    with open(path, "rb") as handle:
        if source == "csv":
            clip, label, prefix = options.get("clip_column"), options.get("label_column"), options.get("prefix")
            if not (clip and label and prefix):
                raise UsageError("--source csv needs --id-column, --label-column and --prefix (the CURIE prefix)")
            yield from generic(handle, clip_column=clip, label_column=label, prefix=prefix,
                               separator=options.get("separator"))  # fmt: skip
            return
        reader = readers.get(source)
        if reader is None:
            raise UsageError(f"unknown source {source!r}; choose one of {', '.join([*readers, 'csv'])}")
        yield from reader(handle)


__all__ = [
    "SOURCES",
    "BadRow",
    "Row",
    "SourceRow",
    "audioset",
    "esc50",
    "generic",
    "mtg_jamendo",
    "read",
    "urbansound8k",
]
