"""The ``uts`` command: a thin layer over the library; each command body is one library call."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from uts.errors import OntologyValidationError, UTSError

if TYPE_CHECKING:
    from uts.ontology import Ontology

app = typer.Typer(help="UTS: the Unified Tag System of audio tags as a curated ontology.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

Root = Annotated[
    Path | None,
    typer.Option("--root", help="Source root holding ontology/ and mappings/ (default: the bundled release)."),
]


def _load(root: Path | None) -> Ontology:
    from uts.ontology import Ontology

    return Ontology.load(root)


def _fail(error: UTSError) -> None:
    err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command("import-vocab")
def import_vocab_cmd(
    paper_dir: Annotated[
        Path, typer.Option("--paper-dir", help="Folder with the paper's label_{800,1k,1.5k,2k,3k}.json.")
    ],
    root: Annotated[Path, typer.Option("--root", help="Source root to write ontology/ and mappings/ into.")] = Path(
        "."
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild over an existing source, keeping its IDs and curated fields.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="Mapping date for new rows (YYYY-MM-DD, default today).")
    ] = None,
) -> None:
    """Build the UTS source from the paper's published vocabularies."""
    from uts.ontology.importer import import_vocab

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        _fail(UTSError(f"--date {date!r} is not a date like 2026-11-29"))
    try:
        report = import_vocab(paper_dir, root, date=day, force=force)
    except UTSError as exc:
        _fail(exc)
    console.print(
        f"{report.published} published tags ({report.distinct_strings} distinct strings) -> {report.concepts} concepts "
        f"({report.new_concepts} new)"
    )
    console.print(
        "how each published tag joined its concept: " + ", ".join(f"{k} {v}" for k, v in sorted(report.merged.items()))
    )
    console.print("concepts per level: " + ", ".join(f"{k}: {v}" for k, v in report.per_level.items()))


@app.command()
def curate(
    sheet: Annotated[
        Path, typer.Argument(help="TSV sheet: an id column (or '+' for a new concept) and the columns to edit.")
    ],
    root: Annotated[Path, typer.Option("--root", help="Source root to edit.")] = Path("."),
    partial: Annotated[
        bool, typer.Option("--partial", help="Skip (and report) bad rows instead of writing nothing.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the sheet, write nothing.")] = False,
) -> None:
    """Apply a curation sheet (bulk edits) to the source, checking every row and every rule."""
    from uts.ontology.curate import apply_sheet

    try:
        report = apply_sheet(root, sheet, partial=partial, dry_run=dry_run)
    except UTSError as exc:
        _fail(exc)
    for problem in report.skipped:
        err.print(f"skipped: {problem}", markup=False, highlight=False, soft_wrap=True)
    console.print(
        f"{report.rows} rows: {report.updated} concepts updated, {len(report.added)} added, "
        f"{report.synonyms_added} synonyms added, {len(report.skipped)} problems skipped"
        + ("" if report.written else " (dry run: nothing written)")
    )


@app.command()
def validate(root: Root = None) -> None:
    """Check every rule and the canonical format; exit 1 listing each problem with file, line and fix."""
    from uts.ontology.validate import validate_root

    ontology, problems = validate_root(root)
    if problems:
        for problem in problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        err.print(f"[bold red]{len(problems)} problem(s)[/]")
        raise typer.Exit(1)
    console.print(
        f"ok: UTS {ontology.metadata.version}, {len(ontology)} concepts, {len(ontology.paper)} published tags"
    )


@app.command()
def lint(
    root: Root = None,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite non-canonical files in canonical form.")] = False,
) -> None:
    """Check (or with --fix, rewrite) the canonical form of the source files."""
    from uts.ontology import lint as linting
    from uts.ontology.ontology import build, bundled_root
    from uts.ontology.source import read_sources

    sources = read_sources(root or bundled_root())
    ontology, problems = build(sources)
    if problems:
        for problem in problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        err.print("[bold red]the sources do not parse; fix these first, then lint[/]")
        raise typer.Exit(1)
    if fix:
        changed = linting.fix(ontology, sources.texts)
        console.print(f"rewrote {len(changed)} file(s)" + "".join(f"\n  {p}" for p in changed))
        return
    issues = linting.lint(ontology, sources.texts)
    for problem in issues:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    if issues:
        raise typer.Exit(1)
    console.print("ok: every file is canonical")


