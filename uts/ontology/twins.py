"""Curation checks of the graph's shape: twins (two active concepts with one meaning), sibling definitions that say
the same, oversized flat groups, definitions that name a better parent, and narrower terms that are no kind of
their concept.

These feed ``uts qc``: each finds candidates by cheap rules, and a curator decides. A twin set that was reviewed
and kept apart on purpose is recorded with its reason in ``ontology/reviewed-twins.tsv`` (read by
:func:`read_reviewed`), so the next pass starts from what nobody has looked at yet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from uts.errors import Problem, SourceError, where
from uts.io.tables import format_table, parse_table, read_text, split_list
from uts.lexical import normalise
from uts.ontology.model import Concept, LabelScope, Status
from uts.ontology.ontology import Ontology

SAME_DEFINITION = 90  # token-sort similarity (0-100) from which two definitions say the same
MAX_LEAF_CHILDREN = 40  # direct children without children of their own a group may have before it needs sub-groups
MIN_PREFIX = 5  # letters two one-word stems must share to be twin candidates (with the same primary facet)
REVIEWED_COLUMNS = ("ids", "labels", "decision", "reason")
REVIEWED_FILE = "ontology/reviewed-twins.tsv"
KEPT_APART = "kept-apart"
_WORD = re.compile(r"[^\W_]+")
# A scope note that says the concept means what another one does: "same sense as 'snare-drum'", "same event as ...".
_SAME = re.compile(r"\bsame (?:sense|meaning|event|instrument|sound|thing|concept)\b|\bsynonym of\b", re.IGNORECASE)
_QUOTED = re.compile(r"'([^']+)'")
_MATERIAL_OR_PLACE = ("material", "scene")
_JOINERS = frozenset({"and", "or"})


@cache
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one word: "repeating" and "repeated" are "repeat"."""
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def stems(label: str) -> tuple[str, ...]:
    """The stems of a label's words: "Snare_Drum" -> ("snare", "drum")."""
    return tuple(stem(w) for w in _WORD.findall(label.casefold()))


@dataclass(frozen=True)
class TwinSet:
    """Active concepts that may mean the same thing, and the rules that linked them."""

    ids: tuple[str, ...]
    reasons: tuple[str, ...]

    def describe(self, ontology: Ontology) -> str:
        labels = ", ".join(f"{i} ({ontology.concepts[i].label})" for i in self.ids)
        return f"{labels}: {'; '.join(self.reasons)}"


@dataclass
class _Links:
    pairs: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, a: str, b: str, reason: str) -> None:
        if a != b:
            key = (a, b) if a < b else (b, a)
            if reason not in self.pairs[key]:
                self.pairs[key].append(reason)


def twin_pairs(ontology: Ontology) -> dict[tuple[str, str], list[str]]:
    """Every pair of active concepts a rule says may be twins, with the rules' words for why."""
    active = [c for c in ontology.concepts.values() if c.status is Status.ACTIVE]
    links = _Links()
    by_stems: dict[tuple[str, ...], list[Concept]] = defaultdict(list)
    for c in active:
        by_stems[stems(c.label)].append(c)
    for key, group in by_stems.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                links.add(a.id, b.id, f"same stems {' '.join(key)}")
    # One-word labels of one primary facet whose stems share their first letters: minimal / minimalist.
    by_prefix: dict[tuple[str, str], list[Concept]] = defaultdict(list)
    for key, group in by_stems.items():
        if len(key) == 1 and len(key[0]) >= MIN_PREFIX:
            for c in group:
                if c.facets:
                    by_prefix[(c.facets[0], key[0][:MIN_PREFIX])].append(c)
    for (_, prefix), group in by_prefix.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if stems(a.label) != stems(b.label):
                    links.add(a.id, b.id, f"stems share '{prefix}' in one facet")
    _head_twins(ontology, active, by_stems, links)
    _comment_twins(ontology, active, links)
    for first, second, score in sibling_definitions(ontology):
        links.add(first, second, f"sibling definitions {score:.0f}% alike")
    return dict(links.pairs)


