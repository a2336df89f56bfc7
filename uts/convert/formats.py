"""What a converted dataset is written as. Each format makes, once per label set, everything of a row that does
not depend on the clip (its *tail*), then per clip only joins the clip ID to it.

- ``jsonl``: ``{id, tags, concept_ids, source_labels, unmapped, provenance}`` per line.
- ``csv``: ``id,tags,concept_ids,source_labels,unmapped`` with ``;`` between the items of a cell.
- ``lhotse``: a Lhotse CutSet manifest (JSONL), one cut per clip over its whole recording (read from the audio
  folder), its tags in ``supervisions[0].custom["audio_tag"]`` as audio-tagging recipes read them; made by the
  ``lhotse`` package itself (the ``lhotse`` extra).
- ``multihot``: a ``uint8`` matrix (``.npy``, clips x class indices of the level's layout, so index ``i`` means the
  same concept in every release), the clip IDs in row order (``.ids.txt``) and the layout (``.classes.tsv``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from uts.convert.mapper import LegacyMapper, Tag
from uts.errors import UsageError, where
from uts.ontology.layouts import Layout

if TYPE_CHECKING:
    from uts.convert.labelsets import MappedSets, SetTags

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PLAIN_ID = r"[A-Za-z0-9_.\-]*"  # clip IDs that JSON and CSV write as they are (YTIDs, file names)
_PLAIN = re.compile(_PLAIN_ID).fullmatch


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    LHOTSE = "lhotse"
    MULTIHOT = "multihot"


class RowFormat(Protocol):
    """A format's two halves: the part of a row made once per label set, and the rows of a batch of clips."""

    header: bytes

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes: ...

    def rows(self, clips: list[str], tails: list[bytes]) -> bytes: ...

    def column_rows(self, clips: Any, tails: Any) -> bytes | memoryview:
        """The same from Arrow arrays (the clip IDs, and each row's tail)."""
        ...


@runtime_checkable
class SetFormat(RowFormat, Protocol):
    """A format that makes the tails of many label sets at once (numpy and Arrow, no Python step per set)."""

    def set_tails(self, sets: SetTags, mapped: MappedSets) -> Any:
        """The tails of ``sets`` (an Arrow binary array, one per set), byte for byte what :meth:`tail` makes."""
        ...


def _lists(offsets: Any, values: Any) -> Any:
    """An Arrow list array: list ``i`` is ``values[offsets[i]:offsets[i + 1]]``."""
    import numpy as np
    import pyarrow as pa

    return pa.ListArray.from_arrays(pa.array(np.asarray(offsets, dtype=np.int32)), values)


def _kept(offsets: Any, keep: Any) -> Any:
    """The offsets of the same lists once the values where ``keep`` is False are dropped."""
    import numpy as np

    before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=before[1:])
    return before[offsets]


