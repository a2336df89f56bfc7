"""Bad input: every broken source must fail validation with the file, the line and a fix."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from uts.errors import OntologyValidationError
from uts.ontology import load_ontology
from uts.ontology.lint import changed_texts
from uts.ontology.load import read_root, validate_root

from .conftest import RESOURCES

CASES = tomllib.loads((RESOURCES / "invalid_cases.toml").read_text(encoding="utf-8"))["case"]


def test_fixture_is_valid() -> None:
    ontology, problems = validate_root(RESOURCES / "tiny")
    assert problems == []
    assert len(ontology) == 6


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_broken_source_is_reported(case: dict[str, object], tiny_root: Path) -> None:
    path = tiny_root / str(case["file"])
    text = path.read_text(encoding="utf-8")
    assert str(case["find"]) in text, "the case no longer matches the fixture"
    path.write_text(text.replace(str(case["find"]), str(case["replace"]), 1), encoding="utf-8")

    _, problems = validate_root(tiny_root)

    matching = [p for p in problems if str(case["expect"]) in p.message or str(case["expect"]) in p.fix]
    assert matching, f"expected a problem containing {case['expect']!r}, got: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file.endswith(str(case["file"]))
    assert problem.line == case["line"]
    assert problem.fix, "every problem must say how to fix it"


def test_strict_load_raises_with_every_problem(tiny_root: Path) -> None:
    terms = tiny_root / "ontology" / "terms.tsv"
    text = terms.read_text(encoding="utf-8")
    text = text.replace("environmental\tUTS:0000001\t", "environmental\tUTS:0000099\t")
    text = text.replace("\tUTS:0000002\t\tmerged into bark", "\t\t\tmerged into bark")
    terms.write_text(text, encoding="utf-8")
    with pytest.raises(OntologyValidationError) as info:
        load_ontology(tiny_root)
    messages = "\n".join(str(p) for p in info.value.problems)
    assert "UTS:0000099" in messages
    assert "neither replaced_by nor consider" in messages
    assert "terms.tsv:3" in str(info.value)


def test_non_utf8_file_is_reported(tiny_root: Path) -> None:
    labels = tiny_root / "ontology" / "labels.tsv"
    labels.write_bytes(
        labels.read_bytes() + "UTS:0000006\tdrum\ttambour\talt\tcurated\t\n".encode("latin-1") + b"\xff\n"
    )
    _, problems = validate_root(tiny_root)
    assert any("not UTF-8" in p.message and p.line == 7 for p in problems), problems


def test_missing_file_is_reported(tiny_root: Path) -> None:
    (tiny_root / "ontology" / "labels.tsv").unlink()
    _, problems = validate_root(tiny_root)
    assert any(p.file.endswith("labels.tsv") and "missing" in p.message for p in problems)


def test_cycle_message_names_the_path(tiny_root: Path) -> None:
    terms = tiny_root / "ontology" / "terms.tsv"
    terms.write_text(
        terms.read_text(encoding="utf-8").replace("environmental\tUTS:0000005\t", "environmental\tUTS:0000002\t"),
        encoding="utf-8",
    )
    _, problems = validate_root(tiny_root)
    cycle = next(p for p in problems if "cycle" in p.message)
    assert "UTS:0000001 (dog)" in cycle.message
    assert "UTS:0000002 (bark)" in cycle.message


def test_lint_fix_restores_canonical_form(tiny_root: Path) -> None:
    original = {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")}
    terms = tiny_root / "ontology" / "terms.tsv"
    lines = terms.read_text(encoding="utf-8").splitlines()
    # Shuffle rows, break a derived column and add stray whitespace: all things lint owns.
    body = lines[1:][::-1]
    body = [line.replace("dog\tactive\tpaper\t0\t", "dog\tactive\tpaper\t9\t") for line in body]
    body = [line.replace("\tdrum\t", "\t drum \t") for line in body]
    terms.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    _, problems = validate_root(tiny_root)
    assert any("run `uts lint --fix`" in p.fix for p in problems)

    loaded = read_root(tiny_root, rules=False)
    assert loaded.problems == []
    changed = changed_texts(loaded.ontology, loaded.sources.layout, loaded.sources.texts)
    assert list(changed) == [terms]
    terms.write_text(changed[terms], encoding="utf-8")
    assert {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")} == original
    assert validate_root(tiny_root)[1] == []


def test_lint_fix_restores_the_canonical_form_of_a_translation_file(tiny_root: Path) -> None:
    spanish = tiny_root / "ontology" / "translations" / "es.tsv"
    original = spanish.read_bytes()
    lines = spanish.read_text(encoding="utf-8").splitlines()
    shuffled = [lines[0], *[line.replace("\tdog\t", "\tDOG\t") for line in lines[:0:-1]]]
    spanish.write_text("\n".join(shuffled) + "\n", encoding="utf-8")
    problems = validate_root(tiny_root)[1]
    assert [(Path(p.file).name, p.line) for p in problems] == [("es.tsv", 2)]
    loaded = read_root(tiny_root, rules=False)
    changed = changed_texts(loaded.ontology, loaded.sources.layout, loaded.sources.texts)
    assert list(changed) == [spanish]
    assert changed[spanish].encode("utf-8") == original


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("spanish.tsv", "the file name 'spanish.tsv' is not a language code"),
        ("zh-Hans.tsv", "the file name 'zh-Hans.tsv' is not a language code"),
        ("en.tsv", "English labels do not go in a translation file"),
    ],
)
def test_a_translation_file_is_named_by_its_language(tiny_root: Path, name: str, expect: str) -> None:
    folder = tiny_root / "ontology" / "translations"
    (folder / name).write_bytes((folder / "es.tsv").read_bytes())
    problems = validate_root(tiny_root)[1]
    assert [p.message for p in problems if p.file.endswith(name)] == [
        next(p.message for p in problems if expect in p.message)
    ]
    assert all(p.fix for p in problems)


def test_cycle_raises_the_cycle_error(tiny_root: Path) -> None:
    from uts.errors import OntologyCycleError

    terms = tiny_root / "ontology" / "terms.tsv"
    terms.write_text(
        terms.read_text(encoding="utf-8").replace("environmental\tUTS:0000005\t", "environmental\tUTS:0000002\t"),
        encoding="utf-8",
    )
    with pytest.raises(OntologyCycleError) as info:
        load_ontology(tiny_root)
    assert any(p.kind == "cycle" for p in info.value.problems)


def test_a_published_index_mapped_twice_names_both_lines(tiny_root: Path) -> None:
    paper = tiny_root / "mappings" / "uts-paper.sssom.tsv"
    lines = paper.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if line.startswith("UTSPAPER:1\t"))
    paper.write_text("\n".join([*lines, lines[first - 1]]) + "\n", encoding="utf-8")
    _, problems = validate_root(tiny_root)
    twice = [p for p in problems if "mapped twice" in p.message]
    assert len(twice) == 1
    assert twice[0].line == len(lines) + 1
    assert f"UTSPAPER:1 is mapped twice (also at line {first})" in twice[0].message
