"""`uts validate|lint|export|show|history|revision|qc|tree|stats|import-vocab|curate`: the ontology and its source."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from uts.cli.options import (
    AsJson,
    Author,
    Db,
    DryRun,
    ExpectRevision,
    Root,
    WorkRoot,
    console,
    err,
    print_lines,
)
from uts.errors import UsageError
from uts.ontology.edits import DEFAULT_AUTHOR

if TYPE_CHECKING:
    from uts.ontology import Level, Ontology
    from uts.store.base import OntologyStore


def _store(root: Path, db: str | None) -> OntologyStore:
    """Where a command works: the database ``--db`` names, else the source files under ``root``."""
    if db is not None:
        from uts.store.sql import SqlStore

        return SqlStore.open(db)
    from uts.store import FileStore

    return FileStore(root)


def _load(root: Path | None) -> Ontology:
    from uts.ontology import load_ontology

    return load_ontology(root)


def parse_level(text: str | None) -> Level | None:
    from uts.ontology import Level

    try:
        return Level.parse(text) if text else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def register(app: typer.Typer) -> None:
    for command in (validate, lint, export, show, history, revision, qc, tree, stats, curate):
        app.command()(command)
    app.command("apply")(apply_file)
    app.command("import-vocab")(import_vocab)


def import_vocab(
    paper_dir: Annotated[
        Path, typer.Option("--paper-dir", help="Folder with the paper's label_{800,1k,1.5k,2k,3k}.json.")
    ],
    root: WorkRoot = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild over an existing source, keeping its IDs and curated fields.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="Mapping date for new rows (YYYY-MM-DD, default today).")
    ] = None,
) -> None:
    """Build the UTS source from the paper's published vocabularies."""
    from uts.ontology.importer import import_vocab as run_import

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise UsageError(f"--date {date!r} is not a date like 2026-11-29") from None
    report = run_import(paper_dir, root, date=day, force=force)
    console.print(
        f"{report.published} published tags ({report.distinct_strings} distinct strings) -> {report.concepts} concepts "
        f"({report.new_concepts} new)"
    )
    console.print(
        "how each published tag joined its concept: " + ", ".join(f"{k} {v}" for k, v in sorted(report.merged.items()))
    )
    console.print("concepts per level: " + ", ".join(f"{k}: {v}" for k, v in report.per_level.items()))


def curate(
    sheet: Annotated[
        Path, typer.Argument(help="TSV sheet: an id column (or '+' for a new concept) and the columns to edit.")
    ],
    root: WorkRoot = Path("."),
    author: Author = DEFAULT_AUTHOR,
    partial: Annotated[
        bool, typer.Option("--partial", help="Skip (and report) bad rows, whole, instead of writing nothing.")
    ] = False,
    dry_run: DryRun = False,
    expect_revision: ExpectRevision = None,
    db: Db = None,
) -> None:
    """Apply a curation sheet (bulk edits) to the source, or with --db to the database working copy, as typed
    edits, checking every row and every rule."""
    from uts.store.curate import apply_sheet

    report = apply_sheet(
        _store(root, db), sheet, author=author, partial=partial, dry_run=dry_run, expected_revision=expect_revision
    )
    print_lines([f"skipped: {problem}" for problem in report.skipped])
    console.print(
        f"{report.rows} rows: {report.updated} concepts updated, {len(report.added)} added, "
        f"{report.synonyms_added} synonyms added, {len(report.merged)} merged, {len(report.skipped)} problems skipped"
        + (f"; now at revision {report.revision}" if report.written else " (nothing written)")
    )


def apply_file(
    edits: Annotated[Path, typer.Argument(help="Edits: a .json list, .jsonl (one per line) or .kgcl text.")],
    root: WorkRoot = Path("."),
    author: Author = DEFAULT_AUTHOR,
    dry_run: DryRun = False,
    expect_revision: ExpectRevision = None,
    db: Db = None,
) -> None:
    """Apply a file of typed edits (or KGCL) to the source (or the --db working copy) as one change: all of
    them, or none."""
    from uts.ontology.edit_files import read_edits
    from uts.store.change import change

    done = change(
        _store(root, db),
        lambda ontology: read_edits(edits, ontology, author=author),
        dry_run=dry_run,
        expected_revision=expect_revision,
    )
    if done.commit is None:
        console.print(f"{len(done.edits)} edits would change {len(done.concepts)} concepts (nothing written)")
        return
    console.print(
        f"{len(done.edits)} edits applied, {len(done.concepts)} concepts changed; now at revision {done.commit.revision}"
    )


