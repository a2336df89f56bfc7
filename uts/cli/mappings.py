"""`uts mappings ...`: suggest, check and measure the SSSOM mappings of legacy vocabularies to UTS."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from uts.errors import UTSError

if TYPE_CHECKING:
    from uts.mappings.table import MappingSet
    from uts.ontology import Ontology
    from uts.vocabularies.base import Vocabulary

app = typer.Typer(
    help="Mappings of legacy vocabularies (AudioSet, ESC-50, MTG-Jamendo, ...) to UTS, in SSSOM.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Folder laid out like ../shared/data that holds the published vocabulary files.",
        envvar="UTS_DATA_DIR",
    ),
]
Root = Annotated[Path, typer.Option("--root", help="Source root holding ontology/ and mappings/.")]
DEFAULT_DATA = Path(os.environ.get("UTS_DATA_DIR", "../shared/data"))


def _fail(error: UTSError) -> None:
    from uts.cli import _fail as fail

    fail(error)


def _open(vocabulary: str, data_dir: Path, root: Path) -> tuple[Ontology, Vocabulary, MappingSet]:
    """The ontology, the vocabulary and its current mapping set, refusing a mapping file that does not parse."""
    from uts.mappings.coverage import load_mapping_set
    from uts.ontology import Ontology
    from uts.vocabularies import read_vocabulary

    ontology = Ontology.load(root)
    vocab = read_vocabulary(vocabulary, data_dir)
    mapping_set, problems = load_mapping_set(root, vocab)
    if problems:
        raise UTSError("fix the mapping file first:\n" + "\n".join(f"  {p}" for p in problems[:20]))
    return ontology, vocab, mapping_set


@app.command()
def suggest(
    vocabulary: Annotated[
        str, typer.Argument(help="Vocabulary name, e.g. audioset, esc50, mtg-genre (see `uts mappings list`).")
    ],
    data_dir: DataDir = DEFAULT_DATA,
    root: Root = Path("."),
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="Lexical suggestions only (no torch).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write here instead of mappings/VOCABULARY.sssom.tsv.")
    ] = None,
) -> None:
    """Write machine-suggested rows for every class that has no reviewed row yet (reviewed rows are kept)."""
    from uts.mappings.coverage import write_mapping_set
    from uts.mappings.suggest import merge_suggestions, vocabulary_rows

    try:
        ontology, vocab, mapping_set = _open(vocabulary, data_dir, root)
        suggested = vocabulary_rows(ontology, vocab, use_embeddings=not no_embeddings)
    except UTSError as exc:
        _fail(exc)
    before = len(mapping_set.rows)
    mapping_set.rows = merge_suggestions(mapping_set.rows, suggested)
    if output is not None:
        mapping_set.path = output
    write_mapping_set(mapping_set, ontology, vocab)
    reviewed = sum(r.reviewed for r in mapping_set.rows)
    console.print(
        f"{vocab.name}: {len(vocab.classes)} classes; {reviewed} reviewed rows kept, "
        f"{len(mapping_set.rows) - reviewed} machine rows (was {before} rows) -> {mapping_set.path}"
    )


@app.command()
def coverage(
    vocabularies: Annotated[list[str] | None, typer.Argument(help="Vocabulary names (default: all).")] = None,
    data_dir: DataDir = DEFAULT_DATA,
    root: Root = Path("."),
    evaluate: Annotated[
        bool, typer.Option("--eval", help="Also measure the suggester's top-1 against reviewed rows.")
    ] = False,
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="With --eval: lexical suggestions only.")
    ] = False,
) -> None:
    """Per vocabulary: classes, mapped, rows by predicate, machine-only classes, gaps; exit 1 on any problem."""
    from uts.mappings import coverage as cov
    from uts.ontology import Ontology
    from uts.vocabularies import VOCABULARIES, read_vocabulary

    names = vocabularies or list(VOCABULARIES)
    predicates = ("exact", "close", "broad", "narrow", "related")
    table = Table("vocabulary", "classes", "mapped", "exact or close", *predicates, "Not", "machine-only", "gaps")
    evals = Table("vocabulary", "reviewed classes", "predicted", "correct", "precision", "recall")
    failed = False
    try:
        ontology = Ontology.load(root)
        for name in names:
            vocab = read_vocabulary(name, data_dir)
            mapping_set, problems = cov.load_mapping_set(root, vocab)
            report = cov.coverage(ontology, vocab, mapping_set, problems)
            counts = report.by_predicate
            negative = sum(n for key, n in counts.items() if key.startswith("Not "))
            table.add_row(
                name,
                str(report.classes),
                str(report.mapped),
                str(report.exact_or_close),
                *(str(counts.get(f"skos:{p}Match", 0)) for p in predicates),
                str(negative),
                str(len(report.machine_only)),
                str(len(report.gaps)),
            )
            for problem in report.problems:
                failed = True
                err.print(problem, markup=False, highlight=False, soft_wrap=True)
            if evaluate:
                result = cov.evaluate(ontology, vocab, mapping_set, use_embeddings=not no_embeddings)
                evals.add_row(
                    name,
                    str(result.reviewed_classes),
                    str(result.predicted),
                    str(result.correct),
                    f"{result.precision:.3f}",
                    f"{result.recall:.3f}",
                )
    except UTSError as exc:
        _fail(exc)
    console.print(table)
    if evaluate:
        console.print(evals)
    if failed:
        raise typer.Exit(1)


@app.command()
def review(
    vocabulary: Annotated[str, typer.Argument(help="Vocabulary name.")],
    sheet: Annotated[
        Path, typer.Argument(help="TSV: subject_id, predicate_id, predicate_modifier, object, confidence, comment.")
    ],
    data_dir: DataDir = DEFAULT_DATA,
    root: Root = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the sheet, write nothing.")] = False,
) -> None:
    """Record a curator's reviewed rows: they replace every earlier row of the subjects they cover."""
    from uts.mappings.coverage import write_mapping_set
    from uts.mappings.review import apply_review

    try:
        ontology, vocab, mapping_set = _open(vocabulary, data_dir, root)
        report = apply_review(mapping_set, sheet, ontology, vocab)
    except UTSError as exc:
        _fail(exc)
    if not dry_run:
        write_mapping_set(mapping_set, ontology, vocab)
    console.print(
        f"{report.subjects} subjects, {report.rows} reviewed rows"
        + (" (dry run: nothing written)" if dry_run else f" -> {mapping_set.path}")
    )


