"""An interrupted ``uts resolve --input --output`` run resumes and ends with the bytes of one that never stopped."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from uts.resolve.filestream import partial_paths

from .conftest import REPO, SHARED_DATA, needs_embed

WORDS = [
    "dog",
    "barks",
    "loudly",
    "rain",
    "falls",
    "on",
    "a",
    "tin",
    "roof",
    "while",
    "a",
    "car",
    "horn",
    "honks",
    "and",
    "birds",
    "chirp",
    "near",
    "a",
    "river",
    "with",
    "guitar",
    "drums",
    "bass",
    "piano",
    "a",
    "man",
    "speaking",
    "softly",
    "crowd",
    "cheering",
    "distant",
    "thunder",
    "engine",
    "idling",
    "siren",
    "wailing",
    "wind",
]


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSONL input large enough to interrupt midway: captions and raw tag lists, fixed seed."""
    folder = tmp_path_factory.mktemp("resume")
    rng = random.Random(11)
    captions_file = SHARED_DATA / "gama_audioset" / "captions_dev.json"
    captions = list(json.loads(captions_file.read_text(encoding="utf-8")).values()) if captions_file.exists() else []
    with (folder / "in.jsonl").open("w", encoding="utf-8") as out:
        for i in range(60_000):
            if captions and i % 3 == 0:
                record = {"id": i, "text": captions[i % len(captions)]}
            else:
                record = {"id": i, "tags": rng.sample(WORDS, 4)}
            out.write(json.dumps(record) + "\n")
    return folder


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "uts", "resolve", *args], capture_output=True, cwd=REPO, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_resumes_to_the_same_bytes(jobs: Path, signum: int) -> None:
    source = jobs / "in.jsonl"
    whole = jobs / "whole.jsonl"
    if not whole.exists():
        done = run("-i", str(source), "-o", str(whole), "--no-embed")
        assert done.returncode == 0, done.stderr
    out = jobs / f"out-{signum}.jsonl"
    partial, state = partial_paths(out)
    process = subprocess.Popen(
        [sys.executable, "-m", "uts", "resolve", "-i", str(source), "-o", str(out), "--no-embed", "--batch-size", "64"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 500_000):
        time.sleep(0.02)
    os.kill(process.pid, signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"stopped after line" in stderr
    assert b"--resume" in stderr
    assert not out.exists(), "an unfinished run never leaves a file under the output's own name"
    assert partial.exists()
    assert state.exists()
    stopped_at = json.loads(state.read_text(encoding="utf-8"))["checkpoint"]["line"]
    assert 0 < stopped_at < 60_000

    resumed = run("-i", str(source), "-o", str(out), "--no-embed", "--batch-size", "64", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == whole.read_bytes()
    assert not partial.exists()
    assert not state.exists()


@pytest.mark.slow
@needs_embed
def test_resume_with_the_encoder_gives_the_same_bytes(jobs: Path, uts_cache: Path) -> None:
    # Embedding answers are the same whatever else is in the encoder's batch, so a resumed run (whose caches
    # start empty) writes what one run would have.
    source = jobs / "small.jsonl"
    source.write_text("".join((jobs / "in.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:6000]))
    env = {**os.environ, "UTS_CACHE_DIR": str(uts_cache)}
    whole = jobs / "small-whole.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "uts", "resolve", "-i", str(source), "-o", str(whole), "--backend", "onnx"],
        capture_output=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = jobs / "small-out.jsonl"
    partial, _ = partial_paths(out)
    args = [sys.executable, "-m", "uts", "resolve", "-i", str(source), "-o", str(out), "--backend", "onnx"]
    process = subprocess.Popen([*args, "--batch-size", "32"], cwd=REPO, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 200_000):
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    resumed = subprocess.run(
        [*args, "--batch-size", "32", "--resume"], capture_output=True, cwd=REPO, env=env, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_a_changed_input_or_other_options(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "tags": ["drums"]}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    nothing = run("-i", str(source), "-o", str(out), "--no-embed", "--resume")
    assert nothing.returncode == 2
    assert b"there is no interrupted run to resume" in nothing.stderr
    partial, state = partial_paths(out)
    partial.write_bytes(b"")
    fresh = run("-i", str(source), "-o", str(out), "--no-embed")
    assert fresh.returncode == 2
    assert b"pass --resume to continue it, or delete it" in fresh.stderr
    state.write_text('{"format": "uts-resolve-resume/1", "input": {}, "run": {}, "checkpoint": {}}', encoding="utf-8")
    broken = run("-i", str(source), "-o", str(out), "--no-embed", "--resume")
    assert broken.returncode == 1
    assert b"cannot be read as a resume state" in broken.stderr
