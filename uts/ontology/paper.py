"""The paper's published vocabularies: five JSON files ``label_{800,1k,1.5k,2k,3k}.json`` (index -> tag)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from uts.errors import VocabularyError, where
from uts.ontology.model import Level


def level_file(directory: Path, level: Level) -> Path:
    return directory / f"label_{level.value}.json"


def _read_level(path: Path, level: Level) -> list[str]:
    name = where(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VocabularyError(
            f"{name}: file is missing; the published vocabulary needs label_800/1k/1.5k/2k/3k.json in one folder"
        ) from None
    except json.JSONDecodeError as exc:
        raise VocabularyError(
            f"{name}:{exc.lineno}: not valid JSON ({exc.msg}); use the file exactly as the paper published it"
        ) from None
    if not isinstance(data, dict):
        raise VocabularyError(f"{name}: expected a JSON object of index -> tag, got {type(data).__name__}")
    expected = [str(i) for i in range(len(data))]
    if list(data) != expected:
        bad = next(k for k, e in zip(data, expected, strict=True) if k != e)
        raise VocabularyError(f'{name}: keys must be "0".."{len(data) - 1}" in order; found {bad!r} out of place')
    if len(data) != level.size:
        raise VocabularyError(f"{name}: level {level.value} must have {level.size} tags, the file has {len(data)}")
    tags = []
    for key, tag in data.items():
        if not isinstance(tag, str) or not tag.strip():
            raise VocabularyError(f"{name}: index {key} holds {tag!r}, not a non-empty tag string")
        if tag != tag.strip():
            raise VocabularyError(f"{name}: index {key} tag {tag!r} has stray whitespace")
        tags.append(tag)
    return tags


@dataclass(frozen=True)
class PaperVocabulary:
    """The 3k list, plus the few positions where a smaller level's file orders its tags differently.

    The published levels hold the same tags as the 3k list's prefixes, but not always in the same order
    (``label_2k.json`` swaps indices 1840 and 1841, a tie in the TF-IDF ranking), so a model trained on
    one level's file needs that level's own index order.
    """

    tags: list[str]
    reordered: dict[Level, dict[int, str]]

    def level_tags(self, level: Level) -> list[str]:
        tags = self.tags[: level.size]
        for index, tag in self.reordered.get(level, {}).items():
            tags[index] = tag
        return tags


def read_paper_vocabulary(directory: Path | str) -> PaperVocabulary:
    """Read all five levels and check that each holds exactly the tags of the 3k list's prefix."""
    directory = Path(directory)
    full = _read_level(level_file(directory, Level.L3K), Level.L3K)
    reordered: dict[Level, dict[int, str]] = {}
    for level in Level:
        if level is Level.L3K:
            continue
        tags = _read_level(level_file(directory, level), level)
        prefix = full[: level.size]
        if Counter(tags) != Counter(prefix):
            extra = sorted((Counter(tags) - Counter(prefix)).elements())[:5]
            lacking = sorted((Counter(prefix) - Counter(tags)).elements())[:5]
            raise VocabularyError(
                f"{where(level_file(directory, level))}: the level must hold the same tags as the first {level.size} "
                f"of label_3k.json; it has extra {extra} and lacks {lacking}"
            )
        moved = {i: small for i, (small, big) in enumerate(zip(tags, prefix, strict=True)) if small != big}
        if moved:
            reordered[level] = moved
    return PaperVocabulary(full, reordered)
