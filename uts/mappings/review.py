"""Reviewed mappings from a curator's sheet: each row becomes a ``semapv:ManualMappingCuration`` SSSOM row.

A review sheet is a TSV with the columns ``subject_id``, ``predicate_id``, ``predicate_modifier`` (empty or
``Not``), ``object`` (a UTS label or ID), ``confidence`` and ``comment``. For every subject in the sheet, its
earlier rows (machine or reviewed) are replaced by the sheet's rows, so a re-review is one edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from uts.errors import Problem, UTSError, where
from uts.mappings.table import CURATORS, MANUAL, MappingRow, MappingSet
from uts.ontology.ontology import Ontology
from uts.ontology.tables import parse_table, read_text
from uts.vocabularies.base import Vocabulary

REVIEW_COLUMNS = ("subject_id", "predicate_id", "predicate_modifier", "object", "confidence", "comment")


@dataclass
class ReviewReport:
    subjects: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)


def apply_review(
    mapping_set: MappingSet, sheet: Path, ontology: Ontology, vocabulary: Vocabulary, *, date: dt.date | None = None
) -> ReviewReport:
    """Replace the rows of every subject in ``sheet`` by its reviewed rows; nothing changes if any row is bad."""
    problems: list[Problem] = []
    text = read_text(sheet, problems)
    if text is None:
        raise ReviewError(problems)
    table = parse_table(sheet, text, REVIEW_COLUMNS, problems)
    labels = {c.id: c.label for c in vocabulary.classes}
    day = (date or dt.date.today()).isoformat()
    name = where(sheet)
    new_rows: list[MappingRow] = []
    for row in table.rows:
        subject = row["subject_id"]
        if subject not in labels:
            problems.append(
                Problem(
                    name,
                    row.line,
                    f"{subject!r} is not a class of {vocabulary.name}",
                    "copy the subject_id from the vocabulary",
                )
            )
            continue
        concept = (
            ontology.find(row["object"])
            if not row["object"].startswith("UTS:")
            else ontology.concepts.get(row["object"])
        )
        if concept is None:
            problems.append(
                Problem(
                    name,
                    row.line,
                    f"object {row['object']!r} is no UTS label or ID",
                    "use `uts show TAG` to find the concept",
                )
            )
            continue
        if not concept.is_active:
            problems.append(
                Problem(
                    name,
                    row.line,
                    f"object {concept.id} ({concept.label}) is deprecated",
                    f"map to {concept.replaced_by}",
                )
            )
            continue
        try:
            confidence = float(row["confidence"]) if row["confidence"] else 1.0
            new_rows.append(
                MappingRow(
                    subject_id=subject,
                    subject_label=labels[subject],
                    predicate_id=row["predicate_id"],
                    predicate_modifier=row["predicate_modifier"],
                    object_id=concept.id,
                    mapping_justification=MANUAL,
                    confidence=confidence,
                    author_id=CURATORS,
                    mapping_date=day,
                    comment=row["comment"],
                )
            )
        except (ValidationError, ValueError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            problems.append(Problem(name, row.line, message.removeprefix("Value error, "), "correct the row"))
    if problems:
        raise ReviewError(problems)
    subjects = {r.subject_id for r in new_rows}
    mapping_set.rows = [r for r in mapping_set.rows if r.subject_id not in subjects] + new_rows
    return ReviewReport(subjects=len(subjects), rows=len(new_rows))


class ReviewError(UTSError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        body = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"the review sheet has problems (nothing was written):\n{body}{more}")
