"""`uts serve --cors ORIGIN` lets browsers on that origin (and only it) call the API, with ETag and X-Request-ID
readable (without --cors no origin is allowed: the other API tests' servers send no CORS headers). Run with
--workers 2: two processes answering on one port as one service."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api_server import Server, serve

pytestmark = pytest.mark.slow
ORIGIN = "http://annotate.example.org"


@pytest.fixture(scope="module")
def cors_server(api_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("cors") / "server.log"
    with serve(api_db, log, extra=["--no-embed", "--cors", ORIGIN, "--workers", "2"]) as server:
        yield server


def test_only_the_configured_origin_is_allowed(cors_server: Server) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,if-match"}  # fmt: skip
    with cors_server.client() as http:
        allowed = http.options("/v1/proposals", headers=preflight)
        other = http.options("/v1/proposals", headers={**preflight, "Origin": "http://evil.example"})
        simple = http.get("/v1/concepts/dog", headers={"Origin": ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "if-match" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    assert "etag" in simple.headers["access-control-expose-headers"].lower()


def test_two_workers_answer_as_one(cors_server: Server) -> None:
    with cors_server.client() as http:
        answers = [http.get("/v1/concepts/dog") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.headers["etag"] for a in answers}) == 1
    assert cors_server.output().count("Started server process") == 2
    assert httpx.get(f"{cors_server.url}/readyz").status_code == 200
