"""Readers of legacy label files: each yields, per clip, its ID and legacy class CURIEs (the subjects of the
mapping sets), or a malformed row with its line number. Streaming: one row in memory at a time (but SONYC-UST,
whose clips span several rows: one entry per clip).

AudioSet segment CSVs come in two layouts (Google's original with ``#`` comment lines and ``", "`` separators, and
a plain CSV); ESC-50 and UrbanSound8K have one metadata CSV each; SONYC-UST one row per annotator and clip; the
generic readers take any CSV or JSON lines file with an ID column and a label column (labels split by a
separator, or a JSON list) and a prefix for the CURIEs.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from uts.convert.labelsets import LabelSets
from uts.errors import UsageError


@dataclass(slots=True)
class SourceRow:
    """One clip of the input: its ID, its legacy classes (CURIEs, in input order) and where it was.

    Not frozen: one is made per input row, and a frozen dataclass costs three times as much to make."""

    clip: str
    labels: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that could not be read: never converted, always reported."""

    line: int
    problem: str


Row = SourceRow | BadRow


@dataclass(slots=True)
class Batch:
    """Rows read together: the clips and their label sets in input order, and the malformed rows among them.

    The converter works a batch at a time (list comprehensions, one write): per row it only joins strings."""

    clips: list[str]
    labels: list[tuple[str, ...]]
    bad: list[BadRow]

    @property
    def rows(self) -> int:
        """Input rows the batch covers, malformed ones too."""
        return len(self.clips) + len(self.bad)

    @classmethod
    def of(cls, rows: list[Row]) -> Batch:
        good = [row for row in rows if type(row) is SourceRow]
        bad = [row for row in rows if type(row) is BadRow] if len(good) < len(rows) else []
        return cls([row.clip for row in good], [row.labels for row in good], bad)


def _audioset_start(handle: BinaryIO) -> tuple[Iterator[str], int]:
    """The lines after the comment lines and the header (if any), and how many lines came before them."""
    text: Iterator[str] = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    skipped = 0
    for line in text:
        skipped += 1
        if line.startswith("#") or not line.strip():
            continue
        first = next(csv.reader([line], skipinitialspace=True))
        if first and first[0].strip() == "YTID":
            break
        # No header: this line is a row; read it again with the rest.
        return itertools.chain([line], text), skipped - 1
    return text, skipped


