"""Liveness and readiness, for load balancers and orchestrators (outside /v1: they never change)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from uts_api.auth import Svc

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="ok, loading or failed.")
    detail: str = Field(default="", description="Why not ready, when it is not.")


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The resolver is loaded and the database answers (503 until then)",
    responses={503: {"model": Health, "description": "Not ready yet, or loading failed."}},
)
def readyz(svc: Svc) -> Health | JSONResponse:
    if not svc.ready.is_set():
        return JSONResponse(Health(status="loading", detail="the resolver is loading").model_dump(), status_code=503)
    if svc.load_error is not None:
        return JSONResponse(Health(status="failed", detail=svc.load_error).model_dump(), status_code=503)
    svc.store.revision()  # StorageError (503) when the database is gone
    return Health(status="ok")