def _head_twins(
    ontology: Ontology, active: list[Concept], by_stems: Mapping[tuple[str, ...], list[Concept]], links: _Links
) -> None:
    """ "snare drum" beside "snare", "negative emotion" beside "negative": a label that adds to another only the
    name of an ancestor (the extra words say what kind of thing it is, nothing more)."""
    for c in active:
        words = stems(c.label)
        if len(words) < 2 or _JOINERS & set(words):  # "clicks and taps" gathers two kinds: a group, no twin
            continue
        for cut in range(1, len(words)):
            for core, extra in ((words[:cut], words[cut:]), (words[cut:], words[:cut])):
                for other in by_stems.get(core, ()):
                    kinds = {w for a in ontology.ancestors(other.id) for w in stems(a.label)}
                    if set(extra) <= kinds:
                        links.add(c.id, other.id, f"'{c.label}' is '{other.label}' plus the name of its kind")


def _comment_twins(ontology: Ontology, active: list[Concept], links: _Links) -> None:
    index = ontology.labels
    for c in active:
        if not c.comment or not _SAME.search(c.comment):
            continue
        for name in _QUOTED.findall(c.comment):
            hit = index.get(normalise(name))
            if hit is not None:
                other = ontology.current(hit.concept_id)
                if other is not None and other.id != c.id:
                    links.add(c.id, other.id, f"scope note of '{c.label}' says it means '{name}'")


def sibling_definitions(ontology: Ontology, threshold: float = SAME_DEFINITION) -> list[tuple[str, str, float]]:
    """Pairs of active siblings (one broader concept in common) whose definitions say nearly the same words."""
    children: dict[str, list[Concept]] = defaultdict(list)
    for c in ontology.concepts.values():
        if c.status is Status.ACTIVE and c.definition:
            for parent in c.broader:
                children[parent].append(c)
    out: dict[tuple[str, str], float] = {}
    for group in children.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                score = fuzz.token_sort_ratio(a.definition, b.definition)
                if score >= threshold:
                    key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                    out[key] = max(score, out.get(key, 0.0))
    return [(a, b, s) for (a, b), s in sorted(out.items())]


