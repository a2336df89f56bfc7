"""Errors as ``application/problem+json`` (RFC 9457): a title, the status, one clear message (``detail``), the
problems list where there are several, and the request ID to quote. Never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException

from uts.errors import ConflictError, InvalidError, NotFoundError, StorageError, UTSError
from uts.store.access import AuthError

log = logging.getLogger("uts.api")
MEDIA_TYPE = "application/problem+json"


class ProblemItem(BaseModel):
    """One defect of the input."""

    where: str = Field(description="The field, file or record it is in.")
    message: str = Field(description="What is wrong.")
    fix: str = Field(default="", description="How to fix it.")


class ProblemDetails(BaseModel):
    """An error answer (RFC 9457)."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The kind of problem, in words.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong and what to do, in one message.")
    problems: list[ProblemItem] = Field(default_factory=list, description="Every defect, where there are several.")
    request_id: str = Field(default="", description="The request's ID: quote it when reporting the error.")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetails, "content": {MEDIA_TYPE: {}}, "description": text}
    for code, text in (
        (401, "No API key, or an unknown or revoked one"),
        (403, "The key's role may not do this"),
        (404, "Not found"),
        (409, "Conflict: the state changed since it was read"),
        (413, "The request is too large"),
        (422, "The input is not valid"),
    )
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an endpoint, for ``responses=``."""
    return {code: PROBLEM_RESPONSES[code] for code in codes}


def problem(request: Request | None, status: int, title: str, detail: str, problems: list[ProblemItem] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    request_id = getattr(request.state, "request_id", "") if request is not None else ""
    body = ProblemDetails(title=title, status=status, detail=detail, problems=problems or [], request_id=request_id)
    return JSONResponse(body.model_dump(), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _items(exc: InvalidError) -> list[ProblemItem]:
    return [
        ProblemItem(where=f"{p.file}:{p.line}" if p.line else p.file, message=p.message, fix=p.fix)
        for p in exc.problems
    ]


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema with every 4xx and 5xx answer documented as what it is: problem+json (FastAPI would
    describe its own validation error as application/json)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetails"] = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(components["ProblemDetails"].pop("$defs", {}))
    problem_content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if str(code)[0] in "45":
                    response["content"] = problem_content
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def _not_valid(request: Request, errors: Sequence[Any]) -> JSONResponse:
    """A pydantic refusal (of the request, or of a library model built from it) as one 422 naming each field."""
    items = [
        ProblemItem(where=".".join(str(p) for p in e["loc"]), message=str(e["msg"]).removeprefix("Value error, "))
        for e in errors
    ]
    head = "; ".join(f"{i.where}: {i.message}" for i in items[:3]) + (" ..." if len(items) > 3 else "")
    return problem(request, 422, "Unprocessable Content", f"the request is not valid: {head}", items)


def install(app: FastAPI) -> None:
    """Answer every error as problem+json, and document it so."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(
                get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> JSONResponse:
        if exc.forbidden:
            return problem(request, 403, "Forbidden", str(exc))
        return problem(request, 401, "Unauthorized", str(exc), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return problem(request, 404, "Not Found", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> JSONResponse:
        return problem(request, 409, "Conflict", str(exc))

    @app.exception_handler(InvalidError)
    async def _invalid(request: Request, exc: InvalidError) -> JSONResponse:
        head = str(exc).split("\n")[0].rstrip(":")
        if exc.problems:  # the first problem in the message, all of them in the list
            more = f" (and {len(exc.problems) - 1} more: see problems)" if len(exc.problems) > 1 else ""
            head = f"{head}: {exc.problems[0]}{more}"
        return problem(request, 422, "Unprocessable Content", head, _items(exc))

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError) -> JSONResponse:
        log.error("storage error: %s", exc)
        return problem(request, 503, "Service Unavailable", "the database cannot be reached or written; retry later")

    @app.exception_handler(UTSError)
    async def _other(request: Request, exc: UTSError) -> JSONResponse:
        return problem(request, 422, "Unprocessable Content", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _not_valid(request, exc.errors())

    @app.exception_handler(ValidationError)
    async def _model(request: Request, exc: ValidationError) -> JSONResponse:
        # A value a library model refuses, met after the request itself was read (e.g. an edit made from a gap).
        return _not_valid(request, exc.errors())

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        titles = {404: "Not Found", 405: "Method Not Allowed", 413: "Content Too Large", 428: "Precondition Required"}
        detail = str(exc.detail) if exc.detail else titles.get(exc.status_code, "Error")
        if (exc.status_code == 404 and not exc.detail) or detail == "Not Found":
            detail = f"no such endpoint: {request.url.path}; the API's endpoints are listed at /docs"
        return problem(request, exc.status_code, titles.get(exc.status_code, "Error"), detail,
                       headers=dict(exc.headers or {}))  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return problem(
            request, 500, "Internal Server Error",
            "the server failed to answer this request; it is logged under the request ID: please report it",
        )  # fmt: skip
