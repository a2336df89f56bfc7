"""Reading and writing SSSOM TSV: a ``#``-prefixed YAML header, then a TSV table of mappings.

The writer is canonical (fixed header order, sorted curie_map, rows in the caller's order) so the files
diff cleanly; full schema validation is left to sssom-py, which the tests run on every file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from uts.errors import Problem, where
from uts.io.tables import Table, format_table, parse_table, read_text

HEADER_ORDER = (
    "curie_map",
    "mapping_set_id",
    "mapping_set_version",
    "mapping_set_title",
    "mapping_set_description",
    "license",
    "creator_id",
    "subject_source",
    "subject_source_version",
    "object_source",
    "mapping_date",
    "comment",
)
REQUIRED_HEADER = ("curie_map", "mapping_set_id", "license")
# libyaml's safe loader when PyYAML was built with it: the same documents, about five times faster to read.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # writes the same text as the Python dumper


@dataclass
class SssomTable:
    """A mapping table as written: its ``#`` YAML header and its rows, not yet checked against any model."""

    path: Path
    metadata: dict[str, Any]
    table: Table


def read_sssom(
    path: Path, columns: Sequence[str], problems: list[Problem], *, text: str | None = None
) -> SssomTable | None:
    """Read a mapping set whose table must have exactly ``columns`` (from ``text`` when given, else the file);
    defects become problems."""
    if text is None:
        text = read_text(path, problems)
    if text is None:
        return None
    name = where(path)
    lines = text.split("\n")
    n_header = 0
    while n_header < len(lines) and lines[n_header].startswith("#"):
        n_header += 1
    yaml_text = "\n".join(line[1:] for line in lines[:n_header])
    try:
        metadata = yaml.load(yaml_text, Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark is not None else 1
        problems.append(
            Problem(name, line, f"the '#' YAML header does not parse ({exc})", "fix the YAML after the '#'")
        )
        return None
    if not isinstance(metadata, dict):
        problems.append(
            Problem(name, 1, "the '#' YAML header is not a mapping of keys to values", "write `#key: value` lines")
        )
        return None
    for key in REQUIRED_HEADER:
        if key not in metadata:
            problems.append(
                Problem(name, 1, f"the header lacks {key!r}, which SSSOM requires", f"add a `#{key}:` line")
            )
    table = parse_table(path, text, columns, problems, first_line=n_header + 1)
    return SssomTable(path=path, metadata=metadata, table=table)


def format_sssom(metadata: Mapping[str, Any], columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Canonical SSSOM TSV text."""
    ordered: dict[str, Any] = {}
    for key in HEADER_ORDER:
        if key in metadata:
            ordered[key] = metadata[key]
    for key in sorted(set(metadata) - set(HEADER_ORDER)):
        ordered[key] = metadata[key]
    if "curie_map" in ordered:
        ordered["curie_map"] = dict(sorted(ordered["curie_map"].items()))
    header = yaml.dump(
        ordered, Dumper=_SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False
    )
    header_lines = "".join(f"#{line}\n" for line in header.splitlines())
    return header_lines + format_table(columns, rows)
