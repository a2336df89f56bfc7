"""The annotators' web UI in a real browser: Debian's Chromium, driven by Playwright, against a real `uts serve`
over HTTP. Every page is also checked by axe-core (no serious or critical accessibility violations).

Set UTS_SCREENSHOTS_DIR to keep a screenshot of each main page there (docs/screenshots holds the README's).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_server import Keys, Server
from tests.conftest import REPO, needs_embed

CHROMIUM = os.environ.get("UTS_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("UTS_SCREENSHOTS_DIR")
MISSING = [what for what, ok in (("Chromium", Path(CHROMIUM).exists()), ("axe-core", AXE.exists())) if not ok]
try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the 'dev' extra brings it
    MISSING.append("playwright")

if MISSING and os.environ.get("UTS_REQUIRE_BROWSER"):
    raise RuntimeError(f"UTS_REQUIRE_BROWSER is set but {', '.join(MISSING)} is missing: run scripts/browser.sh")
pytestmark = [
    needs_embed,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} (scripts/browser.sh installs them)"),
]

# As root in a container Chromium needs --no-sandbox; the rest keep it off a network it does not have.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser, api_server: Server) -> Iterator[Page]:
    # bypass_csp: axe-core is injected as an inline script, which the pages' policy (rightly) refuses.
    context = browser.new_context(base_url=api_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(20_000)
    found = context.new_page()
    yield found
    context.close()


def accessible(page: Page) -> None:
    """axe-core's verdict on the page as it is now: no serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    described = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in bad]
    assert not bad, f"{page.url}: " + json.dumps(described, indent=1)


def snapshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=False)


def sign_in(page: Page, key: str) -> None:
    page.goto("/signin")
    page.fill("#key", key)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def concept_id(label: str) -> str:
    from uts import load_ontology

    return load_ontology().lookup(label).id


def test_search_autocomplete_concept_page_and_neighbourhood(page: Page) -> None:
    from uts import load_ontology

    ontology = load_ontology()
    page.goto("/")
    accessible(page)
    snapshot(page, "home")
    box = page.locator("#q")
    latencies = []
    typed = ""
    for letter in "guitar":
        typed += letter
        box.press(letter)
        expect(box).to_have_attribute("data-answered-for", typed)
        latencies.append(float(box.get_attribute("data-latency-ms") or "inf"))
    # Each keystroke answered (request, JSON, options drawn) within 100 ms, on the full vocabulary.
    assert max(latencies) < 100, latencies
    options = page.locator("#q-options [role=option]")
    expect(options.first).to_be_visible()
    assert "guitar" in options.first.inner_text()
    snapshot(page, "autocomplete")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "q-options-0")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/concepts/UTS:\d{7}$"))
    guitar = ontology.get(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text(guitar.label)
    # The neighbourhood: the concept, its parents above and its children below, each a link.
    drawing = page.locator("svg#neighbourhood")
    expect(drawing.locator("a.node.self")).to_have_count(1)
    expect(drawing.locator("a.node.parent")).to_have_count(min(7, len(guitar.broader)))
    children = ontology.narrower(guitar.id)
    assert children, "the test needs a concept with narrower concepts"
    expect(drawing.locator("a.node.child")).to_have_count(min(7, len(children)))
    accessible(page)
    snapshot(page, "concept")
    drawing.locator("a.node.child").first.click()
    page.wait_for_url(re.compile(r"/concepts/UTS:\d{7}$"))
    child = ontology.get(page.url.rsplit("/", 1)[1])
    assert guitar.id in child.broader
    expect(page.locator("svg#neighbourhood a.node.parent").filter(has_text=guitar.label[:20])).to_have_count(1)


def test_search_page_works_without_javascript(browser: Browser, api_server: Server) -> None:
    context = browser.new_context(base_url=api_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.fill("#q", "hifi")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=hifi"))
    first = page.locator("table.results tbody tr").first
    expect(first).to_contain_text("high-fidelity")
    expect(first).to_contain_text("hi-fi (alt")  # which label matched, and its kind
    first.locator("a").first.click()
    expect(page.locator("svg#neighbourhood")).to_be_visible()
    context.close()


def test_tree_browser_expands_and_shows_deprecated_on_request(page: Page) -> None:
    from uts import load_ontology

    ontology = load_ontology()
    facet = next(f for f in ontology.facets.values() if f.parent is None)
    page.goto(f"/tree/{facet.id}")
    tree = page.locator("ul.tree")
    closed = tree.locator("details:not([open])")
    assert closed.count() > 0
    page.click("button[data-tree=open]")
    expect(tree.locator("details:not([open])")).to_have_count(0)
    expect(tree.locator(".badge.level").first).to_be_visible()
    accessible(page)
    snapshot(page, "tree")
    page.click("button[data-tree=close]")
    expect(tree.locator("details[open]")).to_have_count(0)
    retired = [c for c in ontology.concepts.values() if c.status.value == "deprecated"]
    facet_with_retired = next(f for f in ontology.facets.values() if any(f.id in c.facets for c in retired))
    page.goto(f"/tree/{facet_with_retired.id}")
    expect(page.locator("a.deprecated")).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"Show the \d+ deprecated")).click()
    expect(page.locator("a.deprecated").first).to_be_visible()


