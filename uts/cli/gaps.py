"""`uts gaps mine`: the phrases a caption corpus uses that no UTS concept matches, most frequent first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from uts.cli.options import BackendOpt, LevelOpt, NoEmbed, Root, console, err
from uts.cli.resolve import warn_problem
from uts.errors import UsageError
from uts.io.atomic import write_atomic

if TYPE_CHECKING:
    from uts.resolve.gaps import GapMining

app = typer.Typer(help="Vocabulary gaps: what captions say that UTS has no concept for.", no_args_is_help=True)
OUTPUTS = ("table", "tsv", "json")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="gaps")


@app.command("mine")
def mine(
    inputs: Annotated[
        list[Path],
        typer.Option("--input", "-i", help="A caption file: CSV, TSV, JSON lines or JSON (repeat for several)."),
    ],
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv, tsv, jsonl or json (default: from each file's suffix)."),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option(
            "--column",
            help="The CSV or TSV column, or the JSON field, of the caption (default: caption, or text for JSON).",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Show (or write) the N most frequent gaps.")] = 100,
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Leave out gaps met fewer times.")] = 1,
    examples: Annotated[int, typer.Option("--examples", min=0, help="Example captions kept per gap.")] = 3,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Read only the first N captions.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the gaps here: .tsv (a curator's sheet) or .json.")
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--output-format", help="table (default on a terminal), tsv or json.")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Captions resolved together.")] = 256,
    level: LevelOpt = None,
    no_embed: NoEmbed = False,
    backend: BackendOpt = "auto",
    root: Root = None,
) -> None:
    """Resolve every caption and count the phrases no concept matched, by lemma ("sirens" is "siren"), with
    examples and the nearest concept the encoder turned down; a summary of what was read goes to standard error."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from uts.cli.resolve import _resolver
    from uts.resolve.gaps import mine_files

    kind = _output_kind(output, output_format)
    resolver = _resolver(root, level, False, no_embed, backend)
    progress = Progress(
        TextColumn("mining"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal and not os.environ.get("UTS_PROGRESS"),
    )
    with progress:
        task = progress.add_task("mine", total=limit)
        mined = mine_files(
            resolver, inputs, format, column, limit=limit, on_problem=warn_problem, top=top, min_count=min_count,
            examples=examples, batch=batch_size, on_batch=lambda n: progress.update(task, completed=n),
        )  # fmt: skip
    if kind == "json":
        text = mined.model_dump_json(indent=2) + "\n"
    elif kind == "tsv":
        text = mined.to_tsv()
    else:
        text = ""
        _print_table(mined)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
    elif text:
        console.out(text, end="", highlight=False)
    share = f"{mined.unmatched_share:.1%}" if mined.phrases else "-"
    err.print(
        f"captions {mined.captions:,} (skipped {mined.skipped:,}), phrases no label covers {mined.phrases:,}, "
        f"unmatched {mined.unmatched:,} ({share}) in {mined.captions_with_gaps:,} captions, "
        f"distinct gaps {mined.distinct:,}"
        + (f"; wrote {len(mined.gaps)} to {escape(str(output))}" if output is not None else ""),
        highlight=False,
    )


def _output_kind(output: Path | None, given: str | None) -> str:
    if given is not None and given not in OUTPUTS:
        raise UsageError(f"--output-format {given!r}: choose table, tsv or json")
    if output is None:
        return given or "table"
    by_suffix = {".tsv": "tsv", ".json": "json"}.get(output.suffix.lower())
    kind = given or by_suffix
    if kind not in ("tsv", "json"):
        raise UsageError(f"--output {output}: name a .tsv or .json file, or give --output-format tsv or json")
    return kind


def _print_table(mined: GapMining) -> None:
    table = Table(title=f"vocabulary gaps in {', '.join(mined.sources)} (UTS {mined.release})", title_justify="left")
    for column in ("#", "phrase", "count", "other forms", "nearest concept", "cosine", "example"):
        table.add_column(column, justify="right" if column in ("#", "count", "cosine") else "left")
    for rank, g in enumerate(mined.gaps, start=1):
        others = ", ".join(f for f in g.forms if f != g.text)
        near = f"{g.nearest_label} ({g.nearest})" if g.nearest else ""
        cosine = f"{g.cosine:.2f}" if g.cosine is not None else ""
        example = g.examples[0][:80] if g.examples else ""
        table.add_row(str(rank), escape(g.text), str(g.count), escape(others[:60]), escape(near), cosine,
                      escape(example))  # fmt: skip
    console.print(table)
