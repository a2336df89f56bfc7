"""Meaning cues: whether an input shares a word with a concept, which an embedding answer may or may not have.

A sentence encoder puts strings that are spelled alike near each other, so its nearest concept is sometimes a
false friend ("grim": grime, "bow": bark) at a cosine that true synonyms ("limiter": compression) do not reach.
An answer whose concept shares a stem with the input (:func:`uts.lexical.words.stems` of the words of its
labels, synonyms and definition) has a cue that it is meant; one without any needs the higher threshold
calibrated for such answers (``Calibration.tag_unrelated_threshold``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from uts.lexical import normalise
from uts.lexical.words import stems
from uts.ontology.ontology import Ontology

# Words as a reader sees them: hyphenated compounds ("bow-wow", "low-pitched") stay one word.
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")


def word_stems(text: str, skip: Iterable[str] = ()) -> frozenset[str]:
    """The stems of every word of ``text``, leaving out the normalised words in ``skip`` (function words).

    >>> sorted(word_stems("the louder drums", skip={"the"}))
    ['drum', 'drums', 'loud', 'loude', 'louder']
    """
    left_out = frozenset(skip)
    out: set[str] = set()
    for word in _WORD.findall(text):
        key = normalise(word)
        if key and key not in left_out:
            out |= stems(key)
    return frozenset(out)


class MeaningCues:
    """The stems of each concept's labels and definition, worked out on first use per concept and kept.

    >>> from uts import load_ontology
    >>> cues = MeaningCues(load_ontology())
    >>> compression = load_ontology().find("compression").id
    >>> cues.shares(frozenset({"limit", "limiter"}), compression), cues.shares(frozenset({"grim"}), compression)
    (True, False)
    """

    def __init__(self, ontology: Ontology) -> None:
        # The words only, not the Ontology: the lexical index that holds this must not keep its Ontology alive.
        self._texts = {c.id: " ".join([*c.all_labels, c.definition]) for c in ontology.concepts.values()}
        self._stems: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def of(self, concept_id: str) -> frozenset[str]:
        """The stems of the concept's labels (every kind) and of its definition's words."""
        found = self._stems.get(concept_id)
        if found is None:
            found = word_stems(self._texts[concept_id])
            with self._lock:
                found = self._stems.setdefault(concept_id, found)
        return found

    def shares(self, query: frozenset[str], concept_id: str) -> bool:
        """Whether the stems of a query (:func:`word_stems`) and of the concept meet."""
        return not query.isdisjoint(self.of(concept_id))


__all__ = ["MeaningCues", "word_stems"]
