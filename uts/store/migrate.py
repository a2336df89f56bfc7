"""The database schema's migrations (Alembic): create a database, upgrade it, check it is current.

The migration scripts live in the repository's ``migrations/`` (in a wheel: ``uts/_bundled/migrations``); uts runs
them itself, on the engine it uses for everything else, so ``uts db upgrade --db URL`` needs no ini file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from uts.errors import StorageError

HEAD = "head"


def script_location() -> Path:
    """The migration scripts: bundled in a wheel, or the repository's own folder in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_bundled" / "migrations", here.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise StorageError(
        f"the database migrations are missing (looked in {here / '_bundled'} and {here.parent}); reinstall uts"
    )


def _config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["connection"] = connection
    return config


def _run(url: str, action: str, revision: str) -> None:
    from alembic import command

    from uts.store.sql import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            getattr(command, action)(_config(conn), revision)
            conn.commit()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot {action} the database {url!r}: {exc}") from None
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = HEAD) -> None:
    """Create the tables of an empty database, or bring an older one up to ``revision`` (default: the newest)."""
    _run(url, "upgrade", revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (``base``: an empty database; every uts table is dropped)."""
    _run(url, "downgrade", revision)


def current(url: str) -> str | None:
    """The migration revision a database is at (``None``: never upgraded)."""
    from alembic.runtime.migration import MigrationContext

    from uts.store.sql import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the schema revision of {url!r}: {exc}") from None
    finally:
        engine.dispose()


def head() -> str:
    """The newest migration revision uts ships."""
    from alembic.script import ScriptDirectory

    found = ScriptDirectory(str(script_location())).get_current_head()
    if found is None:
        raise StorageError(f"no migrations in {script_location()}; reinstall uts")
    return found


def pending(url: str) -> list[Any]:
    """What the models hold that the database's schema does not (empty: models and migrations agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from uts.store.schema import metadata
    from uts.store.sql import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


__all__ = ["HEAD", "current", "downgrade", "head", "pending", "script_location", "upgrade"]
