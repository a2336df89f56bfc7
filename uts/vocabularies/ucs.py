"""UCS (Universal Category System, v8.2.1): 82 sound-effect categories and their 752 subcategories.

``ucs_v8.2.1_en.json`` is a list of subcategories, each ``{version, Category, SubCategory, CatID,
CatShort, Explanations, Synonyms}``. Ids:

* subcategory: ``UCS:`` followed by its CatID (``UCS:AIRBrst``), label "Category-SubCategory" as UCS
  writes it ("AIR-BURST"), description from Explanations, synonyms from Synonyms, parent its category;
* category: ``UCS:category/`` followed by the Category name with every space written "_" (and, should a
  name ever hold one, "_", "%" or a non-ASCII character percent-encoded: the Discogs400 rule), e.g.
  ``UCS:category/DIRT_&_SAND``, label "DIRT & SAND". The ``category/`` part is needed because some CatIDs
  equal a category name ("RAIN", "WIND").

Each category comes just before its first subcategory; subcategories keep the published order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from uts.vocabularies._read import build, check_id, encode_name, expect_paths, fail, read_json, source_of, unique
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "UCS"
CATEGORY = "category/"
UPSTREAM = "https://universalcategorysystem.com"
_FIELDS = ("Category", "SubCategory", "CatID")


def category_id(category: str) -> str:
    """The CURIE of a UCS category.

    >>> category_id("DIRT & SAND")
    'UCS:category/DIRT_&_SAND'
    """
    return f"{PREFIX}:{CATEGORY}{encode_name(category)}"


def _entry(path: Path, index: int, entry: Any) -> tuple[str, str, str, str, tuple[str, ...]]:
    where = f"$[{index}]"
    if not isinstance(entry, dict):
        fail(path, 0, f"{where} is not a JSON object", "write every subcategory as an object")
    values: dict[str, str] = {}
    for key in (*_FIELDS, "Explanations"):
        value = entry.get(key, "" if key == "Explanations" else None)
        if not isinstance(value, str):
            fail(path, 0, f"{where}: key {key!r} is missing or not a string", f"give every subcategory a {key!r}")
        values[key] = value.strip()
        if key in _FIELDS and not values[key]:
            fail(path, 0, f"{where}: key {key!r} is empty", f"give every subcategory a {key!r}")
    where = f"$[{index}] (CatID {values['CatID']!r})"
    check_id(path, 0, values["CatID"], f"fix the CatID at {where}")
    synonyms = entry.get("Synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        fail(path, 0, f"{where}: key 'Synonyms' is not a list of strings", "write Synonyms as a JSON list of strings")
    return (
        values["Category"],
        values["SubCategory"],
        values["CatID"],
        values["Explanations"],
        tuple(s.strip() for s in synonyms),
    )


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read the UCS JSON."""
    (path,) = expect_paths(paths, SPEC)
    document = read_json(path)
    if not isinstance(document, list):
        fail(path, 0, "the top level is not a JSON list", "use the UCS JSON: a list of subcategories")
    classes: list[VocabularyClass] = []
    categories: set[str] = set()
    cat_ids: dict[str, int] = {}
    versions: list[str] = []
    for index, raw in enumerate(document):
        category, subcategory, cat_id, explanations, synonyms = _entry(path, index, raw)
        if cat_id in cat_ids:
            fail(path, 0, f"$[{index}]: the CatID {cat_id!r} is also the CatID of $[{cat_ids[cat_id]}]", "keep one")
        cat_ids[cat_id] = index
        if category not in categories:
            categories.add(category)
            classes.append(VocabularyClass(id=category_id(category), label=category))
        label = f"{category}-{subcategory}"
        classes.append(
            VocabularyClass(
                id=f"{PREFIX}:{cat_id}",
                label=label,
                parents=(category_id(category),),
                description=explanations,
                synonyms=unique(synonyms, exclude=[label]),
            )
        )
        version = raw.get("version")
        if isinstance(version, str) and version not in versions:
            versions.append(version)
    upstream = f"{UPSTREAM} v{', '.join(versions)}" if versions else UPSTREAM
    return build(SPEC, source_of(upstream, [path]), classes)


SPEC = VocabularySpec(
    name="ucs",
    prefix=PREFIX,
    iri_prefix="https://universalcategorysystem.com/#",
    title="Universal Category System (UCS) v8.2.1",
    default_paths=("ucs/ucs_v8.2.1_en.json",),
    read=read,
)