class _PieceTable:
    """Every piece a format's tails are made of, in one Arrow array for ``take``: its constant parts, then per tag
    of a mapper's :class:`~uts.convert.labelsets.ClassTags` (and per class) each of its strings twice, as it is
    and after a comma. Made once per mapper and format (kept by the mapper), grown when new tags and classes come.
    """

    def __init__(self, parts: Sequence[str], per_tag: Sequence[Any], per_class: Sequence[Any]) -> None:
        import pyarrow as pa

        self.parts = pa.array(parts, pa.binary())
        self.per_tag = [_Pieces(make) for make in per_tag]
        self.per_class = [_Pieces(make) for make in per_class]
        self.array: Any = None
        self.sizes = (-1, -1)  # tags and classes the array holds

    @classmethod
    def of(
        cls, mapped: MappedSets, kind: object, parts: Sequence[str], per_tag: Sequence[Any], per_class: Sequence[Any]
    ) -> _PieceTable:
        """The table of this format ``kind`` for the mapper of ``mapped``, grown to its tags and classes."""
        import pyarrow as pa

        with _table_lock:
            table: _PieceTable | None = mapped.mapper.derived.get(kind)
            if table is None:
                table = mapped.mapper.derived[kind] = cls(parts, per_tag, per_class)
            sizes = (len(mapped.tags), len(mapped.classes))
            if sizes != table.sizes:
                blocks = [table.parts]
                for pieces in table.per_tag:
                    blocks += pieces.twice(mapped.tags[: sizes[0]])
                for pieces in table.per_class:
                    blocks += pieces.twice(mapped.classes[: sizes[1]])
                table.array, table.sizes = pa.concat_arrays(blocks), sizes
            return _PieceTable.frozen(table)

    @classmethod
    def frozen(cls, table: _PieceTable) -> _PieceTable:
        """A view of the table as it is now (another run may grow the table meanwhile)."""
        view = cls.__new__(cls)
        view.parts, view.per_tag, view.per_class, view.array, view.sizes = (
            table.parts, table.per_tag, table.per_class, table.array, table.sizes,
        )  # fmt: skip
        return view

    def of_tags(self, which: int, tags: Any) -> tuple[Any, Any]:
        """Where the ``which``-th string of each tag is in the array: as it is, and after a comma."""
        first = len(self.parts) + 2 * which * self.sizes[0]
        return first + tags, first + self.sizes[0] + tags

    def of_classes(self, which: int, classes: Any) -> tuple[Any, Any]:
        first = len(self.parts) + 2 * len(self.per_tag) * self.sizes[0] + 2 * which * self.sizes[1]
        return first + classes, first + self.sizes[1] + classes

    def assemble(self, count: int, sections: Sequence[Any]) -> Any:
        """``count`` tails, each its sections' pieces end to end. A section is a constant part (its number), or
        a run per tail: ``(offsets, first, rest)``, tail ``i`` taking pieces ``offsets[i]:offsets[i + 1]`` of
        ``first`` (for the first of its run) or of ``rest`` (for the others, written after a comma)."""
        import numpy as np
        import pyarrow as pa

        runs = [np.diff(section[0]) for section in sections if type(section) is tuple]
        lengths = sum(runs, np.full(count, len(sections) - len(runs), dtype=np.int64))
        starts = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        at = starts[:-1].copy()  # each tail's next piece
        pieces = np.empty(int(starts[-1]), dtype=np.int64)
        for section in sections:
            if type(section) is not tuple:
                pieces[at] = section
                at += 1
                continue
            offsets, first, rest = section
            runs_here = np.diff(offsets)
            owner = np.repeat(np.arange(count), runs_here)
            rank = np.arange(len(first)) - offsets[owner]
            pieces[at[owner] + rank] = np.where(rank == 0, first, rest)
            at += runs_here
        taken = self.array.take(pieces)
        bounds = np.frombuffer(taken.buffers()[1], dtype=np.int32)[taken.offset : taken.offset + len(taken) + 1]
        tails = bounds[starts].astype(np.int32)
        return pa.Array.from_buffers(pa.binary(), count, [None, pa.py_buffer(tails), taken.buffers()[2]])


_table_lock = threading.Lock()
_JSON_PARTS = ('","tags":[', '],"concept_ids":[', '],"source_labels":[', '],"unmapped":[', '],"provenance":[', "]}\n")


class _Pieces:
    """Strings made once per tag (or class) of a :class:`MappedSets`, as an Arrow array by tag number (or class
    ID) for ``take``; grown when the sets meet new ones."""

    def __init__(self, make: Any) -> None:
        import pyarrow as pa

        self.make = make
        self.strings: list[str] = []
        self.array = pa.array([], pa.string())

    def of(self, items: Sequence[Any]) -> Any:
        import pyarrow as pa

        if len(self.strings) < len(items):
            self.strings += [self.make(item) for item in items[len(self.strings) :]]
            self.array = pa.array(self.strings, pa.string())
        return self.array

    def twice(self, items: Sequence[Any]) -> list[Any]:
        """The strings of ``items`` as they are, then each after a comma (Arrow binary arrays)."""
        import pyarrow as pa

        plain = self.of(items).cast(pa.binary())
        return [plain, pa.array(["," + text for text in self.strings], pa.binary())]


