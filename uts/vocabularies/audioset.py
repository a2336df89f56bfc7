"""AudioSet: the 632-class ontology (``ontology.json``) and its 527 label classes (``class_labels_indices.csv``).

Ids are ``AudioSet:`` followed by the machine id (mid) exactly as published, slashes included:
``AudioSet:/m/09x0r`` is "Speech". ``child_ids`` become parent links (a class may have several
parents), the ``restrictions`` become the flags ``abstract`` and ``blacklist``, and the classes listed in
``class_labels_indices.csv`` (the ones AudioSet clips are labelled with) get the flag ``label``.

Note for SSSOM writers: sssom-py's CURIE pattern wants the local part to start with a letter, digit or
"_", so it does not recognise ``AudioSet:/m/...`` as a CURIE. Validation still passes, but its prefix
completeness check skips these ids, and ``MappingSetDataFrame.clean_prefix_map`` drops the ``AudioSet``
entry from the curie_map: keep it in the curie_map by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from uts.vocabularies._read import (
    build,
    check_id,
    expect_paths,
    fail,
    read_json,
    read_rows,
    read_text,
    source_of,
    unique,
)
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

PREFIX = "AudioSet"
RESTRICTIONS = ("abstract", "blacklist")
UPSTREAM = "https://github.com/audioset/ontology"


def class_id(mid: str) -> str:
    """The CURIE of the AudioSet class with machine id ``mid``.

    >>> class_id("/m/09x0r")
    'AudioSet:/m/09x0r'
    """
    return f"{PREFIX}:{mid}"


def _text(path: Path, entry: dict[str, Any], where: str, key: str, *, required: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        fail(path, 0, f"{where}: key {key!r} is a {type(value).__name__}, not a string", f"write {key!r} as a string")
    value = value.strip()
    if required and not value:
        fail(path, 0, f"{where}: key {key!r} is missing or empty", f"give every class a {key!r}")
    return value


def _strings(path: Path, entry: dict[str, Any], where: str, key: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(path, 0, f"{where}: key {key!r} is not a list of strings", f"write {key!r} as a JSON list of strings")
    return [v.strip() for v in value]


def read(paths: Sequence[Path]) -> Vocabulary:
    """Read ``ontology.json`` and ``class_labels_indices.csv``."""
    ontology_path, labels_path = expect_paths(paths, SPEC)
    document = read_json(ontology_path)
    if not isinstance(document, list):
        fail(ontology_path, 0, "the top level is not a JSON list", "use AudioSet's ontology.json: a list of classes")

    entries: list[tuple[str, str, dict[str, Any]]] = []  # (where, mid, entry)
    seen: dict[str, str] = {}
    for index, entry in enumerate(document):
        where = f"$[{index}]"
        if not isinstance(entry, dict):
            fail(ontology_path, 0, f"{where} is not a JSON object", "write every class as an object with id and name")
        mid = _text(ontology_path, entry, where, "id", required=True)
        where = f"$[{index}] (id {mid!r})"
        check_id(ontology_path, 0, mid, f"fix the id at {where}")
        if not mid.startswith("/"):
            fail(ontology_path, 0, f"{where}: the id is not a machine id", "write ids as published, e.g. '/m/09x0r'")
        if mid in seen:
            fail(ontology_path, 0, f"{where}: the id is also the id of {seen[mid]}", "give every class its own id")
        seen[mid] = where
        entries.append((where, mid, entry))

    parents: dict[str, list[str]] = {mid: [] for mid in seen}
    for where, mid, entry in entries:
        for child in _strings(ontology_path, entry, where, "child_ids"):
            if child not in parents:
                fail(
                    ontology_path,
                    0,
                    f"{where}: key 'child_ids' names {child!r}, which is not the id of any class",
                    "remove the child id or add its class",
                )
            if mid not in parents[child]:
                parents[child].append(mid)

    labels: dict[str, str] = {}
    for row in read_rows(labels_path, ("mid", "display_name"), what="AudioSet's class_labels_indices.csv"):
        mid = row["mid"].strip()
        if not mid:
            fail(labels_path, row.line, "column 'mid' is empty", "every row needs the machine id of a class")
        if mid not in seen:
            fail(
                labels_path,
                row.line,
                f"the mid {mid!r} is not the id of any class in {ontology_path.name}",
                "use the ontology.json and class_labels_indices.csv of the same AudioSet release",
            )
        if mid in labels:
            fail(labels_path, row.line, f"the mid {mid!r} is listed twice", "list every label class once")
        labels[mid] = row["display_name"].strip()

    classes: list[VocabularyClass] = []
    for where, mid, entry in entries:
        name = _text(ontology_path, entry, where, "name", required=True)
        restrictions = _strings(ontology_path, entry, where, "restrictions")
        for restriction in restrictions:
            if restriction not in RESTRICTIONS:
                fail(
                    ontology_path,
                    0,
                    f"{where}: key 'restrictions' holds {restriction!r}",
                    f"use only {' and '.join(repr(r) for r in RESTRICTIONS)}",
                )
        flags = unique([*restrictions, *(["label"] if mid in labels else [])])
        classes.append(
            VocabularyClass(
                id=class_id(mid),
                label=name,
                parents=tuple(class_id(p) for p in parents[mid]),
                description=_text(ontology_path, entry, where, "description", required=False),
                synonyms=unique([labels.get(mid, "")], exclude=[name]),
                flags=flags,
            )
        )
    return build(SPEC, source_of(UPSTREAM, [ontology_path, labels_path]), classes)


def read_segments(path: Path) -> dict[str, tuple[str, ...]]:
    """The positive label mids of every clip in a segments CSV (``eval_segments.csv`` and its siblings).

    Lines starting with ``#`` are comments; each other line is ``YTID, start, end, "mid,mid,..."``.
    """
    import csv
    import io

    out: dict[str, tuple[str, ...]] = {}
    reader = csv.reader(io.StringIO(read_text(path), newline=""), skipinitialspace=True)
    for cells in reader:
        number = reader.line_num
        if not cells or cells[0].startswith("#") or cells[0] == "YTID":
            continue
        if len(cells) != 4:
            fail(path, number, f"the row has {len(cells)} cells, not 4", 'write YTID, start, end, "mid,mid"')
        ytid, labels = cells[0].strip(), [m.strip() for m in cells[3].split(",") if m.strip()]
        if not labels or not all(m.startswith("/") for m in labels):
            fail(path, number, f"clip {ytid!r} has no valid label mids ({cells[3]!r})", "list mids like /m/09x0r")
        out[ytid] = tuple(labels)
    return out


SPEC = VocabularySpec(
    name="audioset",
    prefix=PREFIX,
    # "AudioSet:/m/09x0r" expands to https://research.google.com/audioset/ontology/m/09x0r.
    iri_prefix="https://research.google.com/audioset/ontology",
    title="AudioSet ontology",
    default_paths=("audioset/ontology.json", "audioset/class_labels_indices.csv"),
    read=read,
)
