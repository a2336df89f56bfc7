"""The ONNX encoder's model files and backends: the sentence graph pools as sentence-transformers does, the int8
model stays within its stated tolerance of fp32, a backend asked for is the one used, and the nearest-concept
search in ONNX Runtime answers as numpy does, whatever the batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, RESOURCES, needs_embed
from uts.ontology import Ontology, load_ontology

pytestmark = needs_embed

# The int8 model's stated tolerance (README, "Encoder backends"): its vectors are within these cosines of fp32's.
INT8_MEAN_COSINE = 0.985
INT8_LEAST_COSINE = 0.95


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def texts(ontology: Ontology) -> list[str]:
    """Every 8th concept's vector text, and a few odd inputs (empty, one letter, a text past the token limit)."""
    from uts.matching.embedding import concept_text

    concepts = sorted(ontology.concepts.values(), key=lambda c: c.id)[::8]
    return [concept_text(c) for c in concepts] + ["", "x", "a dog barking in the distance", "hello " * 400]


def test_the_sentence_graph_pools_and_normalises_as_numpy_did(texts: list[str], uts_cache: Path) -> None:
    """The export's hidden states, mean-pooled over real tokens and L2-normalised in numpy (the reference, as
    sentence-transformers does it), are what the sentence graph returns, one text at a time or in a batch."""
    import numpy as np
    import onnxruntime as ort

    from uts.matching.encoders import get_encoder
    from uts.matching.onnx_graphs import onnx_file, sentence_file

    encoder = get_encoder("onnx")
    assert sentence_file("fp32").exists()
    export = ort.InferenceSession(str(onnx_file()), providers=["CPUExecutionProvider"])
    sample = texts[:40] + texts[-4:]
    reference = []
    for text in sample:
        ids = np.array([encoder.tokenizer.encode(text).ids], dtype=np.int64)  # type: ignore[attr-defined]
        mask = np.ones_like(ids)
        hidden = export.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0})[0]
        pooled = hidden.mean(axis=1)
        reference.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
    batch = encoder.encode(sample)
    single = np.vstack([encoder.encode([t]) for t in sample])
    assert batch.shape == (len(sample), 384)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, np.vstack(reference), atol=1e-6)
    np.testing.assert_allclose(single, batch, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-6)


def test_int8_vectors_agree_with_fp32_within_the_stated_tolerance(texts: list[str], uts_cache: Path) -> None:
    import numpy as np

    from uts.matching.encoders import get_encoder
    from uts.matching.onnx_graphs import sentence_file

    fp32 = get_encoder("onnx").encode(texts)
    int8 = get_encoder("onnx-int8").encode(texts)
    cosines = (fp32 * int8).sum(axis=1)
    assert cosines.mean() >= INT8_MEAN_COSINE, cosines.mean()
    assert cosines.min() >= INT8_LEAST_COSINE, (cosines.min(), texts[int(cosines.argmin())])
    assert np.abs(fp32 - int8).max() > 1e-3  # it is another model, not the fp32 one under a second name
    assert sentence_file("int8").stat().st_size < 0.7 * sentence_file("fp32").stat().st_size


def test_the_backend_asked_for_is_the_one_used(tmp_path: Path, uts_cache: Path) -> None:
    """By name, through the UTS_ENCODER setting for ``auto``, and in the concept vectors' cache file (int8 vectors
    never stand in for fp32 ones)."""
    from uts.matching.embedding import EmbeddingIndex
    from uts.matching.encoders import get_encoder

    int8 = get_encoder("onnx-int8")
    assert (int8.backend, getattr(int8, "precision", None)) == ("onnx-int8", "int8")
    assert (get_encoder("onnx").backend, getattr(get_encoder("onnx"), "precision", None)) == ("onnx", "fp32")
    assert get_encoder("onnx-int8") is int8  # loaded once per process
    tiny = load_ontology(RESOURCES / "tiny")
    space = int8.vector_space  # type: ignore[attr-defined]
    assert space.startswith("int8-v")  # the graph's and the quantiser's versions: a new int8 model, new vectors
    for backend, name in (("onnx", "concepts-{}.npy"), ("onnx-int8", f"concepts-{{}}-{space}.npy")):
        index = EmbeddingIndex(tiny, cache=tmp_path, backend=backend)
        index.search(["a dog"], k=1)
        assert (tmp_path / name.format(index.key)).exists()
    assert len(list(tmp_path.glob("concepts-*.npy"))) == 2

    code = "from uts.matching.encoders import get_encoder; print(get_encoder('auto').backend)"
    env = {**os.environ, "UTS_CACHE_DIR": str(uts_cache), "UTS_ENCODER": "onnx-int8"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True)
    assert out.stdout.strip() == "onnx-int8"


