"""`uts resolve` and `uts eval resolver`: captioner output to UTS concepts, and how well that works."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from uts.cli.options import BackendOpt, DataDir, LevelOpt, NoEmbed, NoRollup, Root, console, data_dir, err
from uts.errors import Problem, UsageError
from uts.io.atomic import write_atomic
from uts.resolve.filestream import StreamOptions
from uts.resolve.stream import StreamLimits, StreamSummary

if TYPE_CHECKING:
    from uts.resolve import Resolution, Resolver

eval_app = typer.Typer(help="Evaluation reports.", no_args_is_help=True)
CALIBRATION_PATH = Path("uts") / "resolve" / "calibration.toml"


def register(app: typer.Typer) -> None:
    app.command()(resolve)
    app.add_typer(eval_app, name="eval")


def _resolver(root: Path | None, level: str | None, no_rollup: bool, no_embed: bool, backend: str) -> Resolver:
    from uts.ontology import load_ontology
    from uts.resolve import Resolver

    return Resolver(load_ontology(root), level, rollup=not no_rollup, embed=not no_embed, backend=backend)


def resolve(
    text: Annotated[
        str | None, typer.Argument(help="A caption, or with --tags a comma-separated list of raw tags.")
    ] = None,
    tags: Annotated[bool, typer.Option("--tags", help="Read TEXT as comma-separated raw tags, not a caption.")] = False,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL input: {id, text} or {id, tags} per line; - for stdin.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="JSONL output file, written whole at the end (default: standard output)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted --input/--output run where it stopped.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first bad input line instead of skipping and counting it.")
    ] = False,
    max_record_bytes: Annotated[
        int, typer.Option("--max-record-bytes", min=1, help="Longest input line, in bytes.")
    ] = StreamLimits().max_record_bytes,
    max_tags: Annotated[
        int, typer.Option("--max-tags", min=1, help="Most raw tags in one record.")
    ] = StreamLimits().max_tags,
    max_tag_chars: Annotated[
        int, typer.Option("--max-tag-chars", min=1, help="Longest raw tag, in characters.")
    ] = StreamLimits().max_tag_chars,
    max_text_chars: Annotated[
        int, typer.Option("--max-text-chars", min=1, help="Longest caption, in characters.")
    ] = StreamLimits().max_text_chars,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Records resolved together (the encoder batches them).")
    ] = 256,
    format: Annotated[
        str, typer.Option("--format", help="For one caption or tag list: table (default), tsv or json.")
    ] = "table",
    level: LevelOpt = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, help="Keep at most this many tags per item.")] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0.0, max=1.0, help="Keep tags scoring at least this.")
    ] = 0.0,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="With --tags: the language the tags are written in (de, es, fr, it, ja, pt, ru, zh); its labels "
            "come before any English reading (French 'chat' is the cat).",
        ),
    ] = None,
    no_rollup: NoRollup = False,
    no_embed: NoEmbed = False,
    backend: BackendOpt = "auto",
    root: Root = None,
) -> None:
    """Resolve a caption or raw tags to UTS concepts (a table), or stream a JSONL file (--input)."""
    if (text is None) == (input is None):
        raise UsageError('give a caption (uts resolve "a dog barks") or --input FILE.jsonl, not both and not neither')
    if format not in ("table", "tsv", "json"):
        raise UsageError(f"--format {format!r}: choose table, tsv or json")
    if lang is not None and (input is not None or not tags):
        raise UsageError("--lang reads raw tags (--tags) given on the command line; a JSONL stream has no language yet")
    resolver = _resolver(root, level, no_rollup, no_embed, backend)
    if input is None:
        assert text is not None
        if tags:
            result = resolver.resolve_tags(
                [t.strip() for t in text.split(",") if t.strip()], top_k=top_k, min_score=min_score, lang=lang
            )
        else:
            result = resolver.resolve_text(text, top_k=top_k, min_score=min_score)
        _print_resolution(result, resolver, format)
        return
    limits = StreamLimits(
        max_record_bytes=max_record_bytes, max_tags=max_tags, max_tag_chars=max_tag_chars, max_text_chars=max_text_chars
    )
    options = StreamOptions(top_k=top_k, min_score=min_score, limits=limits, strict=strict, batch=batch_size)
    _stream(resolver, input, output, options, resume)


def _stream(resolver: Resolver, input: Path, output: Path | None, options: StreamOptions, resume: bool) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    from uts.resolve.filestream import resolve_file

    source = None if str(input) == "-" else input
    target = None if output is None or str(output) == "-" else output
    progress = Progress(
        TextColumn("resolving"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal and not os.environ.get("UTS_PROGRESS"),
    )
    size = source.stat().st_size if source is not None and source.is_file() else None
    with progress, _sigterm_interrupts():
        task = progress.add_task("resolve", total=size)
        end = resolve_file(
            resolver,
            source,
            target,
            options=options,
            resume=resume,
            on_problem=warn_problem,
            on_progress=lambda offset: progress.update(task, completed=offset),
        )
    print_summary(end.summary)


def warn_problem(problem: Problem) -> None:
    """A skipped input line, said as it is met (the local stream and `uts convert --engine ray` say it alike)."""
    err.print(f"[yellow]warning:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)


def print_summary(summary: StreamSummary) -> None:
    """What a stream did with every input line, on standard error."""
    err.print(
        f"items {summary.items}, tags kept {summary.tags}, negated {summary.negated}, imitated {summary.imitated}, "
        f"abstentions {summary.abstained}, below --min-score {summary.below_min_score}, "
        f"beyond --top-k {summary.beyond_top_k}, malformed lines skipped {summary.malformed}, "
        f"blank lines {summary.blank}",
        highlight=False,
    )


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """``SIGTERM`` (a scheduler stopping the job) ends the run as Ctrl-C does: cleanly, and resumable."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_resolution(result: Resolution, resolver: Resolver, format: str = "table") -> None:
    if format == "json":
        console.print_json(json.dumps(result.to_json(), ensure_ascii=False))
        return
    if format == "tsv":
        rows = [("status", "id", "label", "score", "method", "evidence", "hedged", "rolled_up_from", "count")]
        for status, ms in (("tag", result.tags), ("negated", result.negated), ("imitated", result.imitated)):
            rows += [
                (status, m.id, m.label, f"{m.score:.4f}", m.method, m.text, str(m.hedged).lower(), m.rolled_up_from or "",
                 str(m.count))
                for m in ms
            ]  # fmt: skip
        rows += [
            ("abstained", a.best or "", "", f"{a.best_score or 0:.4f}", "", a.text, "", "", "")
            for a in result.abstained
        ]
        sys.stdout.write(
            "".join("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) + "\n" for row in rows)
        )
        return
    table = Table(title="tags", title_justify="left")
    for column in ("id", "label", "score", "method", "evidence", "hedged", "note"):
        table.add_column(column)
    for m in result.tags:
        note = f"rolled up from {m.rolled_up_from}" if m.rolled_up_from else ""
        note += f" ({m.count} mentions)" if m.count > 1 else ""
        if m.modifies:  # a multiword tag's modifier: say which words and which head
            words = m.text[m.span[0] : m.span[1]]
            note += f" {escape(repr(words))} modifies {resolver.lexical_index.label_of.get(m.modifies, m.modifies)}"
        table.add_row(
            m.id, m.label, f"{m.score:.2f}", m.method, escape(m.text), "yes" if m.hedged else "", note.strip()
        )
    console.print(table)
    if result.negated:
        console.print("negated (absent): " + ", ".join(f"{m.label} ({escape(m.text)})" for m in result.negated))
    if result.imitated:
        console.print("imitated (not heard): " + ", ".join(f"{m.label} ({escape(m.text)})" for m in result.imitated))
    for a in result.abstained:
        best = f" (nearest: {resolver.ontology.concepts[a.best].label}, {a.best_score:.2f})" if a.best else ""
        console.print(f"abstained on {escape(a.text)!r}: {escape(a.reason)}{best}")
    if result.below_min_score or result.beyond_top_k:
        console.print(f"not shown: {result.below_min_score} below --min-score, {result.beyond_top_k} beyond --top-k")


@eval_app.command("resolver")
def eval_resolver(
    data: DataDir = None,
    captions_limit: Annotated[
        int | None, typer.Option("--captions-limit", min=1, help="Use only the first N captions.")
    ] = None,
    top_k_baseline: Annotated[
        int, typer.Option("--baseline-k", min=1, help="k of the whole-caption embedding baseline.")
    ] = 5,
    calibrate: Annotated[
        bool, typer.Option("--calibrate", help="Sweep the thresholds on the dev data and print them.")
    ] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="With --calibrate: write the thresholds to --calibration-file (the resolver reads them from there).",
        ),
    ] = False,
    calibration_file: Annotated[
        Path,
        typer.Option(
            "--calibration-file",
            help="Where --write writes: default uts/resolve/calibration.toml under the working directory "
            "(a checkout), never the installed package.",
        ),
    ] = CALIBRATION_PATH,
    level: LevelOpt = None,
    no_embed: NoEmbed = False,
    backend: BackendOpt = "auto",
    show_errors: Annotated[int, typer.Option("--show-errors", help="Errors listed per variant kind.")] = 5,
    multilingual: Annotated[
        Path | None,
        typer.Option(
            "--multilingual",
            help="A multilingual tag set (lang, tag, concept_id, concept_label); default: the checkout's "
            "tests/data/multilingual_1.tsv to _4.tsv (dev) and multilingual_5.tsv (blind test), skipped when absent.",
        ),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here.")] = None,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            help="Source root of another release (e.g. releases/1.0.0): its resolver's caption tags, carried to "
            "this release's concepts through merges and replacements, scored beside this one on the same gold.",
        ),
    ] = None,
    root: Root = None,
) -> None:
    """Lossless check, raw-tag variants per kind, and captions vs AudioSet labels beside two baselines."""
    from uts.resolve import Calibration
    from uts.resolve import evaluate as ev

    folder = data_dir(data)
    if write and not calibrate:
        raise UsageError("--write only applies with --calibrate")
    if write and not calibration_file.parent.is_dir():
        raise UsageError(
            f"{calibration_file.parent} is not a folder here: run from a checkout of the repository, "
            "or pass --calibration-file PATH"
        )
    resolver = _resolver(root, level, False, no_embed, backend)
    figures: dict[str, Any] = {}
    if calibrate:
        variants = ev.read_variants(resolver.ontology)
        (tag_threshold, unrelated), sweep = ev.calibrate_tags(resolver, variants)
        table = Table(title="tag threshold sweep (dev split)", title_justify="left")
        for column in ("threshold", "no shared word", "answered right", "abstained right", "mean"):
            table.add_column(column, justify="right")
        for t, u, a, b in sweep:  # one threshold for all (every 0.05), then the chosen one with each unrelated
            fifth = round(t * 100) % 5 == 0
            if (u == t and fifth) or (t == tag_threshold and (round(u * 100) % 5 == 0 or u == unrelated)):
                table.add_row(f"{t:.2f}", f"{u:.2f}", f"{a:.3f}", f"{b:.3f}", f"{(a + b) / 2:.3f}")
        console.print(table)
        captions = ev.load_caption_data(resolver.ontology, folder, captions_limit)
        phrase_threshold, phrase_sweep = ev.calibrate_phrases(resolver, captions)
        table = Table(title="phrase threshold sweep (dev captions)", title_justify="left")
        for column in ("threshold", "P", "R", "F1"):
            table.add_column(column, justify="right")
        for t, s in phrase_sweep:
            table.add_row(f"{t:.2f}", f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
        console.print(table)
        chosen = Calibration(tag_threshold, phrase_threshold, unrelated)
        console.print(
            f"calibrated: tags {tag_threshold:.2f} ({unrelated:.2f} sharing no word with the tag), "
            f"phrases {phrase_threshold:.2f}"
        )
        if write:
            ev.write_calibration(chosen, calibration_file)
            console.print(f"wrote {calibration_file}")
        return
    figures["lossless"] = _report_lossless(ev.score_lossless(resolver.ontology))
    figures["variants"] = _report_variants(
        ev.score_variants(resolver, ev.read_variants(resolver.ontology)), show_errors
    )
    tag_sets = {"": multilingual} if multilingual is not None else ev.MULTILINGUAL_SETS
    for split, tag_set in tag_sets.items():
        if multilingual is not None or tag_set.exists():
            tags = ev.read_multilingual(resolver.ontology, tag_set)
            by_language = ev.score_multilingual(resolver, tags)
            hinted = ev.score_multilingual(resolver, tags, hint=True)
            key = f"multilingual_{split}" if split else "multilingual"
            figures[key] = _report_multilingual(tags, by_language, hinted, show_errors, split, tag_set)
        else:
            console.print(f"multilingual tags: no set at {tag_set} (a checkout has one); skipped")
    captions = ev.load_caption_data(resolver.ontology, folder, captions_limit)
    scores, check = ev.score_captions(
        resolver, captions, k=top_k_baseline, progress=lambda s: err.print(f"[dim]{s}[/]")
    )
    dropped = None
    if compare is not None:
        err.print(f"[dim]the resolver of the release at {compare}[/]")
        other = _resolver(compare, level, False, no_embed, backend)
        carried, dropped = ev.score_carried(other, captions, resolver.ontology)
        scores.append(carried)
    figures["captions"] = _report_captions(captions, scores, check)
    if dropped is not None:
        console.print(
            f"carried: {dropped} tags of the other release name no concept of this one (a newer concept) and "
            "are left out; merged and replaced concepts count as their target"
        )
        figures["captions"]["carried_dropped"] = dropped
    if json_out is not None:
        write_atomic(json_out, (json.dumps(figures, indent=2, allow_nan=False) + "\n").encode("utf-8"))


@eval_app.command("senses")
def eval_senses(
    data: DataDir = None,
    level: LevelOpt = None,
    no_embed: NoEmbed = False,
    backend: BackendOpt = "auto",
    survey: Annotated[
        int | None,
        typer.Option(
            "--survey",
            min=1,
            help="Instead: list the one-word labels AudioCaps captions use at least N times, most frequent first, "
            "each with whether its senses are curated (what a curator reads to find ambiguous words).",
        ),
    ] = None,
    show_errors: Annotated[int, typer.Option("--show-errors", help="Errors listed per split.")] = 10,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here.")] = None,
    root: Root = None,
) -> None:
    """Word sense on real captions: wrong-sense tags among those returned, misses and controls, per split."""
    from uts.resolve import sense_eval as se

    folder = data_dir(data)
    resolver = _resolver(root, level, False, no_embed, backend)
    captions = se.load_captions(folder)
    if survey is not None:
        rows = se.survey(resolver, captions.values(), min_count=survey)
        table = Table(title=f"one-word labels in {len(captions):,} AudioCaps captions", title_justify="left")
        for column in ("word", "concept", "facet", "count", "senses curated", "example"):
            table.add_column(column)
        for row in rows:
            table.add_row(escape(row.word), escape(row.label), row.facet, str(row.count), "yes" if row.curated else "",
                          escape(row.example[:80]))  # fmt: skip
        console.print(table)
        forms = len({r.word for r in rows if r.curated})
        console.print(f"{len(rows)} word-concept pairs; {forms} of their words have curated senses")
        return
    scores = se.score_senses(resolver, se.read_sense_set(resolver.ontology), captions)
    table = Table(title="word sense (uts/resolve/sense_set.tsv)", title_justify="left")
    for column in ("split", "captions", "tags returned", "wrong sense", "share", "missed", "controls right"):
        table.add_column(column, justify="right")
    for s in scores:
        table.add_row(s.split, str(s.cases), str(s.returned), str(s.wrong), f"{s.wrong_share:.2%}", str(s.missed),
                      f"{s.controls_right}/{s.controls}")  # fmt: skip
    console.print(table)
    for s in scores:
        for error in s.errors[:show_errors]:
            console.print(f"  {s.split}: {escape(error)}")
    if json_out is not None:
        figures = [{"split": s.split, "cases": s.cases, "returned": s.returned, "wrong": s.wrong, "missed": s.missed,
                    "controls": s.controls, "controls_right": s.controls_right} for s in scores]  # fmt: skip
        write_atomic(json_out, (json.dumps(figures, indent=2) + "\n").encode("utf-8"))


def _report_lossless(scores: list[Any]) -> list[dict[str, Any]]:
    table = Table(title="lossless: published strings resolve to their own concept", title_justify="left")
    for column in ("level", "strings", "kept", "share"):
        table.add_column(column, justify="right")
    for s in scores:
        table.add_row(s.level, str(s.total), str(s.kept), f"{s.kept / s.total:.2%}")
    console.print(table)
    for s in scores:
        for failure in s.failures[:10]:
            console.print(f"  {s.level}: {escape(failure)}")
    return [{"level": s.level, "total": s.total, "kept": s.kept} for s in scores]


def _report_variants(scores: list[Any], show_errors: int) -> list[dict[str, Any]]:
    table = Table(title="raw-tag variants: top-1 accuracy per kind (nonsense: abstained)", title_justify="left")
    for column in ("kind", "dev n", "dev acc", "test n", "test acc"):
        table.add_column(column, justify="right")
    by_kind: dict[str, dict[str, Any]] = {}
    for s in scores:
        by_kind.setdefault(s.kind, {})[s.split] = s
    for kind, splits in by_kind.items():
        dev, test = splits.get("dev"), splits.get("test")
        table.add_row(
            kind,
            str(dev.total if dev else 0),
            f"{dev.accuracy:.3f}" if dev else "-",
            str(test.total if test else 0),
            f"{test.accuracy:.3f}" if test else "-",
        )
    console.print(table)
    for s in scores:
        if s.split == "test":
            for error in s.errors[:show_errors]:
                console.print(f"  {s.kind} (test): {escape(error)}")
    return [{"kind": s.kind, "split": s.split, "total": s.total, "correct": s.correct} for s in scores]


def _report_multilingual(
    tags: list[Any], scores: list[Any], hinted: list[Any], show_errors: int, split: str, path: Path
) -> list[dict[str, Any]]:
    """Accuracy per language of tags of unknown language, and of the same tags with their language given."""
    from uts.resolve.evaluate import overall

    which = f" ({split}: {path.name})" if split else f" ({path.name})"
    table = Table(title=f"multilingual raw tags{which}: top-1 accuracy per language", title_justify="left")
    also = any(t.also for t in tags)  # the set's writer named concepts a tag names as well
    columns = ("language", "tags", "right", "abstained", "accuracy", "language given")
    for column in (*columns, "with also", "given, with also") if also else columns:
        table.add_column(column, justify="right")
    for s, h in zip([*scores, overall(scores)], [*hinted, overall(hinted)], strict=True):
        cells = [s.lang, str(s.total), str(s.correct), str(s.abstained), f"{s.accuracy:.3f}", f"{h.accuracy:.3f}"]
        if also:
            cells += [f"{s.accuracy_with_also:.3f}", f"{h.accuracy_with_also:.3f}"]
        table.add_row(*cells)
    console.print(table)
    if also:
        console.print(
            "accuracy counts the one concept each tag was written for; 'with also' counts as right, too, a concept its "
            "writer judged the tag to name exactly as well (the set's also column, written blind with the tag)"
        )
    for s in scores:
        for error in s.errors[:show_errors]:
            console.print(f"  {s.lang}: {escape(error)}")
    return [
        {
            "lang": s.lang,
            "total": s.total,
            "correct": s.correct,
            "abstained": s.abstained,
            "correct_given": h.correct,
            "also": s.also,
            "also_given": h.also,
        }
        for s, h in zip(scores, hinted, strict=True)
    ]


def _report_captions(data: Any, scores: list[Any], check: Any) -> dict[str, Any]:
    gold = sum(len(g) for g in data.gold.values())
    table = Table(
        title=f"captions: {len(data.gold)} GAMA captions vs AudioSet labels mapped to UTS "
        f"({gold} gold concepts; {data.unmapped_labels} label occurrences without a carrying mapping)",
        title_justify="left",
    )
    for column in ("system", "P", "R", "F1", "hP", "hR", "hF1", "tags/clip"):
        table.add_column(column, justify="right" if column != "system" else "left")
    for s in scores:
        h = s.hierarchical
        table.add_row(
            s.system,
            *(f"{x:.3f}" for x in (s.precision, s.recall, s.f1, h.precision, h.recall, h.f1)),
            f"{s.predicted_per_clip:.2f}",
        )
    console.print(table)
    console.print(
        "P/R/F1 count a concept right when the clip's AudioSet labels carry to it; hP/hR/hF1 add the UTS ancestors "
        "of predictions and labels alike. tags/clip: predicted concepts AudioSet can express."
    )
    console.print(
        f"negation: {check.negated_mentions} negated concepts reported apart from the tags; "
        f"{check.negated_in_gold} of them are in the clip's human labels; "
        f"{check.negated_as_tags} returned as tags while only negated (must be 0)"
    )
    return {
        "clips": len(data.gold),
        "systems": [
            {
                "system": s.system,
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
                "hierarchical": {
                    "precision": s.hierarchical.precision,
                    "recall": s.hierarchical.recall,
                    "f1": s.hierarchical.f1,
                },
                "tags_per_clip": s.predicted_per_clip,
            }
            for s in scores
        ],
        "negation": vars(check),
    }
