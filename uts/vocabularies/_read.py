"""Shared reading helpers for the vocabulary modules: every defect becomes a ``VocabularyError``.

Messages follow :class:`uts.errors.Problem`: ``FILE:LINE: what is wrong. Fix: what to do`` (the line is left
out, and a JSON key or YAML key path named instead, when a format has no useful line).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

from uts.errors import Problem, VocabularyError, where
from uts.io.tables import Row
from uts.vocabularies.base import Vocabulary, VocabularyClass, VocabularySpec

# The characters a class's local id may hold: RFC 3986 path characters (unreserved, sub-delims, "@", "/")
# plus "%XX" escapes. linkml, under sssom-py's parser, accepts a CURIE only when its local part is an ASCII
# URI relative reference and silently DROPS the rows of any other (e.g. "Latin---Forró"); whitespace would
# break TSV cells; "|" is SSSOM's list separator; ":", "?" and "#" would confuse CURIE and IRI parsers.
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=@/")
_HEX = frozenset("0123456789ABCDEFabcdef")


def encode_name(name: str) -> str:
    """A published name as a CURIE local part: spaces become "_", other characters outside the id set "%XX".

    The rule is reversible (:func:`decode_name`): "_" itself is written "%5F", and non-ASCII characters
    are percent-encoded as UTF-8, as RFC 3987 maps IRIs to URIs.

    >>> encode_name("Folk, World, & Country---Laïkó")
    'Folk,_World,_&_Country---La%C3%AFk%C3%B3'
    """
    out: list[str] = []
    for ch in name:
        if ch == " ":
            out.append("_")
        elif ch in _ID_CHARS and ch != "_":
            out.append(ch)
        else:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8")))
    return "".join(out)


def decode_name(local_id: str) -> str:
    """The published name an :func:`encode_name` local part stands for.

    >>> decode_name("Folk,_World,_&_Country---La%C3%AFk%C3%B3")
    'Folk, World, & Country---Laïkó'
    """
    return unquote(local_id.replace("_", " "), encoding="utf-8", errors="strict")


def fail(path: Path | str, line: int, message: str, fix: str) -> NoReturn:
    """Raise the ``VocabularyError`` for one defect at ``path:line`` (``line`` 0: the whole file)."""
    raise VocabularyError(str(Problem(where(path), line, message, fix)))


def expect_paths(paths: Sequence[Path], spec: VocabularySpec) -> list[Path]:
    """The paths as ``Path`` objects, checked to be as many as ``spec.default_paths`` names."""
    if len(paths) != len(spec.default_paths):
        wanted = ", ".join(spec.default_paths)
        raise VocabularyError(
            f"the {spec.name} vocabulary is read from {len(spec.default_paths)} file(s) ({wanted}), "
            f"but {len(paths)} were given. Fix: pass exactly these files, in this order"
        )
    return [Path(p) for p in paths]


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark is dropped); missing or undecodable: an error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        fail(path, 0, "file is missing", "download the published file (see shared/data/MANIFEST.md) or pass its path")
    except OSError as exc:
        fail(path, 0, f"file cannot be read ({exc.strerror or exc})", "check that the path is a readable file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        fail(path, line, f"bytes are not UTF-8 ({exc.reason})", "save the file as UTF-8")


def read_json(path: Path) -> Any:
    """The parsed JSON document of ``path``."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(path, exc.lineno, f"not valid JSON ({exc.msg}, column {exc.colno})", "fix the JSON syntax at that place")


def model_classes(path: Path) -> list[str]:
    """The ``classes`` list of an Essentia model metadata JSON, each checked to be a distinct, non-empty string."""
    document = read_json(path)
    if not isinstance(document, dict) or "classes" not in document:
        fail(path, 0, "there is no top-level key 'classes'", "use the model's metadata JSON, which lists its classes")
    classes = document["classes"]
    if not isinstance(classes, list) or not classes:
        fail(path, 0, "key 'classes' is not a non-empty list", "write 'classes' as a JSON list of class names")
    seen: set[str] = set()
    out: list[str] = []
    for index, value in enumerate(classes):
        if not isinstance(value, str) or not value.strip():
            fail(
                path,
                0,
                f"key 'classes'[{index}] is {value!r}, not a class name",
                "write every class as a non-empty string",
            )
        if value in seen:
            fail(path, 0, f"key 'classes'[{index}] repeats {value!r}", "list every class once")
        seen.add(value)
        out.append(value)
    return out


