"""The column path of `uts convert` (label sets numbered, their tails and the report's figures worked out with
numpy and Arrow) against the row-by-row path it stands for: each row's tail made by the format's own ``tail`` from
the mapper's tags, the report counted row by row. Byte for byte, in every format, at every level, with and without
ancestors, over batches that meet new label sets, classes without a mapping, odd cells and malformed rows."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED_DATA
from uts.convert.formats import RowFormat
from uts.convert.mapper import LegacyMapper, Tag
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology

AUDIOSET = SHARED_DATA / "audioset"
needs_data = pytest.mark.skipif(not AUDIOSET.is_dir(), reason=f"needs the shared data folder at {AUDIOSET}")


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    from uts import load_ontology

    return load_ontology()


@pytest.fixture(scope="module")
def segments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AudioSet segments in Google's layout: rows of both published files (many label sets, met batch after
    batch), and rows the published files lack: a class given twice, a class no mapping set knows (alone and beside
    known ones), cells with spaces, a malformed line and a blank one."""
    if not AUDIOSET.is_dir():
        pytest.skip(f"needs the shared data folder at {AUDIOSET}")
    evaluation = (AUDIOSET / "eval_segments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    balanced = (AUDIOSET / "balanced_train_segments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    odd = [
        'zzTwiceOne1, 0.000, 10.000, "/m/09x0r,/m/09x0r"\n',
        'zzUnknown01, 30.000, 40.000, "/m/0zzzzzzz"\n',
        'zzUnknown02, 30.000, 40.000, "/m/04rlf,/m/0zzzzzzz,/m/09x0r"\n',
        'zzSpaced001, 1.500, 11.500, "/m/04rlf , /m/09x0r"\n',
        "this line is broken\n",
        "\n",
    ]
    lines = evaluation[:1200] + odd + balanced[3:1500] + odd[:4] + evaluation[5000:5400]
    path = tmp_path_factory.mktemp("segments") / "segments.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def row_tail(labels: tuple[str, ...], mapper: LegacyMapper, fmt: RowFormat) -> bytes:
    """One row's tail, the long way: each class mapped, a concept kept where it first came, the format's tail."""
    tags: dict[str, Tag] = {}
    unmapped = []
    for label in labels:
        mapped = mapper.map(label)
        if not mapped.tags:
            unmapped.append(label)
        for tag in mapped.tags:
            tags.setdefault(tag.concept_id, tag)
    return fmt.tail(labels, list(tags.values()), unmapped)


def source_rows(source: str, path: Path, **options: str) -> list[tuple[str, tuple[str, ...]]]:
    from uts.convert.readers import SourceRow, read

    return [(r.clip, r.labels) for r in read(source, path, **options) if type(r) is SourceRow]


def expected_report(
    rows: list[tuple[str, tuple[str, ...]]], mapper: LegacyMapper, kept: frozenset[str]
) -> dict[str, Any]:
    """The report's figures counted row by row."""
    per_label = Counter[str]()
    without_tag = tags_total = lost = 0
    for _, labels in rows:
        concepts = {t.concept_id for label in labels for t in mapper.map(label).tags}
        tags_total += len(concepts)
        without_tag += not concepts
        lost += not any(mapper.name(label).casefold() in kept for label in labels)
        per_label.update(labels)
    unmapped = sorted(((label, n) for label, n in per_label.items() if not mapper.map(label).tags),
                      key=lambda item: (-item[1], item[0]))  # fmt: skip
    dropped = Counter[str]()
    for label, n in per_label.items():
        if mapper.name(label).casefold() not in kept:
            dropped[mapper.name(label)] += n
    read = sum(per_label.values())
    return {
        "rows_written": len(rows), "clips_without_tag": without_tag, "labels_read": read,
        "labels_mapped": read - sum(n for _, n in unmapped),
        "unmapped": [{"label": label, "name": mapper.name(label), "count": n, "reason": mapper.map(label).reason}
                     for label, n in unmapped],
        "legacy_labels_per_clip": round(read / len(rows), 3), "tags_per_clip": round(tags_total / len(rows), 3),
        "paper_filter": {
            "labels_kept": read - sum(dropped.values()), "labels_dropped": sum(dropped.values()),
            "clips_left_without_label": lost,
            "most_dropped": [list(item) for item in sorted(dropped.items(), key=lambda i: (-i[1], i[0]))[:20]],
        },
    }  # fmt: skip


FIGURES = {"rows_written", "clips_without_tag", "labels_read", "labels_mapped", "unmapped", "legacy_labels_per_clip",
           "tags_per_clip", "paper_filter"}  # fmt: skip


def figures(report: Any) -> dict[str, Any]:
    """The report's figures as JSON has them."""
    found: dict[str, Any] = json.loads(report.model_dump_json(include=FIGURES))
    return found


@needs_data
@pytest.mark.parametrize("level", [None, *Level])
@pytest.mark.parametrize("expand", [False, True])
def test_every_format_writes_the_rows_and_report_of_the_row_by_row_path(
    ontology: Ontology, segments: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, level: Level | None,
    expand: bool,
) -> None:  # fmt: skip
    import numpy as np

    from uts.convert import dataset
    from uts.convert.dataset import convert
    from uts.convert.formats import CsvRows, Format, JsonLines, MultiHot
    from uts.convert.mapper import paper_strings
    from uts.ontology.layouts import read_layouts
    from uts.ontology.source import bundled_root

    monkeypatch.setattr(dataset, "BATCH_ROWS", 500)  # new label sets in every batch; one batch read row by row
    mapper = LegacyMapper(ontology, level=level, expand_ancestors=expand)
    rows = source_rows("audioset", segments)
    expected = expected_report(rows, mapper, paper_strings(ontology, level))
    for fmt, output_format in ((JsonLines(), Format.JSONL), (CsvRows(), Format.CSV)):
        out = tmp_path / f"out.{output_format.value}"
        report = convert("audioset", segments, out, ontology, level=level, expand_ancestors=expand,
                         output_format=output_format)  # fmt: skip
        assert report.malformed_rows == 1
        assert out.read_bytes() == fmt.header + b"".join(fmt.rows([c], [row_tail(t, mapper, fmt)]) for c, t in rows)
        assert figures(report) == expected
    if level is not None:
        layout = read_layouts(bundled_root(), ontology.metadata.version)[level]
        out = tmp_path / "out.npy"
        report = convert("audioset", segments, out, ontology, level=level, expand_ancestors=expand,
                         output_format=Format.MULTIHOT, layout=layout)  # fmt: skip
        matrix = np.frombuffer(b"".join(row_tail(t, mapper, MultiHot(layout)) for _, t in rows), dtype=np.uint8)
        assert np.array_equal(np.load(out), matrix.reshape(len(rows), len(layout)))
        assert (tmp_path / "out.npy.ids.txt").read_text(encoding="utf-8").splitlines() == [c for c, _ in rows]
        assert figures(report) == expected


@pytest.mark.parametrize("batch", [1, 4, 16_384])
def test_ids_and_labels_that_need_escaping_or_quoting(
    ontology: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """A generic CSV whose clip IDs and labels hold quotes, commas, a backslash, a tab, spaces and letters beyond
    ASCII: the JSON escapes and the CSV quotes are the row-by-row path's, batch by batch (a batch of IDs JSON
    writes as they are goes through Arrow)."""
    from uts.convert import dataset
    from uts.convert.dataset import convert
    from uts.convert.formats import CsvRows, Format, JsonLines

    monkeypatch.setattr(dataset, "BATCH_ROWS", batch)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["clip", "labels"])
    for n, (clip, labels) in enumerate([("plain.wav", "dog"), ('say "hi".wav', "dog|a,b"), ("c,d.wav", "café"),
                                        ("back\\slash.wav", 'rooster|say "x"|dog'), ("z.wav", "dog|dog"),
                                        ("é space+.wav", "dog"), ("tab\there.wav", "rooster")] * 3):  # fmt: skip
        writer.writerow([f"{n}-{clip}", labels])
    source = tmp_path / "mine.csv"
    source.write_text(table.getvalue(), encoding="utf-8")
    options = {"clip_column": "clip", "label_column": "labels", "prefix": "ESC50", "separator": "|"}
    mapper = LegacyMapper(ontology)
    rows = source_rows("csv", source, **options)
    assert len(rows) == 21
    for fmt, output_format in ((JsonLines(), Format.JSONL), (CsvRows(), Format.CSV)):
        out = tmp_path / f"out.{output_format.value}"
        convert("csv", source, out, ontology, output_format=output_format, **options)
        assert out.read_bytes() == fmt.header + b"".join(fmt.rows([c], [row_tail(t, mapper, fmt)]) for c, t in rows)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        assert [r["source_labels"] for r in csv.DictReader(handle)][1] == "ESC50:dog;ESC50:a,b"


@needs_data
@pytest.mark.skipif(find_spec("lhotse") is None, reason="needs the 'lhotse' extra")
def test_lhotse_cuts_of_audioset_rows_are_the_row_by_row_cuts(
    ontology: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lhotse makes its tails set by set (no column path): the same cuts as row by row, over batches."""
    import numpy as np
    import soundfile

    from uts.convert import dataset
    from uts.convert.dataset import convert
    from uts.convert.formats import Format, LhotseCuts

    lines = (AUDIOSET / "eval_segments.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:43]
    source = tmp_path / "segments.csv"
    source.write_text("".join(lines), encoding="utf-8")
    rows = source_rows("audioset", source)
    audio = tmp_path / "audio"
    audio.mkdir()
    for n, (clip, _) in enumerate(rows):
        soundfile.write(audio / f"{clip}.wav", np.sin(np.arange(1600) * (n + 1) / 50).astype("float32"), 16000)
    monkeypatch.setattr(dataset, "BATCH_ROWS", 16)
    mapper = LegacyMapper(ontology, level=Level.L1_5K)
    out = tmp_path / "cuts.jsonl"
    convert("audioset", source, out, ontology, level=Level.L1_5K, output_format=Format.LHOTSE, audio_dir=audio)
    fmt = LhotseCuts(audio)
    assert out.read_bytes() == b"".join(fmt.rows([c], [row_tail(t, mapper, fmt)]) for c, t in rows)


def test_label_sets_number_tuples_and_count_them() -> None:
    """Sets numbered once by their tuple (the empty set too), classes numbered as met; the counts come back as
    tuples, as a saved state keeps them."""
    import numpy as np

    from uts.convert.labelsets import LabelSets

    sets = LabelSets()
    labels = [("A:x", "A:y"), (), ("A:y",), ("A:x", "A:y"), ()]
    ids = sets.ids(labels)
    assert ids.tolist() == [0, 1, 2, 0, 1]
    assert sets.classes == ["A:x", "A:y"]
    assert sets.tuples(range(len(sets))) == [("A:x", "A:y"), (), ("A:y",)]
    sets.count(ids)
    sets.count(sets.ids([("A:z",)]))
    assert sets.counter() == Counter(labels) + Counter([("A:z",)])
    again = LabelSets()
    again.add_counts(sets.counter())
    assert again.counter() == sets.counter()
    assert np.array_equal(again.counts, [2, 2, 1, 1])


def test_a_sync_behind_the_writes_loses_no_failure(tmp_path: Path) -> None:
    """The background sync makes no file less durable: ``finish`` returns once every byte is synced, and a sync
    that fails in the thread (here: a pipe, which cannot be synced) is raised when the writer waits for it (by
    ``wait``, ``finish`` or leaving the block), not lost."""
    import os

    from uts.io.atomic import SyncBehind

    path = tmp_path / "out.bin"
    with open(path, "wb", buffering=1 << 20) as handle, SyncBehind(handle) as sync:
        for n in range(5):
            handle.write(bytes([n]) * 300_000)
            sync.written()
        sync.finish()
        assert path.stat().st_size == 1_500_000
    read, write = os.pipe()
    try:
        with open(write, "wb", closefd=False) as handle, SyncBehind(handle) as sync:
            handle.write(b"x")
            sync.written()
            with pytest.raises(OSError, match="Invalid argument"):
                sync.wait()  # the thread's failure, raised here
    finally:
        os.close(read)
        os.close(write)


def test_a_shared_mapper_maps_each_class_once_and_keeps_no_ontology_alive(ontology: Ontology) -> None:
    """Files of one dataset share a mapper (the same settings, the same object); a builder's mapping or another
    level is another mapper; an Ontology no one holds is collected with its mappers."""
    import gc
    import weakref

    from uts.convert.mapper import UserRow

    first = LegacyMapper.shared(ontology, level=Level.L1K)
    assert LegacyMapper.shared(ontology, level=Level.L1K) is first
    assert LegacyMapper.shared(ontology, level=Level.L3K) is not first
    mine = (UserRow("MINE:woof", "woof", "skos:exactMatch", ontology.lookup("dog").id),)
    assert [t.label for t in LegacyMapper.shared(ontology, extra=mine).map("MINE:woof").tags] == ["dog"]
    other = ontology.replace()
    gone = weakref.ref(other)
    assert LegacyMapper.shared(other).map("AudioSet:/m/0bt9lr").tags
    del other
    gc.collect()
    assert gone() is None
