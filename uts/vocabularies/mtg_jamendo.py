"""MTG-Jamendo: the genre (95), instrument (41) and mood/theme (59) tags of the autotagging set, as three vocabularies.

Each is read from its tag list ``stats/{genre,instrument,mood_theme}.tsv`` (columns tag, artists, albums,
tracks; the tag without its category) and from ``tag_map.json``, which maps raw Jamendo tags to the
merged tag the dataset uses: the raw variants become synonyms of the merged class ("eletronica" is a
synonym of ``MTGJamendo:genre---electronica``). Merged tags that are not in the tag list (too rare for the
autotagging set, e.g. "electrohouse") are skipped.

Ids are ``MTGJamendo:`` followed by the tag as the dataset's TSVs write it, ``category---tag``:
``MTGJamendo:genre---rock``, ``MTGJamendo:instrument---piano``, ``MTGJamendo:mood/theme---happy``. The "/"
needs no encoding: sssom-py parses and validates these CURIEs (StrictCurieFormat, PrefixMapCompleteness)
and expands them with the prefix's IRI base. The label is the bare tag ("happy").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from uts.vocabularies._read import build, check_id, expect_paths, fail, read_json, read_rows, source_of, unique
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "MTGJamendo"
SEPARATOR = "---"
IRI_PREFIX = "https://mtg.github.io/mtg-jamendo-dataset/#"
UPSTREAM = "https://github.com/MTG/mtg-jamendo-dataset"


def class_id(category: str, tag: str) -> str:
    """The CURIE of a tag of a category.

    >>> class_id("mood/theme", "happy")
    'MTGJamendo:mood/theme---happy'
    """
    return f"{PREFIX}:{category}{SEPARATOR}{tag}"


def _tags(path: Path) -> list[tuple[str, int]]:
    tags: dict[str, int] = {}
    for row in read_rows(path, ("tag",), delimiter="\t", what="MTG-Jamendo's stats/raw_30s_cleantags_50artists/*.tsv"):
        tag = row["tag"].strip()
        if not tag:
            fail(path, row.line, "column 'tag' is empty", "every row needs a tag")
        check_id(path, row.line, tag, "write the tag as one word")
        if SEPARATOR in tag:
            fail(path, row.line, f"the tag {tag!r} holds {SEPARATOR!r}", "write the tag without its category")
        if tag in tags:
            fail(path, row.line, f"the tag {tag!r} is also on line {tags[tag]}", "list every tag once")
        tags[tag] = row.line
    return list(tags.items())


def _synonyms(path: Path, category: str) -> dict[str, list[str]]:
    """Merged tag -> its raw variants, from the ``category`` object of ``tag_map.json``."""
    document = read_json(path)
    if not isinstance(document, dict):
        fail(path, 0, "the top level is not a JSON object", "use MTG-Jamendo's data/tag_map.json")
    if category not in document:
        fail(
            path, 0, f"there is no key {category!r}", f"use MTG-Jamendo's data/tag_map.json, which maps {category} tags"
        )
    mapping = document[category]
    if not isinstance(mapping, dict):
        fail(path, 0, f"key {category!r} is not a JSON object", "map every raw tag to its merged tag")
    variants: dict[str, list[str]] = {}
    for raw, merged in mapping.items():
        if not isinstance(merged, str) or not merged.strip() or not raw.strip():
            fail(path, 0, f"key {category!r} -> {raw!r} does not map to a tag", "map every raw tag to a non-empty tag")
        variants.setdefault(merged.strip(), []).append(raw.strip())
    return variants


def _reader(name: str, category: str) -> Callable[[Sequence[Path]], Vocabulary]:
    def read(paths: Sequence[Path]) -> Vocabulary:
        tags_path, map_path = expect_paths(paths, SPECS[name])
        tags = _tags(tags_path)
        variants = _synonyms(map_path, category)
        classes = [
            VocabularyClass(
                id=class_id(category, tag), label=tag, synonyms=unique(variants.get(tag, []), exclude=[tag])
            )
            for tag, _ in tags
        ]
        return build(SPECS[name], source_of(UPSTREAM, [tags_path, map_path]), classes)

    read.__doc__ = f"Read the {category} tag list and the {category} part of tag_map.json."
    return read


def _spec(name: str, category: str, stats: str, title: str) -> VocabularySpec:
    return VocabularySpec(
        name=name,
        prefix=PREFIX,
        iri_prefix=IRI_PREFIX,
        title=title,
        default_paths=(f"mtg_jamendo/stats/{stats}.tsv", "mtg_jamendo/tag_map.json"),
        read=_reader(name, category),
    )


GENRE = _spec("mtg-genre", "genre", "genre", "MTG-Jamendo genre tags")
INSTRUMENT = _spec("mtg-instrument", "instrument", "instrument", "MTG-Jamendo instrument tags")
MOODTHEME = _spec("mtg-moodtheme", "mood/theme", "mood_theme", "MTG-Jamendo mood/theme tags")
SPECS: dict[str, VocabularySpec] = {spec.name: spec for spec in (GENRE, INSTRUMENT, MOODTHEME)}
