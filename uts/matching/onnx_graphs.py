"""The ONNX files the encoder runs, each made once from the package's own weights into the cache folder.

- the **export** (``export_onnx``): the transformer alone, hidden states out; the one step that needs torch;
- the **sentence model** (``sentence_file``): the export with mean pooling and L2 normalisation appended, so one
  session run returns the sentence vectors (no hidden states copied out, no numpy pass over them); the input
  ``token_type_ids`` (always zeros for this model) is made inside the graph;
- the **int8 sentence model** (``sentence_file("int8")``): the sentence model with its matrix products quantised
  dynamically (int8 weights, per output channel; activations quantised at run time), about twice as fast on a
  CPU with VNNI, at a cost in accuracy that ``uts eval resolver --backend onnx-int8`` measures;
- the **nearest-concept graph** (``nearest_file``): queries in, each query's best cosines against a concept
  matrix and their rows out; each session is given its matrix as a constant, which ONNX Runtime packs once, so
  one query costs a fifth of what numpy's BLAS spends re-packing the matrix on every call, and a row's scores
  never depend on the batch it came in.

Each file is written to a temporary name and renamed, so a reader never sees half of one, and its name carries
``GRAPH_VERSION``: a change to how a file is made gives it a new name instead of reusing a stale one.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uts.matching.encoders import (
    DIMENSIONS,
    MODEL_NAME,
    OUTPUT,
    EmbeddingUnavailableError,
    Precision,
    cache_dir,
    model_path,
    offline,
)

if TYPE_CHECKING:
    import numpy as np

GRAPH_VERSION = 1  # bump when the sentence graph or its quantisation changes


def onnx_file() -> Path:
    """Where the exported model lives: keyed by the weights it was made from, so a new model re-exports."""
    weights = model_path() / "model.safetensors"
    stat = weights.stat()
    key = hashlib.sha256(f"{MODEL_NAME}\t{stat.st_size}\t{weights.resolve()}".encode()).hexdigest()[:16]
    return cache_dir() / f"{MODEL_NAME}-{key}.onnx"


def vector_space(precision: Precision) -> str:
    """What the vectors of a precision's model depend on beyond the weights: nothing for fp32 (the same vectors as
    torch's, to 1e-6), the graph version and the quantiser's (onnxruntime's) version for int8."""
    if precision == "fp32":
        return ""
    from importlib.metadata import version

    return f"{precision}-v{GRAPH_VERSION}-ort{version('onnxruntime')}"


def sentence_file(precision: Precision = "fp32") -> Path:
    """Where the sentence model of a precision lives, beside the export it is made from."""
    export = onnx_file()
    return export.with_name(f"{export.stem}-sentence-{vector_space(precision) or f'fp32-v{GRAPH_VERSION}'}.onnx")


def _temporary(target: Path) -> Path:
    """A name beside ``target`` that no other writer (process or thread) uses."""
    return target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def export_onnx(target: Path | None = None) -> Path:
    """Export the transformer (without pooling) to ONNX from the local weights; needs torch, once."""
    offline()
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
    tmp = _temporary(target)
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


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise EmbeddingUnavailableError(
            "making the sentence model needs the 'embed' extra once (onnx is missing): pip install 'uts[embed]'"
        ) from None
    return onnx


def sentence_graph(export: Any) -> Any:
    """The exported model (an ``onnx.ModelProto``) with pooling and normalisation appended, as
    sentence-transformers pools: the mean of the hidden states over the real tokens, then divided by its L2 norm
    (both denominators kept off zero as numpy did). ``token_type_ids`` becomes zeros shaped like ``input_ids``."""
    onnx = _onnx()
    from onnx import TensorProto, helper

    graph = export.graph
    (hidden,) = [o.name for o in graph.output]
    types = [i for i in graph.input if i.name == "token_type_ids"]
    for kept in types:
        graph.input.remove(kept)
    const = [
        helper.make_tensor("uts_zero_i64", TensorProto.INT64, [1], [0]),
        helper.make_tensor("uts_axis_1", TensorProto.INT64, [1], [1]),
        helper.make_tensor("uts_axis_2", TensorProto.INT64, [1], [2]),
        helper.make_tensor("uts_tiny_count", TensorProto.FLOAT, [], [1e-9]),
        helper.make_tensor("uts_tiny_norm", TensorProto.FLOAT, [], [1e-12]),
    ]
    graph.initializer.extend(const)
    zeros = [
        helper.make_node("Shape", ["input_ids"], ["uts_ids_shape"]),
        helper.make_node("ConstantOfShape", ["uts_ids_shape"], ["token_type_ids"], value=const[0]),
    ]
    pooling = [
        helper.make_node("Cast", ["attention_mask"], ["uts_mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["uts_mask", "uts_axis_2"], ["uts_weights"]),
        helper.make_node("Mul", [hidden, "uts_weights"], ["uts_weighted"]),
        helper.make_node("ReduceSum", ["uts_weighted", "uts_axis_1"], ["uts_sum"], keepdims=0),
        helper.make_node("ReduceSum", ["uts_weights", "uts_axis_1"], ["uts_count"], keepdims=0),
        helper.make_node("Max", ["uts_count", "uts_tiny_count"], ["uts_count_safe"]),
        helper.make_node("Div", ["uts_sum", "uts_count_safe"], ["uts_mean"]),
        helper.make_node("ReduceL2", ["uts_mean"], ["uts_norm"], axes=[1], keepdims=1),
        helper.make_node("Max", ["uts_norm", "uts_tiny_norm"], ["uts_norm_safe"]),
        helper.make_node("Div", ["uts_mean", "uts_norm_safe"], [OUTPUT]),
    ]
    nodes = [*zeros, *graph.node, *pooling]  # in order: the zeros before their first reader
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", DIMENSIONS]))
    onnx.checker.check_model(export)
    return export


def make_sentence_file(precision: Precision = "fp32", target: Path | None = None) -> Path:
    """Write the sentence model of a precision from the export (exporting first if need be); needs onnx, and
    onnxruntime's quantisation tools for int8. Nothing is downloaded."""
    onnx = _onnx()
    target = target or sentence_file(precision)
    export = onnx_file()
    if not export.exists():
        export_onnx(export)
    try:
        loaded = onnx.load(str(export))
    except Exception as exc:  # a damaged export (it is only a cache) is made again, once; onnx raises its own types
        warnings.warn(f"{export} cannot be read ({type(exc).__name__}); exporting the model again", stacklevel=2)
        export.unlink(missing_ok=True)
        loaded = onnx.load(str(export_onnx(export)))
    model = sentence_graph(loaded)
    tmp = _temporary(target)
    try:
        if precision == "fp32":
            onnx.save(model, str(tmp))
        else:
            _quantise(onnx, model, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    if not nearest_file().exists():  # onnx is loaded now: the search graph costs nothing more
        make_nearest_file()
    return target


def _quantise(onnx: Any, model: Any, target: Path) -> None:
    """int8 weights per output channel for every matrix product (``MatMul`` only: the embedding tables stay
    float, as quantising them costs accuracy and no time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = target.with_name(target.name + ".fp32")
    onnx.save(model, str(source))
    try:
        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
        )
    finally:
        source.unlink(missing_ok=True)


def nearest_file() -> Path:
    """Where the nearest-concept graph lives (it holds no vectors: those are given to each session)."""
    return cache_dir() / f"nearest-v{GRAPH_VERSION}.onnx"


def nearest_graph() -> Any:
    """The nearest-concept graph: query vectors (``queries``, float32, one per row) and a ``depth`` in, each query's
    ``depth`` largest products with the rows of ``uts_vectors`` (``scores``) and their row numbers (``rows``) out,
    best first; equal scores come lowest row first, as numpy's ``argmax`` has them.

    ``uts_vectors`` is a placeholder constant (no rows) that a session replaces with the concept matrix
    (``SessionOptions.add_initializer``): as a constant it is packed once for the matrix products, and a file
    without it costs no ``import onnx`` (a second) in a process that only searches."""
    onnx = _onnx()
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["queries", "uts_vectors"], ["uts_scores"], transB=1),
            helper.make_node("TopK", ["uts_scores", "depth"], ["scores", "rows"], axis=1),
        ],
        "uts_nearest",
        [
            helper.make_tensor_value_info("queries", TensorProto.FLOAT, ["queries", DIMENSIONS]),
            helper.make_tensor_value_info("depth", TensorProto.INT64, [1]),
        ],
        [
            helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["queries", "depth"]),
            helper.make_tensor_value_info("rows", TensorProto.INT64, ["queries", "depth"]),
        ],
        initializer=[helper.make_tensor("uts_vectors", TensorProto.FLOAT, [0, DIMENSIONS], [])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    return model


def make_nearest_file(target: Path | None = None) -> Path:
    """Write the nearest-concept graph (needs onnx, once per cache folder)."""
    target = target or nearest_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(target)
    try:
        tmp.write_bytes(nearest_graph().SerializeToString())
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def nearest_session(matrix: np.ndarray, threads: int) -> Any:
    """An ONNX Runtime session searching ``matrix`` (float32, one vector per row, kept alive by the caller: the
    session reads it in place); a damaged graph file (it is only a cache) is made again, once."""
    import onnxruntime as ort

    path = nearest_file()
    if not path.exists():
        make_nearest_file(path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    vectors = ort.OrtValue.ortvalue_from_numpy(matrix)
    options.add_initializer("uts_vectors", vectors)
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a file it cannot read
        warnings.warn(f"{path} cannot be loaded ({type(exc).__name__}); making it again", stacklevel=2)
        path.unlink(missing_ok=True)
        make_nearest_file(path)
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    session.uts_vectors = vectors  # the session reads the matrix through this value: it lives as long
    return session