@app.command()
def lint(
    data_dir: DataDir = DEFAULT_DATA,
    root: Root = Path("."),
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite non-canonical mapping files.")] = False,
) -> None:
    """Check (or with --fix, rewrite) the canonical form of every mapping file in mappings/."""
    from uts.mappings.coverage import load_mapping_set, mapping_path
    from uts.mappings.table import format_mapping_set
    from uts.ontology import Ontology
    from uts.vocabularies import VOCABULARIES, read_vocabulary

    drift = []
    try:
        ontology = Ontology.load(root)
        for name in VOCABULARIES:
            path = mapping_path(root, name)
            if not path.exists():
                continue
            vocab = read_vocabulary(name, data_dir)
            mapping_set, problems = load_mapping_set(root, vocab)
            if problems:
                raise UTSError("\n".join(str(p) for p in problems[:20]))
            canonical = format_mapping_set(mapping_set, ontology, vocab.ids)
            if canonical != mapping_set.text:
                drift.append(path)
                if fix:
                    path.write_text(canonical, encoding="utf-8")
    except UTSError as exc:
        _fail(exc)
    for path in drift:
        console.print(f"{'rewrote' if fix else 'not canonical (run `uts mappings lint --fix`)'}: {path}")
    if drift and not fix:
        raise typer.Exit(1)
    if not drift:
        console.print("ok: every mapping file is canonical")


@app.command("list")
def list_vocabularies() -> None:
    """The vocabularies uts can read, with their CURIE prefixes and default files."""
    from uts.vocabularies import VOCABULARIES

    table = Table("name", "prefix", "title", "default files (under --data-dir)")
    for spec in VOCABULARIES.values():
        table.add_row(spec.name, spec.prefix, spec.title, ", ".join(spec.default_paths))
    console.print(table)
