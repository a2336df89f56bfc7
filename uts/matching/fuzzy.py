"""Typo-tolerant matching with rapidfuzz, guarded against near-miss words that mean something else."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from uts.matching.labels import Candidate, LabelIndex
from uts.matching.normalise import normalise


class FuzzyMatcher:
    """Edit-distance matching over normalised labels.

    Short keys are where one edit changes the word (``revert``/``reverb``), so the cutoff rises as keys get
    shorter and the first letter must agree.
    """

    def __init__(self, index: LabelIndex, cutoff: float = 88.0) -> None:
        self.index = index
        self.cutoff = cutoff
        self._keys = list(index.keys)

    def _cutoff_for(self, key: str) -> float:
        if len(key) <= 5:
            return 101.0  # never: too many real words are one edit apart
        if len(key) <= 8:
            return max(self.cutoff, 92.0)
        return self.cutoff

    def match(self, text: str, limit: int = 3) -> list[Candidate]:
        key = normalise(text)
        cutoff = self._cutoff_for(key)
        if cutoff > 100:
            return []
        hits = process.extract(key, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        return [
            Candidate(self.index.keys[hit], score / 100.0, "fuzzy", self.index.labels[hit])
            for hit, score, _ in hits
            if hit[:1] == key[:1] and hit != key
        ]