class _Interned:
    """The distinct cells of a column, numbered in order of first sight, each parsed once: a file repeats its few
    label cells and start times. Arrow looks a batch's cells up all at once (``index``)."""

    def __init__(self, parse: Callable[[str], Any], malformed: Callable[[Any], bool]) -> None:
        self.parse, self.malformed = parse, malformed
        self.ids: dict[str, int] = {}
        self.meaning: list[Any] = []  # by ID: what the cell says (None or a message when it is malformed)
        self.bad: list[bool] = []
        self._known: Any = None  # the cells as an Arrow array, for index_in

    def of(self, cell: str) -> Any:
        found = self.ids.get(cell)
        if found is None:
            found = self._learn([cell])[0]
        return self.meaning[found]

    def _learn(self, cells: Iterable[str]) -> list[int]:
        ids = []
        for cell in cells:
            if cell not in self.ids:
                self.ids[cell] = len(self.meaning)
                meaning = self.parse(cell)
                self.meaning.append(meaning)
                self.bad.append(self.malformed(meaning))
                self._known = None
            ids.append(self.ids[cell])
        return ids

    def index(self, column: Any) -> tuple[Any, bool]:
        """Each row's cell ID (an Arrow Int32Array), and whether any of them is malformed."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._known is None:
            self._known = pa.array(list(self.ids), pa.string())
        ids = pc.index_in(column, value_set=self._known)
        if ids.null_count:  # cells not seen before
            self._learn(pc.unique(pc.filter(column, pc.is_null(ids))).to_pylist())
            self._known = pa.array(list(self.ids), pa.string())
            ids = pc.index_in(column, value_set=self._known)
        bad = bool(np.asarray(self.bad, dtype=bool)[ids.to_numpy()].any()) if any(self.bad) else False
        return ids, bad


def _suffix(cell: str) -> str | None:
    seconds = _seconds(cell)
    return None if seconds is None else "_" + seconds


class _LabelCells:
    """The distinct label cells of a file met by the column path, each numbered once as a label set of ``sets``.

    New cells are parsed all at once by Arrow when they are plain (MIDs and commas, as every published file's
    are); any other cell is parsed by :func:`_mids`, which says what is wrong with it."""

    def __init__(self, sets: LabelSets) -> None:
        import numpy as np
        import pyarrow as pa

        self.sets = sets
        self.known = pa.array([], pa.string())  # the cells, in order of first sight
        self.set_of = np.zeros(0, dtype=np.int32)  # by cell: its set ID

    def index(self, column: Any) -> Any:
        """Each row's set ID (numpy), or None when a cell is malformed (the batch is read row by row)."""
        import pyarrow.compute as pc

        found = pc.index_in(column, value_set=self.known)
        if not found.null_count:
            return self.set_of[found.to_numpy()]
        new = pc.is_null(found)  # rows whose cell was not seen before: their distinct cells are learnt
        cells = pc.dictionary_encode(pc.filter(column, new))
        at = len(self.known)
        if not self._learn(cells.dictionary):
            return None
        ids = pc.fill_null(found, -1).to_numpy().copy()  # a view of Arrow memory is read-only
        ids[new.to_numpy(zero_copy_only=False)] = at + cells.indices.to_numpy()
        return self.set_of[ids]

    def _learn(self, cells: Any) -> bool:
        """Numbers the sets of new cells, in order (False, learning nothing, when one is malformed)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        mids = pc.split_pattern(cells, ",")
        distinct = pc.dictionary_encode(mids.flatten())  # a file has a few hundred classes
        if pc.all(pc.match_substring_regex(distinct.dictionary, _PLAIN_MID)).as_py():
            curies = pc.binary_join_element_wise("AudioSet:", distinct.dictionary, "")
            members = self.sets.class_ids(curies)[distinct.indices.to_numpy()]
            lengths = pc.list_value_length(mids).to_numpy()
        else:
            parsed = [_mids(cell) for cell in cells.to_pylist()]
            if any(type(mids) is str for mids in parsed):
                return False
            members = self.sets.class_ids(pa.array([curie for mids in parsed for curie in mids], pa.string()))
            lengths = np.array([len(mids) for mids in parsed])
        added = self.sets.add(lengths, members)
        self.known = pa.concat_arrays([self.known, cells])
        self.set_of = np.concatenate([self.set_of, added])
        return True


_PLAIN_MID = r"^/[mtg]/[0-9A-Za-z_]+$"  # a cell of these and commas is what _mids reads as it is, without a strip


class _AudioSetCells:
    """The label cells (-> CURIEs) and start times (-> the clip ID's end, ``_30``) of one file."""

    def __init__(self, sets: LabelSets | None = None) -> None:
        self.labels = _Interned(_mids, lambda mids: type(mids) is str)  # a message instead of the CURIEs
        self.suffix = _Interned(_suffix, lambda suffix: suffix is None)
        self.sets = _LabelCells(sets if sets is not None else LabelSets())

    def rows(self, records: Iterable[list[str]], first: int) -> Iterator[Row]:
        """Row by row, one line each (``first``: the number of the line before ``records``)."""
        for number, cells in enumerate(records, start=first + 1):
            if len(cells) != 4:
                if cells:
                    yield BadRow(
                        number,
                        f"expected 4 cells (YTID, start_seconds, end_seconds, positive_labels), got {len(cells)}",
                    )
                continue
            ytid, start, _, labels = cells
            mids, suffix = self.labels.of(labels), self.suffix.of(start)
            if not ytid or type(mids) is str:
                yield BadRow(number, "no YTID" if not ytid else str(mids))
            elif suffix is None:
                yield BadRow(number, f"start_seconds {start!r} is not a number")
            else:
                yield SourceRow(ytid + suffix, mids, number)


class ColumnBatch:
    """A batch kept in Arrow columns (AudioSet's fast path): the clip IDs, and per row the ID of its label set in
    ``sets`` (shared by the reader's batches and the converter). The converter writes it with Arrow kernels and
    counts it with numpy: no Python step per row."""

    __slots__ = ("clips", "index", "sets")
    bad: ClassVar[tuple[BadRow, ...]] = ()  # a column batch holds well-formed rows only

    def __init__(self, clips: Any, sets: LabelSets, index: Any) -> None:
        self.clips = clips  # pyarrow StringArray
        self.sets = sets
        self.index = index  # numpy int32, one per row: its set ID

    @property
    def rows(self) -> int:
        return len(self.clips)

    @property
    def labels(self) -> list[tuple[str, ...]]:
        return self.sets.tuples(self.index.tolist())

    def python(self) -> Batch:
        """The same rows as Python lists (for formats and engines that take them)."""
        return Batch(self.clips.to_pylist(), self.labels, [])


AnyBatch = Batch | ColumnBatch


def audioset_batches(handle: BinaryIO, size: int, skip: int = 0, sets: LabelSets | None = None) -> Iterator[AnyBatch]:
    """AudioSet segments: ``YTID, start, end, "mid,mid"``, in either layout; the clip ID is ``YTID_start``.

    ``size`` lines at a time. When each is one well-formed row (the rule), Arrow's CSV reader parses them and the
    batch stays in Arrow columns (:class:`ColumnBatch`); otherwise the csv module reads them row by row, with
    line numbers. ``skip``: rows already converted (a resumed run), read again and passed over. ``sets``: where
    the column batches' label sets are numbered (by default a new one).

    The lines are cut from the file's bytes by numpy (no Python step per line) when they end in ``\n`` or
    ``\r\n``; a file that begins with lines ending in ``\r`` alone, one that cannot seek, or a resumed run are
    read as text, line by line, as :func:`audioset` reads them (and so is the rest of a file from the first batch
    that holds such a line).
    """
    cells = _AudioSetCells(sets)
    if skip or not _byte_lines(handle):
        yield from _text_batches(handle, size, skip, cells)
        return
    before = _byte_start(handle)
    for at, data, count in _line_blocks(handle, size):
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):  # a line ends in \r alone
            handle.seek(at)
            yield from _text_rows(io.TextIOWrapper(handle, encoding="utf-8", newline=""), before, size, cells)
            return
        first, before = before, before + count
        columns = _columns(data, count, cells)
        if columns is not None:
            yield columns
            continue
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), skipinitialspace=True)
        yield Batch.of([row for record in reader for row in cells.rows([record], first + reader.line_num - 1)])


