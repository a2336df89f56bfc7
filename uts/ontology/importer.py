"""Build the UTS source from the paper's five published vocabularies.

Every published string becomes a label of exactly one concept. Strings that differ only by case or
separators, singular/plural forms, typos and curated synonyms are merged (rules: lexical ones here,
curated ones in ``ontology/import-rules.toml``). Re-running it over an existing source keeps every
concept ID and every curated field, so IDs are never renumbered.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uts.errors import Problem, SourceError, UsageError, VocabularyError, where
from uts.io.atomic import write_all_atomic, write_atomic
from uts.lexical import normalise, singulars
from uts.ontology.lint import changed_texts
from uts.ontology.load import Loaded, read_root
from uts.ontology.model import (
    Concept,
    LabelScope,
    Level,
    OntologyMetadata,
    Origin,
    PaperTag,
    Status,
    Synonym,
    format_id,
    id_number,
)
from uts.ontology.ontology import Ontology, with_derived_fields
from uts.ontology.paper import read_paper_vocabulary
from uts.ontology.source import PAPER_PREFIX, SourceLayout, read_metadata

MACHINE = "utsteam:import-vocab"
CURATORS = "utsteam:curators"
LEXICAL = "semapv:LexicalMatching"
MANUAL = "semapv:ManualMappingCuration"
PAPER_SOURCE = "paper"

DEFAULT_METADATA = """\
id = "uts"
title = "Unified Tag System (UTS)"
version = "0.1.0"
base_iri = "https://w3id.org/uts/"
license = "https://www.apache.org/licenses/LICENSE-2.0"
description = "The audio tag vocabulary of the UTS paper as a curated concept graph with stable IDs."
paper = "https://arxiv.org/abs/2603.25767"
paper_vocabulary = "https://github.com/AudenAI/Auden/tree/2f78687c446a946ff09e2ffd4335125b82baec32/examples/uts/configs/label"
"""


@dataclass(frozen=True)
class Rule:
    into: str
    why: str


@dataclass
class ImportRules:
    typos: dict[str, Rule] = field(default_factory=dict)
    synonyms: dict[str, Rule] = field(default_factory=dict)
    keep_apart: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> ImportRules:
        name = where(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except tomllib.TOMLDecodeError as exc:
            raise SourceError(f"{name}: not valid TOML ({exc}); fix the syntax") from None
        unknown = set(data) - {"typos", "synonyms", "keep_apart"}
        if unknown:
            raise SourceError(f"{name}: unknown section(s) {sorted(unknown)}; use [typos], [synonyms] and [keep_apart]")
        rules = cls(keep_apart={k: str(v) for k, v in data.get("keep_apart", {}).items()})
        for section in ("typos", "synonyms"):
            for key, value in data.get(section, {}).items():
                if not isinstance(value, dict) or set(value) != {"into", "why"}:
                    raise SourceError(f'{name}: [{section}] {key} must be {{ into = "tag", why = "reason" }}')
                getattr(rules, section)[key] = Rule(str(value["into"]), str(value["why"]))
        return rules


@dataclass
class ImportReport:
    published: int
    distinct_strings: int
    concepts: int
    new_concepts: int
    merged: dict[str, int]
    per_level: dict[str, int]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_tags(tags: list[str], rules: ImportRules) -> tuple[list[list[int]], dict[int, tuple[str, str, str]]]:
    """Group published indices into concepts.

    Returns the groups (lists of indices, best rank first) and, per index, how it joined its group:
    ``(kind, justification, comment)``.
    """
    first_index: dict[str, int] = {}
    for i, tag in enumerate(tags):
        first_index.setdefault(tag, i)
    strings_of: dict[str, list[str]] = defaultdict(list)
    for tag in dict.fromkeys(tags):
        strings_of[normalise(tag)].append(tag)
    keys = set(strings_of)
    uf = _UnionFind()
    for k in keys:
        uf.find(k)
    reason: dict[str, tuple[str, str, str]] = {}  # string -> (kind, justification, comment)

    for section, kind, just in (("typos", "typo", MANUAL), ("synonyms", "synonym", MANUAL)):
        for source, rule in getattr(rules, section).items():
            for tag in (source, rule.into):
                if tag not in first_index:
                    raise VocabularyError(
                        f"ontology/import-rules.toml: [{section}] names {tag!r}, which is not a published tag"
                    )
            uf.union(normalise(source), normalise(rule.into))
            reason[source] = (kind, just, f"{kind} of '{rule.into}': {rule.why}")

    keep_apart = {normalise(k) for k in rules.keep_apart}
    typo_keys = {normalise(k) for k in rules.typos}
    for key in sorted(keys):
        if key in keep_apart or key in typo_keys:
            continue
        for singular in singulars(key, dictionary=True):
            if singular in keys:
                uf.union(key, singular)
                for t in strings_of[key]:
                    reason.setdefault(
                        t,
                        (
                            "plural",
                            LEXICAL,
                            f"singular/plural variant of '{singular}'; reviewed (ontology/import-rules.toml)",
                        ),
                    )
                for t in strings_of[singular]:
                    reason.setdefault(
                        t,
                        (
                            "plural",
                            LEXICAL,
                            f"singular/plural variant of '{key}'; reviewed (ontology/import-rules.toml)",
                        ),
                    )

    members: dict[str, list[int]] = defaultdict(list)
    for i, tag in enumerate(tags):
        members[uf.find(normalise(tag))].append(i)
    groups = sorted(members.values(), key=lambda g: g[0])

    how: dict[int, tuple[str, str, str]] = {}
    for group in groups:
        pref = choose_preferred([tags[i] for i in group], set(rules.typos))
        pref_key = normalise(pref)
        for i in group:
            tag = tags[i]
            if tag == pref:
                how[i] = (
                    "pref",
                    LEXICAL,
                    "preferred label"
                    if first_index[tag] == i
                    else f"repeated in the published list (first at index {first_index[tag]})",
                )
            elif tag in reason and reason[tag][0] in ("typo", "synonym"):
                how[i] = reason[tag]
            elif normalise(tag) == pref_key:
                how[i] = ("orthographic", LEXICAL, f"case or separator variant of '{pref}'")
            elif tag in reason:
                how[i] = reason[tag]
            else:
                how[i] = ("orthographic", LEXICAL, f"case or separator variant of a variant of '{pref}'")
    return groups, how


def _join_curated_merges(groups: list[list[int]], old_paper: dict[int, PaperTag]) -> list[list[int]]:
    """Join lexical groups whose published indices a curator mapped to one concept (a curated merge)."""
    owner: dict[str, int] = {}
    parent = list(range(len(groups)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for g, group in enumerate(groups):
        for i in group:
            if i in old_paper:
                concept_id = old_paper[i].concept_id
                if concept_id in owner:
                    parent[find(g)] = find(owner[concept_id])
                else:
                    owner[concept_id] = g
    joined: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        joined[find(g)].extend(group)
    return sorted((sorted(group) for group in joined.values()), key=lambda group: group[0])


def _preferred(group: list[int], tags: list[str], how: dict[int, tuple[str, str, str]]) -> str:
    return next(tags[i] for i in group if how[i][0] == "pref")


def choose_preferred(strings: list[str], typos: set[str]) -> str:
    """The best-ranked lower-case, non-typo form (strings come best rank first)."""
    candidates = [s for s in strings if s not in typos] or strings
    lower = [s for s in candidates if s == s.lower()] or candidates
    return lower[0]


_SCOPE = {
    "typo": LabelScope.HIDDEN,
    "orthographic": LabelScope.HIDDEN,
    "plural": LabelScope.ALT,
    "synonym": LabelScope.ALT,
}


def import_vocab(
    paper_dir: Path | str,
    root: Path | str,
    *,
    rules_path: Path | None = None,
    date: dt.date | None = None,
    force: bool = False,
) -> ImportReport:
    """Write (or rebuild) ``ontology/`` and ``mappings/uts-paper.sssom.tsv`` under ``root``."""
    root = Path(root)
    layout = SourceLayout(root)
    vocabulary = read_paper_vocabulary(paper_dir)
    rules = ImportRules.read(rules_path or root / "ontology" / "import-rules.toml")
    existing = _existing_source(layout, force)
    meta = _metadata(layout, existing)
    groups, how = group_tags(vocabulary.tags, rules)
    if existing is not None:
        groups = _join_curated_merges(groups, {t.index: t for t in existing.ontology.paper})
    assigned = _assign_concepts(
        groups, vocabulary.tags, how, existing.ontology if existing else None, (date or dt.date.today()).isoformat()
    )
    rebuilt = Ontology(
        metadata=meta,
        concepts=with_derived_fields(assigned.concepts, assigned.paper),
        paper=tuple(assigned.paper),
        paper_header=paper_header(meta.version),
        reordered=vocabulary.reordered,
        facets=existing.ontology.facets if existing else {},
        mappings=existing.ontology.mappings if existing else {},
    )
    texts = changed_texts(rebuilt, layout, existing.sources.texts if existing else {})
    write_all_atomic({path: text.encode("utf-8") for path, text in texts.items()})
    kinds: dict[str, int] = defaultdict(int)
    for kind, _, _ in how.values():
        kinds[kind] += 1
    return ImportReport(
        published=len(vocabulary.tags),
        distinct_strings=len(set(vocabulary.tags)),
        concepts=len(groups),
        new_concepts=assigned.new_concepts,
        merged=dict(kinds),
        per_level={level.value: len(rebuilt.in_level(level)) for level in Level},
    )


def _existing_source(layout: SourceLayout, force: bool) -> Loaded | None:
    """The source already under the root, if any: a rebuild keeps its IDs, curated fields and merges."""
    if not layout.terms.exists():
        return None
    if not force:
        raise UsageError(
            f"{where(layout.terms)} already exists; rebuilding keeps its IDs and curated fields, pass --force to do so"
        )
    loaded = read_root(layout.root, rules=False)
    if loaded.problems:
        raise SourceError(loaded.problems, "the existing source does not parse, fix it first")
    return loaded


def _metadata(layout: SourceLayout, existing: Loaded | None) -> OntologyMetadata:
    """The release metadata: the existing source's, or a fresh ``uts.toml`` for a first import."""
    if existing is not None:
        return existing.ontology.metadata
    if not layout.metadata.exists():
        write_atomic(layout.metadata, DEFAULT_METADATA.encode("utf-8"))
    problems: list[Problem] = []
    meta = read_metadata(layout.metadata, problems)
    if meta is None:
        raise SourceError(problems, f"{where(layout.metadata)} is not valid release metadata")
    return meta


