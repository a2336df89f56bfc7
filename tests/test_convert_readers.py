"""`uts convert --source sonyc-ust` and `--source jsonl`: SONYC-UST annotations (several annotators per clip, one
rule to agree them) and any JSON lines file, every malformed line reported with its number."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, SHARED_DATA
from uts.errors import UsageError
from uts.ontology.ontology import Ontology

TAXONOMY = SHARED_DATA / "sonyc_ust" / "dcase-ust-taxonomy.yaml"
needs_taxonomy = pytest.mark.skipif(not TAXONOMY.is_file(), reason=f"needs the SONYC-UST taxonomy at {TAXONOMY}")

# The columns of SONYC-UST v2's annotations.csv before the classes (DCASE 2020: v1 lacks borough ... hour).
META = ["split", "sensor_id", "audio_filename", "annotator_id", "borough", "block", "latitude", "longitude", "year",
        "week", "day", "hour"]  # fmt: skip


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    from uts import load_ontology

    return load_ontology()


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class Annotations:
    """An ``annotations.csv`` in v2's layout, its class columns from the real taxonomy: every fine class's
    presence, then its proximity, then every coarse class's presence (coarse computed from fine, as published)."""

    def __init__(self) -> None:
        taxonomy = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
        self.coarse = {str(group): f"{group}_{name}" for group, name in taxonomy["coarse"].items()}
        self.fine = [
            f"{group}-{key}_{name}" for group, names in taxonomy["fine"].items() for key, name in names.items()
        ]
        self.header = [*META, *(f"{f}_presence" for f in self.fine), *(f"{f}_proximity" for f in self.fine),
                       *(f"{c}_presence" for c in self.coarse.values())]  # fmt: skip
        self.lines: list[list[str]] = [self.header]

    def add(self, clip: str, annotator: int, present: frozenset[str] | set[str] = frozenset(), answered: set[str] | None = None,
            split: str = "train") -> int:  # fmt: skip
        """One annotator's row: ``present`` fine classes 1, the rest of the ``answered`` coarse groups (all if
        None) 0, unanswered groups -1 (a SONYC team member tags one group a row). Its line number."""
        assert present <= set(self.fine)

        def value(group: str, on: bool) -> str:
            return "1" if on else "0" if answered is None or group in answered else "-1"

        groups_on = {f.split("-")[0] for f in present}
        cells = [split, "12", clip, str(annotator), "1", "547", "40.72", "-73.99", "2019", "12", "3", "14"]
        cells += [value(f.split("-")[0], f in present) for f in self.fine]
        cells += ["near" if f in present and annotator > 0 else "-1" for f in self.fine]
        cells += [value(group, group in groups_on) for group in self.coarse]
        return self.raw(cells)

    def raw(self, cells: list[str]) -> int:
        self.lines.append(cells)
        return len(self.lines)

    def write(self, path: Path) -> Path:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(self.lines)
        return path

    def curies(self, *fine: str) -> set[str]:
        """The labels a clip with these fine classes gets: them and their coarse classes."""
        return {f"SONYCUST:{f}" for f in fine} | {f"SONYCUST:{self.coarse[f.split('-')[0]]}" for f in fine}


