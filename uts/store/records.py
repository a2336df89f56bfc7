"""An Ontology as table rows, and back: what a SQL store writes and reads.

Rows are plain dicts (bulk inserts) and tuples (bulk selects): a working copy of some 40,000 rows loads in a few
hundred milliseconds. Lists keep their order in ``position`` columns, so the round trip is exact.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from uts.ontology.mapping import COLUMNS, MappingRow, MappingSet
from uts.ontology.model import (
    Concept,
    Facet,
    Level,
    OntologyMetadata,
    PaperTag,
    SenseDomain,
    Synonym,
    WordSense,
    thaw,
)
from uts.ontology.ontology import Ontology, with_derived_fields

CONCEPT_COLUMNS = ("id", "label", "status", "origin", "definition", "comment", "replaced_by")
LABEL_COLUMNS = ("concept_id", "position", "label", "scope", "source", "comment", "lang")
RELATION_COLUMNS = ("concept_id", "kind", "position", "target_id")
FACET_COLUMNS = ("id", "position", "label", "parent", "root", "definition")
PAPER_COLUMNS = ("position", "index", "tag", "concept_id", "justification", "confidence", "author", "date", "comment")
ORDER_COLUMNS = ("level", "index", "tag")
SENSE_COLUMNS = (
    "form",
    "sense",
    "concept_id",
    "is_default",
    "domain",
    "before",
    "after",
    "context",
    "gloss",
    "comment",
)
MAPPING_COLUMNS = ("set_name", "position", *COLUMNS)  # the SSSOM columns, in their order
_MAPPING_FIELDS = MAPPING_COLUMNS[2:]


@dataclass
class ConceptRows:
    """The rows that hold one concept (or many)."""

    concepts: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    facets: list[dict[str, Any]] = field(default_factory=list)
    domains: list[dict[str, Any]] = field(default_factory=list)

    def add(self, concept: Concept, revision: int = 1) -> None:
        cid = concept.id
        self.concepts.append(
            {
                "id": cid,
                "label": concept.label,
                "status": concept.status.value,
                "origin": concept.origin.value,
                "definition": concept.definition,
                "comment": concept.comment,
                "replaced_by": concept.replaced_by,
                "revision": revision,
            }
        )
        for n, s in enumerate(concept.synonyms):
            self.labels.append(
                {"concept_id": cid, "position": n, "label": s.label, "scope": s.scope.value, "source": s.source,
                 "comment": s.comment, "lang": s.lang}
            )  # fmt: skip
        for kind, targets in (("broader", concept.broader), ("consider", concept.consider)):
            self.relations += [
                {"concept_id": cid, "kind": kind, "position": n, "target_id": t} for n, t in enumerate(targets)
            ]
        self.facets += [{"concept_id": cid, "position": n, "facet_id": f} for n, f in enumerate(concept.facets)]
        self.domains += [{"concept_id": cid, "position": n, "domain": d.value} for n, d in enumerate(concept.domains)]


def concept_rows(concepts: Iterable[Concept], revision: int = 1) -> ConceptRows:
    """The rows of ``concepts``, marked as last changed at store ``revision``."""
    rows = ConceptRows()
    for concept in concepts:
        rows.add(concept, revision)
    return rows


def paper_rows(paper: Sequence[PaperTag]) -> list[dict[str, Any]]:
    return [
        {"position": n, "index": t.index, "tag": t.tag, "concept_id": t.concept_id, "justification": t.justification,
         "confidence": t.confidence, "author": t.author, "date": t.date, "comment": t.comment}
        for n, t in enumerate(paper)
    ]  # fmt: skip


def order_rows(reordered: Mapping[Level, Mapping[int, str]]) -> list[dict[str, Any]]:
    return [
        {"level": level.value, "index": i, "tag": tag} for level, moved in reordered.items() for i, tag in moved.items()
    ]


def sense_rows(senses: Iterable[WordSense]) -> list[dict[str, Any]]:
    return [
        {"form": s.form, "sense": s.sense, "concept_id": s.concept_id, "is_default": s.default, "domain": s.domain,
         "before": "|".join(s.before), "after": "|".join(s.after), "context": "|".join(s.context), "gloss": s.gloss,
         "comment": s.comment}
        for s in senses
    ]  # fmt: skip


def facet_rows(facets: Iterable[Facet]) -> list[dict[str, Any]]:
    return [
        {"id": f.id, "position": n, "label": f.label, "parent": f.parent, "root": f.root, "definition": f.definition}
        for n, f in enumerate(facets)
    ]


def mapping_rows(mapping_set: MappingSet) -> list[dict[str, Any]]:
    return [
        {"set_name": mapping_set.name, "position": n, **row.model_dump(include=set(_MAPPING_FIELDS))}
        for n, row in enumerate(mapping_set.rows)
    ]


def metadata_json(ontology: Ontology) -> tuple[str, str]:
    return ontology.metadata.model_dump_json(), json.dumps(thaw(ontology.paper_header), sort_keys=False)


# ---- back ---------------------------------------------------------------------------------------------------


def build_ontology(
    meta: tuple[str, str],
    concepts: Iterable[Sequence[Any]],
    labels: Iterable[Sequence[Any]],
    relations: Iterable[Sequence[Any]],
    facets_of: Iterable[Sequence[Any]],
    domains_of: Iterable[Sequence[Any]],
    facets: Iterable[Sequence[Any]],
    paper: Iterable[Sequence[Any]],
    orders: Iterable[Sequence[Any]],
    sets: Iterable[Sequence[Any]],
    mapping: Iterable[Sequence[Any]],
    senses: Iterable[Sequence[Any]] = (),
) -> Ontology:
    """An Ontology from selected rows (each a tuple in the column order of this module's ``*_COLUMNS``, ordered
    by key and position)."""
    synonyms: dict[str, list[Synonym]] = defaultdict(list)
    for concept_id, _, label, scope, source, comment, lang in labels:
        synonyms[concept_id].append(Synonym(label=label, scope=scope, source=source, comment=comment, lang=lang))
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for concept_id, kind, _, target in relations:
        links[(concept_id, kind)].append(target)
    facet_lists: dict[str, list[str]] = defaultdict(list)
    for concept_id, _, facet_id in facets_of:
        facet_lists[concept_id].append(facet_id)
    domain_lists: dict[str, list[str]] = defaultdict(list)
    for concept_id, _, domain in domains_of:
        domain_lists[concept_id].append(domain)
    built: dict[str, Concept] = {}
    for cid, label, status, origin, definition, comment, replaced_by in concepts:
        built[cid] = Concept.model_validate(
            {
                "id": cid,
                "label": label,
                "status": status,
                "origin": origin,
                "definition": definition,
                "comment": comment,
                "replaced_by": replaced_by,
                "facets": facet_lists.get(cid, ()),
                "domains": domain_lists.get(cid, ()),
                "broader": links.get((cid, "broader"), ()),
                "consider": links.get((cid, "consider"), ()),
                "synonyms": synonyms.get(cid, ()),
            }
        )
    published = [
        PaperTag(index=index, tag=tag, concept_id=cid, justification=just, confidence=conf, author=author, date=date,
                 comment=comment)
        for _, index, tag, cid, just, conf, author, date, comment in paper
    ]  # fmt: skip
    reordered: dict[Level, dict[int, str]] = defaultdict(dict)
    for level, index, tag in orders:
        reordered[Level(level)][index] = tag
    rows_of: dict[str, list[MappingRow]] = defaultdict(list)
    for values in mapping:
        rows_of[values[0]].append(MappingRow.model_validate(dict(zip(_MAPPING_FIELDS, values[2:], strict=True))))
    mappings = {name: MappingSet(name, json.loads(header), tuple(rows_of.get(name, ()))) for name, header in sets}
    metadata_text, header_text = meta
    return Ontology(
        metadata=OntologyMetadata.model_validate_json(metadata_text),
        concepts=with_derived_fields(built, published),
        paper=tuple(published),
        paper_header=json.loads(header_text),
        reordered=dict(reordered),
        facets={f[0]: Facet(id=f[0], label=f[2], parent=f[3], root=f[4], definition=f[5]) for f in facets},
        mappings=mappings,
        senses=tuple(_sense(*row) for row in senses),
    )


def _sense(
    form: str, sense: str, concept_id: str | None, default: bool, domain: str | None, before: str, after: str,
    context: str, gloss: str, comment: str,
) -> WordSense:  # fmt: skip
    return WordSense(form=form, sense=sense, concept_id=concept_id, default=bool(default),
                     domain=SenseDomain(domain) if domain else None,
                     before=_split(before), after=_split(after), context=_split(context), gloss=gloss, comment=comment)  # fmt: skip


def _split(cell: str) -> tuple[str, ...]:
    return tuple(cell.split("|")) if cell else ()


__all__ = [
    "CONCEPT_COLUMNS",
    "FACET_COLUMNS",
    "LABEL_COLUMNS",
    "MAPPING_COLUMNS",
    "ORDER_COLUMNS",
    "PAPER_COLUMNS",
    "RELATION_COLUMNS",
    "SENSE_COLUMNS",
    "ConceptRows",
    "build_ontology",
    "concept_rows",
    "facet_rows",
    "mapping_rows",
    "metadata_json",
    "order_rows",
    "paper_rows",
    "sense_rows",
]