@dataclass
class _Assigned:
    concepts: dict[str, Concept]
    paper: list[PaperTag]
    new_concepts: int


def _assign_concepts(
    groups: list[list[int]],
    tags: list[str],
    how: dict[int, tuple[str, str, str]],
    existing: Ontology | None,
    today: str,
) -> _Assigned:
    """One concept per group of published indices; an existing concept keeps its ID, labels and reviewed rows."""
    old_paper = {t.index: t for t in existing.paper} if existing else {}
    old_by_label = {key: hit.concept_id for key, hit in existing.labels.items()} if existing else {}
    next_number = id_number(existing.next_id()) if existing else 1
    concepts: dict[str, Concept] = dict(existing.concepts) if existing else {}
    paper: list[PaperTag] = []
    new_concepts = 0
    claimed: set[str] = set()
    for group in groups:
        strings = [tags[i] for i in group]
        # An existing concept keeps its ID: first the one the published indices map to, then by label.
        candidates = [old_paper[i].concept_id for i in group if i in old_paper]
        candidates += [old_by_label[normalise(s)] for s in strings if normalise(s) in old_by_label]
        concept_id = next((c for c in candidates if c in concepts and c not in claimed), None)
        if concept_id is None:
            concept_id = format_id(next_number)
            next_number += 1
            new_concepts += 1
        claimed.add(concept_id)
        concepts[concept_id] = _group_concept(concept_id, concepts.get(concept_id), group, tags, how)
        for i in group:
            previous = old_paper.get(i)
            if previous is not None and previous.concept_id == concept_id and previous.tag == tags[i]:
                paper.append(previous)  # a reviewed row stays exactly as it is
                continue
            kind, justification, comment = how[i]
            paper.append(
                PaperTag(
                    index=i,
                    tag=tags[i],
                    concept_id=concept_id,
                    justification=justification,
                    confidence=0.95 if kind == "plural" else 1.0,
                    author=CURATORS if justification == MANUAL else MACHINE,
                    date=today,
                    comment=comment,
                )
            )
    return _Assigned(concepts, paper, new_concepts)


