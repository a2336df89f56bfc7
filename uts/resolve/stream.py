"""JSONL streaming for captioning pipelines: ``{"id", "text"}`` or ``{"id", "tags"}`` in, resolved tags out.

Nothing a stream is fed makes it lose a record or die: a line that is too long, not UTF-8, not JSON, not a
record, or holding text that is not valid Unicode is reported with its line number, counted and skipped (or, with
``strict``, stops the run). Work per record is bounded by :class:`StreamLimits`. Output is always valid UTF-8
JSON. Records are resolved in batches, and between batches the stream knows exactly how far it got
(:class:`Checkpoint`), so an interrupted run can be resumed and give the same bytes as one that never stopped
(``uts.resolve.stream_files``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from uts.errors import InvalidError, Problem
from uts.resolve.model import Resolution
from uts.resolve.resolver import Resolver

OUTPUT_KEYS = ("tags", "negated", "imitated", "abstained")
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class InputRecord(BaseModel):
    """One JSONL input line: an ``id`` and either a caption ``text`` or raw ``tags``; other keys pass through."""

    model_config = ConfigDict(extra="allow", strict=True)

    id: str | int
    text: str | None = None
    tags: list[str] | None = None

    @model_validator(mode="after")
    def _one_input(self) -> InputRecord:
        if (self.text is None) == (self.tags is None):
            raise ValueError('give exactly one of "text" (a caption) or "tags" (a list of raw tag strings)')
        return self


class StreamLimits(BaseModel):
    """How much one record may ask for; a record beyond a limit is reported and skipped, never half-read."""

    model_config = ConfigDict(frozen=True)

    max_record_bytes: int = Field(default=1 << 20, ge=1, description="Bytes of one JSONL line (1 MiB).")
    max_tags: int = Field(default=1000, ge=1, description="Raw tags in one record.")
    max_tag_chars: int = Field(default=1000, ge=1, description="Characters of one raw tag.")
    max_text_chars: int = Field(default=200_000, ge=1, description="Characters of one caption.")


@dataclass
class StreamSummary:
    """What a stream run did with every input line: nothing is dropped without being counted here."""

    items: int = 0
    tags: int = 0
    negated: int = 0
    abstained: int = 0
    below_min_score: int = 0
    beyond_top_k: int = 0
    malformed: int = 0
    blank: int = 0
    imitated: int = 0

    def add(self, result: Resolution) -> None:
        self.items += 1
        self.tags += len(result.tags)
        self.negated += len(result.negated)
        self.imitated += len(result.imitated)
        self.abstained += len(result.abstained)
        self.below_min_score += result.below_min_score
        self.beyond_top_k += result.beyond_top_k

    def copy(self) -> StreamSummary:
        return StreamSummary(**asdict(self))


@dataclass(frozen=True)
class Checkpoint:
    """How far a stream got at a batch boundary: input lines and bytes read, output bytes written, the counts."""

    line: int = 0
    offset: int = 0
    output_bytes: int = 0
    summary: StreamSummary = field(default_factory=StreamSummary)

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "offset": self.offset, "output_bytes": self.output_bytes, **asdict(self.summary)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        position = {k: int(data[k]) for k in ("line", "offset", "output_bytes")}
        # A state saved before a count existed ("imitated") resumes with that count at 0.
        counts = {k: int(data.get(k, 0)) for k in StreamSummary.__dataclass_fields__}
        return cls(**position, summary=StreamSummary(**counts))


class StreamError(InvalidError):
    """A record a strict stream cannot take; nothing after it was read."""

    head = "the stream stopped at a bad record"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


Line = tuple[int, int, bytes | None]
"""One input line as :func:`read_lines` yields it: its number, the input's bytes read up to its end, and its bytes
(``None`` when longer than the limit: it was skipped unread)."""


def read_lines(source: IO[bytes], limit: int, first: int = 1, offset: int = 0) -> Iterator[Line]:
    """The lines of ``source`` from where it stands (line ``first``, byte ``offset``), reading at most ``limit``
    bytes into memory at a time, whatever the line's length."""
    number = first - 1
    while True:
        raw = source.readline(limit + 1)
        if not raw:
            return
        offset += len(raw)
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the over-long line
                raw = source.readline(1 << 16)
                offset += len(raw)
            yield number, offset, None
        else:
            yield number, offset, raw


