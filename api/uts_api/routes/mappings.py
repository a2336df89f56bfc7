"""Reading the mapping sets: legacy vocabularies aligned to UTS (SSSOM), and a legacy class looked up in UTS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from uts.errors import NotFoundError
from uts.ontology.mapping import MappingRow
from uts.ontology.model import thaw
from uts_api.auth import Svc
from uts_api.problems import errors
from uts_api.routes.concepts import ConceptRef, Version

router = APIRouter(tags=["mappings"], responses=errors(404, 422))


class MappingSetOut(BaseModel):
    vocabulary: str = Field(description="The legacy vocabulary, e.g. 'audioset'.")
    rows: int = Field(description="Mapping rows in the set.")
    subjects: int = Field(description="Distinct legacy classes mapped.")
    metadata: dict[str, Any] = Field(description="The SSSOM set's header (mapping_set_id, license, ...).")


class MappingPage(BaseModel):
    vocabulary: str
    rows: list[MappingRow]
    next_cursor: int | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")
    total: int


class LegacyMapping(BaseModel):
    vocabulary: str
    row: MappingRow
    concept: ConceptRef | None = Field(description="The UTS concept, or null if it is not in this version.")
    current: ConceptRef | None = Field(
        description="The active concept standing for it (itself, or its replacement if it is deprecated)."
    )


class LegacyAnswer(BaseModel):
    version: str
    subject_id: str
    mappings: list[LegacyMapping]


@router.get("/mappings", response_model=list[MappingSetOut], summary="The mapping sets, one per legacy vocabulary")
def mapping_sets(svc: Svc, version: Version = None) -> list[MappingSetOut]:
    ontology = svc.view(version).ontology
    return [
        MappingSetOut(
            vocabulary=name,
            rows=len(m.rows),
            subjects=len({r.subject_id for r in m.rows}),
            metadata=thaw(dict(m.metadata)),
        )
        for name, m in sorted(ontology.mappings.items())
    ]


@router.get("/mappings/{vocabulary}", response_model=MappingPage, summary="The rows of one mapping set")
def mapping_rows(
    vocabulary: str,
    svc: Svc,
    version: Version = None,
    cursor: Annotated[int, Query(ge=0, le=2**31 - 1, description="From a previous page's next_cursor.")] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> MappingPage:
    ontology = svc.view(version).ontology
    found = ontology.mappings.get(vocabulary)
    if found is None:
        raise NotFoundError(f"no mapping set for {vocabulary!r}; the sets are {', '.join(sorted(ontology.mappings))}")
    rows = list(found.rows)
    page = rows[cursor : cursor + limit]
    more = cursor + limit < len(rows)
    return MappingPage(vocabulary=vocabulary, rows=page, next_cursor=cursor + limit if more else None, total=len(rows))


@router.get(
    "/legacy/{subject_id:path}", response_model=LegacyAnswer, summary="A legacy class (AudioSet:/m/09x0r) in UTS"
)
def legacy(subject_id: str, svc: Svc, version: Version = None) -> LegacyAnswer:
    """Every mapping of a legacy class to UTS, with the concept each names (negative rows say what it is not)."""
    view = svc.view(version)
    ontology = view.ontology
    rows = view.legacy.get(subject_id, [])
    if not rows:
        prefix = subject_id.split(":", 1)[0]
        known = sorted({s.split(":", 1)[0] for s in view.legacy})
        hint = "" if prefix in known else f"; known prefixes: {', '.join(known)}"
        raise NotFoundError(f"no mapping set maps the class {subject_id!r}{hint}")

    def ref(concept_id: str) -> ConceptRef | None:
        c = ontology.concepts.get(concept_id)
        return ConceptRef.of(c) if c is not None else None

    def current(concept_id: str) -> ConceptRef | None:
        c = ontology.current(concept_id) if concept_id in ontology.concepts else None
        return ConceptRef.of(c) if c is not None else None

    return LegacyAnswer(
        version=view.name,
        subject_id=subject_id,
        mappings=[
            LegacyMapping(vocabulary=name, row=row, concept=ref(row.object_id), current=current(row.object_id))
            for name, row in rows
        ],
    )
