"""`uts mappings ...`: suggest, review, check and measure the SSSOM mappings of legacy vocabularies to UTS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from uts.cli.options import Author, DataDir, DryRun, ExpectRevision, Root, WorkRoot, console, data_dir, print_lines
from uts.ontology.edits import DEFAULT_AUTHOR

if TYPE_CHECKING:
    from uts.vocabularies.base import Vocabulary

app = typer.Typer(
    help="Mappings of legacy vocabularies (AudioSet, ESC-50, MTG-Jamendo, ...) to UTS, in SSSOM.", no_args_is_help=True
)


def _vocabulary(name: str, folder: Path | None) -> Vocabulary:
    from uts.vocabularies import read_vocabulary

    return read_vocabulary(name, data_dir(folder))


@app.command()
def suggest(
    vocabulary: Annotated[
        str, typer.Argument(help="Vocabulary name, e.g. audioset, esc50, mtg-genre (see `uts mappings list`).")
    ],
    data: DataDir = None,
    root: WorkRoot = Path("."),
    author: Author = DEFAULT_AUTHOR,
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="Lexical suggestions only (no encoder).")
    ] = False,
    expect_revision: ExpectRevision = None,
) -> None:
    """Put machine-suggested rows on every class that has no reviewed row yet (reviewed rows are kept)."""
    from uts.mappings.suggest import suggestion_edits, vocabulary_rows
    from uts.ontology import Ontology
    from uts.ontology.edits import Edit
    from uts.store import FileStore
    from uts.store.change import change

    vocab = _vocabulary(vocabulary, data)

    def edits_for(ontology: Ontology) -> list[Edit]:
        suggested = vocabulary_rows(ontology, vocab, use_embeddings=not no_embeddings)
        return suggestion_edits(ontology, vocab, suggested, author=author)

    store = FileStore(root)
    done = change(store, edits_for, expected_revision=expect_revision)
    rows = store.load().mappings[vocab.name].rows
    reviewed = sum(r.reviewed for r in rows)
    console.print(
        f"{vocab.name}: {len(vocab.classes)} classes; {reviewed} reviewed rows kept, {len(rows) - reviewed} machine "
        f"rows -> {store.layout.mapping_file(vocab.name)}"
        + (f" (revision {done.commit.revision})" if done.commit else "")
    )


@app.command()
def coverage(
    vocabularies: Annotated[list[str] | None, typer.Argument(help="Vocabulary names (default: all).")] = None,
    data: DataDir = None,
    root: Root = None,
    evaluate: Annotated[
        bool, typer.Option("--eval", help="Also measure the suggester's top-1 against reviewed rows.")
    ] = False,
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="With --eval: lexical suggestions only.")
    ] = False,
) -> None:
    """Per vocabulary: classes, mapped, rows by predicate, machine-only classes, gaps; exit 1 on any problem (a
    row naming a gap, 'gap: X', that a concept X now fills is one)."""
    from uts.mappings import coverage as cov
    from uts.ontology import load_ontology
    from uts.vocabularies import VOCABULARIES

    names = vocabularies or list(VOCABULARIES)
    predicates = ("exact", "close", "broad", "narrow", "related")
    table = Table("vocabulary", "classes", "mapped", "exact or close", *predicates, "Not", "machine-only", "gaps")
    evals = Table("vocabulary", "reviewed classes", "predicted", "correct", "precision", "recall")
    ontology = load_ontology(root)
    problems: list[str] = []
    for name in names:
        vocab = _vocabulary(name, data)
        report = cov.coverage(ontology, vocab)
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
        problems += report.problems
        problems += [
            f"{line}: remap the row, or keep it with a comment 'kept broad: why'" for line in report.filled_gaps
        ]
        if evaluate:
            result = cov.evaluate(ontology, vocab, use_embeddings=not no_embeddings)
            evals.add_row(
                name,
                str(result.reviewed_classes),
                str(result.predicted),
                str(result.correct),
                f"{result.precision:.3f}",
                f"{result.recall:.3f}",
            )
    console.print(table)
    if evaluate:
        console.print(evals)
    print_lines(problems)
    if problems:
        raise typer.Exit(1)


@app.command()
def review(
    vocabulary: Annotated[str, typer.Argument(help="Vocabulary name.")],
    sheet: Annotated[
        Path, typer.Argument(help="TSV: subject_id, predicate_id, predicate_modifier, object, confidence, comment.")
    ],
    data: DataDir = None,
    root: WorkRoot = Path("."),
    author: Author = DEFAULT_AUTHOR,
    dry_run: DryRun = False,
    expect_revision: ExpectRevision = None,
) -> None:
    """Record a curator's reviewed rows: they replace every earlier row of the subjects they cover."""
    from uts.mappings.review import review_edits
    from uts.ontology.edits import ReviewMappings
    from uts.store import FileStore
    from uts.store.change import change

    vocab = _vocabulary(vocabulary, data)
    store = FileStore(root)
    done = change(
        store,
        lambda ontology: review_edits(ontology, vocab, sheet, author=author).edits,
        dry_run=dry_run,
        expected_revision=expect_revision,
    )
    reviews = [e for e in done.edits if isinstance(e, ReviewMappings)]
    written = (
        f"-> {store.layout.mapping_file(vocab.name)} (revision {done.commit.revision})"
        if done.commit
        else "(dry run: nothing written)"
    )
    console.print(f"{len(reviews)} subjects, {sum(len(e.rows) for e in reviews)} reviewed rows {written}")


@app.command()
def lint(
    data: DataDir = None,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Source root (default: the bundled release; with --fix: the working directory)."),
    ] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite non-canonical mapping files.")] = False,
) -> None:
    """Check (or with --fix, rewrite) every mapping file in mappings/: canonical text, rows in vocabulary order."""
    from uts.io.atomic import write_all_atomic
    from uts.mappings.sets import canonical_text
    from uts.ontology.load import raise_for, read_root
    from uts.vocabularies import VOCABULARIES

    loaded = read_root(Path(".") if fix and root is None else root)
    raise_for(loaded.problems)
    layout, texts = loaded.sources.layout, loaded.sources.texts
    drift: dict[Path, str] = {}
    for name, mapping_set in sorted(loaded.ontology.mappings.items()):
        if name not in VOCABULARIES:
            continue
        path = layout.mapping_file(name)
        canonical = canonical_text(mapping_set, loaded.ontology, _vocabulary(name, data))
        if canonical != texts.get(path):
            drift[path] = canonical
    if fix:
        write_all_atomic({path: text.encode("utf-8") for path, text in drift.items()})
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
