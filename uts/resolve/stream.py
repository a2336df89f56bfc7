"""JSONL streaming for captioning pipelines: ``{"id", "text"}`` or ``{"id", "tags"}`` in, resolved tags out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from uts.resolve.model import Resolution
from uts.resolve.resolver import Resolver


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

    def add(self, result: Resolution) -> None:
        self.items += 1
        self.tags += len(result.tags)
        self.negated += len(result.negated)
        self.abstained += len(result.abstained)
        self.below_min_score += result.below_min_score
        self.beyond_top_k += result.beyond_top_k


def _explain_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"].removeprefix("Value error, "))
    return "; ".join(parts)


def _records(
    stream: Iterable[str], name: str, summary: StreamSummary, on_malformed: Callable[[str], None]
) -> Iterator[InputRecord]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            summary.blank += 1
            continue
        try:
            yield InputRecord.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
        except ValidationError as exc:
            problem = _explain_validation(exc)
        else:
            continue
        summary.malformed += 1
        on_malformed(f"{name}:{number}: skipped: {problem}")


def stream_jsonl(
    resolver: Resolver,
    source: Iterable[str],
    sink: IO[str],
    *,
    name: str,
    top_k: int | None,
    min_score: float,
    batch: int = 256,
    on_item: Callable[[], None] | None = None,
    on_malformed: Callable[[str], None] = lambda message: None,
) -> StreamSummary:
    """Resolve a JSONL stream record by record, batching the encoder; every input line is accounted for.

    Output records keep the input's other keys and add ``tags`` (best first), ``negated`` and ``abstained``.
    A malformed line is skipped, counted and passed to ``on_malformed`` with its line number.
    """
    summary = StreamSummary()
    pending: list[InputRecord] = []

    def flush() -> None:
        texts = [r.text for r in pending if r.text is not None]
        resolved_texts = iter(resolver.resolve_texts(texts, top_k=top_k, min_score=min_score)) if texts else iter(())
        resolver.prefetch_tags([t for r in pending if r.tags is not None for t in r.tags])
        for record in pending:
            if record.text is not None:
                result = next(resolved_texts)
            else:
                result = resolver.resolve_tags(record.tags or [], top_k=top_k, min_score=min_score)
            summary.add(result)
            extra = {k: v for k, v in (record.model_extra or {}).items() if k not in ("tags", "negated", "abstained")}
            sink.write(json.dumps({"id": record.id, **extra, **result.to_json()}, ensure_ascii=False) + "\n")
            if on_item is not None:
                on_item()
        pending.clear()

    for record in _records(source, name, summary, on_malformed):
        pending.append(record)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return summary
