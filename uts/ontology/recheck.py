"""A fast, conservative answer to "could these edits have broken a rule?", so that one edit of a 3,000-concept
ontology is checked in a millisecond or two instead of re-running every rule.

The state before the edits is valid (every store refuses to hold anything else), so a new problem can only
involve what the edits touched: their concepts, the concepts that point at them, their mapping sets. This looks
only there. It may raise a false alarm, never miss a problem: on any alarm the caller runs the full check, which
then decides and words the problems exactly as ``uts validate`` would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping

from uts.lexical import normalise
from uts.ontology.model import Concept, LabelScope, Origin, Status
from uts.ontology.ontology import Ontology


def _keys(concept: Concept) -> Iterator[str]:
    """The keys a concept holds: its English labels' keys, and ``"<language>\t<key>"`` for the others (a label
    names one concept in its own language only)."""
    for label in concept.all_labels:
        yield normalise(label)
    for synonym in concept.translations:
        yield f"{synonym.lang}\t{normalise(synonym.label)}"


def label_holders(ontology: Ontology) -> dict[str, str]:
    """Label key (see ``_keys``) -> the active concept holding it (in a valid state there is one per key). Plain
    strings, so that the cycle collector has nothing to walk in it."""
    out: dict[str, str] = {}
    for concept in ontology.concepts.values():
        if concept.status is Status.ACTIVE:
            for key in _keys(concept):
                out[key] = concept.id
    return out


def updated_holders(
    holders: Mapping[str, str], before: Ontology, after: Ontology, touched: Collection[str]
) -> tuple[dict[str, str], bool]:
    """``holders`` of ``before`` carried to ``after``, re-reading only the touched concepts' labels, and whether
    two active concepts now share a key (a problem the full check will name)."""
    out = dict(holders)
    for cid in touched:
        was = before.concepts.get(cid)
        if was is not None and was.status is Status.ACTIVE:
            for key in _keys(was):
                if out.get(key) == cid:
                    del out[key]
    shared = False
    for cid in touched:
        now = after.concepts.get(cid)
        if now is not None and now.status is Status.ACTIVE:
            for key in _keys(now):
                held = out.setdefault(key, cid)
                shared = shared or held != cid
    return out, shared


def _concept_alarm(after: Ontology, concept: Concept) -> bool:
    concepts = after.concepts
    if concept.status is Status.DEPRECATED and not (concept.replaced_by or concept.consider):
        return True
    if concept.status is Status.ACTIVE and concept.replaced_by:
        return True
    for column, refs in (("broader", concept.broader), ("consider", concept.consider)):
        for ref in refs:
            target = concepts.get(ref)
            if ref == concept.id or target is None:
                return True
            if column == "broader" and target.status is not Status.ACTIVE:
                return True
    if concept.replaced_by is not None:
        target = concepts.get(concept.replaced_by)
        if concept.replaced_by == concept.id or target is None or target.status is not Status.ACTIVE:
            return True
    return any(f not in after.facets for f in concept.facets)


def _label_alarm(concept: Concept) -> bool:
    seen: set[str] = set()
    for label in concept.all_labels:
        if label in seen or not normalise(label):
            return True
        seen.add(label)
    translations = concept.translations
    if translations:
        if concept.status is not Status.ACTIVE:
            return True
        pairs = [(s.lang, s.label) for s in translations]
        if len(set(pairs)) != len(pairs) or any(not normalise(s.label) for s in translations):
            return True
        prefs = Counter(s.lang for s in translations if s.scope is LabelScope.PREF)
        if any(prefs[lang] != 1 for lang in concept.languages):
            return True
    return False


def _facet_alarm(after: Ontology, concept_id: str) -> bool:
    """A facet rooted at the concept needs it active and carrying the facet."""
    for facet in after.facets.values():
        if facet.root == concept_id:
            root = after.concepts[concept_id]
            if root.status is not Status.ACTIVE or facet.id not in root.facets:
                return True
    return False


def _climbs_back(after: Ontology, start: str) -> bool:
    """Whether following broader links up from ``start`` returns to it (a cycle through it)."""
    stack = list(after.concepts[start].broader)
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        if node == start:
            return True
        if node in seen:
            continue
        seen.add(node)
        concept = after.concepts.get(node)
        if concept is not None:
            stack.extend(concept.broader)
    return False


def may_break_rules(
    before: Ontology,
    after: Ontology,
    touched: Collection[str],
    vocabularies: Collection[str],
) -> bool:
    """``False`` only when the edits cannot have broken a rule (label keys shared between concepts are found by
    :func:`updated_holders`)."""
    if after.paper != before.paper or after.facets != before.facets or after.reordered != before.reordered:
        return True
    if after.senses != before.senses or any(s.concept_id in touched for s in after.senses):
        return True  # a sense may now name a deprecated concept
    gone_inactive = set()
    for cid in touched:
        now = after.concepts.get(cid)
        if now is None:
            return True
        was = before.concepts.get(cid)
        if _concept_alarm(after, now) or _label_alarm(now) or _facet_alarm(after, cid):
            return True
        if was is not None and was.broader != now.broader and _climbs_back(after, cid):
            return True
        if was is None and now.broader and _climbs_back(after, cid):
            return True
        if now.status is not Status.ACTIVE:
            gone_inactive.add(cid)
        tags = before.paper_tags_of(cid)
        if now.origin is Origin.PAPER and now.status is Status.ACTIVE and not tags:
            return True
        if now.origin is Origin.CURATED and tags:
            return True
        if tags and (now.status is not Status.ACTIVE or was is None or was.all_labels != now.all_labels):
            keys = {normalise(label) for label in now.all_labels}
            if now.status is not Status.ACTIVE or any(normalise(t.tag) not in keys for t in tags):
                return True
    if gone_inactive:
        for concept in after.concepts.values():
            if concept.replaced_by in gone_inactive or not gone_inactive.isdisjoint(concept.broader):
                return True
        for mapping_set in after.mappings.values():
            if any(row.object_id in gone_inactive for row in mapping_set.rows):
                return True
    if vocabularies:
        from uts.ontology.validate import check_mappings

        sets = {name: after.mappings[name] for name in vocabularies if name in after.mappings}
        if len(sets) != len(set(vocabularies)) or check_mappings(after.replace(mappings=sets)):
            return True
    return False


__all__ = ["label_holders", "may_break_rules", "updated_holders"]
