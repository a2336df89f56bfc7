"""Regression tests for the defects a reliability review found: each must stay fixed.

Numbers refer to the list in the reliability issue (1: output onto the input, ..., 10: contradicting review rows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

from uts.errors import SourceError, StorageError
from uts.io import atomic
from uts.ontology import load_ontology
from uts.ontology.apply import EditError, apply_edits
from uts.ontology.edits import AddLabel, Merge, SetField
from uts.ontology.load import validate_root
from uts.resolve import Resolver
from uts.resolve.resolver import negated_suffix
from uts.store import FileStore

from .conftest import REPO, RESOURCES

A = "utsteam:tester"


def uts(*args: str, cwd: Path = REPO, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "uts", *args],
        capture_output=True,
        cwd=cwd,
        input=stdin,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_ontology(), embed=False)


# ---- 1. the output is never the input, and nothing is opened for writing before the input is read --------------


def test_output_onto_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "tags": ["drums"]}\n', encoding="utf-8")
    before = source.read_bytes()
    result = uts("resolve", "-i", str(source), "-o", str(source), "--no-embed")
    assert result.returncode == 2
    assert b"is the input file" in result.stderr
    assert source.read_bytes() == before
    link = tmp_path / "same.jsonl"
    link.symlink_to(source)
    assert uts("resolve", "-i", str(source), "-o", str(link), "--no-embed").returncode == 2
    assert source.read_bytes() == before


def test_a_failing_input_never_clobbers_an_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    missing = uts("resolve", "-i", str(tmp_path / "missing.jsonl"), "-o", str(out), "--no-embed")
    assert missing.returncode == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    nothing = uts("resolve", "-i", str(empty), "-o", str(out), "--no-embed")
    assert nothing.returncode == 1
    assert b"holds no records" in nothing.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "out.jsonl"]  # no partial left behind


# ---- 2 and 3. one bad record never costs the others -------------------------------------------------------------


def test_lone_surrogates_and_bad_bytes_are_skipped_and_counted(tmp_path: Path) -> None:
    lines = [
        b'{"id": 1, "tags": ["drums"]}',
        b'{"id": 2, "tags": ["\\udcff"]}',  # valid JSON, not valid Unicode
        b'{"id": 3, "text": "caf\xe9 music"}',  # Latin-1, not UTF-8
        b'{"id": 4, "text": "a dog barks"}',
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    result = uts("resolve", "-i", str(source), "-o", str(out), "--no-embed")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [1, 4]
    stderr = result.stderr.decode()
    assert "in.jsonl:2: tags[0] holds '\\udcff' (U+DCFF), a lone surrogate" in stderr
    assert "in.jsonl:3: not UTF-8 (byte 0xE9 at byte 23)" in stderr
    assert "malformed lines skipped 2" in stderr
    # The same bytes through standard input: reported the same way, and the output is valid UTF-8.
    piped = uts("resolve", "-i", "-", "--no-embed", stdin=source.read_bytes())
    assert piped.returncode == 0
    assert [json.loads(line)["id"] for line in piped.stdout.decode("utf-8").splitlines()] == [1, 4]
    assert b"<stdin>:3: not UTF-8" in piped.stderr


def test_strict_stops_at_the_first_bad_line_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "tags": ["drums"]}\n{"id": 2\n{"id": 3, "tags": ["bass"]}\n')
    out = tmp_path / "out.jsonl"
    result = uts("resolve", "-i", str(source), "-o", str(out), "--no-embed", "--strict")
    assert result.returncode == 1
    assert b"in.jsonl:2: not valid JSON" in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial*"))


def test_records_over_a_limit_are_skipped(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    long_line = json.dumps({"id": 2, "text": "x " * 600})
    source.write_text(
        json.dumps({"id": 1, "tags": ["a"] * 3}) + "\n" + long_line + "\n" + json.dumps({"id": 3, "tags": ["drums"]}),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = uts(
        "resolve", "-i", str(source), "-o", str(out), "--no-embed", "--max-tags", "2", "--max-record-bytes", "1000"
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [3]
    assert b"in.jsonl:1: 3 tags, over the limit of 2" in result.stderr
    assert b"in.jsonl:2: the line is longer than the limit of 1,000 bytes" in result.stderr


# ---- 4. no input costs more than in proportion to its length ------------------------------------------------------


def test_the_negation_suffix_scan_agrees_with_the_old_expression() -> None:
    import random
    import re

    old = re.compile(r"^(.+?)(?:[\s_:]+|[\s_:]*-)(?:none|absent|missing|free)$")
    rng = random.Random(7)
    alphabet = "ab -_:\t\u00a0\u2003"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        text += rng.choice(["none", "free", "absent", "missing", "fre", "x", ""])
        found = old.match(text)
        assert negated_suffix(text) == (found.span(1) if found else None), repr(text)


@pytest.mark.parametrize("filler", [" ", "_", ":", "\t", "word "])
def test_a_megabyte_tag_resolves_in_linear_time(filler: str, resolver: Resolver) -> None:
    # The quadratic expression took over a minute on x + 100,000 spaces + y; a linear pass takes well under a
    # second. The bound is generous on purpose: it catches a return of super-linear work, not a slow machine.
    tag = "x" + filler * (1_000_000 // len(filler)) + "y none"
    done = threading.Event()
    threading.Thread(target=lambda: (resolver.resolve_tag(tag), done.set()), daemon=True).start()
    assert done.wait(timeout=10), "resolving a 1 MB tag must not take time in the square of its length"


# ---- 5. decomposed Unicode ---------------------------------------------------------------------------------------


def test_a_caption_in_decomposed_unicode_is_read_as_composed(resolver: Resolver) -> None:
    caption = unicodedata.normalize("NFD", "a pi\u00e1no melody with guitar and drums")
    assert caption != unicodedata.normalize("NFC", caption)
    result = resolver.resolve_text(caption)
    assert {"melody", "guitar", "drums"} <= {m.label for m in result.tags}
    assert result.negated == ()
    assert resolver.resolve_tag(unicodedata.normalize("NFD", "Caf\u00e9 music")).label == "music"  # type: ignore[union-attr]


# ---- 6 and 7 are covered in test_cli.py (lint --fix refuses) and test_curate.py (whole rows, sheet errors) --------


# ---- 8. a change to several files lands whole or not at all -------------------------------------------------------


def test_a_write_failure_in_the_middle_of_a_merge_changes_no_file(
    tiny_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tiny_root)
    before = {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")}
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the third file of the change: two are already in place
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(StorageError, match="No space left on device\\); nothing was changed"):
        store.apply([Merge(concept_id="UTS:0000001", into="UTS:0000005", author=A)])
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert calls["n"] >= 3
    assert {p: p.read_bytes() for p in tiny_root.rglob("*.tsv")} == before
    assert not [p for p in tiny_root.rglob("*") if p.name.endswith((".tmp", ".old"))]
    assert validate_root(tiny_root)[1] == []


# ---- 9. control characters -----------------------------------------------------------------------------------------


def test_control_characters_are_refused_in_edits_sheets_and_sources(tiny_root: Path, tmp_path: Path) -> None:
    tiny = load_ontology(RESOURCES / "tiny")
    with pytest.raises(EditError, match="control character U\\+0007"):
        apply_edits(tiny, [SetField(concept_id="UTS:0000001", field="definition", value="A dog\x07.", author=A)])
    with pytest.raises(EditError, match="control character U\\+000A"):
        apply_edits(tiny, [AddLabel(concept_id="UTS:0000001", label="hound\ndog", scope="alt", author=A)])
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("id\tdefinition\nUTS:0000006\tA drum\x1b[31m.\n", encoding="utf-8")
    refused = uts("curate", str(sheet), "--root", str(tiny_root))
    assert refused.returncode == 1
    assert b"control character U+001B" in refused.stderr
    terms = tiny_root / "ontology" / "terms.tsv"
    terms.write_text(
        terms.read_text(encoding="utf-8").replace("A domestic canine", "A domestic\x0c canine"), encoding="utf-8"
    )
    problems = [str(p) for p in validate_root(tiny_root)[1]]
    assert any("terms.tsv:2: holds the control character U+000C" in p for p in problems), problems


def test_one_bad_byte_reports_its_cause_not_a_cascade(tiny_root: Path) -> None:
    terms = tiny_root / "ontology" / "terms.tsv"
    terms.write_bytes(terms.read_bytes().replace(b"A domestic canine", b"A domestic \xff canine"))
    problems = validate_root(tiny_root)[1]
    assert len(problems) == 1, [str(p) for p in problems]  # not one per label and published tag of the lost file
    assert problems[0].file.endswith("terms.tsv")
    assert problems[0].line == 2
    assert problems[0].message.startswith("byte 0xFF at column ")
    assert problems[0].fix == "save the file as UTF-8"


def test_a_missing_sheet_or_a_folder_is_an_error(tiny_root: Path, tmp_path: Path) -> None:
    from uts.store.curate import apply_sheet

    with pytest.raises(SourceError, match="file is missing"):
        apply_sheet(FileStore(tiny_root), tmp_path / "nope.tsv")
    with pytest.raises(SourceError, match="is a folder"):
        apply_sheet(FileStore(tiny_root), tmp_path)
