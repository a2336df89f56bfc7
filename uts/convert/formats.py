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
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from uts.convert.mapper import Tag
from uts.errors import UsageError, where
from uts.ontology.layouts import Layout

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PLAIN = re.compile(r"[A-Za-z0-9_.\-]*").fullmatch


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    LHOTSE = "lhotse"
    MULTIHOT = "multihot"


class RowFormat(Protocol):
    """A format's two halves: the part of a row made once per label set, and the rows of a batch of clips."""

    header: bytes

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> str: ...

    def rows(self, clips: list[str], tails: list[str]) -> bytes: ...


def _plain(clips: list[str]) -> bool:
    """True when no clip ID of the batch needs escaping (YTIDs, file names): one check for the whole batch."""
    return _PLAIN("".join(clips)) is not None


class JsonLines:
    header = b""

    def __init__(self) -> None:
        self._tags: dict[Tag, tuple[str, str, str]] = {}  # tag -> its label, concept ID and provenance, encoded
        self._strings: dict[str, str] = {}  # legacy label -> encoded

    def _tag(self, tag: Tag) -> tuple[str, str, str]:
        found = self._tags.get(tag)
        if found is None:
            provenance = {"concept_id": tag.concept_id, "source": tag.source, "predicate": tag.predicate}
            if tag.rolled_up_from:
                provenance["rolled_up_from"] = tag.rolled_up_from
            found = self._tags[tag] = (_dumps(tag.label), _dumps(tag.concept_id), _dumps(provenance))
        return found

    def _string(self, text: str) -> str:
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = _dumps(text)
        return found

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> str:
        """``,"tags":[...],...}`` and the newline, joined from pieces encoded once per tag and per label."""
        encoded = [self._tag(t) for t in tags]
        return (
            f',"tags":[{",".join(e[0] for e in encoded)}],"concept_ids":[{",".join(e[1] for e in encoded)}],'
            f'"source_labels":[{",".join(map(self._string, labels))}],'
            f'"unmapped":[{",".join(map(self._string, unmapped))}],"provenance":[{",".join(e[2] for e in encoded)}]}}\n'
        )

    def rows(self, clips: list[str], tails: list[str]) -> bytes:
        if _plain(clips):
            return "".join([f'{{"id":"{clip}"{tail}' for clip, tail in zip(clips, tails, strict=True)]).encode()
        return "".join([f'{{"id":{_dumps(clip)}{tail}' for clip, tail in zip(clips, tails, strict=True)]).encode()


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


class CsvRows:
    header = b"id,tags,concept_ids,source_labels,unmapped\n"

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> str:
        cells = [";".join(t.label for t in tags), ";".join(t.concept_id for t in tags), ";".join(labels),
                 ";".join(unmapped)]  # fmt: skip
        return "," + _csv_line(cells)

    def rows(self, clips: list[str], tails: list[str]) -> bytes:
        if _plain(clips):  # nothing to quote
            return "".join([clip + tail for clip, tail in zip(clips, tails, strict=True)]).encode()
        return "".join([_csv_line([clip])[:-1] + tail for clip, tail in zip(clips, tails, strict=True)]).encode()


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

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> str:
        custom = {"audio_tag": [t.label for t in tags], "uts_concept_ids": [t.concept_id for t in tags],
                  "source_labels": list(labels), "unmapped": list(unmapped)}  # fmt: skip
        return _dumps(custom)

    def _audio(self, clip: str) -> Path:
        for name in (clip, *(clip + suffix for suffix in AUDIO_SUFFIXES)):
            path = self.audio_dir / name
            if path.is_file():
                return path
        raise MissingAudioError(
            f"no audio for clip {clip!r} in {where(self.audio_dir)} (looked for {clip} and {clip}"
            f"{{{','.join(AUDIO_SUFFIXES)}}}); add it and run again with --resume, or leave the clip out of the input"
        )

    def rows(self, clips: list[str], tails: list[str]) -> bytes:
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


class MultiHot:
    """Rows of 0/1 bytes, one per slot of ``layout`` (kept as Latin-1 text until written); the clip IDs go to a
    file of their own."""

    header = b""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def tail(self, labels: Sequence[str], tags: Sequence[Tag], unmapped: Sequence[str]) -> str:
        row = bytearray(len(self.layout))
        for tag in tags:
            index = self.layout.index_of(tag.concept_id)
            if index is None:  # a tag at the level always has a slot; this is a layout out of date
                raise UsageError(
                    f"{tag.concept_id} ({tag.label}) has no slot in the {self.layout.level} layout of release "
                    f"{self.layout.version}: make the layouts again (`uts release`) or convert without --format multihot"
                )
            row[index] = 1
        return row.decode("latin-1")

    def rows(self, clips: list[str], tails: list[str]) -> bytes:
        return "".join(tails).encode("latin-1")


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


__all__ = ["CsvRows", "Format", "JsonLines", "LhotseCuts", "MissingAudioError", "MultiHot", "RowFormat", "row_format"]
