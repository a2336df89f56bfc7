"""Parsed source records -> an ``Ontology``, with where each record came from kept beside it.

Structural problems (a repeated ID, a label of an unknown concept) are returned, not raised, so that
``uts validate`` can list every problem at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from uts.errors import Problem, where
from uts.ontology.mapping import MappingSet
from uts.ontology.model import Facet, Level, OntologyMetadata, Synonym
from uts.ontology.ontology import Ontology, with_derived_fields
from uts.ontology.source import SourceLayout, Sources

# Kinds of record a Provenance knows, and the key each is found by.
TERM = "term"  # concept ID
LABEL = "label"  # "<concept ID>\t<label>"
PAPER = "paper"  # published index
ORDER = "order"  # "<level>\t<index>"
FACET = "facet"  # facet id
MAPPING = "mapping"  # "<vocabulary>\t<row position>"


@dataclass(frozen=True)
class Provenance:
    """Where each record of an Ontology was read from (file and 1-based line), so problems can name them.

    An Ontology built in memory (by edits, or from a database) has none; ``of`` then names the record itself.
    """

    records: Mapping[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    layout: SourceLayout | None = None

    def of(self, kind: str, key: str) -> tuple[str, int]:
        found = self.records.get((kind, key))
        if found is not None:
            return found
        return (_describe(kind, key), 0)


NO_PROVENANCE = Provenance(MappingProxyType({}))


def _describe(kind: str, key: str) -> str:
    if kind == TERM:
        return f"concept {key}"
    if kind == LABEL:
        concept_id, _, label = key.partition("\t")
        return f"label {label!r} of {concept_id}"
    if kind == PAPER:
        return f"published tag {key}"
    if kind == ORDER:
        level, _, index = key.partition("\t")
        return f"level {level} order at {index}"
    if kind == FACET:
        return f"facet {key}"
    if kind == MAPPING:
        name, _, position = key.partition("\t")
        return f"{name} mapping row {int(position) + 1}"
    return f"{kind} {key}"


@dataclass(frozen=True)
class Built:
    ontology: Ontology
    provenance: Provenance
    problems: list[Problem]


def build(sources: Sources) -> Built:
    """Assemble the Ontology from parsed rows; structural problems are returned, not raised."""
    problems = list(sources.problems)
    layout = sources.layout
    terms_file, labels_file, paper_file, _, facets_file = (where(p) for p in layout.tables)
    records: dict[tuple[str, str], tuple[str, int]] = {}

    concepts = {}
    for line, term in sources.terms:
        if term.id in concepts:
            first = records[(TERM, term.id)][1]
            problems.append(
                Problem(
                    terms_file,
                    line,
                    f"ID {term.id} is already used at line {first}",
                    "give this concept a new ID (never reuse one); `uts stats` shows the next free ID",
                )
            )
            continue
        concepts[term.id] = term
        records[(TERM, term.id)] = (terms_file, line)

    synonyms: dict[str, list[Synonym]] = defaultdict(list)
    for line, concept_id, synonym in sources.labels:
        if concept_id not in concepts:
            problems.append(
                Problem(
                    labels_file,
                    line,
                    f"label {synonym.label!r} belongs to unknown concept {concept_id}",
                    "use the ID of an existing concept in terms.tsv",
                )
            )
            continue
        synonyms[concept_id].append(synonym)
        records[(LABEL, f"{concept_id}\t{synonym.label}")] = (labels_file, line)

    reordered: dict[Level, dict[int, str]] = defaultdict(dict)
    order_file = where(layout.paper_order)
    for line, level, index, moved_tag in sources.reordered:
        if index in reordered[level]:
            problems.append(
                Problem(order_file, line, f"level {level.value} index {index} is listed twice", "keep one row")
            )
        reordered[level][index] = moved_tag
        records[(ORDER, f"{level.value}\t{index}")] = (order_file, line)

    facets: dict[str, Facet] = {}
    for line, facet in sources.facets:
        if facet.id in facets:
            problems.append(Problem(facets_file, line, f"facet {facet.id!r} is listed twice", "keep one row per facet"))
            continue
        facets[facet.id] = facet
        records[(FACET, facet.id)] = (facets_file, line)

    for line, tag in sources.paper:
        records[(PAPER, str(tag.index))] = (paper_file, line)

    mappings: dict[str, MappingSet] = {}
    for parsed in sources.mappings:
        name = where(parsed.path)
        for position, (line, _) in enumerate(parsed.rows):
            records[(MAPPING, f"{parsed.name}\t{position}")] = (name, line)
        mappings[parsed.name] = MappingSet(parsed.name, parsed.metadata, tuple(row for _, row in parsed.rows))

    with_synonyms = {
        cid: c.model_copy(update={"synonyms": tuple(synonyms[cid])}) if cid in synonyms else c
        for cid, c in concepts.items()
    }
    paper = [tag for _, tag in sources.paper]
    metadata = sources.metadata or OntologyMetadata(
        title="(missing metadata)", version="0.0.0", base_iri="https://w3id.org/uts/", license=""
    )
    ontology = Ontology(
        metadata=metadata,
        concepts=with_derived_fields(with_synonyms, paper),
        paper=tuple(paper),
        paper_header=sources.paper_header,
        reordered=dict(reordered),
        facets=facets,
        mappings=mappings,
    )
    return Built(ontology, Provenance(MappingProxyType(records), layout), problems)


__all__ = ["NO_PROVENANCE", "Built", "Provenance", "build"]
