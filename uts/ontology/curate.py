"""Curation sheets: a reviewed spreadsheet (one row per concept) turned into typed edits.

Curators and reviewers work in sheets. A sheet is a TSV with an ``id`` column and any of the columns in
``EDITABLE``. An empty cell leaves the field as it is, ``-`` clears it. A row whose id is ``+`` adds a curated
concept with an ID the store hands out. A ``merge_into`` cell merges the row's concept into another (labels,
published tags, narrower concepts and mapping rows move to the target). References (``broader``,
``replaced_by``, ``consider``, ``merge_into``) may be IDs or labels, including labels the same sheet adds.

This module only plans: rows -> edits, checked by applying them to the Ontology in memory
(:func:`plan_sheet`); a store saves the plan (``uts.store.curate``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from uts.errors import InvalidError, Problem, SourceError, where
from uts.io.tables import read_text, split_list
from uts.lexical import nfc, normalise
from uts.ontology.apply import Applied, try_apply
from uts.ontology.edits import (
    AddConcept,
    AddLabel,
    Deprecate,
    Edit,
    Merge,
    Move,
    SetField,
    SettableField,
)
from uts.ontology.model import ID_PATTERN, Concept, LabelScope, Status
from uts.ontology.ontology import Ontology
from uts.ontology.source import TERMS_COLUMNS

# The concept fields a sheet may set: every column of terms.tsv except the ID and the fields derived from the paper.
FIELD_COLUMNS = tuple(c for c in TERMS_COLUMNS if c not in ("id", "origin", "rank", "levels"))
# Sheet columns that add labels, and the scope each one adds.
LABEL_COLUMNS = {
    "synonyms": LabelScope.ALT,
    "hidden_synonyms": LabelScope.HIDDEN,
    "narrower_terms": LabelScope.NARROWER,
}
EDITABLE = (*FIELD_COLUMNS, *LABEL_COLUMNS, "synonym_source", "merge_into")
NEW = "+"
CLEAR = "-"
DEFAULT_SOURCE = "uts-curators"
DEPRECATION_COLUMNS = ("status", "replaced_by", "consider")
_CONCEPT_ID = re.compile(r"UTS:\d{7}")


class CurationError(InvalidError):
    """The sheet has problems, or applying it would break a rule; nothing was written."""

    head = "the sheet has problems (nothing was written)"


@dataclass(frozen=True)
class SheetRow:
    line: int
    cells: dict[str, str]

    @property
    def is_new(self) -> bool:
        return self.cells["id"] == NEW


def read_sheet(path: Path) -> list[SheetRow]:
    """The rows of a curation sheet; a sheet that cannot be read, or a bad header, raises ``CurationError``."""
    problems: list[Problem] = []
    text = read_text(path, problems, missing_fix="check the path of the sheet")
    if text is None:
        raise SourceError(problems, "the sheet cannot be read")
    name = where(path)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CurationError([Problem(name, 1, "the sheet is empty", "give a header row with an id column")])
    header = [h.strip() for h in lines[0].split("\t")]
    unknown = [c for c in header if c not in ("id", *EDITABLE)]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if "id" not in header or unknown or repeated:
        details = (f"; unknown: {', '.join(unknown)}" if unknown else "") + (
            f"; repeated: {', '.join(repeated)}" if repeated else ""
        )
        raise CurationError(
            [
                Problem(
                    name,
                    1,
                    f"the header must have an 'id' column and only the columns {', '.join(EDITABLE)}, each once"
                    + details,
                    "rename, merge or drop those columns",
                )
            ]
        )
    rows = []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) > len(header):
            problems.append(
                Problem(
                    name,
                    number,
                    f"row has {len(cells)} fields but the header has {len(header)}",
                    "remove the extra tabs",
                )
            )
            continue
        cells += [""] * (len(header) - len(cells))
        # NFC: a label typed on one system and pasted from another must be the same string.
        rows.append(SheetRow(number, {h: nfc(c.strip()) for h, c in zip(header, cells, strict=True)}))
    if problems:
        raise CurationError(problems)
    return rows


@dataclass
class RowEdits:
    """The edits one sheet row stands for; a row is applied whole or not at all."""

    line: int
    concept_id: str
    edits: list[Edit] = field(default_factory=list)
    merge: Merge | None = None
    added: bool = False
    labels_added: int = 0


@dataclass
class CurationReport:
    rows: int = 0
    updated: int = 0
    added: list[str] = field(default_factory=list)
    synonyms_added: int = 0
    merged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    written: bool = False
    revision: str = ""


@dataclass
class SheetPlan:
    """What a sheet will do: the edits, their result, and the report; ``edits`` is empty if nothing applies."""

    edits: list[Edit]
    applied: Applied | None
    report: CurationReport
    kept: list[int] = field(default_factory=list)  # sheet lines of the rows whose edits are in ``edits``


class _Converter:
    """Turns rows into edits, resolving references by ID or label (labels added by the sheet included)."""

    def __init__(self, ontology: Ontology, name: str, author: str, reason: str) -> None:
        self.ontology = ontology
        self.name = name
        self.author = author
        self.reason = reason
        self.labels: dict[str, str] = {}  # normalised label -> concept, for labels this sheet adds
        self.new: dict[str, Concept] = {}
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.name, line, message, fix))

    def owner(self, text: str) -> str | None:
        """The concept a label names, counting labels that earlier rows of this sheet add."""
        key = normalise(text)
        if key in self.labels:
            return self.labels[key]
        hit = self.ontology.labels.get(key)
        return hit.concept_id if hit is not None else None

    def ref(self, text: str, line: int, column: str) -> str | None:
        if ID_PATTERN.match(text):
            if text in self.ontology.concepts or text in self.new:
                return text
            self.problem(line, f"{column} names unknown concept {text}", "use an existing ID or label")
            return None
        found = self.owner(text)
        if found is None:
            self.problem(
                line,
                f"{column} names {text!r}, which is no concept's label",
                "use an existing label or ID, or add the concept with a '+' row",
            )
        return found

    def refs(self, value: str, line: int, column: str) -> tuple[str, ...] | None:
        found = [self.ref(item, line, column) for item in split_list(value)]
        return None if any(r is None for r in found) else tuple(dict.fromkeys(r for r in found if r))


def plan_sheet(
    ontology: Ontology,
    rows: Sequence[SheetRow],
    new_ids: Sequence[str],
    *,
    name: str,
    author: str,
    partial: bool = False,
) -> SheetPlan:
    """Turn sheet rows into edits and check them against ``ontology`` by applying them in memory.

    Without ``partial`` any problem raises ``CurationError`` listing every one. With ``partial`` a row with a
    problem is skipped whole (none of its edits apply), counted and reported, and the rest is applied.
    ``new_ids`` are the IDs a store reserved for the ``+`` rows, in order.
    """
    converter = _Converter(ontology, name, author, f"curation sheet {name}")
    groups = _convert(converter, rows, list(new_ids))
    bad_lines = {p.line for p in converter.problems}
    problems = list(converter.problems)
    kept = [g for g in groups if g.line not in bad_lines]
    while True:
        edits = _ordered(kept)
        applied, found = try_apply(ontology, edits) if edits else (None, [])
        if not found:
            break
        found = _on_sheet_lines(found, edits, kept, name)
        problems += found
        if not partial:
            break
        failing = {p.line for p in found}
        kept = [g for g in kept if g.line not in failing]
        if not failing & {g.line for g in groups}:
            kept = []  # a problem no row can be blamed for: apply nothing
    if problems and not partial:
        raise CurationError(problems)
    report = CurationReport(rows=len(rows), skipped=problems)
    for group in kept:
        report.synonyms_added += group.labels_added
        if group.added:
            report.added.append(group.concept_id)
        elif group.edits:
            report.updated += 1
        if group.merge is not None:
            report.merged.append((group.merge.concept_id, group.merge.into))
    return SheetPlan(_ordered(kept), applied if kept else None, report, [g.line for g in kept])


def _ordered(groups: Sequence[RowEdits]) -> list[Edit]:
    """Every row's field edits in sheet order, then the merges, so a target's own edits are kept."""
    return [e for g in groups for e in g.edits] + [g.merge for g in groups if g.merge is not None]


def _on_sheet_lines(problems: list[Problem], edits: list[Edit], groups: Sequence[RowEdits], name: str) -> list[Problem]:
    """Problems of edits (``edit N (...)``) or of concepts, named by the sheet line of the row they came from."""
    line_of_edit: dict[int, int] = {}
    position = 0
    for group in groups:
        for _ in group.edits:
            position += 1
            line_of_edit[position] = group.line
    for group in groups:
        if group.merge is not None:
            position += 1
            line_of_edit[position] = group.line
    out = []
    for problem in problems:
        match = re.match(r"edit (\d+) ", problem.file)
        lines: list[int] = []
        if match:
            lines = [line_of_edit[int(match.group(1))]]
        else:
            mentioned = set(_CONCEPT_ID.findall(f"{problem.file} {problem.message}"))
            lines = [g.line for g in groups if _touches(g) & mentioned]
        for line in lines or [0]:
            out.append(Problem(name, line, problem.message, problem.fix, problem.kind))
    return out


def _touches(group: RowEdits) -> set[str]:
    ids = {group.concept_id}
    for edit in group.edits:
        ids.update(getattr(edit, "broader", ()) or ())
    if group.merge is not None:
        ids.add(group.merge.into)
    return ids


def _convert(converter: _Converter, rows: Sequence[SheetRow], new_ids: list[str]) -> list[RowEdits]:
    """Pass 1 names every new concept (later rows may refer to it); pass 2 turns each row into its edits."""
    ids: dict[int, str] = {}
    seen: dict[str, int] = {}
    fresh = iter(new_ids)
    for row in rows:
        given = row.cells["id"]
        if row.is_new:
            label = row.cells.get("label", "")
            if not label:
                converter.problem(row.line, "a new concept (id '+') needs a label", "fill the label cell")
                continue
            concept_id = next(fresh, None)
            if concept_id is None:
                raise ValueError("fewer new IDs than '+' rows: reserve one ID per '+' row")
            converter.new[concept_id] = Concept(id=concept_id, label=label)
            converter.labels.setdefault(normalise(label), concept_id)
            ids[row.line] = concept_id
        elif not ID_PATTERN.match(given) or given not in converter.ontology.concepts:
            converter.problem(row.line, f"unknown concept {given!r}", "use an existing ID, or '+' to add a concept")
        elif given in seen:
            converter.problem(
                row.line, f"{given} has another row at line {seen[given]}", "put all edits of a concept in one row"
            )
        else:
            seen[given] = row.line
            ids[row.line] = given
    groups = []
    for row in rows:
        concept_id = ids.get(row.line)
        if concept_id is None:
            continue
        before = len(converter.problems)
        group = _row_edits(converter, row, concept_id)
        if len(converter.problems) == before:
            groups.append(group)
    return groups


def _row_edits(converter: _Converter, row: SheetRow, concept_id: str) -> RowEdits:
    group = RowEdits(row.line, concept_id, added=row.is_new)
    cells = {k: v for k, v in row.cells.items() if v}
    if row.is_new:
        broader = converter.refs(cells.get("broader", ""), row.line, "broader") or ()
        for column in DEPRECATION_COLUMNS:
            if column in cells:
                converter.problem(row.line, f"a new concept cannot set {column}", f"leave {column} empty")
        try:
            group.edits.append(
                AddConcept.model_validate(
                    {
                        "concept_id": concept_id,
                        "label": cells["label"],
                        "facets": split_list(cells.get("facets", "")),
                        "domains": split_list(cells.get("domains", "")),
                        "broader": broader,
                        "definition": cells.get("definition", ""),
                        "comment": cells.get("comment", ""),
                        "author": converter.author,
                        "reason": converter.reason,
                    }
                )
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            column = str(err["loc"][0]) if err["loc"] else "row"
            converter.problem(
                row.line, f"{column}: {err['msg']} (got {err.get('input')!r})", f"correct the {column} cell"
            )
    else:
        group.edits += _field_edits(converter, row, concept_id, cells)
    group.labels_added = _label_edits(converter, row, concept_id, group)
    if "merge_into" in cells:
        target = converter.ref(cells["merge_into"], row.line, "merge_into")
        if target is not None:
            group.merge = Merge(concept_id=concept_id, into=target, author=converter.author, reason=converter.reason)
    return group


def _field_edits(converter: _Converter, row: SheetRow, concept_id: str, cells: dict[str, str]) -> list[Edit]:
    edits: list[Edit] = []
    text_fields: tuple[SettableField, ...] = ("label", "definition", "comment")
    list_fields: tuple[SettableField, ...] = ("facets", "domains")
    for column in text_fields:
        if column in cells:
            value = "" if cells[column] == CLEAR else cells[column]
            if column == "label" and not value:
                converter.problem(row.line, "the preferred label cannot be cleared", "write the new label")
                continue
            edits.append(
                SetField(
                    concept_id=concept_id, field=column, value=value, author=converter.author, reason=converter.reason
                )
            )
    for column in list_fields:
        if column in cells:
            items = () if cells[column] == CLEAR else tuple(dict.fromkeys(split_list(cells[column])))
            edits.append(
                SetField(
                    concept_id=concept_id, field=column, value=items, author=converter.author, reason=converter.reason
                )
            )
    if "broader" in cells:
        broader = () if cells["broader"] == CLEAR else converter.refs(cells["broader"], row.line, "broader")
        if broader is not None:
            edits.append(Move(concept_id=concept_id, broader=broader, author=converter.author, reason=converter.reason))
    edits += _deprecation(converter, row, concept_id, cells)
    return edits


def _deprecation(converter: _Converter, row: SheetRow, concept_id: str, cells: dict[str, str]) -> list[Edit]:
    given = {c: cells[c] for c in DEPRECATION_COLUMNS if c in cells}
    if not given:
        return []
    if CLEAR in given.values() or given.get("status", "deprecated") != "deprecated":
        if converter.ontology.concepts[concept_id].status is Status.ACTIVE and given.get("status") == "active":
            return []  # already active: nothing to do
        converter.problem(
            row.line,
            "a sheet can deprecate a concept (status 'deprecated', replaced_by, consider) but not undo a deprecation",
            "add a new concept instead of reviving an old ID",
        )
        return []
    replaced_by = converter.ref(given["replaced_by"], row.line, "replaced_by") if "replaced_by" in given else None
    consider = converter.refs(given.get("consider", ""), row.line, "consider") or ()
    if replaced_by is None and not consider:
        if "replaced_by" not in given:
            converter.problem(
                row.line, "a deprecated concept needs replaced_by or consider", "name its successor or candidates"
            )
        return []
    return [
        Deprecate(
            concept_id=concept_id,
            replaced_by=replaced_by,
            consider=consider,
            author=converter.author,
            reason=converter.reason,
        )
    ]


def _label_edits(converter: _Converter, row: SheetRow, concept_id: str, group: RowEdits) -> int:
    concept = converter.ontology.concepts.get(concept_id) or converter.new[concept_id]
    taken = {normalise(label) for label in concept.all_labels}
    source = row.cells.get("synonym_source") or DEFAULT_SOURCE
    added = 0
    for column, scope in LABEL_COLUMNS.items():
        for label in split_list(row.cells.get(column, "")):
            key = normalise(label)
            if key in taken:
                continue
            owner = converter.owner(label)
            if owner is not None and owner != concept_id and _is_active(converter, owner):
                converter.problem(
                    row.line,
                    f"synonym {label!r} is already a label of {owner} ({_label_of(converter, owner)})",
                    "drop it here, or move it deliberately",
                )
                continue
            group.edits.append(
                AddLabel(
                    concept_id=concept_id,
                    label=label,
                    scope=scope,
                    source=source,
                    author=converter.author,
                    reason=converter.reason,
                )
            )
            taken.add(key)
            converter.labels[key] = concept_id
            added += 1
    return added


def _is_active(converter: _Converter, concept_id: str) -> bool:
    concept = converter.ontology.concepts.get(concept_id)
    return concept is None or concept.status is Status.ACTIVE


def _label_of(converter: _Converter, concept_id: str) -> str:
    concept = converter.ontology.concepts.get(concept_id) or converter.new[concept_id]
    return concept.label


def count_new(rows: Sequence[SheetRow]) -> int:
    """How many IDs a sheet needs: one per ``+`` row."""
    return sum(1 for row in rows if row.is_new)


__all__ = [
    "EDITABLE",
    "CurationError",
    "CurationReport",
    "SheetPlan",
    "SheetRow",
    "count_new",
    "plan_sheet",
    "read_sheet",
]
