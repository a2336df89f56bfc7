"""Alembic environment: the models of ``uts.store.schema`` are the target; the URL comes from ``uts db upgrade``.

Run through uts (``uts db upgrade --db URL``), or ``alembic -x db=URL upgrade head`` from the repository root.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from uts.store.schema import metadata
from uts.store.sql import make_engine

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("name the database: alembic -x db=sqlite:///uts.db upgrade head")
    with make_engine(url).connect() as conn:
        run(conn)
