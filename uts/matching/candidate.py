"""A concept proposed for some input text, and the exact (or inflected) label lookup every matcher starts with."""

from __future__ import annotations

from dataclasses import dataclass

from uts.lexical import normalise
from uts.ontology.ontology import Ontology


@dataclass(frozen=True)
class Candidate:
    """A UTS concept proposed for some input text, and why."""

    concept_id: str
    score: float
    method: str  # "exact", "inflection", "fuzzy" or "embedding"
    matched: str  # the label (or text) it matched on


def exact_candidate(ontology: Ontology, text: str) -> Candidate | None:
    """The active concept an English label (or the singular of a plural one) names, through the ontology's label
    index: the legacy vocabularies it matches are named in English ("Chanson" is a Discogs style, not the French
    word for song).

    >>> from uts import load_ontology
    >>> exact_candidate(load_ontology(), "Glockenspiels").method
    'inflection'
    """
    hit, form = ontology.labels.match(normalise(text), english=True)
    if hit is None or hit.current is None:
        return None
    exact = form == normalise(text)
    return Candidate(hit.current, 1.0 if exact else 0.97, "exact" if exact else "inflection", hit.label)


__all__ = ["Candidate", "exact_candidate"]
