"""`uts db upgrade|load|dump|releases`, `uts release`, `uts diff`, `uts migrate-labels`, `uts migrate-indices`:
the database working copy, its releases, and carrying labelled data and class indices across releases."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from uts.cli.options import Db, Root, console, db_url, err, print_lines
from uts.errors import UsageError

if TYPE_CHECKING:
    from uts.ontology import Ontology
    from uts.store.base import ReleaseInfo
    from uts.store.sql import SqlStore

app = typer.Typer(help="The database working copy: create, fill, write back, list releases.", no_args_is_help=True)

WORKING = "working"


def register(root_app: typer.Typer) -> None:
    root_app.add_typer(app, name="db")
    root_app.command("release")(release)
    root_app.command("diff")(diff)
    root_app.command("migrate-labels")(migrate_labels)
    root_app.command("migrate-indices")(migrate_indices)


def open_db(url: str | None) -> SqlStore:
    from uts.store.sql import SqlStore

    return SqlStore.open(db_url(url))


@app.command()
def upgrade(db: Db = None) -> None:
    """Create the database's tables, or bring an older database up to this uts's schema."""
    from uts.store.migrate import current, head
    from uts.store.migrate import upgrade as run_upgrade

    url = db_url(db)
    before = current(url)
    run_upgrade(url)
    after = head()
    console.print(f"schema at revision {after}" + (" (already)" if before == after else f" (was {before or 'empty'})"))


@app.command()
def load(db: Db = None, root: Root = None) -> None:
    """Fill an empty database from a release of the source: the working copy, that version as a release, and the
    earlier releases the source records (releases/*/release.toml), so `uts diff` reaches back to them."""
    from uts.ontology.source import bundled_root
    from uts.store.migrate import upgrade as run_upgrade
    from uts.store.sql import SqlStore

    url = db_url(db)
    run_upgrade(url)
    store = SqlStore(url)
    info = store.load_source(root or bundled_root())
    versions = [r.version for r in store.releases()]
    named = f"release {versions[0]}" if len(versions) == 1 else f"releases {', '.join(versions)}"
    console.print(f"loaded UTS {info.version} into {escape(url)}: the working copy at revision 1 and {named}")


@app.command()
def dump(
    output: Annotated[Path, typer.Option("--output", help="Folder to write ontology/ and mappings/ into.")],
    db: Db = None,
    release_version: Annotated[
        str | None, typer.Option("--release", help="Write this release instead of the working copy.")
    ] = None,
) -> None:
    """Write the working copy (or a release) back as canonical TSV and SSSOM: a load then a dump with no edits in
    between reproduces the source byte for byte."""
    files = open_db(db).dump(output, release=release_version)
    console.print(f"wrote {len(files)} files under {escape(str(output))}")


@app.command("releases")
def list_releases(db: Db = None) -> None:
    """The releases in the database, oldest first."""
    store = open_db(db)
    table = Table("version", "date", "revision", "content hash", "notes")
    for info in store.releases():
        notes, digest, revision = store.release_notes(info.version)
        table.add_row(info.version, str(info.date or ""), str(revision), digest[:12], escape(notes))
    console.print(table)
    console.print(f"working copy at revision {store.revision()}")


def release(
    version: Annotated[str, typer.Argument(help="The new release's semantic version, e.g. 1.1.0.")],
    notes: Annotated[str, typer.Option("--notes", help="What the release changes, for its users.")],
    db: Db = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Folder for the release's files (default: releases/VERSION here)."),
    ] = None,
) -> None:
    """Freeze the working copy as an immutable release and write its files (source TSV and SSSOM, Turtle, OWL,
    JSON-LD, JSON, label files and class-index layouts per level). Stopped midway, it leaves nothing behind."""
    from uts.export.release import check_output, remove_leftovers, write_release
    from uts.store.releases import semver_key

    semver_key(version)  # a bad version fails before anything else
    folder = output or Path("releases") / version
    check_output(folder)
    store = open_db(db)

    def publish(info: ReleaseInfo, texts: dict[str, str]) -> None:
        remove_leftovers(folder)
        write_release(texts, version, folder, notes=notes, date=info.date)

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        info, created = store.release(version, notes=notes, publish=publish)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not created:
        console.print(f"nothing to release: the working copy holds exactly release {info.version}; nothing written")
        return
    console.print(f"released UTS {info.version} ({info.iri}) into {escape(str(folder))}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _version(store: SqlStore, name: str) -> Ontology:
    return store.load() if name == WORKING else store.load(name)


def diff(
    old: Annotated[str, typer.Argument(help="A release version (or 'working').")],
    new: Annotated[str, typer.Argument(help="A later release version, or 'working' (the working copy).")] = WORKING,
    db: Db = None,
    fmt: Annotated[str, typer.Option("--format", help="text (default), markdown or json.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file instead of printing.")] = None,
) -> None:
    """What changed between two releases (or a release and the working copy): a summary first, then details."""
    from uts.io.atomic import write_atomic
    from uts.ontology import diff as diffs

    renderers = {"text": diffs.to_text, "markdown": diffs.to_markdown, "json": diffs.to_json}
    if fmt not in renderers:
        raise UsageError(f"unknown --format {fmt!r}; choose one of {', '.join(renderers)}")
    store = open_db(db)
    result = diffs.diff(_version(store, old), _version(store, new))
    if new == WORKING:
        result = result.model_copy(update={"new": f"{result.new} (working copy, revision {store.revision()})"})
    text = renderers[fmt](result)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
        console.print(f"{diffs.summary_line(result)}; written to {escape(str(output))}")
    else:
        typer.echo(text, nl=False)


def migrate_labels(
    source: Annotated[Path, typer.Argument(help="The labelled dataset: .jsonl, .csv, .tsv or a label .json file.")],
    output: Annotated[Path, typer.Argument(help="Where to write the migrated dataset (never the input).")],
    from_version: Annotated[str, typer.Option("--from", help="The release the labels are in.")],
    to_version: Annotated[str, typer.Option("--to", help="The release to carry them to (or 'working').")],
    db: Db = None,
    field: Annotated[
        str, typer.Option("--field", help="The JSON field or table column holding the labels.")
    ] = "labels",
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, csv, tsv or json (default: by suffix).")] = None,
    sep: Annotated[
        str | None, typer.Option("--sep", help="Several labels in one string or cell, split at this separator.")
    ] = None,
) -> None:
    """Rewrite a labelled dataset from one release to another: merged concepts become their target, replaced
    ones their replacement; deprecated and split ones are kept out and reported with candidates to consider."""
    from uts.convert.migrate_labels import iter_report_lines, report_file
    from uts.convert.migrate_labels import migrate_labels as run

    store = open_db(db)
    old, new = _version(store, from_version), _version(store, to_version)
    report = run(old, new, source, output, field=field, fmt=fmt, sep=sep)
    lines = list(iter_report_lines(report))
    print_lines(lines[:1], to_err=False)
    print_lines(lines[1:51], to_err=False)
    if len(lines) > 51:
        console.print(f"... {len(lines) - 51} more lines in the report")
    console.print(f"report: {escape(str(report_file(output)))}")


def migrate_indices(
    from_version: Annotated[
        str,
        typer.Option(
            "--from",
            help="The release whose class indices a model uses, or 'paper:VERSION' for the "
            "paper's own label files as aligned in that release.",
        ),
    ],
    to_version: Annotated[str, typer.Option("--to", help="The release to carry the indices to.")],
    level: Annotated[str, typer.Option("--level", help="The level: 800, 1k, 1.5k, 2k or 3k.")],
    db: Db = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write the table (TSV) to this file.")] = None,
) -> None:
    """The migration table of class indices from an older layout (or the paper's indices) to a newer one."""
    from uts.cli.ontology import parse_level
    from uts.io.atomic import write_atomic
    from uts.ontology.layouts import layout_ids, migration_table, paper_ids, table_text
    from uts.store.releases import release_layout

    lvl = parse_level(level)
    assert lvl is not None
    store = open_db(db)
    new_layout = release_layout(store, to_version, lvl)
    if from_version.startswith("paper:"):
        old_ids = paper_ids(store.load(from_version.removeprefix("paper:")), lvl)
    else:
        old_ids = layout_ids(release_layout(store, from_version, lvl))
    moves = migration_table(old_ids, new_layout, store.load(to_version))
    text = table_text(moves)
    counts: dict[str, int] = {}
    for move in moves:
        counts[move.outcome.value] = counts.get(move.outcome.value, 0) + 1
    summary = (
        f"{len(moves)} indices of {from_version} -> {len(new_layout)} of {to_version} ({lvl.value}): "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
        console.print(f"{summary}; table written to {escape(str(output))}")
    else:
        typer.echo(text, nl=False)  # TSV as it is (a console would expand the tabs)
        err.print(summary, highlight=False)
