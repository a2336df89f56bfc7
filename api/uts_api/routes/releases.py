"""Releases: the list, one release and its artefacts in every export format, the diff between two versions, and
making a release (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, Field

from uts.errors import NotFoundError
from uts.ontology.diff import Diff
from uts.store.access import Role
from uts.store.base import ReleaseInfo
from uts_api.auth import Svc, Who
from uts_api.problems import errors
from uts_api.service import WORKING

router = APIRouter(tags=["releases"], responses=errors(404, 422))

MEDIA = {
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".json": "application/json",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
}


class ReleaseDetail(ReleaseInfo):
    notes: str = Field(description="The release notes.")
    content_hash: str = Field(description="SHA-256 of the release's canonical source files.")
    revision: int = Field(description="The working-copy revision the release froze.")
    artefacts: list[str] = Field(description="Paths of its artefacts, under /v1/releases/{version}/artefacts/.")


class ReleaseRequest(BaseModel):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="The new semantic version, higher than any release.")
    notes: str = Field(min_length=1, max_length=10_000, description="What changed and why, for the release notes.")
    date: dt.date | None = Field(default=None, description="The release date; default today.")


class ReleaseMade(BaseModel):
    release: ReleaseInfo
    created: bool = Field(description="False when the working copy equals the latest release (nothing released).")


@router.get("/releases", response_model=list[ReleaseInfo], summary="Every release, oldest first")
def releases(svc: Svc) -> list[ReleaseInfo]:
    return svc.store.releases()


def _artefact_paths(svc: Svc, version: str) -> list[str]:
    folder = svc.artefacts(version)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@router.get("/releases/{version}", response_model=ReleaseDetail, summary="One release")
def release(version: str, svc: Svc) -> ReleaseDetail:
    info = next((r for r in svc.store.releases() if r.version == version), None)
    if info is None:
        svc.store.release_notes(version)  # UnknownReleaseError, listing the releases
        raise NotFoundError(version)
    notes, content_hash, revision = svc.store.release_notes(version)
    return ReleaseDetail(
        **info.model_dump(), notes=notes, content_hash=content_hash, revision=revision,
        artefacts=_artefact_paths(svc, version),
    )  # fmt: skip


@router.get(
    "/releases/{version}/artefacts/{path:path}",
    summary="One artefact of a release: uts.ttl, uts.jsonld, uts.owl, uts.json, labels/label_1k.json, sources",
    response_class=FileResponse,
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "The file."}},
)
def artefact(version: str, path: str, svc: Svc) -> FileResponse:
    paths = _artefact_paths(svc, version)
    if path not in paths:  # only the listed files: no path leaves the release's folder
        shown = ", ".join(p for p in paths if "/" not in p or p.startswith("labels/"))
        raise NotFoundError(f"release {version} has no artefact {path!r}; it has {shown} and its source files")
    file = svc.artefacts(version) / path
    return FileResponse(file, media_type=MEDIA.get(file.suffix, "application/octet-stream"))


@router.get(
    "/diff",
    response_model=Diff,
    summary="What changed between two versions",
    responses={200: {"content": {"application/json": {}, "text/plain": {}, "text/markdown": {}}}},
)
def diff(
    svc: Svc,
    old: Annotated[str, Query(max_length=32, description="A release version.")],
    new: Annotated[str, Query(max_length=32, description="A later release version, or 'working'.")] = WORKING,
    format: Annotated[
        Literal["json", "text", "markdown"], Query(description="json (default), text or markdown.")
    ] = "json",
) -> Any:
    from uts.ontology import diff as diffs

    result = diffs.diff(svc.view(old).ontology, svc.view(new).ontology)
    if format == "text":
        return PlainTextResponse(diffs.to_text(result))
    if format == "markdown":
        return PlainTextResponse(diffs.to_markdown(result), media_type="text/markdown; charset=utf-8")
    return result


@router.post(
    "/releases",
    response_model=ReleaseMade,
    status_code=201,
    summary="Freeze the working copy as a new release (admins)",
    responses=errors(401, 403, 409),
)
def make_release(body: ReleaseRequest, who: Who, svc: Svc) -> ReleaseMade:
    who.require(Role.ADMIN)
    info, created = svc.store.release(
        body.version, notes=f"{body.notes} (released by {who.curie})", date=body.date or dt.date.today()
    )
    return ReleaseMade(release=info, created=created)
