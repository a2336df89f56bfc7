"""Batch curation sheets: every row checked, nothing half-written, problems named by sheet line."""

from __future__ import annotations

from pathlib import Path

import pytest

from uts.ontology import load_ontology
from uts.ontology.curate import CurationError, CurationReport
from uts.ontology.load import validate_root
from uts.store import FileStore
from uts.store.curate import apply_sheet as apply_to_store


def apply_sheet(root: Path, sheet: Path, **options: bool) -> CurationReport:
    return apply_to_store(FileStore(root), sheet, **options)  # type: ignore[arg-type]


HEADER = "id\tlabel\tfacets\tdomains\tbroader\tdefinition\tcomment\tsynonyms\n"


def sheet(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "sheet.tsv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_sheet_adds_and_updates(tiny_root: Path, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "+\tdog sound\tsound-event\tenvironmental\tanimal\tA sound made by a dog.\t\tdog sounds",
        "UTS:0000002\t\t\t\tdog sound\t\t\tbarking|woofing",
        "UTS:0000006\t\t\t\t\t\tThe instrument, not the beat.\t",
    )
    report = apply_sheet(tiny_root, path)
    assert report.added == ["UTS:0000007"]
    assert report.updated == 2
    assert report.synonyms_added == 3
    ontology = load_ontology(tiny_root)
    bark = ontology.lookup("barking")
    assert bark.id == "UTS:0000002"
    assert bark.broader == ("UTS:0000007",)
    assert bark.definition == "The short loud cry of a dog."  # empty cells leave fields alone
    assert ontology.lookup("dog sounds").origin.value == "curated"
    assert ontology.get("UTS:0000006").comment == "The instrument, not the beat."
    assert [c.label for c in ontology.ancestors("UTS:0000002")] == ["animal", "dog sound"]
    assert validate_root(tiny_root)[1] == []


