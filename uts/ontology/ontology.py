"""The ``Ontology``: UTS concepts with lookup by ID or by any label, levels and the broader graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uts.errors import (
    OntologyCycleError,
    OntologyValidationError,
    Problem,
    UnknownConceptError,
    UnknownFacetError,
    UnknownTagError,
    where,
)
from uts.matching.normalise import normalise
from uts.ontology import graph as graphs
from uts.ontology.model import Concept, Facet, Level, OntologyMetadata, PaperTag, Status, Synonym
from uts.ontology.source import SourceLayout, Sources, read_sources

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class SourceLine:
    """Where a record was read from, so later checks can name the file and line."""

    file: str
    line: int


@dataclass
class Ontology:
    """A loaded UTS release.

    >>> uts = Ontology.load()                     # the bundled release
    >>> uts.lookup("High_Fidelity").label
    'high-fidelity'
    """

    metadata: OntologyMetadata
    concepts: dict[str, Concept]
    paper: list[PaperTag] = field(default_factory=list)
    paper_header: dict[str, Any] = field(default_factory=dict)
    reordered: dict[Level, dict[int, str]] = field(default_factory=dict)
    facets: dict[str, Facet] = field(default_factory=dict)
    layout: SourceLayout | None = None
    where: dict[tuple[str, str], SourceLine] = field(default_factory=dict, repr=False)

    # ---- construction -------------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path | str | None = None, *, strict: bool = True) -> Ontology:
        """Load the sources below ``root`` (default: the bundled release) and check them.

        With ``strict`` any rule violation raises ``OntologyValidationError`` listing every problem.
        """
        from uts.ontology.validate import check

        sources = read_sources(Path(root) if root is not None else bundled_root())
        ontology, problems = build(sources)
        if strict:
            problems = problems + check(ontology)
            if any(p.kind == "cycle" for p in problems):
                raise OntologyCycleError(problems)
            if problems:
                raise OntologyValidationError(problems)
        return ontology

    # ---- lookup -------------------------------------------------------------------------------------

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

    @cached_property
    def label_index(self) -> dict[str, str]:
        """Normalised label -> concept ID; active concepts win over deprecated ones."""
        return build_label_index(self.concepts.values())

    def find(self, tag: str) -> Concept | None:
        """The concept with this label (any case or separator), or ``None``."""
        concept_id = self.label_index.get(normalise(tag))
        return self.concepts[concept_id] if concept_id is not None else None

    def lookup(self, tag: str) -> Concept:
        """Like ``find`` but raises ``UnknownTagError`` with close labels as suggestions."""
        concept = self.find(tag)
        if concept is not None:
            return concept
        from rapidfuzz import process

        keys = list(self.label_index)
        hits = process.extract(normalise(tag), keys, limit=3, score_cutoff=70)
        suggestions = list(dict.fromkeys(self.concepts[self.label_index[k]].label for k, _, _ in hits))
        raise UnknownTagError(tag, suggestions)

    def resolve_id_or_label(self, text: str) -> Concept:
        return self.get(text) if text.upper().startswith("UTS:") else self.lookup(text)

    # ---- levels -------------------------------------------------------------------------------------

    def in_level(self, level: Level) -> list[Concept]:
        """Active concepts inside a paper level, best-ranked first."""
        members = [c for c in self.concepts.values() if level in c.levels and c.status is Status.ACTIVE]
        return sorted(members, key=lambda c: (c.rank if c.rank is not None else 1 << 30, c.id))

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
        return out

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

    # ---- graph --------------------------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.DiGraph:
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


def bundled_root() -> Path:
    """The source root shipped with the package (a wheel) or the repository (an editable install)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_bundled"
    if (packaged / "ontology" / "terms.tsv").exists():
        return packaged
    return here.parent


def build(sources: Sources) -> tuple[Ontology, list[Problem]]:
    """Assemble concepts from parsed rows; structural problems are returned, not raised."""
    problems = list(sources.problems)
    layout = sources.layout
    terms_file, labels_file, paper_file, _, facets_file = (where(p) for p in layout.tables)
    origins: dict[tuple[str, str], SourceLine] = {}

    concepts: dict[str, Concept] = {}
    for line, term in sources.terms:
        if term.id in concepts:
            first = origins[("term", term.id)].line
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
        origins[("term", term.id)] = SourceLine(terms_file, line)

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
        origins[("label", f"{concept_id}\t{synonym.label}")] = SourceLine(labels_file, line)

    reordered: dict[Level, dict[int, str]] = defaultdict(dict)
    order_file = where(layout.paper_order)
    for line, level, index, moved_tag in sources.reordered:
        if index in reordered[level]:
            problems.append(
                Problem(order_file, line, f"level {level.value} index {index} is listed twice", "keep one row")
            )
        reordered[level][index] = moved_tag
        origins[("order", f"{level.value}\t{index}")] = SourceLine(order_file, line)

    facets: dict[str, Facet] = {}
    for line, facet in sources.facets:
        if facet.id in facets:
            problems.append(Problem(facets_file, line, f"facet {facet.id!r} is listed twice", "keep one row per facet"))
            continue
        facets[facet.id] = facet
        origins[("facet", facet.id)] = SourceLine(facets_file, line)

    for line, tag in sources.paper:
        origins[("paper", str(tag.index))] = SourceLine(paper_file, line)
    built = with_derived_fields(
        {cid: c.model_copy(update={"synonyms": tuple(synonyms.get(cid, ()))}) for cid, c in concepts.items()},
        [tag for _, tag in sources.paper],
    )
    metadata = sources.metadata or OntologyMetadata(
        title="(missing metadata)", version="0.0.0", base_iri="https://w3id.org/uts/", license=""
    )
    ontology = Ontology(
        metadata=metadata,
        concepts=built,
        paper=[tag for _, tag in sources.paper],
        paper_header=sources.paper_header,
        reordered=dict(reordered),
        facets=facets,
        layout=layout,
        where=origins,
    )
    return ontology, problems


def build_label_index(concepts: Iterable[Concept]) -> dict[str, str]:
    """Normalised label -> concept ID, where an active concept wins over a deprecated one with the same label."""
    index: dict[str, str] = {}
    for concept in sorted(concepts, key=lambda c: c.status is Status.ACTIVE):
        for label in concept.all_labels:
            index[normalise(label)] = concept.id
    return index


def with_derived_fields(concepts: dict[str, Concept], paper: list[PaperTag]) -> dict[str, Concept]:
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


def origin_of(ontology: Ontology, kind: str, key: str) -> tuple[str, int]:
    found = ontology.where.get((kind, key))
    return (found.file, found.line) if found else ("(built in memory)", 0)


__all__ = ["Ontology", "SourceLine", "build", "bundled_root"]
