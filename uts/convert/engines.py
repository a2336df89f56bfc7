"""Where the rows of a conversion are turned into output: in this process (``local``), or on Ray Data (``ray``),
locally or on an existing cluster, when one machine is not enough.

The driver reads the input, counts what the report needs and cuts the rows into chunks; an engine turns each chunk
into its output bytes, in input order, so both engines write the same bytes. A Ray worker loads the ontology
itself (from ``root``, default the bundled release) and checks that it is the release the driver converts with.

An engine runs any :class:`Job`: legacy labels (:class:`ChunkJob`) and caption corpora
(:class:`uts.convert.captions.CaptionJob`) share the one Ray code path; a job says what each worker builds once
(a mapper, a resolver) and how it turns one chunk into one result.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from uts.convert.formats import Format, JsonLines, RowFormat, row_format
from uts.convert.mapper import LegacyMapper, Tag, UserRow
from uts.errors import UsageError, UTSError
from uts.ontology.model import Level

if TYPE_CHECKING:
    from uts.ontology.ontology import Ontology

Chunk = list[tuple[str, tuple[str, ...]]]
"""Rows of one chunk: (clip ID, legacy labels)."""
ChunkT = TypeVar("ChunkT")
ChunkT_contra = TypeVar("ChunkT_contra", contravariant=True)
ResultT = TypeVar("ResultT")
ResultT_co = TypeVar("ResultT_co", covariant=True)


class Job(Protocol[ChunkT_contra, ResultT_co]):
    """What an engine runs: a picklable description, sent to every worker, of how that worker turns chunks into
    results; ``worker()`` is called once per worker process (it loads what every chunk needs)."""

    def worker(self) -> Callable[[ChunkT_contra], ResultT_co]: ...


@dataclass(frozen=True)
class ChunkJob:
    """What every worker needs to convert chunks the way the driver would."""

    release: str
    level: Level | None
    expand_ancestors: bool
    output_format: Format
    root: str | None = None
    extra: tuple[UserRow, ...] = ()  # the builder's own mapping rows
    audio_dir: str | None = None  # --format lhotse: where the clips' audio is (reachable by every worker)

    def worker(self) -> Callable[[Chunk], bytes]:
        return ChunkConverter(self).convert


class Engine(Protocol):
    root: Path | None  # where workers load the ontology from (default: the bundled release)

    def run(self, chunks: Iterable[ChunkT], job: Job[ChunkT, ResultT]) -> Iterator[ResultT]:
        """The result of each chunk, in the order of ``chunks``."""
        ...


def load_release(root: str | None, release: str) -> Ontology:
    """The ontology a worker loads (from ``root``, default the bundled release), checked to be the release the
    driver runs with: a worker on another node may have another one installed."""
    from uts.ontology import load_ontology

    ontology = load_ontology(root)
    if ontology.metadata.version != release:
        raise UTSError(
            f"the worker loaded UTS {ontology.metadata.version} from {root or 'the bundled release'}, but the "
            f"run uses {release}: give the engine (--root) the source root of that release, reachable by every worker"
        )
    return ontology


class ChunkConverter:
    """Turns chunks into output bytes; one per process (a Ray actor, or the local engine)."""

    def __init__(self, job: ChunkJob) -> None:
        ontology = load_release(job.root, job.release)
        self.mapper = LegacyMapper(ontology, level=job.level, expand_ancestors=job.expand_ancestors, extra=job.extra)
        self.fmt: RowFormat = row_format(job.output_format, audio_dir=Path(job.audio_dir) if job.audio_dir else None)
        self.tails: dict[tuple[str, ...], bytes] = {}

    def convert(self, chunk: Chunk) -> bytes:
        tails, fmt = self.tails, self.fmt
        row_tails = []
        for _, labels in chunk:
            tail = tails.get(labels)
            if tail is None:
                tail = tails[labels] = tail_of(labels, self.mapper, fmt)
            row_tails.append(tail)
        return fmt.rows([clip for clip, _ in chunk], row_tails)


class RayWorker:
    """One Ray actor: builds its job's worker once, then turns Ray Data's batches of pickled chunks into pickled
    results (any job's chunks and results travel the same way)."""

    def __init__(self, job: Job[Any, Any]) -> None:
        self.work = job.worker()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        return {"data": [pickle.dumps(self.work(pickle.loads(item))) for item in batch["chunk"]]}


def tail_of(labels: tuple[str, ...], mapper: LegacyMapper, fmt: RowFormat) -> bytes:
    """Everything of a clip's output row but its ID: the same for every clip with these labels (a dataset repeats
    its label sets), so it is made once per set."""
    if type(fmt) is JsonLines:  # the common case, from fragments made once per legacy class
        composed = fmt.compose(labels, mapper)
        if composed is not None:
            return composed
    tags: dict[str, Tag] = {}
    unmapped: list[str] = []
    for label in labels:
        mapped = mapper.map(label)
        if not mapped.tags:
            unmapped.append(label)
        for tag in mapped.tags:
            tags.setdefault(tag.concept_id, tag)
    return fmt.tail(labels, list(tags.values()), unmapped)


@dataclass
class RayEngine:
    """Ray Data: the chunks are converted by ``workers`` actors, on a local Ray (started here, stopped after)
    or on the cluster at ``address`` (``ray://host:10001`` or ``auto``). The driver hands Ray every chunk before
    the first result comes back, so the input's rows sit in Ray's object store (spread over a cluster's nodes)."""

    workers: int = 2
    address: str | None = None
    root: Path | None = None  # the source root the workers load the ontology from (default: the bundled release)

    def run(self, chunks: Iterable[ChunkT], job: Job[ChunkT, ResultT]) -> Iterator[ResultT]:
        try:
            import ray
            import ray.data
        except ImportError:
            raise UsageError("--engine ray needs Ray: pip install 'uts[ray]'") from None
        started = not ray.is_initialized()
        if started:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING)
            else:
                ray.init(
                    num_cpus=self.workers, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING
                )
        try:
            context = ray.data.DataContext.get_current()
            context.execution_options.preserve_order = True  # the output is written in input order
            context.enable_progress_bars = False
            items = [{"chunk": pickle.dumps(chunk)} for chunk in chunks]
            if not items:
                return
            data = ray.data.from_items(items, override_num_blocks=min(len(items), 4 * self.workers))
            converted = data.map_batches(
                RayWorker, fn_constructor_kwargs={"job": job}, batch_size=1, batch_format="default",
                compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(items))),  # no actor without a chunk
            )  # fmt: skip
            for batch in converted.iter_batches(batch_size=1, batch_format="default"):
                for part in batch["data"]:
                    yield pickle.loads(part)
        finally:
            if started:
                ray.shutdown()


__all__ = ["Chunk", "ChunkConverter", "ChunkJob", "Engine", "Job", "RayEngine", "RayWorker", "load_release", "tail_of"]
