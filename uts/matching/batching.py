"""Micro-batching of encoder calls: the requests of many threads (a web server's) joined into one model call.

A sentence encoder costs little more for 64 texts than for one, so a server that encodes each request on its own
wastes most of the model's throughput under load. Callers block in :meth:`MicroBatcher.encode`; one worker thread
takes every request waiting (collecting for at most ``max_wait`` seconds, up to ``max_batch`` texts), runs the
encoder once and hands each caller its rows. While the model runs, the next batch gathers by itself.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

from uts.matching.encoders import Encoder

if TYPE_CHECKING:
    import numpy as np


class MicroBatcher:
    """An :class:`~uts.matching.encoders.Encoder` that joins concurrent calls into batches of ``encoder``'s."""

    def __init__(self, encoder: Encoder, *, max_wait: float = 0.002, max_batch: int = 1024) -> None:
        self.encoder = encoder
        self.backend = getattr(encoder, "backend", "batched")
        self.max_wait = max_wait
        self.max_batch = max_batch
        self.batches = 0  # encoder calls made, for the figures of a benchmark
        self.texts = 0
        self._queue: queue.SimpleQueue[tuple[list[str], Future[np.ndarray]]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        if self._worker is None:
            with self._start:
                if self._worker is None:
                    self._worker = threading.Thread(target=self._run, name="uts-encoder-batcher", daemon=True)
                    self._worker.start()
        done: Future[np.ndarray] = Future()
        self._queue.put((list(texts), done))
        return done.result()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            size = len(first[0])
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
                size += len(item[0])
            self._encode(batch)

    def _encode(self, batch: list[tuple[list[str], Future[np.ndarray]]]) -> None:
        texts = [t for texts, _ in batch for t in texts]
        try:
            vectors = self.encoder.encode(texts)
        except BaseException as exc:  # every waiting caller hears of the failure; the worker goes on
            for _, done in batch:
                done.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(texts)
        at = 0
        for texts_of, done in batch:
            done.set_result(vectors[at : at + len(texts_of)])
            at += len(texts_of)


__all__ = ["MicroBatcher"]
