"""Legacy classes to UTS tags by the reviewed mapping sets, with what each tag came from.

The SSSOM predicate decides (subject: the legacy class; object: the UTS concept):

- ``exactMatch`` and ``closeMatch``: the concept.
- ``broadMatch`` (the UTS concept is broader than the class): the concept, true of every clip of the class.
- ``narrowMatch`` and ``relatedMatch`` (the concept is narrower, or only related): never a tag. A clip of "dog"
  need not hold a bark; the class is reported as mapped only narrower or related.
- ``Not`` rows and machine suggestions not yet reviewed: never used.

A concept outside the chosen level is reported as its nearest ancestor inside it, by the resolver's own
:class:`~uts.resolve.rollup.Rollup`, or, with none, left out and reported. ``expand_ancestors`` adds every
ancestor of each tag (inside the level, when one is chosen).
"""

from __future__ import annotations

import csv
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from uts.errors import UsageError, UTSError, where
from uts.ontology.mapping import PREDICATES
from uts.ontology.model import Level
from uts.ontology.ontology import Ontology

USED = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch")
PREDICATE_ORDER = {p: i for i, p in enumerate(USED)}


@dataclass(frozen=True, slots=True, eq=False)
class Tag:
    """One UTS tag of a clip and where it came from. Made once per legacy class and kept by the mapper, so it is
    hashed by identity: formats cache its encoded form by it."""

    concept_id: str
    label: str
    source: str  # the legacy class
    predicate: str  # the mapping row's predicate (or 'ancestor' for an expanded one)
    rolled_up_from: str | None = None  # the mapped concept, when an ancestor inside the level stands for it


@dataclass(frozen=True, slots=True)
class Mapped:
    """What one legacy class becomes: its tags, or why it has none."""

    tags: tuple[Tag, ...]
    reason: str = ""  # set when there are no tags


