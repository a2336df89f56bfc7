"""Embedding nearest neighbours with the offline all-MiniLM-L6-v2 model; concept vectors cached on disk.

The encoder (ONNX Runtime or torch, see ``uts.matching.encoders``) loads only when a vector is first needed, and
once per process.
The cache key covers the texts embedded and the model, so any change to the ontology or the model rebuilds it.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uts.io.atomic import write_atomic
from uts.matching.candidate import Candidate
from uts.matching.encoders import MODEL_NAME, EmbeddingUnavailableError, cache_dir, get_encoder, run_threads
from uts.ontology.model import Concept, Status
from uts.ontology.ontology import Ontology

if TYPE_CHECKING:
    import numpy as np


def encode(texts: Sequence[str], batch_size: int = 256, backend: str = "auto") -> np.ndarray:
    """L2-normalised vectors of texts through the process-wide encoder."""
    return get_encoder(backend).encode(texts, batch_size=batch_size)


def label_text(label: str) -> str:
    return label.replace("_", " ").replace("-", " ")


def concept_text(concept: Concept) -> str:
    """What a concept's vector stands for: its preferred label, then up to a few alternative labels."""
    words = [concept.label.replace("_", " ").replace("-", " ")]
    words += [label.replace("_", " ").replace("-", " ") for label in concept.alt_labels[:3]]
    return ", ".join(dict.fromkeys(words))


def _cached_matrix(path: Path, rows: int) -> np.ndarray | None:
    """The vectors kept at ``path``, or ``None`` when there are none or the file is damaged (then it is rebuilt:
    it is only a cache)."""
    import numpy as np

    if not path.exists():
        return None
    try:
        matrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        warnings.warn(f"{path} is damaged ({exc}); computing the concept vectors again", stacklevel=3)
        return None
    if matrix.ndim != 2 or matrix.shape[0] != rows or matrix.dtype != np.float32:
        warnings.warn(f"{path} does not hold the expected vectors; computing them again", stacklevel=3)
        return None
    loaded: np.ndarray = matrix
    return loaded


