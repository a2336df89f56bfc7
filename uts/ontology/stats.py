"""Counts that describe a release: concepts per level, merges, labels."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from uts.ontology.model import LabelScope, Level, Origin, Status
from uts.ontology.ontology import Ontology


class LevelStats(BaseModel):
    level: str
    published_tags: int
    concepts: int


class OntologyStats(BaseModel):
    version: str
    concepts: int
    active: int
    deprecated: int
    from_paper: int
    curated: int
    published_tags: int
    distinct_published_strings: int
    merged_concepts: int
    labels: dict[str, int]
    translations: dict[str, int] = {}  # language -> its labels (every scope); English ones are in ``labels``
    merges_by_justification: dict[str, int]
    levels: list[LevelStats]
    with_broader: int
    with_definition: int
    with_facet: int
    with_domain: int
    next_id: str


def compute_stats(ontology: Ontology) -> OntologyStats:
    concepts = list(ontology.concepts.values())
    active = [c for c in concepts if c.status is Status.ACTIVE]
    per_concept = Counter(t.concept_id for t in ontology.paper)
    scopes = Counter(s.scope.value for c in concepts for s in c.synonyms if s.is_english)
    languages = Counter(s.lang for c in concepts for s in c.translations)
    return OntologyStats(
        version=ontology.metadata.version,
        concepts=len(concepts),
        active=len(active),
        deprecated=len(concepts) - len(active),
        from_paper=sum(c.origin is Origin.PAPER for c in concepts),
        curated=sum(c.origin is Origin.CURATED for c in concepts),
        published_tags=len(ontology.paper),
        distinct_published_strings=len({t.tag for t in ontology.paper}),
        merged_concepts=sum(1 for n in per_concept.values() if n > 1),
        labels={
            "pref": len(concepts),
            LabelScope.ALT.value: scopes[LabelScope.ALT.value],
            LabelScope.HIDDEN.value: scopes[LabelScope.HIDDEN.value],
            LabelScope.NARROWER.value: scopes[LabelScope.NARROWER.value],
        },
        translations=dict(sorted(languages.items())),
        merges_by_justification=dict(Counter(t.justification for t in ontology.paper)),
        levels=[
            LevelStats(level=level.value, published_tags=level.size, concepts=len(ontology.in_level(level)))
            for level in Level
        ],
        with_broader=sum(bool(c.broader) for c in active),
        with_definition=sum(bool(c.definition) for c in active),
        with_facet=sum(bool(c.facets) for c in active),
        with_domain=sum(bool(c.domains) for c in active),
        next_id=ontology.next_id(),
    )
