"""Search and autocomplete over every label of every concept: preferred, alternative, hidden and narrower terms, in
English and in every other language the concept has labels in ("perro" finds dog, and says it matched Spanish).

An annotator types the start of a word ("bark", "hi fi") or a misspelling ("accordian") and expects the concept,
with the label that matched, so a hit on a narrower term ("poodle" -> dog) does not look like a mistake. Matches
rank exact, then label prefix, then word prefix (the start of any word of a label), then typo-tolerant, a label
in another language after the English ones of its kind and the next; deprecated concepts are left out unless asked for, and say
what replaces them.

>>> from uts import load_ontology
>>> hit = LabelSearch(load_ontology()).search("hi-fi")[0]
>>> hit.label, hit.matched, hit.how
('high-fidelity', 'hi-fi', 'exact')
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from uts.lexical import normalise
from uts.ontology.model import ENGLISH, LabelScope, Level, Status
from uts.ontology.ontology import Ontology

How = Literal["exact", "prefix", "word", "fuzzy"]
_RANK = {"exact": 0, "prefix": 1, "word": 2, "fuzzy": 3}
_WORD_START = re.compile(r"(?:^|[\s_\-/&+])(\w)")
MAX_QUERY = 200  # characters: longer input is no label anyone types
_LATIN = re.compile(r"[a-z0-9]")


class SearchHit(BaseModel):
    """A concept found by one of its labels."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The concept's ID.")
    label: str = Field(description="The concept's preferred label.")
    matched: str = Field(description="The label that matched the query (preferred, alternative, hidden or narrower).")
    scope: Literal["preferred", "alt", "hidden", "narrower"] = Field(
        description="The kind of label that matched (in its language: 'preferred' for the preferred label there)."
    )
    lang: str = Field(default="en", description="The language of the label that matched (BCP 47), e.g. 'en', 'es'.")
    how: How = Field(
        description="exact: the whole label; prefix: the label starts with the query; word: a word of the label "
        "does; fuzzy: the label is close to the query (a typo)."
    )
    score: float = Field(ge=0, le=1, description="How close the match is: 1 for exact, lower for weaker matches.")
    status: Status = Field(description="active or deprecated.")
    replaced_by: str | None = Field(default=None, description="For a deprecated concept: the concept to use instead.")
    facets: tuple[str, ...] = Field(default=(), description="The concept's facets.")
    levels: tuple[Level, ...] = Field(default=(), description="The paper levels the concept is in.")


@dataclass(frozen=True, slots=True)
class _Entry:
    concept_id: str
    label: str
    scope: str
    key: str  # normalise(label)
    lang: str = ENGLISH


FUZZY_CUTOFF = 75  # fuzz.ratio, 0-100: a typo of a label, not another word


class _ByLength:
    """Label keys of one script sorted by length, with each one's position in the search's entries."""

    def __init__(self, keyed: list[tuple[str, int]]) -> None:
        keyed.sort(key=lambda pair: (len(pair[0]), pair[1]))
        self.keys = [key for key, _ in keyed]
        self.positions = [position for _, position in keyed]
        self.lengths = [len(key) for key in self.keys]

    def near(self, query: str, limit: int, cutoff: int) -> list[tuple[float, int]]:
        """The ``limit`` best (score, entry position) at ``cutoff`` or above, best first and, on a tie, in entry
        order. fuzz.ratio is 100 * (1 - distance / (len(a) + len(b))) and the distance is at least the length
        difference, so only keys of length ``len(query) * [c / (2 - c), (2 - c) / c]`` (c = cutoff / 100) can
        reach the cutoff."""
        size, share = len(query), cutoff / 100
        lo = bisect.bisect_left(self.lengths, math.ceil(size * share / (2 - share) - 1e-9))
        hi = bisect.bisect_right(self.lengths, math.floor(size * (2 - share) / share + 1e-9))
        found = process.extract(query, self.keys[lo:hi], scorer=fuzz.ratio, limit=None, score_cutoff=cutoff)
        ranked = sorted((-score, self.positions[lo + index]) for _, score, index in found)
        return [(-negative, position) for negative, position in ranked[:limit]]


