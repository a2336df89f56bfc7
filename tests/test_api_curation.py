"""Curation over HTTP against a real `uts serve`: keys and roles on every write endpoint, propose -> review ->
release -> diff, ETag / If-Match conflicts, and 50 concurrent writers on one concept losing nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.api_server import ANNOTATOR, REVIEWER, Keys, Server
from uts.store.access import create_key
from uts.store.sql import SqlStore

pytestmark = pytest.mark.slow
DOG = "UTS:0000360"
ROLES = ("annotator", "reviewer", "admin")


def _label(text: str, concept: str = DOG) -> dict[str, Any]:
    return {"op": "add_label", "concept_id": concept, "label": text, "scope": "alt"}


def _propose(server: Server, key: str, edits: list[dict[str, Any]], if_match: str | None = None) -> dict[str, Any]:
    headers = {"If-Match": if_match} if if_match else {}
    with server.client(key) as http:
        answer = http.post("/v1/proposals", json={"edits": edits, "reason": "heard in captions"}, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _etag(http: httpx.Client, concept: str = DOG) -> str:
    return http.get(f"/v1/concepts/{concept}").headers["etag"]


# ---- who may do what ------------------------------------------------------------------------------------------

# Every write endpoint: the least role it needs and a request that role could send.
WRITES: dict[tuple[str, str], tuple[str, str, dict[str, Any] | None]] = {
    ("post", "/v1/proposals"): ("annotator", "/v1/proposals", {"edits": [_label("matrix hound")]}),
    ("post", "/v1/proposals/{proposal_id}/accept"): ("reviewer", "/v1/proposals/{id}/accept", {}),
    ("post", "/v1/proposals/{proposal_id}/reject"): ("reviewer", "/v1/proposals/{id}/reject", {"reason": "no"}),
    ("post", "/v1/ids"): ("annotator", "/v1/ids", {"count": 1}),
    ("post", "/v1/gaps/proposals"): (
        "annotator",
        "/v1/gaps/proposals",
        {"kind": "tag", "text": "never met", "action": "new_concept"},
    ),
    ("post", "/v1/releases"): ("admin", "/v1/releases", {"version": "1.0.1", "notes": "matrix"}),
    ("post", "/v1/keys"): ("admin", "/v1/keys", {"curie": "orcid:0000-0009", "role": "annotator"}),
    ("get", "/v1/keys"): ("admin", "/v1/keys", None),
    ("delete", "/v1/keys/{prefix}"): ("admin", "/v1/keys/00000000", None),
}


def test_the_matrix_covers_every_write_endpoint(api_server: Server) -> None:
    with api_server.client() as http:
        paths = http.get("/openapi.json").json()["paths"]
    writes = {(m, p) for p, ops in paths.items() for m in ops if m in ("post", "put", "patch", "delete")}
    writes.add(("get", "/v1/keys"))
    reads_only = {("post", "/v1/resolve")}  # resolving changes nothing: anyone may
    assert writes - reads_only == set(WRITES)


@pytest.mark.parametrize("endpoint", sorted(WRITES), ids=lambda e: f"{e[0]} {e[1]}")
def test_no_key_is_401_and_a_lower_role_403(api_server: Server, api_keys: Keys, endpoint: tuple[str, str]) -> None:
    needed, path, body = WRITES[endpoint]
    method = endpoint[0]
    proposal = _propose(api_server, api_keys.annotator, [_label(f"matrix {method} {len(path)} {needed}")])
    path = path.replace("{id}", str(proposal["id"]))
    keys = {"annotator": api_keys.annotator, "reviewer": api_keys.reviewer, "admin": api_keys.admin}
    with api_server.client() as anonymous:
        none = anonymous.request(method, path, json=body)
        wrong = anonymous.request(method, path, json=body, headers={"Authorization": "Bearer uts_deadbeef_nope"})
        garbage = anonymous.request(method, path, json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    for answer in (none, wrong, garbage):
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "key" in answer.json()["detail"]
    for role in ROLES[: ROLES.index(needed)]:
        with api_server.client(keys[role]) as http:
            refused = http.request(method, path, json=body)
        assert refused.status_code == 403, (role, refused.text)
        assert needed in refused.json()["detail"]


def test_a_reviewer_never_reviews_their_own_proposal(api_server: Server, api_keys: Keys) -> None:
    own = _propose(api_server, api_keys.reviewer, [_label("own hound")])
    with api_server.client(api_keys.reviewer) as http:
        accept = http.post(f"/v1/proposals/{own['id']}/accept")
        reject = http.post(f"/v1/proposals/{own['id']}/reject", json={"reason": "mine"})
        still = http.get(f"/v1/proposals/{own['id']}").json()
    assert accept.status_code == 403
    assert reject.status_code == 403
    assert "another reviewer" in accept.json()["detail"]
    assert still["status"] == "open"


def test_a_revoked_key_stops_at_once(api_server: Server, api_db: str, api_keys: Keys) -> None:
    key, info = create_key(SqlStore.open(api_db), "orcid:0000-0002-0000-0009", "annotator")
    with api_server.client(key) as http:
        assert http.post("/v1/ids", json={"count": 1}).status_code == 201
        with api_server.client(api_keys.admin) as admin:
            listed = admin.get("/v1/keys").json()
            assert info.prefix in {k["prefix"] for k in listed}
            assert all(key not in str(k) for k in listed)  # never the key itself
            assert admin.delete(f"/v1/keys/{info.prefix}").status_code == 200
        refused = http.post("/v1/ids", json={"count": 1})
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_admins_make_keys_over_http(api_server: Server, api_keys: Keys) -> None:
    with api_server.client(api_keys.admin) as admin:
        made = admin.post("/v1/keys", json={"curie": "orcid:0000-0003-0000-0001", "role": "reviewer"}).json()
        bad = admin.post("/v1/keys", json={"curie": "not a curie", "role": "reviewer"})
    with api_server.client(made["key"]) as http:
        assert http.post("/v1/ids", json={"count": 2}).status_code == 201
    assert made["info"]["role"] == "reviewer"
    assert bad.status_code == 422


# ---- the review flow ------------------------------------------------------------------------------------------


def test_propose_review_release_diff(api_server: Server, api_keys: Keys) -> None:
    with api_server.client() as http:
        etag = _etag(http)
    with api_server.client(api_keys.annotator) as http:
        (new_id,) = http.post("/v1/ids", json={"count": 1}).json()["ids"]
        broken = http.post("/v1/proposals", json={"edits": [_label("x", concept="UTS:9999998")]})
    assert broken.status_code == 422
    assert broken.json()["problems"]  # refused at once, with every problem
    proposal = _propose(
        api_server, api_keys.annotator,
        [_label("doggo"), {"op": "add_concept", "concept_id": new_id, "label": "dog chorus", "broader": [DOG],
                            "facets": ["animal"], "domains": ["environmental"]}],
        if_match=etag,
    )  # fmt: skip
    assert proposal["author"] == ANNOTATOR
    assert proposal["base_revision"] == etag.strip('"')
    assert all(e["author"] == ANNOTATOR for e in proposal["edits"])
    with api_server.client(api_keys.reviewer) as http:
        accepted = http.post(
            f"/v1/proposals/{proposal['id']}/accept", json={"reason": "fine"}, headers={"If-Match": etag}
        )
        again = http.post(f"/v1/proposals/{proposal['id']}/accept", headers={"If-Match": etag})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["proposal"]["status"] == "accepted"
    assert set(accepted.json()["concepts"]) == {DOG, new_id}
    assert again.status_code == 409  # reviewed already
    with api_server.client() as http:
        dog = http.get(f"/v1/concepts/{DOG}")
        chorus = http.get("/v1/concepts/dog chorus").json()
    assert dog.headers["etag"] != etag
    assert "doggo" in [label["label"] for label in dog.json()["labels"]]
    change = dog.json()["history"][-1]
    assert change["edit"]["author"] == ANNOTATOR
    assert REVIEWER in change["edit"]["reason"]
    assert chorus["concept"]["id"] == new_id
    assert chorus["broader"][0]["id"] == DOG

    with api_server.client(api_keys.admin) as admin:
        versions = [r["version"] for r in admin.get("/v1/releases").json()]
        made = admin.post("/v1/releases", json={"version": "1.2.0", "notes": "dog chorus"})
        diff = admin.get("/v1/diff", params={"old": versions[-1], "new": "1.2.0"}).json()
        text = admin.get("/v1/diff", params={"old": versions[-1], "new": "1.2.0", "format": "text"}).text
    assert made.status_code == 201, made.text
    assert made.json()["created"] is True
    assert any(c["id"] == new_id and c["kind"] == "added" for c in diff["concepts"])
    assert "dog chorus" in text
    # The resolver picks up the new release by itself (every process asks the database for the newest).
    with api_server.client() as http:
        for _ in range(50):
            answer = http.post("/v1/resolve", json={"tags": [["dog chorus"]], "embed": False}).json()
            if answer["release"] == "1.2.0":
                break
            threading.Event().wait(0.2)
    assert answer["release"] == "1.2.0"
    assert answer["tags"][0]["tags"][0]["id"] == new_id


def test_a_stale_if_match_is_409_and_the_proposal_stays_open(api_server: Server, api_keys: Keys) -> None:
    with api_server.client() as http:
        stale = _etag(http)
    first = _propose(api_server, api_keys.annotator, [_label("stale hound one")], if_match=stale)
    second = _propose(api_server, api_keys.annotator, [_label("stale hound two")], if_match=stale)
    with api_server.client(api_keys.reviewer) as http:
        assert http.post(f"/v1/proposals/{first['id']}/accept", headers={"If-Match": stale}).status_code == 200
        conflict = http.post(f"/v1/proposals/{second['id']}/accept", headers={"If-Match": stale})
        by_default = http.post(f"/v1/proposals/{second['id']}/accept")  # its base revision is stale too
        bad = http.post(f"/v1/proposals/{second['id']}/accept", headers={"If-Match": "yesterday"})
        still = http.get(f"/v1/proposals/{second['id']}").json()
        fresh = _etag(http)
        retried = http.post(f"/v1/proposals/{second['id']}/accept", headers={"If-Match": fresh})
    assert conflict.status_code == 409
    assert by_default.status_code == 409
    assert "changed since you read it" in conflict.json()["detail"]
    assert bad.status_code == 422
    assert still["status"] == "open"
    assert retried.status_code == 200  # re-read, re-judged, accepted


def test_rejecting_needs_a_reason_and_is_final(api_server: Server, api_keys: Keys) -> None:
    proposal = _propose(api_server, api_keys.annotator, [_label("rejected hound")])
    with api_server.client(api_keys.reviewer2) as http:
        silent = http.post(f"/v1/proposals/{proposal['id']}/reject", json={"reason": " "})
        done = http.post(f"/v1/proposals/{proposal['id']}/reject", json={"reason": "not a dog word"})
        late = http.post(f"/v1/proposals/{proposal['id']}/accept")
        listed = http.get("/v1/proposals", params={"status": "rejected"}).json()
    assert silent.status_code == 422
    assert done.json()["status"] == "rejected"
    assert done.json()["reviewer"] == "orcid:0000-0001-0000-0003"
    assert late.status_code == 409
    assert proposal["id"] in [p["id"] for p in listed]


def test_fifty_concurrent_writers_on_one_concept_lose_nothing(api_server: Server, api_keys: Keys) -> None:
    """Each writer accepts its own proposal with the ETag it read; exactly one per revision wins, the others get
    409, re-read and retry: in the end every edit is in, once, each at its own revision."""
    writers = 50
    earlier = _propose(api_server, api_keys.annotator, [_label("hound before the crowd")])
    with api_server.client(api_keys.reviewer) as http:  # one edit of the concept older than the crowd's
        first = http.post(f"/v1/proposals/{earlier['id']}/accept", headers={"If-Match": _etag(http)})
    assert first.status_code == 200, first.text
    proposals = [_propose(api_server, api_keys.annotator, [_label(f"crowd hound {n}")]) for n in range(writers)]
    conflicts = [0] * writers

    def write(n: int) -> str:
        with api_server.client(api_keys.reviewer) as http:
            for _ in range(500):
                answer = http.post(f"/v1/proposals/{proposals[n]['id']}/accept", headers={"If-Match": _etag(http)})
                if answer.status_code == 200:
                    return str(answer.json()["revision"])
                assert answer.status_code == 409, answer.text
                conflicts[n] += 1
        raise AssertionError(f"writer {n} never got through")

    with ThreadPoolExecutor(writers) as pool:
        revisions = list(pool.map(write, range(writers)))
    assert len(set(revisions)) == writers  # one winner per revision
    assert sum(conflicts) > 0  # they did collide
    with api_server.client() as http:
        dog = http.get(f"/v1/concepts/{DOG}").json()
    labels = [label["label"] for label in dog["labels"]]
    assert all(labels.count(f"crowd hound {n}") == 1 for n in range(writers))
    assert len(dog["history"]) == 50  # the newest 50 (every one of them the crowd's) ...
    assert dog["history_total"] > writers  # ... of all the edits of the concept
    crowd = [c for c in dog["history"] if c["edit"]["op"] == "add_label" and "crowd hound" in c["edit"]["label"]]
    assert len(crowd) == writers
    assert sorted(c["revision"] for c in crowd) == sorted(revisions)
