"""Parsed source records -> an ``Ontology``, with where each record came from kept beside it.

Structural problems (a repeated ID, a label of an unknown concept) are returned, not raised, so that
``uts validate`` can list every problem at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from uts.errors import Problem, where
from uts.ontology.mapping import MappingSet
from uts.ontology.model import ENGLISH, Concept, Facet, Level, OntologyMetadata, PaperTag, Synonym, WordSense
from uts.ontology.ontology import Ontology, with_derived_fields
from uts.ontology.source import SourceLayout, Sources

# Kinds of record a Provenance knows, and the key each is found by.
TERM = "term"  # concept ID
LABEL = "label"  # "<concept ID>\t<label>", and "\t<language>" after it for a label in another language
PAPER = "paper"  # position of the row among the published tags
ORDER = "order"  # "<level>\t<index>"
FACET = "facet"  # facet id
MAPPING = "mapping"  # "<vocabulary>\t<row position>"
SENSE = "sense"  # "<form>\t<sense>"


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


def label_key(concept_id: str, label: str, lang: str = ENGLISH) -> str:
    """How a Provenance knows a label: by concept and label, and by language for one that is not English."""
    return f"{concept_id}\t{label}" if lang == ENGLISH else f"{concept_id}\t{label}\t{lang}"


def _describe(kind: str, key: str) -> str:
    if kind == TERM:
        return f"concept {key}"
    if kind == LABEL:
        concept_id, _, rest = key.partition("\t")
        label, _, lang = rest.partition("\t")
        return f"label {label!r}@{lang} of {concept_id}" if lang else f"label {label!r} of {concept_id}"
    if kind == PAPER:
        return f"published tag row {int(key) + 1}"
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


class _Assembly:
    """The records of one source root, gathered table by table, with where each came from."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.problems = list(sources.problems)
        self.records: dict[tuple[str, str], tuple[str, int]] = {}
        self.files = dict(
            zip(("terms", "labels", "paper", "order", "facets"), map(where, sources.layout.tables), strict=True)
        )

    def concepts(self) -> dict[str, Concept]:
        concepts: dict[str, Concept] = {}
        file = self.files["terms"]
        for line, term in self.sources.terms:
            if term.id in concepts:
                first = self.records[(TERM, term.id)][1]
                self.problems.append(
                    Problem(
                        file,
                        line,
                        f"ID {term.id} is already used at line {first}",
                        "give this concept a new ID (never reuse one); `uts stats` shows the next free ID",
                    )
                )
                continue
            concepts[term.id] = term
            self.records[(TERM, term.id)] = (file, line)
        return concepts

    def synonyms(self, concepts: dict[str, Concept]) -> dict[str, list[Synonym]]:
        synonyms: dict[str, list[Synonym]] = defaultdict(list)
        english = self.files["labels"]
        rows = [(english, line, concept_id, synonym) for line, concept_id, synonym in self.sources.labels]
        # Labels in other languages follow the English ones, language by language (the order the files sort in).
        names: dict[Path, str] = {}
        for path, line, concept_id, synonym in self.sources.translations:
            rows.append((names.get(path) or names.setdefault(path, where(path)), line, concept_id, synonym))
        for file, line, concept_id, synonym in rows:
            if concept_id not in concepts:
                self.problems.append(
                    Problem(
                        file,
                        line,
                        f"label {synonym.label!r} belongs to unknown concept {concept_id}",
                        "use the ID of an existing concept in terms.tsv",
                    )
                )
                continue
            synonyms[concept_id].append(synonym)
            self.records[(LABEL, label_key(concept_id, synonym.label, synonym.lang))] = (file, line)
        return synonyms

    def reordered(self) -> dict[Level, dict[int, str]]:
        reordered: dict[Level, dict[int, str]] = defaultdict(dict)
        file = self.files["order"]
        for line, level, index, moved_tag in self.sources.reordered:
            if index in reordered[level]:
                self.problems.append(
                    Problem(file, line, f"level {level.value} index {index} is listed twice", "keep one row")
                )
            reordered[level][index] = moved_tag
            self.records[(ORDER, f"{level.value}\t{index}")] = (file, line)
        return dict(reordered)

    def facets(self) -> dict[str, Facet]:
        facets: dict[str, Facet] = {}
        file = self.files["facets"]
        for line, facet in self.sources.facets:
            if facet.id in facets:
                self.problems.append(
                    Problem(file, line, f"facet {facet.id!r} is listed twice", "keep one row per facet")
                )
                continue
            facets[facet.id] = facet
            self.records[(FACET, facet.id)] = (file, line)
        return facets

    def paper(self) -> list[PaperTag]:
        file = self.files["paper"]
        for position, (line, _) in enumerate(self.sources.paper):
            self.records[(PAPER, str(position))] = (file, line)
        return [tag for _, tag in self.sources.paper]

    def senses(self) -> list[WordSense]:
        file = where(self.sources.layout.senses)
        out: list[WordSense] = []
        seen: set[tuple[str, str]] = set()
        for line, sense in self.sources.senses:
            if (sense.form, sense.sense) in seen:
                self.problems.append(
                    Problem(file, line, f"sense {sense.sense!r} of {sense.form!r} is listed twice", "keep one row")
                )
                continue
            seen.add((sense.form, sense.sense))
            out.append(sense)
            self.records[(SENSE, f"{sense.form}\t{sense.sense}")] = (file, line)
        return out

    def mappings(self) -> dict[str, MappingSet]:
        mappings: dict[str, MappingSet] = {}
        for parsed in self.sources.mappings:
            name = where(parsed.path)
            for position, (line, _) in enumerate(parsed.rows):
                self.records[(MAPPING, f"{parsed.name}\t{position}")] = (name, line)
            mappings[parsed.name] = MappingSet(parsed.name, parsed.metadata, tuple(row for _, row in parsed.rows))
        return mappings


def build(sources: Sources) -> Built:
    """Assemble the Ontology from parsed rows; structural problems are returned, not raised."""
    parts = _Assembly(sources)
    concepts = parts.concepts()
    synonyms = parts.synonyms(concepts)
    with_synonyms = {
        cid: c.model_copy(update={"synonyms": tuple(synonyms[cid])}) if cid in synonyms else c
        for cid, c in concepts.items()
    }
    paper = parts.paper()
    metadata = sources.metadata or OntologyMetadata(
        title="(missing metadata)", version="0.0.0", base_iri="https://w3id.org/uts/", license=""
    )
    ontology = Ontology(
        metadata=metadata,
        concepts=with_derived_fields(with_synonyms, paper),
        paper=tuple(paper),
        paper_header=sources.paper_header,
        reordered=parts.reordered(),
        facets=parts.facets(),
        mappings=parts.mappings(),
        senses=tuple(parts.senses()),
    )
    return Built(ontology, Provenance(MappingProxyType(parts.records), sources.layout), parts.problems)


__all__ = ["NO_PROVENANCE", "Built", "Provenance", "build", "label_key"]
