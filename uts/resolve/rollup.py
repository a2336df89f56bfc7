"""Which concept a match is reported as at one paper level: itself inside the level, else an ancestor inside it.

Per resolver (each has its level), over the shared lexical index of the ontology.
"""

from __future__ import annotations

from functools import lru_cache

from uts.ontology.model import Level
from uts.ontology.ontology import Ontology
from uts.resolve.cache import CacheInfo
from uts.resolve.index import LexicalIndex

Target = tuple[str, str | None]
"""``(reported concept, rolled_up_from)``: the second is the matched concept when an ancestor stands for it."""


class Rollup:
    """The concepts of one level, and the nearest one inside it for every concept outside.

    Of several ancestors at the same distance, the best-ranked one wins (``rank_key``: rank 0 is the best).
    """

    def __init__(
        self, ontology: Ontology, index: LexicalIndex, level: Level | None, *, rollup: bool, cache_size: int
    ) -> None:
        self.level = level
        self.rollup = rollup
        self.members: frozenset[str] | None = None
        if level is not None:
            self.members = frozenset(c.id for c in ontology.in_level(level))
        self._index = index
        # Bounded and thread-safe; the answers are a pure function of the concept.
        self._outside = lru_cache(maxsize=cache_size)(self._nearest_inside)

    def target(self, concept_id: str) -> Target | None:
        """The concept reported for a match, or ``None`` when it is outside the level and cannot roll up (no
        ancestor inside it, or ``rollup=False``: the paper's behaviour)."""
        members = self.members
        if members is None or concept_id in members:
            return concept_id, None
        return self._outside(concept_id)

    def _nearest_inside(self, concept_id: str) -> Target | None:
        members = self.members
        if not self.rollup or members is None:
            return None
        broader, rank = self._index.broader, self._index.ranks.__getitem__
        frontier, seen = [concept_id], {concept_id}
        while frontier:
            parents = sorted({p for c in frontier for p in broader[c] if p not in seen}, key=rank)
            for parent in parents:
                if parent in members:
                    return parent, concept_id
            seen.update(parents)
            frontier = parents
        return None

    def cache_info(self) -> CacheInfo:
        """The cache of the targets of concepts outside the level."""
        info = self._outside.cache_info()
        return CacheInfo(info.hits, info.misses, info.maxsize or 0, info.currsize)


__all__ = ["Rollup", "Target"]
