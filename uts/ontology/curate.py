"""Batch curation: apply a spreadsheet of edits (one row per concept) to the curated source.

Curators and reviewers work in sheets; this turns a reviewed sheet into canonical source edits, checking every
row first. A sheet is a TSV with an ``id`` column and any of the columns in ``EDITABLE``. An empty cell leaves
the field as it is, ``-`` clears it. A row whose id is ``+`` adds a curated concept with the next free ID.
A ``merge_into`` cell merges the row's concept into another: every label and published tag moves to the target,
concepts below it move under the target, and the row's concept is deprecated with ``replaced_by`` the target.
References (``broader``, ``replaced_by``, ``consider``) may be IDs or labels, including labels of concepts the
same sheet adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from uts.errors import Problem, UTSError, where
from uts.matching.normalise import normalise
from uts.ontology.model import (
    ID_PATTERN,
    Concept,
    LabelScope,
    Origin,
    PaperTag,
    Status,
    Synonym,
    format_id,
    id_number,
)
from uts.ontology.ontology import Ontology, build, build_label_index, with_derived_fields
from uts.ontology.source import TERMS_COLUMNS
from uts.ontology.tables import read_text, split_list

# The concept fields a sheet may set: every column of terms.tsv except the ID and the fields derived from the paper.
FIELD_COLUMNS = tuple(c for c in TERMS_COLUMNS if c not in ("id", "origin", "rank", "levels"))
# Sheet columns that add labels, and the scope each one adds.
LABEL_COLUMNS = {
    "synonyms": LabelScope.ALT,
    "hidden_synonyms": LabelScope.HIDDEN,
    "narrower_terms": LabelScope.NARROWER,
}
EDITABLE = (*FIELD_COLUMNS, *LABEL_COLUMNS, "synonym_source", "merge_into")
NEW = "+"
CLEAR = "-"
DEFAULT_SOURCE = "uts-curators"


@dataclass
class CurationReport:
    rows: int = 0
    updated: int = 0
    added: list[str] = field(default_factory=list)
    synonyms_added: int = 0
    merged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    written: bool = False


@dataclass
class _Row:
    line: int
    cells: dict[str, str]


def read_sheet(path: Path) -> tuple[list[_Row], list[Problem]]:
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        return [], problems
    lines = text.splitlines()
    if not lines:
        return [], [Problem(where(path), 1, "the sheet is empty", "give a header row with an id column")]
    header = lines[0].split("\t")
    unknown = [c for c in header if c not in ("id", *EDITABLE)]
    if "id" not in header or unknown:
        return [], [
            Problem(
                where(path),
                1,
                f"the header must have an 'id' column and only the columns {', '.join(EDITABLE)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
                "rename or drop those columns",
            )
        ]
    rows = []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split("\t")
        if len(cells) > len(header):
            problems.append(
                Problem(
                    where(path),
                    number,
                    f"row has {len(cells)} fields but the header has {len(header)}",
                    "remove the extra tabs",
                )
            )
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(_Row(number, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return rows, problems


def apply_sheet(root: Path | str, sheet: Path | str, *, partial: bool = False, dry_run: bool = False) -> CurationReport:
    """Apply a curation sheet to the source below ``root``.

    All rows are checked first; with any problem nothing is written (with ``partial`` the bad rows are skipped,
    counted and reported, and the rest is applied). The result must still pass every validation rule.
    """
    from uts.ontology.lint import fix
    from uts.ontology.source import read_sources
    from uts.ontology.validate import check

    root, sheet = Path(root), Path(sheet)
    sources = read_sources(root)
    ontology, problems = build(sources)
    if problems:
        raise UTSError("the source does not load; fix it first:\n" + "\n".join(f"  {p}" for p in problems[:20]))
    rows, sheet_problems = read_sheet(sheet)
    report = CurationReport(rows=len(rows))
    name = where(sheet)

    concepts = dict(ontology.concepts)
    next_number = max((id_number(i) for i in concepts), default=0) + 1
    # Pass 1: create new concepts so later rows (and references) can name them.
    row_ids: dict[int, str] = {}
    for row in rows:
        given = row.cells["id"]
        if given == NEW:
            label = row.cells.get("label", "")
            if not label:
                sheet_problems.append(
                    Problem(name, row.line, "a new concept (id '+') needs a label", "fill the label cell")
                )
                continue
            given = format_id(next_number)
            next_number += 1
            concepts[given] = Concept(id=given, label=label, origin=Origin.CURATED)
            report.added.append(given)
        elif not ID_PATTERN.match(given) or given not in concepts:
            sheet_problems.append(
                Problem(name, row.line, f"unknown concept {given!r}", "use an existing ID, or '+' to add a concept")
            )
            continue
        row_ids[row.line] = given

    index = build_label_index(concepts.values())  # includes the concepts this sheet adds

    def ref(text: str, line: int, column: str) -> str | None:
        if ID_PATTERN.match(text):
            if text in concepts:
                return text
            sheet_problems.append(
                Problem(name, line, f"{column} names unknown concept {text}", "use an existing ID or label")
            )
            return None
        found = index.get(normalise(text))
        if found is None:
            sheet_problems.append(
                Problem(
                    name,
                    line,
                    f"{column} names {text!r}, which is no concept's label",
                    "use an existing label or ID, or add the concept with a '+' row",
                )
            )
        return found

    # Pass 2: field edits.
    bad_lines: set[int] = set()
    for row in rows:
        concept_id = row_ids.get(row.line)
        if concept_id is None:
            bad_lines.add(row.line)
            continue
        before = len(sheet_problems)
        concept = concepts[concept_id]
        update: dict[str, Any] = {}
        for column, value in row.cells.items():
            if column not in FIELD_COLUMNS or not value:
                continue
            if column == "label" and row.cells["id"] == NEW:
                continue
            cleared = value == CLEAR
            if column in ("broader", "consider"):
                refs = [] if cleared else [ref(item, row.line, column) for item in split_list(value)]
                update[column] = tuple(dict.fromkeys(r for r in refs if r))
            elif column == "replaced_by":
                update[column] = None if cleared else ref(value, row.line, column)
            elif column in ("facets", "domains"):
                update[column] = () if cleared else tuple(dict.fromkeys(split_list(value)))
            else:
                update[column] = "" if cleared else value
        synonyms = list(concept.synonyms)
        taken = {normalise(label) for label in concept.all_labels}
        source = row.cells.get("synonym_source") or DEFAULT_SOURCE
        added = 0
        for column, scope in LABEL_COLUMNS.items():
            for label in split_list(row.cells.get(column, "")):
                key = normalise(label)
                if key in taken:
                    continue
                owner = index.get(key)
                if owner is not None and owner != concept_id and concepts[owner].status is Status.ACTIVE:
                    sheet_problems.append(
                        Problem(
                            name,
                            row.line,
                            f"synonym {label!r} is already a label of {owner} ({concepts[owner].label})",
                            "drop it here, or move it deliberately",
                        )
                    )
                    continue
                synonyms.append(Synonym(label=label, scope=scope, source=source))
                taken.add(key)
                index[key] = concept_id
                added += 1
        if added:
            update["synonyms"] = tuple(synonyms)
        if len(sheet_problems) > before:
            bad_lines.add(row.line)
            continue
        try:
            concepts[concept_id] = Concept.model_validate({**concept.model_dump(), **update})
        except ValidationError as exc:
            err = exc.errors()[0]
            sheet_problems.append(
                Problem(name, row.line, f"{'.'.join(map(str, err['loc']))}: {err['msg']}", "correct the cell")
            )
            bad_lines.add(row.line)
            continue
        report.synonyms_added += added
        if row.cells["id"] != NEW:
            report.updated += 1

    # Pass 3: merges, after every field edit so the target's own edits are kept.
    paper = list(ontology.paper)
    for row in rows:
        target_text = row.cells.get("merge_into", "")
        source_id = row_ids.get(row.line)
        if not target_text or source_id is None or row.line in bad_lines:
            continue
        target_id = ref(target_text, row.line, "merge_into")
        if target_id is None:
            continue
        roots = {f.root: f.id for f in ontology.facets.values()}
        problem = _merge(concepts, paper, source_id, target_id, roots)
        if problem:
            sheet_problems.append(Problem(name, row.line, problem, "fix merge_into"))
        else:
            report.merged.append((source_id, target_id))

    if sheet_problems and not partial:
        raise CurationError(sheet_problems)
    report.skipped = sheet_problems
    result = Ontology(
        metadata=ontology.metadata,
        concepts=with_derived_fields(concepts, paper),
        paper=paper,
        paper_header=ontology.paper_header,
        reordered=ontology.reordered,
        facets=ontology.facets,
        layout=ontology.layout,
    )
    rule_problems = check(result)
    if rule_problems:
        raise CurationError(
            rule_problems, "after applying the sheet the ontology breaks these rules (nothing was written)"
        )
    if not dry_run:
        fix(result, sources.texts)
        if report.merged:
            from uts.mappings.table import follow_merges

            follow_merges(root / "mappings", result, dict(report.merged))
        report.written = True
    return report


def _merge(
    concepts: dict[str, Concept], paper: list[PaperTag], source_id: str, target_id: str, roots: dict[str, str]
) -> str | None:
    """Merge ``source_id`` into ``target_id`` in place; returns a problem message, or None when done."""
    import datetime as dt

    source, target = concepts[source_id], concepts[target_id]
    if source_id == target_id:
        return f"{source_id} cannot be merged into itself"
    if source_id in roots:
        return f"{source_id} is the root of facet {roots[source_id]!r}; give the facet another root first"
    if source.status is not Status.ACTIVE or target.status is not Status.ACTIVE:
        return (
            f"only active concepts merge ({source_id} is {source.status.value}, {target_id} is {target.status.value})"
        )
    have = set(target.all_labels)
    moved = [Synonym(label=source.label, scope=LabelScope.ALT, source="merge", comment=f"merged from {source_id}")]
    moved += list(source.synonyms)
    synonyms = list(target.synonyms) + [s for s in moved if s.label not in have]
    # The target keeps what it has and inherits what it lacks (a definition, a place in the hierarchy).
    broader = tuple(b for b in target.broader if b != source_id) or tuple(b for b in source.broader if b != target_id)
    concepts[target_id] = target.model_copy(
        update={"synonyms": tuple(synonyms), "broader": broader, "definition": target.definition or source.definition}
    )
    concepts[source_id] = source.model_copy(
        update={"status": Status.DEPRECATED, "replaced_by": target_id, "synonyms": (), "broader": ()}
    )
    # Whatever pointed at the source now points at the target.
    for concept_id, concept in list(concepts.items()):
        if concept_id == source_id:
            continue
        update: dict[str, Any] = {}
        if source_id in concept.broader:
            parents = dict.fromkeys(target_id if b == source_id else b for b in concept.broader)
            update["broader"] = tuple(b for b in parents if b != concept_id)
        if concept.replaced_by == source_id:
            update["replaced_by"] = target_id
        if source_id in concept.consider:
            update["consider"] = tuple(dict.fromkeys(target_id if c == source_id else c for c in concept.consider))
        if update:
            concepts[concept_id] = concept.model_copy(update=update)
    today = dt.date.today().isoformat()
    if any(tag.concept_id == source_id for tag in paper):
        concepts[target_id] = concepts[target_id].model_copy(update={"origin": Origin.PAPER})
    for i, tag in enumerate(paper):
        if tag.concept_id == source_id:
            paper[i] = tag.model_copy(
                update={
                    "concept_id": target_id,
                    "justification": "semapv:ManualMappingCuration",
                    "author": "utsteam:curators",
                    "date": today,
                    "comment": f"merged {source_id} ({source.label}) into {target_id} ({target.label}); was: {tag.comment}",
                }
            )
    return None


class CurationError(UTSError):
    def __init__(self, problems: list[Problem], head: str = "the sheet has problems (nothing was written)") -> None:
        self.problems = problems
        body = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{head}:\n{body}{more}")