def test_the_resolver_and_the_command_take_the_int8_backend(ontology: Ontology, uts_cache: Path) -> None:
    from uts.resolve import Match, Resolver

    resolver = Resolver(ontology, backend="onnx-int8")
    windy = resolver.resolve_tag("windy")
    assert isinstance(windy, Match)
    assert (windy.method, windy.label) == ("embedding", "wind")
    result = subprocess.run(
        [sys.executable, "-m", "uts", "resolve", "--tags", "windy", "--backend", "onnx-int8"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"COLUMNS": "200", "PATH": "", "HOME": str(uts_cache), "UTS_CACHE_DIR": str(uts_cache)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wind" in result.stdout


def test_the_search_in_onnx_runtime_answers_as_numpy_whatever_the_batch(ontology: Ontology, uts_cache: Path) -> None:
    import numpy as np

    from uts.resolve.index import embedding_index

    index = embedding_index(ontology, "onnx")
    rng = np.random.default_rng(7)
    queries = index.matrix[rng.integers(0, len(index.ids), 120)] + rng.normal(0, 0.05, (120, 384))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    assert index._session() is not None
    for k in (1, 5):
        onnx = index.search_vectors(queries, k=k)
        alone = [index.search_vectors(queries[i : i + 1], k=k)[0] for i in range(len(queries))]
        assert alone == onnx  # every row's answer, to the last bit, whatever it was searched with
        index._search, kept = False, index._search  # numpy's search, as without onnxruntime
        try:
            numpy = index.search_vectors(queries, k=k)
        finally:
            index._search = kept
        assert [[c.concept_id for c in row] for row in onnx] == [[c.concept_id for c in row] for row in numpy]
        assert (
            max(abs(a.score - b.score) for x, y in zip(onnx, numpy, strict=True) for a, b in zip(x, y, strict=True))
            < 1e-5
        )
        assert all(len(row) == k and len({c.concept_id for c in row}) == k for row in onnx)


def test_equal_scores_go_to_the_first_row(uts_cache: Path) -> None:
    """Ties keep numpy's ``argmax`` order (the lowest row), so an answer never depends on the search used."""
    import numpy as np

    from uts.matching.onnx_graphs import nearest_session

    matrix = np.zeros((6, 384), dtype=np.float32)
    matrix[[1, 3, 4], 0] = 1.0  # three equal best rows
    matrix[5, 1] = 1.0
    session = nearest_session(matrix, threads=1)
    query = np.zeros((2, 384), dtype=np.float32)
    query[0, 0] = 1.0
    query[1, 1] = 1.0
    scores, rows = session.run(None, {"queries": query, "depth": np.array([3], dtype=np.int64)})
    assert rows[0].tolist() == [1, 3, 4]
    assert scores[0].tolist() == [1.0, 1.0, 1.0]
    assert rows[1].tolist() == [5, 0, 1]


def test_a_cache_folder_that_cannot_be_written_leaves_the_search_to_numpy(
    tmp_path: Path, uts_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uts.matching.embedding import EmbeddingIndex

    tiny = load_ontology(RESOURCES / "tiny")
    queries = ["a barking dog", "a drum kit", "studio quality sound"]
    expected = EmbeddingIndex(tiny, cache=tmp_path, backend="onnx").search(queries, k=2)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("UTS_CACHE_DIR", str(blocked / "cache"))
    index = EmbeddingIndex(tiny, cache=tmp_path, backend="onnx")
    with pytest.warns(UserWarning, match="searching with numpy"):
        found = index.search(queries, k=2)
    assert index._session() is None
    assert [[c.concept_id for c in row] for row in found] == [[c.concept_id for c in row] for row in expected]
    assert [c.score for row in found for c in row] == pytest.approx([c.score for row in expected for c in row])
