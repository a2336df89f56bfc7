"""`uts convert --source captions` on an engine: real AudioCaps captions (and a few bad lines) resolved by workers
give the bytes, the counts and the warnings of the local stream."""

from __future__ import annotations

import csv
import io
import json
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SHARED_DATA, needs_embed
from uts.convert.captions import resolve_captions
from uts.convert.engines import Job, RayEngine
from uts.errors import Problem, UsageError
from uts.ontology.ontology import Ontology
from uts.resolve.config import ResolverConfig
from uts.resolve.filestream import StreamOptions
from uts.resolve.stream import StreamError, StreamLimits

AUDIOCAPS = SHARED_DATA / "audiocaps" / "val.csv"
needs_ray = pytest.mark.skipif(find_spec("ray") is None, reason="needs the 'ray' extra (pip install 'uts[ray]')")
LIMITS = StreamLimits(max_record_bytes=400)  # so that one line of the corpus is over the limit
BAD = {6: "not valid JSON", 13: "give exactly one of", 30: "longer than the limit"}


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    from uts import load_ontology

    return load_ontology()


@pytest.fixture(scope="module")
def captions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 AudioCaps captions, one raw-tag record, and bad lines: not JSON (line 6), no text (13), a blank line
    (14) and a line over ``LIMITS`` (30)."""
    if not AUDIOCAPS.is_file():
        pytest.skip(f"needs the shared AudioCaps captions at {AUDIOCAPS}")
    with AUDIOCAPS.open(encoding="utf-8", newline="") as handle:
        rows = [row for _, row in zip(range(40), csv.DictReader(handle), strict=False)]
    lines = [json.dumps({"id": r["audiocap_id"], "text": r["caption"], "clip": r["youtube_id"]}) for r in rows]
    lines[5:5] = ["not json"]
    lines[12:12] = ['{"id": "x"}', ""]
    lines[20:20] = [json.dumps({"id": 7, "tags": ["drums", "lofi", "xqzvt"]})]
    lines[29:29] = [json.dumps({"id": "long", "text": "a dog barks " * 50})]
    path = tmp_path_factory.mktemp("captions") / "captions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class InProcess:
    """An engine without Ray: one worker in this process, each chunk and result pickled as Ray would."""

    root: Path | None = None

    def run(self, chunks: Iterable[Any], job: Job[Any, Any]) -> Iterator[Any]:
        work = job.worker()
        for chunk in chunks:
            yield pickle.loads(pickle.dumps(work(pickle.loads(pickle.dumps(chunk)))))


def local_run(captions: Path, out: Path, ontology: Ontology, **options: Any) -> tuple[bytes, Any, list[Problem]]:
    problems: list[Problem] = []
    end = resolve_captions(captions, out, ontology, options=StreamOptions(limits=LIMITS, **options),
                           on_problem=problems.append, **_config(embed=False))  # fmt: skip
    return out.read_bytes(), end, problems


def _config(embed: bool) -> dict[str, Any]:
    return {"config": ResolverConfig(embed=embed)}


@pytest.mark.parametrize("chunk_lines", [1, 7, 1000])
def test_chunks_cut_anywhere_give_the_local_bytes(
    captions: Path, ontology: Ontology, tmp_path: Path, chunk_lines: int
) -> None:
    """The driver's chunks and the workers' results put back together (lexical stages: fast)."""
    data, end, problems = local_run(captions, tmp_path / "local.jsonl", ontology)
    assert [(p.line, BAD[p.line] in p.message) for p in problems] == [(line, True) for line in BAD]
    seen: list[Problem] = []
    out = tmp_path / "engine.jsonl"
    got = resolve_captions(captions, out, ontology, options=StreamOptions(limits=LIMITS), engine=InProcess(),
                           chunk_lines=chunk_lines, on_problem=seen.append, **_config(embed=False))  # fmt: skip
    assert out.read_bytes() == data
    assert got == end
    assert (end.summary.items, end.summary.malformed, end.summary.blank) == (41, 3, 1)
    assert seen == problems


def test_strict_stops_at_the_first_bad_line_and_writes_nothing(
    captions: Path, ontology: Ontology, tmp_path: Path
) -> None:
    out = tmp_path / "engine.jsonl"
    with pytest.raises(StreamError) as local:
        local_run(captions, tmp_path / "local.jsonl", ontology, strict=True)
    with pytest.raises(StreamError) as on_engine:
        resolve_captions(captions, out, ontology, options=StreamOptions(limits=LIMITS, strict=True),
                         engine=InProcess(), chunk_lines=4, **_config(embed=False))  # fmt: skip
    assert on_engine.value.problems == local.value.problems
    assert [p.line for p in on_engine.value.problems] == [6]
    assert not out.exists()
    assert not list(tmp_path.glob(".engine.jsonl.*"))  # nor a temporary file


def test_resume_and_an_input_without_records_are_refused(ontology: Ontology, tmp_path: Path) -> None:
    from uts.errors import SourceError

    source = tmp_path / "bad.jsonl"
    source.write_text("not json\n\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--resume works with the local engine"):
        resolve_captions(source, tmp_path / "out.jsonl", ontology, engine=RayEngine(2), resume=True)
    with pytest.raises(SourceError, match="none of its 1 records could be read"):
        resolve_captions(source, tmp_path / "out.jsonl", ontology, engine=InProcess(), **_config(embed=False))
    assert not (tmp_path / "out.jsonl").exists()


def test_a_resumed_stream_counts_bytes_from_where_it_resumed(ontology: Ontology, captions: Path) -> None:
    """The checkpoint after a resume says where the input stands, so a run stopped twice resumes right twice."""
    from uts.resolve import Resolver
    from uts.resolve.stream import stream_jsonl

    resolver = Resolver(ontology, embed=False)
    whole, resumed = io.BytesIO(), io.BytesIO()
    data = captions.read_bytes()
    first = stream_jsonl(resolver, io.BytesIO(data[: data.index(b"\n", 900) + 1]), whole, name="c", limits=LIMITS)
    source = io.BytesIO(data)
    source.seek(first.offset)
    end = stream_jsonl(resolver, source, resumed, name="c", limits=LIMITS, start=first)
    assert end.offset == len(data)
    assert end.line == data.count(b"\n")


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """One local Ray for the module (2 CPUs): the library's runs use it, the command joins it by --ray-address."""
    import logging

    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.mark.slow