class EmbeddingIndex:
    """Cosine nearest neighbours over the active concepts of one ontology.

    With ``per_label`` every label and synonym gets a vector of its own and a concept scores as its best
    label: one-word queries ("ovation", "puppy") sit much nearer a single label than a list of them.
    ``search_threads``: the threads one search may use (default: the encoder's, ``run_threads()``).
    """

    def __init__(
        self,
        ontology: Ontology,
        *,
        cache: Path | None = None,
        backend: str = "auto",
        per_label: bool = False,
        search_threads: int | None = None,
    ) -> None:
        self.backend = backend
        self.concepts = sorted((c for c in ontology.concepts.values() if c.status is Status.ACTIVE), key=lambda c: c.id)
        if per_label:
            rows = [(c.id, text) for c in self.concepts for text in dict.fromkeys(label_text(x) for x in c.all_labels)]
            self.ids = [i for i, _ in rows]
            self.texts = [t for _, t in rows]
        else:
            self.ids = [c.id for c in self.concepts]
            self.texts = [concept_text(c) for c in self.concepts]
        digest = hashlib.sha256("\n".join(f"{i}\t{t}" for i, t in zip(self.ids, self.texts, strict=True)).encode())
        digest.update(MODEL_NAME.encode())
        self.key = digest.hexdigest()[:24]
        self.cache = cache if cache is not None else cache_dir()
        self.search_threads = search_threads or run_threads()
        self._matrix: np.ndarray | None = None
        self._columns: np.ndarray | None = None
        self._search: Any = None  # the ONNX Runtime session of the search, False when there is none
        self._making = threading.Lock()

    @property
    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            import numpy as np

            # int8 vectors are not fp32 ones: they get a file of their own (onnx and torch share theirs).
            space = getattr(get_encoder(self.backend), "vector_space", "")
            path = self.cache / f"concepts-{self.key}{f'-{space}' if space else ''}.npy"
            self._matrix = _cached_matrix(path, len(self.texts))
            if self._matrix is None:
                self._matrix = encode(self.texts, backend=self.backend)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    buffer = io.BytesIO()
                    np.save(buffer, self._matrix)
                    write_atomic(path, buffer.getvalue())
                except OSError as exc:  # a cache that cannot be written only costs the next process time
                    warnings.warn(f"could not keep the concept vectors in {path} ({exc.strerror})", stacklevel=2)
        return self._matrix

    def search(self, queries: Sequence[str], k: int = 5) -> list[list[Candidate]]:
        """The ``k`` nearest concepts of each query text, best first."""
        if not queries:
            return []
        return self.search_vectors(encode(queries, backend=self.backend), k)

    def search_vectors(self, vectors: np.ndarray, k: int = 5) -> list[list[Candidate]]:
        """Like ``search`` for vectors already encoded (the resolver batches and caches its own).

        A row's scores never depend on the rows searched with it, so a resumed stream, a thread and a batch all
        give the same bytes.
        """
        if len(vectors) == 0:
            return []
        # Several rows may belong to one concept (per-label vectors): look deep enough to find k concepts.
        depth = min(len(self.ids), k if k == 1 or len(self.ids) == len(self.concepts) else k * 8)
        scores, rows = self._top(vectors, depth)
        if k == 1:  # the resolver's question: the best row names the best concept
            return [
                [Candidate(self.ids[j], score, "embedding", self.texts[j])]
                for score, j in zip(scores[:, 0].tolist(), rows[:, 0].tolist(), strict=True)
            ]
        out = []
        for query_scores, query_rows in zip(scores.tolist(), rows.tolist(), strict=True):
            found: dict[str, Candidate] = {}
            for score, j in zip(query_scores, query_rows, strict=True):
                if self.ids[j] not in found:
                    found[self.ids[j]] = Candidate(self.ids[j], score, "embedding", self.texts[j])
                    if len(found) == k:
                        break
            out.append(list(found.values()))
        return out

    def _top(self, vectors: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``depth`` best cosines of each row and their matrix rows, best first (equal ones lowest row first),
        from ONNX Runtime when it is installed, else from numpy."""
        import numpy as np

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        session = self._session()
        if session is not None:
            scores, rows = session.run(None, {"queries": vectors, "depth": np.array([depth], dtype=np.int64)})
            return scores, rows
        if self._columns is None:
            # One vector per column, contiguous: a query's product then reads memory in order (4x faster).
            self._columns = np.ascontiguousarray(self.matrix.T)
        # BLAS takes another code path for a single row and rounds the last bits differently: two rows keep every
        # query's scores independent of what it was batched with.
        all_scores = (np.vstack([vectors, np.zeros_like(vectors)]) @ self._columns)[: len(vectors)]
        if depth == 1:
            order = all_scores.argmax(axis=1)[:, None]
        else:
            order = np.argsort(-all_scores, axis=1, kind="stable")[:, :depth]
        return np.take_along_axis(all_scores, order, axis=1), order

    def _session(self) -> Any | None:
        """The nearest-concept session over this index's vectors (``uts.matching.onnx_graphs``), made on first
        use; ``None`` without onnxruntime (then numpy searches), or without onnx while its graph is not made."""
        if self._search is None:
            with self._making:
                if self._search is None:
                    try:
                        from uts.matching.onnx_graphs import nearest_session

                        self._search = nearest_session(self.matrix, self.search_threads)
                    except (ImportError, EmbeddingUnavailableError):
                        self._search = False
                    except OSError as exc:  # its graph cannot be written to the cache: numpy answers the same
                        warnings.warn(f"searching with numpy: {exc}", stacklevel=2)
                        self._search = False
        return self._search or None


__all__ = ["MODEL_NAME", "EmbeddingIndex", "EmbeddingUnavailableError", "cache_dir", "concept_text", "encode"]
