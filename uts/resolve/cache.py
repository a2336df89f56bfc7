"""Bounded caches and counters that many threads can use at once: a server shares one Resolver between requests.

Every read or write of an :class:`LRUCache` holds its lock for one short step (the batch methods for one batch),
so entries are never lost or half-written; the answers themselves are computed outside the lock, so two threads
asking the same new question may both compute it, and both get the same answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Answer = tuple[str, float]
"""An encoder answer: the nearest active concept of a query and its cosine."""


class CacheInfo(NamedTuple):
    """The fields of ``functools.lru_cache``'s ``cache_info()``, for every cache of a resolver alike."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class LRUCache(Generic[K, V]):
    """A map of at most ``maxsize`` entries that forgets the least recently used one first.

    ``None`` is never a value: reads answer ``None`` for a missing key.

    >>> cache: LRUCache[str, int] = LRUCache(2)
    >>> cache.put("a", 1); cache.put("b", 2); cache.get("a"); cache.put("c", 3)
    1
    >>> cache.get_many(["a", "b", "c"])
    ([1, None, 3], 1)
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"a cache holds at least one entry, not {maxsize}")
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self._misses += 1
            else:
                self._data.move_to_end(key)
                self._hits += 1
        return value

    def get_many(self, keys: Iterable[K]) -> tuple[list[V | None], int]:
        """The value of each key (``None`` when missing) and how many are missing, under one lock; each key
        found becomes the most recently used."""
        out: list[V | None] = []
        missing = 0
        with self._lock:
            data = self._data
            get, touch, append = data.get, data.move_to_end, out.append
            for key in keys:
                value = get(key)
                if value is None:
                    missing += 1
                else:
                    touch(key)
                append(value)
            self._hits += len(out) - missing
            self._misses += missing
        return out, missing

    def put(self, key: K, value: V) -> None:
        with self._lock:
            data = self._data
            data[key] = value
            data.move_to_end(key)
            if len(data) > self.maxsize:
                data.popitem(last=False)

    def put_many(self, items: Iterable[tuple[K, V]]) -> None:
        """Store values under one lock, forgetting the least recently used entries beyond ``maxsize``."""
        with self._lock:
            data = self._data
            for key, value in items:
                data[key] = value
                data.move_to_end(key)
            while len(data) > self.maxsize:
                data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.maxsize, len(self._data))


class EmbeddingCache(LRUCache[str, Answer]):
    """Encoder answers by query (stripped and case-folded): the costly part of a resolver, worth sharing.

    Resolvers that differ only in thresholds, level or caches may share one (``Resolver(..., embed_cache=c)``),
    since the nearest concept of a query does not depend on them; it must not be shared between ontologies or
    encoder backends.
    """


@dataclass(frozen=True, slots=True)
class ResolverStats:
    """Counters a long-running pipeline can log; subtract two snapshots for the work done in between."""

    encoded: int = 0  # distinct texts sent to the encoder
    embed_cache_hits: int = 0  # encoder queries answered without it: cached, or asked twice in one batch
    tag_cache_hits: int = 0  # raw tags answered without work: cached, or repeated in one batch

    def __sub__(self, other: ResolverStats) -> ResolverStats:
        return ResolverStats(
            self.encoded - other.encoded,
            self.embed_cache_hits - other.embed_cache_hits,
            self.tag_cache_hits - other.tag_cache_hits,
        )


class Counters:
    """The live counters behind :class:`ResolverStats`, added to under a lock so no increment is lost."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = [0, 0, 0]

    def add(self, *, encoded: int = 0, embed_cache_hits: int = 0, tag_cache_hits: int = 0) -> None:
        with self._lock:
            values = self._values
            values[0] += encoded
            values[1] += embed_cache_hits
            values[2] += tag_cache_hits

    def snapshot(self) -> ResolverStats:
        with self._lock:
            return ResolverStats(*self._values)


__all__ = ["Answer", "CacheInfo", "Counters", "EmbeddingCache", "LRUCache", "ResolverStats"]