def read_rows(
    path: Path,
    required: Sequence[str],
    *,
    delimiter: str = ",",
    skipinitialspace: bool = False,
    what: str = "",
) -> Iterator[Row]:
    """The rows of a delimited file whose first line is a header holding every ``required`` column.

    Blank lines are skipped; a row whose number of cells differs from the header's is an error.
    ``what`` names the published file in the fix hints (e.g. "ESC-50's meta/esc50.csv").
    """
    text = read_text(path)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=skipinitialspace, strict=True
    )
    source = what or path.name
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            fail(path, 1, "the file has no header line", f"use {source}, whose first line names the columns")
        header = [cell.strip() for cell in header]
        missing = [name for name in required if name not in header]
        if missing:
            fail(
                path,
                reader.line_num,
                f"the header lacks column(s) {', '.join(repr(m) for m in missing)} (it has {', '.join(header)})",
                f"use {source}, whose header holds {', '.join(required)}",
            )
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != len(header):
                fail(
                    path,
                    reader.line_num,
                    f"the row has {len(cells)} cells but the header names {len(header)} columns",
                    "give every row one cell per column (quote cells that hold the delimiter)",
                )
            yield Row(reader.line_num, dict(zip(header, cells, strict=True)))
    except csv.Error as exc:
        fail(path, reader.line_num, f"not valid delimited text ({exc})", "fix the quoting on that line")


def cell(path: Path, row: Row, column: str, fix: str) -> str:
    """The stripped, non-empty value of ``column`` in ``row``."""
    value = row[column].strip()
    if not value:
        fail(path, row.line, f"column {column!r} is empty", fix)
    return value


def id_problem(local_id: str) -> str | None:
    """Why ``local_id`` cannot be the local part of a CURIE, or ``None`` when it can."""
    if not local_id:
        return "it is empty"
    bad = sorted({ch for ch in local_id if ch not in _ID_CHARS and ch != "%"})
    if bad:
        return f"it holds {', '.join(repr(ch) for ch in bad)}, which a CURIE cannot hold unencoded"
    for index, ch in enumerate(local_id):
        if ch == "%" and not (len(local_id) > index + 2 and set(local_id[index + 1 : index + 3]) <= _HEX):
            return "it holds a '%' that does not start a %XX escape"
    return None


def check_id(path: Path, line: int, local_id: str, fix: str) -> str:
    """``local_id`` itself, once checked to make a valid CURIE local part."""
    problem = id_problem(local_id)
    if problem is not None:
        fail(path, line, f"{local_id!r} cannot be a class id: {problem}", fix)
    return local_id


def unique(items: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """``items`` without repeats or empty strings (first occurrence kept), and without ``exclude``."""
    seen = set(exclude)
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return tuple(out)


def build(spec: VocabularySpec, source: str, classes: Sequence[VocabularyClass]) -> Vocabulary:
    """The vocabulary, once its ids are checked to be unique and every parent to be one of its classes."""
    ids: set[str] = set()
    for cls in classes:
        if cls.id in ids:
            raise VocabularyError(
                f"{source}: two classes would get the id {cls.id!r}. Fix: make the published names distinct"
            )
        ids.add(cls.id)
    for cls in classes:
        for parent in cls.parents:
            if parent not in ids:
                raise VocabularyError(
                    f"{source}: class {cls.id!r} has the parent {parent!r}, which is not a class. "
                    "Fix: add the parent class or remove the link"
                )
    return Vocabulary(
        name=spec.name,
        prefix=spec.prefix,
        iri_prefix=spec.iri_prefix,
        title=spec.title,
        source=source,
        classes=tuple(classes),
    )


def source_of(upstream: str, paths: Sequence[Path]) -> str:
    """The ``source`` text of a vocabulary: where it is published and which files were read."""
    return f"{upstream} ({', '.join(p.name for p in paths)})"
