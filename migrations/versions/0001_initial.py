"""initial schema: working copy, change log, releases, annotators, API keys, proposals

Revision ID: 0001
Revises: nothing (the first migration)
Create Date: 2026-12-07 05:19:03.599359
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: generated from uts.store.schema by autogenerate.
    op.create_table(
        "annotator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("curie", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("curie"),
    )
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("op", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("time", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("edit_json", sa.Text(), nullable=False),
        sa.Column("vocabularies_json", sa.Text(), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("after_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_revision"), ["revision"], unique=False)

    op.create_table(
        "concept",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("replaced_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "facet",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("parent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("root", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "mapping_set",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "paper_order",
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("level", "index"),
    )
    op.create_table(
        "paper_tag",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("justification", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("date", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    with op.batch_alter_table("paper_tag", schema=None) as batch_op:
        batch_op.create_index("ix_paper_tag_concept", ["concept_id"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("edits_json", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("reviewed", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=False),
        sa.Column("applied_revision", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "release",
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version_iri", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "store_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("next_concept", sa.Integer(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("paper_header_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_annotator_id"), ["annotator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=False)

    op.create_table(
        "change_concept",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["change.id"],
        ),
        sa.PrimaryKeyConstraint("change_id", "concept_id"),
    )
    with op.batch_alter_table("change_concept", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_concept_concept_id"), ["concept_id"], unique=False)

    op.create_table(
        "concept_domain",
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concept.id"],
        ),
        sa.PrimaryKeyConstraint("concept_id", "position"),
    )
    op.create_table(
        "concept_facet",
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("facet_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concept.id"],
        ),
        sa.PrimaryKeyConstraint("concept_id", "position"),
    )
    op.create_table(
        "concept_label",
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concept.id"],
        ),
        sa.PrimaryKeyConstraint("concept_id", "position"),
    )
    op.create_table(
        "concept_relation",
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concept.id"],
        ),
        sa.PrimaryKeyConstraint("concept_id", "kind", "position"),
    )
    with op.batch_alter_table("concept_relation", schema=None) as batch_op:
        batch_op.create_index("ix_concept_relation_target", ["target_id"], unique=False)

    op.create_table(
        "mapping_row",
        sa.Column("set_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=False),
        sa.Column("subject_label", sa.Text(), nullable=False),
        sa.Column("predicate_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("predicate_modifier", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("object_label", sa.Text(), nullable=False),
        sa.Column("mapping_justification", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("similarity_score", sa.Float(), nullable=True),
        sa.Column("similarity_measure", sa.Text(), nullable=False),
        sa.Column("similarity_threshold", sa.Float(), nullable=True),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column("mapping_date", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_name"],
            ["mapping_set.name"],
        ),
        sa.PrimaryKeyConstraint("set_name", "position"),
    )
    with op.batch_alter_table("mapping_row", schema=None) as batch_op:
        batch_op.create_index("ix_mapping_row_object", ["object_id"], unique=False)

    op.create_table(
        "release_file",
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"],
            ["release.version"],
        ),
        sa.PrimaryKeyConstraint("version", "path"),
    )


def downgrade() -> None:
    # Reviewed: generated from uts.store.schema by autogenerate.
    op.drop_table("release_file")
    with op.batch_alter_table("mapping_row", schema=None) as batch_op:
        batch_op.drop_index("ix_mapping_row_object")

    op.drop_table("mapping_row")
    with op.batch_alter_table("concept_relation", schema=None) as batch_op:
        batch_op.drop_index("ix_concept_relation_target")

    op.drop_table("concept_relation")
    op.drop_table("concept_label")
    op.drop_table("concept_facet")
    op.drop_table("concept_domain")
    with op.batch_alter_table("change_concept", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_concept_concept_id"))

    op.drop_table("change_concept")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_prefix"))
        batch_op.drop_index(batch_op.f("ix_api_key_annotator_id"))

    op.drop_table("api_key")
    op.drop_table("store_state")
    op.drop_table("release")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_status"))

    op.drop_table("proposal")
    with op.batch_alter_table("paper_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_tag_concept")

    op.drop_table("paper_tag")
    op.drop_table("paper_order")
    op.drop_table("mapping_set")
    op.drop_table("facet")
    op.drop_table("concept")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_revision"))

    op.drop_table("change")
    op.drop_table("annotator")
