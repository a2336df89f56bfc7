"""A JSONL file resolved into another file, safely: ``uts resolve --input IN --output OUT [--resume]``.

The output is never the input, and nothing is opened for writing until the input is known to be readable.
Records go to ``OUT.partial``, which becomes ``OUT`` in one rename when the input is done, so ``OUT`` is either
absent or whole. An interrupted run (Ctrl-C, ``SIGTERM``, a full disk) leaves ``OUT.partial`` and a small state
file saying how far it got; ``--resume`` continues from there and writes the same bytes an uninterrupted run
would have (resolving is deterministic, and batches start where they started before). The state is also saved
every ``SAVE_EVERY`` seconds, so even a killed run loses at most that much work.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from uts.errors import Problem, SourceError, StorageError, UsageError, UTSError
from uts.io.atomic import write_atomic
from uts.resolve.resolver import Resolver
from uts.resolve.stream import Checkpoint, StreamError, StreamLimits, stream_jsonl

STATE_FORMAT = "uts-resolve-resume/1"
SAVE_EVERY = 30.0  # seconds between saved states during a long run


@dataclass(frozen=True)
class StreamOptions:
    top_k: int | None = None
    min_score: float = 0.0
    limits: StreamLimits = field(default_factory=StreamLimits)
    strict: bool = False
    batch: int = 256

    def run(
        self,
        resolver: Resolver,
        source: IO[bytes],
        sink: IO[bytes],
        *,
        name: str,
        on_problem: Callable[[Problem], None],
        on_checkpoint: Callable[[Checkpoint], None],
        start: Checkpoint | None = None,
    ) -> Checkpoint:
        """Stream ``source`` to ``sink`` with these options (the one call every output kind makes)."""
        return stream_jsonl(
            resolver,
            source,
            sink,
            name=name,
            top_k=self.top_k,
            min_score=self.min_score,
            limits=self.limits,
            strict=self.strict,
            batch=self.batch,
            start=start,
            on_problem=on_problem,
            on_checkpoint=on_checkpoint,
        )


class InterruptedRunError(UTSError):
    """The run stopped before the end of its input; ``--resume`` continues it."""

    def __init__(self, message: str, checkpoint: Checkpoint) -> None:
        super().__init__(message)
        self.checkpoint = checkpoint


def partial_paths(output: Path) -> tuple[Path, Path]:
    """Where an unfinished run keeps its records and its state."""
    return output.with_name(output.name + ".partial"), output.with_name(output.name + ".partial.json")


def check_paths(source: Path | None, output: Path | None) -> None:
    """Refuse, before anything is opened for writing, an input that cannot be read or an output that would lose
    it (the local stream and the batch engines check the same)."""
    if source is not None:
        if not source.exists():
            raise SourceError(f"{source}: no such file; pass a JSONL file of {{id, text}} or {{id, tags}} records")
        if source.is_dir():
            raise SourceError(f"{source} is a folder; pass a JSONL file")
        try:
            with source.open("rb"):
                pass
        except OSError as exc:
            raise SourceError(f"{source}: cannot be read ({exc.strerror}); check its permissions") from None
    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a folder; name a file to write")
    if not output.parent.is_dir():
        raise UsageError(f"--output {output}: the folder {output.parent} does not exist; create it first")
    if source is not None and (
        source.resolve() == output.resolve() or (output.exists() and os.path.samefile(source, output))
    ):
        raise UsageError(f"--output {output} is the input file; write to another file (the input would be lost)")


def _fingerprint(resolver: Resolver, options: StreamOptions) -> dict[str, Any]:
    """What must not change between a run and its resume, or the output would not be one run's output."""
    return {
        "uts": resolver.ontology.metadata.version,
        "resolver": json.loads(resolver.config.model_dump_json()),
        "top_k": options.top_k,
        "min_score": options.min_score,
        "limits": options.limits.model_dump(),
        "strict": options.strict,
        "batch": options.batch,
    }


