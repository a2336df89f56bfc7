"""Quality control of the curation: coverage of facets, domains, hierarchy and definitions, against thresholds.

Validation (``validate.py``) says whether a release is well formed; QC says whether it is curated enough to
ship, and lists what a curator should look at next: merges that look wrong, vocabulary mapping rows whose
comment names a gap (``gap: X``) that a concept added since now fills, and labels in other languages that lookups
never reach because a label of another concept (English first) holds their key.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from rapidfuzz import fuzz

from uts.lexical import normalise, plurals, singulars
from uts.ontology import graph as graphs
from uts.ontology.mapping import MappingRow, MappingSet
from uts.ontology.model import Concept, LabelScope, Level, Origin, Status
from uts.ontology.ontology import Ontology

MIN_PLACED = 0.95
# Every level-800 concept has a preferred label in each of these languages (issue 15: the languages audio taggers
# and captioners are most often run in besides English; zh is Simplified Chinese).
LABEL_LANGUAGES = ("de", "es", "fr", "it", "ja", "pt", "ru", "zh")


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
    preferred_labels: dict[str, int] = {}  # language -> level-800 concepts with a preferred label in it
    shadowed_labels: list[str] = []
    suspicious_merges: list[str]
    filled_gaps: list[str]
    twin_candidates: list[str]
    sibling_definitions: list[str]
    flat_groups: list[str]
    better_parents: list[str]
    object_narrower_terms: list[str]
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


def shadowed_labels(ontology: Ontology) -> list[str]:
    """Labels in other languages of active concepts whose key the label index gives another concept: an English
    label (which always wins) or a stronger label in another language. Lookups never reach them; worth a look when
    the label is a concept's preferred one."""
    out = []
    labels = ontology.labels
    for concept in sorted(ontology.active(), key=lambda c: c.id):
        for synonym in concept.translations:
            hit = labels.get(normalise(synonym.label))
            if hit is not None and hit.current != concept.id:
                holder = ontology.concepts[hit.concept_id]
                which = repr(hit.label) if hit.is_english else f"{hit.label!r}@{hit.lang}"
                out.append(
                    f"{concept.id} ({concept.label}) {synonym.label!r}@{synonym.lang} ({synonym.scope.value}) "
                    f"is {which} of {holder.id} ({holder.label})"
                )
    return out


def preferred_label_counts(ontology: Ontology, languages: tuple[str, ...] = LABEL_LANGUAGES) -> dict[str, int]:
    """Per language, how many active level-800 concepts have a preferred label in it."""
    level = ontology.in_level(Level.L800)
    return {lang: sum(c.pref_label(lang) is not None for c in level) for lang in languages}


def suspicious_merges(ontology: Ontology, active: list[Concept]) -> list[str]:
    """Published tags merged into a concept whose label looks nothing like them: worth a curator's look."""
    out = []
    for concept in active:
        for tag in ontology.paper_tags_of(concept.id):
            key, label = normalise(tag.tag), normalise(concept.label)
            if key != label and fuzz.ratio(key, label) < 60:
                out.append(f"{concept.id} ({concept.label}) <- '{tag.tag}' [{tag.justification}]")
    return out


# ---- mapping rows whose named gap a concept now fills ----------------------------------------------------------

# "gap: X" up to the end of its clause; "no [UTS] X concept", "no [UTS] concept for X" anywhere in a clause.
_GAP = re.compile(r"\bgap\s*:\s*([^;]+)", re.IGNORECASE)
_NO_CONCEPT = re.compile(
    r"\bno\s+(?:uts\s+)?(?:concept\s+(?:for|of)\s+(?P<for>[^;,.()]+)|(?P<named>[^;,.()]+?)\s+concept)\b",
    re.IGNORECASE,
)
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_QUOTED = re.compile(r"'([^']+)'")
_ALTERNATIVES = re.compile(r"\s*(?:/|,|\bor\b)\s*")
MAX_ALTERNATIVE_WORDS = 3
KEPT = "kept "  # a clause starting "kept broad: ...", "kept related: ..." records why a filled gap was not taken


@dataclass(frozen=True)
class FilledGap:
    """A positive mapping row whose comment names a gap that an active concept now fills."""

    vocabulary: str
    row: MappingRow
    gap: str  # the name the comment gives the gap
    concept: Concept  # the active concept holding that name as its label or a synonym
    object_label: str  # the preferred label of the row's object today

    def __str__(self) -> str:
        row = self.row
        return (
            f"{self.vocabulary}: {row.subject_id} ({row.subject_label}) {row.predicate_id} {row.object_id} "
            f"({self.object_label}) names the gap {self.gap!r}, now filled by {self.concept.id} ({self.concept.label})"
        )


