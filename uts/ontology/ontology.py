"""The ``Ontology``: one immutable UTS version, with lookup by ID or by any label, levels and the broader graph.

Immutable so that one instance can be shared by every request of a server and every thread of a pipeline: its
fields are read-only mappings and tuples, and its derived indexes (labels, graph) are computed once, on first
use, and can never go stale. A change makes a new Ontology (see ``uts.ontology.apply``). Where its records were
read from (files, lines) is kept beside it, in ``uts.ontology.build.Provenance``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from uts.errors import UnknownConceptError, UnknownFacetError, UnknownTagError
from uts.lexical import normalise
from uts.ontology import graph as graphs
from uts.ontology.labels import LabelIndex, follow_replacements
from uts.ontology.mapping import MappingSet
from uts.ontology.model import (
    Concept,
    Facet,
    Level,
    OntologyMetadata,
    PaperTag,
    Status,
    WordSense,
    format_id,
    freeze,
    id_number,
    rank_key,
    thaw,
)

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, eq=False)
class Ontology:
    """One UTS version: concepts, facets, the paper's published tags and the vocabulary mapping sets.

    >>> from uts import load_ontology
    >>> uts = load_ontology()                     # the bundled release
    >>> uts.lookup("High_Fidelity").label
    'high-fidelity'
    """

    metadata: OntologyMetadata
    concepts: Mapping[str, Concept]
    paper: tuple[PaperTag, ...] = ()
    paper_header: Mapping[str, Any] = field(default_factory=dict)
    reordered: Mapping[Level, Mapping[int, str]] = field(default_factory=dict)
    facets: Mapping[str, Facet] = field(default_factory=dict)
    mappings: Mapping[str, MappingSet] = field(default_factory=dict)
    senses: tuple[WordSense, ...] = ()
    """The curated senses of words that mean different things in running text (``ontology/senses.tsv``)."""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "concepts", MappingProxyType(dict(self.concepts)))
        set_(self, "paper", tuple(self.paper))
        set_(self, "paper_header", freeze(self.paper_header))
        set_(self, "reordered", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.reordered.items()}))
        set_(self, "facets", MappingProxyType(dict(self.facets)))
        set_(self, "mappings", MappingProxyType(dict(self.mappings)))
        set_(self, "senses", tuple(self.senses))

    def replace(self, **changes: Any) -> Ontology:
        """A new Ontology with some fields replaced (the indexes of the new one are computed afresh)."""
        fields = {
            "metadata": self.metadata,
            "concepts": self.concepts,
            "paper": self.paper,
            "paper_header": thaw(self.paper_header),
            "reordered": self.reordered,
            "facets": self.facets,
            "mappings": self.mappings,
            "senses": self.senses,
        }
        fields.update(changes)
        return Ontology(**fields)

    # ---- concepts -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def get(self, concept_id: str) -> Concept:
        try:
            return self.concepts[concept_id]
        except KeyError:
            raise UnknownConceptError(concept_id) from None

    def active(self) -> list[Concept]:
        return [c for c in self.concepts.values() if c.status is Status.ACTIVE]

    def current(self, concept_id: str) -> Concept | None:
        """The active concept that stands for ``concept_id`` today: itself, or where its ``replaced_by`` chain
        ends (cycle-safe). ``None`` when the concept was deprecated without a replacement.

        >>> from uts import load_ontology
        >>> uts = load_ontology()
        >>> uts.current(uts.lookup("rock_music").id).label   # merged into rock
        'rock'
        """
        self.get(concept_id)
        found = follow_replacements(self.concepts, concept_id)
        return self.concepts[found] if found is not None else None

    def next_id(self) -> str:
        """The ID after every ID ever used (deprecated concepts keep theirs, so none is reused)."""
        return format_id(max((id_number(i) for i in self.concepts), default=0) + 1)

    # ---- labels -------------------------------------------------------------------------------------

    @cached_property
    def labels(self) -> LabelIndex:
        """Normalised label -> the concept it names; the one label index every consumer reads."""
        return LabelIndex(self.concepts)

    def find(self, tag: str) -> Concept | None:
        """The concept with this label (any case or separator), or ``None``."""
        hit = self.labels.find(tag)
        return self.concepts[hit.concept_id] if hit is not None else None

    def lookup(self, tag: str) -> Concept:
        """Like ``find`` but raises ``UnknownTagError`` with close labels as suggestions."""
        concept = self.find(tag)
        if concept is not None:
            return concept
        from rapidfuzz import process

        hits = process.extract(normalise(tag), list(self.labels), limit=3, score_cutoff=70)
        suggestions = list(dict.fromkeys(self.concepts[self.labels[k].concept_id].label for k, _, _ in hits))
        raise UnknownTagError(tag, suggestions)

    def resolve_id_or_label(self, text: str) -> Concept:
        return self.get(text) if text.upper().startswith("UTS:") else self.lookup(text)

    # ---- levels -------------------------------------------------------------------------------------

    def in_level(self, level: Level) -> list[Concept]:
        """Active concepts inside a paper level, best-ranked first."""
        members = [c for c in self.concepts.values() if level in c.levels and c.status is Status.ACTIVE]
        return sorted(members, key=rank_key)

    def level_tags(self, level: Level) -> list[PaperTag]:
        """The published tags of one level in that level's own file order (its original indices)."""
        by_index = {t.index: t for t in self.paper}
        first_of: dict[str, PaperTag] = {}
        for tag in sorted(self.paper, key=lambda t: t.index):
            first_of.setdefault(tag.tag, tag)
        moved = self.reordered.get(level, {})
        out = []
        for index in range(min(level.size, len(by_index))):
            if index in moved:
                out.append(first_of[moved[index]].model_copy(update={"index": index}))
            else:
                out.append(by_index[index])
        return out

    def paper_tags_of(self, concept_id: str) -> list[PaperTag]:
        return self._paper_by_concept.get(concept_id, [])

    @cached_property
    def _paper_by_concept(self) -> dict[str, list[PaperTag]]:
        out: dict[str, list[PaperTag]] = defaultdict(list)
        for tag in self.paper:
            out[tag.concept_id].append(tag)
        return dict(out)

    # ---- facets -------------------------------------------------------------------------------------

    def facet(self, facet_id: str) -> Facet:
        try:
            return self.facets[facet_id]
        except KeyError:
            choices = ", ".join(sorted(self.facets)) or "(none defined)"
            raise UnknownFacetError(facet_id, choices) from None

    def facet_and_subfacets(self, facet_id: str) -> set[str]:
        """The facet and every facet below it (an aspect includes its sub-facets)."""
        self.facet(facet_id)
        out = {facet_id}
        changed = True
        while changed:
            more = {f.id for f in self.facets.values() if f.parent in out} - out
            out |= more
            changed = bool(more)
        return out

    def in_facet(self, facet_id: str) -> list[Concept]:
        """Active concepts that carry the facet (or one of its sub-facets) among their facets."""
        wanted = self.facet_and_subfacets(facet_id)
        return [c for c in self.concepts.values() if c.status is Status.ACTIVE and wanted.intersection(c.facets)]

    def facet_roots(self) -> dict[str, str]:
        """Root concept ID -> the facet it roots."""
        return {f.root: f.id for f in self.facets.values()}

    # ---- graph --------------------------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Broader -> narrower edges between concept IDs. Read it, never change it: it is shared."""
        return graphs.build_graph(self.concepts.values())

    def narrower(self, concept_id: str) -> list[Concept]:
        self.get(concept_id)
        return [self.concepts[n] for n in sorted(self.graph.successors(concept_id))]

    def ancestors(self, concept_id: str) -> list[Concept]:
        self.get(concept_id)
        return [self.concepts[n] for n in sorted(graphs.ancestors(self.graph, concept_id))]

    def descendants(self, concept_id: str) -> list[Concept]:
        self.get(concept_id)
        return [self.concepts[n] for n in sorted(graphs.descendants(self.graph, concept_id))]

    def depth(self, concept_id: str) -> int:
        """Length of the longest broader chain above the concept (0 for a root)."""
        self.get(concept_id)
        return graphs.depth(self.graph, concept_id, self._depths)

    @cached_property
    def _depths(self) -> dict[str, int]:
        return {}


def with_derived_fields(concepts: Mapping[str, Concept], paper: Iterable[PaperTag]) -> dict[str, Concept]:
    """Concepts with ``rank`` and ``levels`` recomputed from the paper alignment (the one place they are)."""
    best_rank: dict[str, int] = {}
    for tag in paper:
        if tag.concept_id in concepts:
            best_rank[tag.concept_id] = min(best_rank.get(tag.concept_id, tag.index), tag.index)
    out: dict[str, Concept] = {}
    for concept_id, concept in concepts.items():
        rank = best_rank.get(concept_id)
        levels = Level.containing(rank) if rank is not None else ()
        if concept.rank == rank and concept.levels == levels:
            out[concept_id] = concept
        else:
            out[concept_id] = concept.model_copy(update={"rank": rank, "levels": levels})
    return out


__all__ = ["Ontology", "with_derived_fields"]