@needs_taxonomy
def test_sonyc_ust_maps_every_class_and_agrees_the_annotators_by_the_rule(ontology: Ontology, tmp_path: Path) -> None:
    from uts.convert.dataset import convert

    ann = Annotations()
    assert (len(ann.coarse), len(ann.fine)) == (8, 29)
    # Every fine class (so every coarse class) present in a clip of its own: three volunteers, one of whom hears it.
    for n, fine in enumerate(ann.fine):
        ann.add(f"cover-{n:02}.wav", 101 + n, {fine})
        ann.add(f"cover-{n:02}.wav", 201 + n)
    # Verified (annotator 0) wins over the team and the volunteers, wherever it comes in the file.
    ann.add("verified.wav", 7, {"1-1_small-sounding-engine", "5-3_siren"}, split="validate")
    ann.add("verified.wav", -1, {"1-2_medium-sounding-engine"}, answered={"1"}, split="validate")
    ann.add("verified.wav", -2, {"1-3_large-sounding-engine"}, answered={"1"}, split="validate")
    # Without verified rows, the team decides: present when the members who answered agree.
    ann.add("team.wav", 8, {"6-1_stationary-music"}, split="validate")
    ann.add("team.wav", -1, {"7-1_person-or-small-group-talking"}, answered={"7"}, split="validate")
    ann.add("team.wav", -2, {"7-1_person-or-small-group-talking", "7-2_person-or-small-group-shouting"},
            answered={"7"}, split="validate")  # fmt: skip
    ann.add("team.wav", -1, {"5-3_siren"}, answered={"5"}, split="validate")
    # Volunteers only: present when at least one marked it; a -1 never cancels a 1.
    ann.add("crowd.wav", 9, {"2-2_jackhammer"})
    ann.add("crowd.wav", 10)
    ann.add("crowd.wav", 11, {"4-1_chainsaw"}, answered={"4"})
    ann.add("verified.wav", 0, {"1-2_medium-sounding-engine"}, split="validate")  # last, after the rest
    # Malformed rows: reported with their line, the clip labelled from its other rows.
    short = ann.raw(["train", "12", "short.wav", "5"])
    fine_at = len(META)
    bad_cells = ann.add("fallback.wav", 0, split="validate")
    ann.lines[-1][fine_at] = "yes"  # its verified row is unreadable: the volunteer's row decides
    ann.add("fallback.wav", 12, {"5-1_car-horn"}, split="validate")
    no_clip = ann.add("", 13, {"8-1_dog-barking-whining"})
    bad_annotator = ann.add("crowd.wav", 14, {"6-2_mobile-music"})
    ann.lines[-1][META.index("annotator_id")] = "anon"
    source = ann.write(tmp_path / "annotations.csv")

    output = tmp_path / "out.jsonl"
    report = convert("sonyc-ust", source, output, ontology)
    clips = [f"cover-{n:02}.wav" for n in range(29)] + ["verified.wav", "team.wav", "crowd.wav", "fallback.wav"]
    assert [(m.line, m.problem) for m in report.malformed] == [
        (short, f"expected {len(ann.header)} cells, got 4"),
        (bad_cells, "presence not 1, 0 or -1: 1-1_small-sounding-engine_presence 'yes'"),
        (no_clip, "no audio_filename"),
        (bad_annotator, "annotator_id 'anon' is not an integer"),
    ]
    assert (report.rows_read, report.rows_written, report.malformed_rows) == (len(clips) + 4, len(clips), 4)
    assert report.unmapped == []
    assert report.clips_without_tag == 0
    assert report.labels_mapped == report.labels_read
    written = rows(output)
    assert [r["id"] for r in written] == clips  # in order of first appearance
    assert all(r["concept_ids"] for r in written)
    labels = {str(r["id"]): set(r["source_labels"]) for r in written}  # type: ignore[call-overload]
    every = {f"SONYCUST:{name}" for name in [*ann.fine, *ann.coarse.values()]}
    assert set().union(*labels.values()) == every
    for n, fine in enumerate(ann.fine):
        assert labels[f"cover-{n:02}.wav"] == ann.curies(fine)
    assert labels["verified.wav"] == ann.curies("1-2_medium-sounding-engine")
    assert labels["team.wav"] == ann.curies("7-1_person-or-small-group-talking", "5-3_siren")
    assert labels["crowd.wav"] == ann.curies("2-2_jackhammer", "4-1_chainsaw")
    assert labels["fallback.wav"] == ann.curies("5-1_car-horn")
    verified = next(r for r in written if r["id"] == "verified.wav")
    assert verified["tags"] == ["engine"]  # fine and coarse class give one concept, once


