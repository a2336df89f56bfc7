"""The Ontology API on the tiny fixture: lookup, levels, graph."""

from __future__ import annotations

import pytest

from uts import Level, Ontology, UnknownConceptError, UnknownTagError, load_ontology, normalise

from .conftest import RESOURCES


@pytest.fixture(scope="module")
def tiny() -> Ontology:
    return load_ontology(RESOURCES / "tiny")


def test_normalise_folds_case_and_separators() -> None:
    assert normalise("High_Fidelity") == normalise("high-fidelity") == normalise("high fidelity") == "highfidelity"
    assert normalise("Ｄｒｕｍ") == "drum"  # NFKC folds full-width letters
    assert normalise("drum") != normalise("drums")


def test_lookup_by_any_label(tiny: Ontology) -> None:
    assert tiny.lookup("BARKS").id == "UTS:0000002"
    assert tiny.lookup("hi fi").id == "UTS:0000003"
    assert tiny.find("cat") is None


def test_deprecated_labels_still_resolve(tiny: Ontology) -> None:
    woof = tiny.lookup("woof")
    assert woof.status.value == "deprecated"
    assert woof.replaced_by == "UTS:0000002"
    current = tiny.current(woof.id)
    assert current is not None
    assert current.label == "bark"  # the label of a deprecated concept leads to its active successor
    hit = tiny.labels.find("WOOF")
    assert hit is not None
    assert (hit.concept_id, hit.current) == ("UTS:0000004", "UTS:0000002")


def test_unknown_lookups_raise_typed_errors(tiny: Ontology) -> None:
    with pytest.raises(UnknownTagError, match="did you mean 'bark'") as info:
        tiny.lookup("barkk")
    assert info.value.suggestions[0] == "bark"
    with pytest.raises(UnknownConceptError, match="UTS:0000999"):
        tiny.get("UTS:0000999")
    assert isinstance(info.value, KeyError)


def test_levels_and_rank(tiny: Ontology) -> None:
    assert [c.label for c in tiny.in_level(Level.L800)] == ["dog", "bark", "high-fidelity", "drum"]
    assert tiny.lookup("drum").rank == 4
    assert tiny.lookup("animal").levels == ()
    assert [t.tag for t in tiny.level_tags(Level.L1K)][4:6] == ["drums", "drum"]
    assert [t.tag for t in tiny.level_tags(Level.L800)][4:6] == ["drum", "drums"]


def test_graph(tiny: Ontology) -> None:
    assert [c.label for c in tiny.ancestors("UTS:0000002")] == ["dog", "animal"]
    assert [c.label for c in tiny.descendants("UTS:0000005")] == ["dog", "bark"]
    assert [c.label for c in tiny.narrower("UTS:0000001")] == ["bark"]
    with pytest.raises(UnknownConceptError):
        tiny.ancestors("UTS:0000099")


def test_level_parse_errors() -> None:
    assert Level.parse("1.5K") is Level.L1_5K
    with pytest.raises(ValueError, match=r"choose one of 800, 1k, 1\.5k, 2k, 3k"):
        Level.parse("5k")
