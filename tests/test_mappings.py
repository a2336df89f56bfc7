"""Mapping sets: reading, canonical writing, reviews, suggestions that never overwrite reviewed rows, coverage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from uts.mappings.coverage import coverage, evaluate
from uts.mappings.review import ReviewError, review_edits
from uts.mappings.suggest import Suggester, suggestion_edits, to_rows
from uts.ontology import Ontology, load_ontology
from uts.ontology.edits import CreateMappingSet
from uts.ontology.load import read_root, validate_root
from uts.ontology.mapping import CURATORS, MANUAL, MappingRow, MappingSet
from uts.ontology.qc import filled_gaps, gap_names, run_qc
from uts.store import FileStore
from uts.vocabularies.base import Vocabulary, VocabularyClass

from .conftest import RESOURCES

DAY = dt.date(2026, 11, 29)


@pytest.fixture
def tiny() -> Ontology:
    return load_ontology(RESOURCES / "tiny")


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


def test_review_round_trip_and_suggestions_never_overwrite(vocab: Vocabulary, tiny_root: Path, tmp_path: Path) -> None:
    store = FileStore(tiny_root)
    plan = review_edits(
        store.load(),
        vocab,
        sheet(
            tmp_path,
            "TOY:dog\tskos:exactMatch\t\tdog\t1.0\t",
            "TOY:barking\tskos:exactMatch\t\tbarks\t0.95\tthe event",
            "TOY:barking\tskos:exactMatch\tNot\tdog\t0.9\tthe event, not the animal",
        ),
        date=DAY,
    )
    assert (plan.subjects, plan.rows) == (2, 3)
    store.apply(plan.edits)
    reviewed = store.load()
    suggested = to_rows(Suggester(reviewed, use_embeddings=False).suggest(list(vocab.classes)), date=DAY)
    store.apply(suggestion_edits(reviewed, vocab, suggested, author="utsteam:curators"))

    again = store.load().mappings["toy"]
    by_subject: dict[str, list[str]] = {}
    for row in again.rows:
        by_subject.setdefault(row.subject_id, []).append(row.mapping_justification)
    assert set(by_subject["TOY:dog"]) == {"semapv:ManualMappingCuration"}
    assert set(by_subject["TOY:barking"]) == {"semapv:ManualMappingCuration"}
    assert set(by_subject["TOY:hifi"]) == {"semapv:LexicalMatching"}
    negative = [r for r in again.rows if r.negated]
    assert [(r.subject_id, r.object_id) for r in negative] == [("TOY:barking", "UTS:0000001")]
    # The store writes canonical files: the source validates, lints clean, and a second suggestion run changes
    # nothing but the machine rows it replaces by equal ones.
    assert validate_root(tiny_root)[1] == []
    text = (tiny_root / "mappings" / "toy.sssom.tsv").read_text()
    store.apply(suggestion_edits(store.load(), vocab, suggested, author="utsteam:curators"))
    assert (tiny_root / "mappings" / "toy.sssom.tsv").read_text() == text

    ontology = store.load()
    report = coverage(ontology, vocab)
    assert report.classes == 5
    assert report.mapped == 2
    assert report.by_predicate == {"Not skos:exactMatch": 1, "skos:exactMatch": 2}
    assert report.machine_only == ["TOY:drums", "TOY:hifi"]
    assert report.gaps == ["TOY:drums", "TOY:hifi", "TOY:siren"]
    assert report.problems == []

    result = evaluate(ontology, vocab, use_embeddings=False)
    assert (result.reviewed_classes, result.predicted, result.correct) == (2, 2, 2)


def test_a_new_vocabulary_gets_its_mapping_set(vocab: Vocabulary, tiny_root: Path, tmp_path: Path) -> None:
    other = vocab.model_copy(update={"name": "toy2"})
    store = FileStore(tiny_root)
    plan = review_edits(store.load(), other, sheet(tmp_path, "TOY:dog\tskos:exactMatch\t\tdog\t1.0\t"), date=DAY)
    assert isinstance(plan.edits[0], CreateMappingSet)
    store.apply(plan.edits)
    assert [r.object_id for r in store.load().mappings["toy2"].rows] == ["UTS:0000001"]
    assert (tiny_root / "mappings" / "toy2.sssom.tsv").exists()


def test_bad_review_rows_name_the_line(tiny: Ontology, vocab: Vocabulary, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "TOY:cat\tskos:exactMatch\t\tdog\t1.0\t",
        "TOY:dog\tskos:sameAs\t\tdog\t1.0\t",
        "TOY:dog\tskos:exactMatch\t\tnothing-like-this\t1.0\t",
        "TOY:dog\tskos:exactMatch\t\twoof\t1.0\t",
        "TOY:dog\tskos:exactMatch\tMaybe\tdog\t1.0\t",
        "TOY:drums\tskos:exactMatch\t\tdrum\t1.0\t",
        "TOY:drums\tskos:exactMatch\t\tdrums\t1.0\trepeats line 7: the same concept",
        "TOY:drums\tskos:exactMatch\tNot\tdrum\t1.0\tcontradicts line 7",
    )
    with pytest.raises(ReviewError) as info:
        review_edits(tiny, vocab, path)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "review.tsv:2: 'TOY:cat' is not a class of toy" in text
    assert "review.tsv:3: predicate_id 'skos:sameAs' must be one of" in text
    assert "review.tsv:4: object 'nothing-like-this' is no UTS label or ID" in text
    assert "review.tsv:5: object UTS:0000004 (woof) is deprecated" in text
    assert "review.tsv:6: predicate_modifier 'Maybe' must be empty or 'Not'" in text
    assert "review.tsv:8: this row repeats line 7" in text
    assert "review.tsv:9: this row contradicts line 7" in text


def test_contradicting_rows_in_a_mapping_file_fail_validation(tiny_root: Path) -> None:
    path = tiny_root / "mappings" / "toy.sssom.tsv"
    lines = path.read_text().splitlines()
    assert lines[18].startswith("TOY:dog\tDog\tskos:exactMatch\t\tUTS:0000001")  # line 19
    path.write_text("\n".join([*lines, lines[18].replace("exactMatch\t\t", "exactMatch\tNot\t")]) + "\n")
    problems = [str(p) for p in validate_root(tiny_root)[1]]
    assert any(
        "toy.sssom.tsv:22: TOY:dog Not skos:exactMatch UTS:0000001 contradicts the row at line 19" in p
        for p in problems
    ), problems


def test_malformed_mapping_file_names_file_and_line(tiny_root: Path) -> None:
    path = tiny_root / "mappings" / "toy.sssom.tsv"
    path.write_text(path.read_text().replace("\t1\t", "\tvery sure\t"))
    problems = read_root(tiny_root).problems
    assert len(problems) == 1
    assert problems[0].line == 19
    assert problems[0].file.endswith("toy.sssom.tsv")
    assert "confidence 'very sure' is not a number" in problems[0].message


# ---- the filled-gap rule: a row whose comment names a gap (gap: X) that a concept X now fills ------------


def _row(subject: str, predicate: str, obj: str, comment: str, *, modifier: str = "") -> MappingRow:
    return MappingRow(
        subject_id=subject,
        subject_label=subject.removeprefix("TOY:"),
        predicate_id=predicate,
        predicate_modifier=modifier,
        object_id=obj,
        mapping_justification=MANUAL,
        author_id=CURATORS,
        mapping_date=DAY.isoformat(),
        comment=comment,
    )


def test_gap_names_read_what_a_comment_says_is_missing() -> None:
    assert gap_names("gap: caterwaul/yowl") == ["caterwaul/yowl", "caterwaul", "yowl"]
    assert gap_names("gap: drip (AudioSet 'Drip')") == ["drip (AudioSet 'Drip')", "drip", "Drip"]
    assert gap_names("gap: no child-speech concept") == ["child-speech"]
    assert gap_names("breaking sounds; no UTS 'breaking' concept") == ["breaking"]
    assert gap_names("air sounds; gap: no UTS concept for air releases") == ["air releases"]
    # A long phrase is one name, not a list split at its commas and "or"s.
    assert gap_names("gap: signature/theme tune of a programme, film or game") == [
        "signature/theme tune of a programme, film or game"
    ]
    # A curator's decision to keep the row is no gap; neither is a comment that names none.
    assert gap_names("kept broad: UTS gate is the noise gate; no gate concept fits") == ["gate"]
    assert gap_names("kept broad: UTS gate is the noise gate") == []
    assert gap_names("the clips are almost all barks") == []


def test_filled_gaps_flag_rows_whose_gap_a_concept_now_fills(tiny: Ontology) -> None:
    animal, dog, bark = "UTS:0000005", "UTS:0000001", "UTS:0000002"
    rows = [
        _row("TOY:a", "skos:broadMatch", animal, "gap: dogs"),  # plural of a label: flagged
        _row("TOY:b", "skos:broadMatch", animal, "growls; no UTS 'drum' concept"),  # flagged
        _row("TOY:c", "skos:broadMatch", animal, "kept broad: UTS dog is the pet, these are wolves"),
        _row("TOY:d", "skos:broadMatch", animal, "gap: dog"),
        _row("TOY:d", "skos:exactMatch", dog, "a homonym", modifier="Not"),  # refused by a negative row
        _row("TOY:e", "skos:broadMatch", animal, "gap: dog"),
        _row("TOY:e", "skos:exactMatch", bark, ""),  # dog is broader than bark, which the class maps to
        _row("TOY:f", "skos:broadMatch", animal, "gap: woof"),  # only a deprecated concept holds it
        _row("TOY:g", "skos:broadMatch", animal, "gap: HI_FI"),  # a synonym, in any case or separator
        _row("TOY:h", "skos:exactMatch", dog, "gap: drum", modifier="Not"),  # negative rows name no gaps
    ]
    found = filled_gaps(tiny, {"toy": MappingSet("toy", {}, tuple(rows))})
    assert [(f.row.subject_id, f.gap, f.concept.label) for f in found] == [
        ("TOY:a", "dogs", "dog"),
        ("TOY:b", "drum", "drum"),
        ("TOY:g", "HI_FI", "high-fidelity"),
    ]
    assert str(found[0]) == (
        "toy: TOY:a (a) skos:broadMatch UTS:0000005 (animal) names the gap 'dogs', now filled by UTS:0000001 (dog)"
    )


def test_qc_and_coverage_report_filled_gaps(tiny_root: Path, vocab: Vocabulary) -> None:
    path = tiny_root / "mappings" / "toy.sssom.tsv"
    path.write_text(path.read_text().replace("\tthe event\n", "\tthe event; gap: drums\n", 1))
    ontology = load_ontology(tiny_root)
    report = run_qc(ontology)
    check = next(c for c in report.checks if c.name.startswith("no mapping row names a gap"))
    assert not check.passed
    assert report.filled_gaps == [
        "toy: TOY:barking (Barking, bark) skos:exactMatch UTS:0000002 (bark) names the gap 'drums', "
        "now filled by UTS:0000006 (drum)"
    ]
    assert coverage(ontology, vocab).filled_gaps == report.filled_gaps
