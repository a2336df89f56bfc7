"""The web UI's pages without a browser: each answers HTML with the API's data, refusals are pages that say
what to do, and UTS_API_UI=false leaves the API alone."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from uts_api.app import create_app
from uts_api.settings import ApiSettings

from tests.api_server import Keys


def client(db_url: str, **settings: object) -> TestClient:
    from uts.store.sql import SqlStore

    store = SqlStore.open(db_url)
    return TestClient(create_app(store, ApiSettings(db_url=db_url, warm=False, embed=False, **settings)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ui(api_db: str) -> Iterator[TestClient]:
    with client(api_db) as found:
        yield found


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "active concepts"),
        ("/search?q=hifi", "high-fidelity"),
        ("/search?level=800&domain=music", "guitar"),
        ("/tree", "Browse by facet"),
        ("/concepts/guitar", "UTS:0000009"),
        ("/concepts/guitar", '<td lang="es">guitarra</td><td>preferred</td><td>es</td>'),
        ("/search?q=guitarra", '<span lang="es">guitarra</span> <span class="muted">(es preferred, exact)</span>'),
        ("/mappings/esc50", "ESC50:dog"),
        ("/releases", "1.1.1"),
        ("/diff?old=1.1.1", "no changes"),
        ("/playground?tags=drums,hi-fi", "drum"),
        ("/proposals", "Proposals"),
        ("/propose", "Sign in"),
    ],
)
def test_pages_answer_html_with_the_release(ui: TestClient, path: str, expected: str) -> None:
    answer = ui.get(path)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    assert expected in answer.text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/concepts/UTS:9999999", 404, "no UTS concept has the ID"),
        ("/tree/no-such-facet", 404, "facet"),
        ("/mappings/nope", 404, "the mapping sets are"),
        ("/diff?old=9.9.9", 404, "9.9.9"),
    ],
)
def test_refusals_are_pages_that_say_what_to_do(ui: TestClient, path: str, status: int, message: str) -> None:
    answer = ui.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert message in answer.text


def test_form_posts_need_a_key_and_the_form_token(ui: TestClient) -> None:
    refused = ui.post("/concepts/UTS:0000009/proposals", data={"csrf": "x", "kind": "add_label", "value": "v",
                                                               "reason": "r"})  # fmt: skip
    assert refused.status_code == 401
    assert "sign in" in refused.text
    bad_key = ui.post("/signin", data={"key": "uts_00000000_nope"}, follow_redirects=False)
    assert bad_key.status_code == 401


def test_the_ui_can_be_turned_off(api_db: str) -> None:
    with client(api_db, ui=False) as off:
        assert off.get("/").status_code == 404
        assert off.get("/v1/concepts/guitar").status_code == 200


def test_a_bad_choice_is_refused_with_the_choices(ui: TestClient) -> None:
    answer = ui.get("/search?level=900")
    assert answer.status_code == 422
    assert "'900' is no level; choose one of 800, 1k, 1.5k, 2k, 3k" in answer.text.replace("&#39;", "'")


def test_sign_in_returns_only_to_a_page_of_this_site(ui: TestClient, api_keys: Keys) -> None:
    for target, expected in (("/gaps", "/gaps"), ("https://example.org/", "/proposals"), ("//evil", "/proposals")):
        answer = ui.post("/signin", params={"next": target}, data={"key": api_keys.annotator}, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == expected
        assert "httponly" in answer.headers["set-cookie"].lower()
        assert "samesite=strict" in answer.headers["set-cookie"].lower()
    ui.cookies.clear()  # the module's other tests start signed out


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("definition", "A new definition.", {"op": "set_field", "field": "definition", "value": "A new definition."}),
        ("comment", "Use it for X.", {"op": "set_field", "field": "comment"}),
        ("add_label", "chitarra elettrica a sei corde", {"op": "add_label", "scope": "alt", "lang": "it"}),
        ("move", "string instrument", {"op": "move"}),
        ("merge", "bass guitar", {"op": "merge"}),
        ("deprecate", "bass guitar", {"op": "deprecate"}),
    ],
)
def test_each_change_of_a_concept_page_becomes_its_typed_edit(
    api_db: str, api_keys: Keys, kind: str, value: str, expected: dict[str, object]
) -> None:
    import re

    from uts import load_ontology

    ontology = load_ontology()
    guitar = ontology.lookup("electric guitar").id
    if kind == "deprecate":  # a concept no published tag maps to (else the rule asks for a merge, below)
        guitar = next(c.id for c in ontology.active() if not ontology.paper_tags_of(c.id) and c.broader
                      and not ontology.narrower(c.id))  # fmt: skip
    with client(api_db) as ui:
        ui.post("/signin", data={"key": api_keys.annotator})
        page = ui.get(f"/concepts/{guitar}").text
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert token is not None
        form = {"csrf": token[1], "kind": kind, "value": value, "reason": "test"}
        if kind == "add_label" and "lang" in expected:
            form["lang"] = str(expected["lang"])
        made = ui.post(f"/concepts/{guitar}/proposals", follow_redirects=False, data=form)
        assert made.status_code == 303, made.text[made.text.find("<main") :]
        number = made.headers["location"].rsplit("/", 1)[1]
        (edit,) = ui.get(f"/v1/proposals/{number}").json()["edits"]
    assert {k: edit[k] for k in expected} == expected
    if kind == "move":
        assert edit["broader"] == [ontology.lookup("string instrument").id]
    if kind in ("merge", "deprecate"):
        assert ontology.lookup("bass guitar").id in (edit.get("into"), edit.get("replaced_by"))


def test_a_change_the_rules_refuse_is_a_page_with_the_fix(ui: TestClient, api_keys: Keys) -> None:
    import re

    from uts import load_ontology

    guitar = load_ontology().lookup("electric guitar").id
    ui.post("/signin", data={"key": api_keys.annotator})
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', ui.get(f"/concepts/{guitar}").text)
    assert token is not None
    refused = ui.post(f"/concepts/{guitar}/proposals",
                      data={"csrf": token[1], "kind": "deprecate", "value": "guitar", "reason": "test"})  # fmt: skip
    assert refused.status_code == 422
    assert "published tags map to" in refused.text
    assert "Fix: merge it into its replacement" in refused.text
    assert refused.text.count("published tags map to") == 1  # said once, not again as a list of one
    ui.post("/signout")


def test_a_bad_query_or_form_on_a_page_is_a_page(ui: TestClient) -> None:
    page = ui.get("/proposals/abc")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "proposal_id" in page.text
    api = ui.get("/v1/proposals/abc")
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")


def test_every_neighbourhood_drawing_fits_and_no_boxes_overlap() -> None:
    from uts_api.ui.neighbourhood import WIDTH, Node, neighbourhood

    from uts import load_ontology

    ontology = load_ontology()
    for concept in ontology.concepts.values():
        drawing = neighbourhood(ontology, concept.id)
        rows: dict[float, list[Node]] = {}
        for node in drawing.nodes:
            assert node.x >= 0, (concept.id, node)
            assert node.x + node.width <= WIDTH + 0.01, (concept.id, node)
            rows.setdefault(node.y, []).append(node)
        for nodes in rows.values():
            for a, b in itertools.pairwise(sorted(nodes, key=lambda n: n.x)):
                assert a.x + a.width <= b.x + 0.01, (concept.id, a, b)
        assert sum(n.role == "self" for n in drawing.nodes) == 1


def test_form_edge_cases_are_refusals_not_errors(ui: TestClient, api_keys: Keys) -> None:
    import re

    ui.post("/signin", data={"key": api_keys.admin})
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', ui.get("/releases").text)
    assert token is not None
    # Non-ASCII in a form token: refused (401), never a 500.
    odd = ui.post("/concepts/UTS:0000009/proposals", data={"csrf": "é", "kind": "add_label", "reason": "r"})
    assert odd.status_code == 401
    # A release of a working copy that has not changed is refused, with why.
    same = ui.post("/releases", data={"csrf": token[1], "version": "9.0.0"})
    assert same.status_code == 422
    assert "nothing changed since release" in same.text
    # Signing out needs the page's token (another site cannot sign you out); with it, the cookie goes.
    assert ui.post("/signout", data={"csrf": "0" * 32}).status_code == 401
    done = ui.post("/signout", data={"csrf": token[1]}, follow_redirects=False)
    assert done.status_code == 303
    assert 'uts_key=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    ui.cookies.clear()


def test_pages_carry_a_content_security_policy_and_signed_in_pages_are_not_cached(
    ui: TestClient, api_keys: Keys
) -> None:
    page = ui.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "no-store" not in page.headers.get("cache-control", "")
    ui.post("/signin", data={"key": api_keys.annotator})
    assert ui.get("/").headers["cache-control"] == "no-store"
    ui.cookies.clear()


def test_the_playground_marks_an_imitated_source_apart(ui: TestClient) -> None:
    """'A man mimics a goat bleating': the goat is imitated (its own mark and row), never a tag."""
    answer = ui.get("/playground", params={"text": "A man mimics a goat bleating while rain falls."})
    assert answer.status_code == 200, answer.text[:500]
    marked = answer.text.split('id="marked"', 1)[1].split("</p>", 1)[0]
    assert '<mark class="imitated"' in marked
    assert 'class="imitated"><td><a href="/concepts/' in answer.text
    assert '<mark class="match"' in marked  # the rain is heard


def test_the_playground_shows_every_concept_of_a_multiword_tag(ui: TestClient) -> None:
    """'soft female vocal': vocal, then female and soft, each with its words marked in the tag and its head named."""
    answer = ui.get("/playground", params={"tags": "soft female vocal, dog"})
    assert answer.status_code == 200, answer.text[:500]
    rows = answer.text.split('id="tags-h"', 1)[1]
    assert "soft female <b>vocal</b>" in rows
    assert "<b>soft</b> female vocal" in rows
    assert rows.count("modifies vocal") == 2
    assert rows.index(">vocal</a>") < rows.index(">female</a>") < rows.index(">quiet</a>")  # soft: merged into quiet
    assert "<b>dog</b>" not in rows  # a one-word tag is all evidence: nothing to mark
