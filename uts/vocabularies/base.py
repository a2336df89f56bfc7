"""The common shape of a legacy label vocabulary (AudioSet, ESC-50, MTG-Jamendo, ...), whatever its file format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class VocabularyClass(BaseModel):
    """One class of a legacy vocabulary, identified by a CURIE in the vocabulary's own prefix."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str = Field(min_length=1)
    parents: tuple[str, ...] = ()
    description: str = ""
    synonyms: tuple[str, ...] = ()
    # Vocabulary-specific markers, e.g. AudioSet's "abstract", "blacklist" and "label" (one of the 527 classes).
    flags: tuple[str, ...] = ()


class Vocabulary(BaseModel):
    """A whole legacy vocabulary as read from its published files."""

    model_config = ConfigDict(frozen=True)

    name: str
    prefix: str
    iri_prefix: str
    title: str
    source: str
    classes: tuple[VocabularyClass, ...]

    def get(self, class_id: str) -> VocabularyClass:
        for cls in self.classes:
            if cls.id == class_id:
                return cls
        raise KeyError(f"{class_id!r} is not a class of {self.name}")

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.classes]


@dataclass(frozen=True)
class VocabularySpec:
    """How to find and read one vocabulary: its name, CURIE prefix and reader."""

    name: str
    prefix: str
    iri_prefix: str
    title: str
    # Paths relative to a data folder laid out like ../shared/data (see its MANIFEST.md).
    default_paths: Sequence[str]
    read: Callable[[Sequence[Path]], Vocabulary]