def test_resolver_playground_marks_matches_negations_imitations_hedges_and_abstentions(page: Page) -> None:
    page.goto("/playground")
    page.fill(
        "#text", "A dog barks in the rain while a man mimics a goat; there is no music, possibly a siren far away."
    )
    page.fill("#tags", "dogs, hi_fi, zzqxv")
    page.select_option("#level", "1k")
    page.click("form.stack button[type=submit]")
    marked = page.locator("#marked")
    expect(marked.locator("mark.match").filter(has_text="dog")).to_have_count(1)
    expect(marked.locator("mark.negated").filter(has_text="music")).to_have_count(1)
    expect(marked.locator("mark.hedged").filter(has_text="siren")).to_have_count(1)
    expect(marked.locator("mark.imitated").filter(has_text="goat")).to_have_count(1)  # imitated, not heard
    title = marked.locator("mark.match").filter(has_text="dog").get_attribute("title") or ""
    assert re.search(r"dog · \w+ · [01]\.\d\d", title), title  # label, method and score on the mark
    tags = page.locator("section[aria-labelledby=tags-h]")
    expect(tags.locator("table.resolution")).to_contain_text("high-fidelity")
    expect(tags.locator("ul.abstained")).to_contain_text("zzqxv")
    accessible(page)
    snapshot(page, "playground")


def test_propose_review_release_and_diff(page: Page, api_keys: Keys) -> None:
    dog = concept_id("dog")
    page.goto(f"/concepts/{dog}")
    expect(page.get_by_role("link", name="Sign in")).to_have_count(2)  # header and the propose section
    sign_in(page, api_keys.annotator)
    page.goto(f"/concepts/{dog}")
    accessible(page)  # with the propose form
    page.select_option("#kind", "add_label")
    page.fill("#value", "doggo")
    page.select_option("#scope", "hidden")
    page.fill("#reason", "captioners write it for dogs")
    page.click("form.propose button[type=submit]")
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    expect(page.locator("#proposal-diff")).to_contain_text("+ doggo")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)  # an annotator does not review
    page.click("header form button")  # sign out

    sign_in(page, api_keys.reviewer)
    page.goto("/proposals")
    accessible(page)
    page.get_by_role("link", name=f"#{number}").click()
    accessible(page)
    snapshot(page, "review")
    page.fill("#accept-reason", "common in captions")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("h1 .badge")).to_have_text("accepted")
    page.goto(f"/concepts/{dog}")
    expect(page.locator("section[aria-labelledby=labels-h]")).to_contain_text("doggo")
    expect(page.locator("ol.history")).to_contain_text("add_label")
    page.click("header form button")

    sign_in(page, api_keys.admin)
    page.goto("/releases")
    page.fill("#version", "1.1.2")
    page.fill("#notes", "doggo")
    page.get_by_role("button", name="Release the working copy").click()
    page.wait_for_url(re.compile(r"/diff\?old=1\.1\.1&new=1\.1\.2"), timeout=120_000)  # a release writes every export
    expect(page.locator("main")).to_contain_text("doggo")
    accessible(page)
    snapshot(page, "diff")
    page.goto("/releases")
    expect(page.locator("table")).to_contain_text("1.1.1")