def test_bad_rows_are_reported_and_nothing_is_written(tiny_root: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")}
    path = sheet(
        tmp_path,
        "UTS:0000002\t\t\t\tno such thing\t\t\t",
        "UTS:0000042\t\t\t\t\t\t\t",
        "UTS:0000006\t\t\t\t\t\t\tdog",
        "+\t\t\t\t\t\t\t",
        "UTS:0000003\t\t\tnoise\t\t\t\t",
    )
    with pytest.raises(CurationError) as info:
        apply_sheet(tiny_root, path)
    lines = {(p.line, p.message.split(" ")[0]) for p in info.value.problems}
    messages = "\n".join(str(p) for p in info.value.problems)
    assert "sheet.tsv:2: broader names 'no such thing'" in messages
    assert "sheet.tsv:3: unknown concept 'UTS:0000042'" in messages
    assert "sheet.tsv:4: synonym 'dog' is already a label of UTS:0000001" in messages
    assert "sheet.tsv:5: a new concept (id '+') needs a label" in messages
    assert any(line == 6 for line, _ in lines), messages  # 'noise' is not a domain
    assert {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")} == before


def test_partial_applies_the_good_rows_and_counts_the_rest(tiny_root: Path, tmp_path: Path) -> None:
    path = sheet(tmp_path, "UTS:0000002\t\t\t\tno such thing\t\t\t", "UTS:0000006\t\t\t\t\tA struck drum.\t\t")
    report = apply_sheet(tiny_root, path, partial=True)
    assert len(report.skipped) == 1
    assert report.updated == 1
    assert load_ontology(tiny_root).get("UTS:0000006").definition == "A struck drum."
    assert load_ontology(tiny_root).get("UTS:0000002").broader == ("UTS:0000001",)


def test_rule_violations_block_the_write(tiny_root: Path, tmp_path: Path) -> None:
    before = (tiny_root / "ontology" / "terms.tsv").read_bytes()
    path = sheet(tmp_path, "UTS:0000005\t\t\t\tbark\t\t\t")  # animal under bark under dog under animal
    with pytest.raises(CurationError, match="cycle"):
        apply_sheet(tiny_root, path)
    assert (tiny_root / "ontology" / "terms.tsv").read_bytes() == before


def test_dry_run_writes_nothing(tiny_root: Path, tmp_path: Path) -> None:
    before = (tiny_root / "ontology" / "terms.tsv").read_bytes()
    report = apply_sheet(tiny_root, sheet(tmp_path, "UTS:0000006\t\t\t\t\tA struck drum.\t\t"), dry_run=True)
    assert report.updated == 1
    assert not report.written
    assert (tiny_root / "ontology" / "terms.tsv").read_bytes() == before


def test_clear_a_field_with_a_dash(tiny_root: Path, tmp_path: Path) -> None:
    apply_sheet(tiny_root, sheet(tmp_path, "UTS:0000002\t\t\t\t-\t\t\t"))
    assert load_ontology(tiny_root).get("UTS:0000002").broader == ()


def test_unknown_column_is_rejected(tiny_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("id\tcolour\nUTS:0000002\tred\n", encoding="utf-8")
    with pytest.raises(CurationError, match="unknown: colour"):
        apply_sheet(tiny_root, path)


def test_merge_moves_labels_tags_and_children(tiny_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "merge.tsv"
    path.write_text("id\tmerge_into\tcomment\nUTS:0000001\tanimal\tsame sense in this fixture\n", encoding="utf-8")
    report = apply_sheet(tiny_root, path)
    assert report.merged == [("UTS:0000001", "UTS:0000005")]
    ontology = load_ontology(tiny_root)
    dog = ontology.get("UTS:0000001")
    assert dog.status.value == "deprecated"
    assert dog.replaced_by == "UTS:0000005"
    assert dog.comment == "same sense in this fixture"
    animal = ontology.get("UTS:0000005")
    assert "dog" in animal.alt_labels
    assert animal.origin.value == "paper"  # it now carries a published tag
    assert ontology.lookup("dog").id == "UTS:0000005"
    assert [t.index for t in ontology.paper_tags_of("UTS:0000005")] == [0]
    assert ontology.paper_tags_of("UTS:0000005")[0].justification == "semapv:ManualMappingCuration"
    assert ontology.get("UTS:0000002").broader == ("UTS:0000005",)  # bark moved up to the target
    assert validate_root(tiny_root)[1] == []


def test_merge_refusals(tiny_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "merge.tsv"
    path.write_text("id\tmerge_into\nUTS:0000002\tbarks\n", encoding="utf-8")
    with pytest.raises(CurationError, match="cannot be merged into itself"):
        apply_sheet(tiny_root, path)
    path.write_text("id\tmerge_into\nUTS:0000006\tdog\n", encoding="utf-8")
    with pytest.raises(CurationError, match="is the root of facet 'instrument'"):
        apply_sheet(tiny_root, path)


def test_merge_re_points_vocabulary_mappings(tiny_root: Path, tmp_path: Path) -> None:
    # The fixture maps TOY:dog exactMatch dog and TOY:barking Not exactMatch dog; merging dog into animal
    # moves both rows to animal, in the same write as the merge.
    merge = tmp_path / "merge.tsv"
    merge.write_text("id\tmerge_into\nUTS:0000001\tanimal\n", encoding="utf-8")
    apply_sheet(tiny_root, merge)

    after = load_ontology(tiny_root).mappings["toy"]
    objects = [(r.subject_id, r.predicate_modifier, r.object_id) for r in after.rows]
    assert objects == [
        ("TOY:dog", "", "UTS:0000005"),
        ("TOY:barking", "", "UTS:0000002"),
        ("TOY:barking", "Not", "UTS:0000005"),
    ]
    assert "re-pointed from merged UTS:0000001" in after.rows[0].comment
    assert validate_root(tiny_root)[1] == []


def test_repeated_columns_and_ids_are_errors_not_last_wins(tiny_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "twice.tsv"
    path.write_text("id\tdefinition\tdefinition\nUTS:0000006\ta\tb\n", encoding="utf-8")
    with pytest.raises(CurationError, match="repeated: definition"):
        apply_sheet(tiny_root, path)
    path.write_text("id\tdefinition\nUTS:0000006\ta\nUTS:0000006\tb\n", encoding="utf-8")
    with pytest.raises(CurationError, match="UTS:0000006 has another row at line 2"):
        apply_sheet(tiny_root, path)


def test_partial_applies_whole_rows_only(tiny_root: Path, tmp_path: Path) -> None:
    # Row 2 is fine on its own; row 3 adds a concept under a broader concept that does not exist, so none of it
    # is written (no bare concept, no used-up ID), and row 4 merges bark away but also sets a field first.
    path = sheet(
        tmp_path,
        "UTS:0000006\t\t\t\t\tA struck drum.\t\t",
        "+\tyip\tsound-event\tenvironmental\tno such parent\t\t\t",
    )
    report = apply_sheet(tiny_root, path, partial=True)
    assert report.added == []
    assert report.updated == 1
    assert [p.line for p in report.skipped] == [3]
    ontology = load_ontology(tiny_root)
    assert ontology.find("yip") is None
    assert ontology.get("UTS:0000006").definition == "A struck drum."


def test_a_missing_sheet_is_an_error(tiny_root: Path, tmp_path: Path) -> None:
    from uts.errors import SourceError

    with pytest.raises(SourceError, match="file is missing"):
        apply_sheet(tiny_root, tmp_path / "nope.tsv")


def test_a_skipped_new_concept_uses_up_no_id(tiny_root: Path, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        "+\tyip\tsound-event\tenvironmental\tno such parent\t\t\t",
        "+\tgrowl\tsound-event\tenvironmental\tdog\tA low rumbling dog sound.\t\t",
    )
    report = apply_sheet(tiny_root, path, partial=True)
    assert [p.line for p in report.skipped] == [2]
    assert report.added == ["UTS:0000007"]  # the first free ID, not the one after the skipped row's
    assert load_ontology(tiny_root).get("UTS:0000007").label == "growl"
    assert FileStore(tiny_root).reserve_ids(1) == ["UTS:0000008"]
