"""`uts convert`: legacy-labelled datasets to UTS tags by the reviewed mapping sets, on the real published files."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from uts.errors import UsageError
from uts.ontology.ontology import Ontology

DATA = REPO.parent / "shared" / "data"
needs_data = pytest.mark.skipif(not (DATA / "audioset").is_dir(), reason=f"needs the shared data folder at {DATA}")


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    from uts import load_ontology

    return load_ontology()


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@needs_data
@pytest.mark.parametrize(("name", "count"), [("eval_segments.csv", 20371), ("balanced_train_segments.csv", 22160)])
def test_audioset_segments_map_every_class_and_tag_every_clip(
    ontology: Ontology, tmp_path: Path, name: str, count: int
) -> None:
    """Both layouts (Google's with comment lines and ', ', and a plain CSV); all 527 classes mapped."""
    from uts.convert.dataset import convert, report_file

    output = tmp_path / "out.jsonl"
    report = convert("audioset", DATA / "audioset" / name, output, ontology)
    assert (report.rows_read, report.rows_written, report.malformed_rows) == (count, count, 0)
    assert report.unmapped == []
    assert report.labels_mapped == report.labels_read
    assert report.clips_without_tag == 0
    written = rows(output)
    assert len(written) == count
    assert all(r["concept_ids"] for r in written)
    with open(DATA / "audioset" / "class_labels_indices.csv", encoding="utf-8") as handle:
        classes = {f"AudioSet:{r['mid']}" for r in csv.DictReader(handle)}
    assert {label for r in written for label in r["source_labels"]} == classes  # type: ignore[attr-defined]
    assert json.loads(report_file(output).read_text())["rows_written"] == count
    # Every tag says which legacy class and which mapping predicate produced it.
    first = written[0]
    assert len(first["provenance"]) == len(first["concept_ids"])  # type: ignore[arg-type]
    for tag in first["provenance"]:  # type: ignore[attr-defined]
        assert tag["source"] in first["source_labels"]  # type: ignore[operator]
        assert tag["predicate"] in ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch")


@needs_data
def test_a_level_leaves_some_classes_without_tag_and_says_which(ontology: Ontology, tmp_path: Path) -> None:
    from uts.convert.dataset import convert
    from uts.ontology.model import Level

    output = tmp_path / "out.jsonl"
    report = convert("audioset", DATA / "audioset" / "balanced_train_segments.csv", output, ontology, level=Level.L1_5K)
    written = rows(output)
    assert len(written) == report.rows_written == 22160  # every row written once, tagged or not
    untagged = [r for r in written if not r["concept_ids"]]
    assert report.clips_without_tag == len(untagged) > 0
    names = {u.name for u in report.unmapped}
    assert {"Clock", "Zipper (clothing)"} <= names  # sounds of household objects with no ancestor inside 1.5k
    assert all("has no ancestor in level 1.5k" in u.reason for u in report.unmapped)
    assert sum(u.count for u in report.unmapped) == report.labels_read - report.labels_mapped
    level = {c.id for c in ontology.in_level(Level.L1_5K)}
    assert all(set(r["concept_ids"]) <= level for r in written)  # type: ignore[arg-type]
    rolled = [p for r in written for p in r["provenance"] if "rolled_up_from" in p]  # type: ignore[attr-defined]
    assert rolled
    assert all(p["rolled_up_from"] not in level for p in rolled)


@needs_data
@pytest.mark.parametrize(
    ("source", "path", "count"),
    [
        ("esc50", "esc50/esc50.csv", 2000),
        ("urbansound8k", "urbansound8k/UrbanSound8K.csv", 8732),
        ("mtg-jamendo", "mtg_jamendo/autotagging_instrument.tsv", 25135),
        ("mtg-jamendo", "mtg_jamendo/autotagging_moodtheme.tsv", 18486),
        ("mtg-jamendo", "mtg_jamendo/splits/split-0/autotagging_genre-train.tsv", 32572),
    ],
)
def test_esc50_urbansound8k_and_mtg_jamendo_convert_with_full_coverage(
    ontology: Ontology, tmp_path: Path, source: str, path: str, count: int
) -> None:
    from uts.convert.dataset import convert

    report = convert(source, DATA / path, tmp_path / "out.jsonl", ontology)
    assert (report.rows_written, report.clips_without_tag, report.unmapped) == (count, 0, [])
    assert report.paper_filter.labels_dropped > 0  # the exact-string filter loses what the mappings keep


def test_predicates_decide_what_becomes_a_tag(ontology: Ontology) -> None:
    """exact/close/broader -> the concept; narrower and related never; Not rows never."""
    from uts.convert.mapper import LegacyMapper

    mapper = LegacyMapper(ontology)
    dog = mapper.map("ESC50:dog")  # exactMatch dog, narrowMatch bark
    assert [t.label for t in dog.tags] == ["dog"]
    assert dog.tags[0].predicate == "skos:exactMatch"
    broad = mapper.map("US8K:air_conditioner")  # only a broadMatch
    assert broad.tags
    assert {t.predicate for t in broad.tags} == {"skos:broadMatch"}
    unknown = mapper.map("ESC50:no_such_class")
    assert not unknown.tags
    assert unknown.reason == "no mapping row for this class"
    for mapping_set in ontology.mappings.values():
        for row in mapping_set.rows:
            if row.negated or row.predicate_id in ("skos:narrowMatch", "skos:relatedMatch"):
                assert row.object_id not in {t.concept_id for t in mapper.map(row.subject_id).tags if
                                             t.predicate == row.predicate_id}  # fmt: skip


def test_malformed_rows_are_counted_with_line_numbers_and_strict_writes_nothing(
    ontology: Ontology, tmp_path: Path
) -> None:
    from uts.convert.dataset import MalformedRowError, convert

    source = tmp_path / "segments.csv"
    source.write_text(
        "# Segments csv created Sun Mar  5 10:54:25 2017\n"
        "YTID, start_seconds, end_seconds, positive_labels\n"
        '--4gqARaEJE, 0.000, 10.000, "/m/068hy,/m/07q6cd_"\n'
        "broken line without labels\n"
        '--BfvyPmVMo, abc, 30.000, "/m/03l9g"\n'
        '--CfvyPmVMo, 20.000, 30.000, "dog"\n'
        '--DfvyPmVMo, 20.000, 30.000, "/m/03l9g"\n',
        encoding="utf-8",
    )
    output = tmp_path / "out.jsonl"
    report = convert("audioset", source, output, ontology)
    assert (report.rows_read, report.rows_written, report.malformed_rows) == (5, 2, 3)
    assert [m.line for m in report.malformed] == [4, 5, 6]
    assert "start_seconds 'abc' is not a number" in report.malformed[1].problem
    strict_out = tmp_path / "strict.jsonl"
    with pytest.raises(MalformedRowError, match="line 4"):
        convert("audioset", source, strict_out, ontology, strict=True)
    assert not strict_out.exists()  # atomic: nothing half-written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_generic_csv_and_the_command_line(ontology: Ontology, tmp_path: Path) -> None:
    source = tmp_path / "mine.csv"
    source.write_text("clip,labels\na.wav,dog|rooster\nb.wav,pig\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "uts", "convert", "--source", "csv", "--input", str(source), "--output", str(output),
         "--id-column", "clip", "--label-column", "labels", "--prefix", "ESC50", "--separator", "|"],
        capture_output=True, text=True, cwd=REPO, check=False, env={**os.environ, "UTS_PROGRESS": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 of 2 rows written" in done.stdout
    assert "converting" in done.stderr  # the progress bar (on a terminal, or asked for)
    assert "2 rows" in done.stderr
    written = rows(output)
    assert [r["tags"] for r in written] == [["dog", "rooster"], ["pig"]]
    missing = subprocess.run(
        [sys.executable, "-m", "uts", "convert", "--source", "csv", "--input", str(source), "--output", str(output)],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    assert missing.returncode != 0
    assert "--id-column, --label-column and --prefix" in missing.stderr


@needs_data
def test_csv_and_multihot_outputs_agree_with_the_jsonl(ontology: Ontology, tmp_path: Path) -> None:
    """The same conversion in three formats: CSV cells and the multi-hot rows (by the level's stable class
    indices) say what the JSONL says, clip for clip."""
    import numpy as np

    from uts.convert.dataset import convert
    from uts.convert.formats import Format
    from uts.ontology.layouts import read_layouts
    from uts.ontology.model import Level
    from uts.ontology.source import bundled_root

    source = DATA / "esc50" / "esc50.csv"
    layout = read_layouts(bundled_root(), ontology.metadata.version)[Level.L1K]
    jsonl = tmp_path / "out.jsonl"
    convert("esc50", source, jsonl, ontology, level=Level.L1K)
    convert("esc50", source, tmp_path / "out.csv", ontology, level=Level.L1K, output_format=Format.CSV)
    convert("esc50", source, tmp_path / "out.npy", ontology, level=Level.L1K, output_format=Format.MULTIHOT,
            layout=layout)  # fmt: skip
    expected = rows(jsonl)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["id"] for r in table] == [r["id"] for r in expected]
    assert [r["concept_ids"].split(";") if r["concept_ids"] else [] for r in table] == [
        r["concept_ids"] for r in expected
    ]
    matrix = np.load(tmp_path / "out.npy")
    assert matrix.shape == (2000, len(layout))
    assert matrix.dtype == np.uint8
    ids = (tmp_path / "out.npy.ids.txt").read_text(encoding="utf-8").splitlines()
    assert ids == [r["id"] for r in expected]
    for row, record in zip(matrix, expected, strict=True):
        assert {layout.slots[i].concept_id for i in np.flatnonzero(row)} == set(record["concept_ids"])  # type: ignore[arg-type]
    assert (tmp_path / "out.npy.classes.tsv").read_text(encoding="utf-8") == layout.to_text()
    with pytest.raises(Exception, match="needs --level"):
        convert("esc50", source, tmp_path / "x.npy", ontology, output_format=Format.MULTIHOT)


@needs_data
def test_an_interrupted_run_resumes_to_the_same_bytes(
    ontology: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped by a signal (a last state saved) or killed (rows written past the last state): --resume gives the
    bytes and the report of one uninterrupted run."""
    from uts.convert import dataset
    from uts.convert.dataset import InterruptedConversionError, convert, partial_paths

    source = DATA / "audioset" / "eval_segments.csv"
    whole = tmp_path / "whole.jsonl"
    expected = convert("audioset", source, whole, ontology)
    monkeypatch.setattr(dataset, "BATCH_ROWS", 4096)

    # 1. Stopped after the second batch (Ctrl-C or SIGTERM through the CLI's stop flag).
    calls = iter(range(10**9))
    out = tmp_path / "stopped.jsonl"
    with pytest.raises(InterruptedConversionError, match=r"stopped after 8,192 rows.*--resume"):
        convert("audioset", source, out, ontology, stop=lambda: next(calls) >= 1)
    partial, state = partial_paths(out)
    assert partial.exists()
    assert state.exists()
    assert not out.exists()
    with pytest.raises(UsageError, match="--resume"):
        convert("audioset", source, out, ontology)  # a fresh run would throw the work away: refused
    report = convert("audioset", source, out, ontology, resume=True)
    assert out.read_bytes() == whole.read_bytes()
    assert not partial.exists()
    assert not state.exists()
    assert report.model_dump(exclude={"output"}) == expected.model_dump(exclude={"output"})

    # 2. Killed: a state saved after every batch, then the process dies after writing rows past the last state.
    monkeypatch.setattr(dataset, "CHECKPOINT_SECONDS", 0.0)
    killed = tmp_path / "killed.jsonl"
    written = 0

    class Killed(BaseException):
        pass

    real_write = dataset._write

    def dying_write(write, fmt, clips, tails, write_id):  # type: ignore[no-untyped-def]
        nonlocal written
        written += len(clips)
        real_write(write, fmt, clips, tails, write_id)
        if written >= 7500:
            raise Killed

    monkeypatch.setattr(dataset, "_write", dying_write)
    with pytest.raises(Killed):
        convert("audioset", source, killed, ontology)
    monkeypatch.setattr(dataset, "_write", real_write)
    partial, state = partial_paths(killed)
    assert partial.stat().st_size > json.loads(state.read_text())["bytes"]  # work past the last saved state
    convert("audioset", source, killed, ontology, resume=True)
    assert killed.read_bytes() == whole.read_bytes()


def test_resume_refuses_a_partial_of_another_run(
    ontology: Ontology, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uts.convert import dataset
    from uts.convert.dataset import InterruptedConversionError, convert

    source = tmp_path / "mine.csv"
    source.write_text("clip,labels\n" + "".join(f"c{n}.wav,dog\n" for n in range(50)), encoding="utf-8")
    options = {"clip_column": "clip", "label_column": "labels", "prefix": "ESC50"}
    out = tmp_path / "out.jsonl"
    with pytest.raises(UsageError, match="nothing to resume"):
        convert("csv", source, out, ontology, resume=True, **options)
    monkeypatch.setattr(dataset, "BATCH_ROWS", 8)
    with pytest.raises(InterruptedConversionError, match="after 8 rows"):
        convert("csv", source, out, ontology, stop=lambda: True, **options)
    with pytest.raises(UsageError, match="another run"):
        convert("csv", source, out, ontology, resume=True, expand_ancestors=True, **options)
    assert convert("csv", source, out, ontology, resume=True, **options).rows_written == 50


@needs_data
def test_the_command_stops_on_sigterm_and_resumes(tmp_path: Path) -> None:
    """A real process stopped by SIGTERM (as a scheduler does) exits 130 saying --resume; resumed, the output is
    the bytes of a run never stopped."""
    import signal
    import time

    from uts.convert.dataset import partial_paths

    lines = (DATA / "audioset" / "balanced_train_segments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "big.csv"
    source.write_text("".join(lines + lines[1:] * 30), encoding="utf-8")
    command = [sys.executable, "-m", "uts", "convert", "--source", "audioset", "--input", str(source)]
    whole = tmp_path / "whole.jsonl"
    subprocess.run([*command, "--output", str(whole)], check=True, capture_output=True, cwd=REPO)
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([*command, "--output", str(out)], cwd=REPO, stderr=subprocess.PIPE, text=True)
    partial, _ = partial_paths(out)
    deadline = time.monotonic() + 60
    while not (partial.exists() and partial.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run finished before the signal arrived (a very fast machine)")
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    done = subprocess.run([*command, "--output", str(out), "--resume"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == whole.read_bytes()


def test_caption_corpora_go_through_the_resolver(tmp_path: Path) -> None:
    """One command for both kinds of input: --source captions streams JSONL captions through `uts resolve`."""
    source = tmp_path / "captions.jsonl"
    source.write_text(
        '{"id": "a", "text": "A dog barks while rain falls, no music."}\n{"id": "b", "text": "Hi-fi drums."}\n',
        encoding="utf-8",
    )
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "uts", "convert", "--source", "captions", "--input", str(source),
               "--output", str(output), "--no-embed"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    records = rows(output)
    assert [r["id"] for r in records] == ["a", "b"]
    assert {t["label"] for t in records[0]["tags"]} >= {"dog", "rain"}  # type: ignore[attr-defined]
    assert [t["label"] for t in records[0]["negated"]] == ["music"]  # type: ignore[attr-defined]
    refused = subprocess.run([*command, "--format", "csv"], capture_output=True, text=True, cwd=REPO, check=False)
    assert refused.returncode == 2
    assert "--source captions writes the resolver's JSONL" in refused.stderr


@needs_data
@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("ray") is None, reason="needs the 'ray' extra (pip install 'uts[ray]')"
)
def test_ray_engine_writes_what_the_local_engine_writes(tmp_path: Path) -> None:
    """`--engine ray` on a local Ray with 2 workers: the same bytes and the same report as the local engine."""
    source = DATA / "audioset" / "eval_segments.csv"
    base = [sys.executable, "-m", "uts", "convert", "--source", "audioset", "--input", str(source), "--level", "1.5k"]
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    subprocess.run([*base, "--output", str(local)], check=True, capture_output=True, cwd=REPO)
    done = subprocess.run([*base, "--output", str(on_ray), "--engine", "ray", "--workers", "2"],
                          capture_output=True, text=True, cwd=REPO, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert on_ray.read_bytes() == local.read_bytes()
    reports = [json.loads((p.parent / f"{p.name}.report.json").read_text()) for p in (local, on_ray)]
    for report in reports:
        report.pop("output")
    assert reports[0] == reports[1]


def test_a_builders_own_mapping_file_two_columns_or_sssom(ontology: Ontology, tmp_path: Path) -> None:
    """A vocabulary UTS has no mapping set for: the builder's own file says what each label is."""
    from uts.convert.dataset import convert
    from uts.convert.mapper import read_user_mapping

    source = tmp_path / "mine.csv"
    source.write_text("clip,labels\na.wav,woof|pitter\nb.wav,zzz\n", encoding="utf-8")
    options = {"clip_column": "clip", "label_column": "labels", "prefix": "MINE", "separator": "|"}
    two = tmp_path / "two.tsv"
    two.write_text("woof\tdog\npitter\tUTS:0000929\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    report = convert("csv", source, out, ontology, mapping=read_user_mapping(two, ontology, "MINE"), **options)
    first, second = rows(out)
    assert first["tags"] == ["dog", ontology.get("UTS:0000929").label]
    assert second["unmapped"] == ["MINE:zzz"]
    assert [u.reason for u in report.unmapped] == ["no mapping row for this class"]

    sssom = tmp_path / "mine.sssom.tsv"
    sssom.write_text(
        "#mapping_set_id: https://example.org/mine\n"
        "subject_id\tsubject_label\tpredicate_id\tpredicate_modifier\tobject_id\n"
        "MINE:woof\twoof\tskos:broadMatch\t\tUTS:0000360\n"
        "MINE:pitter\tpitter\tskos:exactMatch\tNot\tUTS:0000929\n"
        "MINE:zzz\tzzz\tskos:narrowMatch\t\tUTS:0000360\n",
        encoding="utf-8",
    )
    report = convert("csv", source, out, ontology, mapping=read_user_mapping(sssom, ontology, "MINE"), **options)
    first, second = rows(out)
    assert first["tags"] == ["dog"]
    assert first["provenance"] == [{"concept_id": "UTS:0000360", "source": "MINE:woof", "predicate": "skos:broadMatch"}]
    assert first["unmapped"] == ["MINE:pitter"]  # its only row is a Not row: never used
    assert "narrowMatch" in next(u.reason for u in report.unmapped if u.label == "MINE:zzz")

    bad = tmp_path / "bad.tsv"
    bad.write_text("woof\tno such concept at all\nlonely\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"line 1: .*line 2: expected two cells"):
        read_user_mapping(bad, ontology, "MINE")


@needs_data
@pytest.mark.skipif(__import__("importlib.util").util.find_spec("lhotse") is None, reason="needs the 'lhotse' extra")
def test_lhotse_cuts_read_back_with_lhotse_and_resume_after_missing_audio(ontology: Ontology, tmp_path: Path) -> None:
    """ESC-50 rows to a Lhotse CutSet over real (synthetic) audio files: lhotse reads it back, each cut's tags are
    in supervisions[0].custom["audio_tag"] and match the JSONL; a clip without audio stops the run with its name,
    and once the file is there --resume gives the bytes of an unbroken run."""
    import lhotse
    import numpy as np
    import soundfile

    from uts.convert.dataset import convert, partial_paths
    from uts.convert.formats import Format, MissingAudioError

    lines = (DATA / "esc50" / "esc50.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "esc50.csv"
    source.write_text("".join(lines[:13]), encoding="utf-8")  # the header and 12 clips
    audio = tmp_path / "audio"
    audio.mkdir()
    names = [line.split(",", 1)[0] for line in lines[1:13]]
    for n, name in enumerate(names):
        soundfile.write(audio / name, np.sin(np.arange(8000) * (n + 1) / 50).astype("float32"), 16000)
    jsonl, cuts, whole = tmp_path / "out.jsonl", tmp_path / "cuts.jsonl", tmp_path / "whole.jsonl"
    convert("esc50", source, jsonl, ontology)
    convert("esc50", source, whole, ontology, output_format=Format.LHOTSE, audio_dir=audio)
    read_back = lhotse.CutSet.from_file(whole)
    expected = {r["id"]: r["tags"] for r in rows(jsonl)}
    assert [cut.id for cut in read_back] == names
    for cut in read_back:
        assert cut.supervisions[0].custom["audio_tag"] == expected[cut.id]
        assert cut.duration == pytest.approx(0.5)
        assert cut.load_audio().shape == (1, 8000)

    (audio / names[7]).rename(tmp_path / names[7])
    with pytest.raises(MissingAudioError, match=names[7].removesuffix(".wav")):
        convert("esc50", source, cuts, ontology, output_format=Format.LHOTSE, audio_dir=audio)
    partial, state = partial_paths(cuts)
    assert partial.exists()
    assert state.exists()
    (tmp_path / names[7]).rename(audio / names[7])
    convert("esc50", source, cuts, ontology, output_format=Format.LHOTSE, audio_dir=audio, resume=True)
    assert cuts.read_bytes() == whole.read_bytes()
    with pytest.raises(UsageError, match="--audio-dir"):
        convert("esc50", source, cuts, ontology, output_format=Format.LHOTSE)


@needs_data
def test_audioset_batches_read_what_the_row_reader_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column-wise batch reader (the fast path) and the row reader agree on every clip and every malformed
    row with its line number, whatever the batch size, however many rows a resumed run skips and however the lines
    end (\\n, \\r\\n, \\r alone from the start, or only after the head the batch reader looks at)."""
    from uts.convert import readers
    from uts.convert.readers import BadRow, ColumnBatch, SourceRow, audioset, audioset_batches

    lines = (DATA / "audioset" / "eval_segments.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:300]
    lines[40] = "broken line\n"
    lines[41] = '--BfvyPmVMo, abc, 30.000, "/m/03l9g"\n'
    lines[120] = "\n"
    lines[200] = ', 20.000, 30.000, "/m/03l9g"\n'
    source = tmp_path / "segments.csv"
    source.write_text("".join(lines), encoding="utf-8")
    with open(source, "rb") as handle:
        rows = list(audioset(handle))
    clips = [(r.clip, r.labels) for r in rows if type(r) is SourceRow]
    bad = [(r.line, r.problem) for r in rows if type(r) is BadRow]
    assert [line for line, _ in bad] == [41, 42, 201]
    assert len(clips) == 300 - 3 - 3 - 1  # the comment lines and header, three bad rows, a blank line
    crlf = tmp_path / "crlf.csv"  # the plain layout, Windows line ends
    crlf.write_text("".join(lines).replace(", ", ",").replace("\n", "\r\n"), encoding="utf-8", newline="")
    cr = tmp_path / "cr.csv"  # old Mac line ends: read as text
    cr.write_text("".join(lines).replace("\n", "\r"), encoding="utf-8", newline="")
    late = tmp_path / "late.csv"  # \r alone after the head: the batches that hold such lines are split as text
    late.write_text("".join(lines[:150] + [line.replace("\n", "\r") for line in lines[150:]]), encoding="utf-8",
                    newline="")  # fmt: skip
    monkeypatch.setattr(readers, "HEAD_BYTES", 2000)
    for path, size, skip in itertools.product((source, crlf, cr, late), (1, 7, 64, 4096), (0, 5, 100)):
        with open(path, "rb") as handle:
            read = list(audioset_batches(handle, size, skip))
        if size == 64:  # batches of 64 lines: most hold no bad row
            assert any(type(b) is ColumnBatch for b in read)  # the Arrow path ran
        batches = [b.python() if type(b) is ColumnBatch else b for b in read]
        after = rows[skip:]  # rows in input order, bad ones too
        assert [c for b in batches for c in zip(b.clips, b.labels, strict=True)] == [
            (r.clip, r.labels) for r in after if type(r) is SourceRow
        ]
        assert [(r.line, r.problem) for b in batches for r in b.bad] == [
            (r.line, r.problem) for r in after if type(r) is BadRow
        ]
        assert sum(b.rows for b in batches) == len(after)


@needs_data
def test_a_release_from_the_database(tmp_path: Path) -> None:
    """`--release VERSION --db URL` converts with that release as the store keeps it (its layouts too): the same
    bytes as the bundled source it was loaded from; an unknown release names the ones there are."""
    from uts import load_ontology

    version = load_ontology().metadata.version
    url = f"sqlite:///{tmp_path / 'uts.db'}"
    subprocess.run([sys.executable, "-m", "uts", "db", "load", "--db", url], check=True, capture_output=True, cwd=REPO)
    source = DATA / "esc50" / "esc50.csv"
    base = [sys.executable, "-m", "uts", "convert", "--source", "esc50", "--input", str(source), "--level", "1k"]
    for fmt, name in (("jsonl", "out.jsonl"), ("multihot", "out.npy")):
        bundled, stored = tmp_path / f"bundled-{name}", tmp_path / f"stored-{name}"
        subprocess.run([*base, "--format", fmt, "--output", str(bundled)], check=True, capture_output=True, cwd=REPO)
        done = subprocess.run([*base, "--format", fmt, "--output", str(stored), "--release", version, "--db", url],
                              capture_output=True, text=True, cwd=REPO, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert stored.read_bytes() == bundled.read_bytes()
    classes = [(tmp_path / f"{kind}-out.npy.classes.tsv").read_text(encoding="utf-8") for kind in ("bundled", "stored")]
    assert classes[0] == classes[1]  # the release's own class-index layout
    unknown = subprocess.run([*base, "--output", str(tmp_path / "x.jsonl"), "--release", "9.9.9", "--db", url],
                             capture_output=True, text=True, cwd=REPO, check=False)  # fmt: skip
    assert unknown.returncode != 0
    assert "9.9.9" in unknown.stderr
    assert version in unknown.stderr