def test_gap_becomes_a_proposal(page: Page, api_server: Server, api_keys: Keys) -> None:
    with api_server.client() as client:
        answer = client.post("/v1/resolve", json={"tags": [["zorblewhump", "dog"]], "embed": False})
        assert answer.status_code == 200, answer.text
    sign_in(page, api_keys.annotator)
    page.goto("/gaps?kind=tag")
    row = page.locator("table.gaps tbody tr").filter(has_text="zorblewhump")
    expect(row).to_have_count(1)
    accessible(page)
    snapshot(page, "gaps")
    button = row.get_by_role("button", name="Propose as new concept")
    expect(button).to_have_accessible_description("zorblewhump")  # which gap it is, for a screen reader
    button.click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    expect(page.locator("main ol")).to_contain_text("add_concept")
    expect(page.locator("main ol")).to_contain_text("zorblewhump")


def test_a_gap_in_another_language_becomes_a_label_in_that_language(page: Page, api_server: Server,
                                                                    api_keys: Keys) -> None:  # fmt: skip
    with api_server.client() as client:
        answer = client.post("/v1/resolve", json={"tags": [["hundegewinsel-qx"]], "embed": False})
        assert answer.status_code == 200, answer.text
    sign_in(page, api_keys.annotator)
    page.goto("/gaps?kind=tag")
    row = page.locator("table.gaps tbody tr").filter(has_text="hundegewinsel-qx")
    accessible(page)
    snapshot(page, "gaps-language")
    row.get_by_label("Concept to add it to").fill("dog")  # it has a preferred German label, so an alt one can join
    row.get_by_label("Language of the label (en, de, es, ...)").fill("de")
    row.get_by_role("button", name="Add as label of…").click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    expect(page.locator("main ol")).to_contain_text("add_label")
    expect(page.locator("main ol")).to_contain_text("hundegewinsel-qx")
    expect(page.locator("main ol")).to_contain_text("lang: de")


def test_annotator_cannot_accept_through_the_ui_or_a_crafted_request(page: Page, api_server: Server,
                                                                      api_keys: Keys) -> None:  # fmt: skip
    with api_server.client(api_keys.annotator) as client:
        made = client.post("/v1/proposals", json={"edits": [
            {"op": "add_label", "concept_id": concept_id("rain"), "label": "drizzle-ish", "scope": "hidden"}
        ], "reason": "test"})  # fmt: skip
        assert made.status_code == 201, made.text
        number = made.json()["id"]
    sign_in(page, api_keys.annotator)
    page.goto(f"/proposals/{number}")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Only reviewers")
    # The annotator's own, valid form token (from the propose form of a concept page), on a request made by hand.
    page.goto(f"/concepts/{concept_id('rain')}")
    token = page.locator("form.propose input[name=csrf]").get_attribute("value")
    assert token
    crafted = page.request.post(f"/proposals/{number}/accept", form={"csrf": token, "reason": "sneaky"})
    assert crafted.status == 403, crafted.status
    assert "role reviewer" in crafted.text()
    forged = page.request.post(f"/proposals/{number}/accept", form={"csrf": "0" * 32, "reason": "sneaky"})
    assert forged.status == 401
    with httpx.Client(base_url=api_server.url) as anonymous:
        assert anonymous.post(f"/proposals/{number}/accept", data={"csrf": token}).status_code == 401
    with api_server.client() as client:
        assert client.get(f"/v1/proposals/{number}").json()["status"] == "open"


@pytest.mark.parametrize(
    "path",
    ["/tree", "/mappings", "/mappings/esc50", "/mappings/ucs?show=unmapped", "/mappings/audioset?show=broad-only", "/search?facet=sound-source",
     "/releases", "/signin", "/gaps", "/proposals?status=", "/concepts/UTS:9999999"],
)  # fmt: skip
def test_every_page_passes_the_accessibility_check(page: Page, path: str) -> None:
    page.goto(path)
    accessible(page)
    if path == "/mappings":
        snapshot(page, "mappings")


def test_new_concept_and_split_are_proposed_from_forms(page: Page, api_keys: Keys) -> None:
    sign_in(page, api_keys.annotator)
    page.goto("/propose")
    accessible(page)
    page.fill("#label", "whooshing-test")
    page.fill("#broader", "sound effect")
    page.check("input[name=domain][value=environmental]")
    page.fill("#definition", "A rushing sound made up for this test.")
    page.fill("#reason", "met in captions")
    page.click("form.propose button[type=submit]")
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    expect(page.locator("main ol")).to_contain_text("add_concept")
    expect(page.locator("#proposal-diff")).to_contain_text("whooshing-test")

    page.goto(f"/concepts/{concept_id('guitar')}")
    page.select_option("#kind", "split")
    page.fill("#value", "guitar one, guitar two")
    page.fill("#reason", "two senses")
    page.click("form.propose button[type=submit]")
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    edits = page.locator("main ol").first
    expect(edits.locator("li")).to_have_count(3)  # two new concepts, then the split
    expect(edits).to_contain_text("split")
    expect(page.locator("#proposal-diff")).to_contain_text("guitar one")
    accessible(page)
    # A split into fewer than two parts is refused with a message that says what to do.
    page.goto(f"/concepts/{concept_id('guitar')}")
    page.select_option("#kind", "split")
    page.fill("#value", "only one")
    page.fill("#reason", "x")
    page.click("form.propose button[type=submit]")
    expect(page.locator("p.error")).to_contain_text("at least two new concepts")


