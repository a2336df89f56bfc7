"""Mapping sets: reading, canonical writing, reviews, suggestions that never overwrite reviewed rows, coverage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from uts.mappings.coverage import coverage, evaluate, load_mapping_set, write_mapping_set
from uts.mappings.review import ReviewError, apply_review
from uts.mappings.suggest import Suggester, merge_suggestions, to_rows
from uts.mappings.table import read_mapping_set
from uts.ontology import Ontology
from uts.vocabularies.base import Vocabulary, VocabularyClass

from .conftest import RESOURCES

DAY = dt.date(2026, 11, 29)


@pytest.fixture
def tiny() -> Ontology:
    return Ontology.load(RESOURCES / "tiny")


@pytest.fixture
def vocab() -> Vocabulary:
    classes = (
        VocabularyClass(id="TOY:dog", label="Dog"),
        VocabularyClass(id="TOY:barking", label="Barking, bark"),
        VocabularyClass(id="TOY:drums", label="Drum kit", synonyms=("drums",)),
        VocabularyClass(id="TOY:hifi", label="High Fidelity"),
        VocabularyClass(id="TOY:siren", label="Siren"),
    )
    return Vocabulary(
        name="toy", prefix="TOY", iri_prefix="https://example.org/toy/", title="Toy", source="memory", classes=classes
    )


def sheet(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "review.tsv"
    path.write_text(
        "subject_id\tpredicate_id\tpredicate_modifier\tobject\tconfidence\tcomment\n" + "".join(r + "\n" for r in rows)
    )
    return path


def test_suggester_is_lexical_first(tiny: Ontology, vocab: Vocabulary) -> None:
    suggestions = {s.subject.id: s for s in Suggester(tiny, use_embeddings=False).suggest(list(vocab.classes))}
    assert suggestions["TOY:dog"].best is not None
    assert suggestions["TOY:dog"].best.concept_id == "UTS:0000001"
    assert suggestions["TOY:barking"].best is not None
    assert suggestions["TOY:barking"].best.concept_id == "UTS:0000002"  # 'bark' after the comma
    assert suggestions["TOY:drums"].best is not None
    assert suggestions["TOY:drums"].best.concept_id == "UTS:0000006"  # via the synonym
    assert suggestions["TOY:siren"].best is None  # nothing lexical, and embeddings are off
    rows = to_rows(list(suggestions.values()), date=DAY)
    assert {r.predicate_id for r in rows if r.subject_id == "TOY:hifi"} == {"skos:exactMatch"}
    assert all(not r.reviewed for r in rows)


def test_review_round_trip_and_suggestions_never_overwrite(tiny: Ontology, vocab: Vocabulary, tmp_path: Path) -> None:
    root = tmp_path
    mapping_set, problems = load_mapping_set(root, vocab)
    assert problems == []
    report = apply_review(
        mapping_set,
        sheet(
            tmp_path,
            "TOY:dog\tskos:exactMatch\t\tdog\t1.0\t",
            "TOY:barking\tskos:exactMatch\t\tbarks\t0.95\tthe event",
            "TOY:barking\tskos:exactMatch\tNot\tdog\t0.9\tthe event, not the animal",
        ),
        tiny,
        vocab,
        date=DAY,
    )
    assert (report.subjects, report.rows) == (2, 3)
    suggested = to_rows(Suggester(tiny, use_embeddings=False).suggest(list(vocab.classes)), date=DAY)
    mapping_set.rows = merge_suggestions(mapping_set.rows, suggested)
    write_mapping_set(mapping_set, tiny, vocab)

    again, problems = read_mapping_set(root / "mappings" / "toy.sssom.tsv")
    assert problems == []
    assert again is not None
    by_subject: dict[str, list[str]] = {}
    for row in again.rows:
        by_subject.setdefault(row.subject_id, []).append(row.mapping_justification)
    assert set(by_subject["TOY:dog"]) == {"semapv:ManualMappingCuration"}
    assert set(by_subject["TOY:barking"]) == {"semapv:ManualMappingCuration"}
    assert set(by_subject["TOY:hifi"]) == {"semapv:LexicalMatching"}
    negative = [r for r in again.rows if r.negated]
    assert [(r.subject_id, r.object_id) for r in negative] == [("TOY:barking", "UTS:0000001")]
    # Writing is canonical: a second write changes nothing.
    text = (root / "mappings" / "toy.sssom.tsv").read_text()
    write_mapping_set(again, tiny, vocab)
    assert (root / "mappings" / "toy.sssom.tsv").read_text() == text

    report_ = coverage(tiny, vocab, again, [])
    assert report_.classes == 5
    assert report_.mapped == 2
    assert report_.by_predicate == {"Not skos:exactMatch": 1, "skos:exactMatch": 2}
    assert report_.machine_only == ["TOY:drums", "TOY:hifi"]
    assert report_.gaps == ["TOY:drums", "TOY:hifi", "TOY:siren"]
    assert report_.problems == []

    result = evaluate(tiny, vocab, again, use_embeddings=False)
    assert (result.reviewed_classes, result.predicted, result.correct) == (2, 2, 2)


def test_bad_review_rows_name_the_line(tiny: Ontology, vocab: Vocabulary, tmp_path: Path) -> None:
    mapping_set, _ = load_mapping_set(tmp_path, vocab)
    path = sheet(
        tmp_path,
        "TOY:cat\tskos:exactMatch\t\tdog\t1.0\t",
        "TOY:dog\tskos:sameAs\t\tdog\t1.0\t",
        "TOY:dog\tskos:exactMatch\t\tnothing-like-this\t1.0\t",
        "TOY:dog\tskos:exactMatch\t\twoof\t1.0\t",
        "TOY:dog\tskos:exactMatch\tMaybe\tdog\t1.0\t",
    )
    with pytest.raises(ReviewError) as info:
        apply_review(mapping_set, path, tiny, vocab)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "review.tsv:2: 'TOY:cat' is not a class of toy" in text
    assert "review.tsv:3: predicate_id 'skos:sameAs' must be one of" in text
    assert "review.tsv:4: object 'nothing-like-this' is no UTS label or ID" in text
    assert "review.tsv:5: object UTS:0000004 (woof) is deprecated" in text
    assert "review.tsv:6: predicate_modifier 'Maybe' must be empty or 'Not'" in text
    assert mapping_set.rows == []


def test_malformed_mapping_file_names_file_and_line(tiny: Ontology, vocab: Vocabulary, tmp_path: Path) -> None:
    mapping_set, _ = load_mapping_set(tmp_path, vocab)
    apply_review(mapping_set, sheet(tmp_path, "TOY:dog\tskos:exactMatch\t\tdog\t1.0\t"), tiny, vocab, date=DAY)
    write_mapping_set(mapping_set, tiny, vocab)
    path = tmp_path / "mappings" / "toy.sssom.tsv"
    path.write_text(path.read_text().replace("\t1\t", "\tvery sure\t"))
    _, problems = read_mapping_set(path)
    assert len(problems) == 1
    assert problems[0].line == len(path.read_text().splitlines())
    assert "confidence 'very sure' is not a number" in problems[0].message