def _identity(source: Path) -> dict[str, Any]:
    stat = source.stat()
    return {"path": str(source.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_state(state: Path, source: Path, fingerprint: dict[str, Any], partial: Path) -> Checkpoint:
    """The checkpoint to resume from, after checking the input and the options are those of the interrupted run."""
    if not state.exists() or not partial.exists():
        raise UsageError(f"there is no interrupted run to resume ({partial} is missing); run without --resume")
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            raise ValueError("unknown format")
        checkpoint = Checkpoint.from_json(data["checkpoint"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            f"{state}: cannot be read as a resume state ({exc}); delete it and {partial} to start over"
        ) from None
    if data.get("input") != _identity(source):
        raise UsageError(f"{source} changed since the interrupted run; delete {partial} and {state} to start over")
    if data.get("run") != fingerprint:
        raise UsageError(
            "the options (level, thresholds, limits, ...) differ from those of the interrupted run; "
            f"resume with the same options, or delete {partial} and {state} to start over"
        )
    if partial.stat().st_size < checkpoint.output_bytes:
        raise SourceError(f"{partial} is shorter than its state says; delete it and {state} to start over")
    return checkpoint


def resolve_file(
    resolver: Resolver,
    source: Path | None,
    output: Path | None,
    *,
    options: StreamOptions | None = None,
    resume: bool = False,
    on_problem: Callable[[Problem], None] = lambda problem: None,
    on_progress: Callable[[int], None] = lambda offset: None,
) -> Checkpoint:
    """Resolve the JSONL ``source`` (``None``: standard input) into ``output`` (``None``: standard output).

    Returns the final checkpoint (its ``summary`` counts every line); raises ``InterruptedRunError`` when stopped
    early, ``SourceError`` when the input holds no record at all, ``StreamError`` at a bad record when strict.
    """
    options = options or StreamOptions()
    check_paths(source, output)
    if resume and (source is None or output is None):
        raise UsageError("--resume needs --input and --output files (standard input and output cannot resume)")
    name = str(source) if source is not None else "<stdin>"
    if output is None or (output.exists() and not output.is_file()):
        # Standard output, a device or a pipe: written as the records come, with nothing to resume.
        if resume:
            raise UsageError("--resume needs an --output file (a pipe or a device cannot resume)")
        return _unresumable(resolver, source, output, name, options, on_problem, on_progress)
    partial, state = partial_paths(output)
    fingerprint = _fingerprint(resolver, options)
    start = Checkpoint()
    if resume:
        assert source is not None
        start = _read_state(state, source, fingerprint, partial)
    elif partial.exists() or state.exists():
        raise UsageError(f"an interrupted run left {partial}; pass --resume to continue it, or delete it to start over")
    identity = _identity(source) if source is not None else None
    with _open_source(source) as handle, partial.open("r+b" if resume else "wb") as sink:
        if resume:
            sink.truncate(start.output_bytes)
            sink.seek(start.output_bytes)
            handle.seek(start.offset)
        progress = _Progress(start, time.monotonic())

        def save(checkpoint: Checkpoint) -> None:
            sink.flush()
            os.fsync(sink.fileno())
            record = {"format": STATE_FORMAT, "input": identity, "run": fingerprint, "checkpoint": checkpoint.to_json()}
            write_atomic(state, json.dumps(record, indent=1).encode("utf-8"))

        def reached(checkpoint: Checkpoint) -> None:
            progress.checkpoint = checkpoint
            on_progress(checkpoint.offset)
            if time.monotonic() - progress.saved_at > SAVE_EVERY:
                save(checkpoint)
                progress.saved_at = time.monotonic()

        try:
            end = options.run(
                resolver, handle, sink, name=name, start=start, on_problem=on_problem, on_checkpoint=reached
            )
            sink.flush()
            os.fsync(sink.fileno())
        except KeyboardInterrupt:
            checkpoint = progress.checkpoint
            save(checkpoint)
            raise InterruptedRunError(
                f"stopped after line {checkpoint.line:,} of {name} ({checkpoint.summary.items:,} records in "
                f"{partial}); run the same command with --resume to continue",
                checkpoint,
            ) from None
        except OSError as exc:
            with contextlib.suppress(OSError):  # the disk may be too full for the state too
                save(progress.checkpoint)
            raise StorageError(
                f"cannot write {partial} ({exc.strerror}); make room and run the same command with --resume"
            ) from None
        except StreamError:
            sink.close()
            _discard(partial, state)
            raise
    if end.summary.items == 0:
        _discard(partial, state)
        raise SourceError(nothing_read(name, end))
    os.replace(partial, output)
    state.unlink(missing_ok=True)
    return end


def nothing_read(name: str, end: Checkpoint) -> str:
    """Why a run that read no record fails, in words that say what to pass instead."""
    if end.summary.malformed:
        return f"{name}: none of its {end.summary.malformed:,} records could be read (see the warnings above)"
    return f"{name} holds no records; pass a JSONL file of {{id, text}} or {{id, tags}} records"


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@dataclass
class _Progress:
    checkpoint: Checkpoint
    saved_at: float


def _open_source(source: Path | None) -> AbstractContextManager[IO[bytes]]:
    """The input as bytes; standard input is read as it is and left open."""
    if source is None:
        return contextlib.nullcontext(sys.stdin.buffer)
    return source.open("rb")


def _unresumable(
    resolver: Resolver,
    source: Path | None,
    output: Path | None,
    name: str,
    options: StreamOptions,
    on_problem: Callable[[Problem], None],
    on_progress: Callable[[int], None],
) -> Checkpoint:
    progress = _Progress(Checkpoint(), 0.0)

    def reached(checkpoint: Checkpoint) -> None:
        progress.checkpoint = checkpoint
        on_progress(checkpoint.offset)

    # A device or pipe is written unbuffered, so a failed write (a full disk) is reported where it happens.
    sink_context = contextlib.nullcontext(sys.stdout.buffer) if output is None else output.open("wb", buffering=0)
    with _open_source(source) as handle, sink_context as sink:
        try:
            end = options.run(resolver, handle, sink, name=name, on_problem=on_problem, on_checkpoint=reached)
            sink.flush()
        except KeyboardInterrupt:
            raise InterruptedRunError(
                f"stopped after line {progress.checkpoint.line:,} of {name}; "
                "write to a file (--output) to be able to resume",
                progress.checkpoint,
            ) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            target = "standard output" if output is None else str(output)
            raise StorageError(f"cannot write {target} ({exc.strerror})") from None
    if end.summary.items == 0:
        raise SourceError(nothing_read(name, end))
    return end


__all__ = ["InterruptedRunError", "StreamOptions", "check_paths", "nothing_read", "partial_paths", "resolve_file"]
