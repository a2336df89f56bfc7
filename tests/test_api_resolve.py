"""POST /v1/resolve over HTTP: the library's answers, in its models; bounded requests; gaps mined from what the
resolver could not map, and a proposal made from one in a single call."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.api_server import ANNOTATOR, Keys, Server
from tests.conftest import needs_embed
from uts import load_ontology
from uts.resolve import Resolution, Resolver, type_adapter

pytestmark = [pytest.mark.slow, needs_embed]

TAGS = [["Hi-Fi", "drums", "no vocals", "glorpish thrum"], ["barking dogs", "accordian", "possibly rain"], []]
TEXTS = [
    "A dog barks twice, no music. Possibly a siren in the distance, with a wobbly zorbling.",
    "An upbeat electro-funk track with slap bass and a female vocalist singing over synth pads.",
]


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def test_answers_are_the_library_s_on_the_same_release(api_server: Server, uts_cache: object) -> None:
    library = Resolver(load_ontology(), level="1k")
    adapter = type_adapter(Resolution)
    with api_server.client() as http:
        answer = http.post("/v1/resolve", json={"tags": TAGS, "texts": TEXTS, "level": "1k"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["release"] == "1.1.1"
    assert body["level"] == "1k"
    expected_tags = [adapter.dump_python(library.resolve_tags(t), mode="json") for t in TAGS]
    expected_texts = [adapter.dump_python(r, mode="json") for r in library.resolve_texts(TEXTS)]
    assert _rounded(body["tags"]) == _rounded(expected_tags)
    assert _rounded(body["texts"]) == _rounded(expected_texts)
    empty = {"tags": [], "negated": [], "abstained": [], "below_min_score": 0, "beyond_top_k": 0, "imitated": []}
    assert body["tags"][2] == empty
    assert any(m["label"] == "music" for m in body["texts"][0]["negated"])  # "no music"


def test_the_tags_language_read_first_when_the_request_gives_it(api_server: Server) -> None:
    with api_server.client() as http:
        unknown = http.post("/v1/resolve", json={"tags": [["chat", "Hund"]]}).json()["tags"][0]["tags"]
        french = http.post("/v1/resolve", json={"tags": [["chat", "Hund"]], "lang": "fr"}).json()["tags"][0]["tags"]
        bad = http.post("/v1/resolve", json={"tags": [["chat"]], "lang": "xx"})
    assert [m["label"] for m in unknown] == ["conversation", "dog"]  # English 'chat' wins a tag of unknown language
    assert [(m["label"], m.get("lang")) for m in french] == [("cat", "fr"), ("dog", "de")]
    assert bad.status_code == 422, bad.text
    assert "no UTS label is in the language 'xx'" in bad.text


def test_options_top_k_threshold_and_no_rollup(api_server: Server) -> None:
    with api_server.client() as http:
        top = http.post("/v1/resolve", json={"texts": TEXTS[1:], "top_k": 2}).json()["texts"][0]
        strict = http.post("/v1/resolve", json={"tags": [["accordian"]], "threshold": 0.99}).json()["tags"][0]
        dropped = http.post("/v1/resolve", json={"tags": [["electro-funk"]], "level": "800", "rollup": False}).json()
    assert len(top["tags"]) == 2
    assert top["beyond_top_k"] > 0
    assert strict["tags"] == []
    assert strict["below_min_score"] == 1
    assert dropped["tags"][0]["tags"] == []
    assert "outside level 800" in dropped["tags"][0]["abstained"][0]["reason"]


def test_concurrent_requests_all_answer(api_server: Server) -> None:
    """Requests that need the encoder at the same time share its calls and all get their own answers."""
    words = [f"zq{n}x wobble{n}" for n in range(48)]

    def one(word: str) -> dict[str, Any]:
        with api_server.client() as http:
            response = http.post("/v1/resolve", json={"tags": [[word, "dog"]]})
            assert response.status_code == 200, response.text
            return dict(response.json()["tags"][0])

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(one, words))
    for word, answer in zip(words, answers, strict=True):
        assert [m["label"] for m in answer["tags"]][:1] == ["dog"] or any(m["label"] == "dog" for m in answer["tags"])
        texts = [m["text"] for m in answer["tags"]] + [a["text"] for a in answer["abstained"]]
        assert word in texts  # its own tag, not a neighbour's


def test_requests_are_bounded(api_server: Server) -> None:
    with api_server.client() as http:
        too_many = http.post("/v1/resolve", json={"texts": ["a dog"] * 257})
        long_list = http.post("/v1/resolve", json={"tags": [["dog"] * 65]})
        too_long = http.post("/v1/resolve", json={"texts": ["dog " * 5001]})
        too_big = http.post("/v1/resolve", json={"texts": ["dog " * 300_000]})
        chunked = http.post(
            "/v1/resolve",
            content=iter([b'{"texts": ["', b"dog " * 300_000, b'"]}']),
            headers={"content-type": "application/json"},
        )
    assert too_many.status_code == 413
    assert "at most 256" in too_many.json()["detail"]
    assert long_list.status_code == 413
    assert "at most 64" in long_list.json()["detail"]
    assert too_long.status_code == 422
    assert "20000" in too_long.json()["detail"]
    assert too_big.status_code == 413
    assert "bytes" in too_big.json()["detail"]
    assert chunked.status_code == 413
    assert "bytes" in chunked.json()["detail"]


def test_gaps_are_counted_and_become_proposals(api_server: Server, api_keys: Keys) -> None:
    with api_server.client() as http:
        for _ in range(3):
            assert http.post("/v1/resolve", json={"tags": [["Glorpish Thrum", "dog"]]}).status_code == 200
        http.post("/v1/resolve", json={"texts": ["a wobbly zorbling hums"]})
        gaps = http.get("/v1/gaps", params={"kind": "tag"}).json()
        phrases = http.get("/v1/gaps", params={"kind": "phrase"}).json()["gaps"]
        anonymous = http.post(
            "/v1/gaps/proposals", json={"kind": "tag", "text": "glorpish thrum", "action": "new_concept"}
        )
    gap = next(g for g in gaps["gaps"] if g["key"] == "glorpish thrum")
    assert gaps["release"] == "1.1.1"
    assert gap["count"] >= 3
    assert "Glorpish Thrum, dog" in gap["examples"]
    assert all(g["key"] != "dog" for g in gaps["gaps"])  # what resolved is no gap
    assert any("zorbling" in g["key"] for g in phrases)
    assert anonymous.status_code == 401
    with api_server.client(api_keys.annotator) as http:
        made = http.post(
            "/v1/gaps/proposals",
            json={"kind": "tag", "text": "glorpish thrum", "action": "new_concept", "facets": ["animal"]},
        )
        as_label = http.post(
            "/v1/gaps/proposals",
            json={"kind": "tag", "text": "Glorpish Thrum", "action": "add_label", "concept_id": "UTS:0000360"},
        )
        no_gap = http.post("/v1/gaps/proposals", json={"kind": "tag", "text": "never met", "action": "new_concept"})
        bad_id = http.post(
            "/v1/gaps/proposals",
            json={"kind": "tag", "text": "glorpish thrum", "action": "add_label", "concept_id": "dog"},
        )
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert proposal["author"] == ANNOTATOR
    assert proposal["status"] == "open"
    (edit,) = proposal["edits"]
    assert edit["op"] == "add_concept"
    assert edit["label"] == gap["text"]  # as first met
    assert edit["facets"] == ["animal"]
    assert "gap mining" in proposal["reason"]
    assert as_label.status_code == 201
    assert as_label.json()["edits"][0]["op"] == "add_label"
    assert no_gap.status_code == 404
    assert bad_id.status_code == 422  # a model's refusal is the client's error, with the field named
    assert bad_id.json()["problems"][0]["where"] == "concept_id"
