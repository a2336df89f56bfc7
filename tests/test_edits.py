"""Edits as data, applied by one pure function: each operation, its refusals, and the rules after it."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from uts.ontology import Ontology, load_ontology
from uts.ontology.apply import EditError, apply_edits, try_apply
from uts.ontology.edits import (
    AddConcept,
    AddLabel,
    AddMapping,
    Deprecate,
    EditListAdapter,
    Merge,
    Move,
    RemoveLabel,
    RemoveMapping,
    ReviewMappings,
    SetField,
    Split,
)
from uts.ontology.mapping import MappingRow
from uts.ontology.model import LabelScope, Status

from .conftest import RESOURCES

A = "utsteam:tester"
DAY = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
DOG, BARK, HIFI, WOOF, ANIMAL, DRUM = (f"UTS:000000{i}" for i in range(1, 7))


@pytest.fixture(scope="module")
def tiny() -> Ontology:
    return load_ontology(RESOURCES / "tiny")


def problems_of(ontology: Ontology, *edits: object) -> str:
    applied, problems = try_apply(ontology, list(edits))  # type: ignore[arg-type]
    assert applied is None, "expected the edits to be refused"
    return "\n".join(str(p) for p in problems)


def row(subject: str, obj: str, modifier: str = "") -> MappingRow:
    return MappingRow(
        subject_id=subject,
        subject_label=subject.split(":")[1],
        predicate_id="skos:exactMatch",
        predicate_modifier=modifier,
        object_id=obj,
        mapping_justification="semapv:ManualMappingCuration",
        author_id="utsteam:curators",
        mapping_date="2026-12-01",
    )


def test_apply_is_pure(tiny: Ontology) -> None:
    before = dict(tiny.concepts)
    applied = apply_edits(tiny, [AddLabel(concept_id=DOG, label="hound", scope="alt", author=A)])
    assert applied.ontology.lookup("hound").id == DOG
    assert tiny.find("hound") is None
    assert dict(tiny.concepts) == before
    assert applied.changes[0].concepts == {DOG}


def test_ontology_is_read_only(tiny: Ontology) -> None:
    with pytest.raises(TypeError):
        tiny.concepts["UTS:0000099"] = tiny.get(DOG)  # type: ignore[index]
    with pytest.raises(AttributeError):
        tiny.paper = ()  # type: ignore[misc]


def test_rename_keeps_the_old_label_resolving(tiny: Ontology) -> None:
    new = apply_edits(tiny, [SetField(concept_id=DOG, field="label", value="domestic dog", author=A)]).ontology
    dog = new.get(DOG)
    assert dog.label == "domestic dog"
    assert "dog" in dog.alt_labels
    assert new.lookup("dog").id == DOG


def test_set_field_checks_values_and_old_value(tiny: Ontology) -> None:
    assert "domains" in problems_of(tiny, SetField(concept_id=DOG, field="domains", value=("noise",), author=A))
    text = problems_of(tiny, SetField(concept_id=DOG, field="definition", value="x", old="not this", author=A))
    assert "someone changed it in between" in text
    with pytest.raises(ValidationError, match="takes a list of strings"):
        SetField(concept_id=DOG, field="facets", value="sound-source", author=A)
    unknown_facet = problems_of(tiny, SetField(concept_id=DOG, field="facets", value=("no-such-facet",), author=A))
    assert "unknown facet 'no-such-facet'" in unknown_facet


def test_labels_added_and_removed(tiny: Ontology) -> None:
    assert "already a label of UTS:0000002" in problems_of(
        tiny, AddLabel(concept_id=BARK, label="barks", scope="alt", author=A)
    )
    clash = problems_of(tiny, AddLabel(concept_id=DRUM, label="Dog", scope="alt", author=A))
    assert "a label must name one concept" in clash
    assert "is the preferred label" in problems_of(tiny, RemoveLabel(concept_id=BARK, label="bark", author=A))
    # 'barks' is a published tag: removing it breaks the paper rule, and the problem says so.
    assert "is not a label of UTS:0000002" in problems_of(tiny, RemoveLabel(concept_id=BARK, label="barks", author=A))
    new = apply_edits(tiny, [RemoveLabel(concept_id=HIFI, label="hi-fi", author=A)]).ontology
    assert new.find("hi-fi") is None


def test_labels_in_other_languages(tiny: Ontology) -> None:
    new = apply_edits(
        tiny,
        [
            AddLabel(concept_id=BARK, label="aboiement", scope="pref", lang="fr", author=A),
            AddLabel(concept_id=BARK, label="aboiements", scope="hidden", lang="fr", author=A),
            AddLabel(concept_id=DOG, label="Dog", scope="alt", lang="de", author=A),  # German, and English 'dog'
        ],
    ).ontology
    bark = new.get(BARK)
    assert bark.pref_label("fr") == "aboiement"
    assert bark.languages == ("de", "es", "fr", "zh")
    assert new.lookup("aboiements").id == BARK
    assert new.labels.find("Dog").lang == "en"  # the same key in English and German: the English label speaks
    # The synonyms keep one order, English first, so a stored state equals the one built here.
    assert [s.lang for s in bark.synonyms] == sorted((s.lang for s in bark.synonyms), key=lambda x: (x != "en", x))
    assert "already a label of UTS:0000001" in problems_of(
        tiny, AddLabel(concept_id=DOG, label="perro", scope="alt", lang="es", author=A)
    )
    assert "has the preferred label 'perro' in es already" in problems_of(
        tiny, AddLabel(concept_id=DOG, label="can", scope="pref", lang="es", author=A)
    )
    assert "none is its preferred label there" in problems_of(
        tiny, AddLabel(concept_id=DOG, label="chien", scope="alt", lang="fr", author=A)
    )
    assert "UTS:0000001 (dog) has labels in es but none is its preferred label there" in problems_of(
        tiny, RemoveLabel(concept_id=DOG, label="perro", lang="es", author=A)
    )  # the Spanish plural 'perros' would stay without a preferred label
    hint = problems_of(tiny, RemoveLabel(concept_id=DOG, label="perro", author=A))
    assert "'perro' is not a label of UTS:0000001 (dog) (it is one in es: give that lang)" in hint
    swapped = apply_edits(
        tiny,
        [
            RemoveLabel(concept_id=DOG, label="perro", lang="es", author=A),
            AddLabel(concept_id=DOG, label="can", scope="pref", lang="es", author=A),
        ],
    ).ontology
    assert swapped.get(DOG).pref_label("es") == "can"
    with pytest.raises(ValidationError, match="scope 'pref' is for a label in another language"):
        AddLabel(concept_id=DOG, label="doggo", scope="pref", author=A)
    with pytest.raises(ValidationError, match="lang"):
        AddLabel(concept_id=DOG, label="perro", scope="alt", lang="Spanish", author=A)


def test_deprecating_a_concept_with_translations_needs_a_successor(tiny: Ontology) -> None:
    text = problems_of(tiny, Deprecate(concept_id=DOG, consider=(ANIMAL,), author=A))
    assert "UTS:0000001 (dog) has labels in de, es, zh, which a deprecated concept cannot keep" in text


def test_move_and_cycles(tiny: Ontology) -> None:
    new = apply_edits(tiny, [Move(concept_id=BARK, broader=(ANIMAL,), author=A)]).ontology
    assert new.get(BARK).broader == (ANIMAL,)
    assert "cycle" in problems_of(tiny, Move(concept_id=ANIMAL, broader=(BARK,), author=A))
    assert "names unknown concept UTS:0000099" in problems_of(
        tiny, Move(concept_id=BARK, broader=("UTS:0000099",), author=A)
    )
    assert "moved it in between" in problems_of(tiny, Move(concept_id=BARK, broader=(), old=(ANIMAL,), author=A))


def test_merge_moves_tags_labels_children_and_mappings(tiny: Ontology) -> None:
    new = apply_edits(tiny, [Merge(concept_id=DOG, into=ANIMAL, author=A, time=DAY)]).ontology
    assert new.get(DOG).status is Status.DEPRECATED
    assert new.current(DOG) == new.get(ANIMAL)
    assert [t.index for t in new.paper_tags_of(ANIMAL)] == [0]
    assert new.paper_tags_of(ANIMAL)[0].author == A
    assert new.paper_tags_of(ANIMAL)[0].date == "2026-12-01"
    assert new.get(ANIMAL).rank == 0
    assert new.get(BARK).broader == (ANIMAL,)
    assert {r.object_id for r in new.mappings["toy"].rows} == {ANIMAL, BARK}
    assert "into itself" in problems_of(tiny, Merge(concept_id=DOG, into=DOG, author=A))
    assert "root of facet 'instrument'" in problems_of(tiny, Merge(concept_id=DRUM, into=DOG, author=A))
    assert "is deprecated" in problems_of(tiny, Merge(concept_id=DOG, into=WOOF, author=A))


def test_merge_that_would_contradict_a_mapping_is_refused(tiny: Ontology) -> None:
    # TOY:barking says exactMatch bark and Not exactMatch dog: merging dog into bark makes them contradict.
    text = problems_of(tiny, Merge(concept_id=DOG, into=BARK, author=A))
    assert "contradicts" in text


def test_split_deprecates_with_consider_and_hands_over_to_the_heir(tiny: Ontology) -> None:
    edits = [
        AddConcept(concept_id="UTS:0000007", label="pet dog", facets=("sound-source",), broader=(DOG,), author=A),
        AddConcept(concept_id="UTS:0000008", label="wild dog", facets=("sound-source",), broader=(ANIMAL,), author=A),
        Split(concept_id=DOG, into=("UTS:0000007", "UTS:0000008"), author=A),
    ]
    new = apply_edits(tiny, edits).ontology
    dog = new.get(DOG)
    assert dog.status is Status.DEPRECATED
    assert dog.consider == ("UTS:0000007", "UTS:0000008")
    assert new.current(DOG) is None
    assert new.lookup("dog").id == "UTS:0000007"  # the heir holds the published tag and the labels
    assert [t.index for t in new.paper_tags_of("UTS:0000007")] == [0]
    assert "review" in new.paper_tags_of("UTS:0000007")[0].comment
    # Narrower concepts of the split one (bark, and the part placed under it) move up to its own broader concept.
    assert new.get(BARK).broader == (ANIMAL,)
    assert new.get("UTS:0000007").broader == (ANIMAL,)
    assert {r.object_id for r in new.mappings["toy"].rows if r.subject_id == "TOY:dog"} == {"UTS:0000007"}
    assert "cannot be one of its own parts" in problems_of(tiny, Split(concept_id=DOG, into=(DOG, BARK), author=A))
    assert "root of facet 'sound-event'" in problems_of(tiny, Split(concept_id=BARK, into=(DOG, ANIMAL), author=A))


def test_deprecate(tiny: Ontology) -> None:
    add = AddConcept(concept_id="UTS:0000007", label="yip", facets=("sound-event",), broader=(BARK,), author=A)
    new = apply_edits(tiny, [add, Deprecate(concept_id="UTS:0000007", replaced_by=BARK, author=A)]).ontology
    assert new.current("UTS:0000007") == new.get(BARK)
    assert new.lookup("yip").id == "UTS:0000007"  # its label still resolves, to the deprecated concept
    assert "published tags map to UTS:0000001" in problems_of(
        tiny, Deprecate(concept_id=DOG, replaced_by=ANIMAL, author=A)
    )
    no_successor = problems_of(tiny, Deprecate(concept_id=ANIMAL, consider=(DOG,), author=A))
    assert "root of facet 'sound-source'" in no_successor
    with pytest.raises(ValidationError, match="replaced_by"):
        Deprecate(concept_id=BARK, author=A)


def test_deprecating_a_mapped_concept_without_successor_is_refused(tiny: Ontology) -> None:
    edits = [
        AddConcept(concept_id="UTS:0000007", label="yip", facets=("sound-event",), author=A),
        AddMapping(vocabulary="toy", row=row("TOY:siren", "UTS:0000007"), author=A),
        Deprecate(concept_id="UTS:0000007", consider=(BARK,), author=A),
    ]
    assert "1 vocabulary mapping row(s) name UTS:0000007" in problems_of(tiny, *edits)


def test_mapping_edits(tiny: Ontology) -> None:
    new = apply_edits(tiny, [AddMapping(vocabulary="toy", row=row("TOY:drums", DRUM), author=A)]).ontology
    assert [r.subject_id for r in new.mappings["toy"].rows] == ["TOY:dog", "TOY:barking", "TOY:barking", "TOY:drums"]
    assert "already there" in problems_of(tiny, AddMapping(vocabulary="toy", row=row("TOY:dog", DOG), author=A))
    assert "no mapping set for vocabulary 'nope'" in problems_of(
        tiny, AddMapping(vocabulary="nope", row=row("TOY:dog", DOG), author=A)
    )
    gone = RemoveMapping(
        vocabulary="toy", subject_id="TOY:dog", predicate_id="skos:exactMatch", object_id=DOG, author=A
    )
    assert [r.subject_id for r in apply_edits(tiny, [gone]).ontology.mappings["toy"].rows] == ["TOY:barking"] * 2
    reviewed = ReviewMappings(vocabulary="toy", subject_id="TOY:barking", rows=(row("TOY:barking", BARK),), author=A)
    assert len(apply_edits(tiny, [reviewed]).ontology.mappings["toy"].rows) == 2
    contradiction = AddMapping(vocabulary="toy", row=row("TOY:dog", DOG, "Not"), author=A)
    assert "contradicts" in problems_of(tiny, contradiction)
    assert "is deprecated" in problems_of(tiny, AddMapping(vocabulary="toy", row=row("TOY:x", WOOF), author=A))


def test_every_problem_of_a_batch_is_reported(tiny: Ontology) -> None:
    with pytest.raises(EditError) as info:
        apply_edits(
            tiny,
            [
                AddLabel(concept_id="UTS:0000099", label="x", scope="alt", author=A),
                SetField(concept_id=WOOF, field="definition", value="x", author=A),
            ],
        )
    text = str(info.value)
    assert "edit 1 (add_label UTS:0000099): concept UTS:0000099 does not exist" in text
    assert "edit 2 (set_field UTS:0000004): concept UTS:0000004 (woof) is deprecated" in text


def test_edits_are_data(tiny: Ontology) -> None:
    edits = [
        AddLabel(concept_id=DOG, label="hound", scope=LabelScope.NARROWER, author=A, reason="captions say it"),
        Merge(concept_id=DOG, into=ANIMAL, author="orcid:0000-0002-1825-0097"),
    ]
    text = EditListAdapter.dump_json(edits)
    assert EditListAdapter.validate_json(text) == edits
    with pytest.raises(ValidationError, match="is not a CURIE"):
        AddLabel(concept_id=DOG, label="x", scope="alt", author="alice")
    with pytest.raises(ValidationError):
        EditListAdapter.validate_python([{"op": "teleport", "author": A}])


def test_current_follows_chains_and_survives_cycles(tiny: Ontology) -> None:
    chain = tiny.replace(
        concepts={
            **tiny.concepts,
            "UTS:0000007": tiny.get(WOOF).model_copy(update={"id": "UTS:0000007", "label": "arf", "replaced_by": WOOF}),
        }
    )
    assert chain.current("UTS:0000007") == chain.get(BARK)  # arf -> woof -> bark
    loop = tiny.replace(
        concepts={
            **tiny.concepts,
            WOOF: tiny.get(WOOF).model_copy(update={"replaced_by": "UTS:0000007"}),
            "UTS:0000007": tiny.get(WOOF).model_copy(update={"id": "UTS:0000007", "replaced_by": WOOF}),
        }
    )
    assert loop.current(WOOF) is None


def test_depth_is_the_longest_chain_in_a_polyhierarchy(tiny: Ontology) -> None:
    # drum sits under animal directly and under bark (under dog, under animal): the longest chain has 3 links.
    poly = apply_edits(tiny, [Move(concept_id=DRUM, broader=(ANIMAL, BARK), author=A)]).ontology
    assert poly.depth(DRUM) == 3
    assert poly.depth(ANIMAL) == 0
    assert poly.depth(DOG) == 1


def test_depth_in_the_release_is_the_longest_chain() -> None:
    uts = load_ontology()
    for concept in uts.active():
        expected = 1 + max((uts.depth(p) for p in concept.broader), default=-1)
        assert uts.depth(concept.id) == expected, concept.id
