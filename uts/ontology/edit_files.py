"""Files of edits: a JSON list, JSON lines (one edit per line) or KGCL text, read into typed edits.

JSON edits may leave out ``author`` (the reader's default fills it in); every malformed edit is reported with its
line (JSON lines, KGCL) or position (a JSON list), and then none is returned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from uts.errors import InvalidError, Problem, SourceError, where
from uts.io.tables import read_text
from uts.ontology.edits import Edit, EditAdapter
from uts.ontology.kgcl import from_kgcl
from uts.ontology.ontology import Ontology

FORMATS = {".json": "json", ".jsonl": "jsonl", ".kgcl": "kgcl"}


class EditFileError(InvalidError):
    head = "the edit file has problems (nothing was changed)"


def read_edits(path: Path, ontology: Ontology, *, author: str) -> list[Edit]:
    """The edits in ``path``, by its suffix: ``.json`` (a list), ``.jsonl`` or ``.kgcl``."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise EditFileError(
            [Problem(where(path), 0, f"unknown edit file type {path.suffix!r}", f"use one of {', '.join(FORMATS)}")]
        )
    problems: list[Problem] = []
    text = read_text(path, problems, missing_fix="check the path of the edit file")
    if text is None:
        raise SourceError(problems, "the edit file cannot be read")
    if fmt == "kgcl":
        return from_kgcl(text, ontology, author=author, reason=f"KGCL file {where(path)}")
    items: list[tuple[int, Any]] = []
    name = where(path)
    try:
        if fmt == "json":
            data = json.loads(text)
            if not isinstance(data, list):
                raise EditFileError([Problem(name, 1, "a .json edit file holds a list of edits", "wrap them in [...]")])
            items = list(enumerate(data, start=1))
        else:
            items = [(n, json.loads(line)) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    except json.JSONDecodeError as exc:
        raise EditFileError([Problem(name, exc.lineno, f"not valid JSON ({exc.msg})", "fix the JSON")]) from None
    edits: list[Edit] = []
    where_kind = "edit" if fmt == "json" else "line"
    for number, item in items:
        if isinstance(item, dict):
            item = {"author": author, **item}
        try:
            edits.append(EditAdapter.validate_python(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            parts = list(err["loc"])
            if parts and isinstance(item, dict) and parts[0] == item.get("op"):
                parts = parts[1:]  # the union member's tag: the op the line already names
            loc = ".".join(str(p) for p in parts) or "edit"
            problems.append(
                Problem(
                    f"{name} ({where_kind} {number})" if fmt == "json" else name,
                    0 if fmt == "json" else number,
                    f"{loc}: {err['msg']}",
                    "write the edit as `uts` documents it (op, concept_id, ...)",
                )
            )
    if problems:
        raise EditFileError(problems)
    return edits


__all__ = ["EditFileError", "read_edits"]
