"""Plain TSV tables, the canonical on-disk form of curated data: UTF-8, LF, one record per line.

Cells never contain tabs or newlines and are not quoted, so a diff shows exactly what a curator changed.
List-valued cells join their items with ``|``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from uts.errors import Problem, where

LIST_SEPARATOR = "|"


class Row:
    """One data row with the 1-based line it was read from (tens of thousands per load: a plain slotted class)."""

    __slots__ = ("cells", "line")

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line = line
        self.cells = cells

    def __repr__(self) -> str:
        return f"Row({self.line}, {self.cells!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and (self.line, self.cells) == (other.line, other.cells)

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def list(self, column: str) -> list[str]:
        return split_list(self.cells[column])


@dataclass
class Table:
    path: Path
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    header_line: int = 1
    header_ok: bool = True  # False: the header is missing or wrong, so no row could be read


def split_list(cell: str) -> list[str]:
    if not cell:
        return []
    if LIST_SEPARATOR not in cell:
        return [cell.strip()] if cell.strip() else []
    return [item for item in map(str.strip, cell.split(LIST_SEPARATOR)) if item]


def join_list(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(items)


SOURCE_FIX = "restore it from git or run `uts import-vocab`"


def read_text(path: Path, problems: list[Problem], *, missing_fix: str = SOURCE_FIX) -> str | None:
    """The file's text, or ``None`` with a problem recorded when it cannot be read as UTF-8 text: missing, a
    folder, not readable, or not UTF-8 (with the line of the first bad byte)."""
    name = where(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, 0, "file is missing", missing_fix))
        return None
    except IsADirectoryError:
        problems.append(Problem(name, 0, "is a folder, not a file", "give the path of the file"))
        return None
    except OSError as exc:
        problems.append(Problem(name, 0, f"cannot be read ({exc.strerror})", "check the path and its permissions"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(
                name,
                line,
                f"byte 0x{data[exc.start]:02X} at column {column} is not UTF-8 ({exc.reason})",
                "save the file as UTF-8",
            )
        )
        return None


def parse_table(
    path: Path, text: str, columns: Sequence[str], problems: list[Problem], *, first_line: int = 1
) -> Table:
    """Parse TSV text whose first line (at ``first_line``) is the header; bad rows become problems."""
    table = Table(path=path, columns=tuple(columns), text=text, header_line=first_line)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = lines[first_line - 1 :]
    name = where(path)
    if not body:
        problems.append(
            Problem(name, first_line, "the header row is missing", f"start the table with: {'<TAB>'.join(columns)}")
        )
        table.header_ok = False
        return table
    header = body[0].rstrip("\r").split("\t")
    if header != list(columns):
        problems.append(
            Problem(
                name,
                first_line,
                f"the header is {header!r} but this table needs the columns {list(columns)!r}",
                "restore the header row exactly (tab-separated, in this order)",
            )
        )
        table.header_ok = False
        return table
    width = len(columns)
    rows = table.rows
    strip = str.strip
    for offset, raw in enumerate(body[1:], start=first_line + 1):
        cells = raw.split("\t")
        if len(cells) == width and not raw.endswith("\r") and raw.strip():  # the common case, kept cheap
            rows.append(Row(offset, dict(zip(columns, map(strip, cells), strict=True))))
            continue
        if raw.endswith("\r"):
            raw = raw[:-1]
        if not raw.strip():
            problems.append(
                Problem(name, offset, "blank line inside the table", "delete the blank line (or run `uts lint --fix`)")
            )
            continue
        cells = raw.split("\t")
        if len(cells) != len(columns):
            problems.append(
                Problem(
                    name,
                    offset,
                    f"row has {len(cells)} tab-separated fields but the table has {len(columns)} columns",
                    "give the row exactly one tab between each of the columns "
                    f"{', '.join(columns)} (leave empty cells empty)",
                )
            )
            continue
        table.rows.append(Row(offset, dict(zip(columns, map(str.strip, cells), strict=True))))
    return table


def format_table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The canonical text of a table; callers pass rows already in canonical order."""
    out = ["\t".join(columns)]
    tabs = len(columns) - 1
    for row in rows:
        line = "\t".join(row)
        if line.count("\t") != tabs or "\n" in line or "\r" in line:  # checked per line: one scan in C
            bad = next((c for c in row if "\t" in c or "\n" in c or "\r" in c), None)
            if bad is not None:
                raise ValueError(f"cell {bad!r} contains a tab or newline, which a TSV cell cannot hold")
        out.append(line)
    return "\n".join(out) + "\n"
