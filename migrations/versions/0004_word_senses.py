"""word senses: the curated senses of ambiguous words of running text (ontology/senses.tsv)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Written to match uts.store.schema (tests/test_store_db.py checks they agree). A working copy made before senses
    # were curated has none; the release it was loaded from has none either, so nothing is lost.
    op.create_table(
        "word_sense",
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sense", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("concept_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("gloss", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("form", "sense"),
    )


def downgrade() -> None:
    op.drop_table("word_sense")
