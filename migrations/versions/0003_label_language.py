"""label language: every label of a concept carries its language ('en' for the English ones)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: generated from uts.store.schema by autogenerate; the server default (which autogenerate leaves out)
    # makes every label of an existing working copy English, as it was.
    with op.batch_alter_table("concept_label", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="en", nullable=False)
        )


def downgrade() -> None:
    # Labels in other languages cannot be kept without their language: they go with it.
    op.execute("DELETE FROM concept_label WHERE lang <> 'en'")
    with op.batch_alter_table("concept_label", schema=None) as batch_op:
        batch_op.drop_column("lang")
