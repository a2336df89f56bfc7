"""Caption files as captioning pipelines and datasets ship them: a CSV or TSV column, JSON lines, a JSON document.

Reading never stops at a bad record: a row without its caption, a line that is not JSON or not a record, a value
that is not text is reported (file, line, fix) through ``on_problem``, counted and skipped. What makes the whole
file unusable (missing, not UTF-8, a CSV without the column, a JSON document of another shape) raises an
:class:`~uts.errors.InvalidError` before any caption is read.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "caps.csv"
>>> _ = path.write_text("id,caption\\n1,A dog barks\\n2,\\n", encoding="utf-8")
>>> problems = []
>>> [c.text for c in read_captions(path, on_problem=problems.append)], len(problems)
(['A dog barks'], 1)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from uts.errors import Problem, SourceError, UsageError, where

CaptionFormat = Literal["csv", "tsv", "jsonl", "json"]
FORMATS: tuple[CaptionFormat, ...] = get_args(CaptionFormat)
_SUFFIXES: dict[str, CaptionFormat] = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"
}  # fmt: skip
# The field that holds the caption when none is named: AudioCaps' CSV column, `uts resolve`'s JSONL field.
DEFAULT_COLUMN: dict[CaptionFormat, str] = {"csv": "caption", "tsv": "caption", "jsonl": "text", "json": "text"}
MAX_CAPTION_CHARS = 200_000  # as `uts resolve` allows: longer is no caption


class CaptionFileError(SourceError):
    """A caption file that cannot be read at all; nothing was read from it."""

    head = "the caption file cannot be read"


@dataclass(frozen=True, slots=True)
class Caption:
    """One caption and where it came from: its line (0 inside a JSON document) and its ID, if the file gives one."""

    text: str
    line: int
    id: str = ""


def caption_format(path: Path, given: str | None = None) -> CaptionFormat:
    """The format of a caption file: the one given, else its suffix's."""
    if given is not None:
        if given not in FORMATS:
            raise UsageError(f"unknown caption format {given!r}; choose one of {', '.join(FORMATS)}")
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise UsageError(
            f"cannot tell the format of {where(path)} from its suffix {path.suffix or '(none)'!r}; "
            f"name it with --format {'|'.join(FORMATS)}"
        )
    return found


