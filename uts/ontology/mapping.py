"""Vocabulary mappings as part of a UTS release: one SSSOM mapping set per legacy vocabulary.

Rows justified by ``semapv:ManualMappingCuration`` are reviewed; machine rows (lexical or embedding suggestions)
are candidates a curator has not confirmed yet, and never overwrite a reviewed row. The sets live in the
``Ontology`` (``ontology.mappings``), so a merge re-points them in the same change and one store keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from uts.ontology.model import ID_PATTERN, freeze

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


RowKey = tuple[str, str, str, str]


def row_key(row: MappingRow) -> RowKey:
    """What makes two rows the same mapping: subject, predicate, modifier, object."""
    return (row.subject_id, row.predicate_id, row.predicate_modifier, row.object_id)


@dataclass(frozen=True, eq=False)
class MappingSet:
    """The mapping set of one vocabulary (``mappings/<name>.sssom.tsv``): its SSSOM header and its rows.

    Rows keep their canonical order: by subject in the vocabulary's own order, reviewed rows first.
    """

    name: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    rows: tuple[MappingRow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", freeze(self.metadata))
        object.__setattr__(self, "rows", tuple(self.rows))

    def rows_of(self, subject_id: str) -> list[MappingRow]:
        return [r for r in self.rows if r.subject_id == subject_id]

    def with_rows(self, rows: tuple[MappingRow, ...] | list[MappingRow]) -> MappingSet:
        return MappingSet(self.name, self.metadata, tuple(rows))


def sort_key(row: MappingRow, order: Mapping[str, int]) -> tuple[Any, ...]:
    """Canonical row order: subjects in ``order`` (the vocabulary's), reviewed first, then predicate and object."""
    return (
        order.get(row.subject_id, len(order)),
        row.subject_id,
        not row.reviewed,
        row.predicate_modifier,
        _PREDICATE_ORDER[row.predicate_id],
        row.object_id,
    )


def canonical_rows(
    rows: list[MappingRow] | tuple[MappingRow, ...], subject_order: list[str] | None = None
) -> tuple[MappingRow, ...]:
    """Rows in canonical order; subjects not in ``subject_order`` keep the order of their first row."""
    order = {s: i for i, s in enumerate(subject_order or [])}
    for row in rows:
        order.setdefault(row.subject_id, len(order))
    return tuple(sorted(rows, key=lambda r: sort_key(r, order)))
