"""The curation checks of issue 16: twin candidates and their review, alike sibling definitions, flat groups,
definitions naming a sibling, narrower terms that name objects; and uts qc over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from uts.errors import SourceError
from uts.ontology import Ontology
from uts.ontology import twins as tw
from uts.ontology.model import Concept, LabelScope, OntologyMetadata, Synonym
from uts.ontology.qc import run_qc

META = OntologyMetadata(title="twins", version="0", base_iri="https://example.org/", license="CC0-1.0")


def concept(n: int, label: str, *broader: int, facet: str = "timbre", definition: str = "", **extra: object) -> Concept:
    return Concept.model_validate(
        {"id": f"UTS:{n:07d}", "label": label, "facets": (facet,), "broader": tuple(f"UTS:{b:07d}" for b in broader),
         "definition": definition, **extra}
    )  # fmt: skip


@pytest.fixture(scope="module")
def onto() -> Ontology:
    concepts = [
        concept(1, "sound quality", definition="How a sound is."),
        concept(2, "repeated", 1, definition="Heard again and again."),
        concept(3, "repeating", 1, definition="Coming back at intervals."),
        concept(4, "drums", 1, facet="instrument", definition="Percussion instruments struck with sticks."),
        concept(5, "snare", 4, facet="instrument", definition="A drum with wires under its lower head."),
        concept(6, "snare drum", 4, facet="instrument", definition="Wires across the bottom head give a crack."),
        concept(7, "faint hiss", 1, definition="A low-level steady broadband hiss in the background of a recording"),
        concept(8, "background hiss", 1, definition="A low level, steady broadband hiss in the background of recordings"),
        concept(9, "guitar", 4, facet="instrument", definition="A fretted string instrument."),
        concept(10, "guitar solo", 9, facet="instrument", definition="A passage where the guitar leads alone."),
        concept(11, "negative", 1, comment="Same sense as 'sorrowful'.", definition="Unpleasant in feeling."),
        concept(12, "sorrowful", 1, definition="Full of sorrow, heard as a sad voice or music."),
        concept(13, "material", facet="material", definition="What a sounding thing is made of."),
        concept(14, "plastic", 13, facet="material", definition="Plastic as a sounding material.",
                synonyms=(Synonym(label="plastic cup", scope=LabelScope.NARROWER),
                          Synonym(label="polystyrene", scope=LabelScope.NARROWER))),
        concept(15, "vivace", 1, definition="A lively, fast tempo, quicker than allegro; a kind of high tempo."),
        concept(16, "high tempo", 1, definition="Fast in speed, with many beats per minute."),
    ]  # fmt: skip
    return Ontology(metadata=META, concepts={c.id: c for c in concepts})


def ids(*numbers: int) -> tuple[str, ...]:
    return tuple(f"UTS:{n:07d}" for n in numbers)


def test_each_rule_finds_its_twins_and_only_them(onto: Ontology) -> None:
    pairs = tw.twin_pairs(onto)
    assert ids(2, 3) in pairs  # one stem
    assert ids(5, 6) in pairs  # "snare drum" is snare plus the name of its kind (drums)
    assert ids(7, 8) in pairs  # alike sibling definitions
    assert ids(11, 12) in pairs  # the scope note says it means the other
    assert ids(9, 10) not in pairs  # "solo" names no kind of guitar: a guitar solo is no guitar


def test_twin_sets_join_pairs_and_a_review_hides_them(onto: Ontology) -> None:
    pairs = tw.twin_pairs(onto)
    sets = tw.twin_sets(pairs)
    assert ids(2, 3) in [s.ids for s in sets]
    left = tw.unreviewed(pairs, [frozenset(ids(2, 3))])
    assert ids(2, 3) not in left
    assert ids(5, 6) in left


def test_qc_fails_on_open_twins_alike_definitions_and_passes_once_reviewed(onto: Ontology) -> None:
    report = run_qc(onto)
    checks = {c.name.split(" (")[0]: c.passed for c in report.checks}
    assert not checks["no twin candidates left unreviewed"]
    assert not checks["no two sibling definitions are 90% alike or more"]
    assert report.sibling_definitions == ["UTS:0000007 (faint hiss) / UTS:0000008 (background hiss): 91%"]
    everything = [frozenset(s.ids) for s in tw.twin_sets(tw.twin_pairs(onto))]
    checks = {c.name.split(" (")[0]: c.passed for c in run_qc(onto, everything).checks}
    assert checks["no twin candidates left unreviewed"]


def test_flat_groups_and_definitions_that_name_a_sibling(onto: Ontology) -> None:
    assert tw.flat_groups(onto, limit=7) == [("UTS:0000001", 8, 9)]  # drums has children: no leaf
    assert tw.flat_groups(onto) == []
    assert ("UTS:0000015", "UTS:0000016", "UTS:0000001") in tw.better_parents(onto)  # vivace names high tempo


def test_a_narrower_term_of_a_material_must_name_a_kind_of_it(onto: Ontology) -> None:
    assert tw.object_narrower_terms(onto) == [("UTS:0000014", "plastic cup")]


def test_reviewed_file_round_trip_and_errors(tmp_path: Path, onto: Ontology) -> None:
    path = tw.reviewed_path(tmp_path)
    path.parent.mkdir(parents=True)
    assert tw.read_reviewed(tmp_path) == []  # no file: nothing reviewed yet
    path.write_text(
        "ids\tlabels\tdecision\treason\nUTS:0000003|UTS:0000002\t\tkept-apart\tone is a state, one a process\n",
        encoding="utf-8",
    )
    found = tw.read_reviewed(tmp_path)
    assert [r.ids for r in found] == [frozenset(ids(2, 3))]
    assert tw.format_reviewed(onto, found).splitlines()[1] == (
        "UTS:0000002|UTS:0000003\trepeated|repeating\tkept-apart\tone is a state, one a process"
    )
    path.write_text("ids\tlabels\tdecision\treason\nUTS:0000002\t\tkept-apart\t\n", encoding="utf-8")
    with pytest.raises(SourceError, match="two or more ids"):
        tw.read_reviewed(tmp_path)


def test_stems_are_snowball_stems() -> None:
    assert tw.stems("Repeating_Drums") == ("repeat", "drum")
    assert tw.stem("repetition") == tw.stem("repetitive")