class LegacyMapper:
    """Legacy class CURIE -> :class:`Mapped`, computed once per class (a dataset repeats its few classes)."""

    def __init__(
        self,
        ontology: Ontology,
        *,
        level: Level | None = None,
        expand_ancestors: bool = False,
        extra: Sequence[UserRow] = (),
    ) -> None:
        """``extra``: a builder's own mapping rows; for the classes they name they replace the mapping sets' rows."""
        from uts.resolve.index import lexical_index
        from uts.resolve.rollup import Rollup

        self._ontology: Ontology | None = ontology
        self._weak = weakref.ref(ontology)  # what a shared mapper holds (see ``shared``)
        self.level = level
        self.expand_ancestors = expand_ancestors
        self._rollup = Rollup(ontology, lexical_index(ontology), level, rollup=True, cache_size=65536)
        rows, names, unused = _tables(ontology)
        self._rows: dict[str, list[tuple[str, str]]] = {k: list(v) for k, v in rows.items()} if extra else rows
        self._names: dict[str, str] = dict(names) if extra else names  # subject -> its label in the mapping set
        self._unused: dict[str, str] = dict(unused) if extra else unused  # subject -> the predicate of rows not used
        for subject in {user.subject for user in extra}:
            self._rows.pop(subject, None)
            self._unused.pop(subject, None)
        for user in extra:
            self._names[user.subject] = user.name
            if user.predicate in USED:
                self._rows.setdefault(user.subject, []).append((user.predicate, user.object_id))
            else:
                self._unused[user.subject] = user.predicate
        self._cache: dict[str, Mapped] = {}
        self.derived: dict[Any, Any] = {}  # tables made from its answers (numbered classes, encoded tags), by kind

    @classmethod
    def shared(
        cls, ontology: Ontology, *, level: Level | None = None, expand_ancestors: bool = False,
        extra: Sequence[UserRow] = (),
    ) -> LegacyMapper:  # fmt: skip
        """The mapper of this Ontology object and these settings, made once: a dataset of many files maps each
        class once. A mapper only remembers its answers; a shared one holds its Ontology weakly (the caller keeps
        it) and is dropped with it; the last ``SHARED_MAPPERS`` settings used are kept per Ontology."""
        key = (level, expand_ancestors, tuple(extra))
        with _lock:
            by_key = _MAPPERS.setdefault(ontology, {})
            found = by_key.pop(key, None)
            if found is None:
                found = cls(ontology, level=level, expand_ancestors=expand_ancestors, extra=extra)
                found._ontology = None  # the cache must not keep its key alive: the caller holds the Ontology
            by_key[key] = found  # the most recent last
            for old in list(by_key)[:-SHARED_MAPPERS]:
                del by_key[old]
        return found

    @property
    def ontology(self) -> Ontology:
        ontology = self._ontology if self._ontology is not None else self._weak()
        if ontology is None:
            raise RuntimeError("the Ontology of this mapper is gone; make the mapper with an Ontology still in use")
        return ontology

    def name(self, subject: str) -> str:
        """The class's name as its vocabulary spells it (the mapping set's subject label), else its local ID."""
        return self._names.get(subject) or subject.split(":", 1)[-1]

    def known(self, subject: str) -> bool:
        return subject in self._names

    def map(self, subject: str) -> Mapped:
        found = self._cache.get(subject)
        if found is None:
            found = self._cache[subject] = self._map(subject)
        return found

    def _map(self, subject: str) -> Mapped:
        rows = self._rows.get(subject)
        if not rows:
            if subject in self._unused:
                return Mapped((), f"mapped only {self._unused[subject]} (no exact, close or broader concept)")
            if subject in self._names:
                return Mapped((), "only rejected or unreviewed mapping rows")
            return Mapped((), "no mapping row for this class")
        ontology = self.ontology
        tags: dict[str, Tag] = {}
        lost: list[str] = []
        for predicate, object_id in sorted(rows, key=lambda r: (PREDICATE_ORDER[r[0]], r[1])):
            current = ontology.current(object_id)
            if current is None:
                lost.append(f"{object_id} is deprecated with no replacement")
                continue
            target = self._rollup.target(current.id)
            if target is None:
                lost.append(f"{current.label} ({current.id}), outside the level, has no ancestor in level {self.level}")
                continue
            concept_id, rolled_from = target
            if concept_id not in tags:
                tags[concept_id] = Tag(concept_id, ontology.concepts[concept_id].label, subject, predicate, rolled_from)
            if self.expand_ancestors:
                for ancestor in ontology.ancestors(concept_id):
                    inside = self._rollup.target(ancestor.id)
                    if inside is not None and inside[1] is None and ancestor.id not in tags:
                        tags[ancestor.id] = Tag(ancestor.id, ancestor.label, subject, "ancestor")
        if not tags:
            return Mapped((), "; ".join(lost))
        return Mapped(tuple(tags.values()))


_TABLES: weakref.WeakKeyDictionary[Ontology, tuple[dict[str, list[tuple[str, str]]], dict[str, str], dict[str, str]]]
_TABLES = weakref.WeakKeyDictionary()
SHARED_MAPPERS = 8  # settings (level, ancestors, a builder's mapping) whose mapper is kept per Ontology
_MAPPERS: weakref.WeakKeyDictionary[Ontology, dict[tuple[Any, ...], LegacyMapper]] = weakref.WeakKeyDictionary()
_PAPER: weakref.WeakKeyDictionary[Ontology, dict[Level | None, frozenset[str]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _tables(ontology: Ontology) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str], dict[str, str]]:
    """The mapping sets' rows by subject (reviewed positive rows used, names, predicates never used), made once per
    Ontology object (immutable, hashed by identity): a converter is made per file, and a dataset is many files."""
    found = _TABLES.get(ontology)
    if found is None:
        rows: dict[str, list[tuple[str, str]]] = {}
        names: dict[str, str] = {}
        unused: dict[str, str] = {}
        for mapping_set in ontology.mappings.values():
            for row in mapping_set.rows:
                names.setdefault(row.subject_id, row.subject_label)
                if not row.reviewed or row.negated:
                    continue
                if row.predicate_id in USED:
                    rows.setdefault(row.subject_id, []).append((row.predicate_id, row.object_id))
                else:
                    unused[row.subject_id] = row.predicate_id
        found = _TABLES[ontology] = (rows, names, unused)
    return found