def _text_batches(handle: BinaryIO, size: int, skip: int, cells: _AudioSetCells) -> Iterator[AnyBatch]:
    """:func:`audioset_batches` over the file read as text, a line at a time."""
    text, before = _audioset_start(handle)
    if skip:
        reader = csv.reader(text, skipinitialspace=True)  # pulls one line at a time from ``text``: none are lost
        passed = 0
        while passed < skip and (record := next(reader, None)) is not None:
            passed += bool(record)  # a blank line is no row
        before += reader.line_num
    yield from _text_rows(text, before, size, cells)


def _text_rows(text: Iterator[str], before: int, size: int, cells: _AudioSetCells) -> Iterator[AnyBatch]:
    """The batches of the lines of ``text`` (``before``: the number of lines before them)."""
    while lines := list(itertools.islice(text, size)):
        first, before = before, before + len(lines)
        columns = _columns("".join(lines).encode("utf-8"), len(lines), cells)
        if columns is not None:
            yield columns
            continue
        reader = csv.reader(lines, skipinitialspace=True)
        yield Batch.of([row for record in reader for row in cells.rows([record], first + reader.line_num - 1)])


HEAD_BYTES = 1 << 16  # what is looked at for lines ending in \r alone before the file is cut by bytes


def _byte_lines(handle: BinaryIO) -> bool:
    """Whether the file can be cut into lines at its ``\n`` bytes: it can seek, and its first lines end in
    ``\n`` or ``\r\n`` (its head is read, then the handle goes back)."""
    if not handle.seekable():
        return False
    at = handle.tell()
    head = handle.read(HEAD_BYTES)
    handle.seek(at)
    return b"\r" not in head.replace(b"\r\n", b"")


def _byte_start(handle: BinaryIO) -> int:
    """:func:`_audioset_start` over bytes: the handle is left at the first row; the number of lines before it."""
    skipped = 0
    while True:
        at = handle.tell()
        raw = handle.readline()
        if not raw:
            return skipped
        skipped += 1
        line = raw.decode("utf-8")
        if line.startswith("#") or not line.strip():
            continue
        first = next(csv.reader([line], skipinitialspace=True))
        if first and first[0].strip() == "YTID":
            return skipped
        handle.seek(at)  # no header: this line is a row
        return skipped - 1


