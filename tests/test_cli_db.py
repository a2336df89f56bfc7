"""The database commands as users run them: `uts db`, `uts show/curate --db`, `uts release`, `uts diff`,
`uts migrate-labels` and `uts migrate-indices`, each a real subprocess on a real SQLite file; and a release
killed midway, which must leave nothing behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import RESOURCES

TINY = str(RESOURCES / "tiny")


def uts(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uts", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": os.environ.get("PATH", "")},
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_working_copy_round_trip(tmp_path: Path) -> None:
    assert "schema at revision" in ok(uts("db", "upgrade", cwd=tmp_path))
    assert (tmp_path / "uts.db").exists()  # the default: uts.db in the working directory
    assert "loaded UTS 0.0.1" in ok(uts("db", "load", "--root", TINY, cwd=tmp_path))
    again = uts("db", "load", "--root", TINY, cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds a working copy" in again.stderr
    shown = ok(uts("show", "dog", "--db", "sqlite:///uts.db", cwd=tmp_path))
    assert "revision" in shown
    assert "1 (pass --expect-revision 1" in shown
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("id\tdefinition\nUTS:0000001\tA domestic dog.\n")
    assert "now at revision 2" in ok(uts("curate", str(sheet), "--db", "sqlite:///uts.db", "--expect-revision", "1",
                                        cwd=tmp_path))  # fmt: skip
    stale = uts("curate", str(sheet), "--db", "sqlite:///uts.db", "--expect-revision", "1", cwd=tmp_path)
    assert stale.returncode == 1
    assert "conflict:" in stale.stderr
    assert "UTS:0000001" in stale.stderr
    history = json.loads(ok(uts("history", "dog", "--db", "sqlite:///uts.db", "--json", cwd=tmp_path)))
    assert [h["edit"]["op"] for h in history] == ["set_field"]
    ok(uts("db", "dump", "--output", "out", cwd=tmp_path))
    assert "A domestic dog." in (tmp_path / "out" / "ontology" / "terms.tsv").read_text()
    ok(uts("db", "dump", "--output", "orig", "--release", "0.0.1", cwd=tmp_path))
    assert (tmp_path / "orig" / "ontology" / "terms.tsv").read_bytes() == (
        RESOURCES / "tiny" / "ontology" / "terms.tsv"
    ).read_bytes()


def test_release_diff_and_migrate(tmp_path: Path) -> None:
    ok(uts("db", "load", "--root", TINY, cwd=tmp_path))
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("id\tlabel\nUTS:0000001\tdomestic dog\n")
    ok(uts("curate", str(sheet), "--db", "sqlite:///uts.db", cwd=tmp_path))
    released = ok(uts("release", "0.1.0", "--notes", "dog renamed", cwd=tmp_path))
    assert "released UTS 0.1.0" in released
    assert (tmp_path / "releases" / "0.1.0" / "uts.ttl").is_file()
    assert "nothing to release" in ok(uts("release", "0.2.0", "--notes", "again", cwd=tmp_path))
    assert not (tmp_path / "releases" / "0.2.0").exists()
    listed = ok(uts("db", "releases", cwd=tmp_path))
    assert "0.0.1" in listed
    assert "0.1.0" in listed
    text = ok(uts("diff", "0.0.1", "0.1.0", cwd=tmp_path))
    assert text.startswith("UTS 0.0.1 -> 0.1.0: 1 relabelled")
    markdown = ok(uts("diff", "0.0.1", "0.1.0", "--format", "markdown", cwd=tmp_path))
    assert markdown.startswith("## UTS 0.1.0 (changes since 0.0.1)")
    source = tmp_path / "clips.csv"
    source.write_text("clip,labels\na,dog;barks\nb,nothing known\n")
    migrated = ok(uts("migrate-labels", "clips.csv", "clips.new.csv", "--from", "0.0.1", "--to", "0.1.0", "--sep", ";",
                      cwd=tmp_path))  # fmt: skip
    assert "2 rows read, 2 written" in migrated
    assert "kept out 1x: 'nothing known' (unknown)" in migrated
    assert (tmp_path / "clips.new.csv").read_text() == "clip,labels\na,dog;barks\nb,\n"
    table = ok(uts("migrate-indices", "--from", "0.0.1", "--to", "0.1.0", "--level", "800", cwd=tmp_path))
    assert table.splitlines()[0] == "old_index\tconcept_id\tnew_index\tnew_concept_id\toutcome\tconsider"
    paper = uts("migrate-indices", "--from", "paper:0.0.1", "--to", "0.1.0", "--level", "800", cwd=tmp_path)
    assert paper.returncode == 0, paper.stderr
    bad = uts("migrate-labels", "clips.csv", "clips.csv", "--from", "0.0.1", "--to", "0.1.0", cwd=tmp_path)
    assert bad.returncode == 2
    assert "would overwrite the input" in bad.stderr
    unknown = uts("diff", "0.0.1", "9.9.9", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no UTS release has the version '9.9.9'" in unknown.stderr


def test_database_errors_are_clear(tmp_path: Path) -> None:
    empty = uts("show", "dog", "--db", "sqlite:///nothing.db", cwd=tmp_path)
    assert empty.returncode == 2
    assert "uts db upgrade --db sqlite:///nothing.db" in empty.stderr
    bad = uts("db", "releases", "--db", "mysql://x@y/z", cwd=tmp_path)
    assert bad.returncode == 2
    assert "'mysql' databases are not supported" in bad.stderr
    unreachable = uts("db", "upgrade", "--db", "postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path)
    assert unreachable.returncode == 1
    assert "Traceback" not in unreachable.stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_release_stopped_midway_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    """Stop `uts release` at several moments while it writes its files: either the release is whole (in the
    database and on disk) or there is no trace of it; a later release cleans up and succeeds."""
    ok(uts("db", "load", "--root", str(Path(__file__).resolve().parents[1]), cwd=tmp_path))
    sheet = tmp_path / "sheet.tsv"
    sheet.write_text("id\tdefinition\nUTS:0000001\tElectronic music and sounds.\n")
    ok(uts("curate", str(sheet), "--db", "sqlite:///uts.db", cwd=tmp_path))
    stopped = 0
    finished = False
    for delay in (2.0, 3.5, 5.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "uts", "release", "1.2.0", "--notes", "n"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(sig)
            stopped += 1
        process.communicate(timeout=120)
        with sqlite3.connect(tmp_path / "uts.db") as conn:
            versions = [v for (v,) in conn.execute("SELECT version FROM release")]
        final = tmp_path / "releases" / "1.2.0"
        if "1.2.0" in versions:  # it finished before the signal: whole
            assert (final / "uts.owl").is_file()
            finished = True
            break
        assert not final.exists(), f"a partial release after {sig.name} at {delay}s"
        if sig is signal.SIGTERM:  # a clean stop removes its work folder too
            assert not list((tmp_path / "releases").glob(".1.2.0.partial-*"))
    assert stopped, "the release finished before any signal: nothing was tested"
    if not finished:  # the stopped attempts left nothing in the way of the next one
        result = ok(uts("release", "1.2.0", "--notes", "n", cwd=tmp_path))
        assert "released UTS 1.2.0" in result
    assert (tmp_path / "releases" / "1.2.0" / "uts.owl").is_file()
    assert not list((tmp_path / "releases").glob(".1.2.0.partial-*"))
