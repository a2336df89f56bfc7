"""The annotators' web UI, served by the API's own app at ``/`` (``uts serve``): Jinja2 pages, one stylesheet and
one small script, all inside the package (no CDN: the machines it runs on may have no internet)."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


API_PATHS = ("/v1/", "/healthz", "/readyz", "/docs", "/openapi.json")


def install(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError

    from uts_api.ui.pages import render, router

    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    api_handler = app.exception_handlers[RequestValidationError]

    async def invalid(request: Request, exc: Exception) -> Response:
        """A page's bad query or form (``/proposals/abc``, a required field left empty) answered as a page that
        says which field is wrong; the API keeps its problem+json."""
        if request.url.path.startswith(API_PATHS) or not isinstance(exc, RequestValidationError):
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        problems = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in exc.errors()]
        return render(request, "error.html", 422, message="the request has invalid values", problems=problems)

    app.add_exception_handler(RequestValidationError, invalid)


__all__ = ["install"]
