"""Quality control of the curation: coverage of facets, domains, hierarchy and definitions, against thresholds.

Validation (``validate.py``) says whether a release is well formed; QC says whether it is curated enough to
ship, and lists what a curator should look at next.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel
from rapidfuzz import fuzz

from uts.lexical import normalise
from uts.ontology import graph as graphs
from uts.ontology.model import Concept, Level, Origin, Status
from uts.ontology.ontology import Ontology

MIN_PLACED = 0.95


class QCCheck(BaseModel):
    name: str
    passed: bool
    detail: str


class QCReport(BaseModel):
    version: str
    active: int
    per_facet: dict[str, int]
    per_domain: dict[str, int]
    per_level: dict[str, int]
    depth: dict[int, int]
    without_facet: list[str]
    without_domain: list[str]
    orphans: list[str]
    outside_facet_tree: list[str]
    placed_ratio: float
    missing_definitions: list[str]
    shared_labels: dict[str, list[str]]
    suspicious_merges: list[str]
    scope_notes: int
    cycles: list[list[str]]
    checks: list[QCCheck]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def _describe(ontology: Ontology, ids: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"{i} ({ontology.concepts[i].label})" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _really_shared(ontology: Ontology, ids: list[str]) -> bool:
    """More than one holder is a problem unless the extra holders are deprecated in favour of the active one."""
    active = [i for i in ids if ontology.concepts[i].status is Status.ACTIVE]
    if len(active) != 1:
        return len(active) > 1
    return any(ontology.current(i) != ontology.concepts[active[0]] for i in ids if i != active[0])


def outside_facet_tree(ontology: Ontology, active: list[Concept]) -> tuple[list[str], float]:
    """Concepts not below the root of their primary facet, and the share that is placed (aspect roots aside)."""
    aspect_roots = {f.root for f in ontology.facets.values() if f.is_aspect}
    outside: list[str] = []
    placeable = [c for c in active if c.id not in aspect_roots]
    for concept in placeable:
        facet = ontology.facets.get(concept.facets[0]) if concept.facets else None
        if facet is None or not concept.broader:
            outside.append(concept.id)
            continue
        if concept.id != facet.root and facet.root not in graphs.ancestors(ontology.graph, concept.id):
            outside.append(concept.id)
    return outside, (1 - len(outside) / len(placeable) if placeable else 1.0)


def shared_labels(ontology: Ontology) -> dict[str, list[str]]:
    """Normalised labels held by more than one concept, unless the others were merged into the active holder."""
    holders: dict[str, list[str]] = {}
    for concept in ontology.concepts.values():
        for label in set(map(normalise, concept.all_labels)):
            holders.setdefault(label, []).append(concept.id)
    return {k: ids for k, ids in sorted(holders.items()) if len(ids) > 1 and _really_shared(ontology, ids)}


def suspicious_merges(ontology: Ontology, active: list[Concept]) -> list[str]:
    """Published tags merged into a concept whose label looks nothing like them: worth a curator's look."""
    out = []
    for concept in active:
        for tag in ontology.paper_tags_of(concept.id):
            key, label = normalise(tag.tag), normalise(concept.label)
            if key != label and fuzz.ratio(key, label) < 60:
                out.append(f"{concept.id} ({concept.label}) <- '{tag.tag}' [{tag.justification}]")
    return out


def run_qc(ontology: Ontology) -> QCReport:
    """Measure the curation of ``ontology``; ``report.passed`` says whether every threshold is met."""
    active = sorted(ontology.active(), key=lambda c: c.id)
    aspect_roots = {f.root for f in ontology.facets.values() if f.is_aspect}
    without_facet = [c.id for c in active if not c.facets]
    without_domain = [c.id for c in active if not c.domains]
    outside, placed_ratio = outside_facet_tree(ontology, active)
    needs_definition = [c for c in active if Level.L800 in c.levels or c.origin is Origin.CURATED]
    missing_definitions = [c.id for c in needs_definition if not c.definition]
    cycles = graphs.find_cycles(ontology.concepts.values())
    # Depth is the longest broader chain, which a cycle makes endless: reported only for an acyclic graph.
    depth = Counter(ontology.depth(c.id) for c in active) if not cycles else Counter[int]()
    checks = [
        QCCheck(
            name="every active concept has a facet",
            passed=not without_facet,
            detail=_describe(ontology, without_facet) or "all have one",
        ),
        QCCheck(
            name="every active concept has a domain",
            passed=not without_domain,
            detail=_describe(ontology, without_domain) or "all have one",
        ),
        QCCheck(
            name=f"at least {MIN_PLACED:.0%} of active concepts sit below the root of their primary facet",
            passed=placed_ratio >= MIN_PLACED,
            detail=f"{placed_ratio:.1%} placed; outside: {_describe(ontology, outside) or 'none'}",
        ),
        QCCheck(
            name="every level-800 concept and every curated concept has a definition",
            passed=not missing_definitions,
            detail=_describe(ontology, missing_definitions) or f"all {len(needs_definition)} defined",
        ),
        QCCheck(name="no broader cycles", passed=not cycles, detail=f"{len(cycles)} cycle(s)"),
        QCCheck(
            name="every facet root carries its facet",
            passed=all(
                f.id in ontology.concepts[f.root].facets
                for f in ontology.facets.values()
                if f.root in ontology.concepts
            ),
            detail=f"{len({f.root for f in ontology.facets.values()})} roots",
        ),
    ]
    return QCReport(
        version=ontology.metadata.version,
        active=len(active),
        per_facet=dict(sorted(Counter(c.facets[0] for c in active if c.facets).items())),
        per_domain=dict(sorted(Counter(d.value for c in active for d in c.domains).items())),
        per_level={level.value: len(ontology.in_level(level)) for level in Level},
        depth=dict(sorted(depth.items())),
        without_facet=without_facet,
        without_domain=without_domain,
        orphans=[c.id for c in active if not c.broader and c.id not in aspect_roots],
        outside_facet_tree=outside,
        placed_ratio=placed_ratio,
        missing_definitions=missing_definitions,
        shared_labels=shared_labels(ontology),
        suspicious_merges=suspicious_merges(ontology, active),
        scope_notes=sum(bool(c.comment) and c.origin is Origin.PAPER for c in active),
        cycles=cycles,
        checks=checks,
    )
