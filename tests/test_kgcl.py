"""KGCL text in and out, through the kgcl-schema package, for the edits both languages have."""

from __future__ import annotations

import pytest

from uts.ontology import Ontology, load_ontology
from uts.ontology.apply import apply_edits
from uts.ontology.edits import AddConcept, AddLabel, Deprecate, Merge, Move, RemoveLabel, SetField
from uts.ontology.kgcl import KgclError, from_kgcl, to_kgcl

from .conftest import RESOURCES

pytest.importorskip("kgcl_schema", reason="KGCL needs the 'kgcl' extra (kgcl-schema)")

A = "utsteam:tester"


@pytest.fixture(scope="module")
def tiny() -> Ontology:
    return load_ontology(RESOURCES / "tiny")


def test_edits_round_trip_through_kgcl(tiny: Ontology) -> None:
    edits = [
        AddConcept(
            concept_id="UTS:0000007", label="yip", broader=("UTS:0000005",), definition="A short bark.", author=A
        ),
        SetField(concept_id="UTS:0000001", field="label", value="domestic dog", author=A),
        SetField(concept_id="UTS:0000002", field="definition", value="A dog cry.", author=A),
        AddLabel(concept_id="UTS:0000002", label="woofing", scope="alt", author=A),
        AddLabel(concept_id="UTS:0000001", label="poodle", scope="narrower", author=A),
        RemoveLabel(concept_id="UTS:0000003", label="hi-fi", author=A),
        AddLabel(concept_id="UTS:0000002", label="aboyer", scope="alt", lang="es", author=A),
        RemoveLabel(concept_id="UTS:0000001", label="perros", lang="es", author=A),
        Move(concept_id="UTS:0000002", broader=("UTS:0000005", "UTS:0000007"), author=A),
        Deprecate(concept_id="UTS:0000007", replaced_by="UTS:0000002", author=A),
    ]
    text = to_kgcl(edits, tiny)
    assert "rename UTS:0000001 from 'dog' to 'domestic dog'" in text
    assert "create narrow synonym 'poodle' for UTS:0000001" in text
    assert "delete edge UTS:0000002 rdfs:subClassOf UTS:0000001" in text
    assert "obsolete UTS:0000007 with replacement UTS:0000002" in text
    assert "create exact synonym 'aboyer'@es for UTS:0000002" in text
    assert "remove synonym 'perros'@es for UTS:0000001" in text
    back = from_kgcl(text, tiny, author=A)
    assert dict(apply_edits(tiny, back).ontology.concepts) == dict(apply_edits(tiny, edits).ontology.concepts)


def test_what_kgcl_cannot_say_is_refused_by_name(tiny: Ontology) -> None:
    with pytest.raises(KgclError) as info:
        to_kgcl(
            [
                Merge(concept_id="UTS:0000001", into="UTS:0000005", author=A),
                SetField(concept_id="UTS:0000001", field="facets", value=("sound-source",), author=A),
                AddLabel(concept_id="UTS:0000001", label="dgo", scope="hidden", author=A),
                AddLabel(concept_id="UTS:0000001", label="dog's", scope="alt", author=A),
                AddLabel(concept_id="UTS:0000005", label="animal", scope="pref", lang="es", author=A),
            ],
            tiny,
        )
    text = str(info.value)
    assert "edit 1 (merge UTS:0000001): merge has no KGCL form" in text
    assert "edit 2 (set_field UTS:0000001): the facets of a concept has no KGCL form" in text
    assert "edit 3 (add_label UTS:0000001): hidden labels have no KGCL synonym qualifier" in text
    assert 'edit 4 (add_label UTS:0000001): "dog\'s" holds a single quote' in text
    assert "edit 5 (add_label UTS:0000005): pref labels have no KGCL synonym qualifier" in text


def test_unreadable_or_foreign_kgcl_names_the_line(tiny: Ontology) -> None:
    with pytest.raises(KgclError) as info:
        from_kgcl(
            "# a comment\n"
            "rename UTS:0000001 from 'dog' to 'hound'\n"
            "teleport UTS:0000001\n"
            "create broad synonym 'beast' for UTS:0000001\n"
            "create edge UTS:0000001 BFO:0000050 UTS:0000005\n"
            "create exact synonym 'perro'@es-MX for UTS:0000001\n",
            tiny,
            author=A,
        )
    lines = {p.line for p in info.value.problems}
    assert lines == {3, 4, 5, 6}
    assert "language tag 'es-MX' is not a primary language tag" in str(info.value)
    assert "a broad synonym has no UTS label scope" in str(info.value)