def gap_names(comment: str) -> list[str]:
    """The names a mapping comment gives the concepts UTS lacked, most literal first.

    A gap is written ``gap: X`` (``X`` up to the next ``;``) or ``no X concept`` / ``no concept for X``. Each gives
    its text, the text without parenthetical glosses, the class names it quotes, and the alternatives it lists
    (``caterwaul/yowl``, ``file or rasp``: names of at most three words). A clause starting ``kept`` (``kept
    broad: ...``) records a curator's decision and is skipped.

    >>> gap_names("gap: printer / copier (AudioSet 'Printer')")
    ["printer / copier (AudioSet 'Printer')", 'printer / copier', 'Printer', 'printer', 'copier']
    >>> gap_names("breaking sounds; no UTS 'breaking' concept"), gap_names("kept broad: no grime concept fits")
    (['breaking'], [])
    """
    texts: list[str] = []
    for clause in comment.split(";"):
        clause = clause.strip()
        if not clause or clause.casefold().startswith(KEPT):
            continue
        texts += [m.group(1) for m in _GAP.finditer(clause)]
        texts += [m.group("for") or m.group("named") for m in _NO_CONCEPT.finditer(clause)]
    out: list[str] = []
    for text in texts:
        inner = _NO_CONCEPT.fullmatch(text.strip())
        text = (inner.group("for") or inner.group("named")) if inner else text
        bare = _PARENTHESIS.sub("", text)
        alternatives = _ALTERNATIVES.split(bare)
        # A list of short names ("caterwaul/yowl"), not a phrase that merely has a comma or an "or" in it.
        listed = alternatives if all(len(a.split()) <= MAX_ALTERNATIVE_WORDS for a in alternatives) else []
        out += [text, bare, *_QUOTED.findall(text), *listed]
    return list(dict.fromkeys(t.strip(" '\"") for t in out if t.strip(" '\"")))


def _name_index(ontology: Ontology) -> dict[str, list[str]]:
    """Normalised preferred, alternative and hidden label -> the active concepts holding it (narrower terms
    are no concepts of their own, so they fill no gap)."""
    index: dict[str, list[str]] = {}
    for concept in ontology.active():
        for label, scope in concept.scoped_labels():
            if scope is not LabelScope.NARROWER:
                holders = index.setdefault(normalise(label), [])
                if concept.id not in holders:
                    holders.append(concept.id)
    return index


def _named_concepts(comment: str, index: Mapping[str, list[str]]) -> Iterator[tuple[str, str]]:
    """``(gap name, concept ID)`` for each gap name of the comment that is (in a singular or plural form) a label."""
    for gap in gap_names(comment):
        key = normalise(gap)
        for form in dict.fromkeys([key, *singulars(key), *plurals(key)] if key else []):
            for concept_id in index.get(form, ()):
                yield gap, concept_id


def filled_gaps(ontology: Ontology, mapping_sets: Mapping[str, MappingSet] | None = None) -> list[FilledGap]:
    """Positive rows of the vocabulary mapping sets (default: the ontology's) whose comment names a gap an active
    concept now fills.

    A name fills the gap when, normalised (or in a singular or plural form), it is the label or a synonym of an
    active concept that the class is not yet mapped to, that is not broader than a concept it is mapped to, and
    that no negative row of the class refuses (a homonym the curators already ruled out).
    Remap the row to that concept, or keep it and say why in a clause starting ``kept broad:`` (not ``gap:``).
    """
    index = _name_index(ontology)
    broader: dict[str, set[str]] = {}

    def covered_by(objects: set[str]) -> set[str]:
        """The objects and every concept broader than one of them."""
        out = set(objects)
        for o in objects:
            if o not in broader:
                broader[o] = graphs.ancestors(ontology.graph, o) if o in ontology.graph else set()
            out |= broader[o]
        return out

    found: list[FilledGap] = []
    for name, mapping_set in sorted((ontology.mappings if mapping_sets is None else mapping_sets).items()):
        mapped: dict[str, set[str]] = {}
        refused: dict[str, set[str]] = {}
        for row in mapping_set.rows:
            (refused if row.negated else mapped).setdefault(row.subject_id, set()).add(row.object_id)
        for row in mapping_set.rows:
            if row.negated or not row.comment:
                continue
            # A concept the class maps to already, or one broader than that, or one a negative row refuses.
            covered = covered_by(mapped[row.subject_id]) | refused.get(row.subject_id, set())
            target = ontology.concepts.get(row.object_id)
            object_label = target.label if target is not None else row.object_label
            for gap, concept_id in _named_concepts(row.comment, index):
                if concept_id not in covered:
                    covered.add(concept_id)  # one report per concept and row
                    found.append(FilledGap(name, row, gap, ontology.concepts[concept_id], object_label))
    return found