def validate(root: Root = None) -> None:
    """Check every rule and the canonical format; exit 1 listing each problem with file, line and fix."""
    from uts.ontology.load import validate_root

    ontology, problems = validate_root(root)
    if problems:
        print_lines([str(p) for p in problems])
        err.print(f"[bold red]{len(problems)} problem(s)[/]")
        raise typer.Exit(1)
    console.print(
        f"ok: UTS {ontology.metadata.version}, {len(ontology)} concepts, {len(ontology.paper)} published tags, "
        f"{sum(len(m.rows) for m in ontology.mappings.values())} vocabulary mapping rows"
    )


def lint(
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Source root (default: the bundled release; with --fix: the working directory)."),
    ] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite non-canonical files in canonical form.")] = False,
) -> None:
    """Check (or with --fix, rewrite) the canonical form of the source files."""
    from uts.io.atomic import write_all_atomic
    from uts.ontology.lint import changed_texts
    from uts.ontology.lint import lint as run_lint
    from uts.ontology.load import read_root

    if fix and root is None:
        root = Path(".")
    loaded = read_root(root, rules=fix)
    if loaded.problems:
        print_lines([str(p) for p in loaded.problems])
        what = "the sources break these rules" if fix else "the sources do not parse"
        err.print(f"[bold red]{what}; fix them first (nothing was rewritten)[/]")
        raise typer.Exit(1)
    layout, texts = loaded.sources.layout, loaded.sources.texts
    if fix:
        changed = changed_texts(loaded.ontology, layout, texts)
        write_all_atomic({path: text.encode("utf-8") for path, text in changed.items()})
        console.print(f"rewrote {len(changed)} file(s)" + "".join(f"\n  {p}" for p in changed))
        return
    issues = run_lint(loaded.ontology, layout, texts)
    print_lines([str(p) for p in issues])
    if issues:
        raise typer.Exit(1)
    console.print("ok: every file is canonical")


