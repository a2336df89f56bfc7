"""The one answer to "which concept does this label name": normalised key -> concept, for every consumer.

Lookup, validation of sheets, the mappings suggester, the fuzzy matcher and the resolver all read this index, so
a label means the same concept everywhere. An active concept wins a key over a deprecated one; a key that only
a deprecated concept holds still answers, with the active concept that replaces it in ``current``.

Labels in other languages are in it too, below every English label: a Spanish, French or Chinese label answers
only where no English label of any concept has its key ("chat" stays talk, not the French cat). Between them the
concept that more languages give the key wins (Spanish, Italian and Portuguese "motor" outvote one language's
other reading), then a preferred label beats an alternative, which beats a narrower term and a hidden label, and
then the language whose code sorts first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from uts.lexical import normalise, singulars
from uts.ontology.model import ENGLISH, Concept, LabelScope, Status


@dataclass(frozen=True, slots=True)
class LabelHit:
    """The concept a label key names."""

    concept_id: str  # the concept that holds the label
    current: str | None  # the active concept standing for it (itself, or where its replaced_by chain ends)
    label: str  # the label as written
    scope: LabelScope | None  # None for the (English) preferred label
    lang: str = ENGLISH  # the label's language

    @property
    def is_english(self) -> bool:
        return self.lang == ENGLISH

    @property
    def is_narrower_term(self) -> bool:
        return self.scope is LabelScope.NARROWER


_TRANSLATION_STRENGTH = {LabelScope.HIDDEN: 0, LabelScope.NARROWER: 1, LabelScope.ALT: 2, LabelScope.PREF: 3}


def follow_replacements(concepts: Mapping[str, Concept], concept_id: str) -> str | None:
    """The active concept standing for ``concept_id``: itself, or where its ``replaced_by`` chain ends.

    ``None`` when the chain ends at a concept deprecated without replacement, loops, or leaves the ontology.
    """
    seen: set[str] = set()
    current: str | None = concept_id
    while current is not None and current not in seen:
        seen.add(current)
        concept = concepts.get(current)
        if concept is None:
            return None
        if concept.status is Status.ACTIVE:
            return current
        current = concept.replaced_by
    return None


class LabelIndex(Mapping[str, LabelHit]):
    """Normalised label key -> :class:`LabelHit`; a read-only mapping built once per ontology version."""

    def __init__(self, concepts: Mapping[str, Concept]) -> None:
        entries: dict[str, LabelHit] = {}
        current: dict[str, str | None] = {}
        # Deprecated concepts first, so that an active concept holding the same key replaces them.
        for concept in sorted(concepts.values(), key=lambda c: c.status is Status.ACTIVE):
            if concept.id not in current:
                current[concept.id] = follow_replacements(concepts, concept.id)
            seen_here: set[str] = set()
            for label, scope in concept.scoped_labels():
                key = normalise(label)
                if key in seen_here:
                    continue  # the first label of a concept with this key speaks for it
                seen_here.add(key)
                entries[key] = LabelHit(concept.id, current[concept.id], label, scope)
        # Labels in other languages take only the keys no English label has; among themselves the weakest go
        # first, so that a stronger holder of the same key replaces them (see the module's docstring).
        translated = [(c, s) for c in concepts.values() for s in c.translations]
        languages: dict[tuple[str, str | None], set[str]] = {}  # (key, active concept) -> languages giving it
        for concept, synonym in translated:
            languages.setdefault((normalise(synonym.label), current[concept.id]), set()).add(synonym.lang)
        translated.sort(key=lambda pair: pair[1].lang, reverse=True)
        translated.sort(
            key=lambda pair: (
                pair[0].status is Status.ACTIVE,
                len(languages[(normalise(pair[1].label), current[pair[0].id])]),
                _TRANSLATION_STRENGTH[pair[1].scope],
            )
        )
        others: dict[str, LabelHit] = {}
        for concept, synonym in translated:
            key = normalise(synonym.label)
            if key not in entries:
                others[key] = LabelHit(concept.id, current[concept.id], synonym.label, synonym.scope, synonym.lang)
        entries.update(others)
        self._entries = entries

    def __getitem__(self, key: str) -> LabelHit:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, text: str) -> LabelHit | None:
        """The hit for a label in any case or separator spelling, or ``None``."""
        return self._entries.get(normalise(text))

    def match(
        self, key: str, forms: Callable[[str], Iterable[str]] = singulars, *, english: bool = False
    ) -> tuple[LabelHit, str] | tuple[None, None]:
        """A normalised key to ``(hit, form)``: the key itself, else the first of its inflected ``forms`` that is a
        label (with ``english``: an English label). ``form == key`` means an exact match."""
        hit = self._entries.get(key)
        if hit is not None and (hit.is_english or not english):
            return hit, key
        for form in forms(key):
            hit = self._entries.get(form)
            if hit is not None and (hit.is_english or not english):
                return hit, form
        return None, None