@needs_ray
@needs_embed
@pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")  # Ray Data's own settings, renamed in 2.x
def test_ray_with_two_workers_writes_the_local_bytes(
    captions: Path, ontology: Ontology, tmp_path: Path, ray_address: str, uts_cache: Path
) -> None:
    """Embedding stages included; the library on 2 actors, then the command joining the same Ray."""
    problems: list[Problem] = []
    local = tmp_path / "local.jsonl"
    end = resolve_captions(captions, local, ontology, on_problem=problems.append)  # also fills the vector cache
    assert [p.line for p in problems] == [6, 13]  # the long line fits the default limit
    on_ray, seen = tmp_path / "ray.jsonl", list[Problem]()
    got = resolve_captions(captions, on_ray, ontology, engine=RayEngine(workers=2), chunk_lines=8,
                           on_problem=seen.append)  # fmt: skip
    assert on_ray.read_bytes() == local.read_bytes()
    assert (got, seen) == (end, problems)

    by_cli = tmp_path / "cli.jsonl"
    command = [sys.executable, "-m", "uts", "convert", "--source", "captions", "--input", str(captions),
               "--output", str(by_cli), "--engine", "ray", "--workers", "2", "--ray-address", ray_address]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert by_cli.read_bytes() == local.read_bytes()
    stderr = " ".join(done.stderr.split())
    assert "captions.jsonl:6: not valid JSON" in stderr
    assert "captions.jsonl:13: give exactly one of" in stderr
    summary = end.summary
    assert f"items {summary.items}, tags kept {summary.tags}," in stderr
    assert "malformed lines skipped 2, blank lines 1" in stderr
    refused = subprocess.run([*command, "--resume"], capture_output=True, text=True, cwd=REPO, check=False)
    assert refused.returncode == 2
    assert "--resume works with the local engine" in refused.stderr
