"""The encoder micro-batcher: concurrent callers share encoder calls and each gets exactly its own vectors."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import needs_embed

pytestmark = needs_embed


class Counting:
    """The real encoder, counting its calls."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> Any:
        with self.lock:
            self.calls.append(len(texts))
        return self.encoder.encode(texts, batch_size=batch_size)


def test_concurrent_calls_share_encoder_calls_and_get_their_own_rows(uts_cache: object) -> None:
    import numpy as np

    from uts.matching.batching import MicroBatcher
    from uts.matching.encoders import get_encoder

    encoder = get_encoder("onnx")
    counting = Counting(encoder)
    batcher = MicroBatcher(counting, max_wait=0.01)
    requests = [[f"request {n} phrase {k}" for k in range(n % 5 + 1)] for n in range(64)]
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(batcher.encode, requests))
    for texts, vectors in zip(requests, answers, strict=True):
        assert vectors.shape == (len(texts), 384)
        np.testing.assert_allclose(vectors, encoder.encode(texts), atol=1e-4)  # its own rows, in order
    assert sum(counting.calls) == sum(len(r) for r in requests)
    assert len(counting.calls) < len(requests)  # shared calls
    assert batcher.batches == len(counting.calls)


def test_an_encoder_failure_reaches_every_waiting_caller_and_the_batcher_goes_on() -> None:
    from uts.matching.batching import MicroBatcher

    class Failing:
        def __init__(self) -> None:
            self.fail = True

        def encode(self, texts: Sequence[str], batch_size: int = 256) -> Any:
            if self.fail:
                raise RuntimeError("model crashed")
            return [[float(len(t))] for t in texts]

    failing = Failing()
    batcher = MicroBatcher(failing, max_wait=0.01)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.encode, [f"t{n}"]) for n in range(4)]
        for future in futures:
            with pytest.raises(RuntimeError, match="model crashed"):
                future.result()
    failing.fail = False
    assert batcher.encode(["abc"]) == [[3.0]]


def test_nearest_searches_once_per_batch_and_matches_the_index_search(uts_cache: object) -> None:
    """Callers asking for nearest concepts (a server's resolvers) and callers asking for vectors share batches;
    each gets what the index's own search (or the encoder) answers for its texts alone."""
    import numpy as np

    from uts import load_ontology
    from uts.matching.batching import MicroBatcher
    from uts.matching.encoders import get_encoder
    from uts.resolve import Resolver

    encoder = get_encoder("onnx")
    index = Resolver(load_ontology(), backend="onnx").embedding_index
    batcher = MicroBatcher(Counting(encoder), max_wait=0.05)
    words = ["a dog barking far away", "heavy rain on a roof", "distorted electric guitar", "church bells", "wind"]

    def call(n: int) -> Any:
        texts = words[n % 5 :] + words[: n % 3]
        if n % 3 == 0:
            return texts, "vectors", batcher.encode(texts)
        k = 1 + n % 2
        return texts, k, batcher.nearest(index, texts, k=k)

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(call, range(48)))
    assert batcher.batches < len(answers)
    for texts, kind, got in answers:
        if kind == "vectors":
            np.testing.assert_allclose(got, encoder.encode(texts), atol=1e-4)
            continue
        expected = index.search(texts, k=kind)
        assert [[c.concept_id for c in row] for row in got] == [[c.concept_id for c in row] for row in expected]
        assert [c.score for row in got for c in row] == pytest.approx(
            [c.score for row in expected for c in row], abs=1e-4
        )


def test_a_failing_search_fails_only_its_own_callers(uts_cache: object) -> None:
    """Callers of another index, and callers that want vectors, still get their answers."""
    from uts import load_ontology
    from uts.matching.batching import MicroBatcher
    from uts.matching.encoders import get_encoder
    from uts.resolve import Resolver

    class Broken:
        def search_vectors(self, vectors: Any, k: int = 5) -> Any:
            raise RuntimeError("index damaged")

    index = Resolver(load_ontology(), backend="onnx").embedding_index
    batcher = MicroBatcher(get_encoder("onnx"), max_wait=0.2)
    with ThreadPoolExecutor(3) as pool:
        good = pool.submit(batcher.nearest, index, ["church bells"], 1)
        bad = pool.submit(batcher.nearest, Broken(), ["church bells"], 1)  # type: ignore[arg-type]
        plain = pool.submit(batcher.encode, ["church bells"])
        assert good.result()[0][0].concept_id
        with pytest.raises(RuntimeError, match="index damaged"):
            bad.result()
        assert plain.result().shape == (1, 384)


def wait_until_idle(batcher: Any) -> None:
    """Every worker back waiting for work (a worker that just answered takes a moment to get there)."""
    deadline = time.monotonic() + 10
    while batcher._idle < batcher.workers:
        assert time.monotonic() < deadline, "the workers never went idle"
        time.sleep(0.001)


def test_workers_run_batches_side_by_side_and_share_a_lone_one(uts_cache: object) -> None:
    """Two workers on a one-thread encoder: many callers each get exactly their own rows; a lone caller's batch is
    split between the idle workers (two model calls), and a failing part fails its callers, not the batcher."""
    import numpy as np

    from uts.matching.batching import MicroBatcher
    from uts.matching.encoders import OnnxEncoder

    encoder = OnnxEncoder(threads=1)
    counting = Counting(encoder)
    batcher = MicroBatcher(counting, max_wait=0.005, workers=2)
    requests = [[f"caller {n} says {'word ' * k}" for k in range(n % 7 + 1)] for n in range(96)]
    with ThreadPoolExecutor(48) as pool:
        answers = list(pool.map(batcher.encode, requests))
    for texts, vectors in zip(requests, answers, strict=True):
        np.testing.assert_allclose(vectors, encoder.encode(texts), atol=1e-5)
    assert sum(counting.calls) == sum(len(r) for r in requests)

    counting.calls.clear()
    wait_until_idle(batcher)
    alone = [f"a lone request, tag {n}" for n in range(10)]
    np.testing.assert_allclose(batcher.encode(alone), encoder.encode(alone), atol=1e-5)
    assert sorted(counting.calls) == [5, 5]  # both workers ran half of it

    class FailsOnLong:
        threads = 1

        def encode(self, texts: Sequence[str], batch_size: int = 256) -> Any:
            if any(len(t) > 5 for t in texts):
                raise RuntimeError("model crashed")
            return np.zeros((len(texts), 384), dtype=np.float32)

    failing = MicroBatcher(FailsOnLong(), max_wait=0.005, workers=2)
    failing.encode(["warm"])  # both workers started
    wait_until_idle(failing)
    with pytest.raises(RuntimeError, match="model crashed"):
        failing.encode(["a", "b", "c", "a much longer text"])
    assert failing.encode(["a", "b", "c", "d"]).shape == (4, 384)