class LabelSearch:
    """The search index of one ontology version; built once (tens of milliseconds), then read by any thread."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        entries: list[_Entry] = []
        for concept in ontology.concepts.values():
            for label, scope in concept.scoped_labels():
                key = normalise(label)
                if key:
                    entries.append(_Entry(concept.id, label, scope.value if scope else "preferred", key))
        # Labels in other languages after every English one: of two equal matches, the English label is shown.
        for concept in ontology.concepts.values():
            for synonym in concept.translations:
                key = normalise(synonym.label)
                if key:
                    shown = "preferred" if synonym.scope is LabelScope.PREF else synonym.scope.value
                    entries.append(_Entry(concept.id, synonym.label, shown, key, synonym.lang))
        self._entries = entries
        # Typo matching compares a query with the keys of its own script only: keys with a Latin letter or digit
        # for a query with one, the others (Chinese, Japanese, Cyrillic ...) otherwise. Positions in ``entries``.
        # Each script's keys are sorted by length: a key can only reach the typo score if its length is within
        # [0.6, 5/3] of the query's, so a query scores that slice alone (the same answers, a fraction of the work).
        self._scripts = {
            latin: _ByLength([(e.key, i) for i, e in enumerate(entries) if bool(_LATIN.search(e.key)) is latin])
            for latin in (True, False)
        }
        # Every word start of every label, as the normalised rest of the label: "dog barking" -> "barking".
        starts: list[tuple[str, int, bool]] = []
        for i, entry in enumerate(entries):
            for m in _WORD_START.finditer(entry.label):
                rest = normalise(entry.label[m.start(1) :])
                if rest:
                    starts.append((rest, i, m.start(1) == 0 or rest == entry.key))
        starts.sort()
        self._starts = starts
        self._start_keys = [s[0] for s in starts]

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        include_deprecated: bool = False,
        facet: str | None = None,
        level: Level | None = None,
        fuzzy: bool = True,
    ) -> list[SearchHit]:
        """The best ``limit`` concepts for ``query``, one hit per concept (its best-matching label)."""
        key = normalise(query[:MAX_QUERY])
        if not key or limit <= 0:
            return []
        allowed = self.ontology.facet_and_subfacets(facet) if facet is not None else None
        # Concept ID -> its best (order, label entry, how, score); hits are made for the winners only, since a
        # two-letter prefix offers thousands of labels.
        best: dict[str, tuple[tuple[float, float, int, int, str], _Entry, How, float]] = {}

        def offer(entry: _Entry, how: How, score: float) -> None:
            concept = self.ontology.concepts[entry.concept_id]
            if concept.status is not Status.ACTIVE and not include_deprecated:
                return
            if allowed is not None and not allowed.intersection(concept.facets):
                return
            if level is not None and level not in concept.levels:
                return
            # A label in another language ranks after an English one of the same kind and the next (an exact one
            # after English prefixes, before English word starts): "accord" completes to accordion before it is
            # French for chord, and "perro" is the Spanish dog before any English typo.
            order = (
                _RANK[how] + (1.5 if entry.lang != ENGLISH else 0.0),
                -score,
                concept.rank if concept.rank is not None else 1 << 30,
                len(entry.key),
                entry.label,
            )
            if concept.id in best and best[concept.id][0] <= order:
                return
            best[concept.id] = (order, entry, how, score)

        at = bisect.bisect_left(self._start_keys, key)
        while at < len(self._starts) and self._start_keys[at].startswith(key):
            rest, index, whole = self._starts[at]
            entry = self._entries[index]
            if whole and entry.key == key:
                offer(entry, "exact", 1.0)
            else:
                offer(entry, "prefix" if whole else "word", len(key) / len(rest) * (0.9 if whole else 0.8))
            at += 1
        if fuzzy and len(best) < limit and len(key) >= 3:
            for score, index in self._scripts[bool(_LATIN.search(key))].near(key, limit * 4, FUZZY_CUTOFF):
                offer(self._entries[index], "fuzzy", score / 100 * 0.75)
        ranked = heapq.nsmallest(limit, best.values(), key=lambda found: found[0])
        return [self._hit(entry, how, score) for _, entry, how, score in ranked]

    def _hit(self, entry: _Entry, how: How, score: float) -> SearchHit:
        concept = self.ontology.concepts[entry.concept_id]
        return SearchHit(
            id=concept.id,
            label=concept.label,
            matched=entry.label,
            scope=entry.scope,  # type: ignore[arg-type]
            lang=entry.lang,
            how=how,
            score=round(score, 4),
            status=concept.status,
            replaced_by=concept.replaced_by,
            facets=concept.facets,
            levels=concept.levels,
        )


__all__ = ["LabelSearch", "SearchHit"]
