"""`uts serve` (the HTTP API on uvicorn) and `uts keys create|list|revoke` (who may change the ontology)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from uts.cli.options import Db, console, db_url

keys_app = typer.Typer(help="API keys: who may propose, review and release over HTTP.", no_args_is_help=True)


def register(root_app: typer.Typer) -> None:
    root_app.command("serve")(serve)
    root_app.add_typer(keys_app, name="keys")


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's own lines plus the API's structured access log (one JSON object per request) on stdout."""
    plain = {"()": "logging.Formatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": plain, "access": {"()": "logging.Formatter", "fmt": "%(message)s"}},
        "handlers": {
            "default": handler,
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uts.api": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uts.api.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def serve(
    db: Db = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes (one database).")] = 1,
    cors: Annotated[
        list[str] | None, typer.Option("--cors", help="An origin browsers may call the API from; repeatable.")
    ] = None,
    no_embed: Annotated[
        bool, typer.Option("--no-embed", help="Resolve lexically only: never load the encoder.")
    ] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) on the database working copy and its releases."""
    import json

    from uts.errors import UsageError
    from uts.store.sql import SqlStore

    try:
        import uvicorn
    except ImportError:
        raise UsageError("serving needs the 'serve' extra: pip install 'uts[serve]'") from None
    url = db_url(db)
    store = SqlStore.open(url)  # a clear error now (missing tables, no working copy) rather than in each worker
    if not store.releases():
        raise UsageError(f"{store!r} holds no release to serve; fill it first with `uts db load --db {url}`")
    os.environ["UTS_API_DB_URL"] = url
    if cors:
        os.environ["UTS_API_CORS_ORIGINS"] = json.dumps(cors)
    if no_embed:
        os.environ["UTS_API_EMBED"] = "false"
    # Each encoder run on one thread, one encoder worker per core (uts_api.service): request threads that take a
    # core for a moment then delay one run instead of stalling a run spread over every core.
    os.environ.setdefault("UTS_ENCODER_THREADS", "1")
    console.print(f"serving {store!r} on http://{host}:{port} (API docs at /docs) with {workers} worker(s)")
    uvicorn.run(
        "uts_api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app writes its own structured access log, with request IDs
        log_config=_log_config(log_level),
        log_level=log_level,
        timeout_graceful_shutdown=10,
    )


@keys_app.command("create")
def create(
    curie: Annotated[str, typer.Argument(help="Whose key: a CURIE such as orcid:0000-0002-1825-0097.")],
    role: Annotated[str, typer.Option("--role", help="annotator, reviewer or admin.")],
    name: Annotated[str, typer.Option("--name", help="The person's name, for the change log.")] = "",
    db: Db = None,
) -> None:
    """Make an API key and print it once: it is stored only as a hash and cannot be shown again."""
    from uts.store.access import create_key
    from uts.store.sql import SqlStore

    key, info = create_key(SqlStore.open(db_url(db)), curie, role, name=name)
    typer.echo(key)
    console.print(f"[dim]key {info.prefix} for {info.curie} ({info.role.value}); keep it secret, it is shown once[/]")


@keys_app.command("list")
def list_(db: Db = None) -> None:
    """Every key's prefix, owner, role and state (never the keys)."""
    from uts.store.access import list_keys
    from uts.store.sql import SqlStore

    table = Table("prefix", "who", "role", "created", "revoked")
    for k in list_keys(SqlStore.open(db_url(db))):
        table.add_row(
            k.prefix, k.curie, k.role.value, k.created.isoformat(), k.revoked.isoformat() if k.revoked else ""
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (from `uts keys list`) or the key itself.")],
    db: Db = None,
) -> None:
    """Revoke a key: it stops working at once, in every server process."""
    from uts.store.access import revoke_key
    from uts.store.sql import SqlStore

    info = revoke_key(SqlStore.open(db_url(db)), prefix)
    console.print(f"revoked key {info.prefix} of {info.curie}")