BLOCK_BYTES = 1 << 22  # read at a time; a batch longer than a block reads more


def _line_blocks(handle: BinaryIO, size: int) -> Iterator[tuple[int, bytes, int]]:
    """The rest of the file ``size`` lines at a time, cut after their ``\n`` bytes (found by numpy): where each
    batch begins in the file, its bytes and its number of lines (the last line may have no line end)."""
    import numpy as np

    start, rest, block = handle.tell(), b"", BLOCK_BYTES  # start: where ``rest`` begins
    while read := handle.read(block):
        data = rest + read if rest else read
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        at = 0
        for k in range(size - 1, len(ends), size):
            stop = int(ends[k]) + 1
            yield start + at, data[at:stop], size
            at = stop
        start, rest = start + at, data[at:]
        block = BLOCK_BYTES if at else 2 * block  # no whole batch in it: read more at once
    if rest:
        yield start, rest, rest.count(b"\n") + (not rest.endswith(b"\n"))


_COLUMNS = ("YTID", "start_seconds", "end_seconds", "positive_labels")
_USED = ("YTID", "start_seconds", "positive_labels")  # end_seconds is only counted


def _columns(data: bytes, count: int, cells: _AudioSetCells) -> ColumnBatch | None:
    """``count`` lines (``data``, UTF-8) as a column batch, or None unless each is one well-formed row."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    invalid: list[object] = []

    def skip(row: object) -> str:
        invalid.append(row)
        return "skip"

    data = data.replace(b", ", b",")  # Google's layout: ", " separators
    while True:
        try:
            table = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=_COLUMNS, use_threads=False, block_size=len(data) + 1),
                convert_options=pacsv.ConvertOptions(
                    include_columns=_USED, column_types=dict.fromkeys(_USED, pa.string()), strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
            )  # fmt: skip
            break
        except pa.ArrowCancelled:  # Ctrl-C or SIGTERM: Arrow passed it on to Python's handler (which asks the run
            invalid.clear()  # to stop between batches, or raises); read the block again
        except pa.ArrowInvalid:
            return None
    if invalid or table.num_rows != count:  # a malformed or blank line: row by row
        return None
    ytids, starts, labels = (table.column(name).combine_chunks() for name in ("YTID", "start_seconds",
                                                                              "positive_labels"))  # fmt: skip
    start_ids, bad_start = cells.suffix.index(starts)
    if bad_start or pc.min(pc.utf8_length(ytids)).as_py() == 0:
        return None
    set_ids = cells.sets.index(labels)
    if set_ids is None:
        return None
    suffixes = pa.array(cells.suffix.meaning, pa.string())
    clips = pc.binary_join_element_wise(ytids, pc.take(suffixes, start_ids), "")
    return ColumnBatch(clips, cells.sets.sets, set_ids)


def audioset(handle: BinaryIO) -> Iterator[Row]:
    """AudioSet segments row by row (see :func:`audioset_batches`, which the converter uses)."""
    text, before = _audioset_start(handle)
    cells = _AudioSetCells()
    reader = csv.reader(text, skipinitialspace=True)
    for record in reader:
        yield from cells.rows([record], before + reader.line_num - 1)


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


def jsonl(
    handle: BinaryIO, *, clip_column: str, label_column: str, prefix: str, separator: str | None
) -> Iterator[Row]:
    """Any JSON lines file: an object a line, its ID in ``clip_column`` (a string, or an integer), its labels in
    ``label_column`` (a list of strings, or a string split by ``separator``); CURIEs ``prefix:label``, as the
    generic CSV. Each line is decoded on its own, so a bad one (not UTF-8, not JSON, not an object, a field missing
    or of the wrong type) is one malformed row, never the end of the run; blank lines are skipped."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield BadRow(number, f"not UTF-8 (byte {exc.start + 1} of the line)")
            continue
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadRow(number, f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield BadRow(number, f"{_json_kind(record)}, not a JSON object")
            continue
        missing = [f for f in (clip_column, label_column) if f not in record]
        if missing:
            yield BadRow(number, f"no field {' and no field '.join(map(repr, missing))}")
            continue
        clip, value = record[clip_column], record[label_column]
        if isinstance(clip, bool) or not isinstance(clip, str | int):
            yield BadRow(number, f"{clip_column} is {_json_kind(clip)}, not a string")
            continue
        if isinstance(value, str):
            labels = value.split(separator) if separator else [value]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            labels = value
        else:
            yield BadRow(number, f"{label_column} is {_json_kind(value)}, not a string or a list of strings")
            continue
        clip, labels = str(clip).strip(), [v.strip() for v in labels if v.strip()]
        if not clip or not labels:
            yield BadRow(number, f"no {clip_column}" if not clip else f"no {label_column}")
            continue
        yield SourceRow(clip, tuple(f"{prefix}:{v}" for v in labels), number)


def _json_kind(value: object) -> str:
    """What a JSON value is, for a message: ``an array holding a number`` and the like."""
    if isinstance(value, list):
        odd = [v for v in value if not isinstance(v, str)]
        return f"an array holding {_json_kind(odd[0])}" if odd else "an array of strings" if value else "an empty array"
    kinds = {dict: "an object", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), "null")