@app.command()
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
    from uts.ontology import Level

    try:
        fmt = ExportFormat.parse(format)
        lvl = Level.parse(level) if level else None
        check_options(fmt, lvl, facet=facet)
        written = write_export(_load(root), fmt, output, level=lvl, facet=facet, include_curated=include_curated)
    except UTSError as exc:
        _fail(exc)
    except ValueError as exc:
        _fail(UTSError(str(exc)))
    for path in written:
        console.print(f"wrote {path}")


@app.command()
def show(
    tag: Annotated[str, typer.Argument(help="A label in any case or spelling variant, or an ID like UTS:0000001.")],
    root: Root = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the concept as JSON.")] = False,
) -> None:
    """Show the concept a tag or ID names."""
    from uts.ontology import Ontology

    try:
        ontology = Ontology.load(root)
        concept = ontology.resolve_id_or_label(tag)
    except UTSError as exc:
        _fail(exc)
    if as_json:
        console.print_json(concept.model_dump_json())
        return
    table = Table(show_header=False, box=None)
    table.add_row("id", concept.id)
    table.add_row("label", concept.label)
    table.add_row("status", concept.status.value + (f" -> {concept.replaced_by}" if concept.replaced_by else ""))
    table.add_row("origin", concept.origin.value)
    table.add_row("rank", "" if concept.rank is None else str(concept.rank))
    table.add_row("levels", ", ".join(level.value for level in concept.levels))
    table.add_row("alt labels", ", ".join(concept.alt_labels))
    table.add_row("hidden labels", ", ".join(concept.hidden_labels))
    table.add_row("narrower terms", ", ".join(concept.narrower_terms))
    table.add_row("facets", ", ".join(concept.facets))
    table.add_row("domains", ", ".join(d.value for d in concept.domains))
    table.add_row("broader", ", ".join(f"{b} ({ontology.concepts[b].label})" for b in concept.broader))
    table.add_row("narrower", ", ".join(f"{n.id} ({n.label})" for n in ontology.narrower(concept.id)))
    table.add_row("definition", concept.definition)
    table.add_row("paper indices", ", ".join(f"{t.index} {t.tag!r}" for t in ontology.paper_tags_of(concept.id)))
    console.print(table)


@app.command()
def qc(
    root: Root = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Curation quality report; exit 1 when a threshold (facets, domains, hierarchy, definitions) is not met."""
    from uts.ontology import Ontology
    from uts.ontology.qc import run_qc

    try:
        report = run_qc(Ontology.load(root))
    except UTSError as exc:
        _fail(exc)
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
        for check in report.checks:
            mark = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
            console.print(f"{mark} {escape(check.name)}: {escape(check.detail)}", highlight=False)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
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

    from uts.ontology import Ontology
    from uts.ontology.tree import TreeNode, facet_tree, subtree

    if (facet is None) == (concept is None):
        _fail(UTSError("give exactly one of --facet FACET or --concept TAG (`uts stats` lists the facets)"))
    try:
        ontology = Ontology.load(root)
        node = (
            facet_tree(ontology, facet, max_depth=depth)
            if facet
            else subtree(ontology, ontology.resolve_id_or_label(concept or "").id, max_depth=depth)
        )
    except UTSError as exc:
        _fail(exc)

    def render(n: TreeNode, into: Tree) -> None:
        for child in n.children:
            text = f"{escape(child.concept.label)} [dim]{child.concept.id}[/]" + (
                " [dim](see above)[/]" if child.repeated else ""
            )
            render(child, into.add(text))

    top = Tree(f"[bold]{escape(node.concept.label)}[/] [dim]{node.concept.id}[/] ({node.size()} concepts)")
    render(node, top)
    console.print(top)


@app.command()
def stats(
    root: Root = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Concepts per level, merges and labels."""
    from uts.ontology import Ontology
    from uts.ontology.stats import compute_stats

    try:
        figures = compute_stats(Ontology.load(root))
    except UTSError as exc:
        _fail(exc)
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
    console.print(
        "published tags by justification: " + ", ".join(f"{k} {v}" for k, v in figures.merges_by_justification.items())
    )
    console.print(
        f"active concepts with broader {figures.with_broader}, definition {figures.with_definition}, "
        f"facet {figures.with_facet}, domain {figures.with_domain}; next free ID {figures.next_id}"
    )


def _register_subcommands() -> None:
    from uts.cli.mappings import app as mappings_app
    from uts.cli.resolve import eval_app, resolve

    app.add_typer(mappings_app, name="mappings")
    app.command()(resolve)
    app.add_typer(eval_app, name="eval")


_register_subcommands()


def main() -> None:
    try:
        app()
    except OntologyValidationError as exc:
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
