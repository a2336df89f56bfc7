"""Micro-batching of encoder calls: the requests of many threads (a web server's) joined into one model call.

A sentence encoder costs little more for 64 texts than for one, so a server that encodes each request on its own
wastes most of the model's throughput under load. Callers block in :meth:`MicroBatcher.encode`; one worker thread
takes every request waiting (collecting for at most ``max_wait`` seconds, up to ``max_batch`` texts), runs the
encoder once and hands each caller its rows. While the model runs, the next batch gathers by itself.

Callers that want nearest concepts rather than vectors (:meth:`MicroBatcher.nearest`) get the search done once
over the whole batch, by a second thread that answers one batch while the model already runs on the next: a
product of 240 query rows costs 67 µs a row, one of 10 rows 200 µs a row (the concept matrix is read from memory
either way), and run in each request beside the model it took cores from it (bench_api.py, 2 cores, 64 clients
sending 10 unseen tags each: 63% of the bare encoder's throughput with the search in each request, 71-81% here).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from uts.matching.encoders import Encoder

if TYPE_CHECKING:
    import numpy as np

    from uts.matching.candidate import Candidate
    from uts.matching.embedding import EmbeddingIndex


class _Job:
    """One caller's texts; with an index, the caller wants their ``k`` nearest concepts instead of vectors."""

    __slots__ = ("done", "index", "k", "texts")

    def __init__(self, texts: list[str], index: EmbeddingIndex | None, k: int) -> None:
        self.texts, self.index, self.k = texts, index, k
        self.done: Future[Any] = Future()


class MicroBatcher:
    """An :class:`~uts.matching.encoders.Encoder` that joins concurrent calls into batches of ``encoder``'s."""

    def __init__(self, encoder: Encoder, *, max_wait: float = 0.002, max_batch: int = 256) -> None:
        self.encoder = encoder
        self.backend = getattr(encoder, "backend", "batched")
        self.max_wait = max_wait
        self.max_batch = max_batch
        self.batches = 0  # encoder calls made, for the figures of a benchmark
        self.texts = 0
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[list[_Job], Any]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        result: np.ndarray = self._submit(_Job(list(texts), None, 0))
        return result

    def nearest(self, index: EmbeddingIndex, texts: Sequence[str], k: int = 1) -> list[list[Candidate]]:
        """``index.search(texts, k)``, with the encoding and the search shared with concurrent callers."""
        result: list[list[Candidate]] = self._submit(_Job(list(texts), index, k))
        return result

    def _submit(self, job: _Job) -> Any:
        if self._worker is None:
            with self._start:
                if self._worker is None:
                    threading.Thread(target=self._finish, name="uts-encoder-answers", daemon=True).start()
                    self._worker = threading.Thread(target=self._run, name="uts-encoder-batcher", daemon=True)
                    self._worker.start()
        self._queue.put(job)
        return job.done.result()

    def _run(self) -> None:
        """Collect a batch, run the model on it, hand it to the answering thread, and go on with the next."""
        while True:
            first = self._queue.get()
            batch = [first]
            size = len(first.texts)
            deadline = time.monotonic() + self.max_wait
            while size < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    try:
                        item = self._queue.get(timeout=left)
                    except queue.Empty:
                        break
                batch.append(item)
                size += len(item.texts)
            try:
                vectors: Any = self.encoder.encode([t for job in batch for t in job.texts])
            except BaseException as exc:  # every waiting caller hears of the failure; the worker goes on
                vectors = exc
            self._done.put((batch, vectors))

    def _finish(self) -> None:
        """Search and answer each encoded batch while the model already runs on the next one."""
        while True:
            batch, vectors = self._done.get()
            try:
                if isinstance(vectors, BaseException):
                    raise vectors
                answers = self._answers(batch, vectors)
            except BaseException as exc:
                for job in batch:
                    job.done.set_exception(exc)
                continue
            self.batches += 1
            self.texts += sum(len(job.texts) for job in batch)
            for job, answer in zip(batch, answers, strict=True):
                if isinstance(answer, BaseException):
                    job.done.set_exception(answer)
                else:
                    job.done.set_result(answer)

    @staticmethod
    def _answers(batch: list[_Job], vectors: np.ndarray) -> list[Any]:
        """Each caller's rows, or the nearest concepts of its rows: one search per (index, k) for the batch. A
        search that fails answers its own callers with the error; the others get their answers."""
        import numpy as np

        answers: list[Any] = []
        at = 0
        for job in batch:
            answers.append(vectors[at : at + len(job.texts)])
            at += len(job.texts)
        searches: dict[tuple[int, int], list[int]] = {}
        for n, job in enumerate(batch):
            if job.index is not None:
                searches.setdefault((id(job.index), job.k), []).append(n)
        for jobs in searches.values():
            first = batch[jobs[0]]
            assert first.index is not None
            try:
                found = first.index.search_vectors(np.vstack([answers[n] for n in jobs]), k=first.k)
            except Exception as exc:
                for n in jobs:
                    answers[n] = exc
                continue
            at = 0
            for n in jobs:
                answers[n], at = found[at : at + len(batch[n].texts)], at + len(batch[n].texts)
        return answers


__all__ = ["MicroBatcher"]
