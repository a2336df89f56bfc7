"""Reviewed mappings from a curator's sheet: each row becomes a ``semapv:ManualMappingCuration`` SSSOM row.

A review sheet is a TSV with the columns ``subject_id``, ``predicate_id``, ``predicate_modifier`` (empty or
``Not``), ``object`` (a UTS label or ID), ``confidence`` and ``comment``. For every subject in the sheet, its
earlier rows (machine or reviewed) are replaced by the sheet's rows (one ``ReviewMappings`` edit per subject),
so a re-review is one edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from uts.errors import InvalidError, Problem, SourceError, where
from uts.io.tables import Row, parse_table, read_text
from uts.mappings.sets import new_header
from uts.ontology.edits import DEFAULT_AUTHOR, CreateMappingSet, Edit, ReviewMappings
from uts.ontology.mapping import CURATORS, MANUAL, MappingRow, RowKey, row_key
from uts.ontology.ontology import Ontology
from uts.vocabularies.base import Vocabulary

REVIEW_COLUMNS = ("subject_id", "predicate_id", "predicate_modifier", "object", "confidence", "comment")


class ReviewError(InvalidError):
    """The review sheet has problems; nothing was written."""

    head = "the review sheet has problems (nothing was written)"


@dataclass
class ReviewPlan:
    """The edits a review sheet stands for: one ``ReviewMappings`` per subject (after a ``CreateMappingSet`` when
    the vocabulary has no mapping set yet)."""

    edits: list[Edit] = field(default_factory=list)

    @property
    def subjects(self) -> int:
        return sum(isinstance(e, ReviewMappings) for e in self.edits)

    @property
    def rows(self) -> int:
        return sum(len(e.rows) for e in self.edits if isinstance(e, ReviewMappings))


def review_edits(
    ontology: Ontology,
    vocabulary: Vocabulary,
    sheet: Path,
    *,
    author: str = DEFAULT_AUTHOR,
    date: dt.date | None = None,
) -> ReviewPlan:
    """One edit per subject of ``sheet``; any bad row raises ``ReviewError`` listing every problem by line."""
    problems: list[Problem] = []
    text = read_text(sheet, problems, missing_fix="check the path of the review sheet")
    if text is None:
        raise SourceError(problems, "the review sheet cannot be read")
    table = parse_table(sheet, text, REVIEW_COLUMNS, problems)
    if not table.rows and not problems:
        problems.append(Problem(where(sheet), 1, "the sheet has no rows", "add one row per reviewed mapping"))
    labels = {c.id: c.label for c in vocabulary.classes}
    day = (date or dt.date.today()).isoformat()
    name = where(sheet)
    by_subject: dict[str, list[MappingRow]] = {}
    seen: dict[RowKey, int] = {}
    for row in table.rows:
        mapping = _review_row(row, ontology, vocabulary, labels, day, name, problems)
        if mapping is None:
            continue
        problem = _repeats(mapping, row.line, seen, name)
        if problem is not None:
            problems.append(problem)
            continue
        seen[row_key(mapping)] = row.line
        by_subject.setdefault(mapping.subject_id, []).append(mapping)
    if problems:
        raise ReviewError(problems)
    reason = f"review sheet {name}"
    plan = ReviewPlan()
    if vocabulary.name not in ontology.mappings:
        plan.edits.append(
            CreateMappingSet(vocabulary=vocabulary.name, metadata=new_header(vocabulary), author=author, reason=reason)
        )
    plan.edits += [
        ReviewMappings(vocabulary=vocabulary.name, subject_id=subject, rows=tuple(rows), author=author, reason=reason)
        for subject, rows in by_subject.items()
    ]
    return plan


def _review_row(
    row: Row,
    ontology: Ontology,
    vocabulary: Vocabulary,
    labels: dict[str, str],
    day: str,
    name: str,
    problems: list[Problem],
) -> MappingRow | None:
    """One sheet row as a reviewed mapping row, or ``None`` with the problem recorded."""
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
        return None
    target = row["object"]
    concept = ontology.concepts.get(target) if target.startswith("UTS:") else ontology.find(target)
    if concept is None:
        problems.append(
            Problem(
                name, row.line, f"object {target!r} is no UTS label or ID", "use `uts show TAG` to find the concept"
            )
        )
        return None
    if not concept.is_active:
        problems.append(
            Problem(
                name, row.line, f"object {concept.id} ({concept.label}) is deprecated", f"map to {concept.replaced_by}"
            )
        )
        return None
    try:
        return MappingRow(
            subject_id=subject,
            subject_label=labels[subject],
            predicate_id=row["predicate_id"],
            predicate_modifier=row["predicate_modifier"],
            object_id=concept.id,
            mapping_justification=MANUAL,
            confidence=float(row["confidence"]) if row["confidence"] else 1.0,
            author_id=CURATORS,
            mapping_date=day,
            comment=row["comment"],
        )
    except (ValidationError, ValueError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        problems.append(Problem(name, row.line, message.removeprefix("Value error, "), "correct the row"))
        return None


def _repeats(row: MappingRow, line: int, seen: dict[RowKey, int], name: str) -> Problem | None:
    """A row that repeats or contradicts an earlier row of the same sheet, naming both lines."""
    key = row_key(row)
    if key in seen:
        return Problem(name, line, f"this row repeats line {seen[key]}", "keep one of the two rows")
    opposite = (row.subject_id, row.predicate_id, "" if row.negated else "Not", row.object_id)
    if opposite in seen:
        return Problem(
            name,
            line,
            f"this row contradicts line {seen[opposite]} ({'Not ' if not row.negated else ''}{row.predicate_id} "
            f"{row.object_id})",
            "keep the verdict you mean and delete the other row",
        )
    return None


__all__ = ["REVIEW_COLUMNS", "ReviewError", "ReviewPlan", "review_edits"]
