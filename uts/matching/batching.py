"""Micro-batching of encoder calls: the requests of many threads (a web server's) joined into one model call.

A sentence encoder costs little more for 64 texts than for one, so a server that encodes each request on its own
wastes most of the model's throughput under load. Callers block in :meth:`MicroBatcher.encode`; a worker thread
takes every request waiting (collecting for at most ``max_wait`` seconds, up to ``max_batch`` texts), runs the
encoder once and hands each caller its rows. While the model runs, the next batch gathers by itself.

With ``workers`` > 1 (a server gives one per core, each model run on one thread), every worker runs batches of its
own and none ever waits for another: a request thread that takes a core for a moment delays one run, where a model
run spread over every core would stall all of them at its next join (bench_api.py, 2 cores shared with the request
threads and the client, 64 clients sending 10 unseen tags each: 78-83% of the bare encoder's throughput through one
two-thread worker, 82-105% through two one-thread workers). A small batch collected while another worker sits idle
is shared with it, so one request alone still gets every core.

Callers that want nearest concepts rather than vectors (:meth:`MicroBatcher.nearest`) get the search done once
over the whole batch, by a thread that answers one batch while the model already runs on the next.
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

# A batch is shared with idle workers only in parts of at least this many texts (a model run has a fixed cost), and
# only while it is small: a big one means callers are queueing, and the idle worker will have a batch of its own in
# a moment (sharing it then only cut every run in two: about 10% more CPU a text, bench_api.py at 64 clients).
SMALLEST_PART = 2
LARGEST_SHARED = 64


class _Job:
    """One caller's texts; with an index, the caller wants their ``k`` nearest concepts instead of vectors."""

    __slots__ = ("done", "index", "k", "texts")

    def __init__(self, texts: list[str], index: EmbeddingIndex | None, k: int) -> None:
        self.texts, self.index, self.k = texts, index, k
        self.done: Future[Any] = Future()


class _Part:
    """Texts of one worker's batch offered to the others: whoever claims it first encodes it (its owner too, once
    done with its own part, so a part nobody took never waits)."""

    __slots__ = ("_claim", "done", "texts")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.done: Future[Any] = Future()
        self._claim = threading.Lock()

    def run(self, encoder: Encoder) -> None:
        """Encode the part unless another worker has claimed it."""
        if not self._claim.acquire(blocking=False):
            return
        try:
            self.done.set_result(encoder.encode(self.texts))
        except BaseException as exc:  # its owner raises it, as its own run's failure
            self.done.set_exception(exc)


class MicroBatcher:
    """An :class:`~uts.matching.encoders.Encoder` that joins concurrent calls into batches of ``encoder``'s.

    ``workers``: the model runs made at once (``encoder`` must allow concurrent calls, as ONNX Runtime does).
    """

    def __init__(self, encoder: Encoder, *, max_wait: float = 0.002, max_batch: int = 256, workers: int = 1) -> None:
        self.encoder = encoder
        self.backend = getattr(encoder, "backend", "batched")
        self.max_wait = max_wait
        self.max_batch = max_batch
        self.workers = workers
        self.batches = 0  # batches answered, for the figures of a benchmark
        self.texts = 0
        self._queue: queue.SimpleQueue[_Job | _Part] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[list[_Job], Any]] = queue.SimpleQueue()
        self._idle = 0  # workers waiting for work
        self._count = threading.Lock()
        self._started = False
        self._start = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        result: np.ndarray = self._submit(_Job(list(texts), None, 0))
        return result

    def nearest(self, index: EmbeddingIndex, texts: Sequence[str], k: int = 1) -> list[list[Candidate]]:
        """``index.search(texts, k)``, with the encoding and the search shared with concurrent callers."""
        result: list[list[Candidate]] = self._submit(_Job(list(texts), index, k))
        return result

    def _submit(self, job: _Job) -> Any:
        if not self._started:
            with self._start:
                if not self._started:
                    threading.Thread(target=self._finish, name="uts-encoder-answers", daemon=True).start()
                    for n in range(self.workers):
                        threading.Thread(target=self._run, name=f"uts-encoder-{n}", daemon=True).start()
                    self._started = True
        self._queue.put(job)
        return job.done.result()

    def _run(self) -> None:
        """Collect a batch, run the model on it, hand it to the answering thread, and go on with the next."""
        while True:
            first = self._next()
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
                if isinstance(item, _Part):  # another worker's, waiting: it goes first
                    item.run(self.encoder)
                    continue
                batch.append(item)
                size += len(item.texts)
            try:
                vectors: Any = self._encode([t for job in batch for t in job.texts])
            except BaseException as exc:  # every waiting caller hears of the failure; the worker goes on
                vectors = exc
            self._done.put((batch, vectors))

    def _next(self) -> _Job:
        """The next caller's job, waiting for it as an idle worker; parts of others' batches met first are run."""
        while True:
            with self._count:
                self._idle += 1
            try:
                item = self._queue.get()
            finally:
                with self._count:
                    self._idle -= 1
            if isinstance(item, _Job):
                return item
            item.run(self.encoder)

    def _encode(self, texts: list[str]) -> Any:
        """The batch's vectors; shared out in parts (texts of like lengths dealt round) while workers are idle."""
        with self._count:
            helpers = min(self._idle, len(texts) // SMALLEST_PART - 1)
        if helpers <= 0 or len(texts) > LARGEST_SHARED:
            return self.encoder.encode(texts)
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        shares = [order[n :: helpers + 1] for n in range(helpers + 1)]
        parts = [_Part([texts[i] for i in share]) for share in shares]
        for part in parts[1:]:
            self._queue.put(part)
        for part in parts:  # its own first; then any part no idle worker took after all
            part.run(self.encoder)
        out = np.empty((len(texts), *np.shape(parts[0].done.result())[1:]), dtype=np.float32)
        for share, part in zip(shares, parts, strict=True):
            out[share] = part.done.result()
        return out

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
