"""The real `uts` command, run as a subprocess on fixture files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from .conftest import RESOURCES

TINY = str(RESOURCES / "tiny")


def uts(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uts", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": ""},
        check=False,
    )


def test_validate_ok() -> None:
    result = uts("validate", "--root", TINY)
    assert result.returncode == 0, result.stderr
    assert "ok: UTS 0.0.1, 6 concepts, 7 published tags" in result.stdout


def test_validate_reports_file_line_and_fix(tiny_root: Path) -> None:
    terms = tiny_root / "ontology" / "terms.tsv"
    terms.write_text(terms.read_text().replace("environmental\tUTS:0000001\t", "environmental\tUTS:0000099\t"))
    result = uts("validate", "--root", str(tiny_root))
    assert result.returncode == 1
    assert "terms.tsv:3: broader of UTS:0000002 names unknown concept UTS:0000099. Fix:" in result.stderr


def test_lint_and_fix(tiny_root: Path) -> None:
    order = tiny_root / "ontology" / "paper-order.tsv"
    order.write_text("level\tindex\ttag\n1k\t5\tdrum\n1k\t4\tdrums\n")
    result = uts("lint", "--root", str(tiny_root))
    assert result.returncode == 1
    assert "run `uts lint --fix`" in result.stderr
    fixed = uts("lint", "--fix", "--root", str(tiny_root))
    assert fixed.returncode == 0
    assert order.read_text() == "level\tindex\ttag\n1k\t4\tdrums\n1k\t5\tdrum\n"
    assert uts("validate", "--root", str(tiny_root)).returncode == 0


def test_show_any_spelling_and_id() -> None:
    for query in ("HIGH_FIDELITY", "hi-fi", "UTS:0000003"):
        result = uts("show", query, "--root", TINY, "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["id"] == "UTS:0000003"
    table = uts("show", "barks", "--root", TINY)
    assert "UTS:0000002" in table.stdout
    assert "UTS:0000001 (dog)" in table.stdout


def test_labels_in_other_languages_on_the_command_line(tiny_root: Path, tmp_path: Path) -> None:
    shown = uts("show", "perros", "--root", TINY)
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"labels \(es\) +perro, perros \(hidden\)", shown.stdout)
    assert re.search(r"labels \(zh\) +狗", shown.stdout)
    stats = json.loads(uts("stats", "--root", TINY, "--json").stdout)
    assert stats["translations"] == {"de": 3, "es": 6, "zh": 4}
    assert stats["labels"]["alt"] == 3  # English alternative labels only
    edits = tmp_path / "french.jsonl"
    edits.write_text('{"op": "add_label", "concept_id": "UTS:0000002", "label": "aboiement", "scope": "pref", '
                     '"lang": "fr"}\n', encoding="utf-8")  # fmt: skip
    assert uts("apply", str(edits), "--root", str(tiny_root)).returncode == 0
    french = tiny_root / "ontology" / "translations" / "fr.tsv"
    assert french.read_text(encoding="utf-8").splitlines()[1] == "UTS:0000002\tbark\taboiement\tpref\tuts-curators\t"
    french.write_text(french.read_text(encoding="utf-8").replace("\tbark\t", "\tbarking\t"), encoding="utf-8")
    drifted = uts("validate", "--root", str(tiny_root))
    assert drifted.returncode == 1
    assert "translations/fr.tsv:2: not in canonical form" in drifted.stderr
    assert uts("lint", "--fix", "--root", str(tiny_root)).returncode == 0
    assert uts("validate", "--root", str(tiny_root)).returncode == 0
    assert "\tbark\taboiement\t" in french.read_text(encoding="utf-8")


def test_show_unknown_tag_suggests() -> None:
    result = uts("show", "barkz", "--root", TINY)
    assert result.returncode == 1
    assert "no UTS concept has the label 'barkz'; did you mean 'bark'" in result.stderr


def test_stats_json_counts() -> None:
    result = uts("stats", "--root", TINY, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["concepts"] == 6
    assert figures["deprecated"] == 1
    assert figures["curated"] == 2
    assert figures["published_tags"] == 7
    assert {row["level"]: row["concepts"] for row in figures["levels"]}["800"] == 4
    assert figures["next_id"] == "UTS:0000007"


def test_stats_on_the_bundled_release() -> None:
    result = uts("stats")
    assert result.returncode == 0, result.stderr
    assert "2650 from the paper" in result.stdout


def test_import_vocab_refuses_to_overwrite(tiny_root: Path, paper_dir: Path) -> None:
    result = uts("import-vocab", "--paper-dir", str(paper_dir), "--root", str(tiny_root))
    assert result.returncode == 2  # a usage error: --force is needed
    assert "--force" in result.stderr


def test_import_vocab_bad_date(tmp_path: Path, paper_dir: Path) -> None:
    result = uts("import-vocab", "--paper-dir", str(paper_dir), "--root", str(tmp_path), "--date", "yesterday")
    assert result.returncode == 2  # a usage error
    assert "--date 'yesterday' is not a date" in result.stderr


def test_curate_through_the_store_with_revision_and_history(tiny_root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("id\tdefinition\nUTS:0000006\tA struck drum.\n", encoding="utf-8")
    read_at = uts("revision", "--root", str(tiny_root)).stdout.strip()
    done = uts(
        "curate", str(sheet), "--root", str(tiny_root), "--author", "utsteam:alice", "--expect-revision", read_at
    )
    assert done.returncode == 0, done.stderr
    assert "1 concepts updated" in done.stdout
    # A second sheet made against the same (now stale) revision is a conflict, and changes nothing.
    sheet.write_text("id\tdefinition\nUTS:0000006\tA drum.\n", encoding="utf-8")
    stale = uts("curate", str(sheet), "--root", str(tiny_root), "--expect-revision", read_at)
    assert stale.returncode == 1
    assert "conflict:" in stale.stderr
    assert "A struck drum." in (tiny_root / "ontology" / "terms.tsv").read_text(encoding="utf-8")
    history = uts("history", "drum", "--root", str(tiny_root), "--json")
    assert history.returncode == 0, history.stderr
    [record] = json.loads(history.stdout)
    assert record["edit"]["author"] == "utsteam:alice"
    assert record["after"]["UTS:0000006"]["definition"] == "A struck drum."


def test_apply_a_file_of_edits(tiny_root: Path, tmp_path: Path) -> None:
    edits = tmp_path / "edits.jsonl"
    edits.write_text(
        '{"op": "add_label", "concept_id": "UTS:0000001", "label": "hound", "scope": "alt"}\n'
        '{"op": "move", "concept_id": "UTS:0000006", "broader": ["UTS:0000001"]}\n',
        encoding="utf-8",
    )
    dry = uts("apply", str(edits), "--root", str(tiny_root), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 edits would change 2 concepts" in dry.stdout
    done = uts("apply", str(edits), "--root", str(tiny_root), "--author", "utsteam:bob")
    assert done.returncode == 0, done.stderr
    assert uts("show", "hound", "--root", str(tiny_root), "--json").returncode == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"op": "add_label", "concept_id": "UTS:0000001"}\n{"op": "fly"}\n', encoding="utf-8")
    refused = uts("apply", str(bad), "--root", str(tiny_root))
    assert refused.returncode == 1
    assert "bad.jsonl:1: label: Field required" in refused.stderr
    assert "bad.jsonl:2:" in refused.stderr


def test_apply_kgcl(tiny_root: Path, tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("kgcl_schema", reason="KGCL needs the 'kgcl' extra")
    edits = tmp_path / "edits.kgcl"
    edits.write_text("create exact synonym 'hound' for UTS:0000001\n", encoding="utf-8")
    done = uts("apply", str(edits), "--root", str(tiny_root))
    assert done.returncode == 0, done.stderr
    shown = json.loads(uts("show", "hound", "--root", str(tiny_root), "--json").stdout)
    assert shown["id"] == "UTS:0000001"


def test_writers_default_to_the_working_directory_not_the_package(tmp_path: Path) -> None:
    result = uts("lint", "--fix", cwd=tmp_path)
    assert result.returncode == 1
    assert "terms.tsv" in result.stderr
    assert "missing" in result.stderr


def test_lint_fix_refuses_sources_that_break_rules(tiny_root: Path) -> None:
    terms = tiny_root / "ontology" / "terms.tsv"
    broken = terms.read_text(encoding="utf-8").replace("environmental\tUTS:0000001\t", "environmental\tUTS:0000099\t")
    terms.write_text(broken, encoding="utf-8")
    result = uts("lint", "--fix", "--root", str(tiny_root))
    assert result.returncode == 1
    assert "names unknown concept UTS:0000099" in result.stderr
    assert "nothing was rewritten" in result.stderr
    assert terms.read_text(encoding="utf-8") == broken


def test_tables_print_whole_into_a_pipe() -> None:
    # No COLUMNS and no terminal: the table keeps every cell whole instead of folding it into 80 columns.
    result = subprocess.run(
        [sys.executable, "-m", "uts", "mappings", "list"], capture_output=True, text=True, env={"PATH": ""}, check=False
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if " audioset " in line)
    assert "audioset/ontology.json, audioset/class_labels_indices.csv" in row
    assert max(len(line) for line in result.stdout.splitlines()) > 80
