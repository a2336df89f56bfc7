"""The real `uts` command, run as a subprocess on fixture files."""

from __future__ import annotations

import json
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
    assert "2638 from the paper" in result.stdout


def test_import_vocab_refuses_to_overwrite(tiny_root: Path, paper_dir: Path) -> None:
    result = uts("import-vocab", "--paper-dir", str(paper_dir), "--root", str(tiny_root))
    assert result.returncode == 2  # a usage error: --force is needed
    assert "--force" in result.stderr


def test_import_vocab_bad_date(tmp_path: Path, paper_dir: Path) -> None:
    result = uts("import-vocab", "--paper-dir", str(paper_dir), "--root", str(tmp_path), "--date", "yesterday")
    assert result.returncode == 2  # a usage error
    assert "--date 'yesterday' is not a date" in result.stderr
