"""Request handling every endpoint shares, as plain ASGI (cheaper than Starlette's BaseHTTPMiddleware): a request
ID (taken from ``X-Request-ID`` or made) echoed in the response, one structured access-log line per request, and
the body-size limit (413 before the body is read whole)."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from uts_api.problems import MEDIA_TYPE

access_log = logging.getLogger("uts.api.access")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes; send fewer or shorter items per request"


class RequestContext:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        limit = self.max_body_bytes

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        async def too_large() -> None:
            nonlocal status
            status = 413
            body: dict[str, Any] = {
                "type": "about:blank",
                "title": "Content Too Large",
                "status": 413,
                "detail": _too_large(limit),
                "problems": [],
                "request_id": request_id,
            }
            data = json.dumps(body).encode()
            await send({"type": "http.response.start", "status": 413, "headers": [
                (b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(data)).encode()),
                (b"x-request-id", request_id.encode()), (b"connection", b"close")]})  # fmt: skip
            await send({"type": "http.response.body", "body": data})

        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await too_large()
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:  # a chunked body with no length: stop reading it here
                        raise HTTPException(413, _too_large(limit))
                return message

            await self.app(scope, limited_receive, send_with_id)
        finally:
            record: dict[str, Any] = {
                "request_id": request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "client": (scope.get("client") or ("", 0))[0],
            }
            access_log.info(json.dumps(record))
