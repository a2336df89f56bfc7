"""Options shared by several commands, declared once, and the two consoles every command prints to.

Read-only commands default ``--root`` to the bundled release; commands that write default it to the working
directory (``.``), never to the installed package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console


def _console(stream: TextIO, *, stderr: bool = False) -> Console:
    """A console that wraps to the terminal, but prints tables and lines whole into a pipe or a file."""
    piped = not stream.isatty() and not os.environ.get("COLUMNS")
    return Console(stderr=stderr, width=100_000 if piped else None)


console = _console(sys.stdout)
err = _console(sys.stderr, stderr=True)

Root = Annotated[
    Path | None,
    typer.Option("--root", help="Source root holding ontology/ and mappings/ (default: the bundled release)."),
]
WorkRoot = Annotated[
    Path,
    typer.Option("--root", help="Source root to change, holding ontology/ and mappings/ (default: here)."),
]


def _author(value: str) -> str:
    from uts.ontology.edits import AUTHOR_PATTERN

    if not AUTHOR_PATTERN.match(value):
        raise typer.BadParameter(f"{value!r} is not a CURIE like 'utsteam:alice' or 'orcid:0000-0002-1825-0097'")
    return value


Author = Annotated[
    str,
    typer.Option("--author", help="Who makes the change, as a CURIE (utsteam:NAME, orcid:0000-...).", callback=_author),
]
ExpectRevision = Annotated[
    str | None,
    typer.Option(
        "--expect-revision",
        help="Refuse to write if what it changes changed after this revision (`uts revision`, or for a concept "
        "in a database `uts show ID --db URL`, prints it).",
    ),
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///FILE.db or postgresql://USER@HOST:PORT/DB (default: the UTS_DB_URL setting, "
        "sqlite:///uts.db here).",
    ),
]


def db_url(given: str | None) -> str:
    """The database a command works on: the option, else the settings (``UTS_DB_URL``)."""
    from uts.settings import get_settings

    return given or get_settings().db_url


DryRun = Annotated[bool, typer.Option("--dry-run", help="Check everything, write nothing.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LevelOpt = Annotated[
    str | None,
    typer.Option("--level", help="Paper level 800, 1k, 1.5k, 2k or 3k; concepts outside it roll up to an ancestor."),
]
NoRollup = Annotated[
    bool, typer.Option("--no-rollup", help="Drop concepts outside --level instead of rolling them up (the paper).")
]
NoEmbed = Annotated[bool, typer.Option("--no-embed", help="Lexical stages only: never load the encoder.")]
BackendOpt = Annotated[
    str,
    typer.Option(
        "--backend",
        help="Encoder backend: auto (ONNX when available), onnx, onnx-int8 (quantised: faster, slightly less "
        "accurate) or torch.",
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="The shared data folder laid out like ../shared/data (default: the UTS_DATA_DIR setting).",
    ),
]


def data_dir(given: Path | None) -> Path:
    """The data folder: the option, else the settings (``UTS_DATA_DIR``), read when a command runs."""
    from uts.settings import get_settings

    return given if given is not None else get_settings().data_dir


def print_lines(lines: list[str], *, to_err: bool = True) -> None:
    """Print problem lines as they are: no markup, no wrapping into the terminal width."""
    out = err if to_err else console
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)
