"""`uts convert`: a legacy-labelled dataset (AudioSet segments, ESC-50, UrbanSound8K, any CSV) to UTS tags."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from uts.cli.options import AsJson, Db, LevelOpt, NoEmbed, Root, console, err, print_lines
from uts.errors import UsageError

if TYPE_CHECKING:
    from uts.convert.engines import RayEngine
    from uts.ontology.layouts import Layout
    from uts.ontology.model import Level
    from uts.ontology.ontology import Ontology


def register(app: typer.Typer) -> None:
    app.command()(convert)


def convert(
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="audioset, esc50, urbansound8k, mtg-jamendo, sonyc-ust (annotations.csv), csv, jsonl (both with "
            "--id-column, --label-column, --prefix), or captions (JSONL {id, text}: the resolver).",
        ),
    ],
    input_path: Annotated[Path, typer.Option("--input", help="The legacy label file.")],
    output: Annotated[Path, typer.Option("--output", help="The JSONL to write (atomically).")],
    level: LevelOpt = None,
    expand_ancestors: Annotated[
        bool, typer.Option("--expand-ancestors", help="Add every ancestor of each tag (inside --level).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail, writing nothing, on any malformed row.")] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="jsonl (with provenance), csv, lhotse (a CutSet, with --audio-dir), or multihot (.npy by the level's "
            "class indices).",
        ),
    ] = "jsonl",
    audio_dir: Annotated[
        Path | None, typer.Option("--audio-dir", help="--format lhotse: the folder of the clips' audio files.")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Where the JSON report goes.")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted run (its OUT.partial); same bytes as one run.")
    ] = False,
    id_column: Annotated[str | None, typer.Option("--id-column", help="csv: the clip ID column.")] = None,
    label_column: Annotated[str | None, typer.Option("--label-column", help="csv: the label column.")] = None,
    prefix: Annotated[str | None, typer.Option("--prefix", help="csv: the CURIE prefix of its labels.")] = None,
    separator: Annotated[str | None, typer.Option("--separator", help="csv: what splits several labels.")] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="Your own mapping: SSSOM TSV, or two columns (label, UTS concept) with --prefix."
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (Ray Data; locally or on --ray-address).")
    ] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="--engine ray: converting (resolving) actors.")] = 2,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="--engine ray: an existing cluster (ray://HOST:10001, auto).")
    ] = None,
    release: Annotated[
        str | None,
        typer.Option("--release", help="Convert with this release from the database (--db); default: --root's."),
    ] = None,
    db: Db = None,
    no_embed: NoEmbed = False,
    root: Root = None,
    as_json: AsJson = False,
) -> None:
    """Map every clip's legacy labels to UTS tags by the reviewed mapping sets, with provenance; print a report
    (also written as JSON beside the output): unmapped labels, malformed rows, what the paper's filter loses."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from uts.convert.dataset import convert as run
    from uts.convert.dataset import report_file
    from uts.convert.engines import RayEngine
    from uts.convert.formats import Format
    from uts.convert.mapper import read_user_mapping
    from uts.ontology.model import Level

    if engine not in ("local", "ray"):
        raise UsageError(f"unknown --engine {engine!r}; choose local or ray")
    if source == "captions":  # caption corpora go through the resolver: `uts resolve --input`, the same stream
        if release:
            raise UsageError("--source captions resolves with a source root: write the release out with `uts db "
                             "dump --release VERSION --output DIR` and pass --root DIR")  # fmt: skip
        if output_format != "jsonl" or expand_ancestors or id_column or label_column or prefix:
            raise UsageError("--source captions writes the resolver's JSONL: drop --format, --expand-ancestors and "
                             "the csv column options")  # fmt: skip
        if engine == "ray":
            _captions_on_ray(input_path, output, RayEngine(workers=workers, address=ray_address, root=root),
                             level=level, strict=strict, no_embed=no_embed, resume=resume, root=root)  # fmt: skip
            return
        from uts.cli.resolve import resolve

        resolve(input=input_path, output=output, resume=resume, strict=strict, level=level, no_embed=no_embed,
                root=root)  # fmt: skip
        return
    chosen = Level(level) if level else None
    if output_format not in {f.value for f in Format}:
        raise UsageError(f"unknown --format {output_format!r}; choose one of {', '.join(f.value for f in Format)}")
    ontology, layouts = _release(release, db, root, chosen)
    own = read_user_mapping(mapping, ontology, prefix or "") if mapping else []
    if mapping and not prefix and any(r.subject.startswith(":") for r in own):
        raise UsageError("a two-column --mapping needs --prefix: the CURIE prefix its labels take (as in the input)")
    layout = layouts.get(chosen) if chosen else None
    on_ray = RayEngine(workers=workers, address=ray_address, root=root) if engine == "ray" else None
    progress = Progress(
        TextColumn("converting"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(), console=err, disable=not err.is_terminal and not os.environ.get("UTS_PROGRESS"),
    )  # fmt: skip
    task = progress.add_task("convert", total=input_path.stat().st_size if input_path.is_file() else None, rows=0)
    with progress, _stop_on_signals() as stopped:
        result = run(
            source, input_path, output, ontology, level=chosen, expand_ancestors=expand_ancestors, strict=strict,
            output_format=Format(output_format), layout=layout, report_path=report, resume=resume,
            stop=None if on_ray else stopped, engine=on_ray, mapping=own, audio_dir=audio_dir, clip_column=id_column,
            label_column=label_column, prefix=prefix, separator=separator,
            on_progress=lambda done, rows: progress.update(task, completed=done, rows=rows),
        )  # fmt: skip
    if as_json:
        console.print_json(result.model_dump_json())
        return
    paper = result.paper_filter
    lines = [
        f"{result.rows_written:,} of {result.rows_read:,} rows written to {output} ({result.malformed_rows:,} malformed)",
        f"{result.labels_mapped:,} of {result.labels_read:,} legacy labels mapped; {result.clips_without_tag:,} clips "
        f"without a UTS tag{f' at level {chosen}' if chosen else ''}",
        f"tags per clip: {result.legacy_labels_per_clip} legacy -> {result.tags_per_clip} UTS",
        f"the paper's exact-string filter would keep {paper.labels_kept:,} labels, drop {paper.labels_dropped:,} and "
        f"leave {paper.clips_left_without_label:,} clips with none",
    ]
    lines += [f"unmapped: {u.name} ({u.label}) x{u.count}: {u.reason}" for u in result.unmapped[:20]]
    if len(result.unmapped) > 20:
        lines.append(f"... and {len(result.unmapped) - 20} more unmapped labels")
    lines += [f"malformed line {m.line}: {m.problem}" for m in result.malformed[:20]]
    if chosen and result.clips_without_tag:
        lines.append(f"clips left untagged at {chosen}: convert at a larger level (3k), without --level, or propose "
                     "the missing concepts' level in the web UI")  # fmt: skip
    lines.append(f"report: {report or report_file(output)}")
    print_lines(lines, to_err=False)


def _captions_on_ray(
    input_path: Path, output: Path, engine: RayEngine, *, level: str | None, strict: bool, no_embed: bool,
    resume: bool, root: Path | None,
) -> None:  # fmt: skip
    """`uts resolve --input --output` on Ray: the resolver set up as that command sets it up, the same warnings
    and summary; the bytes written are those of the local run."""
    from uts.cli.resolve import _sigterm_interrupts, print_summary, warn_problem
    from uts.convert.captions import resolve_captions
    from uts.ontology import load_ontology
    from uts.resolve.config import configure
    from uts.resolve.filestream import StreamOptions

    if resume:
        raise UsageError("--resume works with the local engine; a run on Ray starts again from the top")
    config = configure(level, {"rollup": True, "embed": not no_embed, "backend": "auto"})
    with _sigterm_interrupts():
        end = resolve_captions(input_path, output, load_ontology(root), config=config,
                               options=StreamOptions(strict=strict), engine=engine, on_problem=warn_problem)  # fmt: skip
    print_summary(end.summary)


def _release(
    release: str | None, db: str | None, root: Path | None, level: Level | None
) -> tuple[Ontology, dict[Level, Layout]]:
    """The release to convert with and (with a level) its class-index layouts: a release from the database, or the
    source root (default: the bundled release)."""
    from uts.ontology import load_ontology
    from uts.ontology.layouts import layouts_from_texts, read_layouts
    from uts.ontology.source import bundled_root

    if release is None:
        ontology = load_ontology(root)
        return ontology, read_layouts(root or bundled_root(), ontology.metadata.version) if level else {}
    if root is not None:
        raise UsageError("--release reads a release from the database, --root a source folder: give one of them")
    from uts.cli.db import open_db

    store = open_db(db)
    return store.load(release), layouts_from_texts(store.release_texts(release), release) if level else {}


@contextmanager
def _stop_on_signals() -> Iterator[Callable[[], bool]]:
    """Ctrl-C and SIGTERM (a scheduler stopping the job) ask the run to stop at the next row: it saves where it
    got to, and ``--resume`` continues from there."""
    asked: list[int] = []

    def ask(signum: int, frame: object) -> None:
        asked.append(signum)

    previous = {sig: signal.signal(sig, ask) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: bool(asked)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["register"]