def values(array: Any) -> memoryview:
    """The values of an Arrow string or binary array, end to end: its data buffer between its first and last
    offsets, as it is (no copy: a batch of JSON lines is megabytes, and a file takes any buffer)."""
    import numpy as np

    if len(array) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + len(array) + 1]
    return memoryview(array.buffers()[2][int(offsets[0]) : int(offsets[-1])])


def arrow_join(*columns: Any) -> memoryview:
    """Row by row, the columns' values joined (Arrow's kernel), then all rows end to end."""
    import pyarrow as pa
    import pyarrow.compute as pc

    binary = [c.cast(pa.binary()) if isinstance(c, pa.Array) else pa.scalar(c, pa.binary()) for c in columns]
    return values(pc.binary_join_element_wise(*binary, pa.scalar(b"", pa.binary())))


def _all_plain(clips: Any) -> bool:
    """Whether every clip ID is plain: each byte of them all is one of ``_PLAIN_ID``'s (a table lookup)."""
    import numpy as np

    global _PLAIN_BYTES
    if _PLAIN_BYTES is None:
        _PLAIN_BYTES = np.zeros(256, dtype=bool)
        _PLAIN_BYTES[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")] = True
    return bool(_PLAIN_BYTES[np.frombuffer(values(clips), dtype=np.uint8)].all())


_PLAIN_BYTES: Any = None


def _json_as_is(clips: Any) -> bool:
    """Whether JSON writes every clip ID as it is, between quotes: none holds a quote, a backslash or a control
    character (the only characters ``json`` escapes when it keeps other text as it is). Three numpy passes."""
    import numpy as np

    data = np.frombuffer(values(clips), dtype=np.uint8)
    return not len(data) or bool(data.min() >= 0x20 and not ((data == 0x22) | (data == 0x5C)).any())


def _plain(clips: list[str]) -> list[bytes] | None:
    """The clip IDs encoded, when none needs escaping or quoting (YTIDs, file names): checked and encoded for the
    whole batch at once."""
    text = "\n".join(clips)
    return text.encode().split(b"\n") if _PLAIN(text) is not None else None


def _interleave(first: list[bytes], second: list[bytes], before: bytes = b"") -> bytes:
    """``before + first[0] + second[0] + before + first[1] + ...``: one copy of the bytes, no Python code per row
    (a batch of JSON lines is megabytes: every copy counts)."""
    step = 3 if before else 2
    parts = [before] * (step * len(first))
    parts[step - 2 :: step] = first
    parts[step - 1 :: step] = second
    return b"".join(parts)


def _tag_label(tag: Tag) -> str:
    return _dumps(tag.label)


def _tag_concept(tag: Tag) -> str:
    return _dumps(tag.concept_id)


def _tag_provenance(tag: Tag) -> str:
    provenance = {"concept_id": tag.concept_id, "source": tag.source, "predicate": tag.predicate}
    if tag.rolled_up_from:
        provenance["rolled_up_from"] = tag.rolled_up_from
    return _dumps(provenance)


class JsonLines:
    header = b""

    def __init__(self) -> None:
        self._tags: dict[Tag, tuple[str, str, str]] = {}  # tag -> its label, concept ID and provenance, encoded
        self._strings: dict[str, str] = {}  # legacy label -> encoded
        self._mapper: LegacyMapper | None = None  # the mapper the fragments were made with
        self._fragments: dict[str, tuple[frozenset[str], str, str, str, str]] = {}  # legacy label -> its parts

    def _tag(self, tag: Tag) -> tuple[str, str, str]:
        found = self._tags.get(tag)
        if found is None:
            found = self._tags[tag] = (_tag_label(tag), _tag_concept(tag), _tag_provenance(tag))
        return found

    def _string(self, text: str) -> str:
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = _dumps(text)
        return found

    def compose(self, labels: Sequence[str], mapper: LegacyMapper) -> bytes | None:
        """The tail joined from fragments made once per legacy class (what :meth:`tail` makes from the set's
        tags); None when two of the classes give a concept in common (the general path keeps its first)."""
        if mapper is not self._mapper:
            self._mapper, self._fragments = mapper, {}
        fragments = self._fragments
        parts = [fragments.get(label) or self._fragment(label, mapper) for label in labels]
        if len(parts) > 1 and len(frozenset().union(*[p[0] for p in parts])) != sum([len(p[0]) for p in parts]):
            return None
        return (
            f'","tags":[{",".join([p[1] for p in parts if p[1]])}],"concept_ids":[{",".join([p[2] for p in parts if p[2]])}],'
            f'"source_labels":[{",".join([p[4] for p in parts])}],"unmapped":[{",".join([p[4] for p in parts if not p[1]])}],'
            f'"provenance":[{",".join([p[3] for p in parts if p[3]])}]}}\n'
        ).encode()

    def _fragment(self, label: str, mapper: LegacyMapper) -> tuple[frozenset[str], str, str, str, str]:
        tags = mapper.map(label).tags
        encoded = [self._tag(t) for t in tags]
        found = self._fragments[label] = (
            frozenset(t.concept_id for t in tags), ",".join(e[0] for e in encoded), ",".join(e[1] for e in encoded),
            ",".join(e[2] for e in encoded), self._string(label),
        )  # fmt: skip
        return found

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        """``","tags":[...],...}`` and the newline (the quote ends the clip ID), joined from pieces encoded once
        per tag and per label."""
        encoded = [self._tag(t) for t in tags]
        return (
            f'","tags":[{",".join(e[0] for e in encoded)}],"concept_ids":[{",".join(e[1] for e in encoded)}],'
            f'"source_labels":[{",".join(map(self._string, labels))}],'
            f'"unmapped":[{",".join(map(self._string, unmapped))}],"provenance":[{",".join(e[2] for e in encoded)}]}}\n'
        ).encode()

    def set_tails(self, sets: SetTags, mapped: MappedSets) -> Any:
        """The tails of many sets at once: each tag's and each class's JSON made once (as :meth:`tail` makes it),
        with and without the comma before it; numpy lays out every set's pieces, one Arrow ``take`` copies them."""
        table = _PieceTable.of(mapped, JsonLines, _JSON_PARTS, [_tag_label, _tag_concept, _tag_provenance], [_dumps])
        tags, members = sets.tags, sets.members
        unmapped = mapped.tag_count[members] == 0
        label, concept, provenance = (table.of_tags(k, tags) for k in range(3))
        source = table.of_classes(0, members)
        return table.assemble(
            sets.stop - sets.start, [
                0, (sets.tag_offsets, *label), 1, (sets.tag_offsets, *concept), 2, (sets.member_offsets, *source), 3,
                (_kept(sets.member_offsets, unmapped), source[0][unmapped], source[1][unmapped]), 4,
                (sets.tag_offsets, *provenance), 5,
            ],
        )  # fmt: skip

    def rows(self, clips: list[str], tails: list[bytes]) -> bytes:
        plain = _plain(clips)
        if plain is not None:
            return _interleave(plain, tails, b'{"id":"')
        return b"".join([b'{"id":' + _dumps(clip)[:-1].encode("utf-8") + tail for clip, tail in
                         zip(clips, tails, strict=True)])  # fmt: skip

    def column_rows(self, clips: Any, tails: Any) -> bytes | memoryview:
        if _json_as_is(clips):
            return arrow_join(b'{"id":"', clips, tails)
        return self.rows(clips.to_pylist(), tails.to_pylist())


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


class CsvRows:
    header = b"id,tags,concept_ids,source_labels,unmapped\n"

    def __init__(self) -> None:
        self._pieces: tuple[_Pieces, ...] | None = None  # by tag number: label, concept ID; by class ID: the class

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        cells = [";".join(t.label for t in tags), ";".join(t.concept_id for t in tags), ";".join(labels),
                 ";".join(unmapped)]  # fmt: skip
        return ("," + _csv_line(cells)).encode("utf-8")

    def set_tails(self, sets: SetTags, mapped: MappedSets) -> Any:
        """The tails of many sets at once, joined by Arrow; a set whose cells hold anything but printable ASCII
        without commas and quotes is written by the csv module, which knows when to quote."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._pieces is None:
            self._pieces = (_Pieces(lambda tag: tag.label), _Pieces(lambda tag: tag.concept_id), _Pieces(str))
        label, concept = (pieces.of(mapped.tags).take(sets.tags) for pieces in self._pieces[:2])
        source = self._pieces[2].of(mapped.classes).take(sets.members)
        unmapped = mapped.tag_count[sets.members] == 0
        cells = [pc.binary_join(_lists(sets.tag_offsets, values), ";") for values in (label, concept)]
        cells += [
            pc.binary_join(_lists(sets.member_offsets, source), ";"),
            pc.binary_join(_lists(_kept(sets.member_offsets, unmapped), source.filter(pa.array(unmapped))), ";"),
        ]
        tail = pc.binary_join_element_wise("", *cells, ",")  # ",tags,concept_ids,source_labels,unmapped"
        tail = pc.binary_join_element_wise(tail, "\n", "").cast(pa.binary())
        odd = pc.match_substring_regex(pc.binary_join_element_wise(*cells, ""), '[^ -~]|[,"]')
        odd = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
        if not len(odd):
            return tail
        quoted = pa.array([("," + _csv_line(cell)).encode("utf-8") for cell in
                           zip(*[c.take(odd).to_pylist() for c in cells], strict=True)], pa.binary())  # fmt: skip
        ordered = np.arange(len(tail))
        ordered[odd] = len(tail) + np.arange(len(odd))
        return pa.concat_arrays([tail, quoted]).take(ordered)

    def rows(self, clips: list[str], tails: list[bytes]) -> bytes:
        plain = _plain(clips)
        if plain is not None:  # nothing to quote
            return _interleave(plain, tails)
        return b"".join([_csv_line([clip])[:-1].encode("utf-8") + tail for clip, tail in
                         zip(clips, tails, strict=True)])  # fmt: skip

    def column_rows(self, clips: Any, tails: Any) -> bytes | memoryview:
        if _all_plain(clips):
            return arrow_join(clips, tails)
        return self.rows(clips.to_pylist(), tails.to_pylist())


AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a")


class MissingAudioError(UsageError):
    """--format lhotse: a clip has no readable audio file in the audio folder."""


class LhotseCuts:
    """Lines of a Lhotse CutSet manifest: per clip, its recording (read from ``audio_dir``: the clip ID as a file
    name, or with one of ``AUDIO_SUFFIXES``), one cut over all of it and one supervision holding the tags.

    A clip without audio stops the run with the file it looked for: the rows before it are kept, so once the
    file is there the run continues with ``--resume``."""

    header = b""

    def __init__(self, audio_dir: Path) -> None:
        try:
            import lhotse
        except ImportError:
            raise UsageError("--format lhotse needs Lhotse: pip install 'uts[lhotse]'") from None
        if not Path(audio_dir).is_dir():
            raise UsageError(f"--audio-dir {where(audio_dir)} is not a folder; give the folder of the clips' audio")
        self.audio_dir = Path(audio_dir)
        self._lhotse = lhotse

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> bytes:
        custom = {"audio_tag": [t.label for t in tags], "uts_concept_ids": [t.concept_id for t in tags],
                  "source_labels": list(labels), "unmapped": list(unmapped)}  # fmt: skip
        return _dumps(custom).encode("utf-8")

    def _audio(self, clip: str) -> Path:
        for name in (clip, *(clip + suffix for suffix in AUDIO_SUFFIXES)):
            path = self.audio_dir / name
            if path.is_file():
                return path
        raise MissingAudioError(
            f"no audio for clip {clip!r} in {where(self.audio_dir)} (looked for {clip} and {clip}"
            f"{{{','.join(AUDIO_SUFFIXES)}}}); add it and run again with --resume, or leave the clip out of the input"
        )

    def rows(self, clips: list[str], tails: list[bytes]) -> bytes:
        lines = []
        for clip, tail in zip(clips, tails, strict=True):
            path = self._audio(clip)
            try:
                recording = self._lhotse.Recording.from_file(path, recording_id=clip)
            except Exception as exc:  # any decoder error: say which file
                raise MissingAudioError(f"cannot read the audio of clip {clip!r} at {where(path)}: {exc}") from None
            cut = recording.to_cut()
            channels = recording.channel_ids
            cut.supervisions = [
                self._lhotse.SupervisionSegment(
                    id=clip, recording_id=clip, start=0.0, duration=recording.duration,
                    channel=channels[0] if len(channels) == 1 else channels, custom=json.loads(tail),
                )
            ]  # fmt: skip
            lines.append(_dumps(cut.to_dict()) + "\n")
        return "".join(lines).encode("utf-8")

    def column_rows(self, clips: Any, tails: Any) -> bytes | memoryview:
        return self.rows(clips.to_pylist(), tails.to_pylist())


class MultiHot:
    """Rows of 0/1 bytes, one per slot of ``layout``; the clip IDs go to a file of their own."""

    header = b""

    def __init__(self, layout: Layout) -> None:
        import numpy as np

        self.layout = layout
        self._slots = np.zeros(0, dtype=np.int64)  # by tag number: its slot, -1 for none (set_tails)

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

    def set_tails(self, sets: SetTags, mapped: MappedSets) -> Any:
        """The rows of many sets at once: numpy sets the slots of each set's tags."""
        import numpy as np
        import pyarrow as pa

        if len(self._slots) < len(mapped.tags):
            self._slots = np.concatenate([self._slots, [self._slot(t) for t in mapped.tags[len(self._slots) :]]])
        slots = self._slots[sets.tags]
        if len(slots) and slots.min() < 0:
            self.tail((), [mapped.tags[sets.tags[int(np.argmin(slots))]]], ())  # raises, naming the tag
        count, width = sets.stop - sets.start, len(self.layout)
        matrix = np.zeros((count, width), dtype=np.uint8)
        matrix[np.repeat(np.arange(count), np.diff(sets.tag_offsets)), slots] = 1
        offsets = np.arange(count + 1, dtype=np.int32) * width
        return pa.Array.from_buffers(pa.binary(), count, [None, pa.py_buffer(offsets), pa.py_buffer(matrix)])

    def _slot(self, tag: Tag) -> int:
        index = self.layout.index_of(tag.concept_id)
        return -1 if index is None else index

    def rows(self, clips: list[str], tails: list[bytes]) -> bytes:
        return b"".join(tails)

    def column_rows(self, clips: Any, tails: Any) -> bytes | memoryview:
        return values(tails)


def row_format(output_format: Format, *, layout: Layout | None = None, audio_dir: Path | None = None) -> RowFormat:
    """The row writer of a format (``multihot`` needs the level's layout, ``lhotse`` the audio folder)."""
    if output_format is Format.MULTIHOT:
        if layout is None:
            raise UsageError("--format multihot needs --level: its columns are the class indices of that level")
        return MultiHot(layout)
    if output_format is Format.LHOTSE:
        if audio_dir is None:
            raise UsageError("--format lhotse needs --audio-dir: the folder of the clips' audio (a cut is a recording)")
        return LhotseCuts(audio_dir)
    return CsvRows() if output_format is Format.CSV else JsonLines()


__all__ = [
    "CsvRows", "Format", "JsonLines", "LhotseCuts", "MissingAudioError", "MultiHot", "RowFormat", "SetFormat",
    "arrow_join", "row_format", "values",
]  # fmt: skip