PRESENCE = {"1": 1, "0": 0, "-1": -1, "1.0": 1, "0.0": 0, "-1.0": -1}
"""SONYC-UST presence cells: present, absent, not annotated (a SONYC team member answers one coarse group a row);
the float spellings are what a pandas round trip writes."""


@dataclass(slots=True)
class _Clip:
    """A SONYC-UST clip while its rows are read: the best kind of annotator met (0 verified, 1 SONYC team,
    2 volunteers) and which presence columns those annotators marked 1 and 0."""

    line: int
    tier: int
    ones: set[int]
    zeros: set[int]


def sonyc_ust(handle: BinaryIO) -> Iterator[Row]:
    """SONYC-UST's ``annotations.csv`` (v1, DCASE 2019, and v2, DCASE 2020): a row per annotator and clip
    (``audio_filename``), ``1``, ``0`` or ``-1`` (not annotated) per ``<class>_presence`` column; a clip's labels are
    its present classes, fine and coarse, as ``SONYCUST:<class>`` (the column name without ``_presence``).

    Which rows decide, as the DCASE baselines choose their targets (``annotator_id``: 0 the SONYC team's verified
    ground truth, negative a SONYC team member, positive a Zooniverse volunteer):

    - verified rows, when the clip has any: a class is present when they mark it 1;
    - else the SONYC team's rows: present when the members who answered agree it is (the DCASE 2020 baseline's
      ``sonyc_annotator_agreement`` targets; ``-1`` is no answer, as a member tags one coarse group a row);
    - else the volunteers' rows: present when at least one marked it 1 (the baselines' training targets, except
      that ``-1`` never cancels a 1 here, where they sum the values).

    A clip's rows may lie anywhere in the file, so the file is read whole: memory grows with the clips (about
    18,000 in v2), not with the rows. Malformed rows come first, as read (the clip keeps its other rows); then the
    clips, in order of first appearance, each with its first line. A clip with no class present is written with
    no labels and counted among the clips without a tag: "none of the taxonomy heard" is an answer, not a
    malformed row.
    """
    reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    presence = [(at, f"SONYCUST:{name.removesuffix('_presence')}") for at, name in enumerate(header)
                if name.endswith("_presence") and name != "_presence"]  # fmt: skip
    missing = [name for name in ("audio_filename", "annotator_id") if name not in header]
    if missing or not presence:
        lacks = ", ".join([*missing, *([] if presence else ["any <class>_presence column"])])
        begins = f"it begins {', '.join(header[:5])}" if header else "the file is empty"
        raise UsageError(
            f"this is no SONYC-UST annotations.csv: its header lacks {lacks} ({begins}); give the dataset's "
            "annotations.csv, or convert another table with --source csv"
        )
    at_clip, at_annotator = header.index("audio_filename"), header.index("annotator_id")
    clips: dict[str, _Clip] = {}
    for cells in reader:
        number = reader.line_num
        if not cells:
            continue
        if len(cells) != len(header):
            yield BadRow(number, f"expected {len(header)} cells, got {len(cells)}")
            continue
        clip, annotator = cells[at_clip].strip(), _integer(cells[at_annotator])
        if not clip or annotator is None:
            yield BadRow(number, "no audio_filename" if not clip else
                         f"annotator_id {cells[at_annotator]!r} is not an integer")  # fmt: skip
            continue
        values = [PRESENCE.get(cells[at].strip()) for at, _ in presence]
        if None in values:
            bad = [f"{header[at]} {cells[at]!r}" for at, _ in presence if cells[at].strip() not in PRESENCE]
            yield BadRow(number, f"presence not 1, 0 or -1: {', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''}")
            continue
        tier = 0 if annotator == 0 else 1 if annotator < 0 else 2
        state = clips.get(clip)
        if state is None:
            state = clips[clip] = _Clip(number, tier, set(), set())
        elif tier < state.tier:
            state.tier, state.ones, state.zeros = tier, set(), set()
        elif tier > state.tier:
            continue
        state.ones.update(k for k, value in enumerate(values) if value == 1)
        state.zeros.update(k for k, value in enumerate(values) if value == 0)
    for clip, state in clips.items():
        present = state.ones - state.zeros if state.tier == 1 else state.ones
        yield SourceRow(clip, tuple(presence[k][1] for k in sorted(present)), state.line)


