"""Exact lookup of labels and synonyms after normalisation, with simple inflection folding."""

from __future__ import annotations

from dataclasses import dataclass

from uts.matching.normalise import normalise
from uts.ontology.model import Status
from uts.ontology.ontology import Ontology


@dataclass(frozen=True)
class Candidate:
    """A UTS concept proposed for some input text, and why."""

    concept_id: str
    score: float
    method: str  # "exact", "inflection", "fuzzy" or "embedding"
    matched: str  # the label (or text) it matched on


def singular_keys(key: str) -> list[str]:
    """Cheap singular forms of a normalised key, tried when the key itself is not a label."""
    out = []
    if key.endswith("ies") and len(key) > 4:
        out.append(key[:-3] + "y")
    if key.endswith("es") and len(key) > 3:
        out.append(key[:-2])
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        out.append(key[:-1])
    return out


_VOWELS = frozenset("aeiou")


def base_forms(key: str) -> list[str]:
    """Singulars, then verb stems of ``-ing``/``-ed`` forms, of a normalised key that is not itself a label.

    >>> base_forms("barking"), base_forms("trotting"), base_forms("muffled")[:2], base_forms("sirens")
    (['bark', 'barke'], ['trott', 'trotte', 'trot'], ['muffl', 'muffle'], ['siren'])
    """
    out = singular_keys(key)
    for suffix in ("ing", "ed"):
        stem = key[: -len(suffix)]
        if key.endswith(suffix) and len(stem) >= 3 and any(ch in _VOWELS for ch in stem):
            out += [stem, stem + "e"]
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in "sl":
                out.append(stem[:-1])
    return out


class LabelIndex:
    """Normalised label -> active concept, the fast path of every matcher."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self.keys: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        for concept in ontology.concepts.values():
            if concept.status is not Status.ACTIVE:
                continue
            for label in concept.all_labels:
                key = normalise(label)
                self.keys.setdefault(key, concept.id)
                self.labels.setdefault(key, label)

    def exact(self, text: str) -> Candidate | None:
        key = normalise(text)
        if key in self.keys:
            return Candidate(self.keys[key], 1.0, "exact", self.labels[key])
        for singular in singular_keys(key):
            if singular in self.keys:
                return Candidate(self.keys[singular], 0.97, "inflection", self.labels[singular])
        return None