def _check_text(value: str, what: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise ValueError(
            f"{what} holds {bad!r} (U+{ord(bad):04X}), a lone surrogate that is not valid Unicode"
        ) from None


def parse_record(raw: bytes, limits: StreamLimits) -> InputRecord:
    """One input line as a record; ``ValueError`` says what is wrong with it, in words a person can act on."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte 0x{raw[exc.start]:02X} at byte {exc.start + 1})") from None
    try:
        data = json.loads(line, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    try:
        record = InputRecord.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_explain_validation(exc)) from None
    _check_text(str(record.id), "id")
    if record.text is not None:
        _check_text(record.text, "text")
        if len(record.text) > limits.max_text_chars:
            raise ValueError(f"text has {len(record.text):,} characters, over the limit of {limits.max_text_chars:,}")
    for n, tag in enumerate(record.tags or ()):
        _check_text(tag, f"tags[{n}]")
        if len(tag) > limits.max_tag_chars:
            raise ValueError(f"tags[{n}] has {len(tag):,} characters, over the limit of {limits.max_tag_chars:,}")
    if record.tags is not None and len(record.tags) > limits.max_tags:
        raise ValueError(f"{len(record.tags):,} tags, over the limit of {limits.max_tags:,}")
    if record.model_extra:
        try:
            json.dumps(record.model_extra, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (UnicodeEncodeError, ValueError):
            raise ValueError("a passed-through key holds text that is not valid Unicode") from None
    return record


def _explain_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"].removeprefix("Value error, "))
    return "; ".join(parts)


def output_line(record: InputRecord, result: Resolution) -> bytes:
    """The output record: the input's other keys, then ``tags`` (best first), ``negated``, ``imitated`` and
    ``abstained``."""
    extra = {k: v for k, v in (record.model_extra or {}).items() if k not in OUTPUT_KEYS}
    text = json.dumps({"id": record.id, **extra, **result.to_json()}, ensure_ascii=False, allow_nan=False)
    if any(mark in text for mark in _LINE_BREAKS):
        # JSON leaves these unescaped, but readers that split lines as Python's splitlines() does would cut the
        # record in two; they can only stand inside strings, so escaping them changes no value.
        for mark, escaped in _LINE_BREAKS.items():
            text = text.replace(mark, escaped)
    return text.encode("utf-8") + b"\n"


def stream_jsonl(
    resolver: Resolver,
    source: IO[bytes],
    sink: IO[bytes],
    *,
    name: str,
    top_k: int | None = None,
    min_score: float = 0.0,
    limits: StreamLimits | None = None,
    strict: bool = False,
    batch: int = 256,
    start: Checkpoint | None = None,
    on_problem: Callable[[Problem], None] = lambda problem: None,
    on_checkpoint: Callable[[Checkpoint], None] = lambda checkpoint: None,
) -> Checkpoint:
    """Resolve a JSONL stream record by record, batching the encoder; every input line is accounted for.

    ``source`` is read from where it stands (after ``start.offset`` when resuming); a problem record is passed to
    ``on_problem`` with its line, counted and skipped, or with ``strict`` raises ``StreamError``. After every batch
    written to ``sink`` comes ``on_checkpoint``; the last checkpoint is returned.
    """
    limits = limits or StreamLimits()
    point = start or Checkpoint()
    return resolve_lines(
        resolver, read_lines(source, limits.max_record_bytes, point.line + 1, point.offset), sink, name=name,
        top_k=top_k, min_score=min_score, limits=limits, strict=strict, batch=batch, start=point,
        on_problem=on_problem, on_checkpoint=on_checkpoint,
    )  # fmt: skip


def resolve_lines(
    resolver: Resolver,
    lines: Iterable[Line],
    sink: IO[bytes],
    *,
    name: str,
    top_k: int | None = None,
    min_score: float = 0.0,
    limits: StreamLimits | None = None,
    strict: bool = False,
    batch: int = 256,
    start: Checkpoint | None = None,
    on_problem: Callable[[Problem], None] = lambda problem: None,
    on_checkpoint: Callable[[Checkpoint], None] = lambda checkpoint: None,
) -> Checkpoint:
    """The body of :func:`stream_jsonl`, on lines already read: one code path turns input lines into output lines,
    whether they come from a file or, cut into chunks by a driver, reach a worker of a batch engine (Ray)."""
    limits = limits or StreamLimits()
    point = start or Checkpoint()
    summary = point.summary.copy()
    written = point.output_bytes
    pending: list[InputRecord] = []
    line, offset = point.line, point.offset

    def flush() -> None:
        nonlocal written
        texts = [r.text for r in pending if r.text is not None]
        resolved_texts = iter(resolver.resolve_texts(texts, top_k=top_k, min_score=min_score)) if texts else iter(())
        resolver.prefetch_tags([t for r in pending if r.tags is not None for t in r.tags])
        chunk = bytearray()
        for record in pending:
            if record.text is not None:
                result = next(resolved_texts)
            else:
                result = resolver.resolve_tags(record.tags or [], top_k=top_k, min_score=min_score)
            summary.add(result)
            chunk += output_line(record, result)
        sink.write(chunk)
        written += len(chunk)
        pending.clear()

    for line, offset, raw in lines:
        if raw is not None and not raw.strip():
            summary.blank += 1
            continue
        try:
            if raw is None:
                raise ValueError(f"the line is longer than the limit of {limits.max_record_bytes:,} bytes")
            pending.append(parse_record(raw, limits))
        except ValueError as exc:
            if strict:
                fix = "fix or drop the line, or run without --strict to skip such lines"
                raise StreamError([Problem(name, line, str(exc), fix)]) from None
            problem = Problem(name, line, str(exc), "fix or drop the line (it was skipped and counted)")
            summary.malformed += 1
            on_problem(problem)
            continue
        if len(pending) >= batch:
            flush()
            on_checkpoint(Checkpoint(line, offset, written, summary.copy()))
    if pending:
        flush()
    point = Checkpoint(line, offset, written, summary.copy())
    on_checkpoint(point)
    return point


__all__ = [
    "Checkpoint",
    "InputRecord",
    "Line",
    "StreamError",
    "StreamLimits",
    "StreamSummary",
    "output_line",
    "parse_record",
    "read_lines",
    "resolve_lines",
    "stream_jsonl",
]
