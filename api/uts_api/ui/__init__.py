"""The annotators' web UI, served by the API's own app at ``/`` (``uts serve``): Jinja2 pages, one stylesheet and
one small script, all inside the package (no CDN: the machines it runs on may have no internet)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    from uts_api.ui.pages import router

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["install"]