@needs_taxonomy
def test_sonyc_ust_clip_with_nothing_present_is_written_untagged_and_strict_fails(
    ontology: Ontology, tmp_path: Path
) -> None:
    from uts.convert.dataset import MalformedRowError, convert

    ann = Annotations()
    ann.add("quiet.wav", 0, split="test")
    ann.add("quiet.wav", 4, {"8-1_dog-barking-whining"}, split="test")  # the verified row says nothing was heard
    ann.add("dog.wav", 5, {"8-1_dog-barking-whining"})
    source = ann.write(tmp_path / "annotations.csv")
    report = convert("sonyc-ust", source, tmp_path / "out.jsonl", ontology)
    assert (report.rows_written, report.clips_without_tag, report.malformed_rows) == (2, 1, 0)
    quiet, dog = rows(tmp_path / "out.jsonl")
    assert (quiet["id"], quiet["source_labels"], quiet["tags"]) == ("quiet.wav", [], [])
    assert "dog" in dog["tags"]  # type: ignore[operator]

    bad = ann.add("dog.wav", 6, {"8-1_dog-barking-whining"})
    ann.lines[-1][-1] = "2"
    ann.write(source)
    strict_out = tmp_path / "strict.jsonl"
    with pytest.raises(MalformedRowError, match=f"line {bad}: presence not 1, 0 or -1: 8_dog_presence '2'"):
        convert("sonyc-ust", source, strict_out, ontology, strict=True)
    assert not strict_out.exists()


@pytest.mark.parametrize(
    ("header", "lacks"),
    [
        ("filename,fold,category", "audio_filename, annotator_id, any <class>_presence column"),
        ("audio_filename,annotator_id,engine", "any <class>_presence column"),
        ("split,audio_filename,1_engine_presence", "annotator_id"),
        ("", "audio_filename, annotator_id, any <class>_presence column"),
    ],
)
def test_sonyc_ust_refuses_a_file_that_is_not_its_annotations(
    ontology: Ontology, tmp_path: Path, header: str, lacks: str
) -> None:
    from uts.convert.dataset import convert

    source = tmp_path / "other.csv"
    source.write_text(f"{header}\n" if header else "", encoding="utf-8")
    with pytest.raises(UsageError, match=f"header lacks {lacks}") as caught:
        convert("sonyc-ust", source, tmp_path / "out.jsonl", ontology)
    assert "--source csv" in str(caught.value)  # what to do instead
    assert not (tmp_path / "out.jsonl").exists()


@needs_taxonomy
def test_sonyc_ust_on_the_command_line(tmp_path: Path) -> None:
    ann = Annotations()
    ann.add("a.wav", 1, {"5-3_siren"})
    ann.add("a.wav", 2, {"5-1_car-horn"})
    ann.add("b.wav", -1, {"7-3_large-crowd"}, answered={"7"}, split="validate")
    bad = ann.raw(["train", "12"])
    source = ann.write(tmp_path / "annotations.csv")
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "uts", "convert", "--source", "sonyc-ust", "--input", str(source), "--output",
         str(output)],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 of 3 rows written" in done.stdout
    assert f"malformed line {bad}: expected {len(ann.header)} cells, got 2" in done.stdout
    written = rows(output)
    assert [r["id"] for r in written] == ["a.wav", "b.wav"]
    assert set(written[0]["source_labels"]) == ann.curies("5-3_siren", "5-1_car-horn")  # type: ignore[call-overload]
    assert json.loads(output.with_name("out.jsonl.report.json").read_text())["unmapped"] == []


