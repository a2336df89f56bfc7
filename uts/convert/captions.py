"""Caption corpora resolved to UTS concepts, locally or on an engine (Ray Data): ``uts convert --source captions``.

Locally this is ``uts resolve --input/--output`` (:func:`~uts.resolve.filestream.resolve_file`, resumable). On an
engine the driver only reads: it cuts the JSONL into chunks of lines (an over-long line is never held whole, as in
the local stream) and hands them to the workers; each worker builds one Resolver with the driver's configuration,
from the release the driver runs, and turns its chunks into output lines with
:func:`~uts.resolve.stream.resolve_lines`, the code the local stream runs. The driver writes the chunks' output in
input order (atomically), reports every problem with its line number and adds up the counts, so the file and the
summary are those of the local run. Resolving a record depends on that record alone (the encoder's answers do not
depend on what they were batched with), which is why the chunks may be cut anywhere.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from uts.convert.engines import Engine, load_release
from uts.errors import Problem, SourceError, UsageError
from uts.io.atomic import streamed_atomic
from uts.ontology.ontology import Ontology
from uts.resolve.config import ResolverConfig
from uts.resolve.filestream import StreamOptions, check_paths, nothing_read, resolve_file
from uts.resolve.resolver import Resolver
from uts.resolve.stream import Checkpoint, Line, StreamError, StreamSummary, read_lines, resolve_lines

CAPTION_CHUNK = 1024
"""Input lines per chunk handed to an engine: a few encoder batches (so each model run stays full) and few enough
that a corpus spreads over many workers; for a million captions, about a thousand chunks."""

LineChunk = list[Line]


@dataclass(frozen=True)
class CaptionJob:
    """What every worker needs to resolve chunks as the local stream would: the release, the resolver's
    configuration (calibration and lexicon included, so a worker never reads its own) and the stream's options."""

    release: str
    config: ResolverConfig
    options: StreamOptions
    name: str  # the input, as problems name it
    root: str | None = None  # the source root workers load the ontology from (default: the bundled release)

    def worker(self) -> Callable[[LineChunk], ResolvedChunk]:
        return ChunkResolver(self)


@dataclass(frozen=True)
class ResolvedChunk:
    """One chunk's output lines, its counts and its problems (in line order). ``stopped``: with ``strict``, the
    chunk's first bad record, ``problems[0]``, stops the run, and ``data`` is empty."""

    data: bytes
    end: Checkpoint  # the chunk's last line and offset; its output bytes and counts alone
    problems: tuple[Problem, ...] = ()
    stopped: bool = False


class ChunkResolver:
    """Turns chunks of input lines into output lines; one per worker process, holding its Resolver (and its
    caches) for every chunk it gets."""

    def __init__(self, job: CaptionJob) -> None:
        self.job = job
        self.resolver = Resolver(load_release(job.root, job.release), job.config)

    def __call__(self, chunk: LineChunk) -> ResolvedChunk:
        options, sink, problems = self.job.options, io.BytesIO(), list[Problem]()
        try:
            end = resolve_lines(
                self.resolver, chunk, sink, name=self.job.name, top_k=options.top_k, min_score=options.min_score,
                limits=options.limits, strict=options.strict, batch=options.batch, on_problem=problems.append,
            )  # fmt: skip
        except StreamError as exc:
            return ResolvedChunk(b"", Checkpoint(), tuple(exc.problems), stopped=True)
        return ResolvedChunk(sink.getvalue(), end, tuple(problems))


@dataclass
class _Total:
    line: int = 0
    offset: int = 0
    written: int = 0
    summary: StreamSummary = field(default_factory=StreamSummary)

    def add(self, part: ResolvedChunk) -> None:
        self.line, self.offset = part.end.line, part.end.offset
        self.written += len(part.data)
        for name in StreamSummary.__dataclass_fields__:
            setattr(self.summary, name, getattr(self.summary, name) + getattr(part.end.summary, name))

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.line, self.offset, self.written, dataclasses.replace(self.summary))


def resolve_captions(
    source: Path,
    output: Path,
    ontology: Ontology,
    *,
    config: ResolverConfig | None = None,
    options: StreamOptions | None = None,
    engine: Engine | None = None,
    resume: bool = False,
    chunk_lines: int = CAPTION_CHUNK,
    on_problem: Callable[[Problem], None] = lambda problem: None,
    on_progress: Callable[[int], None] = lambda offset: None,
) -> Checkpoint:
    """Resolve the JSONL caption corpus ``source`` ({id, text} or {id, tags} per line) into ``output``.

    Without ``engine``: the local, resumable stream. With one (``RayEngine``): the same bytes and counts, the
    chunks resolved by its workers, which load ``engine.root`` (default: the bundled release) and must find
    ``ontology``'s release there. Returns the final checkpoint (``summary`` counts every line); raises
    ``StreamError`` at the first bad record when ``options.strict``, ``SourceError`` when no record could be read;
    ``output`` appears whole or not at all.
    """
    config = config or ResolverConfig()
    options = options or StreamOptions()
    if engine is None:
        resolver = Resolver(ontology, config)
        return resolve_file(resolver, source, output, options=options, resume=resume, on_problem=on_problem,
                            on_progress=on_progress)  # fmt: skip
    if resume:
        raise UsageError("--resume works with the local engine; a run on Ray starts again from the top")
    if chunk_lines < 1:
        raise UsageError(f"chunk_lines must be at least 1, not {chunk_lines}")
    check_paths(source, output)
    name = str(source)
    job = CaptionJob(ontology.metadata.version, config, options, name, str(engine.root) if engine.root else None)
    total = _Total()
    with source.open("rb") as handle, streamed_atomic(output) as sink:
        for part in engine.run(_chunks(handle, options, chunk_lines), job):
            if part.stopped:
                raise StreamError(list(part.problems))
            for problem in part.problems:
                on_problem(problem)
            sink.write(part.data)
            total.add(part)
            on_progress(total.offset)
        if total.summary.items == 0:  # raised inside the block: no output appears
            raise SourceError(nothing_read(name, total.checkpoint()))
    return total.checkpoint()


def _chunks(handle: io.BufferedReader, options: StreamOptions, size: int) -> Iterator[LineChunk]:
    chunk: LineChunk = []
    for line in read_lines(handle, options.limits.max_record_bytes):
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["CAPTION_CHUNK", "CaptionJob", "ChunkResolver", "ResolvedChunk", "resolve_captions"]
