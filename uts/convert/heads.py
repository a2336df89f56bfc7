"""Carry a trained classifier head across UTS releases: its output rows follow their concepts to the new layout.

numpy only (no torch): pass ``linear.weight.detach().numpy()`` and put the result back with ``torch.from_numpy``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from uts.ontology.layouts import IndexMove, Layout


@dataclass(frozen=True)
class CarriedHead:
    """A classifier head's output layer in a new layout. ``carried[j]`` says whether row ``j`` came from the old
    head (``False``: a new class, initialised with ``fill``; train it)."""

    weight: npt.NDArray[Any]
    bias: npt.NDArray[Any] | None
    carried: npt.NDArray[np.bool_]


def carry_head(
    weight: npt.ArrayLike,
    moves: Sequence[IndexMove],
    new: Layout,
    *,
    bias: npt.ArrayLike | None = None,
    fill: float = 0.0,
) -> CarriedHead:
    """Carry the output rows of a classifier head (``weight``: one row per old class, PyTorch's ``Linear`` layout
    ``(classes, features)``; ``bias``: one value per class) into the layout ``new``.

    Old classes that merged into one new class are averaged; rows with no old class (new concepts) get ``fill``;
    old classes with no new index (deprecated, split) are dropped, as the migration table says.
    """
    old_weight = np.asarray(weight)
    if old_weight.ndim != 2 or old_weight.shape[0] != len(moves):
        raise ValueError(
            f"weight has shape {old_weight.shape}; expected ({len(moves)}, features): one row per old class index"
        )
    old_bias = None if bias is None else np.asarray(bias)
    if old_bias is not None and old_bias.shape != (len(moves),):
        raise ValueError(f"bias has shape {old_bias.shape}; expected ({len(moves)},)")
    sources: dict[int, list[int]] = defaultdict(list)
    for move in moves:
        if move.new_index is not None:
            sources[move.new_index].append(move.old_index)
    size = len(new)
    new_weight = np.full((size, old_weight.shape[1]), fill, dtype=old_weight.dtype)
    new_bias = None if old_bias is None else np.full(size, fill, dtype=old_bias.dtype)
    carried = np.zeros(size, dtype=bool)
    for new_index, olds in sources.items():
        new_weight[new_index] = old_weight[olds].mean(axis=0)
        if new_bias is not None and old_bias is not None:
            new_bias[new_index] = old_bias[olds].mean()
        carried[new_index] = True
    return CarriedHead(weight=new_weight, bias=new_bias, carried=carried)


__all__ = ["CarriedHead", "carry_head"]
