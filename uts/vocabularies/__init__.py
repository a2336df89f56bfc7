"""Legacy audio label vocabularies (AudioSet, ESC-50, MTG-Jamendo, ...), each read from its published files.

Every vocabulary has a :class:`~uts.vocabularies.base.VocabularySpec` in :data:`VOCABULARIES`: its name,
CURIE prefix, IRI base and the files it is read from, relative to a data folder laid out like
``shared/data`` (see its MANIFEST.md). Importing this package stays light: it needs only the standard
library, PyYAML and pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from uts.errors import VocabularyError, where
from uts.vocabularies import (
    audioset,
    discogs400,
    esc50,
    gtzan,
    mtg_jamendo,
    nsynth,
    sonyc_ust,
    speech_commands,
    ucs,
    urbansound8k,
)
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

VOCABULARIES: dict[str, VocabularySpec] = {
    spec.name: spec
    for spec in (
        audioset.SPEC,
        esc50.SPEC,
        urbansound8k.SPEC,
        sonyc_ust.SPEC,
        mtg_jamendo.GENRE,
        mtg_jamendo.INSTRUMENT,
        mtg_jamendo.MOODTHEME,
        discogs400.SPEC,
        nsynth.SPEC,
        gtzan.SPEC,
        speech_commands.SPEC,
        ucs.SPEC,
    )
}


def read_vocabulary(name: str, data_dir: Path, paths: Sequence[Path] | None = None) -> Vocabulary:
    """Read the vocabulary called ``name`` from ``paths``, or by default from its files under ``data_dir``."""
    spec = VOCABULARIES.get(name)
    if spec is None:
        raise VocabularyError(f"no vocabulary is called {name!r}; choose one of {', '.join(VOCABULARIES)}")
    if paths is None:
        files = [Path(data_dir) / relative for relative in spec.default_paths]
        for relative, path in zip(spec.default_paths, files, strict=True):
            if not path.is_file():
                raise VocabularyError(
                    f"{where(path)}: the {name} vocabulary needs {relative}, which is not in the data folder "
                    f"{where(data_dir)}. Fix: put the published file there (see the data folder's MANIFEST.md) "
                    "or pass its path"
                )
    else:
        files = [Path(p) for p in paths]
        if len(files) != len(spec.default_paths):
            raise VocabularyError(
                f"the {name} vocabulary is read from {len(spec.default_paths)} file(s) "
                f"({', '.join(spec.default_paths)}), but {len(files)} were given. Fix: pass them in this order"
            )
        for path in files:
            if not path.is_file():
                raise VocabularyError(f"{where(path)}: file is missing. Fix: pass the path of the published file")
    return spec.read(files)


__all__ = ["VOCABULARIES", "Vocabulary", "VocabularyClass", "VocabularyError", "VocabularySpec", "read_vocabulary"]
