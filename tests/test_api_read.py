"""The HTTP API's read endpoints, over HTTP against a real `uts serve` process on a real SQLite file: what an
annotator's tool or a pipeline reads must agree with the library on the same release."""

from __future__ import annotations

import json

import pytest
import rdflib

from tests.api_server import Server
from uts import load_ontology
from uts.ontology.model import Status

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def uts():  # type: ignore[no-untyped-def]
    return load_ontology()


def test_health_ready_and_request_ids(api_server: Server) -> None:
    with api_server.client() as http:
        assert http.get("/healthz").json()["status"] == "ok"
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        given = http.get("/healthz", headers={"X-Request-ID": "pipeline-run-7.clip-12"})
        assert given.headers["x-request-id"] == "pipeline-run-7.clip-12"
        made = http.get("/healthz").headers["x-request-id"]
        assert len(made) == 32
        assert made != http.get("/healthz").headers["x-request-id"]
        no_cors = http.get("/healthz", headers={"Origin": "http://annotate.example.org"})
        assert "access-control-allow-origin" not in no_cors.headers  # CORS is off unless configured
        hostile = http.get("/healthz", headers={"X-Request-ID": "x" * 500})  # not echoed: a fresh one instead
        assert len(hostile.headers["x-request-id"]) == 32
    # One structured access-log line per request, with its ID.
    lines = [json.loads(line) for line in api_server.output().splitlines() if line.startswith("{")]
    assert any(r["request_id"] == "pipeline-run-7.clip-12" and r["path"] == "/healthz" for r in lines)


def test_openapi_carries_the_library_models_descriptions(api_server: Server) -> None:
    with api_server.client() as http:
        schema = http.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "Stable ID, never reused" in components["Concept"]["properties"]["id"]["description"]
    assert "rolled_up_from" in components["Match"]["properties"]
    assert "evidence" in components["Match"]["properties"]["text"]["description"]
    assert all(path.startswith(("/v1/", "/healthz", "/readyz")) for path in schema["paths"])


def test_concepts_filter_and_paginate_by_cursor(api_server: Server, uts) -> None:  # type: ignore[no-untyped-def]
    expected = sorted(c.id for c in uts.in_facet("animal") if "1k" in c.levels)
    seen: list[str] = []
    cursor = None
    with api_server.client() as http:
        while True:
            params = {"facet": "animal", "level": "1k", "limit": 7, **({"cursor": cursor} if cursor else {})}
            page = http.get("/v1/concepts", params=params).json()
            assert page["total"] == len(expected)
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        deprecated = http.get("/v1/concepts", params={"status": "deprecated", "limit": 1000}).json()
    assert seen == expected  # every concept once, in ID order, across pages
    assert {c["id"] for c in deprecated["items"]} == {
        c.id for c in uts.concepts.values() if c.status is Status.DEPRECATED
    }


def test_one_concept_by_id_by_any_label_and_deprecated_with_replacement(api_server: Server, uts) -> None:  # type: ignore[no-untyped-def]
    dog = uts.lookup("dog")
    with api_server.client() as http:
        by_id = http.get(f"/v1/concepts/{dog.id}")
        by_alt = http.get("/v1/concepts/poodle").json()  # a narrower term of dog
        old = next(c for c in uts.concepts.values() if c.status is Status.DEPRECATED and c.replaced_by)
        deprecated = http.get(f"/v1/concepts/{old.id}").json()
        missing = http.get("/v1/concepts/doggg")
    body = by_id.json()
    assert by_id.headers["etag"] == f'"{body["revision"]}"'
    assert body["concept"]["label"] == "dog"
    assert body["concept"]["definition"] == dog.definition
    assert [a["id"] for a in body["ancestors"]] == [a.id for a in uts.ancestors(dog.id)]
    assert {n["id"] for n in body["narrower"]} == {n.id for n in uts.narrower(dog.id)}
    assert ("poodle", "narrower") in {(lab["label"], lab["scope"]) for lab in body["labels"]}
    assert any(m["vocabulary"] == "audioset" and m["subject_id"] == "AudioSet:/m/0bt9lr" for m in body["mappings"])
    assert by_alt["concept"]["id"] == dog.id
    assert by_alt["matched_label"] == "poodle"
    assert deprecated["concept"]["status"] == "deprecated"
    assert deprecated["replacement"]["id"] == uts.current(old.id).id
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert "dog" in missing.json()["detail"]  # the suggestion


def test_search_and_autocomplete_say_which_label_matched(api_server: Server, uts) -> None:  # type: ignore[no-untyped-def]
    old = next(c for c in uts.concepts.values() if c.status is Status.DEPRECATED and c.replaced_by)
    with api_server.client() as http:
        prefix = http.get("/v1/autocomplete", params={"q": "accord"}).json()["hits"]
        typo = http.get("/v1/search", params={"q": "accordian"}).json()["hits"]
        narrower = http.get("/v1/search", params={"q": "poodle"}).json()["hits"]
        hidden = http.get("/v1/search", params={"q": old.label}).json()["hits"]
        shown = http.get("/v1/search", params={"q": old.label, "include_deprecated": True}).json()["hits"]
        by_facet = http.get("/v1/search", params={"q": "rock", "facet": "music-genre"}).json()["hits"]
        bad_facet = http.get("/v1/search", params={"q": "rock", "facet": "nope"})
    assert prefix[0]["label"] == "accordion"
    assert prefix[0]["how"] in ("exact", "prefix")
    assert typo[0]["label"] == "accordion"
    assert typo[0]["how"] == "fuzzy"
    assert narrower[0]["label"] == "dog"
    assert narrower[0]["matched"] == "poodle"
    assert narrower[0]["scope"] == "narrower"
    assert all(h["status"] == "active" for h in hidden)
    assert old.id not in {h["id"] for h in hidden}
    assert {"id": old.id, "replaced_by": old.replaced_by} in [
        {"id": h["id"], "replaced_by": h["replaced_by"]} for h in shown
    ]
    genres = uts.facet_and_subfacets("music-genre")
    assert by_facet
    assert all(genres.intersection(h["facets"]) for h in by_facet)
    assert bad_facet.status_code == 404
    assert "music-genre" in bad_facet.json()["detail"]