def _group_concept(
    concept_id: str, old: Concept | None, group: list[int], tags: list[str], how: dict[int, tuple[str, str, str]]
) -> Concept:
    """The concept of one group: its published strings as labels, curated labels and notes kept as they are."""
    strings = [tags[i] for i in group]
    keys = {normalise(t) for t in strings}
    pref = old.label if old is not None and normalise(old.label) in keys else _preferred(group, tags, how)
    have = {old.label, *(s.label for s in old.synonyms)} if old is not None else {pref}
    added: dict[str, Synonym] = {}
    for i in group:
        kind, _, comment = how[i]
        tag = tags[i]
        if tag in have or tag in added:
            continue
        added[tag] = Synonym(label=tag, scope=_SCOPE.get(kind, LabelScope.ALT), source=PAPER_SOURCE, comment=comment)
    if old is None:
        return Concept(
            id=concept_id, label=pref, status=Status.ACTIVE, origin=Origin.PAPER, synonyms=tuple(added.values())
        )
    # Only missing published strings are added. A label no published string spells is the curators' (a grouping
    # concept or facet root that absorbed published tags in a merge: 'acoustic scene' holds 'environment'): kept.
    concept = old.model_copy(update={"synonyms": old.synonyms + tuple(added.values()), "origin": Origin.PAPER})
    if normalise(old.label) not in keys and normalise(old.label) in {normalise(t) for t in tags}:
        concept = concept.model_copy(update={"label": pref})
    return concept


def paper_header(version: str) -> dict[str, Any]:
    """The SSSOM header of the paper mapping set, versioned with the release."""
    return {
        "curie_map": {
            "UTS": "https://w3id.org/uts/UTS_",
            PAPER_PREFIX: "https://github.com/AudenAI/Auden/blob/2f78687c446a946ff09e2ffd4335125b82baec32/examples/uts/configs/label/label_3k.json#",
            "semapv": "https://w3id.org/semapv/vocab/",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "utsteam": "https://w3id.org/uts/team/",
        },
        "mapping_set_id": "https://w3id.org/uts/mappings/uts-paper.sssom.tsv",
        "mapping_set_version": version,
        "mapping_set_title": "The UTS paper's published tags mapped to UTS concepts",
        "mapping_set_description": (
            "One row per index of the paper's 3k vocabulary (label_3k.json); the 800..2k files hold the same tags as its prefixes, and ontology/paper-order.tsv lists where a level's file orders them differently. "
            "The subject is the published tag at that index; the object is the UTS concept it denotes. "
            "Doubles as the compatibility table for models trained on the paper's label files."
        ),
        "license": "https://www.apache.org/licenses/LICENSE-2.0",
        "creator_id": [CURATORS],
    }