def _integer(cell: str) -> int | None:
    """An annotator ID: ``-3``, or ``-3.0`` after a pandas round trip."""
    try:
        return int(cell)
    except ValueError:
        try:
            number = float(cell)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


SOURCES = {
    "audioset": "AudioSet", "esc50": "ESC50", "urbansound8k": "US8K", "mtg-jamendo": "MTGJamendo",
    "sonyc-ust": "SONYCUST",
}  # fmt: skip
"""Sources read by a reader of their own -> the CURIE prefix of their classes in the mapping sets."""


def read(
    source: str, path: Path, *, on_open: Callable[[BinaryIO], object] | None = None, **options: str | None
) -> Iterator[Row]:
    """The rows of ``path`` read as ``source`` (``audioset``, ``esc50``, ``urbansound8k``, ``mtg-jamendo``,
    ``sonyc-ust``, or the generic ``csv`` and ``jsonl``, which need the ID and label columns and the prefix).
    ``on_open`` gets the open file, whose position says how far the reading got."""
    readers = {"audioset": audioset, "esc50": esc50, "urbansound8k": urbansound8k, "mtg-jamendo": mtg_jamendo,
               "sonyc-ust": sonyc_ust}  # fmt: skip
    with open(path, "rb") as handle:
        if on_open is not None:  # a progress bar follows the handle's position
            on_open(handle)
        if source in ("csv", "jsonl"):
            clip, label, prefix = options.get("clip_column"), options.get("label_column"), options.get("prefix")
            if not (clip and label and prefix):
                raise UsageError(f"--source {source} needs --id-column, --label-column and --prefix (the CURIE prefix)")
            table = generic if source == "csv" else jsonl
            yield from table(handle, clip_column=clip, label_column=label, prefix=prefix,
                             separator=options.get("separator"))  # fmt: skip
            return
        reader = readers.get(source)
        if reader is None:
            raise UsageError(f"unknown source {source!r}; choose one of {', '.join([*readers, 'csv', 'jsonl'])}")
        yield from reader(handle)


def read_batches(
    source: str, path: Path, *, size: int, skip: int = 0, on_open: Callable[[BinaryIO], object] | None = None,
    sets: LabelSets | None = None, **options: str | None,
) -> Iterator[AnyBatch]:  # fmt: skip
    """The rows of ``path`` (as :func:`read`) in batches of ``size``, after the first ``skip`` rows; column batches
    number their label sets in ``sets``."""
    if source == "audioset":
        with open(path, "rb") as handle:
            if on_open is not None:
                on_open(handle)
            yield from audioset_batches(handle, size, skip, sets)
        return
    rows = itertools.islice(read(source, path, on_open=on_open, **options), skip, None)
    while chunk := list(itertools.islice(rows, size)):
        yield Batch.of(chunk)


__all__ = [
    "SOURCES",
    "AnyBatch",
    "BadRow",
    "Batch",
    "ColumnBatch",
    "Row",
    "SourceRow",
    "audioset",
    "audioset_batches",
    "esc50",
    "generic",
    "jsonl",
    "mtg_jamendo",
    "read",
    "read_batches",
    "sonyc_ust",
    "urbansound8k",
]