def test_labels_in_other_languages_are_served_with_their_language(api_server: Server, uts) -> None:  # type: ignore[no-untyped-def]
    dog = uts.lookup("dog")
    spanish = dog.pref_label("es")
    assert spanish is not None
    with api_server.client() as http:
        body = http.get(f"/v1/concepts/{dog.id}").json()
        by_label = http.get(f"/v1/concepts/{spanish}").json()
        found = http.get("/v1/search", params={"q": spanish}).json()["hits"]
        typed = http.get("/v1/autocomplete", params={"q": spanish[:-1]}).json()["hits"]
        resolved = http.post("/v1/resolve", json={"tags": [[spanish, "dog"]]}).json()
    labels = [(lab["label"], lab["scope"], lab["lang"]) for lab in body["labels"]]
    assert labels[0] == ("dog", "preferred", "en")
    assert (spanish, "preferred", "es") in labels
    assert {lang for _, _, lang in labels} >= {"en", "de", "es", "fr", "it", "ja", "pt", "ru", "zh"}
    assert {(s["label"], s["lang"]) for s in body["concept"]["synonyms"]} >= {(spanish, "es")}
    assert by_label["concept"]["id"] == dog.id
    assert by_label["matched_label"] == spanish
    assert (found[0]["id"], found[0]["matched"], found[0]["lang"], found[0]["how"]) == (dog.id, spanish, "es", "exact")
    assert dog.id in {h["id"] for h in typed}
    (match,) = resolved["tags"][0]["tags"]
    assert (match["id"], match["count"]) == (dog.id, 2)


def test_tree_facets_and_mappings(api_server: Server, uts) -> None:  # type: ignore[no-untyped-def]
    with api_server.client() as http:
        facets = {f["id"]: f for f in http.get("/v1/facets").json()}
        tree = http.get("/v1/tree/animal", params={"depth": 1}).json()
        sets = {s["vocabulary"]: s for s in http.get("/v1/mappings").json()}
        page = http.get("/v1/mappings/esc50", params={"limit": 10}).json()
        legacy = http.get("/v1/legacy/AudioSet:/m/09x0r").json()
        unknown = http.get("/v1/legacy/AudioSet:/m/nothing")
    assert facets["animal"]["concepts"] == len(uts.in_facet("animal"))
    assert tree["id"] == uts.facet("animal").root
    assert tree["children"]
    assert all(child["children"] == [] for child in tree["children"])  # depth 1
    assert set(sets) == set(uts.mappings)
    assert sets["esc50"]["rows"] == len(uts.mappings["esc50"].rows)
    assert len(page["rows"]) == 10
    assert page["next_cursor"] == 10
    assert legacy["mappings"][0]["concept"]["label"] == "speech"
    assert unknown.status_code == 404


def test_releases_artefacts_and_diff(api_server: Server) -> None:
    with api_server.client() as http:
        releases = http.get("/v1/releases").json()
        version = releases[-1]["version"]
        detail = http.get(f"/v1/releases/{version}").json()
        turtle = http.get(f"/v1/releases/{version}/artefacts/uts.ttl")
        labels = http.get(f"/v1/releases/{version}/artefacts/labels/label_800.json")
        escape = http.get(f"/v1/releases/{version}/artefacts/../../etc/passwd")
        diff = http.get("/v1/diff", params={"old": version, "new": "working"}).json()
        text = http.get("/v1/diff", params={"old": version, "new": version, "format": "markdown"})
        unknown = http.get("/v1/releases/9.9.9")
    assert {"uts.ttl", "uts.jsonld", "uts.owl", "uts.json", "labels/label_800.json"} <= set(detail["artefacts"])
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert len(graph) > 10_000
    assert len(labels.json()) >= 741
    assert escape.status_code == 404
    assert diff["old"] == version
    assert diff["concepts"] == []
    assert diff["labels"] == []
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/markdown")
    assert unknown.status_code == 404
    assert version in unknown.json()["detail"]


def test_bad_requests_get_problem_json_never_a_trace(api_server: Server) -> None:
    with api_server.client() as http:
        answers = [
            http.get("/v1/concepts", params={"limit": 0}),
            http.get("/v1/concepts", params={"level": "7k"}),
            http.get("/v1/search", params={"q": ""}),
            http.get("/v1/concepts/dog", params={"version": "0.0.1"}),
            http.post("/v1/resolve", content=b"{not json", headers={"content-type": "application/json"}),
            http.post("/v1/resolve", json={"tags": "dog"}),
            http.post("/v1/resolve", json={}),
            http.post("/v1/resolve", json={"texts": ["x"], "surprise": 1}),
        ]
    for answer in answers:
        assert answer.status_code in (404, 422), answer.text
        assert answer.headers["content-type"] == PROBLEM
        body = answer.json()
        assert body["detail"]
        assert body["request_id"] == answer.headers["x-request-id"]
        assert "Traceback" not in answer.text
        assert 'File "' not in answer.text
    validation = answers[1].json()
    assert validation["problems"]
    assert validation["problems"][0]["where"].endswith("level")