def twin_sets(pairs: Mapping[tuple[str, str], list[str]]) -> list[TwinSet]:
    """Pairs joined into sets (a concept twinned with two others makes one set of three)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    members: dict[str, set[str]] = defaultdict(set)
    reasons: dict[str, list[str]] = defaultdict(list)
    for (a, b), why in pairs.items():
        root = find(a)
        members[root] |= {a, b}
        reasons[root] += [r for r in why if r not in reasons[root]]
    return sorted((TwinSet(tuple(sorted(ids)), tuple(reasons[r])) for r, ids in members.items()), key=lambda s: s.ids)


def unreviewed(
    pairs: Mapping[tuple[str, str], list[str]], reviewed: Iterable[frozenset[str]]
) -> dict[tuple[str, str], list[str]]:
    """The pairs no reviewed set holds both of."""
    sets = list(reviewed)
    return {p: why for p, why in pairs.items() if not any(p[0] in s and p[1] in s for s in sets)}


# ---- the reviewed keep-apart decisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    ids: frozenset[str]
    reason: str
    line: int


def reviewed_path(root: Path) -> Path:
    return root / REVIEWED_FILE


def read_reviewed(root: Path) -> list[Reviewed]:
    """The twin sets curators kept apart, each with its reason; a missing file is no decision yet."""
    path = reviewed_path(root)
    if not path.exists():
        return []
    problems: list[Problem] = []
    text = read_text(path, problems)
    out: list[Reviewed] = []
    if text is not None:
        table = parse_table(path, text, REVIEWED_COLUMNS, problems)
        for row in table.rows:
            ids = split_list(row["ids"])
            if len(ids) < 2 or row["decision"] != KEPT_APART or not row["reason"]:
                problems.append(Problem(where(path), row.line, "a row needs two or more ids, decision "
                                        f"'{KEPT_APART}' and a reason", "complete the row"))  # fmt: skip
                continue
            out.append(Reviewed(frozenset(ids), row["reason"], row.line))
    if problems:
        raise SourceError(problems, "the reviewed twin sets cannot be read")
    return out


def format_reviewed(ontology: Ontology, reviewed: Iterable[Reviewed]) -> str:
    """Canonical text: ids sorted within a row, rows by their first id; labels derived."""
    rows = []
    for r in sorted(reviewed, key=lambda r: sorted(r.ids)):
        ids = sorted(r.ids)
        labels = [ontology.concepts[i].label if i in ontology.concepts else "?" for i in ids]
        rows.append(("|".join(ids), "|".join(labels), KEPT_APART, r.reason))
    return format_table(REVIEWED_COLUMNS, rows)


# ---- structure ----------------------------------------------------------------------------------------------


def flat_groups(ontology: Ontology, limit: int = MAX_LEAF_CHILDREN) -> list[tuple[str, int, int]]:
    """Groups with more than ``limit`` direct children that have none of their own: (id, leaves, children),
    largest first."""
    children: dict[str, list[str]] = defaultdict(list)
    for c in ontology.concepts.values():
        if c.status is Status.ACTIVE:
            for parent in c.broader:
                children[parent].append(c.id)
    out = []
    for parent, kids in children.items():
        leaves = sum(1 for k in kids if k not in children)
        if leaves > limit:
            out.append((parent, leaves, len(kids)))
    return sorted(out, key=lambda g: -g[1])


def better_parents(ontology: Ontology) -> list[tuple[str, str, str]]:
    """Concepts whose definition (its first sentence, what the concept is) names a sibling of the same facet:
    (concept, named sibling, parent) - "vivace" beside "high_tempo", "afro-cuban" beside "cuban": the sibling may be
    the better parent."""
    index = ontology.labels
    out = []
    for c in ontology.concepts.values():
        if c.status is not Status.ACTIVE or not c.definition or not c.broader:
            continue
        first = c.definition.split(". ", 1)[0]  # what the concept is; the rest gives examples
        words = _WORD.findall(first.casefold())
        named: set[str] = set()
        for n in range(1, 4):
            for i in range(len(words) - n + 1):
                hit = index.get(normalise(" ".join(words[i : i + n])))
                if hit is not None:
                    named.add(hit.concept_id)
        above = {a.id for a in ontology.ancestors(c.id)}
        below = {d.id for d in ontology.descendants(c.id)}
        for other in sorted(named - above - below - {c.id}):
            found = ontology.concepts.get(other)
            if found is None or found.status is not Status.ACTIVE or found.facets[:1] != c.facets[:1]:
                continue
            for parent in c.broader:
                if parent in found.broader and other not in c.broader:  # a sibling: "vivace" beside "high_tempo"
                    out.append((c.id, other, parent))
                    break
    return out


def object_narrower_terms(ontology: Ontology) -> list[tuple[str, str]]:
    """Narrower terms of a material or place concept that name an object made of it or found there ("plastic
    cup" under plastic): a narrower term must name a kind of its concept."""
    out = []
    for c in ontology.concepts.values():
        if c.status is not Status.ACTIVE or not c.facets or c.facets[0] not in _MATERIAL_OR_PLACE:
            continue
        own = stems(c.label)
        for s in c.synonyms:
            if s.scope is LabelScope.NARROWER:
                words = stems(s.label)
                if len(words) > 1 and words[-1] not in own:
                    out.append((c.id, s.label))
    return out


__all__ = [
    "KEPT_APART",
    "MAX_LEAF_CHILDREN",
    "REVIEWED_FILE",
    "SAME_DEFINITION",
    "Reviewed",
    "TwinSet",
    "better_parents",
    "flat_groups",
    "format_reviewed",
    "object_narrower_terms",
    "read_reviewed",
    "reviewed_path",
    "sibling_definitions",
    "stem",
    "stems",
    "twin_pairs",
    "twin_sets",
    "unreviewed",
]
