"""The importer: rebuilding keeps IDs, bad published files fail with a clear message."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from uts.errors import UTSError, VocabularyError
from uts.ontology import Level, load_ontology
from uts.ontology.importer import ImportRules, Rule, group_tags, import_vocab
from uts.ontology.paper import read_paper_vocabulary

DAY = dt.date(2026, 11, 29)


def _copy_source(repo_root: Path, dest: Path) -> Path:
    for sub in ("ontology", "mappings"):
        shutil.copytree(repo_root / sub, dest / sub)
    return dest


def test_rebuild_over_the_committed_source_changes_nothing(repo_root: Path, paper_dir: Path, tmp_path: Path) -> None:
    root = _copy_source(repo_root, tmp_path / "src")
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    report = import_vocab(paper_dir, root, date=dt.date(2030, 1, 1), force=True)
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert report.new_concepts == 0
    assert after == before


def test_fresh_import_assigns_ids_by_rank(paper_dir: Path, tmp_path: Path, repo_root: Path) -> None:
    root = tmp_path / "fresh"
    (root / "ontology").mkdir(parents=True)
    shutil.copy(repo_root / "ontology" / "import-rules.toml", root / "ontology")
    report = import_vocab(paper_dir, root, date=DAY)
    assert report.published == 3000
    assert report.distinct_strings == 2998
    assert report.concepts == report.new_concepts
    ontology = load_ontology(root)
    assert ontology.get("UTS:0000001").label == "electronic"
    ranks = [ontology.get(i).rank for i in sorted(ontology.concepts)]
    assert ranks == sorted(ranks)
    assert report.per_level["3k"] == len(ontology)


def test_existing_source_is_not_overwritten_without_force(repo_root: Path, paper_dir: Path, tmp_path: Path) -> None:
    root = _copy_source(repo_root, tmp_path / "src")
    with pytest.raises(UTSError, match="--force"):
        import_vocab(paper_dir, root, date=DAY)


def test_rebuild_keeps_ids_when_a_concept_was_added(repo_root: Path, paper_dir: Path, tmp_path: Path) -> None:
    root = _copy_source(repo_root, tmp_path / "src")
    before = load_ontology(root)
    # Curation added a concept at the top of the file; IDs of paper concepts must not move.
    terms = root / "ontology" / "terms.tsv"
    lines = terms.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "UTS:0009999\ttest grouping concept\tactive\tcurated\t\t\t\t\t\tSounds a dog makes.\t\t\t\n")
    terms.write_text("".join(lines), encoding="utf-8")
    import_vocab(paper_dir, root, date=DAY, force=True)
    after = load_ontology(root)
    assert after.get("UTS:0009999").definition == "Sounds a dog makes."
    for concept in before:
        assert after.get(concept.id).label == concept.label


def test_grouping_rules_on_a_small_list() -> None:
    tags = [
        "drums",
        "Drum",
        "drum",
        "DRUMS",
        "hi-hat",
        "hi_hats",
        "keys",
        "key",
        "hisss",
        "hiss",
        "reverb",
        "reverberation",
    ]
    rules = ImportRules(
        typos={"hisss": Rule("hiss", "tripled letter")},
        keep_apart={"keys": "keyboards, not tonality"},
    )
    groups, how = group_tags(tags, rules)
    named = [sorted(tags[i] for i in g) for g in groups]
    assert sorted(["DRUMS", "Drum", "drum", "drums"]) in named
    assert sorted(["hi-hat", "hi_hats"]) in named
    assert ["keys"] in named
    assert ["key"] in named
    assert sorted(["hiss", "hisss"]) in named
    assert ["reverb"] in named
    assert ["reverberation"] in named
    assert how[tags.index("hisss")][0] == "typo"
    assert how[tags.index("DRUMS")][0] == "orthographic"
    assert how[tags.index("drum")][0] == "plural"


def _write_levels(directory: Path, tags: list[str]) -> None:
    sizes = {"800": 800, "1k": 1000, "1.5k": 1500, "2k": 2000, "3k": 3000}
    for name, size in sizes.items():
        (directory / f"label_{name}.json").write_text(
            json.dumps({str(i): t for i, t in enumerate(tags[:size])}, indent=2)
        )


def test_bad_published_files_give_clear_errors(tmp_path: Path) -> None:
    tags = [f"tag{i}" for i in range(3000)]
    _write_levels(tmp_path, tags)
    assert read_paper_vocabulary(tmp_path).tags == tags

    (tmp_path / "label_1k.json").write_text("{ not json")
    with pytest.raises(VocabularyError, match=r"label_1k.json:1: not valid JSON"):
        read_paper_vocabulary(tmp_path)

    _write_levels(tmp_path, tags)
    (tmp_path / "label_800.json").write_text(json.dumps({str(i): t for i, t in enumerate(tags[:799])}))
    with pytest.raises(VocabularyError, match="must have 800 tags, the file has 799"):
        read_paper_vocabulary(tmp_path)

    _write_levels(tmp_path, tags)
    other = dict(enumerate(tags[:800]))
    other[5] = "intruder"
    (tmp_path / "label_800.json").write_text(json.dumps({str(i): t for i, t in other.items()}))
    with pytest.raises(VocabularyError, match=r"extra \['intruder'\] and lacks \['tag5'\]"):
        read_paper_vocabulary(tmp_path)

    _write_levels(tmp_path, tags)
    (tmp_path / "label_2k.json").unlink()
    with pytest.raises(VocabularyError, match=r"label_2k\.json: file is missing"):
        read_paper_vocabulary(tmp_path)


def test_level_reordering_is_recorded(tmp_path: Path) -> None:
    tags = [f"tag{i}" for i in range(3000)]
    _write_levels(tmp_path, tags)
    swapped = tags[:2000]
    swapped[10], swapped[11] = swapped[11], swapped[10]
    (tmp_path / "label_2k.json").write_text(json.dumps({str(i): t for i, t in enumerate(swapped)}))
    vocabulary = read_paper_vocabulary(tmp_path)
    assert vocabulary.reordered == {Level("2k"): {10: "tag11", 11: "tag10"}}
    assert vocabulary.level_tags(Level("2k")) == swapped