def test_reviewer_accepts_and_rejects_machine_mapping_suggestions(page: Page, api_server: Server,
                                                                  api_keys: Keys) -> None:  # fmt: skip
    def suggestion(label: str, concept: str) -> dict[str, Any]:
        return {"op": "add_mapping", "vocabulary": "esc50", "author": "utsteam:uts-suggest", "row": {
            "subject_id": f"ESC50:{label}", "subject_label": label, "predicate_id": "skos:closeMatch",
            "object_id": concept_id(concept), "mapping_justification": "semapv:SemanticSimilarityThresholdMatching",
            "confidence": 0.7, "author_id": "utsteam:uts-suggest", "mapping_date": "2026-12-01"}}  # fmt: skip

    with api_server.client(api_keys.annotator) as annotator, api_server.client(api_keys.reviewer) as reviewer:
        made = annotator.post(
            "/v1/proposals",
            json={
                "edits": [suggestion("test-hum", "hum"), suggestion("test-clank", "clank")],
                "reason": "machine suggestions",
            },
        )
        assert made.status_code == 201, made.text
        assert reviewer.post(f"/v1/proposals/{made.json()['id']}/accept").status_code == 200
    sign_in(page, api_keys.annotator)
    page.goto("/mappings/esc50?show=machine")
    expect(page.locator("table")).to_contain_text("test-hum")
    expect(page.get_by_role("button", name=re.compile("^Accept"))).to_have_count(0)  # annotators do not review
    page.click("header form button")
    sign_in(page, api_keys.reviewer)
    page.goto("/mappings/esc50?show=machine")
    accessible(page)
    page.get_by_role("button", name=re.compile("^Accept test-hum")).click()
    page.wait_for_url(re.compile(r"/mappings/esc50\?show=machine"))
    page.get_by_role("button", name=re.compile("^Reject test-clank")).click()
    page.wait_for_url(re.compile(r"/mappings/esc50\?show=machine"))
    expect(page.locator("table")).not_to_contain_text("test-hum")
    with api_server.client() as client:
        rows = {r["subject_id"]: r for r in client.get("/v1/mappings/esc50", params={"limit": 500}).json()["rows"]}
    assert rows["ESC50:test-hum"]["mapping_justification"] == "semapv:ManualMappingCuration"
    assert rows["ESC50:test-hum"]["author_id"] == "orcid:0000-0001-0000-0002"
    assert rows["ESC50:test-hum"]["predicate_modifier"] == ""
    assert rows["ESC50:test-clank"]["predicate_modifier"] == "Not"  # a curated "not a match"


def test_mapping_browser_shows_coverage_of_each_vocabulary(page: Page) -> None:
    from uts.settings import get_settings
    from uts.vocabularies import read_vocabulary

    classes = len(read_vocabulary("audioset", get_settings().data_dir).classes)
    page.goto("/mappings")
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name="audioset", exact=True))
    expect(row).to_contain_text(f"of {classes} (")
    row.get_by_role("link", name="audioset", exact=True).click()
    expect(page.locator("main")).to_contain_text(f"of {classes} classes mapped")
    page.get_by_role("link", name="only broad").click()
    expect(page.locator("tbody tr").first).to_contain_text("skos:broadMatch")


def test_the_script_runs_under_the_pages_content_security_policy(browser: Browser, api_server: Server) -> None:
    context = browser.new_context(base_url=api_server.url)  # the policy enforced, as for every visitor
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text
            else None)  # fmt: skip
    page.goto("/tree/sound-source")
    page.click("button[data-tree=open]")
    expect(page.locator("ul.tree details:not([open])")).to_have_count(0)
    page.goto("/")
    page.locator("#q").press_sequentially("dru")
    expect(page.locator("#q-options [role=option]").first).to_be_visible()
    assert violations == []
    context.close()
