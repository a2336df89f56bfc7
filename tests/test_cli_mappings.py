"""`uts mappings ...` run as real commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import REPO


def uts(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    # A throwaway cache folder, so no run writes embedding vectors into the user's home or the repository.
    with tempfile.TemporaryDirectory() as cache:
        return subprocess.run(
            [sys.executable, "-m", "uts", "mappings", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={"COLUMNS": "200", "PATH": "", "HOME": cache, "UTS_CACHE_DIR": cache},
            check=False,
        )


def test_list_names_every_vocabulary() -> None:
    result = uts("list")
    assert result.returncode == 0, result.stderr
    for name in ("audioset", "esc50", "discogs400", "speech-commands", "ucs"):
        assert name in result.stdout


def test_coverage_of_small_vocabularies(paper_dir: Path) -> None:
    result = uts("coverage", "esc50", "gtzan", "--data-dir", str(paper_dir.parent))
    assert result.returncode == 0, result.stderr
    assert "esc50" in result.stdout
    assert "gtzan" in result.stdout


def test_unknown_vocabulary_lists_the_choices(paper_dir: Path) -> None:
    result = uts("coverage", "freesound", "--data-dir", str(paper_dir.parent))
    assert result.returncode == 1
    assert "audioset" in result.stderr


def test_review_dry_run_reports_bad_rows(tmp_path: Path, paper_dir: Path) -> None:
    sheet = tmp_path / "review.tsv"
    sheet.write_text(
        "subject_id\tpredicate_id\tpredicate_modifier\tobject\tconfidence\tcomment\nGTZAN:blues\tskos:exactMatch\t\tno-such-tag\t1\t\n"
    )
    result = uts("review", "gtzan", str(sheet), "--data-dir", str(paper_dir.parent), "--dry-run")
    assert result.returncode == 1
    assert "review.tsv:2: object 'no-such-tag' is no UTS label or ID" in result.stderr


def test_suggest_keeps_reviewed_rows(tmp_path: Path, paper_dir: Path) -> None:
    root = tmp_path / "src"
    for sub in ("ontology", "mappings"):
        shutil.copytree(REPO / sub, root / sub)
    path = root / "mappings" / "gtzan.sssom.tsv"
    lines = path.read_text().splitlines(keepends=True)
    # Drop the reviewed rows of one class: the suggester must fill in only that class.
    kept = [line for line in lines if not line.startswith("GTZAN:jazz\t")]
    path.write_text("".join(kept))
    result = uts("suggest", "gtzan", "--data-dir", str(paper_dir.parent), "--root", str(root), "--no-embeddings")
    assert result.returncode == 0, result.stderr
    after = path.read_text().splitlines()
    jazz = [line for line in after if line.startswith("GTZAN:jazz\t")]
    assert jazz
    assert all("semapv:LexicalMatching" in line for line in jazz)
    reviewed_before = [line for line in kept if "semapv:ManualMappingCuration" in line]
    assert [line for line in after if "semapv:ManualMappingCuration" in line] == [
        line.rstrip("\n") for line in reviewed_before
    ]
