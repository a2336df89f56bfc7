"""The tables of a SQL working copy of UTS (sqlmodel): the working state, its change log, releases, and the
annotators, API keys and change proposals the HTTP API works with.

Alembic reads ``SQLModel.metadata`` from here (``migrations/env.py``); a change to a table is a new migration,
generated and reviewed, never an edit of an old one. Lists keep their order in a ``position`` column, so a
working copy written back as files is byte-identical to what was loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Column, Index, Table, Text
from sqlmodel import Field, SQLModel

# Text columns are unbounded TEXT on both databases: labels, definitions and SSSOM comments have no fixed length.


def _text(default: str = "") -> Any:
    return Field(default=default, sa_column=Column(Text, nullable=False))


class StoreState(SQLModel, table=True):
    """The one row that says where the working copy stands: its revision, the next concept number, and the
    release metadata and paper mapping header as JSON."""

    __tablename__ = "store_state"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
    next_concept: int = 1
    metadata_json: str = _text("{}")
    paper_header_json: str = _text("{}")


class ConceptRow(SQLModel, table=True):
    __tablename__ = "concept"

    id: str = Field(primary_key=True, max_length=16)
    label: str = _text()
    status: str = Field(max_length=16)
    origin: str = Field(max_length=16)
    definition: str = _text()
    comment: str = _text()
    replaced_by: str | None = Field(default=None, max_length=16)
    revision: int = 1  # the store revision that last changed the concept: a write naming an older one conflicts


class LabelRow(SQLModel, table=True):
    """A label beside the concept's English preferred one, in its language; ``position`` keeps the canonical
    order (English labels first)."""

    __tablename__ = "concept_label"

    concept_id: str = Field(foreign_key="concept.id", primary_key=True, max_length=16)
    position: int = Field(primary_key=True)
    label: str = _text()
    scope: str = Field(max_length=16)
    source: str = _text()
    comment: str = _text()
    lang: str = Field(default="en", max_length=16, sa_column_kwargs={"server_default": "en"})


class RelationRow(SQLModel, table=True):
    """``broader`` and ``consider`` links of a concept, in order."""

    __tablename__ = "concept_relation"
    __table_args__ = (Index("ix_concept_relation_target", "target_id"),)

    concept_id: str = Field(foreign_key="concept.id", primary_key=True, max_length=16)
    kind: str = Field(primary_key=True, max_length=16)
    position: int = Field(primary_key=True)
    target_id: str = Field(max_length=16)


class ConceptFacetRow(SQLModel, table=True):
    __tablename__ = "concept_facet"

    concept_id: str = Field(foreign_key="concept.id", primary_key=True, max_length=16)
    position: int = Field(primary_key=True)
    facet_id: str = Field(max_length=64)


class ConceptDomainRow(SQLModel, table=True):
    __tablename__ = "concept_domain"

    concept_id: str = Field(foreign_key="concept.id", primary_key=True, max_length=16)
    position: int = Field(primary_key=True)
    domain: str = Field(max_length=16)


class FacetRow(SQLModel, table=True):
    __tablename__ = "facet"

    id: str = Field(primary_key=True, max_length=64)
    position: int
    label: str = _text()
    parent: str | None = Field(default=None, max_length=64)
    root: str = Field(max_length=16)
    definition: str = _text()


class PaperTagRow(SQLModel, table=True):
    """One published tag of the paper's vocabulary and the concept it denotes."""

    __tablename__ = "paper_tag"
    __table_args__ = (Index("ix_paper_tag_concept", "concept_id"),)

    position: int = Field(primary_key=True)
    index: int
    tag: str = _text()
    concept_id: str = Field(max_length=16)
    justification: str = Field(max_length=64)
    confidence: float = 1.0
    author: str = _text()
    date: str = Field(default="", max_length=32)
    comment: str = _text()


class PaperOrderRow(SQLModel, table=True):
    __tablename__ = "paper_order"

    level: str = Field(primary_key=True, max_length=8)
    index: int = Field(primary_key=True)
    tag: str = _text()


class WordSenseRow(SQLModel, table=True):
    """One sense of an ambiguous word of running text (``ontology/senses.tsv``); cue lists joined with ``|``."""

    __tablename__ = "word_sense"

    form: str = Field(primary_key=True, max_length=64)
    sense: str = Field(primary_key=True, max_length=64)
    concept_id: str | None = Field(default=None, max_length=16)
    is_default: bool = False
    domain: str | None = Field(default=None, max_length=8)
    before: str = _text()
    after: str = _text()
    context: str = _text()
    gloss: str = _text()
    comment: str = _text()


class MappingSetRow(SQLModel, table=True):
    __tablename__ = "mapping_set"

    name: str = Field(primary_key=True, max_length=64)
    metadata_json: str = _text("{}")
    revision: int = 1  # the store revision that last changed the set (its header or a row)


class MappingRowRow(SQLModel, table=True):
    """One SSSOM row of a vocabulary mapping set, at its canonical position."""

    __tablename__ = "mapping_row"
    __table_args__ = (Index("ix_mapping_row_object", "object_id"),)

    set_name: str = Field(foreign_key="mapping_set.name", primary_key=True, max_length=64)
    position: int = Field(primary_key=True)
    subject_id: str = _text()
    subject_label: str = _text()
    predicate_id: str = Field(max_length=64)
    predicate_modifier: str = Field(default="", max_length=8)
    object_id: str = Field(max_length=16)
    object_label: str = _text()
    mapping_justification: str = Field(max_length=64)
    confidence: float | None = None
    similarity_score: float | None = None
    similarity_measure: str = _text()
    similarity_threshold: float | None = None
    author_id: str = _text()
    mapping_date: str = Field(default="", max_length=32)
    comment: str = _text()


