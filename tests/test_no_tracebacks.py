"""Every command, fed bad input or a bad file-system state, answers with one clear message and an exit code.

Exit code 2: the command was used wrongly; 1: the data is wrong, missing or unreadable. Never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, RESOURCES

GARBAGE = bytes(range(256)) * 4


def setup_tree(tmp: Path) -> dict[str, Path]:
    """Files in every bad state the table below uses."""
    tiny = tmp / "tiny"
    shutil.copytree(RESOURCES / "tiny", tiny)
    paths = {
        "tiny": tiny,
        "folder": tmp / "a-folder",
        "missing": tmp / "missing.tsv",
        "empty": tmp / "empty.tsv",
        "garbage": tmp / "garbage.bin",
        "latin1": tmp / "latin1.tsv",
        "jsonl_garbage": tmp / "garbage.jsonl",
        "kgcl_garbage": tmp / "garbage.kgcl",
        "unknown_suffix": tmp / "edits.xlsx",
        "blank_jsonl": tmp / "blank.jsonl",
        "records": tmp / "records.jsonl",
        "sheet": tmp / "sheet.tsv",
        "bad_author_edits": tmp / "author.jsonl",
    }
    paths["folder"].mkdir()
    paths["empty"].write_bytes(b"")
    paths["garbage"].write_bytes(GARBAGE)
    paths["latin1"].write_bytes("id\tdefinition\nUTS:0000006\tcaf\u00e9\n".encode("latin-1"))
    paths["jsonl_garbage"].write_bytes(GARBAGE)
    paths["kgcl_garbage"].write_bytes(b"this is not kgcl\n")
    paths["unknown_suffix"].write_bytes(b"{}")
    paths["blank_jsonl"].write_bytes(b"\n \n")
    paths["sheet"].write_text("id\tdefinition\nUTS:0000006\tA drum.\n", encoding="utf-8")
    paths["bad_author_edits"].write_text(
        '{"op": "add_label", "concept_id": "UTS:0000001", "label": "hound", "scope": "alt", "author": "bob"}\n',
        encoding="utf-8",
    )
    paths["records"].write_bytes(b'{"id": 1, "tags": ["drums"]}\n{"id": 2, "text": "a dog barks"}\n')
    broken = tmp / "broken-root"
    shutil.copytree(RESOURCES / "tiny", broken)
    (broken / "ontology" / "terms.tsv").write_bytes(GARBAGE)
    paths["broken_root"] = broken
    folder_root = tmp / "folder-root"
    shutil.copytree(RESOURCES / "tiny", folder_root)
    (folder_root / "ontology" / "labels.tsv").unlink()
    (folder_root / "ontology" / "labels.tsv").mkdir()
    paths["folder_root"] = folder_root
    return paths


# (name, arguments with {placeholders}, expected exit code)
CASES: list[tuple[str, list[str], int]] = [
    ("validate a missing root", ["validate", "--root", "{missing}"], 1),
    ("validate a file as root", ["validate", "--root", "{garbage}"], 1),
    ("validate binary terms", ["validate", "--root", "{broken_root}"], 1),
    ("validate a folder as a table", ["validate", "--root", "{folder_root}"], 1),
    ("lint --fix a broken root", ["lint", "--fix", "--root", "{broken_root}"], 1),
    ("show on a broken root", ["show", "dog", "--root", "{broken_root}"], 1),
    ("show an unknown label", ["show", "zzzqqq", "--root", "{tiny}"], 1),
    ("stats on a missing root", ["stats", "--root", "{missing}"], 1),
    ("qc on a folder root", ["qc", "--root", "{folder_root}"], 1),
    ("tree with an unknown facet", ["tree", "--facet", "nope", "--root", "{tiny}"], 1),
    ("export into a folder", ["export", "--format", "json", "--output", "{folder}", "--root", "{tiny}"], 1),
    ("export onto a full disk", ["export", "--format", "json", "--output", "/dev/full", "--root", "{tiny}"], 1),
    ("export an unknown format", ["export", "--format", "xlsx", "--output", "{missing}", "--root", "{tiny}"], 2),
    ("curate a missing sheet", ["curate", "{missing}", "--root", "{tiny}"], 1),
    ("curate a folder", ["curate", "{folder}", "--root", "{tiny}"], 1),
    ("curate an empty sheet", ["curate", "{empty}", "--root", "{tiny}"], 1),
    ("curate a binary sheet", ["curate", "{garbage}", "--root", "{tiny}"], 1),
    ("curate a Latin-1 sheet", ["curate", "{latin1}", "--root", "{tiny}"], 1),
    ("curate with a bad author", ["curate", "{sheet}", "--root", "{tiny}", "--author", "bob"], 2),
    ("apply edits with a bad author", ["apply", "{bad_author_edits}", "--root", "{tiny}"], 1),
    ("curate a stale revision", ["curate", "{sheet}", "--root", "{tiny}", "--expect-revision", "0"], 1),
    ("curate into a missing root", ["curate", "{latin1}", "--root", "{missing}"], 1),
    ("apply a missing file", ["apply", "{missing}", "--root", "{tiny}"], 1),
    ("apply an unknown file type", ["apply", "{unknown_suffix}", "--root", "{tiny}"], 1),
    ("apply binary JSON lines", ["apply", "{jsonl_garbage}", "--root", "{tiny}"], 1),
    ("apply unreadable KGCL", ["apply", "{kgcl_garbage}", "--root", "{tiny}"], 1),
    ("history of an unknown label", ["history", "zzzqqq", "--root", "{tiny}"], 1),
    ("revision of a missing root", ["revision", "--root", "{missing}"], 0),
    ("resolve a folder", ["resolve", "-i", "{folder}", "--no-embed"], 1),
    ("resolve into a folder", ["resolve", "-i", "{blank_jsonl}", "-o", "{folder}", "--no-embed"], 2),
    (
        "resolve into a missing folder",
        ["resolve", "-i", "{blank_jsonl}", "-o", "{missing}/x/out.jsonl", "--no-embed"],
        2,
    ),
    ("resolve binary input", ["resolve", "-i", "{jsonl_garbage}", "--no-embed"], 1),
    ("resolve blank input", ["resolve", "-i", "{blank_jsonl}", "--no-embed"], 1),
    ("resolve onto a full disk", ["resolve", "-i", "{records}", "-o", "/dev/full", "--no-embed"], 1),
    ("resolve --resume to stdout", ["resolve", "-i", "{blank_jsonl}", "--resume", "--no-embed"], 2),
    ("resolve a bad limit", ["resolve", "-i", "{blank_jsonl}", "--max-tags", "0", "--no-embed"], 2),
    ("mine gaps in a folder", ["gaps", "mine", "-i", "{folder}", "--no-embed"], 1),
    ("mine gaps in a missing file", ["gaps", "mine", "-i", "{missing}", "--no-embed"], 1),
    ("mine gaps in binary JSON lines", ["gaps", "mine", "-i", "{jsonl_garbage}", "--no-embed"], 1),
    ("mine gaps in blank JSON lines", ["gaps", "mine", "-i", "{blank_jsonl}", "--no-embed"], 1),
    ("mine gaps in an unknown file type", ["gaps", "mine", "-i", "{unknown_suffix}", "--no-embed"], 2),
    (
        "mine gaps onto a full disk",
        ["gaps", "mine", "-i", "{records}", "-o", "/dev/full", "--output-format", "tsv", "--no-embed"],
        1,
    ),
    ("mine gaps into a folder", ["gaps", "mine", "-i", "{records}", "-o", "{folder}", "--no-embed"], 2),
    ("mappings review a missing sheet", ["mappings", "review", "gtzan", "{missing}", "--root", "{tiny}"], 1),
    ("mappings coverage without data", ["mappings", "coverage", "gtzan", "--data-dir", "{missing}"], 1),
    ("import-vocab from a missing folder", ["import-vocab", "--paper-dir", "{missing}", "--root", "{folder}"], 1),
    ("eval without data", ["eval", "resolver", "--no-embed", "--data-dir", "{missing}"], 1),
]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return setup_tree(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(("name", "args", "code"), CASES, ids=[c[0] for c in CASES])
def test_no_traceback(name: str, args: list[str], code: int, tree: dict[str, Path]) -> None:
    filled = [a.format(**{k: str(v) for k, v in tree.items()}) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "uts", *filled],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
        timeout=300,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == code, f"{name}: exit {result.returncode}\n{stderr}"
    if code:
        assert stderr.strip(), "a failure always says why"
        assert len(stderr.strip().splitlines()) < 60, "one clear message, not a flood"


def test_damaged_cache_files_are_rebuilt(tmp_path: Path, uts_cache: Path) -> None:
    """A cache folder of garbage (a truncated download, a full disk earlier) costs time, not a crash."""
    pytest.importorskip("onnxruntime", reason="the encoder cache needs the 'embed' extra")
    shutil.copytree(uts_cache, tmp_path / "cache", dirs_exist_ok=True)
    damaged = list((tmp_path / "cache").glob("*.npy")) + list((tmp_path / "cache").glob("*.onnx"))
    for path in damaged:
        path.write_bytes(b"not what it should be")
    result = subprocess.run(
        [sys.executable, "-m", "uts", "resolve", "--tags", "a barking hound in the distance", "--backend", "onnx"],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "UTS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"},
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
