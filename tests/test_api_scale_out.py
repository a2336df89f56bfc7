"""Two API processes on one PostgreSQL behave as one service: an edit accepted through one is read through the
other (same ETag), a release made through one is served by the other, and two reviewers racing through different
processes get one success and one 409."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api_server import Keys, Server, make_keys, serve
from tests.conftest import empty_postgres

pytestmark = pytest.mark.slow
DOG = "UTS:0000360"


@pytest.fixture(scope="module")
def pg_db(postgres_schema: str) -> str:
    from uts.ontology.source import bundled_root
    from uts.store.sql import SqlStore

    empty_postgres(postgres_schema)
    SqlStore.open(postgres_schema).load_source(bundled_root())
    return postgres_schema


@pytest.fixture(scope="module")
def pg_keys(pg_db: str) -> Keys:
    return make_keys(pg_db)


@pytest.fixture(scope="module")
def two(pg_db: str, pg_keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    logs = tmp_path_factory.mktemp("scale-out")
    with (
        serve(pg_db, logs / "a.log", extra=["--no-embed"]) as a,
        serve(pg_db, logs / "b.log", extra=["--no-embed"]) as b,
    ):
        yield a, b


def _propose(server: Server, key: str, label: str) -> int:
    with server.client(key) as http:
        answer = http.post(
            "/v1/proposals", json={"edits": [{"op": "add_label", "concept_id": DOG, "label": label, "scope": "alt"}]}
        )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_an_edit_through_one_process_is_read_through_the_other(two: tuple[Server, Server], pg_keys: Keys) -> None:
    a, b = two
    proposal = _propose(a, pg_keys.annotator, "scale hound")
    with b.client() as http_b:
        etag = http_b.get(f"/v1/concepts/{DOG}").headers["etag"]
    with a.client(pg_keys.reviewer) as http_a:
        accepted = http_a.post(f"/v1/proposals/{proposal}/accept", headers={"If-Match": etag})
    assert accepted.status_code == 200, accepted.text
    with b.client() as http_b, a.client() as http_a:
        seen_b = http_b.get(f"/v1/concepts/{DOG}")
        seen_a = http_a.get(f"/v1/concepts/{DOG}")
        search_b = http_b.get("/v1/search", params={"q": "scale hound"}).json()["hits"]
    assert "scale hound" in [label["label"] for label in seen_b.json()["labels"]]
    assert seen_b.headers["etag"] == seen_a.headers["etag"] != etag
    assert search_b[0]["id"] == DOG


def test_a_release_through_one_process_is_served_by_the_other(two: tuple[Server, Server], pg_keys: Keys) -> None:
    a, b = two
    proposal = _propose(b, pg_keys.annotator, "release hound")
    with b.client(pg_keys.reviewer) as http:
        assert http.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    with b.client(pg_keys.admin) as http:
        made = http.post("/v1/releases", json={"version": "1.2.0", "notes": "scale-out"})
    assert made.status_code == 201, made.text
    deadline = time.monotonic() + 30
    with a.client() as http:
        while True:
            answer = http.post("/v1/resolve", json={"tags": [["release hound"]]}).json()
            if answer["release"] == "1.2.0" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        releases = [r["version"] for r in http.get("/v1/releases").json()]
    assert answer["release"] == "1.2.0"
    assert answer["tags"][0]["tags"][0]["id"] == DOG
    assert releases[-1] == "1.2.0"


def test_two_reviewers_racing_through_two_processes(two: tuple[Server, Server], pg_keys: Keys) -> None:
    a, b = two
    first = _propose(a, pg_keys.annotator, "race hound one")
    second = _propose(a, pg_keys.annotator, "race hound two")
    with a.client() as http:
        etag = http.get(f"/v1/concepts/{DOG}").headers["etag"]

    def accept(server: Server, key: str, proposal: int) -> httpx.Response:
        with server.client(key) as http:
            return http.post(f"/v1/proposals/{proposal}/accept", headers={"If-Match": etag})

    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda args: accept(*args), [(a, pg_keys.reviewer, first), (b, pg_keys.reviewer2, second)])
        )
    assert sorted(r.status_code for r in results) == [200, 409]