class ChangeRow(SQLModel, table=True):
    """One applied edit: append-only, never updated. ``before``/``after`` hold the records it changed."""

    __tablename__ = "change"

    id: int | None = Field(default=None, primary_key=True)
    revision: int = Field(index=True)
    op: str = Field(max_length=32)
    author: str = _text()
    time: dt.datetime
    reason: str = _text()
    edit_json: str = _text()
    vocabularies_json: str = _text("[]")
    before_json: str = _text("{}")
    after_json: str = _text("{}")


class ChangeConceptRow(SQLModel, table=True):
    """Which concepts a change touched, so a concept's history is one indexed lookup."""

    __tablename__ = "change_concept"

    change_id: int = Field(foreign_key="change.id", primary_key=True)
    concept_id: str = Field(primary_key=True, max_length=16, index=True)


class ReleaseRow(SQLModel, table=True):
    """A frozen version: its files (``release_file``) never change once written."""

    __tablename__ = "release"

    version: str = Field(primary_key=True, max_length=32)
    date: dt.date
    notes: str = _text()
    content_hash: str = Field(max_length=64)
    version_iri: str = _text()
    revision: int  # the working-copy revision it froze
    created: dt.datetime


class ReleaseFileRow(SQLModel, table=True):
    """The canonical text of one source file of a release (``ontology/terms.tsv``, ``mappings/...``)."""

    __tablename__ = "release_file"

    version: str = Field(foreign_key="release.version", primary_key=True, max_length=32)
    path: str = Field(primary_key=True, max_length=255)
    text: str = _text()


class AnnotatorRow(SQLModel, table=True):
    """Someone who proposes, reviews or administers changes (the author CURIE of their edits)."""

    __tablename__ = "annotator"

    id: int | None = Field(default=None, primary_key=True)
    curie: str = Field(unique=True, max_length=255)
    name: str = _text()
    role: str = Field(max_length=16)  # annotator | reviewer | admin
    created: dt.datetime


class ApiKeyRow(SQLModel, table=True):
    """An API key, stored only as a salted hash; ``prefix`` finds it without scanning every hash."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id", index=True)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = _text()
    role: str = Field(max_length=16)
    created: dt.datetime
    revoked: dt.datetime | None = None


class ProposalRow(SQLModel, table=True):
    """Edits an annotator proposes; a reviewer (never the author) accepts (applies) or rejects them."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    author: str = _text()
    created: dt.datetime
    base_revision: int
    edits_json: str = _text("[]")
    reason: str = _text()
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected | withdrawn
    reviewer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reviewed: dt.datetime | None = None
    review_reason: str = _text()
    applied_revision: int | None = None


class GapRow(SQLModel, table=True):
    """A raw tag or caption phrase the resolver served by the API could not map, counted per release: what the
    vocabulary lacks, most frequent first. ``key`` is the text case-folded with spaces collapsed."""

    __tablename__ = "gap"

    release: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=8)  # tag | phrase
    key: str = Field(primary_key=True, max_length=255)
    text: str = _text()
    count: int = 0
    examples_json: str = _text("[]")
    reason: str = _text()
    first_seen: dt.datetime
    last_seen: dt.datetime


metadata = SQLModel.metadata


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model, whose typed columns (``CONCEPT.c.id``) make queries mypy can check."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# The tables, for Core queries (bulk reads and writes of plain rows, much faster than ORM objects).
STATE = table(StoreState)
CONCEPT = table(ConceptRow)
LABEL = table(LabelRow)
RELATION = table(RelationRow)
CONCEPT_FACET = table(ConceptFacetRow)
CONCEPT_DOMAIN = table(ConceptDomainRow)
FACET = table(FacetRow)
PAPER_TAG = table(PaperTagRow)
PAPER_ORDER = table(PaperOrderRow)
WORD_SENSE = table(WordSenseRow)
MAPPING_SET = table(MappingSetRow)
MAPPING_ROW = table(MappingRowRow)
CHANGE = table(ChangeRow)
CHANGE_CONCEPT = table(ChangeConceptRow)
RELEASE = table(ReleaseRow)
RELEASE_FILE = table(ReleaseFileRow)
ANNOTATOR = table(AnnotatorRow)
API_KEY = table(ApiKeyRow)
PROPOSAL = table(ProposalRow)
GAP = table(GapRow)

__all__ = [
    "ANNOTATOR",
    "API_KEY",
    "CHANGE",
    "CHANGE_CONCEPT",
    "CONCEPT",
    "CONCEPT_DOMAIN",
    "CONCEPT_FACET",
    "FACET",
    "GAP",
    "LABEL",
    "MAPPING_ROW",
    "MAPPING_SET",
    "PAPER_ORDER",
    "PAPER_TAG",
    "PROPOSAL",
    "RELATION",
    "RELEASE",
    "RELEASE_FILE",
    "STATE",
    "WORD_SENSE",
    "AnnotatorRow",
    "ApiKeyRow",
    "ChangeConceptRow",
    "ChangeRow",
    "ConceptDomainRow",
    "ConceptFacetRow",
    "ConceptRow",
    "FacetRow",
    "GapRow",
    "LabelRow",
    "MappingRowRow",
    "MappingSetRow",
    "PaperOrderRow",
    "PaperTagRow",
    "ProposalRow",
    "RelationRow",
    "ReleaseFileRow",
    "ReleaseRow",
    "StoreState",
    "metadata",
    "table",
]
