"""NSynth: the 11 instrument families, from the ``classes`` of Essentia's ``nsynth_instrument-discogs-effnet-1.json``.

Ids are ``NSynth:`` followed by the published family (``NSynth:synth_lead``); the label turns its
underscores into spaces ("synth lead"). Classes keep the model's output order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.vocabularies._read import build, check_id, expect_paths, model_classes, source_of
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "NSynth"
UPSTREAM = (
    "https://essentia.upf.edu/models/classification-heads/nsynth_instrument/nsynth_instrument-discogs-effnet-1.json"
)


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read the model metadata JSON."""
    (path,) = expect_paths(paths, SPEC)
    classes = [
        VocabularyClass(
            id=f"{PREFIX}:{check_id(path, 0, name, f'fix the class {name!r} in key classes')}",
            label=name.replace("_", " "),
        )
        for name in model_classes(path)
    ]
    return build(SPEC, source_of(UPSTREAM, [path]), classes)


SPEC = VocabularySpec(
    name="nsynth",
    prefix=PREFIX,
    iri_prefix="https://magenta.tensorflow.org/datasets/nsynth#",
    title="NSynth instrument families",
    default_paths=("essentia_models/nsynth_instrument-discogs-effnet-1.json",),
    read=read,
)
