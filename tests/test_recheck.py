"""The scoped check behind every edit agrees with the full check: random batches of edits, some valid and many
that break a rule, are accepted or refused the same way by both, with the same problems."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uts.ontology import Ontology, load_ontology
from uts.ontology.apply import try_apply
from uts.ontology.edits import AddConcept, AddLabel, Deprecate, Edit, Merge, Move, RemoveLabel, SetField, Split
from uts.ontology.model import Status

from .conftest import RESOURCES

A = "utsteam:tester"
EXAMPLES = int(os.environ.get("UTS_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# On the whole UTS a full check costs about a second (60k labels in nine languages), so it gets a fifth of the
# examples: the tiny ontology explores the edits' combinations, this run the same agreement at full size.
UTS_SETTINGS = settings(SETTINGS, max_examples=max(1, EXAMPLES // 5))


def edits_for(ontology: Ontology) -> st.SearchStrategy[list[Edit]]:
    ids = sorted(ontology.concepts)
    active = [c.id for c in ontology.active()]
    labels = sorted({label for c in ontology.concepts.values() for label in c.all_labels})
    facets = sorted(ontology.facets)
    new_id = ontology.next_id()
    concept = st.sampled_from(ids)
    live = st.sampled_from(active)
    label = st.one_of(st.sampled_from(labels), st.sampled_from(["fresh label", "another one", "dog", "Hi-Fi", ""]))
    edit = st.one_of(
        st.builds(AddLabel, concept_id=concept, label=label.filter(bool), scope=st.sampled_from(["alt", "hidden"]),
                  author=st.just(A)),
        st.builds(RemoveLabel, concept_id=concept, label=label.filter(bool), author=st.just(A)),
        st.builds(SetField, concept_id=concept, field=st.just("label"), value=label.filter(bool), author=st.just(A)),
        st.builds(SetField, concept_id=concept, field=st.just("definition"), value=st.text(max_size=20),
                  author=st.just(A)),
        st.builds(SetField, concept_id=concept, field=st.just("facets"),
                  value=st.lists(st.sampled_from([*facets, "no-such-facet"]), max_size=2).map(tuple),
                  author=st.just(A)),
        st.builds(Move, concept_id=concept, broader=st.lists(concept, max_size=2, unique=True).map(tuple),
                  author=st.just(A)),
        st.builds(Merge, concept_id=live, into=live, author=st.just(A)),
        st.builds(Deprecate, concept_id=concept, replaced_by=st.one_of(st.none(), concept),
                  consider=st.lists(concept, min_size=1, max_size=2).map(tuple), author=st.just(A)),
        st.builds(Split, concept_id=live, into=st.lists(live, min_size=2, max_size=2, unique=True).map(tuple),
                  author=st.just(A)),
        st.builds(AddConcept, concept_id=st.just(new_id), label=label.filter(bool),
                  broader=st.lists(live, max_size=1).map(tuple), facets=st.lists(st.sampled_from(facets), max_size=1)
                  .map(tuple), author=st.just(A)),
    )  # fmt: skip
    return st.lists(edit, min_size=1, max_size=3)


def agree(ontology: Ontology, edits: list[Edit]) -> None:
    fast, fast_problems = try_apply(ontology, edits)
    full, full_problems = try_apply(ontology, edits, full_check=True)
    assert (fast is None) == (full is None), (edits, full_problems)
    assert [str(p) for p in fast_problems] == [str(p) for p in full_problems]
    if fast is not None and full is not None:
        assert dict(fast.ontology.concepts) == dict(full.ontology.concepts)


TINY = load_ontology(RESOURCES / "tiny")


@SETTINGS
@given(edits_for(TINY))
def test_scoped_check_agrees_on_the_tiny_ontology(edits: list[Edit]) -> None:
    agree(TINY, edits)


@pytest.fixture(scope="module")
def uts() -> Ontology:
    return load_ontology()


@UTS_SETTINGS
@given(data=st.data())
def test_scoped_check_agrees_on_uts(uts: Ontology, data: st.DataObject) -> None:
    agree(uts, data.draw(edits_for(uts)))


def test_chained_edits_keep_the_label_index_exact(uts: Ontology) -> None:
    """Label keys carried from edit to edit: a label freed by one edit can be taken by the next, and a label
    taken twice is refused, as a full check of the state would say."""
    dog, hound = uts.lookup("dog").id, uts.lookup("bark").id
    first, problems = try_apply(uts, [RemoveLabel(concept_id=dog, label="pooch", author=A)])
    assert first is not None, problems
    second, problems = try_apply(first.ontology, [AddLabel(concept_id=hound, label="pooch", scope="alt", author=A)])
    assert second is not None, problems
    third, problems = try_apply(second.ontology, [AddLabel(concept_id=dog, label="pooch", scope="alt", author=A)])
    assert third is None
    assert any("a label must name one concept" in p.message for p in problems)
    assert second.ontology.get(hound).status is Status.ACTIVE