@dataclass(frozen=True, slots=True)
class UserRow:
    """One row of a builder's own mapping file (already checked)."""

    subject: str
    name: str
    predicate: str
    object_id: str


def read_user_mapping(path: Path, ontology: Ontology, prefix: str) -> list[UserRow]:
    """A builder's mapping file: SSSOM TSV (``#`` header lines, then ``subject_id``, ``predicate_id``,
    ``object_id`` and optionally ``subject_label``, ``predicate_modifier`` columns; ``Not`` rows are dropped) or two
    columns, legacy label then UTS concept (an ID or any label), read as exact matches of ``prefix:label``. Every
    row is checked; the error lists every bad one with its line."""
    problems: list[str] = []
    rows: list[UserRow] = []
    text = Path(path).read_text(encoding="utf-8")
    lines = [
        (n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.startswith("#")
    ]
    if not lines:
        raise UsageError(f"{where(path)} holds no mapping rows")
    delimiter = "\t" if "\t" in lines[0][1] else ","
    cells = [(n, next(csv.reader([line], delimiter=delimiter))) for n, line in lines]
    header = [c.strip() for c in cells[0][1]]
    if {"subject_id", "predicate_id", "object_id"} <= set(header):
        at = {name: i for i, name in enumerate(header)}
        for n, row in cells[1:]:
            if len(row) != len(header):
                problems.append(f"line {n}: {len(row)} cells, the header has {len(header)}")
                continue
            if "predicate_modifier" in at and row[at["predicate_modifier"]].strip() == "Not":
                continue
            concept = _concept(ontology, row[at["object_id"]], n, problems)
            subject = row[at["subject_id"]].strip()
            name = row[at["subject_label"]].strip() if "subject_label" in at else subject.split(":", 1)[-1]
            predicate = row[at["predicate_id"]].strip()
            if predicate not in PREDICATES:
                problems.append(f"line {n}: predicate_id {predicate!r} is none of {', '.join(PREDICATES)}")
            elif concept is not None:
                rows.append(UserRow(subject, name, predicate, concept))
    else:
        for n, row in cells:
            if len(row) != 2 or not row[0].strip():
                problems.append(f"line {n}: expected two cells (legacy label, UTS concept), got {len(row)}")
                continue
            concept = _concept(ontology, row[1], n, problems)
            if concept is not None:
                label = row[0].strip()
                rows.append(UserRow(f"{prefix}:{label}", label, "skos:exactMatch", concept))
    if problems:
        raise UsageError(f"{where(path)} has bad mapping rows: " + "; ".join(problems[:20]))
    return rows


def _concept(ontology: Ontology, text: str, line: int, problems: list[str]) -> str | None:
    try:
        return ontology.resolve_id_or_label(text.strip()).id
    except UTSError as exc:
        problems.append(f"line {line}: {exc}")
        return None


def paper_strings(ontology: Ontology, level: Level | None) -> frozenset[str]:
    """The published tag strings of a level (all of them without one): what the paper's filter keeps (made once
    per Ontology object and level)."""
    by_level = _PAPER.setdefault(ontology, {})
    found = by_level.get(level)
    if found is None:
        tags = ontology.level_tags(level) if level is not None else list(ontology.paper)
        found = by_level[level] = frozenset(t.tag for t in tags)
    return found


__all__ = ["USED", "LegacyMapper", "Mapped", "Tag", "UserRow", "paper_strings", "read_user_mapping"]
