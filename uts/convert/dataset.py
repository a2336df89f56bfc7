"""Convert a legacy-labelled dataset to UTS tags (``uts convert``): every row read is written once or reported as
malformed, every legacy label becomes tags with their provenance or is counted as unmapped with the reason, and the
report says what the paper's exact-string filter would have lost on the same rows.

Streaming: memory grows with the distinct label sets, never with the rows (a dataset repeats its few classes
and their combinations: each is mapped once); the output appears whole or not at all (written beside it, then
renamed), and a stopped run continues with ``resume``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, Field

from uts.convert.engines import Chunk, ChunkJob, Engine, tail_of
from uts.convert.formats import Format, JsonLines, MultiHot, RowFormat, SetFormat, arrow_join, row_format
from uts.convert.labelsets import LabelSets, MappedSets
from uts.convert.mapper import LegacyMapper, UserRow, paper_strings
from uts.convert.readers import AnyBatch, ColumnBatch, read_batches
from uts.errors import InvalidError, UsageError, UTSError, where
from uts.io.atomic import SyncBehind, streamed_atomic, write_atomic
from uts.ontology.layouts import Layout
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology

MALFORMED_LISTED = 1000  # the report lists this many malformed rows (all are counted)
CHECKPOINT_SECONDS = 30.0  # between saved states of a long run: a killed run loses at most this much work
STATE_FORMAT = "uts-convert-resume/1"
Sink = Callable[[bytes | memoryview], object]
"""Where output goes (a file's ``write``): bytes, or a view of Arrow's buffer written without a copy."""


class MalformedRowError(InvalidError):
    """--strict: a row could not be read; nothing was written."""

    head = "a malformed row (--strict: nothing was written)"


class InterruptedConversionError(UTSError):
    """The run stopped before the end of its input (Ctrl-C, SIGTERM); ``--resume`` continues it."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        super().__init__(f"stopped after {rows:,} rows; run the same command with --resume to continue")


@dataclass
class Progress:
    """How far a run got: enough to continue it as if it had never stopped."""

    rows: int = 0  # input rows consumed, malformed ones too
    sets: Counter[tuple[str, ...]] = field(default_factory=Counter)
    malformed: list[Malformed] = field(default_factory=list)
    malformed_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "malformed_count": self.malformed_count,
            "malformed": [m.model_dump() for m in self.malformed],
            "sets": [[list(labels), n] for labels, n in self.sets.items()],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Progress:
        return cls(
            rows=int(data["rows"]), malformed_count=int(data["malformed_count"]),
            malformed=[Malformed(**m) for m in data["malformed"]],
            sets=Counter({tuple(labels): int(n) for labels, n in data["sets"]}),
        )  # fmt: skip


class UnmappedLabel(BaseModel):
    label: str = Field(description="The legacy class (CURIE).")
    name: str = Field(description="Its name in its vocabulary.")
    count: int = Field(description="Clips that carry it.")
    reason: str = Field(description="Why it gave no tag.")


class Malformed(BaseModel):
    line: int
    problem: str


class PaperFilter(BaseModel):
    """The paper's filter on the same rows: a label survives only when its name, case-folded, is a published
    tag string of the level, letter for letter."""

    labels_kept: int
    labels_dropped: int
    clips_left_without_label: int
    most_dropped: list[tuple[str, int]] = Field(description="The 20 most frequent names it drops, with counts.")


class ConversionReport(BaseModel):
    source: str
    input: str
    output: str
    release: str
    level: Level | None
    expand_ancestors: bool
    rows_read: int
    rows_written: int
    malformed_rows: int
    malformed: list[Malformed] = Field(description=f"The first {MALFORMED_LISTED} malformed rows.")
    clips_without_tag: int = Field(description="Rows written with no UTS tag (at this level).")
    labels_read: int
    labels_mapped: int
    unmapped: list[UnmappedLabel] = Field(description="Every legacy label that gave no tag, most frequent first.")
    legacy_labels_per_clip: float
    tags_per_clip: float
    paper_filter: PaperFilter


def report_file(output: Path) -> Path:
    return output.with_name(output.name + ".report.json")


def convert_rows(
    batches: Callable[[int, LabelSets], Iterable[AnyBatch]],
    write: Sink,
    ontology: Ontology,
    *,
    level: Level | None = None,
    expand_ancestors: bool = False,
    strict: bool = False,
    fmt: RowFormat | None = None,
    write_id: Sink | None = None,
    start: Progress | None = None,
    checkpoint: Callable[[Progress], None] | None = None,
    stop: Callable[[], bool] | None = None,
    engine: Engine | None = None,
    job: ChunkJob | None = None,
    extra: Sequence[UserRow] = (),
    on_batch: Callable[[int], object] | None = None,
) -> dict[str, Any]:
    """Convert the rows of ``batches(skip, sets)`` (the input's batches after its first ``skip`` rows, their label
    sets numbered in ``sets``), writing one row each through ``write`` (JSON lines by default; ``write_id`` gets
    each clip ID on a line, for formats whose rows do not hold it); the tallies of the report.

    Per row only the ID is joined to its set's tail; each tail, and every figure of the report, come from the
    label sets (numbered, counted, and mapped all at once with numpy). Memory grows with the distinct label sets,
    never with the rows.

    A batch (``BATCH_ROWS`` rows) is converted column-wise and written with one call.
    ``start`` continues an interrupted run (its rows are read again and skipped); ``checkpoint`` gets the progress
    every ``CHECKPOINT_SECONDS``, after a batch is written; ``stop`` (polled between batches) ends the run early
    with :class:`InterruptedConversionError`, after a last checkpoint. A format that refuses a row while writing
    (a clip without audio) leaves a checkpoint at its last whole write, so ``resume`` continues once the cause is
    mended. ``on_batch`` gets the number of rows read after each batch (a progress bar).
    """
    import pyarrow as pa

    mapper = LegacyMapper.shared(ontology, level=level, expand_ancestors=expand_ancestors, extra=extra)
    fmt = fmt or JsonLines()
    if engine is not None:
        assert job is not None
        return _on_engine(batches(0, LabelSets()), write, engine, job, mapper, paper_strings(ontology, level), strict,
                          on_batch)  # fmt: skip
    progress = start or Progress()
    malformed = progress.malformed
    sets = LabelSets()
    sets.add_counts(progress.sets)
    mapped = MappedSets(sets, mapper)
    tails = _Tails(mapped, fmt)

    def save() -> None:
        if checkpoint is not None:
            progress.sets = sets.counter()
            checkpoint(progress)

    saved = time.monotonic()
    for n, batch in enumerate(batches(progress.rows, sets)):  # a resumed run's rows are read again, not converted
        if n and stop is not None and stop():  # between two batches (after the last one there is nothing to stop)
            save()
            raise InterruptedConversionError(progress.rows)
        listed = len(malformed)
        if batch.bad:
            if strict:
                raise MalformedRowError(f"line {batch.bad[0].line}: {batch.bad[0].problem}")
            malformed += [Malformed(line=r.line, problem=r.problem) for r in batch.bad[: MALFORMED_LISTED - listed]]
        if type(batch) is ColumnBatch:
            clips, ids = batch.clips, batch.index
        else:
            clips, ids = pa.array(batch.clips, pa.string()), sets.ids(batch.labels)
        try:
            _write(write, fmt, clips, tails.of(ids), write_id)
        except UTSError:  # a format's refusal (a clip without audio): the state saved is the last whole write
            del malformed[listed:]
            save()
            raise
        sets.count(ids)
        progress.rows += batch.rows
        progress.malformed_count += len(batch.bad)
        if on_batch is not None:
            on_batch(progress.rows)
        if checkpoint is not None and time.monotonic() - saved >= CHECKPOINT_SECONDS:
            save()
            saved = time.monotonic()
    return {"rows_read": progress.rows, "malformed_rows": progress.malformed_count, "malformed": malformed,
            **_tallies(mapped, paper_strings(ontology, level))}  # fmt: skip


BATCH_ROWS = 16_384  # rows read, converted and written at a time; stop is polled between batches


def _write(
    write: Sink, fmt: RowFormat, clips: Any, tails: Any,
    write_id: Sink | None,
) -> None:  # fmt: skip
    """One batch's rows (Arrow arrays: the clip IDs and each row's tail) through ``fmt``."""
    write(fmt.column_rows(clips, tails))
    if write_id is not None:
        write_id(arrow_join(clips, b"\n"))


class _Tails:
    """Each label set's tail (all of its rows but the clip ID), made once per set: for all the sets a batch meets
    first at once when the format can (:class:`~uts.convert.formats.SetFormat`), else set by set; Arrow takes
    each row's."""

    def __init__(self, mapped: MappedSets, fmt: RowFormat) -> None:
        import pyarrow as pa

        self.mapped, self.fmt = mapped, fmt
        self.array = pa.array([], pa.binary())  # by set ID

    def of(self, ids: Any) -> Any:
        """The tail of each set of ``ids`` (numpy), as an Arrow binary array."""
        import pyarrow as pa

        known, sets = len(self.array), self.mapped.sets
        if known < len(sets):
            if isinstance(self.fmt, SetFormat):
                new = self.fmt.set_tails(self.mapped.expand(known, len(sets)), self.mapped)
            else:
                mapper, fmt = self.mapped.mapper, self.fmt
                new = pa.array([tail_of(labels, mapper, fmt) for labels in sets.tuples(range(known, len(sets)))],
                               pa.binary())  # fmt: skip
            self.array = pa.concat_arrays([self.array, new])
        return self.array.take(ids)


ENGINE_CHUNK = 8192  # rows per chunk handed to an engine


def _on_engine(
    batches: Iterable[AnyBatch], write: Sink, engine: Engine, job: ChunkJob, mapper: LegacyMapper,
    kept_names: frozenset[str], strict: bool, on_batch: Callable[[int], object] | None,
) -> dict[str, Any]:  # fmt: skip
    """The driver's part on an engine: read, count, cut into chunks; the engine converts them, in order."""
    sets = Counter[tuple[str, ...]]()
    malformed: list[Malformed] = []
    counts = {"read": 0, "malformed": 0}

    def chunks() -> Iterator[Chunk]:
        chunk: Chunk = []
        for batch in batches:
            counts["read"] += batch.rows
            if batch.bad:
                if strict:
                    raise MalformedRowError(f"line {batch.bad[0].line}: {batch.bad[0].problem}")
                counts["malformed"] += len(batch.bad)
                malformed.extend(Malformed(line=r.line, problem=r.problem)
                                 for r in batch.bad[: MALFORMED_LISTED - len(malformed)])  # fmt: skip
            rows = batch.python() if type(batch) is ColumnBatch else batch
            sets.update(rows.labels)
            chunk += zip(rows.clips, rows.labels, strict=True)
            if len(chunk) >= ENGINE_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    for data in engine.run(chunks(), job):
        write(data)
        if on_batch is not None:  # the driver reads ahead of the workers: the bar shows rows handed out
            on_batch(counts["read"])
    numbered = LabelSets()
    numbered.add_counts(sets)
    return {"rows_read": counts["read"], "malformed_rows": counts["malformed"], "malformed": malformed,
            **_tallies(MappedSets(numbered, mapper), kept_names)}  # fmt: skip


def _tallies(mapped: MappedSets, kept_names: frozenset[str]) -> dict[str, Any]:
    """The report's figures from the label sets met and how often: what is known of each legacy class is worked
    out once (a dataset has far fewer classes than label sets), the sums over sets by numpy."""
    import numpy as np

    mapped.catch_up()
    sets, mapper = mapped.sets, mapped.mapper
    counts, classes = sets.counts, sets.classes
    written = int(counts.sum())
    lengths = np.diff(sets.offsets)
    # Clips that carry each legacy class (float sums of integers are exact below 2**53).
    per_class = np.bincount(sets.members, weights=np.repeat(counts, lengths), minlength=len(classes))
    per_class = per_class.astype(np.int64)
    kept = np.array([mapper.name(c).casefold() in kept_names for c in classes], dtype=bool)
    kept_any = np.bincount(np.repeat(np.arange(len(sets)), lengths), weights=kept[sets.members], minlength=len(sets))
    tags_per_set = mapped.tags_per_set
    tags_total = int(tags_per_set @ counts)
    labels_read = int(per_class.sum())
    met = per_class > 0
    tagless = mapped.tag_count[mapped.class_map] == 0  # by the run's class ID
    unmapped = [(classes[i], int(per_class[i])) for i in np.flatnonzero(met & tagless).tolist()]
    dropped_names = Counter[str]()
    for i in np.flatnonzero(met & ~kept).tolist():
        dropped_names[mapper.name(classes[i])] += int(per_class[i])
    kept_labels = int(per_class[kept].sum())
    return {
        "rows_written": written, "clips_without_tag": int(counts[tags_per_set == 0].sum()), "labels_read": labels_read,
        "labels_mapped": labels_read - sum(n for _, n in unmapped),
        "unmapped": [
            UnmappedLabel(label=label, name=mapper.name(label), count=count, reason=mapper.map(label).reason)
            for label, count in sorted(unmapped, key=lambda item: (-item[1], item[0]))
        ],
        "legacy_labels_per_clip": round(labels_read / written, 3) if written else 0.0,
        "tags_per_clip": round(tags_total / written, 3) if written else 0.0,
        "paper_filter": PaperFilter(
            labels_kept=kept_labels, labels_dropped=labels_read - kept_labels,
            clips_left_without_label=int(counts[kept_any == 0].sum()),
            most_dropped=sorted(dropped_names.items(), key=lambda item: (-item[1], item[0]))[:20],
        ),
    }  # fmt: skip


def convert(
    source: str,
    input_path: Path,
    output: Path,
    ontology: Ontology,
    *,
    level: Level | None = None,
    expand_ancestors: bool = False,
    strict: bool = False,
    output_format: Format = Format.JSONL,
    layout: Layout | None = None,
    report_path: Path | None = None,
    resume: bool = False,
    stop: Callable[[], bool] | None = None,
    engine: Engine | None = None,
    mapping: Sequence[UserRow] = (),
    audio_dir: Path | None = None,
    on_progress: Callable[[int, int], object] | None = None,
    **options: str | None,
) -> ConversionReport:
    """Convert ``input_path`` (read as ``source``) to ``output``; the report is also written as JSON.

    ``multihot`` needs a ``level`` and that level's ``layout`` (its class indices); it writes the matrix at
    ``output`` and the clip IDs and the layout beside it. ``lhotse`` reads each clip's recording from
    ``audio_dir``.

    JSONL, CSV and Lhotse go to ``OUT.partial`` with a state file beside it, saved every ``CHECKPOINT_SECONDS`` and when
    ``stop`` says so; ``resume`` continues such a run, and the output is the bytes an uninterrupted run writes.
    ``mapping``: the builder's own rows (:func:`~uts.convert.mapper.read_user_mapping`), which replace the mapping
    sets' rows for the classes they name. ``on_progress`` gets the bytes and rows of the input read so far, after
    each batch.
    """
    input_path, output = Path(input_path), Path(output)
    if not input_path.is_file():
        raise InvalidError(f"{where(input_path)} does not exist or is not a file")
    opened: list[BinaryIO] = []

    def rows(skip: int, sets: LabelSets) -> Iterator[AnyBatch]:
        return read_batches(source, input_path, size=BATCH_ROWS, skip=skip, on_open=opened.append, sets=sets,
                            **options)  # fmt: skip

    def on_batch(count: int) -> None:
        if on_progress is not None:  # the reader closes the file at its end
            on_progress(opened[0].tell() if opened and not opened[0].closed else input_path.stat().st_size, count)

    common: dict[str, Any] = {"level": level, "expand_ancestors": expand_ancestors, "strict": strict,
                              "extra": tuple(mapping), "on_batch": on_batch}  # fmt: skip
    if output_format is Format.MULTIHOT:
        if resume or engine is not None:
            raise UsageError("--format multihot runs on the local engine and starts again from the top (no --resume)")
        if level is None or layout is None or layout.level != level:
            raise UsageError("--format multihot needs --level: its columns are the class indices of that level")
        tallies = _multihot(rows, output, ontology, layout, common)
    elif engine is not None:
        if resume:
            raise UsageError("--resume works with the local engine; a run on Ray starts again from the top")
        job = ChunkJob(
            release=ontology.metadata.version, level=level, expand_ancestors=expand_ancestors,
            output_format=output_format, root=str(engine.root) if engine.root else None, extra=tuple(mapping),
            audio_dir=str(audio_dir) if audio_dir else None,
        )  # fmt: skip
        with streamed_atomic(output) as handle:
            handle.write(row_format(output_format, audio_dir=audio_dir).header)
            tallies = convert_rows(rows, handle.write, ontology, engine=engine, job=job, **common)
    else:
        fmt = row_format(output_format, audio_dir=audio_dir)
        identity = {
            "format": STATE_FORMAT, "source": source, "input": str(input_path.resolve()),
            "input_size": input_path.stat().st_size, "input_mtime_ns": input_path.stat().st_mtime_ns,
            "release": ontology.metadata.version, "level": level, "expand_ancestors": expand_ancestors,
            "output_format": output_format.value, "options": options,
            "audio_dir": str(Path(audio_dir).resolve()) if audio_dir else None,
            "mapping": [[r.subject, r.name, r.predicate, r.object_id] for r in mapping],
        }  # fmt: skip
        tallies = _resumable(rows, output, ontology, fmt, identity, resume, stop, common)
    report = ConversionReport(
        source=source, input=str(input_path), output=str(output), release=ontology.metadata.version, level=level,
        expand_ancestors=expand_ancestors, **tallies,
    )  # fmt: skip
    write_atomic(report_path or report_file(output), report.model_dump_json(indent=2).encode("utf-8"))
    return report


def partial_paths(output: Path) -> tuple[Path, Path]:
    """Where an unfinished run keeps its rows and its state."""
    return output.with_name(output.name + ".partial"), output.with_name(output.name + ".partial.json")


def _resumable(
    rows: Callable[[int, LabelSets], Iterable[AnyBatch]], output: Path, ontology: Ontology, fmt: RowFormat, identity: dict[str, Any], resume: bool,
    stop: Callable[[], bool] | None, common: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    partial, state_path = partial_paths(output)
    start: Progress | None = None
    if resume:
        if not state_path.is_file() or not partial.is_file():
            raise UsageError(f"nothing to resume: no interrupted run left {where(partial)}; run without --resume")
        state = json.loads(state_path.read_text(encoding="utf-8"))
        if state.get("identity") != json.loads(json.dumps(identity)):
            raise UsageError(
                f"{where(partial)} was written by another run (other input, options or release); run that command "
                "with --resume, or delete the partial files to start again"
            )
        start = Progress.from_json(state["progress"])
        os.truncate(partial, int(state["bytes"]))  # rows written after the last saved state are written again
    elif partial.exists():
        raise UsageError(
            f"an interrupted run left {where(partial)}: continue it with --resume, or delete it (and "
            f"{state_path.name}) to start again"
        )
    partial.parent.mkdir(parents=True, exist_ok=True)
    with open(partial, "ab" if resume else "wb", buffering=1 << 20) as handle, SyncBehind(handle) as sync:
        if not resume:
            handle.write(fmt.header)

        def write(data: bytes | memoryview) -> None:
            handle.write(data)
            sync.written()  # a batch: on its way to disk while the next one is made

        def save(progress: Progress) -> None:
            sync.finish()
            state = {"identity": identity, "bytes": handle.tell(), "progress": progress.to_json()}
            write_atomic(state_path, json.dumps(state).encode("utf-8"))

        try:
            tallies = convert_rows(rows, write, ontology, fmt=fmt, start=start, checkpoint=save, stop=stop, **common)
        except MalformedRowError:  # --strict: nothing is written, and nothing is left to resume
            sync.wait()
            handle.close()
            partial.unlink(missing_ok=True)
            state_path.unlink(missing_ok=True)
            raise
        sync.finish()
    os.replace(partial, output)
    state_path.unlink(missing_ok=True)
    return tallies


def _multihot(
    rows: Callable[[int, LabelSets], Iterable[AnyBatch]],
    output: Path,
    ontology: Ontology,
    layout: Layout,
    common: dict[str, Any],
) -> dict[str, Any]:
    """The rows go to a raw file first (their number is known only at the end), then behind the ``.npy`` header."""
    import numpy as np

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(prefix=f".{output.name}.", suffix=".rows", dir=output.parent) as body:
        with streamed_atomic(output.with_name(output.name + ".ids.txt")) as ids:
            tallies = convert_rows(rows, body.write, ontology, fmt=MultiHot(layout), write_id=ids.write, **common)
        body.flush()
        body.seek(0)
        with streamed_atomic(output) as handle:
            shape = (int(tallies["rows_written"]), len(layout))
            np.lib.format.write_array_header_1_0(handle, {"descr": "|u1", "fortran_order": False, "shape": shape})
            shutil.copyfileobj(body, handle, 1 << 20)
    write_atomic(output.with_name(output.name + ".classes.tsv"), layout.to_text().encode("utf-8"))
    return tallies


__all__ = [
    "ConversionReport", "InterruptedConversionError", "MalformedRowError", "Progress", "convert", "convert_rows",
    "partial_paths", "report_file",
]  # fmt: skip
