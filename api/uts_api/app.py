"""The FastAPI app, made by a factory from its store and settings: nothing is built at import.

``create_app(store, settings)`` for tests and embedding; ``app_from_env()`` is what ``uts serve`` gives uvicorn
(each worker process calls it and reads the same ``UTS_API_*`` settings).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from uts.store.sql import SqlStore
from uts_api import problems
from uts_api.middleware import RequestContext
from uts_api.routes import concepts, curation, health, mappings, releases, resolve
from uts_api.service import Service
from uts_api.settings import ApiSettings

log = logging.getLogger("uts.api")
# Objects allocated (less those freed) between two collections of the youngest generation while the app serves;
# Python's default, 700, runs one every few requests, and an older generation every ten of them, which also walks
# the young answers the caches keep (bench_api.py, 64 clients x 10 unseen tags: the collector's CPU per 1,000 tags
# from about 0.025 s to 0.009 s, and no full collection in a run, where the default made two or three).
YOUNG_OBJECTS = 7000
DESCRIPTION = """The Unified Tag System (UTS) of audio tags over HTTP.

- **Read** the tag graph: concepts, labels, search and autocomplete, facets and trees, mapping sets, legacy
  classes, releases, their artefacts and diffs.
- **Resolve** captioner output (raw tags or captions) to UTS concepts.
- **Curate**: propose edits with an API key, review others' proposals, mine gaps, make releases.

Errors are `application/problem+json` with a message and, where there are several, the list of problems.
"""


def create_app(store: SqlStore, settings: ApiSettings | None = None) -> FastAPI:
    """The API over ``store``; the resolver loads in the background at start (``/readyz`` says when)."""
    settings = settings or ApiSettings(db_url=store.url)
    service = Service(store, settings)
    stop = threading.Event()

    def flush_gaps() -> None:
        while not stop.wait(settings.gap_flush_seconds):
            try:
                service.gaps.flush()
            except Exception:  # kept in memory and retried; the next flush says if it still fails
                log.exception("could not write the gap counts; retrying")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_OBJECTS, *thresholds[1:])
        if settings.warm:
            threading.Thread(target=_warm, args=(service,), name="uts-warm", daemon=True).start()
        else:
            service.ready.set()
        flusher = threading.Thread(target=flush_gaps, name="uts-gap-flush", daemon=True)
        flusher.start()
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            stop.set()
            flusher.join(timeout=5)
            service.gaps.flush()

    app = FastAPI(
        title="uts",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.service = service
    problems.install(app)
    app.include_router(health.router)
    for module in (concepts, mappings, releases, resolve, curation):
        app.include_router(module.router, prefix="/v1")
    if settings.ui:
        from uts_api import ui

        ui.install(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID"],
        )
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    return app


def _warm(service: Service) -> None:
    try:
        service.warm()
    except Exception:
        log.exception("the resolver could not be loaded; /readyz reports it")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("uts")
    except PackageNotFoundError:
        return "0"


def app_from_env() -> FastAPI:
    """The app as ``uts serve`` runs it: settings from ``UTS_API_*``, the store they name (schema checked)."""
    settings = ApiSettings()
    return create_app(SqlStore.open(settings.db_url), settings)


__all__ = ["app_from_env", "create_app"]