JSONL = [
    b'{"id": "a.wav", "labels": ["dog", "rooster"], "split": 1}\n',  # 1: a list
    b'{"id": "b.wav", "labels": "pig|cow"}\r\n',  # 2: a string, split by the separator
    b"\n",  # 3: blank, skipped
    b'{"id": 7, "labels": " cat "}\n',  # 4: an integer ID
    b"not json\n",  # 5
    b'["c.wav", "dog"]\n',  # 6
    b'{"labels": ["dog"]}\n',  # 7
    b'{"id": "d.wav", "labels": 3}\n',  # 8
    b'{"id": "e.wav", "labels": ["dog", 5]}\n',  # 9
    b'{"id": null, "labels": ["dog"]}\n',  # 10
    b'{"id": "f.wav", "labels": []}\n',  # 11
    b'{"id": "g\xff.wav", "labels": ["dog"]}\n',  # 12
    b'{"id": "h.wav", "labels": ["hen"]}',  # 13: no newline at the end
]


def test_jsonl_reads_lists_and_separated_strings_and_reports_each_bad_line(ontology: Ontology, tmp_path: Path) -> None:
    from uts.convert.dataset import MalformedRowError, convert

    source = tmp_path / "mine.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + b"".join(JSONL))  # a byte order mark too
    output = tmp_path / "out.jsonl"
    options: dict[str, Any] = {
        "clip_column": "id",
        "label_column": "labels",
        "prefix": "ESC50",
        "separator": "|",
    }
    report = convert("jsonl", source, output, ontology, **options)
    assert [(m.line, m.problem) for m in report.malformed] == [
        (5, "not JSON: Expecting value at column 1"),
        (6, "an array of strings, not a JSON object"),
        (7, "no field 'id'"),
        (8, "labels is a number, not a string or a list of strings"),
        (9, "labels is an array holding a number, not a string or a list of strings"),
        (10, "id is null, not a string"),
        (11, "no labels"),
        (12, "not UTF-8 (byte 10 of the line)"),
    ]
    assert (report.rows_read, report.rows_written, report.unmapped) == (12, 4, [])
    written = rows(output)
    assert [(r["id"], r["source_labels"], r["tags"]) for r in written] == [
        ("a.wav", ["ESC50:dog", "ESC50:rooster"], ["dog", "rooster"]),
        ("b.wav", ["ESC50:pig", "ESC50:cow"], ["pig", "cow"]),
        ("7", ["ESC50:cat"], ["cat"]),
        ("h.wav", ["ESC50:hen"], ["chicken"]),
    ]
    strict_out = tmp_path / "strict.jsonl"
    with pytest.raises(MalformedRowError, match="line 5: not JSON"):
        convert("jsonl", source, strict_out, ontology, strict=True, **options)
    assert not strict_out.exists()


def test_jsonl_without_a_separator_keeps_a_string_whole_and_needs_its_columns(
    ontology: Ontology, tmp_path: Path
) -> None:
    from uts.convert.dataset import convert

    source = tmp_path / "mine.jsonl"
    source.write_text('{"clip": "a.wav", "class": "dog"}\n{"clip": "b.wav", "class": "dog|cat"}\n', encoding="utf-8")
    report = convert("jsonl", source, tmp_path / "out.jsonl", ontology, clip_column="clip", label_column="class",
                     prefix="ESC50")  # fmt: skip
    assert [u.label for u in report.unmapped] == ["ESC50:dog|cat"]
    with pytest.raises(UsageError, match="--source jsonl needs --id-column, --label-column and --prefix"):
        convert("jsonl", source, tmp_path / "out.jsonl", ontology, clip_column="clip", label_column="class")


def test_jsonl_on_the_command_line_and_strict(tmp_path: Path) -> None:
    source = tmp_path / "mine.jsonl"
    source.write_text('{"id": "a.wav", "labels": ["dog"]}\n{"id": "b.wav"}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "uts", "convert", "--source", "jsonl", "--input", str(source), "--output",
               str(output), "--id-column", "id", "--label-column", "labels", "--prefix", "ESC50"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert "1 of 2 rows written" in done.stdout
    assert "malformed line 2: no field 'labels'" in done.stdout
    output.unlink()
    strict = subprocess.run([*command, "--strict"], capture_output=True, text=True, cwd=REPO, check=False)
    assert strict.returncode != 0
    assert "line 2: no field 'labels'" in strict.stderr
    assert not output.exists()
