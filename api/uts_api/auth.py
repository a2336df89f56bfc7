"""The API key of a request, as a FastAPI dependency: ``Authorization: Bearer KEY``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from uts.store.access import Principal
from uts_api.service import Service

bearer = HTTPBearer(auto_error=False, description="An API key from `uts keys create` (or POST /v1/keys).")


async def service(request: Request) -> Service:  # async: no thread hand-off for a dictionary read
    found: Service = request.app.state.service
    return found


def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """Who sends the request: 401 without a valid key (the role is checked by each write)."""
    found: Service = request.app.state.service
    return found.keys.verify(credentials.credentials if credentials is not None else None)


Svc = Annotated[Service, Depends(service)]
Who = Annotated[Principal, Depends(principal)]