def read_captions(
    path: Path,
    fmt: str | None = None,
    column: str | None = None,
    *,
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[Caption]:
    """The captions of ``path`` in file order; each skipped record goes to ``on_problem``.

    ``column`` names the CSV (or TSV) column or the JSON field holding the caption (default ``caption`` for CSV
    and TSV, ``text`` for JSON). A JSON document may be a list of captions or of records, or an object of ID to caption (GAMA's
    ``captions_dev.json``) or to record.
    """
    handle = _open(path)  # a missing file is said first, whatever its suffix
    try:
        kind = caption_format(path, fmt)
    except UsageError:
        handle.close()
        raise
    field = column or DEFAULT_COLUMN[kind]
    report = on_problem or (lambda problem: None)
    if kind == "json":
        return _json(path, handle, field, report)
    if kind == "jsonl":
        return _jsonl_lines(where(path), handle, field, report)
    return _csv(path, handle, field, report, "\t" if kind == "tsv" else ",")


def _open(path: Path) -> io.BufferedReader:
    name = where(path)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise CaptionFileError([Problem(name, 0, "file is missing", "check the path of the caption file")]) from None
    except IsADirectoryError:
        raise CaptionFileError([Problem(name, 0, "is a folder, not a file", "give the path of a file")]) from None
    except OSError as exc:
        fix = "check the path and its permissions"
        raise CaptionFileError([Problem(name, 0, f"cannot be read ({exc.strerror})", fix)]) from None


def _checked(text: Any, name: str, line: int, what: str) -> tuple[str | None, Problem | None]:
    """A caption value as text, or why it is skipped."""
    if not isinstance(text, str):
        kind = "nothing" if text is None else type(text).__name__
        return None, Problem(name, line, f"{what} is {kind}, not text", "give the caption as a string")
    if not text.strip():
        return None, Problem(name, line, f"{what} is empty", "give the caption, or leave the record out")
    if len(text) > MAX_CAPTION_CHARS:
        fix = "split it, or leave it out"
        return None, Problem(name, line, f"{what} has {len(text):,} characters, more than {MAX_CAPTION_CHARS:,}", fix)
    return text, None


def _csv(
    path: Path, raw: io.BufferedReader, column: str, report: Callable[[Problem], None], delimiter: str
) -> Iterator[Caption]:
    """Checks the header at once (a wrong column fails before anything is read), then yields the rows."""
    name = where(path)
    handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    rows = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(rows, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise _csv_error(name, rows.line_num + 1, exc) from None
    if header is None or column not in header:
        handle.close()
        if header is None:
            raise CaptionFileError([Problem(name, 1, "the file is empty", "give a header row and captions")])
        listed = ", ".join(repr(h) for h in header) or "(none)"
        fix = f"name the caption column with --column (the header has {listed})"
        raise CaptionFileError([Problem(name, 1, f"no column {column!r}", fix)])
    return _csv_rows(name, handle, rows, header, column, report)


def _csv_rows(
    name: str,
    handle: io.TextIOWrapper,
    rows: Any,
    header: list[str],
    column: str,
    report: Callable[[Problem], None],
) -> Iterator[Caption]:
    at = header.index(column)
    ids = header.index("id") if "id" in header else None
    with handle:
        try:
            for row in rows:
                line = rows.line_num
                if not row:
                    continue
                if len(row) <= at:
                    fix = f"give each row the {len(header)} cells of the header"
                    report(Problem(name, line, f"the row has {len(row)} cells, no {column!r}", fix))
                    continue
                text, problem = _checked(row[at], name, line, f"the {column!r} cell")
                if problem is not None:
                    report(problem)
                elif text is not None:
                    yield Caption(text, line, row[ids] if ids is not None and ids < len(row) else "")
        except (UnicodeDecodeError, csv.Error) as exc:
            raise _csv_error(name, rows.line_num + 1, exc) from None


def _csv_error(name: str, line: int, exc: Exception) -> CaptionFileError:
    if isinstance(exc, UnicodeDecodeError):
        return CaptionFileError([Problem(name, line, f"not UTF-8 ({exc.reason})", "save the file as UTF-8")])
    return CaptionFileError([Problem(name, line, f"not CSV ({exc})", "fix the quoting")])


def _jsonl_lines(
    name: str, handle: io.BufferedReader, field: str, report: Callable[[Problem], None]
) -> Iterator[Caption]:
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                report(Problem(name, number, f"the line is not UTF-8 ({exc.reason})", "save the file as UTF-8"))
                continue
            except json.JSONDecodeError as exc:
                report(Problem(name, number, f"the line is not JSON ({exc.msg})", "write one JSON record a line"))
                continue
            if not isinstance(record, dict):
                fix = f'write a record like {{"id": ..., "{field}": "..."}}'
                report(Problem(name, number, f"the line is a JSON {type(record).__name__}, not a record", fix))
                continue
            text, problem = _checked(record.get(field), name, number, f"field {field!r}")
            if problem is not None:
                report(problem)
            elif text is not None:
                yield Caption(text, number, str(record.get("id", "")))


def _json(path: Path, handle: io.BufferedReader, field: str, report: Callable[[Problem], None]) -> Iterator[Caption]:
    name = where(path)
    with handle:
        data = handle.read()
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaptionFileError([Problem(name, line, f"not UTF-8 ({exc.reason})", "save the file as UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise CaptionFileError([Problem(name, exc.lineno, f"not JSON ({exc.msg})", "fix the JSON")]) from None
    if isinstance(document, dict):
        items = [(str(key), value) for key, value in document.items()]
    elif isinstance(document, list):
        items = [(str(n), value) for n, value in enumerate(document)]
    else:
        fix = "give a list of captions or an object of ID to caption"
        raise CaptionFileError([Problem(name, 1, f"the document is a JSON {type(document).__name__}", fix)])
    return _json_items(name, items, field, report)


def _json_items(
    name: str, items: list[tuple[str, Any]], field: str, report: Callable[[Problem], None]
) -> Iterator[Caption]:
    for key, value in items:
        where_ = f"{name} [{key}]"
        if isinstance(value, dict):
            value = value.get(field)
            what = f"field {field!r}"
        else:
            what = "the caption"
        text, problem = _checked(value, where_, 0, what)
        if problem is not None:
            report(problem)
        elif text is not None:
            yield Caption(text, 0, key)


__all__ = [
    "DEFAULT_COLUMN",
    "FORMATS",
    "Caption",
    "CaptionFileError",
    "CaptionFormat",
    "caption_format",
    "read_captions",
]
