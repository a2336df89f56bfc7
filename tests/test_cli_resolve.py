"""`uts resolve` and `uts eval resolver` run as real commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SHARED_DATA, needs_embed


def uts(*args: str, cache: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uts", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        input=stdin,
        env={"COLUMNS": "200", "PATH": "", "HOME": str(cache), "UTS_CACHE_DIR": str(cache)},
        check=False,
    )


def test_resolve_prints_a_table(uts_cache: Path) -> None:
    result = uts("resolve", "a dog barks twice, no music", "--no-embed", cache=uts_cache)
    assert result.returncode == 0, result.stderr
    assert "dog" in result.stdout
    assert "bark" in result.stdout
    assert "negated (absent): music" in result.stdout


def test_resolve_raw_tags_with_level(uts_cache: Path) -> None:
    result = uts("resolve", "--tags", "Hi-Fi, church bells, zzqx", "--level", "800", "--no-embed", cache=uts_cache)
    assert result.returncode == 0, result.stderr
    assert "high-fidel" in result.stdout
    assert "rolled up from" in result.stdout
    assert "abstained on 'zzqx'" in result.stdout


def test_resolve_raw_tags_names_every_concept_of_a_multiword_tag(uts_cache: Path) -> None:
    result = uts("resolve", "--tags", "soft female vocal", "--no-embed", cache=uts_cache)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [next(i for i, line in enumerate(lines) if f" {label} " in line) for label in ("vocal", "female", "soft")]
    assert rows == sorted(rows)  # the head first
    assert "'female' modifies vocal" in result.stdout
    assert "'soft' modifies vocal" in result.stdout


@needs_embed
def test_resolve_streams_jsonl_and_counts_malformed_lines(tmp_path: Path, uts_cache: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "A dog barks twice, no music. Possibly a siren.", "clip": "x.wav"},
        {"id": 2, "tags": ["drums", "lofi", "windy", "xqzvt"]},
        "not json",
        {"id": "c"},
        {"id": "d", "tags": "drums"},
        "",
        {"id": "e", "text": "birds chirp near a river"},
    ]
    source.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "out.jsonl"
    result = uts("resolve", "--input", str(source), "--output", str(out), "--top-k", "3", cache=uts_cache)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", 2, "e"]
    first = records[0]
    assert first["clip"] == "x.wav"  # other keys pass through
    assert [t["label"] for t in first["tags"]][:2] == ["dog", "bark"]
    assert [t["label"] for t in first["negated"]] == ["music"]
    assert all(set(t) >= {"id", "label", "score", "method", "span", "negated", "hedged"} for t in first["tags"])
    scores = [t["score"] for t in first["tags"]]
    assert scores == sorted(scores, reverse=True)
    assert {t["label"] for t in records[1]["tags"]} >= {"drums", "lo-fi", "wind"}
    assert [a["text"] for a in records[1]["abstained"]] == ["xqzvt"]
    stderr = " ".join(result.stderr.split())
    assert "in.jsonl:3: not valid JSON" in stderr
    assert "in.jsonl:4: give exactly one of" in stderr
    assert "in.jsonl:5: tags: Input should be a valid list" in stderr
    assert "it was skipped and counted" in stderr
    assert "items 3," in stderr
    assert "malformed lines skipped 3" in stderr
    assert "blank lines 1" in stderr
    assert "abstentions 1" in stderr


def test_resolve_reads_stdin_and_writes_stdout(uts_cache: Path) -> None:
    result = uts(
        "resolve",
        "-i",
        "-",
        "--no-embed",
        "--min-score",
        "0.9",
        cache=uts_cache,
        stdin='{"id": 1, "text": "possibly a dog"}\n',
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["tags"] == []
    assert record["below_min_score"] == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["resolve"], 2, "give a caption"),  # used wrongly
        (["resolve", "--input", "missing.jsonl"], 1, "missing.jsonl: no such file"),  # the data is not there
        (["resolve", "x", "--level", "900"], 2, "unknown level '900'; choose one of 800, 1k"),
        (["resolve", "x", "--backend", "tpu"], 2, "backend: Input should be 'auto', 'onnx', 'onnx-int8' or 'torch'"),
    ],
)
def test_resolve_errors_are_actionable(args: list[str], code: int, message: str, uts_cache: Path) -> None:
    result = uts(*args, cache=uts_cache)
    assert result.returncode == code, result.stderr
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


@needs_embed
def test_eval_resolver_report(tmp_path: Path, uts_cache: Path) -> None:
    if not (SHARED_DATA / "gama_audioset" / "captions_dev.json").exists():
        pytest.skip("the shared data is not beside the repository")
    figures = tmp_path / "eval.json"
    result = uts(
        "eval",
        "resolver",
        "--captions-limit",
        "300",
        "--data-dir",
        str(SHARED_DATA),
        "--json",
        str(figures),
        cache=uts_cache,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(figures.read_text())
    assert all(row["kept"] == row["total"] for row in data["lossless"])
    assert {row["kind"] for row in data["variants"]} == {
        "orthographic",
        "inflection",
        "synonym",
        "typo",
        "hyponym",
        "negated",
        "nonsense",
    }
    systems = [s["system"] for s in data["captions"]["systems"]]
    assert any(s.startswith("paper filter") for s in systems)
    assert any(s.startswith("whole-caption embedding") for s in systems)
    assert data["captions"]["negation"]["negated_as_tags"] == 0
    for system in data["captions"]["systems"]:
        assert 0 <= system["hierarchical"]["f1"] <= 1
    assert "captions: 300 GAMA captions" in " ".join(result.stdout.split())
