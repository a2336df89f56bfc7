"""QC thresholds on the tiny fixture and on the bundled release, and the views built on the facet scheme."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from uts.ontology import Level, Ontology, load_ontology
from uts.ontology.qc import run_qc
from uts.ontology.tree import facet_tree

from .conftest import REPO, RESOURCES


@pytest.fixture(scope="module")
def bundled() -> Ontology:
    return load_ontology()


def test_tiny_qc_lists_what_is_missing() -> None:
    report = run_qc(load_ontology(RESOURCES / "tiny"))
    assert report.active == 5
    assert report.without_facet == []
    # high-fidelity is an aspect root, drum is the instrument root; bark sits under dog under animal.
    assert report.orphans == ["UTS:0000006"]
    assert report.per_facet == {"audio-trait": 1, "instrument": 1, "sound-event": 1, "sound-source": 2}
    names = {c.name: c.passed for c in report.checks}
    assert names["no broader cycles"]
    assert not report.passed  # drum has no broader: below the 95% threshold


def test_qc_counts_preferred_labels_per_language_at_level_800() -> None:
    report = run_qc(load_ontology(RESOURCES / "tiny"))
    # dog, bark, high-fidelity and drum are the level-800 concepts; German lacks high-fidelity.
    assert report.preferred_labels == {"de": 3, "es": 4, "fr": 0, "it": 0, "ja": 0, "pt": 0, "ru": 0, "zh": 4}
    check = next(c for c in report.checks if c.name.startswith("every level-800 concept has a preferred label"))
    assert not check.passed
    assert check.detail.startswith("de: 1 without, fr: 4 without")
    assert report.shadowed_labels == []


def test_tree_of_a_facet() -> None:
    tiny = load_ontology(RESOURCES / "tiny")
    node = facet_tree(tiny, "sound-source")
    assert node.concept.label == "animal"
    assert [c.concept.label for c in node.children] == ["dog"]
    assert node.size() == 3


def test_bundled_release_passes_qc(bundled: Ontology) -> None:
    from uts.ontology.twins import read_reviewed

    report = run_qc(bundled, [r.ids for r in read_reviewed(REPO)])
    failed = [f"{c.name}: {c.detail}" for c in report.checks if not c.passed]
    assert failed == []
    assert report.placed_ratio >= 0.95


@pytest.mark.parametrize(
    ("tag", "ancestors"),
    [
        ("guitar", {"string instrument", "instruments"}),
        ("bark", {"dog sound", "animal sound"}),
        ("male", {"speaker gender", "speaker trait"}),
        ("lo-fi", {"recording quality"}),
        ("jazz", {"genre"}),
        ("violin", {"bowed string instrument", "instruments"}),
        ("techno", {"electronic", "genre"}),
    ],
)
def test_spot_checks(bundled: Ontology, tag: str, ancestors: set[str]) -> None:
    found = {c.label for c in bundled.ancestors(bundled.lookup(tag).id)}
    assert ancestors <= found, f"{tag}: ancestors are {sorted(found)}"


def test_every_facet_root_is_the_top_of_its_tree(bundled: Ontology) -> None:
    for facet in bundled.facets.values():
        root = bundled.get(facet.root)
        if facet.is_aspect:
            assert root.broader == (), facet.id
        else:
            parent_root = bundled.facets[facet.parent or ""].root
            assert parent_root in {c.id for c in bundled.ancestors(root.id)}, facet.id


def test_facet_label_export(tmp_path: Path, bundled: Ontology) -> None:
    out = tmp_path / "genres.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uts",
            "export",
            "--format",
            "labels",
            "--level",
            "800",
            "--facet",
            "music-genre",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    labels = json.loads(out.read_text())
    genres = {c.id for c in bundled.in_facet("music-genre")}
    ids = json.loads((tmp_path / "genres.concepts.json").read_text())
    assert set(ids.values()) <= genres
    assert "jazz" in labels.values()
    assert "guitar" not in labels.values()
    expected = [c.id for c in bundled.in_level(Level.L800) if c.id in genres and c.origin.value == "paper"]
    assert list(ids.values()) == expected