def _better_parent(label: Mapping[str, str], concept: str, sibling: str, parent: str) -> str:
    return f"{concept} ({label[concept]}) names sibling {sibling} ({label[sibling]}) under {parent} ({label[parent]})"


def run_qc(ontology: Ontology, reviewed: Sequence[frozenset[str]] = ()) -> QCReport:
    """Measure the curation of ``ontology``; ``report.passed`` says whether every threshold is met.

    ``reviewed``: twin sets curators kept apart on purpose (``ontology/reviewed-twins.tsv``, read by
    :func:`uts.ontology.twins.read_reviewed`); candidates inside one of them are not reported again.
    """
    from uts.ontology import twins

    active = sorted(ontology.active(), key=lambda c: c.id)
    aspect_roots = {f.root for f in ontology.facets.values() if f.is_aspect}
    without_facet = [c.id for c in active if not c.facets]
    without_domain = [c.id for c in active if not c.domains]
    outside, placed_ratio = outside_facet_tree(ontology, active)
    missing_definitions = [c.id for c in active if not c.definition]
    open_twins = twins.twin_sets(twins.unreviewed(twins.twin_pairs(ontology), reviewed))
    alike = twins.sibling_definitions(ontology)
    flat = twins.flat_groups(ontology)
    label = {c.id: c.label for c in ontology.concepts.values()}
    cycles = graphs.find_cycles(ontology.concepts.values())
    filled = [str(f) for f in filled_gaps(ontology)]
    in_800 = len(ontology.in_level(Level.L800))
    preferred = preferred_label_counts(ontology)
    unlabelled = {lang: in_800 - n for lang, n in preferred.items() if n < in_800}
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
            name="every active concept has a definition",
            passed=not missing_definitions,
            detail=_describe(ontology, missing_definitions) or f"all {len(active)} defined",
        ),
        QCCheck(
            name="no twin candidates left unreviewed (same stems, a kind's name added, 'same sense' notes, alike "
            f"sibling definitions; kept-apart sets are in {twins.REVIEWED_FILE})",
            passed=not open_twins,
            detail=f"{len(open_twins)} set(s); the first: {open_twins[0].describe(ontology)}" if open_twins else "none",
        ),
        QCCheck(
            name=f"no two sibling definitions are {twins.SAME_DEFINITION}% alike or more",
            passed=not alike,
            detail="; ".join(f"{label[a]} / {label[b]} ({s:.0f}%)" for a, b, s in alike[:5]) or "none",
        ),
        QCCheck(
            name=f"no group has more than {twins.MAX_LEAF_CHILDREN} direct children without sub-groups",
            passed=not flat,
            detail=", ".join(f"{label[g]} ({leaves} of {n})" for g, leaves, n in flat) or "none",
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
        QCCheck(
            name=f"every level-800 concept has a preferred label in {', '.join(LABEL_LANGUAGES)}",
            passed=not unlabelled,
            detail=", ".join(f"{lang}: {n} without" for lang, n in unlabelled.items())
            + " (ontology/translations/LANG.tsv)"
            if unlabelled
            else f"all {in_800} in each",
        ),
        QCCheck(
            name="no mapping row names a gap (gap: X) that an active concept X now fills",
            passed=not filled,
            detail=f"{len(filled)} row(s) to remap, or to keep with a comment 'kept broad: why'; the first: {filled[0]}"
            if filled
            else "none",
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
        preferred_labels=preferred,
        shadowed_labels=shadowed_labels(ontology),
        suspicious_merges=suspicious_merges(ontology, active),
        filled_gaps=filled,
        twin_candidates=[t.describe(ontology) for t in open_twins],
        sibling_definitions=[f"{a} ({label[a]}) / {b} ({label[b]}): {s:.0f}%" for a, b, s in alike],
        flat_groups=[f"{g} ({label[g]}): {leaves} leaves of {n} children" for g, leaves, n in flat],
        better_parents=[_better_parent(label, *found) for found in twins.better_parents(ontology)],
        object_narrower_terms=[f"{c} ({label[c]}): {term}" for c, term in twins.object_narrower_terms(ontology)],
        scope_notes=sum(bool(c.comment) and c.origin is Origin.PAPER for c in active),
        cycles=cycles,
        checks=checks,
    )
