"""Curated mapping sets from a legacy vocabulary to UTS: one SSSOM TSV per vocabulary in ``mappings/``.

Rows justified by ``semapv:ManualMappingCuration`` are reviewed; the machine rows (lexical or embedding
suggestions) are candidates that a curator has not yet confirmed, and are never allowed to overwrite a
reviewed row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from uts.errors import Problem, where
from uts.mappings.sssom import format_sssom, read_sssom
from uts.ontology.model import ID_PATTERN, Status
from uts.ontology.ontology import Ontology

COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "similarity_score",
    "similarity_measure",
    "similarity_threshold",
    "author_id",
    "mapping_date",
    "comment",
)
PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")
MANUAL = "semapv:ManualMappingCuration"
LEXICAL = "semapv:LexicalMatching"
SEMANTIC = "semapv:SemanticSimilarityThresholdMatching"
JUSTIFICATIONS = (MANUAL, LEXICAL, SEMANTIC)
CURATORS = "utsteam:curators"
SUGGESTER = "utsteam:uts-suggest"
EXTENSIONS = [
    {
        "slot_name": "similarity_threshold",
        "property": "utss:similarityThreshold",
        "type_hint": "http://www.w3.org/2001/XMLSchema#double",
    }
]
BASE_CURIES = {
    "UTS": "https://w3id.org/uts/UTS_",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "utsteam": "https://w3id.org/uts/team/",
    "utss": "https://w3id.org/uts/schema#",
}
_PREDICATE_ORDER = {p: i for i, p in enumerate(PREDICATES)}


class MappingRow(BaseModel):
    """One mapping from a legacy class to a UTS concept."""

    model_config = ConfigDict(frozen=True)

    subject_id: str
    subject_label: str
    predicate_id: str
    predicate_modifier: str = ""
    object_id: str
    object_label: str = ""
    mapping_justification: str
    confidence: float | None = None
    similarity_score: float | None = None
    similarity_measure: str = ""
    similarity_threshold: float | None = None
    author_id: str
    mapping_date: str
    comment: str = ""

    @field_validator("predicate_id")
    @classmethod
    def _predicate(cls, value: str) -> str:
        if value not in PREDICATES:
            raise ValueError(f"predicate_id {value!r} must be one of {', '.join(PREDICATES)}")
        return value

    @field_validator("predicate_modifier")
    @classmethod
    def _modifier(cls, value: str) -> str:
        if value not in ("", "Not"):
            raise ValueError(f"predicate_modifier {value!r} must be empty or 'Not'")
        return value

    @field_validator("mapping_justification")
    @classmethod
    def _justification(cls, value: str) -> str:
        if value not in JUSTIFICATIONS:
            raise ValueError(f"mapping_justification {value!r} must be one of {', '.join(JUSTIFICATIONS)}")
        return value

    @field_validator("object_id")
    @classmethod
    def _object(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(f"object_id {value!r} is not a UTS concept ID like 'UTS:0000001'")
        return value

    @field_validator("confidence", "similarity_score", "similarity_threshold")
    @classmethod
    def _unit(cls, value: float | None) -> float | None:
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"{value} is not between 0 and 1")
        return value

    @property
    def reviewed(self) -> bool:
        return self.mapping_justification == MANUAL

    @property
    def negated(self) -> bool:
        return self.predicate_modifier == "Not"

    def cells(self, object_label: str) -> tuple[str, ...]:
        def num(value: float | None) -> str:
            return "" if value is None else f"{value:.4g}"

        return (
            self.subject_id,
            self.subject_label,
            self.predicate_id,
            self.predicate_modifier,
            self.object_id,
            object_label,
            self.mapping_justification,
            num(self.confidence),
            num(self.similarity_score),
            self.similarity_measure,
            num(self.similarity_threshold),
            self.author_id,
            self.mapping_date,
            self.comment,
        )


@dataclass
class MappingSet:
    path: Path
    metadata: dict[str, Any]
    rows: list[MappingRow] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)  # row position -> line in the file
    text: str = ""

    def line_of(self, position: int) -> int:
        return self.lines.get(position, 0)


def read_mapping_set(path: Path) -> tuple[MappingSet | None, list[Problem]]:
    """Parse a mapping set; every malformed row becomes a problem naming its line."""
    problems: list[Problem] = []
    raw = read_sssom(path, COLUMNS, problems)
    if raw is None:
        return None, problems
    mapping_set = MappingSet(path=path, metadata=raw.metadata, text=raw.table.text)
    for row in raw.table.rows:
        cells: dict[str, Any] = dict(row.cells)
        for column in ("confidence", "similarity_score", "similarity_threshold"):
            value = cells[column]
            try:
                cells[column] = float(value) if value else None
            except ValueError:
                problems.append(
                    Problem(
                        where(path),
                        row.line,
                        f"{column} {value!r} is not a number",
                        f"write {column} as a number between 0 and 1",
                    )
                )
                cells[column] = None
        try:
            mapping = MappingRow.model_validate(cells)
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(p) for p in err["loc"]) or "row"
                problems.append(
                    Problem(
                        where(path), row.line, err["msg"].removeprefix("Value error, "), f"correct the {column} cell"
                    )
                )
            continue
        mapping_set.lines[len(mapping_set.rows)] = row.line
        mapping_set.rows.append(mapping)
    return mapping_set, problems


def check_mapping_set(
    mapping_set: MappingSet, ontology: Ontology, subjects: Iterable[str] | None = None
) -> list[Problem]:
    """Rules beyond the row format: objects are active UTS concepts, subjects belong to the vocabulary, no repeats."""
    problems: list[Problem] = []
    name = where(mapping_set.path)
    known = set(subjects) if subjects is not None else None
    seen: dict[tuple[str, str, str, str], int] = {}
    for position, row in enumerate(mapping_set.rows):
        line = mapping_set.line_of(position)
        concept = ontology.concepts.get(row.object_id)
        if concept is None:
            problems.append(
                Problem(
                    name,
                    line,
                    f"object {row.object_id} is not a UTS concept",
                    "use an existing concept ID (`uts show TAG`)",
                )
            )
        elif concept.status is not Status.ACTIVE:
            problems.append(
                Problem(
                    name,
                    line,
                    f"object {row.object_id} ({concept.label}) is deprecated",
                    f"map to {concept.replaced_by or 'its successor'}",
                )
            )
        if known is not None and row.subject_id not in known:
            problems.append(
                Problem(
                    name,
                    line,
                    f"subject {row.subject_id} is not a class of this vocabulary",
                    "fix the subject_id or drop the row",
                )
            )
        key = (row.subject_id, row.predicate_id, row.predicate_modifier, row.object_id)
        if key in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    f"the mapping {' '.join(k for k in key if k)} repeats line {seen[key]}",
                    "delete one of the two rows",
                )
            )
        else:
            seen[key] = line
    return problems


def sort_key(row: MappingRow, order: dict[str, int]) -> tuple[Any, ...]:
    return (
        order.get(row.subject_id, len(order)),
        row.subject_id,
        not row.reviewed,
        row.predicate_modifier,
        _PREDICATE_ORDER[row.predicate_id],
        row.object_id,
    )


def format_mapping_set(mapping_set: MappingSet, ontology: Ontology, subject_order: list[str] | None = None) -> str:
    """Canonical text: rows in vocabulary order (else by subject), reviewed rows first, labels from UTS."""
    order = {s: i for i, s in enumerate(subject_order or [])}
    rows = sorted(mapping_set.rows, key=lambda r: sort_key(r, order))
    metadata = {
        **mapping_set.metadata,
        "mapping_set_version": ontology.metadata.version,
        "extension_definitions": EXTENSIONS,
    }
    labels = {c.id: c.label for c in ontology.concepts.values()}
    return format_sssom(metadata, COLUMNS, [r.cells(labels.get(r.object_id, r.object_label)) for r in rows])


def follow_merges(directory: Path, ontology: Ontology, merged: dict[str, str]) -> list[Path]:
    """Re-point the rows of every vocabulary mapping set whose object was merged into another concept.

    The paper mapping set is left alone: the merge itself re-points it. Row order is kept, so a canonical file
    stays canonical; a row that would repeat another after re-pointing is dropped.
    """
    changed = []
    for path in sorted(directory.glob("*.sssom.tsv")):
        if path.name == "uts-paper.sssom.tsv":
            continue
        mapping_set, problems = read_mapping_set(path)
        if mapping_set is None or problems or not any(r.object_id in merged for r in mapping_set.rows):
            continue
        rows: list[MappingRow] = []
        seen: set[tuple[str, str, str, str]] = set()
        for row in mapping_set.rows:
            if row.object_id in merged:
                note = f"re-pointed from merged {row.object_id}"
                row = row.model_copy(
                    update={"object_id": merged[row.object_id], "comment": "; ".join(filter(None, [row.comment, note]))}
                )
            key = (row.subject_id, row.predicate_id, row.predicate_modifier, row.object_id)
            if key not in seen:
                seen.add(key)
                rows.append(row)
        mapping_set.rows = rows
        order = list(dict.fromkeys(r.subject_id for r in rows))
        path.write_text(format_mapping_set(mapping_set, ontology, order), encoding="utf-8")
        changed.append(path)
    return changed