def export(
    format: Annotated[str, typer.Option("--format", "-f", help="turtle, jsonld, owl, json or labels.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    level: Annotated[str | None, typer.Option("--level", help="With --format labels: 800, 1k, 1.5k, 2k or 3k.")] = None,
    facet: Annotated[
        str | None, typer.Option("--facet", help="With --format labels: only this facet (e.g. music-genre).")
    ] = None,
    include_curated: Annotated[
        bool, typer.Option("--include-curated", help="With --format labels: add curated grouping concepts.")
    ] = False,
    root: Root = None,
) -> None:
    """Export the ontology (SKOS Turtle/JSON-LD, OWL, JSON) or training label files."""
    from uts.export import ExportFormat, check_options, write_export

    try:
        fmt = ExportFormat.parse(format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    lvl = parse_level(level)
    check_options(fmt, lvl, facet=facet)
    for path in write_export(_load(root), fmt, output, level=lvl, facet=facet, include_curated=include_curated):
        console.print(f"wrote {path}")


def show(
    tag: Annotated[str, typer.Argument(help="A label in any case or spelling variant, or an ID like UTS:0000001.")],
    root: Root = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Show the concept a tag or ID names (with --db: in the database working copy, with its revision)."""
    revision: int | None = None
    if db is not None:
        from uts.store.sql import SqlStore

        store = SqlStore.open(db)
        ontology = store.load()
        concept = ontology.resolve_id_or_label(tag)
        revision = store.concept_revision(concept.id)
    else:
        ontology = _load(root)
        concept = ontology.resolve_id_or_label(tag)
    if as_json:
        data = json.loads(concept.model_dump_json())
        if revision is not None:
            data["revision"] = revision
        console.print_json(json.dumps(data))
        return
    table = Table(show_header=False, box=None)
    table.add_row("id", concept.id)
    if revision is not None:
        table.add_row("revision", f"{revision} (pass --expect-revision {revision} to edit it safely)")
    table.add_row("label", concept.label)
    table.add_row("status", concept.status.value + (f" -> {concept.replaced_by}" if concept.replaced_by else ""))
    table.add_row("origin", concept.origin.value)
    table.add_row("rank", "" if concept.rank is None else str(concept.rank))
    table.add_row("levels", ", ".join(level.value for level in concept.levels))
    table.add_row("alt labels", ", ".join(concept.alt_labels))
    table.add_row("hidden labels", ", ".join(concept.hidden_labels))
    table.add_row("narrower terms", ", ".join(concept.narrower_terms))
    for lang in concept.languages:
        shown = [f"{s.label} ({s.scope.value})" if s.scope.value != "pref" else s.label for s in concept.translations
                 if s.lang == lang]  # fmt: skip
        table.add_row(f"labels ({lang})", ", ".join(shown))
    table.add_row("facets", ", ".join(concept.facets))
    table.add_row("domains", ", ".join(d.value for d in concept.domains))
    table.add_row("broader", ", ".join(f"{b} ({ontology.concepts[b].label})" for b in concept.broader))
    table.add_row("narrower", ", ".join(f"{n.id} ({n.label})" for n in ontology.narrower(concept.id)))
    table.add_row("definition", concept.definition)
    table.add_row("paper indices", ", ".join(f"{t.index} {t.tag!r}" for t in ontology.paper_tags_of(concept.id)))
    console.print(table)


def history(
    tag: Annotated[str, typer.Argument(help="A label or an ID like UTS:0000001.")],
    root: WorkRoot = Path("."),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """Every edit applied to a concept through uts (who, when, why, what), oldest first."""
    store = _store(root, db)
    concept = store.load().resolve_id_or_label(tag)
    records = store.history(concept.id)
    if as_json:
        console.print_json(json.dumps([r.model_dump(mode="json") for r in records]))
        return
    if not records:
        console.print(f"no edits of {concept.id} ({escape(concept.label)}) were applied through uts here")
        return
    table = Table("time", "author", "edit", "reason", "revision")
    for record in records:
        edit = record.edit
        table.add_row(
            edit.time.isoformat(),
            edit.author,
            escape(f"{edit.op} {edit.subject}"),
            escape(edit.reason),
            record.revision,
        )
    console.print(table)


def revision(root: WorkRoot = Path("."), db: Db = None) -> None:
    """The revision of the source (or the --db working copy): pass it to --expect-revision to refuse a write if
    anyone changed it since."""
    console.print(_store(root, db).revision())


def qc(root: Root = None, as_json: AsJson = False) -> None:
    """Curation quality report; exit 1 when a threshold (facets, domains, hierarchy, definitions) is not met, or a
    mapping row names a gap a concept now fills."""
    from uts.ontology.qc import run_qc
    from uts.ontology.source import bundled_root
    from uts.ontology.twins import read_reviewed

    reviewed = [r.ids for r in read_reviewed(root if root is not None else bundled_root())]
    report = run_qc(_load(root), reviewed)
    if as_json:
        console.print_json(report.model_dump_json())
    else:
        console.print(f"UTS {report.version}: {report.active} active concepts")
        table = Table("primary facet", "concepts")
        for facet_id, count in report.per_facet.items():
            table.add_row(facet_id, str(count))
        console.print(table)
        console.print("domains: " + ", ".join(f"{k} {v}" for k, v in report.per_domain.items()))
        console.print("levels: " + ", ".join(f"{k} {v}" for k, v in report.per_level.items()))
        console.print("depth below a root: " + ", ".join(f"{k}: {v}" for k, v in report.depth.items()))
        console.print(
            f"orphans {len(report.orphans)}, outside their facet tree {len(report.outside_facet_tree)}, "
            f"missing definitions {len(report.missing_definitions)}, shared labels {len(report.shared_labels)}, "
            f"scope notes {report.scope_notes}"
        )
        if report.suspicious_merges:
            console.print(f"merges to review ({len(report.suspicious_merges)}):")
            for line in report.suspicious_merges:
                console.print(f"  {escape(line)}", highlight=False)
        if report.shadowed_labels:
            console.print(
                f"labels in other languages that lookups never reach, as another concept holds their key "
                f"({len(report.shadowed_labels)}; English labels win):"
            )
            for line in report.shadowed_labels:
                console.print(f"  {escape(line)}", highlight=False)
        if report.filled_gaps:
            console.print(f"mapping rows whose gap a concept now fills ({len(report.filled_gaps)}):")
            for line in report.filled_gaps:
                console.print(f"  {escape(line)}", highlight=False)
        for title, lines in (
            ("twin candidates nobody has reviewed", report.twin_candidates),
            ("sibling definitions alike", report.sibling_definitions),
            ("flat groups", report.flat_groups),
            ("definitions naming a sibling (a better parent?)", report.better_parents),
            ("narrower terms of a material or place that name an object", report.object_narrower_terms),
        ):
            if lines:
                console.print(f"{title} ({len(lines)}):")
                for line in lines[:20]:
                    console.print(f"  {escape(line)}", highlight=False)
                if len(lines) > 20:
                    console.print(f"  ... and {len(lines) - 20} more (--json lists them all)")
        for check in report.checks:
            mark = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
            console.print(f"{mark} {escape(check.name)}: {escape(check.detail)}", highlight=False)
    if not report.passed:
        raise typer.Exit(1)


def tree(
    facet: Annotated[
        str | None, typer.Option("--facet", help="Show the subtree below this facet's root concept.")
    ] = None,
    concept: Annotated[str | None, typer.Option("--concept", help="Show the subtree below this label or ID.")] = None,
    depth: Annotated[int | None, typer.Option("--depth", help="Stop after this many levels.")] = None,
    root: Root = None,
) -> None:
    """Print the narrower tree below a facet root or a concept."""
    from rich.tree import Tree

    from uts.ontology.tree import TreeNode, facet_tree, subtree

    if (facet is None) == (concept is None):
        raise UsageError("give exactly one of --facet FACET or --concept TAG (`uts stats` lists the facets)")
    ontology = _load(root)
    node = (
        facet_tree(ontology, facet, max_depth=depth)
        if facet
        else subtree(ontology, ontology.resolve_id_or_label(concept or "").id, max_depth=depth)
    )

    def render(n: TreeNode, into: Tree) -> None:
        for child in n.children:
            text = f"{escape(child.concept.label)} [dim]{child.concept.id}[/]" + (
                " [dim](see above)[/]" if child.repeated else ""
            )
            render(child, into.add(text))

    top = Tree(f"[bold]{escape(node.concept.label)}[/] [dim]{node.concept.id}[/] ({node.size()} concepts)")
    render(node, top)
    console.print(top)


def stats(root: Root = None, as_json: AsJson = False) -> None:
    """Concepts per level, merges and labels."""
    from uts.ontology.stats import compute_stats

    figures = compute_stats(_load(root))
    if as_json:
        console.print_json(json.dumps(figures.model_dump()))
        return
    console.print(
        f"UTS {figures.version}: {figures.concepts} concepts ({figures.active} active, {figures.deprecated} deprecated; "
        f"{figures.from_paper} from the paper, {figures.curated} curated additions)"
    )
    console.print(
        f"{figures.published_tags} published tags, {figures.distinct_published_strings} distinct strings; "
        f"{figures.merged_concepts} concepts merge several published tags"
    )
    table = Table("level", "published tags", "distinct concepts")
    for row in figures.levels:
        table.add_row(row.level, str(row.published_tags), str(row.concepts))
    console.print(table)
    console.print("labels: " + ", ".join(f"{k} {v}" for k, v in figures.labels.items()))
    if figures.translations:
        console.print("labels in other languages: " + ", ".join(f"{k} {v}" for k, v in figures.translations.items()))
    console.print(
        "published tags by justification: " + ", ".join(f"{k} {v}" for k, v in figures.merges_by_justification.items())
    )
    console.print(
        f"active concepts with broader {figures.with_broader}, definition {figures.with_definition}, "
        f"facet {figures.with_facet}, domain {figures.with_domain}; next free ID {figures.next_id}"
    )
